"""`personalize-lint audit` as users run it: a subprocess against the local endpoints."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
from world import ACCOUNT, Aws, deploy

from helpers import run_cli
from personalize_lint.collectors.progress import Progress


@pytest.fixture
def deployed(aws: Aws) -> Aws:
    deploy(aws, "retail")
    deploy(aws, "broken", broken={"no-cloudwatch", "key-disabled"})
    return aws


def test_sarif_points_at_arns(deployed: Aws, tmp_path: Path,
                              sarif_schema_path: Path) -> None:
    run = run_cli("audit", "--region", "us-east-1", "--format", "sarif", "-o", "audit.sarif",
                  "--ignore", "PL409", "--quiet", cwd=tmp_path, env=deployed.env)
    assert run.code == 1, run.err
    assert run.err == ""  # --quiet: no summary line
    sarif = json.loads((tmp_path / "audit.sarif").read_text())
    jsonschema.validate(sarif, json.loads(sarif_schema_path.read_text()))
    (sarif_run,) = sarif["runs"]
    assert sarif_run["automationDetails"]["id"] == "personalize-lint/audit/"
    results = {r["ruleId"]: r for r in sarif_run["results"]}
    assert set(results) == {"PL103", "PL303"}
    location = results["PL303"]["locations"][0]
    uri = location["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith(f"aws/{ACCOUNT}/us-east-1/kms/key/")
    assert location["logicalLocations"][0]["fullyQualifiedName"].startswith(
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/")
    assert results["PL103"]["properties"]["setup"] == f"{ACCOUNT}/us-east-1/broken"


def test_exit_code_1_when_an_api_was_denied(deployed: Aws, tmp_path: Path) -> None:
    # (Under the default fail-on "error" the PL003 warnings exit 0: test_fail_closed.py.)
    deployed.fake.fail("ListEventTrackers", "denied")
    run = run_cli("audit", "--region", "us-east-1", "--select", "PL003", "--quiet",
                  "--fail-on", "warning", cwd=tmp_path, env=deployed.env)
    assert run.code == 1, run.err
    assert run.out.count("personalize:ListEventTrackers was denied") == 2  # both set-ups


def test_text_output_and_summary(deployed: Aws, tmp_path: Path) -> None:
    run = run_cli("audit", "--region", "us-east-1", "--max-workers", "2", cwd=tmp_path,
                  env=deployed.env)
    assert run.code == 1
    assert "PL303" in run.out and "is Disabled, not Enabled" in run.out
    assert "audited 1 account(s), 1 region(s), 2 metric attribution(s)" in run.err
    assert "\r" not in run.err  # no progress bar when stderr is not a terminal


def test_usage_errors_exit_2(aws: Aws, tmp_path: Path) -> None:
    unknown = run_cli("audit", "--select", "PL999", cwd=tmp_path, env=aws.env)
    assert unknown.code == 2 and "unknown rule ID or prefix: PL999" in unknown.err
    no_region = run_cli("audit", cwd=tmp_path, env={**aws.env, "AWS_DEFAULT_REGION": ""})
    assert no_region.code == 2 and "no region to audit" in no_region.err
    assert run_cli("audit", "--max-workers", "0", cwd=tmp_path, env=aws.env).code == 2
    assert run_cli("audit", "--region", "us-east-1", "--all-regions", cwd=tmp_path,
                   env=aws.env).code == 2
    profile = run_cli("audit", "--profile", "nobody", cwd=tmp_path, env=aws.env)
    assert profile.code == 2 and "nobody" in profile.err


def test_all_regions_are_where_personalize_is_offered(aws: Aws, tmp_path: Path) -> None:
    deploy(aws, "west", region="eu-west-1")
    run = run_cli("audit", "--all-regions", "--save-inventory", "inventory.json", "--quiet",
                  "--ignore", "PL409", cwd=tmp_path, env=aws.env)
    assert run.code == 0, run.out + run.err
    (account,) = json.loads((tmp_path / "inventory.json").read_text())[
        "personalizeLintInventory"]["accounts"]
    assert {"us-east-1", "eu-west-1", "ap-northeast-1"} <= set(account["regions"])
    assert "sa-east-1" not in account["regions"]  # Personalize is not offered there


def test_the_progress_bar() -> None:
    stream = io.StringIO()
    progress = Progress(stream, enabled=True)
    progress.expect("accounts", 2)
    progress.advance("accounts")
    progress.expect("regions", 4)
    progress.close()
    assert stream.getvalue().endswith(
        "\rauditing: accounts 1/2  regions 0/4  resources 0/0\n")
    quiet = io.StringIO()
    Progress(quiet).advance("accounts")  # StringIO is no terminal: disabled
    assert quiet.getvalue() == ""
