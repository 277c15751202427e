"""Fail closed: a denied, throttled, failing, slow or unreachable API never passes a check.
The run goes on, and what could not be read is a PL003 naming the API and its error."""

from __future__ import annotations

import socket

import pytest
from helpers_audit import FAST, audit, audit_with, ids, report_of, session_with_errors, show
from world import ACCOUNT, Aws, deploy

from personalize_lint.collectors.audit import AuditAborted
from personalize_lint.collectors.session import Settings


def gaps(report: object) -> list[str]:
    return [f.message for f in report.active if f.rule_id == "PL003"]  # type: ignore[attr-defined]


def test_access_denied_on_one_api_is_a_pl003_naming_it(aws: Aws) -> None:
    deployed = deploy(aws, "retail", broken={"early-tracker"})
    aws.fake.fail("ListEventTrackers", "denied")
    result = audit()
    report = report_of(result)
    (message,) = gaps(report)
    assert "personalize:ListEventTrackers was denied (AccessDeniedException: User:" in message
    assert "event trackers (PL408)" in message and deployed.setup in message
    # The early tracker could not be seen: PL003, never a pass; exit 1 under warning only.
    assert ids(report.active) == ["PL003"]
    assert report.exit_code == 1
    assert report_of(result, fail_on="error").exit_code == 0
    (finding,) = report.active
    assert finding.location.arn == deployed.group_arn


def test_a_region_that_cannot_be_listed_is_reported_and_others_still_run(aws: Aws) -> None:
    deploy(aws, "east")
    deploy(aws, "west", region="eu-west-1")
    aws.fake.fail("ListMetricAttributions", "denied", region="eu-west-1")
    result = audit(("us-east-1", "eu-west-1"))
    assert [s["region"] for s in result.body["setups"]] == ["us-east-1"]
    report = report_of(result)
    (finding,) = report.active
    assert finding.rule_id == "PL003"
    assert finding.location.arn == f"arn:aws:personalize:eu-west-1:{ACCOUNT}:metric-attribution/*"
    assert "personalize:ListMetricAttributions was denied" in finding.message


@pytest.mark.parametrize(("kind", "words"), [
    ("throttle", "was still throttled after 2 attempt(s) (ThrottlingException: Rate exceeded)"),
    ("server", "failed with a server error after 2 attempt(s) (InternalFailure"),
])
def test_retries_recover_then_fail_closed(aws: Aws, kind: str, words: str) -> None:
    deploy(aws, "retail")
    aws.fake.fail("DescribeDatasetGroup", kind, times=1)  # the standard retry mode recovers
    assert report_of(audit()).active == []
    assert aws.fake.calls[("DescribeDatasetGroup", "us-east-1")] == 2

    aws.fake.fail("DescribeDatasetGroup", kind)  # it outlasts the retries
    (message,) = gaps(report_of(audit()))
    assert f"personalize:DescribeDatasetGroup {words}" in message


def test_a_slow_answer_times_out_into_pl003(aws: Aws) -> None:
    deploy(aws, "retail")
    aws.fake.fail("ListMetricAttributionMetrics", "slow", delay=1.2)
    settings = Settings(connect_timeout=1, read_timeout=0.4, max_attempts=2)
    report = report_of(audit(settings=settings))
    (message,) = gaps(report)
    assert "personalize:ListMetricAttributionMetrics timed out" in message
    assert "ReadTimeoutError" in message and "metrics (PL401-PL406, PL409)" in message


def test_a_region_not_enabled(aws: Aws) -> None:
    deploy(aws, "retail")
    aws.fake.fail("ListMetricAttributions", "not-enabled", region="ap-south-1")
    report = report_of(audit(("us-east-1", "ap-south-1")))
    (message,) = gaps(report)
    assert "the metric attributions of account 123456789012 in ap-south-1" in message
    assert "region is not enabled" in message and "UnrecognizedClientException" in message


def test_an_unreachable_endpoint(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_PERSONALIZE", f"http://127.0.0.1:{closed}")
    settings = Settings(connect_timeout=0.5, read_timeout=0.5, max_attempts=1)
    (message,) = gaps(report_of(audit(settings=settings)))
    assert "personalize:ListMetricAttributions could not reach the endpoint" in message
    assert "EndpointConnectionError" in message


def test_a_partly_read_role_is_not_judged(aws: Aws) -> None:
    """Without all of the role's policies PL103-PL106 would judge half a role: the unread
    rest stands as an unknown policy, so they answer "uncertain" (PL003), not "cannot call";
    the trust policy, which was read, is still checked."""
    deploy(aws, "retail", broken={"no-cloudwatch", "trust-unguarded"})
    session = session_with_errors({"iam:ListAttachedRolePolicies": (
        403, "AccessDenied", "not authorized to perform: iam:ListAttachedRolePolicies")})
    report = report_of(audit_with(session))
    assert set(ids(report.active)) == {"PL003", "PL102"}, show(report)
    messages = gaps(report)
    assert any("iam:ListAttachedRolePolicies was denied (AccessDenied: not authorized" in m
               and "permission policies (PL103-PL106)" in m for m in messages)
    undecided = [m for m in messages if m.startswith("Could not decide")]
    assert any("cloudwatch:PutMetricData" in m for m in undecided)
    assert all("policies of role retail-role that could not be read" in m for m in undecided)


def test_unreadable_bucket_and_key_inputs(aws: Aws) -> None:
    deploy(aws, "retail")
    session = session_with_errors({
        "s3:GetBucketEncryption": (403, "AccessDenied", "Access Denied"),
        "kms:GetKeyPolicy": (400, "AccessDeniedException", "no kms:GetKeyPolicy"),
    })
    report = report_of(audit_with(session))
    messages = gaps(report)
    assert any("s3:GetBucketEncryption was denied (AccessDenied" in m for m in messages)
    assert any("kms:GetKeyPolicy was denied (AccessDeniedException" in m for m in messages)
    assert len(messages) == 2, show(report)


def test_nothing_auditable_is_an_error_not_a_pass(aws: Aws) -> None:
    session = session_with_errors({"sts:GetCallerIdentity": (
        403, "InvalidClientTokenId", "The security token included in the request is invalid")})
    with pytest.raises(AuditAborted, match="sts:GetCallerIdentity was refused"):
        audit_with(session)


def test_fast_settings_are_what_the_tests_use() -> None:
    assert FAST.max_attempts == 2  # the retry counts asserted above depend on it


def test_an_unreadable_bucket_policy_is_not_judged_as_missing(aws: Aws) -> None:
    deploy(aws, "retail")
    session = session_with_errors({"s3:GetBucketPolicy": (403, "AccessDenied", "Access Denied")})
    report = report_of(audit_with(session))
    assert any("s3:GetBucketPolicy was denied" in m for m in gaps(report))
    assert "PL201" not in ids(report.active), show(report)
