"""examples/terraform: a compliant and a broken set-up planned with Terraform, by the CLI."""

from __future__ import annotations

import os

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
