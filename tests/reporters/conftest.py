"""A report built from real Finding and Rule objects, shared by the reporter tests.

It covers several files, findings with and without spans, an ARN-only finding, a
configuration finding, a CloudFormation logical id, related locations, a suppressed
finding, and messages with unicode and characters that output formats must escape.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from personalize_lint.findings import Finding, Suppression
from personalize_lint.location import Location, Span
from personalize_lint.reporters.base import Report
from personalize_lint.rule import Rule

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

RULES = {
    r.id: r
    for r in (
        Rule(
            id="PL004",
            level="error",
            title="Configuration is invalid",
            why="The configuration names something that does not exist.",
            fix="Correct the key or path.",
        ),
        Rule(
            id="PL104",
            level="error",
            title="Service role cannot write the metrics to S3",
            why="Personalize writes the metrics as the service role.",
            fix="Allow s3:PutObject on the output prefix.",
            example='{"Effect": "Allow", "Action": "s3:PutObject"}',
            source="https://docs.aws.amazon.com/personalize/latest/dg/measuring-recommendation-impact.html",
            tags=("iam", "s3"),
        ),
        Rule(
            id="PL106",
            level="warning",
            title="Service role is over-privileged",
            why="The role grants far more than Personalize needs.",
            fix="Grant only what the metric attribution needs.",
            tags=("iam",),
        ),
        Rule(
            id="PL204",
            level="warning",
            title="No confused-deputy guard on the bucket policy",
            why="Without aws:SourceAccount any account's Personalize could write.",
            fix="Add an aws:SourceAccount condition.",
            example="```\nnested fence\n```",
            tags=("s3",),
            security_severity=6.1,
        ),
        Rule(
            id="PL303",
            level="error",
            title="KMS key is not usable",
            why="A disabled key cannot encrypt the output.",
            fix="Enable the key.",
            tags=("kms",),
        ),
        Rule(
            id="PL409",
            level="note",
            title="CloudWatch cost",
            why="Each metric and source is a custom metric.",
            fix="Nothing to fix.",
            tags=("cost", "inferred"),
        ),
        # Registered but without findings: SARIF still lists it, so indices stay stable.
        Rule(id="PL501", level="error", title="No EVENT_TYPE", why="Needed.", fix="Add it."),
    )
}

ROLE_POLICY = "iam/role-policy.json"
BUCKET_POLICY = "s3/bucket policy.json"
ODD_MESSAGE = "Grant für „personalize“ ✓ 100% done, see: a,b\nsecond line\r\nthird"


def make_findings() -> list[Finding]:
    return [
        Finding(
            "PL104",
            "Service role cannot write s3://metrics-bucket/out/",
            Location(ROLE_POLICY, Span(12, 5, 12, 30), pointer="/Statement/0"),
            level="error",
            related=(
                Location(BUCKET_POLICY, Span(3, 1, 9, 2), pointer="/Statement/1"),
                Location(arn="arn:aws:s3:::metrics-bucket"),
            ),
            setup="retail",
        ),
        Finding(
            "PL106",
            "Action * on Resource *",
            Location(ROLE_POLICY, Span(4, 3, 8, 4), pointer="/Statement/1"),
            level="warning",
            setup="retail",
            suppression=Suppression("external", "accepted: sandbox account"),
        ),
        Finding(
            "PL204",
            ODD_MESSAGE,
            Location(BUCKET_POLICY, Span(3, 1, 9, 2), pointer="/Statement/1"),
            level="warning",
            setup="retail",
            properties={"principals": {"b", "a"}},
        ),
        Finding(
            "PL409",
            "4 metrics × 3 sources = 12 custom metrics a month",
            Location("personalize/metric-attribution.json"),
            level="note",
            setup="retail",
            properties={"metrics": 12},
        ),
        Finding(
            "PL104",
            "Role MetricsRole cannot write the output",
            Location(
                "template.yaml",
                Span(40, 7, 40, 21),
                pointer="/Resources/MetricsRole/Properties",
                logical_id="MetricsRole",
            ),
            level="error",
            setup="cfn",
        ),
        Finding(
            "PL303",
            "Key is pending deletion",
            Location(arn=KEY_ARN, region="us-east-1"),
            level="error",
        ),
        Finding(
            "PL004", "Unknown key 'fail_on' (did you mean 'fail-on'?)", Location(), level="error"
        ),
    ]


def make_report(findings: list[Finding] | None = None, **kwargs: object) -> Report:
    values: dict = {
        "findings": make_findings() if findings is None else findings,
        "rules": dict(RULES),
        "root": Path("/work/repo"),
        "tool_version": "0.1.0",
        "started": datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc),
        "exit_code": 1,
        "fail_on": "error",
        "files_checked": 4,
        "setups_checked": 2,
    }
    values.update(kwargs)
    return Report(**values)


@pytest.fixture
def report() -> Report:
    return make_report()


@pytest.fixture
def empty_report() -> Report:
    return make_report([], exit_code=0, setups_checked=0)


@pytest.fixture
def build_report():  # type: ignore[no-untyped-def]
    """The factory, for tests that need their own findings or report fields."""
    return make_report
