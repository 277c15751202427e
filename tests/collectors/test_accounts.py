"""Several accounts: --role-arn (with --external-id) and --org-role over moto's STS and
Organizations; one account that cannot be entered does not stop the others."""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse
from helpers_audit import FAST, QUERY_ERROR, _Raw, audit, audit_with, ids, report_of
from world import ACCOUNT, Aws, deploy

from personalize_lint.collectors.guard import ReadOnlyGuard
from personalize_lint.collectors.operations import read_operations
from personalize_lint.collectors.session import AuditSession, CallCounter

OTHER = "222222222222"
LOCKED = "333333333333"


def test_role_arns_with_an_external_id_and_one_denied_account(aws: Aws) -> None:
    aws.fake.assumed_account = OTHER  # assumed-role keys are the other account's
    deployed = deploy(aws, "retail", account=OTHER, broken={"no-cloudwatch"})
    roles = [f"arn:aws:iam::{OTHER}:role/Auditor", f"arn:aws:iam::{LOCKED}:role/Auditor"]
    session = AuditSession.create(None, FAST, ReadOnlyGuard(role_arns=roles), CallCounter())
    bodies: list[str] = []

    def sts(request: Any, **_: Any) -> AWSResponse | None:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        bodies.append(body)
        if LOCKED in body:
            denied = QUERY_ERROR.format(code="AccessDenied", message="not authorized to "
                                        "perform: sts:AssumeRole").encode()
            return AWSResponse(request.url, 403, {}, _Raw(denied))
        return None  # let it reach moto

    session.boto.events.register("before-send.sts.AssumeRole", sts)
    result = audit_with(session, role_arns=roles, external_id="audit-2026")
    assert all("ExternalId=audit-2026" in b for b in bodies) and len(bodies) == 2
    assert [a["account"] for a in result.body["accounts"]] == [OTHER]
    assert result.body["accounts"][0]["via"] == roles[0]
    assert [s["name"] for s in result.body["setups"]] == [deployed.setup]
    report = report_of(result)
    assert ids(report.active) == ["PL003", "PL103"]
    (gap,) = [f for f in report.active if f.rule_id == "PL003"]
    assert f"account {LOCKED} (every check) not evaluated: sts:AssumeRole was denied" in \
        gap.message
    assert gap.location.arn == roles[1]


def test_org_role_walks_every_active_account(aws: Aws) -> None:
    organizations = aws.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    status = organizations.create_account(Email="member@example.com", AccountName="member")
    member = status["CreateAccountStatus"]["AccountId"]
    aws.fake.assumed_account = member
    deploy(aws, "retail")  # in the management account, audited as the caller
    deploy(aws, "member-app", account=member, broken={"bucket-no-grant"})
    result = audit(org_role="OrganizationAuditor", organization=True)
    accounts = {a["account"]: a["via"] for a in result.body["accounts"]}
    assert accounts == {ACCOUNT: None,
                        member: f"arn:aws:iam::{member}:role/OrganizationAuditor"}
    assert sorted(s["account"] for s in result.body["setups"]) == sorted([ACCOUNT, member])
    report = report_of(result)
    assert [(f.rule_id, f.setup) for f in report.active] == [
        ("PL201", f"{member}/us-east-1/member-app")]
    # FullAWSAccess and RCPFullAWSAccess are attached by default: nothing changes.
    assert set(result.body["organizations"]) == {ACCOUNT, member}
    # Every allow-listed operation is exercised for real, and nothing else.
    assert set(result.calls) == {str(op) for op in read_operations()} | {"sts:AssumeRole"}
