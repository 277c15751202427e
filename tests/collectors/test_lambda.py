"""The Lambda entry point: an audit whose SARIF and JSON reports land under an S3 prefix
(moto_server plays S3)."""

from __future__ import annotations

import json

import pytest
from world import Aws, deploy

from personalize_lint.collectors.lambda_handler import handler
from personalize_lint.errors import UsageError


def test_the_handler_writes_both_reports_under_the_prefix(aws: Aws,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    deploy(aws, "retail")
    deploy(aws, "broken", broken={"bucket-no-grant"})
    aws.client("s3").create_bucket(Bucket="audit-reports")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("PERSONALIZE_LINT_REPORT_S3_URI", "s3://audit-reports/personalize-lint")
    monkeypatch.setenv("PERSONALIZE_LINT_IGNORE", "PL409")
    result = handler({}, None)
    assert result["exitCode"] == 1 and result["findings"] == 1 and result["setups"] == 2
    assert result["apiCalls"] > 20
    s3 = aws.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="audit-reports")["Contents"]]
    assert len(keys) == 2 and all(k.startswith("personalize-lint/") for k in keys)
    assert sorted(result["reports"].values()) == sorted(f"s3://audit-reports/{k}" for k in keys)
    sarif_key = next(k for k in keys if k.endswith(".sarif"))
    sarif = json.loads(s3.get_object(Bucket="audit-reports", Key=sarif_key)["Body"].read())
    assert sarif["runs"][0]["automationDetails"]["id"] == "personalize-lint/audit/"
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["PL201"]
    report = json.loads(s3.get_object(Bucket="audit-reports",
                                      Key=sarif_key.replace(".sarif", ".json"))["Body"].read())
    assert report["summary"]["exit_code"] == 1 and report["summary"]["fail_on"] == "warning"


def test_the_handler_needs_a_report_location(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONALIZE_LINT_REPORT_S3_URI", "audit-reports/prefix")
    with pytest.raises(UsageError, match="must be s3://bucket/prefix/"):
        handler({}, None)
