"""Each resource type the Terraform reader knows, in a plan of its own (``plans/``).

The plan is named in a ``[[setup]]`` with the metric attribution's request file; the
findings about the plan are compared as (rule, resource address, plan pointer). Notes
about what these small plans leave out (no bucket, no Interactions schema) are the
set-up's, at the configuration, and are not the point here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from personalize_lint.findings import Finding
from resource_plans import PLANS, SCENARIOS, request_for, text_of

RC = "/resource_changes"

EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "aws_iam_role": [
        ("PL101", "aws_iam_role.metrics", f"{RC}/0/change/after/assume_role_policy"),
        ("PL103", "aws_iam_role.metrics", f"{RC}/0/change/after/inline_policy/0/policy"),
    ],
    "permissions_boundary": [
        # The role's own policy allows PutMetricData; the boundary does not, and the finding
        # points at the boundary (where the fix goes).
        ("PL103", "aws_iam_policy.boundary", f"{RC}/0/change/after/policy"),
    ],
    "aws_iam_role_policy": [
        ("PL106", "aws_iam_role_policy.metrics", f"{RC}/1/change/after/policy"),
    ],
    "aws_iam_policy": [
        # The AWS managed CloudWatchFullAccessV2 publishes metrics: no PL103.
        ("PL104", "aws_iam_policy.write", f"{RC}/1/change/after/policy"),
    ],
    "aws_iam_role_policies_exclusive": [
        # "publish" is removed by the exclusive list; "legacy-console-policy" is kept but
        # not in the plan: what it grants is unknown, so neither check can pass or fail.
        ("PL003", "aws_iam_role_policy.publish", f"{RC}/1"),
        ("PL003", "aws_iam_role_policy.write", f"{RC}/2/change/after/policy"),
        ("PL003", "aws_iam_role_policy.write", f"{RC}/2/change/after/policy"),
        ("PL003", "aws_iam_role_policies_exclusive.metrics",
         f"{RC}/3/change/after/policy_names/1"),
    ],
    "aws_s3_bucket_policy": [
        ("PL204", "aws_s3_bucket_policy.metrics", f"{RC}/2/change/after/policy"),
    ],
    "aws_s3_bucket_server_side_encryption_configuration": [
        # No kmsKeyArn: the bucket's default SSE-KMS key is the one Personalize must use.
        ("PL105", "aws_iam_role.metrics", f"{RC}/0/change/after/inline_policy/0/policy"),
        ("PL301", "aws_kms_key.metrics", f"{RC}/1/change/after/policy"),
    ],
    "aws_kms_key": [
        ("PL303", "aws_kms_key.metrics", f"{RC}/1"),
    ],
    "aws_kms_key_policy": [
        ("PL301", "aws_kms_key_policy.shared", f"{RC}/1/change/after/policy"),
    ],
    "aws_iam_policy_document": [
        # The trust document is the role's (checked there, clean); the other is used by
        # nothing and is checked alone.
        ("PL102", "data.aws_iam_policy_document.unguarded",
         "/prior_state/values/root_module/resources/2/values/json"),
    ],
    "awscc_personalize": [
        ("PL504", "awscc_personalize_schema.items", f"{RC}/2/change/after/schema"),
    ],
    "modules": [
        ("PL103", "module.personalize.aws_iam_role_policy.publish", f"{RC}/2/change/after/policy"),
    ],
}


@pytest.fixture
def check(tmp_path: Path, lint):
    def run(name: str) -> list[Finding]:
        (tmp_path / "plan.json").write_text((PLANS / f"{name}.json").read_text())
        (tmp_path / "attribution.json").write_text(json.dumps(request_for(name), indent=1))
        (tmp_path / "personalize-lint.toml").write_text(
            f'[[setup]]\nname = "{name}"\nterraform-plan = "plan.json"\n'
            'metric-attribution = "attribution.json"\n')
        return lint(root=tmp_path)

    return run


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_checked_in_plans_are_what_the_descriptions_write(name: str) -> None:
    if os.environ.get("PERSONALIZE_LINT_REGENERATE"):
        (PLANS / f"{name}.json").write_text(text_of(name), encoding="utf-8")
    assert (PLANS / f"{name}.json").read_text(encoding="utf-8") == text_of(name), (
        "run PERSONALIZE_LINT_REGENERATE=1 pytest tests/terraform/test_resources.py")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_resource_type(name: str, check) -> None:
    findings = [f for f in check(name) if f.location.path == "plan.json"]
    got = sorted((f.rule_id, f.location.logical_id, f.location.pointer) for f in findings)
    assert got == sorted(EXPECTED[name]), [f.message for f in findings]
    assert all(f.setup in (name, None) for f in findings)


def test_an_aws_managed_policy_arn_is_known_by_name(check) -> None:
    findings = check("aws_iam_policy")
    assert "PL103" not in {f.rule_id for f in findings}


def test_the_exclusive_list_says_why(check) -> None:
    messages = [f.message for f in check("aws_iam_role_policies_exclusive")]
    assert any("does not list 'publish'" in m and "removes this policy" in m for m in messages)
    assert any("keeps the inline policy legacy-console-policy" in m for m in messages)
    assert sum(m.startswith("Could not decide") for m in messages) == 2


def test_a_sum_over_a_string_column_is_found_in_the_awscc_schema(check) -> None:
    [pl404] = [f for f in check("awscc_personalize") if f.rule_id == "PL404"]
    assert "Items.PRICE is string" in pl404.message
    # The metric is in the request file; the schema it is checked against is the plan's.
    assert pl404.location.path == "attribution.json"


def test_module_resources_are_named_by_their_address(check) -> None:
    [pl103] = [f for f in check("modules") if f.rule_id == "PL103"]
    assert "module.personalize.aws_iam_role_policy.publish" in pl103.message


def test_the_boundary_is_what_denies(check, lint, tmp_path: Path) -> None:
    assert "PL103" in {f.rule_id for f in check("permissions_boundary")}
    plan = json.loads((tmp_path / "plan.json").read_text())
    role = next(c for c in plan["resource_changes"] if c["type"] == "aws_iam_role")
    del role["change"]["after_unknown"]["permissions_boundary"]
    config = next(c for c in plan["configuration"]["root_module"]["resources"]
                  if c["address"] == "aws_iam_role.metrics")
    del config["expressions"]["permissions_boundary"]
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    assert "PL103" not in {f.rule_id for f in lint(root=tmp_path)}
