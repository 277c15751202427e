"""--save-inventory then `check FILE`: the same findings offline, without boto3; a damaged
or foreign inventory file is a PL002, not a crash."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
from html_page import XHTML, finding_items, page_text, parse_page
from world import Aws, deploy

from helpers import REPO, run_cli, write

SCHEMA = REPO / "checker" / "schemas" / "inventory.schema.json"
KEYS = ("rule_id", "level", "message", "arn", "pointer", "region", "setup", "fingerprint")


def _findings(path: Path) -> list[dict[str, Any]]:
    return [{k: f[k] for k in KEYS} for f in json.loads(path.read_text())["findings"]]


def test_saved_inventory_replays_to_the_same_findings(aws: Aws, tmp_path: Path) -> None:
    deploy(aws, "retail")
    deploy(aws, "broken", broken={"trust-unguarded", "no-cloudwatch", "bucket-no-grant",
                                  "key-disabled", "early-import"})
    aws.fake.fail("ListEventTrackers", "denied")  # a gap must replay as the same PL003
    audited = run_cli("audit", "--region", "us-east-1", "--format", "json", "-o", "audit.json",
                      "--save-inventory", "inventory.json", "--fail-on", "warning",
                      cwd=tmp_path, env=aws.env)
    assert audited.code == 1, audited.err
    assert "audited 1 account(s), 1 region(s), 2 metric attribution(s)" in audited.err
    saved = json.loads((tmp_path / "inventory.json").read_text())
    jsonschema.validate(saved, json.loads(SCHEMA.read_text()))

    replayed = run_cli("check", "inventory.json", "--format", "json", "-o", "check.json",
                       "--fail-on", "warning", cwd=tmp_path, env={"AWS_ENDPOINT_URL": "x"})
    assert replayed.code == 1, replayed.err
    found = _findings(tmp_path / "audit.json")
    assert found == _findings(tmp_path / "check.json")
    rules = {f["rule_id"] for f in found}
    assert {"PL003", "PL102", "PL103", "PL201", "PL303", "PL408"} <= rules
    assert all(f["arn"] for f in found)  # located by ARN either way, never by file position


def test_check_never_imports_boto3(tmp_path: Path) -> None:
    write(tmp_path / "inventory.json", json.dumps(
        {"personalizeLintInventory": {"version": 1, "setups": []}}))
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "personalize_lint", "check",
         "inventory.json"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")]
    assert "personalize_lint.collectors.assemble" in imported  # the replay ran
    assert not [m for m in imported if m.split(".")[0] in ("boto3", "botocore", "s3transfer")]


def test_building_the_parser_does_not_import_boto3() -> None:
    code = ("import sys; from personalize_lint.cli import build_parser; build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_a_damaged_inventory_file_is_pl002(tmp_path: Path) -> None:
    write(tmp_path / "old.json", json.dumps(
        {"personalizeLintInventory": {"version": 2, "setups": []}}))
    write(tmp_path / "bad.json", json.dumps(
        {"personalizeLintInventory": {"version": 1, "setups": [{"name": 5}]}}))
    run = run_cli("check", "old.json", "bad.json", "--format", "json", cwd=tmp_path)
    assert run.code == 1, run.err
    findings = run.json()["findings"]
    assert {f["rule_id"] for f in findings} == {"PL002"}
    by_file = {f["path"]: f["message"] for f in findings}
    assert "version 2 is not supported" in by_file["old.json"]
    assert "does not match its schema at /personalizeLintInventory/setups/0" in by_file["bad.json"]
    assert [f["line"] for f in findings if f["path"] == "old.json"] == [1]


def test_a_replayed_audit_as_html_marks_the_failing_statement(aws: Aws, tmp_path: Path) -> None:
    """The collected trust policy, pretty-printed, with the unguarded statement marked;
    the finding's fingerprint is the one the audit's JSON (and baselines) carry."""
    deploy(aws, "broken", broken={"trust-unguarded"})
    audited = run_cli("audit", "--region", "us-east-1", "--format", "json", "-o", "audit.json",
                      "--save-inventory", "inventory.json", cwd=tmp_path, env=aws.env)
    assert audited.code == 0, audited.err
    replayed = run_cli("check", "inventory.json", "--format", "html", "-o", "audit.html",
                       cwd=tmp_path, env={"AWS_ENDPOINT_URL": "x"})
    assert replayed.code == 0, replayed.err
    page = parse_page((tmp_path / "audit.html").read_text(encoding="utf-8"))
    [trust] = [i for i in finding_items(page) if i["rule"] == "PL102"]
    [audit_finding] = [f for f in json.loads((tmp_path / "audit.json").read_text())["findings"]
                       if f["rule_id"] == "PL102"]
    assert trust["element"].get("data-fingerprint") == audit_finding["fingerprint"]
    pre = trust["element"].find(f".//{XHTML}pre")
    lines = page_text(pre).split("\n")
    marked = [line for line in lines if " > " in line]
    assert any('"sts:AssumeRole"' in line for line in marked), lines
    assert not any(line.strip().startswith(("1 >", "2 >")) for line in lines), lines
