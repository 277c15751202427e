"""The data the evaluator relies on: managed policy documents and the action catalogue."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from personalize_lint.iam import actions, managed


def test_managed_policy_records() -> None:
    source, retrieved = managed.data_source()
    assert source and retrieved[:2] == "20"
    pol = managed.lookup("arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess")
    assert pol is not None and pol.version_id == "v2" and pol.path == "/service-role/"
    for name in ("CloudWatchFullAccess", "CloudWatchFullAccessV2", "CloudWatchAgentServerPolicy",
                 "AmazonS3FullAccess", "AdministratorAccess", "PowerUserAccess"):
        found = managed.lookup(f"arn:aws:iam::aws:policy/{name}")
        assert found is not None and found.document["Statement"], name
    assert managed.lookup("arn:aws:iam::aws:policy/NoSuchPolicy") is None
    assert managed.lookup("arn:aws:iam::111122223333:policy/Mine") is None


def test_managed_policy_path_suggestion() -> None:
    assert managed.suggest("arn:aws:iam::aws:policy/AmazonPersonalizeFullAccess") == (
        "arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess")
    assert managed.suggest("arn:aws-cn:iam::aws:policy/AmazonPersonalizeFullAccess") == (
        "arn:aws-cn:iam::aws:policy/service-role/AmazonPersonalizeFullAccess")
    assert managed.suggest("arn:aws:iam::aws:policy/CloudWatchFullAccess") is None


@pytest.mark.parametrize(
    ("action", "known"),
    [
        ("cloudwatch:PutMetricData", True),
        ("CLOUDWATCH:putmetricdata", True),
        ("iam:PassRole", True),  # permission-only: policyuniverse knows it, botocore does not
        ("personalize:UpdateSolution", True),  # newer than policyuniverse's data: botocore
        ("cloudwatch:PutMetricsData", False),
        ("s3:PutObjekt", False),
        ("nosuchservice:Thing", None),
        ("cloudwatch:Put*", None),
    ],
)
def test_known_actions(action: str, known: bool | None) -> None:
    assert actions.known_action(action) is known


@pytest.mark.parametrize(
    ("action", "suggestion"),
    [
        ("cloudwatch:PutMetricsData", "cloudwatch:PutMetricData"),
        ("s3:PutObjekt", "s3:PutObject"),
        ("kms:GenerateDatakeys", "kms:GenerateDataKey"),
        ("cloudwatchs:PutMetricData", "cloudwatch:PutMetricData"),
        ("cloudwatch:PutMetricData", None),
    ],
)
def test_suggestions(action: str, suggestion: str | None) -> None:
    assert actions.suggest(action) == suggestion


def test_near_misses() -> None:
    assert actions.near_misses(["cloudwatch:PutMetricsData", "cloudwatch:ListMetrics"],
                               "cloudwatch:PutMetricData") == [
        ("cloudwatch:PutMetricsData", "cloudwatch:PutMetricData")]
    assert actions.near_misses("cloudwatch:GetMetricData", "cloudwatch:PutMetricData") == []


def test_importing_the_evaluator_loads_no_heavy_data() -> None:
    code = (
        "import sys, json; import personalize_lint.iam.evaluator; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('boto3', 'botocore', 'policyuniverse', 'moto'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout) == []
    code2 = ("import personalize_lint.iam.evaluator as e, personalize_lint.iam.managed as m;"
             "print(m._data.cache_info().currsize)")
    out2 = subprocess.run([sys.executable, "-c", code2], capture_output=True, text=True,
                          check=True)
    assert out2.stdout.strip() == "0"
