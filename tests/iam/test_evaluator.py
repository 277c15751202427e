"""The evaluator, feature by feature: good and bad tables."""

from __future__ import annotations

from typing import Any

import pytest

from personalize_lint.document import Document
from personalize_lint.iam.context import (
    Partial,
    Principal,
    Request,
    role_context,
    service_context,
)
from personalize_lint.iam.evaluator import ALLOW_ALL, evaluate, prepare
from personalize_lint.inventory import ManagedPolicyRef, Policy, Source

ACCOUNT = "111122223333"
OTHER = "999999999999"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeRole"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OBJECTS = Partial("arn:aws:s3:::metrics-bucket/attribution/*")
SERVICE = {"Service": "personalize.amazonaws.com"}


def policy(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def allow(action: Any = "cloudwatch:PutMetricData", resource: Any = "*", **extra: Any) -> (
    dict[str, Any]
):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def role_request(action: str = "cloudwatch:PutMetricData", resource: Any = "*") -> Request:
    ctx = role_context(role_arn=ROLE, account=ACCOUNT, region="us-east-1",
                       extra={"cloudwatch:namespace": "AWS/Personalize"})
    return Request(Principal.role(ROLE), action, resource, ctx)


def service_request(action: str = "s3:PutObject", resource: Any = OBJECTS,
                    account: str | None = ACCOUNT) -> Request:
    ctx = service_context(account=account, region="us-east-1" if account else None)
    return Request(Principal.service(), action, resource, ctx)


# --- identity policies: CloudWatch PutMetricData on "*" --------------------------------------

IDENTITY_CASES: list[tuple[str, list[dict[str, Any]], str]] = [
    ("exact", [allow()], "allowed"),
    ("prefix wildcard", [allow("cloudwatch:Put*")], "allowed"),
    ("mixed case", [allow("CloudWatch:putmetricdata")], "allowed"),
    ("service wildcard", [allow("cloudwatch:*")], "allowed"),
    ("star", [allow("*")], "allowed"),
    ("question mark", [allow("cloudwatch:PutMetricDat?")], "allowed"),
    ("list form", [allow(["logs:*", "cloudwatch:PutMetricData"])], "allowed"),
    ("statement object", [allow()], "allowed"),
    ("notaction allows", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
     "allowed"),
    ("namespace condition", [allow(Condition={"StringEquals": {
        "cloudwatch:namespace": "AWS/Personalize"}})], "allowed"),
    ("notresource elsewhere", [{"Effect": "Allow", "Action": "cloudwatch:PutMetricData",
                                "NotResource": "arn:aws:s3:::x/*"}], "allowed"),
    ("deny insecure transport", [allow(), deny("*", Condition={
        "Bool": {"aws:SecureTransport": "false"}})], "allowed"),
    ("deny other service", [allow("*"), deny("s3:*")], "allowed"),
    # bad
    ("typo", [allow("cloudwatch:PutMetricsData")], "denied"),
    ("wrong service", [allow("logs:PutLogEvents")], "denied"),
    ("get only", [allow("cloudwatch:Get*")], "denied"),
    ("resource is log group", [allow("cloudwatch:Put*", "arn:aws:logs:us-east-1:1:log-group:x")],
     "denied"),
    ("notaction excludes it", [{"Effect": "Allow", "NotAction": "cloudwatch:*",
                                "Resource": "*"}], "denied"),
    ("notresource star", [{"Effect": "Allow", "Action": "*", "NotResource": "*"}], "denied"),
    ("explicit deny", [allow("*"), deny("cloudwatch:Put*")], "denied"),
    ("deny by notaction", [allow("*"), {"Effect": "Deny", "NotAction": "s3:*",
                                        "Resource": "*"}], "denied"),
    ("mfa required", [allow("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})],
     "denied"),
    # the role's session carries aws:MultiFactorAuthPresent as false, or not at all
    ("only without mfa", [allow("*", Condition={"Bool": {
        "aws:MultiFactorAuthPresent": "false"}})], "uncertain"),
    ("namespace excludes", [allow(Condition={"StringEquals": {"cloudwatch:namespace": "MyApp"}})],
     "denied"),
    ("effect typo", [{"Effect": "allow", "Action": "*", "Resource": "*"}], "denied"),
    # uncertain
    ("unknown key in allow", [allow(Condition={"StringEquals": {"aws:PrincipalTag/t": "x"}})],
     "uncertain"),
    ("unknown key in deny", [allow(), deny("*", Condition={
        "StringNotEquals": {"aws:PrincipalOrgID": "o-123"}})], "uncertain"),
    ("unresolved resource", [allow(resource={"Fn::Sub": "arn:${AWS::Partition}:x"})],
     "uncertain"),
]


@pytest.mark.parametrize(("statements", "expected"), [c[1:] for c in IDENTITY_CASES],
                         ids=[c[0] for c in IDENTITY_CASES])
def test_identity_policies(statements: list[dict[str, Any]], expected: str) -> None:
    data: dict[str, Any] = policy(*statements)
    if len(statements) == 1:
        data["Statement"] = statements[0]  # Statement as an object works the same
    result = evaluate(role_request(), identity_policies=[data])
    assert result.decision == expected, result


def test_deciding_statements_and_closest() -> None:
    data = policy(allow("logs:*", Sid="Logs"), allow("cloudwatch:PutMetricsData", Sid="Typo"),
                  allow("cloudwatch:*", "arn:aws:cloudwatch:*:*:alarm:*", Sid="Alarms"))
    result = evaluate(role_request(), identity_policies=[data])
    assert result.denied and not result.explicit_deny
    assert result.closest is not None and result.closest.sid == "Typo"  # a near-typo first
    assert result.closest_misses == ["action"]
    del data["Statement"][1]
    result = evaluate(role_request(), identity_policies=[data])
    assert result.closest is not None and result.closest.sid == "Alarms"  # right service
    assert result.closest_misses == ["resource"]
    good = evaluate(role_request(), identity_policies=[policy(allow(Sid="Ok"))])
    assert [r.sid for r in good.deciding] == ["Ok"]
    denied = evaluate(role_request(), identity_policies=[policy(allow("*"), deny("*", Sid="No"))])
    assert denied.explicit_deny and [r.sid for r in denied.deciding] == ["No"]


def test_statement_refs_point_into_documents() -> None:
    data = policy(allow("logs:*"), allow())
    doc = Document("iam/role.json", "policy", data)
    pol = Policy(data, Source(doc), kind="identity", name="iam/role.json")
    result = evaluate(role_request(), identity_policies=[pol])
    assert result.deciding[0].pointer == "/Statement/1"
    loc = result.deciding[0].location()
    assert loc.path == "iam/role.json" and loc.pointer == "/Statement/1"


# --- S3 objects under the output path -----------------------------------------------------

def objects_allow(resource: Any = "arn:aws:s3:::metrics-bucket/*", **extra: Any) -> (
    dict[str, Any]
):
    return allow("s3:PutObject", resource, **extra)


S3_ROLE_CASES: list[tuple[str, list[dict[str, Any]], str]] = [
    ("bucket wildcard", [objects_allow()], "allowed"),
    ("prefix", [objects_allow("arn:aws:s3:::metrics-bucket/attribution/*")], "allowed"),
    ("partial prefix", [objects_allow("arn:aws:s3:::metrics-bucket/attr*")], "allowed"),
    ("any bucket", [objects_allow("arn:aws:s3:::*")], "allowed"),
    ("s3:Put*", [allow("s3:Put*", "*")], "allowed"),
    ("s3:*Object", [allow("s3:*Object", "arn:aws:s3:::metrics-bucket/*")], "allowed"),
    ("deny elsewhere", [objects_allow(), deny("s3:PutObject", "arn:aws:s3:::metrics-bucket/x/*")],
     "allowed"),
    # bad
    ("bucket ARN only", [objects_allow("arn:aws:s3:::metrics-bucket")], "denied"),
    ("other prefix", [objects_allow("arn:aws:s3:::metrics-bucket/imports/*")], "denied"),
    ("one file", [objects_allow("arn:aws:s3:::metrics-bucket/attribution/report.csv")],
     "denied"),
    ("deny on a prefix", [objects_allow(), deny("s3:PutObject",
                                                 "arn:aws:s3:::metrics-bucket/attribution/*")],
     "denied"),
    ("deny part of the prefix", [objects_allow(), deny("s3:*",
                                                        "arn:aws:s3:::metrics-bucket/attr*/x*")],
     "denied"),
    ("notresource excludes", [{"Effect": "Allow", "Action": "s3:*",
                               "NotResource": "arn:aws:s3:::metrics-bucket/*"}], "denied"),
    ("get only", [allow(["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::metrics-bucket/*")],
     "denied"),
]


@pytest.mark.parametrize(("statements", "expected"), [c[1:] for c in S3_ROLE_CASES],
                         ids=[c[0] for c in S3_ROLE_CASES])
def test_role_writes_objects(statements: list[dict[str, Any]], expected: str) -> None:
    result = evaluate(role_request("s3:PutObject", OBJECTS),
                      identity_policies=[policy(*statements)], resource_kind="s3")
    assert result.decision == expected


def test_notresource_allow_grants_outside_its_list() -> None:
    data = policy({"Effect": "Allow", "Action": "s3:*",
                   "NotResource": ["arn:aws:s3:::HRBucket/*", "arn:aws:s3:::Payroll/*"]})
    assert evaluate(role_request("s3:PutObject", OBJECTS), identity_policies=[data]).allowed


# --- bucket policies: the service principal -----------------------------------------------

GUARD = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
PERSONALIZE_GRANT = {"Effect": "Allow", "Principal": SERVICE, "Action": "s3:PutObject",
                     "Resource": ["arn:aws:s3:::metrics-bucket", "arn:aws:s3:::metrics-bucket/*"]}


def grant(**changes: Any) -> dict[str, Any]:
    return {**PERSONALIZE_GRANT, **changes}


BUCKET_CASES: list[tuple[str, list[dict[str, Any]], str]] = [
    ("docs example", [grant()], "allowed"),
    ("service as list", [grant(Principal={"Service": ["personalize.amazonaws.com"]})],
     "allowed"),
    ("guarded", [grant(Condition=GUARD)], "allowed"),
    ("guarded by source arn", [grant(Condition={"ArnLike": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}})], "allowed"),
    ("deny insecure transport", [grant(), {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                           "Resource": "arn:aws:s3:::metrics-bucket/*",
                                           "Condition": {"Bool": {"aws:SecureTransport":
                                                                  "false"}}}], "allowed"),
    ("public with org condition", [grant(Principal="*", Condition={
        "StringEquals": {"aws:PrincipalOrgID": "o-123"}})], "denied"),
    ("public", [grant(Principal="*")], "allowed"),
    ("public aws star", [grant(Principal={"AWS": "*"})], "allowed"),
    # bad
    ("get only", [grant(Action=["s3:GetObject", "s3:ListBucket"])], "denied"),
    ("other service", [grant(Principal={"Service": "storage-lens.s3.amazonaws.com"})], "denied"),
    ("typo service", [grant(Principal={"Service": "personalise.amazonaws.com"})], "denied"),
    ("account principal", [grant(Principal={"AWS": ACCOUNT})], "denied"),
    ("other account's SourceAccount", [grant(Condition={"StringEquals": {
        "aws:SourceAccount": OTHER}})], "denied"),
    ("deny unless vpce", [grant(), {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                    "Resource": "arn:aws:s3:::metrics-bucket/*",
                                    "Condition": {"StringNotEquals": {"aws:SourceVpce":
                                                                      "vpce-1a2b"}}}], "denied"),
    ("deny unless ip", [grant(), {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                  "Resource": "arn:aws:s3:::metrics-bucket/*",
                                  "Condition": {"NotIpAddress": {"aws:SourceIp":
                                                                 "54.240.143.0/24"}}}],
     "denied"),
    ("deny unless org", [grant(), {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                   "Resource": "arn:aws:s3:::metrics-bucket/*",
                                   "Condition": {"StringNotEquals": {"aws:PrincipalOrgID":
                                                                     "o-123"}}}], "denied"),
    ("notprincipal deny", [grant(), {"Effect": "Deny", "NotPrincipal": {"AWS": ROLE},
                                     "Action": "s3:*", "Resource": "*"}], "denied"),
    ("notprincipal deny excluding service", [grant(), {"Effect": "Deny", "NotPrincipal": SERVICE,
                                                       "Action": "s3:*", "Resource": "*"}],
     "allowed"),
    # uncertain
    ("deny unless encryption header", [grant(), {
        "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::metrics-bucket/*",
        "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}],
     "uncertain"),
    ("exact source arn", [grant(Condition={"ArnEquals": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/x"}})],
     "uncertain"),
]


@pytest.mark.parametrize(("statements", "expected"), [c[1:] for c in BUCKET_CASES],
                         ids=[c[0] for c in BUCKET_CASES])
def test_bucket_policy_for_personalize(statements: list[dict[str, Any]], expected: str) -> None:
    result = evaluate(service_request(), resource_policy=policy(*statements), resource_kind="s3")
    assert result.decision == expected, result


def test_uncertain_names_the_key() -> None:
    data = policy(grant(Condition={"ArnEquals": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/x"}}))
    result = evaluate(service_request(), resource_policy=data, resource_kind="s3")
    assert result.uncertain and result.uncertain_keys == ["aws:SourceArn"]
    assert "partly known" in result.uncertain_reasons[0]


def test_unknown_account_makes_source_account_uncertain() -> None:
    data = policy(grant(Condition=GUARD))
    assert evaluate(service_request(account=None), resource_policy=data,
                    resource_kind="s3").uncertain
    # a 13-character "account" can never equal a 12-digit one
    bad = policy(grant(Condition={"StringEquals": {"aws:SourceAccount": "accountNumber"}}))
    assert evaluate(service_request(account=None), resource_policy=bad,
                    resource_kind="s3").denied


# --- same-account delegation for the role ---------------------------------------------------

def test_bucket_policy_grants_role_directly_or_via_identity() -> None:
    req = role_request("s3:PutObject", OBJECTS)
    direct = policy(grant(Principal={"AWS": ROLE}))
    assert evaluate(req, resource_policy=direct, resource_kind="s3").allowed
    via_account = policy(grant(Principal={"AWS": ACCOUNT}))
    assert evaluate(req, resource_policy=via_account, resource_kind="s3").denied
    with_identity = evaluate(req, identity_policies=[policy(objects_allow())],
                             resource_policy=via_account, resource_kind="s3")
    assert with_identity.allowed
    cross = evaluate(req, identity_policies=[policy(objects_allow())],
                     resource_policy=policy(grant(Principal={"AWS": OTHER})),
                     resource_kind="s3", same_account=False)
    assert cross.denied


KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant",
               "kms:ListGrants"]
ROOT = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*", "Resource": "*"}


@pytest.mark.parametrize(
    ("statements", "role_identity", "role", "service"),
    [
        ([ROOT], True, "allowed", "denied"),  # root delegates to IAM, not to the service
        ([ROOT], False, "denied", "denied"),
        ([{"Effect": "Allow", "Principal": {"AWS": ROLE, **SERVICE}, "Action": KMS_ACTIONS,
           "Resource": "*"}], False, "allowed", "allowed"),
        ([{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": KMS_ACTIONS,
           "Resource": "*"}], False, "allowed", "denied"),
        ([{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "kms:*",
           "Resource": "*"}], True, "allowed", "denied"),
        ([ROOT, {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}], True,
         "denied", "denied"),
        ([], True, "denied", "denied"),
    ],
)
def test_kms_key_policy(statements: list[dict[str, Any]], role_identity: bool, role: str,
                        service: str) -> None:
    key_policy = policy(*statements)
    identity = [ALLOW_ALL] if role_identity else []
    for action in KMS_ACTIONS:
        r = evaluate(role_request(action, KEY), identity_policies=identity,
                     resource_policy=key_policy, resource_kind="kms")
        s = evaluate(service_request(action, KEY), resource_policy=key_policy,
                     resource_kind="kms")
        assert (r.decision, s.decision) == (role, service), action


# IAM, creating a role: "When a role name is used in a policy or as part of an ARN, the role
# name is case sensitive"; the account forms name the account, delegating to IAM.
PRINCIPAL_CASES: list[tuple[str, str, str]] = [
    ("role ARN", ROLE, "allowed"),
    ("account ID", ACCOUNT, "allowed"),
    ("account root", f"arn:aws:iam::{ACCOUNT}:root", "allowed"),
    # bad
    ("role name lower case", ROLE.replace("PersonalizeRole", "personalizerole"), "denied"),
    ("role name upper case", ROLE.replace("PersonalizeRole", "PERSONALIZEROLE"), "denied"),
    ("session of the role in other case",
     f"arn:aws:sts::{ACCOUNT}:assumed-role/personalizerole/s", "denied"),
    ("other account root", f"arn:aws:iam::{OTHER}:root", "denied"),
    # an account ID names an account within one partition
    ("the account's root in another partition", f"arn:aws-cn:iam::{ACCOUNT}:root", "denied"),
    ("not an ARN, ending like a root ARN", f"x:iam::{ACCOUNT}:root", "denied"),
    # IAM user guide, Principal element, assumed-role session principals: "you cannot use a
    # wildcard "*" to mean all sessions. Principals must always name a specific session";
    # such principals fit where a process "creates a predictable session name". The session
    # name Personalize gives the role is not documented: this may or may not be it.
    ("one named session of the role",
     f"arn:aws:sts::{ACCOUNT}:assumed-role/PersonalizeRole/s", "uncertain"),
]


@pytest.mark.parametrize(("entry", "expected"), [c[1:] for c in PRINCIPAL_CASES],
                         ids=[c[0] for c in PRINCIPAL_CASES])
def test_role_principals_are_case_sensitive(entry: str, expected: str) -> None:
    key_policy = policy({"Effect": "Allow", "Principal": {"AWS": entry}, "Action": "kms:*",
                         "Resource": "*"})
    result = evaluate(role_request("kms:Decrypt", KEY), identity_policies=[ALLOW_ALL],
                      resource_policy=key_policy, resource_kind="kms")
    assert result.decision == expected


# --- trust policies -------------------------------------------------------------------------

def trust(**changes: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": SERVICE, "Action": "sts:AssumeRole", **changes}


TRUST_CASES: list[tuple[str, list[dict[str, Any]], str]] = [
    ("plain", [trust()], "allowed"),
    ("guarded", [trust(Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                  "ArnLike": {"aws:SourceArn":
                                              f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}})],
     "allowed"),
    ("service list", [trust(Principal={"Service": ["ec2.amazonaws.com",
                                                   "personalize.amazonaws.com"]})], "allowed"),
    ("action list", [trust(Action=["sts:AssumeRole", "sts:TagSession"])], "allowed"),
    ("wrong service", [trust(Principal={"Service": "sagemaker.amazonaws.com"})], "denied"),
    ("typo", [trust(Principal={"Service": "personalize.amazonaws.co"})], "denied"),
    ("web identity", [trust(Action="sts:AssumeRoleWithWebIdentity")], "denied"),
    ("other account", [trust(Condition={"StringEquals": {"aws:SourceAccount": OTHER}})],
     "denied"),
    ("deny", [trust(), {"Effect": "Deny", "Principal": SERVICE, "Action": "sts:*"}], "denied"),
    ("notprincipal allow", [{"Effect": "Allow", "NotPrincipal": {"Service": "ec2.amazonaws.com"},
                             "Action": "sts:AssumeRole"}], "allowed"),
]


@pytest.mark.parametrize(("statements", "expected"), [c[1:] for c in TRUST_CASES],
                         ids=[c[0] for c in TRUST_CASES])
def test_trust_policy(statements: list[dict[str, Any]], expected: str) -> None:
    req = service_request("sts:AssumeRole", ROLE)
    assert evaluate(req, resource_policy=policy(*statements), resource_kind="trust").decision \
        == expected


# --- policy variables ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("version", "resource", "expected"),
    [
        ("2012-10-17", "arn:aws:s3:::metrics-bucket/${aws:PrincipalAccount}/*", "denied"),
        ("2012-10-17", "arn:aws:s3:::${aws:PrincipalAccount}-bucket/*", "denied"),
        ("2012-10-17", "arn:aws:s3:::metrics-bucket/*", "allowed"),
        ("2012-10-17", "arn:aws:s3:::metrics-bucket/${aws:PrincipalTag/x}*", "uncertain"),
        ("2008-10-17", "arn:aws:s3:::metrics-bucket/${*}", "denied"),
        ("2012-10-17", "arn:aws:s3:::metrics-bucket/${*}", "denied"),
    ],
)
def test_policy_variables_in_resources(version: str, resource: str, expected: str) -> None:
    data = policy(objects_allow(resource), version=version)
    result = evaluate(role_request("s3:PutObject", OBJECTS), identity_policies=[data])
    assert result.decision == expected


def test_policy_variable_resolves_to_account() -> None:
    data = policy(objects_allow("arn:aws:s3:::b-${aws:PrincipalAccount}/*"))
    req = role_request("s3:PutObject", Partial(f"arn:aws:s3:::b-{ACCOUNT}/out/*"))
    assert evaluate(req, identity_policies=[data]).allowed
    old = policy(objects_allow("arn:aws:s3:::b-${aws:PrincipalAccount}/*"), version="2008-10-17")
    assert evaluate(req, identity_policies=[old]).denied


# --- managed policies and boundaries --------------------------------------------------------

@pytest.mark.parametrize(
    ("arn", "action", "resource", "expected"),
    [
        ("arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess",
         "cloudwatch:PutMetricData", "*", "allowed"),
        ("arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess", "s3:PutObject",
         OBJECTS, "denied"),  # only buckets named *personalize*
        ("arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess", "s3:PutObject",
         Partial("arn:aws:s3:::my-personalize-out/x/*"), "allowed"),
        ("arn:aws:iam::aws:policy/CloudWatchFullAccess", "cloudwatch:PutMetricData", "*",
         "allowed"),
        ("arn:aws:iam::aws:policy/CloudWatchFullAccessV2", "cloudwatch:PutMetricData", "*",
         "allowed"),
        ("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy", "cloudwatch:PutMetricData", "*",
         "allowed"),
        ("arn:aws:iam::aws:policy/AmazonS3FullAccess", "s3:PutObject", OBJECTS, "allowed"),
        ("arn:aws:iam::aws:policy/AdministratorAccess", "kms:Decrypt", KEY, "allowed"),
        ("arn:aws:iam::aws:policy/PowerUserAccess", "s3:PutObject", OBJECTS, "allowed"),
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", "cloudwatch:PutMetricData", "*", "denied"),
        ("arn:aws:iam::aws:policy/AWSDenyAll", "cloudwatch:PutMetricData", "*", "denied"),
        ("arn:aws-cn:iam::aws:policy/CloudWatchFullAccess", "cloudwatch:PutMetricData", "*",
         "allowed"),
        ("arn:aws:iam::aws:policy/SomeFuturePolicy", "cloudwatch:PutMetricData", "*",
         "uncertain"),
        ("arn:aws:iam::aws:policy/AmazonPersonalizeFullAccess", "cloudwatch:PutMetricData", "*",
         "uncertain"),  # wrong path: not the real policy
        (f"arn:aws:iam::{ACCOUNT}:policy/CustomerManaged", "cloudwatch:PutMetricData", "*",
         "uncertain"),
    ],
)
def test_managed_policies(arn: str, action: str, resource: Any, expected: str) -> None:
    ref = ManagedPolicyRef(arn, Source())
    assert evaluate(role_request(action, resource), identity_policies=[ref]).decision == expected


def test_unknown_customer_policy_may_deny() -> None:
    result = evaluate(role_request(), identity_policies=[
        policy(allow()), f"arn:aws:iam::{ACCOUNT}:policy/Custom"])
    assert result.uncertain and "may deny" in result.uncertain_reasons[0]
    aws_unknown = evaluate(role_request(), identity_policies=[
        policy(allow()), "arn:aws:iam::aws:policy/SomeFuturePolicy"])
    assert aws_unknown.allowed  # AWS managed policies grant; they do not deny


def test_permissions_boundary() -> None:
    data = policy(allow("*"))
    assert evaluate(role_request(), identity_policies=[data],
                    permissions_boundary=policy(allow("s3:*"))).denied
    assert evaluate(role_request(), identity_policies=[data],
                    permissions_boundary=policy(allow("cloudwatch:*"))).allowed


def test_prepared_policies_are_reusable() -> None:
    prepared = prepare(policy(allow()))
    for _ in range(3):
        assert evaluate(role_request(), identity_policies=[prepared]).allowed


def test_malformed_deny_is_uncertain_and_malformed_allow_grants_nothing() -> None:
    both = {"Effect": "Deny", "Action": "*", "NotAction": "s3:*", "Resource": "*"}
    assert evaluate(role_request(), identity_policies=[policy(allow(), both)]).uncertain
    bad_allow = {"Effect": "Allow", "Resource": "*"}
    assert evaluate(role_request(), identity_policies=[policy(bad_allow)]).denied


def test_json_string_documents() -> None:
    import json
    import urllib.parse

    text = json.dumps(policy(allow()))
    assert evaluate(role_request(), identity_policies=[text]).uncertain  # a str is an ARN
    assert evaluate(role_request(), identity_policies=[{"PolicyDocument": policy(allow())}]).allowed
    encoded = urllib.parse.quote(text)
    assert prepare(Policy(encoded, Source())).doc is not None
    assert len(prepare(Policy(encoded, Source())).doc.statements) == 1  # type: ignore[union-attr]
