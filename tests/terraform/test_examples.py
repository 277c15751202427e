"""examples/terraform: a compliant and a broken set-up planned with Terraform, by the CLI."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from example_plans import EXAMPLES, texts
from helpers import run_cli


@pytest.mark.parametrize("path", sorted(texts()), ids=lambda p: p.parent.name + "/" + p.name)
def test_the_example_plans_are_current(path) -> None:
    if os.environ.get("PERSONALIZE_LINT_REGENERATE"):
        path.write_text(texts()[path], encoding="utf-8")
    assert path.read_text(encoding="utf-8") == texts()[path], (
        "run PERSONALIZE_LINT_REGENERATE=1 pytest tests/terraform/test_examples.py")


def test_the_compliant_example_passes() -> None:
    run = run_cli("check", ".", cwd=EXAMPLES / "compliant")
    assert run.code == 0, run.out + run.err
    assert "No problems found in 2 files (1 set-up)." in run.out


def test_the_broken_example_fails_with_each_mistake_where_it_is() -> None:
    run = run_cli("check", ".", "--format", "json", cwd=EXAMPLES / "broken")
    assert run.code == 1, run.err
    found = sorted((f["rule_id"], f["logical_id"], f["path"]) for f in run.json()["findings"])
    assert found == [
        ("PL003", "aws_kms_key.metrics", "plan.json"),  # names the role by an unknown ARN
        ("PL102", "aws_iam_role.metrics", "plan.json"),
        ("PL104", "aws_iam_role_policy.metrics", "plan.json"),
        ("PL204", "aws_s3_bucket_policy.metrics", "plan.json"),
        ("PL409", "aws_cloudformation_stack.attribution/Attribution", "plan.json"),
    ]
    lines = (EXAMPLES / "broken" / "plan.json").read_text().splitlines()
    for finding in run.json()["findings"]:
        attribute = "template_body" if finding["rule_id"] == "PL409" else "policy"
        if finding["rule_id"] == "PL102":
            attribute = "assume_role_policy"
        assert f'"{attribute}"' in lines[finding["line"] - 1], finding


@pytest.mark.parametrize(("index", "configuration"), [
    (0, {"count_expression": {"constant_value": 1}}),
    ("reports", {"for_each_expression": {"constant_value": {"reports": True}}}),
])
def test_an_instance_of_count_or_for_each_is_named_by_its_address(tmp_path, index,
                                                                   configuration) -> None:
    # JSON output format: an instance's address holds its index
    # (aws_iam_role_policy.metrics[0], aws_iam_role_policy.metrics["reports"]).
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "compliant", project)
    plan = json.loads((project / "plan.json").read_text(encoding="utf-8"))
    address = f"aws_iam_role_policy.metrics[{json.dumps(index)}]"
    for entry in [*plan["resource_changes"], *plan["planned_values"]["root_module"]["resources"]]:
        if entry["address"] == "aws_iam_role_policy.metrics":
            entry.update(address=address, index=index)
            values = entry["change"]["after"] if "change" in entry else entry["values"]
            policy = json.loads(values["policy"])
            policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "PublishMetrics"]
            values["policy"] = json.dumps(policy)
    [config] = [r for r in plan["configuration"]["root_module"]["resources"]
                if r["address"] == "aws_iam_role_policy.metrics"]
    config.update(configuration)
    (project / "plan.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")
    run = run_cli("check", ".", "--format", "json", cwd=project)
    [finding] = run.json()["findings"]
    assert (finding["rule_id"], finding["logical_id"]) == ("PL103", address)
    assert finding["pointer"].endswith("/change/after/policy")
