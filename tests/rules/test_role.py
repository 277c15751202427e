"""PL101-PL107: the Personalize service role, in set-ups and as lone files."""

from __future__ import annotations

from typing import Any

import pytest

from iam_builders import (
    ACCOUNT,
    DG,
    GOOD_BUCKET,
    GOOD_KEY,
    GOOD_ROLE,
    GOOD_TRUST,
    KEY,
    PATH,
    ROLE,
    SERVICE,
    attribution,
    build,
    doc,
    ids,
    lone,
    run,
)
from personalize_lint.inventory import Inventory, MetricAttribution, Setup, Source
from personalize_lint.location import Location
from personalize_lint.rule import Rule
from personalize_lint.rules import _iam_common
from personalize_lint.rules import role as R


def test_rule_metadata() -> None:
    rules = [v for v in vars(R).values() if isinstance(v, Rule)]
    assert sorted(r.id for r in rules) == [f"PL10{i}" for i in range(1, 8)]
    for r in rules:
        assert r.why and r.fix and r.example and r.source.startswith("https://")
        assert r.level == {"PL102": "warning", "PL106": "warning"}.get(r.id, "error")


def test_a_correct_setup_is_clean() -> None:
    inventory = build(key=GOOD_KEY)
    for r in (R.pl101, R.pl102, R.pl103, R.pl104, R.pl105, R.pl106, R.pl107):
        assert run(r, inventory) == [], r.id


# --- PL101 -------------------------------------------------------------------------------

TRUST_CASES: list[tuple[str, Any, list[str]]] = [
    ("guarded", [GOOD_TRUST], []),
    ("service list", [{**GOOD_TRUST, "Principal": {"Service": ["personalize.amazonaws.com"]}}],
     []),
    ("typo", [{**GOOD_TRUST, "Principal": {"Service": "personalise.amazonaws.com"}}],
     ["PL101"]),
    ("other service", [{**GOOD_TRUST, "Principal": {"Service": "sagemaker.amazonaws.com"}}],
     ["PL101"]),
    ("deny", [GOOD_TRUST, {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}],
     ["PL101"]),
    ("notprincipal deny", [GOOD_TRUST, {"Effect": "Deny", "NotPrincipal": {
        "Service": "ec2.amazonaws.com"}, "Action": "sts:*"}], ["PL101"]),
    ("other account", [{**GOOD_TRUST, "Condition": {"StringEquals": {
        "aws:SourceAccount": "999999999999"}}}], ["PL101"]),
    ("exact source arn", [{**GOOD_TRUST, "Condition": {"ArnEquals": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/retail"}}}],
     ["PL003"]),
    ("not given", None, ["PL003"]),
    # StringEquals is "Exact matching": the "*" is a character, and no Personalize source ARN
    # ends in ":*". "The ArnEquals and ArnLike condition operators behave identically."
    ("stringequals source arn with *", [{**GOOD_TRUST, "Condition": {"StringEquals": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}}}], ["PL101"]),
    ("stringequals source arn, empty resource", [{**GOOD_TRUST, "Condition": {"StringEquals": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:"}}}], ["PL101"]),
    ("stringequals one resource", [{**GOOD_TRUST, "Condition": {"StringEquals": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/retail"}}}],
     ["PL003"]),
    ("arnequals source arn with *", [{**GOOD_TRUST, "Condition": {"ArnEquals": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}}}], []),
    ("stringlike source arn with *", [{**GOOD_TRUST, "Condition": {"StringLike": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}}}], []),
]


@pytest.mark.parametrize(("trust", "expected"), [c[1:] for c in TRUST_CASES],
                         ids=[c[0] for c in TRUST_CASES])
def test_pl101_trust(trust: Any, expected: list[str]) -> None:
    assert ids(R.pl101, build(trust=trust)) == expected


def test_pl101_literal_wildcard_message_suggests_a_like_operator() -> None:
    value = f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"
    trust = [{**GOOD_TRUST, "Condition": {"StringEquals": {"aws:SourceArn": value}}}]
    [f] = run(R.pl101, build(trust=trust))
    assert "StringEquals compares literally" in f.message
    assert "use ArnLike (or StringLike)" in f.message
    lone_trust = lone({"Version": "2012-10-17", "Statement": trust}, "trust")
    assert ids(R.pl101, lone_trust) == ["PL101"]  # the shape alone decides it, any account


def test_pl101_literal_wildcard_in_an_account_suggests_stringlike_only() -> None:
    # ArnLike reads ARNs ("Each of the six colon-delimited components of the ARN is checked
    # separately"): an account ID pattern needs StringLike.
    trust = [{**GOOD_TRUST, "Condition": {"StringEquals": {"aws:SourceAccount": "1111*"}}}]
    [f] = run(R.pl101, build(trust=trust))
    assert "StringEquals compares literally" in f.message
    assert "use StringLike to match a pattern" in f.message
    assert "ArnLike" not in f.message


def test_pl101_message_points_at_the_statement() -> None:
    inventory = build(trust=[{**GOOD_TRUST, "Principal": {"Service":
                                                         "personalise.amazonaws.com"}}])
    [finding] = run(R.pl101, inventory)
    assert "personalise.amazonaws.com" in finding.message and "use 'personalize" in \
        finding.message
    assert finding.location.path == "iam/trust.json"
    assert finding.location.pointer == "/Statement/0" and finding.location.line == 4


def test_pl101_missing_trust_already_reported() -> None:
    assert ids(R.pl101, build(trust=None, missing=("role-trust-policy",))) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"Statement": [{"Effect": "Allow", "Principal": SERVICE, "Action": "sts:AssumeRole"}]},
         []),
        ({"Statement": [{"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.co"},
                         "Action": "sts:AssumeRole"}]}, ["PL101"]),
        ({"Statement": [{"Effect": "Allow", "Sid": "PersonalizeTrust",
                         "Principal": {"Service": "ec2.amazonaws.com"},
                         "Action": "sts:AssumeRole"}]}, ["PL101"]),
        # a trust policy for another service, not meant for Personalize: not our business
        ({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                         "Action": "sts:AssumeRole"}]}, []),
        # a lone file cannot know the account: silent, not uncertain
        ({"Statement": [GOOD_TRUST]}, []),
        # a placeholder can never be a 12-digit account
        ({"Statement": [{**GOOD_TRUST, "Condition": {"StringEquals": {
            "aws:SourceAccount": "accountNumber"}}}]}, ["PL101"]),
    ],
)
def test_pl101_lone_trust_policies(data: Any, expected: list[str]) -> None:
    assert ids(R.pl101, lone(data, "trust")) == expected


# --- PL102 -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("trust", "expected"),
    [
        ([GOOD_TRUST], []),
        ([{**GOOD_TRUST, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}], []),
        ([{**GOOD_TRUST, "Condition": {"ArnLike": {
            "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}}}], []),
        ([{k: v for k, v in GOOD_TRUST.items() if k != "Condition"}], ["PL102"]),
        ([{**GOOD_TRUST, "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}}],
         ["PL102"]),
        ([{**GOOD_TRUST, "Condition": {"StringNotEquals": {"aws:SourceAccount": "9"}}}],
         ["PL102"]),
    ],
)
def test_pl102_confused_deputy(trust: Any, expected: list[str]) -> None:
    assert ids(R.pl102, build(trust=trust)) == expected


def test_pl102_lone_file() -> None:
    bare = {"Statement": [{"Effect": "Allow", "Principal": SERVICE, "Action": "sts:AssumeRole"}]}
    assert ids(R.pl102, lone(bare, "trust")) == ["PL102"]
    assert ids(R.pl102, lone({"Statement": [GOOD_TRUST]}, "trust")) == []


# --- PL103 -------------------------------------------------------------------------------

CW = {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}
CW_CASES: list[tuple[str, Any, tuple[str, ...], list[str]]] = [
    ("exact", [[CW]], (), []),
    ("Put*", [[{**CW, "Action": "cloudwatch:Put*"}]], (), []),
    ("mixed case", [[{**CW, "Action": "CloudWatch:putmetricdata"}]], (), []),
    ("two policies", [[{**CW, "Action": "logs:*"}], [CW]], (), []),
    ("notaction", [[{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]], (), []),
    ("managed full access", [[{**CW, "Action": "logs:*"}]],
     ("arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess",), []),
    ("managed cloudwatch", [[{**CW, "Action": "logs:*"}]],
     ("arn:aws:iam::aws:policy/CloudWatchFullAccessV2",), []),
    ("typo", [[{**CW, "Action": "cloudwatch:PutMetricsData"}]], (), ["PL103"]),
    ("log group", [[{**CW, "Action": "cloudwatch:Put*",
                     "Resource": "arn:aws:logs:us-east-1:1:log-group:x"}]], (), ["PL103"]),
    ("deny", [[CW, {"Effect": "Deny", "Action": "cloudwatch:*", "Resource": "*"}]], (),
     ["PL103"]),
    ("namespace", [[{**CW, "Condition": {"StringEquals": {"cloudwatch:namespace": "MyApp"}}}]],
     (), ["PL103"]),
    ("unknown managed", [[{**CW, "Action": "logs:*"}]],
     ("arn:aws:iam::aws:policy/AmazonPersonalizeFullAccess",), ["PL003"]),
    ("customer managed", [[{**CW, "Action": "logs:*"}]],
     (f"arn:aws:iam::{ACCOUNT}:policy/Custom",), ["PL003"]),
    ("uncertain deny", [[CW, {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
        "StringNotEquals": {"aws:PrincipalOrgID": "o-1"}}}]], (), ["PL003"]),
]


@pytest.mark.parametrize(("policies", "managed", "expected"), [c[1:] for c in CW_CASES],
                         ids=[c[0] for c in CW_CASES])
def test_pl103_cloudwatch(policies: Any, managed: tuple[str, ...], expected: list[str]) -> None:
    assert ids(R.pl103, build(role_policies=policies, managed=managed)) == expected


def test_pl103_messages() -> None:
    [typo] = run(R.pl103, build(role_policies=[[{**CW, "Action": "cloudwatch:PutMetricsData"}]]))
    assert "did you mean 'cloudwatch:PutMetricData'" in typo.message
    assert typo.location.path == "iam/role-0.json" and typo.location.pointer == "/Statement/0"
    [ns] = run(R.pl103, build(role_policies=[[{**CW, "Condition": {"StringEquals": {
        "cloudwatch:namespace": "MyApp"}}}]]))
    assert ns.level == "warning" and "AWS/Personalize" in ns.message
    [nothing] = run(R.pl103, build(role_policies=[[{**CW, "Action": "sts:GetCallerIdentity"}]]))
    assert nothing.rule_id == "PL103"
    [path] = run(R.pl103, build(managed=("arn:aws:iam::aws:policy/AmazonPersonalizeFullAccess",),
                                role_policies=[]))
    assert path.rule_id == "PL003" and "not known" in path.message
    [unknown] = run(R.pl103, build(role_policies=[], managed=(
        f"arn:aws:iam::{ACCOUNT}:policy/Custom",)))
    assert unknown.rule_id == "PL003"


def test_pl103_without_role_policies() -> None:
    assert ids(R.pl103, build(role_policies=[])) == ["PL003"]
    assert ids(R.pl103, build(role_policies=[], missing=("role-policies",))) == []
    assert ids(R.pl103, build(role_policies=[], origin="account")) == ["PL103"]


def test_pl103_wrong_managed_path_is_named() -> None:
    inventory = build(role_policies=[[{**CW, "Action": "logs:*"}]], managed=(
        "arn:aws:iam::aws:policy/AmazonPersonalizeFullAccess",))
    [finding] = run(R.pl103, inventory)
    assert "AmazonPersonalizeFullAccess" in finding.message


# --- PL104 -------------------------------------------------------------------------------

PUT = {"Effect": "Allow", "Action": "s3:PutObject",
       "Resource": "arn:aws:s3:::metrics-bucket/attribution/*"}
S3_CASES: list[tuple[str, Any, Any, list[str]]] = [
    ("prefix", [[PUT]], GOOD_BUCKET, []),
    ("bucket wildcard", [[{**PUT, "Resource": "arn:aws:s3:::metrics-bucket/*"}]], None, []),
    ("s3:*Object", [[{**PUT, "Action": "s3:*Object"}]], None, []),
    ("bucket policy names role", [[CW]], [{"Effect": "Allow", "Principal": {"AWS": ROLE},
                                           "Action": "s3:PutObject",
                                           "Resource": "arn:aws:s3:::metrics-bucket/*"}], []),
    ("bucket ARN only", [[{**PUT, "Resource": "arn:aws:s3:::metrics-bucket"}]], None,
     ["PL104"]),
    ("other prefix", [[{**PUT, "Resource": "arn:aws:s3:::metrics-bucket/imports/*"}]], None,
     ["PL104"]),
    ("get only", [[{**PUT, "Action": "s3:GetObject"}]], None, ["PL104"]),
    ("deny on prefix", [[PUT, {"Effect": "Deny", "Action": "s3:PutObject",
                               "Resource": "arn:aws:s3:::metrics-bucket/attr*"}]], None,
     ["PL104"]),
    ("bucket denies all but service", [[PUT]], [*GOOD_BUCKET, {
        "Effect": "Deny", "NotPrincipal": SERVICE, "Action": "s3:*",
        "Resource": "arn:aws:s3:::metrics-bucket/*"}], ["PL104"]),
]


# The output path holds a colon: in the sixth ARN field "*" and "?" match it.
COLON_CASES: list[tuple[str, str, list[str]]] = [
    ("star before the colon", "arn:aws:s3:::metrics-bucket/runs*/*", []),
    ("star across the colon", "arn:aws:s3:::metrics-bucket/*/*", []),
    ("question mark for the colon", "arn:aws:s3:::metrics-bucket/runs?2026/*", []),
    ("literal colon", "arn:aws:s3:::metrics-bucket/runs:2026/*", []),
    ("other year", "arn:aws:s3:::metrics-bucket/runs:2025/*", ["PL104"]),
    ("no slash after the colon part", "arn:aws:s3:::metrics-bucket/runs?/*", ["PL104"]),
]


@pytest.mark.parametrize(("resource", "expected"), [c[1:] for c in COLON_CASES],
                         ids=[c[0] for c in COLON_CASES])
def test_pl104_colon_in_the_output_path(resource: str, expected: list[str]) -> None:
    inventory = build(role_policies=[[CW, {**PUT, "Resource": resource}]], bucket=None,
                      ma=attribution(path="s3://metrics-bucket/runs:2026/"))
    assert ids(R.pl104, inventory) == expected


@pytest.mark.parametrize(("policies", "bucket", "expected"), [c[1:] for c in S3_CASES],
                         ids=[c[0] for c in S3_CASES])
def test_pl104_s3(policies: Any, bucket: Any, expected: list[str]) -> None:
    assert ids(R.pl104, build(role_policies=policies, bucket=bucket)) == expected


def test_pl104_no_output_path() -> None:
    assert ids(R.pl104, build(ma=attribution(path=None))) == []


def test_pl104_points_at_role_arn_when_nothing_is_close() -> None:
    [f] = run(R.pl104, build(role_policies=[[{"Effect": "Allow", "Action": "sts:Get*",
                                              "Resource": "*", "Sid": "Sts"}]]))
    assert f.location.path == "iam/role-0.json"
    [g] = run(R.pl104, build(role_policies=[[{"Effect": "Allow", "NotAction": "s3:*",
                                              "Resource": "*"}]]))
    assert g.rule_id == "PL104"


# --- PL105 -------------------------------------------------------------------------------

KMS4 = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants"]
ROOT_ONLY = [GOOD_KEY[0]]
KMS_CASES: list[tuple[str, Any, Any, list[str]]] = [
    ("iam grants", [[{"Effect": "Allow", "Action": KMS4, "Resource": KEY}]], ROOT_ONLY, []),
    ("wildcards", [[{"Effect": "Allow", "Action": ["kms:Decrypt*", "kms:GenerateDataKey*",
                                                   "kms:Describe*", "kms:List*"],
                     "Resource": "*"}]], ROOT_ONLY, []),
    ("key policy names role", [[CW]], GOOD_KEY, []),
    ("missing list grants", [[{"Effect": "Allow", "Action": KMS4[:3], "Resource": KEY}]],
     ROOT_ONLY, ["PL105"]),
    ("other key", [[{"Effect": "Allow", "Action": KMS4, "Resource": KEY.replace("1234abcd",
                                                                                 "9999abcd")}]],
     ROOT_ONLY, ["PL105"]),
    ("encrypt only", [[{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"],
                        "Resource": "*"}]], ROOT_ONLY, ["PL105"]),
    ("no key policy given", [[{"Effect": "Allow", "Action": KMS4, "Resource": KEY}]], [], []),
    # The key policy names the role, but the role's own policies deny: an explicit Deny in
    # any applicable policy wins, as a Deny of s3:PutObject does for PL104.
    ("own deny of one action", [[CW, {"Effect": "Deny", "Action": "kms:GenerateDataKey",
                                      "Resource": "*"}]], GOOD_KEY, ["PL105"]),
    ("own deny kms:*", [[CW, {"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]],
     GOOD_KEY, ["PL105"]),
    ("own deny on the key ARN", [[CW, {"Effect": "Deny", "Action": "kms:*", "Resource": KEY}]],
     GOOD_KEY, ["PL105"]),
    ("own deny with NotAction", [[CW, {"Effect": "Deny", "NotAction": ["s3:*", "cloudwatch:*"],
                                       "Resource": "*"}]], GOOD_KEY, ["PL105"]),
    ("own deny, root key policy", [[{"Effect": "Allow", "Action": KMS4, "Resource": KEY},
                                    {"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]],
     ROOT_ONLY, ["PL105"]),
    ("own deny of another key", [[CW, {"Effect": "Deny", "Action": "kms:*",
                                       "Resource": KEY.replace("1234abcd", "9999abcd")}]],
     GOOD_KEY, []),
    ("own deny of encrypt only", [[CW, {"Effect": "Deny", "Action": "kms:Encrypt",
                                        "Resource": "*"}]], GOOD_KEY, []),
    ("own deny over http only", [[CW, {"Effect": "Deny", "Action": "kms:*", "Resource": "*",
                                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]],
     GOOD_KEY, []),
    ("own deny on an unknown key", [[CW, {"Effect": "Deny", "Action": "kms:*", "Resource": "*",
                                          "Condition": {"StringEquals": {
                                              "aws:ResourceTag/team": "x"}}}]],
     GOOD_KEY, ["PL003"]),
]


@pytest.mark.parametrize(("policies", "key", "expected"), [c[1:] for c in KMS_CASES],
                         ids=[c[0] for c in KMS_CASES])
def test_pl105_kms(policies: Any, key: Any, expected: list[str]) -> None:
    assert ids(R.pl105, build(role_policies=policies, key=key)) == expected


def test_pl105_own_deny_message() -> None:
    deny = {"Effect": "Deny", "Action": "kms:GenerateDataKey", "Resource": "*", "Sid": "NoKms"}
    [f] = run(R.pl105, build(role_policies=[[CW, deny]], key=GOOD_KEY))
    assert "cannot call kms:GenerateDataKey" in f.message
    assert "explicitly denied by statement 1 (NoKms)" in f.message
    assert "Narrow the Deny" in f.message
    assert f.location.path == "iam/role-0.json"


def test_pl105_names_the_missing_actions() -> None:
    [f] = run(R.pl105, build(role_policies=[[{"Effect": "Allow", "Action": KMS4[:2],
                                              "Resource": KEY}]], key=ROOT_ONLY))
    assert "kms:DescribeKey, kms:ListGrants" in f.message


def test_pl105_bucket_default_key() -> None:
    enc = {"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault":
                                                            {"SSEAlgorithm": "aws:kms",
                                                             "KMSMasterKeyID": KEY}}]}}
    inventory = build(role_policies=[[CW, PUT]], encryption=enc)
    assert ids(R.pl105, inventory) == ["PL105"]
    sse_s3 = {"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}
    assert ids(R.pl105, build(role_policies=[[CW, PUT]], encryption=sse_s3)) == []


# --- PL106 -------------------------------------------------------------------------------

BROAD_CASES: list[tuple[str, Any, tuple[str, ...], int]] = [
    ("least privilege", [GOOD_ROLE], (), 0),
    ("admin", [[{"Effect": "Allow", "Action": "*", "Resource": "*"}]], (), 1),
    ("s3 star", [[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]], (), 1),
    ("S3 star any case", [[{"Effect": "Allow", "Action": ["S3:*"], "Resource": ["*"]}]], (), 1),
    ("iam star", [[{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]], (), 1),
    ("s3 star scoped", [[{"Effect": "Allow", "Action": "s3:*",
                          "Resource": "arn:aws:s3:::metrics-bucket/*"}]], (), 0),
    ("notaction", [[{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]], (), 1),
    ("s3:Put* is fine", [[{"Effect": "Allow", "Action": "s3:Put*", "Resource": "*"}]], (), 0),
    ("admin managed", [GOOD_ROLE], ("arn:aws:iam::aws:policy/AdministratorAccess",), 1),
    ("s3 full managed", [GOOD_ROLE], ("arn:aws:iam::aws:policy/AmazonS3FullAccess",), 1),
    ("power user managed", [GOOD_ROLE], ("arn:aws:iam::aws:policy/PowerUserAccess",), 1),
    ("personalize managed", [GOOD_ROLE],
     ("arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess",), 0),
]


@pytest.mark.parametrize(("policies", "managed", "count"), [c[1:] for c in BROAD_CASES],
                         ids=[c[0] for c in BROAD_CASES])
def test_pl106_broad(policies: Any, managed: tuple[str, ...], count: int) -> None:
    assert ids(R.pl106, build(role_policies=policies, managed=managed)) == ["PL106"] * count


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"Statement": [{"Sid": "Personalize", "Effect": "Allow", "Action": "*",
                         "Resource": "*"}]}, ["PL106"]),
        ({"Statement": [{"Effect": "Allow", "Action": ["personalize:*", "s3:*"],
                         "Resource": "*"}]}, ["PL106"]),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, []),  # not ours
        ({"Statement": [{"Effect": "Allow", "Action": "personalize:*", "Resource": "*"}]}, []),
    ],
)
def test_pl106_lone_identity_policy(data: Any, expected: list[str]) -> None:
    assert ids(R.pl106, lone(data, "identity")) == expected


# --- PL107 -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("role_arn", "build_role", "expected"),
    [
        (ROLE, True, []),
        ("arn:aws:iam::999999999999:role/PersonalizeMetricsRole", True, ["PL107"]),
        ("Amazon Personalize service role ARN", True, ["PL107"]),
        (f"arn:aws:iam::{ACCOUNT}:user/alice", True, ["PL107"]),
        (ROLE, False, ["PL107"]),
        (None, True, ["PL107"]),
    ],
)
def test_pl107_role_arn(role_arn: str | None, build_role: bool, expected: list[str]) -> None:
    if build_role:
        inventory = build(ma=attribution(role_arn=role_arn), role_arn=role_arn)
    else:
        inventory = build(ma=attribution(role_arn=role_arn), trust=None, role_policies=[])
    assert ids(R.pl107, inventory) == expected


def test_pl107_role_mismatch_and_lone_request() -> None:
    inventory = build()
    inventory.setups[0].role.arn = f"arn:aws:iam::{ACCOUNT}:role/Other"  # type: ignore[union-attr]
    assert ids(R.pl107, inventory) == ["PL107"]
    data = {"datasetGroupArn": DG, "metricsOutputConfig": {"roleArn": "string"}}
    d = doc(data, "metric-attribution", "ma.json", "create")
    [f] = run(R.pl107, Inventory(documents=[d], standalone=[d]))
    assert f.location.pointer == "/metricsOutputConfig/roleArn"


def test_facts_from_a_describe_output() -> None:
    s = Setup(name="x", location=Location())
    data = {"metricAttribution": {"datasetGroupArn": "arn:aws-cn:personalize:cn-north-1:"
                                  f"{ACCOUNT}:dataset-group/x", "metricsOutputConfig": {
                                      "roleArn": ROLE, "s3DataDestination": {"path": PATH}}}}
    d = doc(data, "metric-attribution", "ma.json", "describe")
    s.metric_attribution = MetricAttribution(d.data, Source(d), form="describe")
    f = _iam_common.facts(s)
    assert (f.account, f.region, f.partition, f.path) == (ACCOUNT, "cn-north-1", "aws-cn", PATH)
    assert f.objects is not None and str(f.objects) == \
        "arn:aws-cn:s3:::metrics-bucket/attribution/*"
    assert f.locate("roleArn").pointer == "/metricAttribution/metricsOutputConfig/roleArn"
