"""The CloudFormation families, planned with Terraform: the same findings.

Each CloudFormation test template has a Terraform twin in :mod:`tf_families` (the AWS provider
for IAM, S3 and KMS, awscc for Personalize, the metric attribution in an
``aws_cloudformation_stack``). Checking both must give the same rules with the same
messages, modulo places: resource names (logical IDs are addresses here), the account and
region (CloudFormation's are symbols, the plan's are real), generated key IDs and
file positions quoted in messages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from personalize_lint.findings import Finding
from planbuilder import ACCOUNT, REGION
from tf_families import FAMILIES

CFN_TEMPLATES = Path(__file__).parent.parent / "cloudformation" / "templates"

# CloudFormation's names for what the Terraform twin names otherwise (per template).
NAMES: dict[str, dict[str, str]] = {
    "role.yaml": {
        "MetricsRole policy PublishAttributionMetrics": "aws_iam_role_policy.publish",
        "WriteReportsPolicy (AWS::IAM::Policy)":
            f"arn:aws:iam::{ACCOUNT}:policy/WriteAttributionReports",
    },
    "trust.yaml": {"MisspeltRole trust policy": "aws_iam_role.misspelt trust policy"},
    "bucket.yaml": {
        "stack-MetricsRole": "metrics", "stack-openbucket": "open-bucket",
        "OpenBucketPolicy": "aws_s3_bucket_policy.open",
        "ImportBucketPolicy": "aws_s3_bucket_policy.imports",
    },
    "key.yaml": {
        "stack-MetricsRole": "metrics", "ClosedKey key policy": "aws_kms_key.closed key policy",
        "MetricsRole policy attribution": "aws_iam_role_policy.attribution",
    },
}


def normalised(findings: list[Finding], names: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for finding in findings:
        message = finding.message
        for old, new in names.items():
            message = message.replace(old, new)
        message = message.replace("000000000000", ACCOUNT).replace("region-0", REGION)
        message = re.sub(r"key/[0-9a-f-]{36}", "key/<id>", message)
        message = re.sub(r"\([^()\s]+:\d+:\d+\)", "(<place>)", message)
        out.append((finding.rule_id, message))
    return sorted(out)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_a_plan_gives_what_its_template_gives(name: str, lint, write_plan) -> None:
    plan = write_plan(FAMILIES[name]())
    template = CFN_TEMPLATES / name
    expected = normalised(lint(template, root=template.parent), NAMES.get(name, {}))
    got = normalised(lint(plan), {})
    assert got == expected


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_findings_point_into_the_plan_at_the_resource(name: str, lint, write_plan) -> None:
    plan = write_plan(FAMILIES[name]())
    lines = plan.read_text().splitlines()
    for finding in lint(plan):
        where = finding.location
        assert where.path == plan.name and where.line and where.column, finding
        assert where.logical_id and where.logical_id.split("/")[0].split(".")[0].startswith(
            ("aws_", "awscc_")), where
        # The line holds the attribute the finding is about (one attribute per line); in a
        # stack's template (``stack/LogicalId``) that is the template_body string.
        attribute = where.pointer.rsplit("/", 1)[-1]
        if "/" in where.logical_id:
            attribute = "template_body"
        assert f'"{attribute}"' in lines[where.line - 1] or attribute.isdigit(), (
            finding.rule_id, where.pointer, lines[where.line - 1])


def test_a_compact_plan_as_terraform_writes_it_gives_the_same(lint, write_plan) -> None:
    # `terraform show -json` prints one line: positions are columns of line 1.
    pretty = lint(write_plan(FAMILIES["role.yaml"](), "pretty.json"))
    compact = lint(write_plan(FAMILIES["role.yaml"](), "compact.json", indent=None))
    assert [(f.rule_id, f.message) for f in compact] == [(f.rule_id, f.message) for f in pretty]
    assert {f.location.line for f in compact} == {1}
    assert len({f.location.column for f in compact}) > 1
    assert [f.location.pointer for f in compact] == [f.location.pointer for f in pretty]


def test_the_compliant_plan_is_one_clean_setup(lint, write_plan) -> None:
    findings = lint(write_plan(FAMILIES["compliant.yaml"]()), ignore=())
    assert [(f.rule_id, f.setup) for f in findings] == [
        ("PL409", "plan.json#aws_cloudformation_stack.attribution/Attribution")]


def test_messages_name_the_resource_address(lint, write_plan) -> None:
    findings = lint(write_plan(FAMILIES["role.yaml"]()))
    by_rule = {f.rule_id: f for f in findings}
    assert "aws_iam_role_policy.publish" in by_rule["PL103"].message
    assert by_rule["PL103"].location.logical_id == "aws_iam_role_policy.publish"
    assert by_rule["PL104"].location.logical_id == "aws_iam_policy.write_reports"
    assert by_rule["PL104"].location.pointer.endswith("/change/after/policy")


