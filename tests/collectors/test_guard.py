"""The read-only guard: enforced in code on every client, proven over real HTTP to moto."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import botocore.session
import pytest
from helpers_audit import FAST, audit, audit_with
from world import Aws, deploy

from personalize_lint.cli import main
from personalize_lint.collectors import audit as audit_module
from personalize_lint.collectors.guard import APPROVED, ReadOnlyGuard, ReadOnlyViolation
from personalize_lint.collectors.operations import (
    ASSUME_ROLE,
    READ_OPERATIONS,
    READ_PREFIXES,
    read_operations,
)
from personalize_lint.collectors.session import AuditSession, CallCounter, Scope

# One write per service the audit talks to (guards run before parameter validation).
WRITES = {"iam": "create_role", "s3": "put_bucket_policy", "kms": "schedule_key_deletion",
          "personalize": "create_schema", "sts": "assume_role",
          "organizations": "create_account"}


def _session(**guard: Any) -> AuditSession:
    return AuditSession.create(None, FAST, ReadOnlyGuard(**guard), CallCounter())


def test_a_write_is_refused_before_anything_is_sent(aws: Aws) -> None:
    session = _session()
    sent: list[str] = []
    session.boto.events.register("before-send", lambda request, **_: sent.append(request.url))
    iam = session.client("iam")
    with pytest.raises(ReadOnlyViolation, match="refused iam:CreateRole"):
        iam.create_role(RoleName="intruder", AssumeRolePolicyDocument="{}")
    assert sent == [] and session.counter.total == 0
    assert session.guard.refused == ["iam:CreateRole"]
    assert aws.client("iam").list_roles()["Roles"] == []  # nothing reached moto
    assert session.call("sts", None, "GetCallerIdentity")["Account"] == "123456789012"


def test_a_collector_that_tries_a_write_is_stopped(aws: Aws,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    deployed = deploy(aws, "retail")

    def rogue(scope: Scope, role_arn: str, *_: Any) -> dict[str, Any]:
        scope.call("iam", "DeleteRolePolicy", RoleName="retail-role", PolicyName="attribution")
        raise AssertionError("the write went through")

    monkeypatch.setattr(audit_module, "collect_role", rogue)
    with pytest.raises(ReadOnlyViolation, match="refused iam:DeleteRolePolicy"):
        audit()
    policies = aws.client("iam").list_role_policies(RoleName="retail-role")["PolicyNames"]
    assert policies == ["attribution"], deployed
    # Through the command line: a one-line internal error, exit 2, never a silent pass.
    assert main(["audit", "--region", "us-east-1", "--quiet"]) == 2


def test_every_client_the_audit_creates_is_guarded(aws: Aws) -> None:
    deploy(aws, "retail")
    session = _session()
    audit_with(session)
    assert {service for service, _ in session._clients} >= {"personalize", "iam", "s3", "kms",
                                                            "sts"}
    for (service, _region), client in session._clients.items():
        with pytest.raises(ReadOnlyViolation):
            getattr(client, WRITES[service])()


def test_the_organizations_client_of_audit_organization_is_guarded(aws: Aws) -> None:
    # Issue 12: --organization reads SCPs and RCPs "Read-only guard as today": the client it
    # creates refuses writes before sending, and every call it made is a read of the list.
    aws.client("organizations").create_organization(FeatureSet="ALL")
    deploy(aws, "retail")
    session = _session()
    result = audit_with(session, organization=True)
    assert {op for op in result.calls if op.startswith("organizations:")} >= {
        "organizations:ListParents", "organizations:ListPoliciesForTarget",
        "organizations:DescribePolicy"}
    assert set(result.calls) <= {str(op) for op in read_operations()}
    client = session._clients[next(k for k in session._clients if k[0] == "organizations")]
    for write in ("create_account", "detach_policy", "delete_policy"):
        with pytest.raises(ReadOnlyViolation):
            getattr(client, write)()


def test_assume_role_only_for_the_roles_named(aws: Aws) -> None:
    named = "arn:aws:iam::222222222222:role/Auditor"
    session = _session(role_arns=[named])
    assert session.assume(named, None).call("sts", None, "GetCallerIdentity")["Account"] == \
        "222222222222"
    with pytest.raises(ReadOnlyViolation, match="was not named by --role-arn"):
        session.assume("arn:aws:iam::222222222222:role/Admin", None)

    org = ReadOnlyGuard(org_role="OrganizationAuditor")
    assert org.may_assume("arn:aws:iam::111111111111:role/OrganizationAuditor")
    assert not org.may_assume("arn:aws:iam::111111111111:role/OrganizationAuditor2")
    assert not org.may_assume("arn:aws:iam::111111111111:role/Admin")
    assert not ReadOnlyGuard().may_assume(named)


def _model(service: str, operation: str) -> Any:
    return SimpleNamespace(name=operation, service_model=SimpleNamespace(service_name=service))


def test_the_last_check_before_sending_stands_on_its_own() -> None:
    """``before-call`` refuses a write even if parameter building was skipped, and lets
    AssumeRole through only with the approval parameter building left in the context."""
    guard = ReadOnlyGuard(role_arns=["arn:aws:iam::222222222222:role/Auditor"])
    guard.before_call(model=_model("iam", "GetRole"), params={}, context={})
    with pytest.raises(ReadOnlyViolation):
        guard.before_call(model=_model("s3", "PutObject"), params={}, context={})
    with pytest.raises(ReadOnlyViolation):
        guard.before_call(model=_model("sts", "AssumeRole"), params={}, context={})
    context: dict[str, Any] = {}
    guard.before_parameter_build(params={"RoleArn": "arn:aws:iam::222222222222:role/Auditor"},
                                 model=_model("sts", "AssumeRole"), context=context)
    assert context[APPROVED] == ASSUME_ROLE
    guard.before_call(model=_model("sts", "AssumeRole"), params={}, context=context)


def test_the_allow_list_holds_only_real_read_operations() -> None:
    loader = botocore.session.get_session()
    for service, operations in READ_OPERATIONS.items():
        known = set(loader.get_service_model(service).operation_names)
        for operation in operations:
            assert operation in known, f"{service}:{operation}"
            assert operation.startswith(READ_PREFIXES), f"{service}:{operation} is not a read"
    assert ASSUME_ROLE[1] in loader.get_service_model("sts").operation_names
