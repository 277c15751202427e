"""PL201-PL205: the output bucket, in set-ups and as lone bucket policies."""

from __future__ import annotations

from typing import Any

import pytest

from iam_builders import (
    ACCOUNT,
    GOOD_BUCKET,
    KEY,
    ROLE,
    SERVICE,
    attribution,
    build,
    ids,
    lone,
    run,
)
from personalize_lint.document import Document
from personalize_lint.inventory import Inventory
from personalize_lint.rule import Rule
from personalize_lint.rules import bucket as B

OBJECTS = "arn:aws:s3:::metrics-bucket/*"
GRANT = {"Effect": "Allow", "Principal": SERVICE, "Action": "s3:PutObject",
         "Resource": ["arn:aws:s3:::metrics-bucket", OBJECTS],
         "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}


def deny(condition: dict[str, Any], action: str = "s3:*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": OBJECTS,
            "Condition": condition, **extra}


def test_rule_metadata() -> None:
    rules = [v for v in vars(B).values() if isinstance(v, Rule)]
    assert sorted(r.id for r in rules) == [f"PL20{i}" for i in range(1, 6)]
    assert {r.id: r.level for r in rules}["PL204"] == "warning"


def test_correct_setup_is_clean() -> None:
    inventory = build()
    for r in (B.pl201, B.pl202, B.pl203, B.pl204, B.pl205):
        assert run(r, inventory) == [], r.id


# --- PL201 / PL202 in a set-up -------------------------------------------------------------

SETUP_CASES: list[tuple[str, list[dict[str, Any]], list[str], list[str]]] = [
    ("docs example", [GRANT], [], []),
    ("prefix", [{**GRANT, "Resource": "arn:aws:s3:::metrics-bucket/attribution/*"}], [], []),
    ("s3:*Object", [{**GRANT, "Action": "s3:*Object"}], [], []),
    ("deny insecure transport", [GRANT, deny({"Bool": {"aws:SecureTransport": "false"}})], [],
     []),
    ("get only", [{**GRANT, "Action": ["s3:GetObject", "s3:ListBucket"]}], ["PL201"], []),
    ("bucket ARN only", [{**GRANT, "Resource": "arn:aws:s3:::metrics-bucket"}], ["PL201"], []),
    ("typo service", [{**GRANT, "Principal": {"Service": "personalise.amazonaws.com"}}],
     ["PL201"], []),
    ("other account", [{**GRANT, "Condition": {"StringEquals": {
        "aws:SourceAccount": "999999999999"}}}], ["PL201"], []),
    ("deny unless vpce", [GRANT, deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})], [],
     ["PL202"]),
    ("deny unless ip", [GRANT, deny({"NotIpAddress": {"aws:SourceIp": "54.240.143.0/24"}})], [],
     ["PL202"]),
    ("deny unless org", [GRANT, deny({"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}})], [],
     ["PL202"]),
    ("deny unless sse-kms", [GRANT, deny({"StringNotEquals": {
        "s3:x-amz-server-side-encryption": "aws:kms"}}, "s3:PutObject")], [], ["PL202"]),
    ("deny all but a role", [GRANT, {"Effect": "Deny", "NotPrincipal": {"AWS": ROLE},
                                     "Action": "s3:*", "Resource": OBJECTS}], [], ["PL202"]),
    ("deny exempting services", [GRANT, deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1"},
                                              "Bool": {"aws:PrincipalIsAWSService": "false"}})],
     [], []),
    ("deny unknown key", [GRANT, deny({"StringNotEquals": {"s3:x-amz-acl": "private"}})], [],
     ["PL003"]),
    ("grant needs exact source arn", [{**GRANT, "Condition": {"ArnEquals": {
        "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/retail"}}}],
     ["PL003"], []),
]


@pytest.mark.parametrize(("statements", "pl201", "pl202"), [c[1:] for c in SETUP_CASES],
                         ids=[c[0] for c in SETUP_CASES])
def test_setup_bucket_policy(statements: list[dict[str, Any]], pl201: list[str],
                             pl202: list[str]) -> None:
    inventory = build(bucket=statements)
    assert ids(B.pl201, inventory) == pl201
    assert ids(B.pl202, inventory) == pl202


def test_kms_output_makes_the_encryption_header_unknown() -> None:
    statements = [GRANT, deny({"StringNotEquals": {"s3:x-amz-server-side-encryption":
                                                   "aws:kms"}}, "s3:PutObject")]
    inventory = build(bucket=statements, ma=attribution(key=KEY))
    assert ids(B.pl202, inventory) == ["PL003"]
    [f] = run(B.pl202, inventory)
    assert "s3:x-amz-server-side-encryption" in f.message


def test_no_bucket_policy_is_not_evaluated() -> None:
    [f] = run(B.pl201, build(bucket=None))
    assert f.rule_id == "PL003" and "bucket policy" in f.message
    assert f.location.pointer == "/metricsOutputConfig/s3DataDestination/path"
    assert ids(B.pl201, build(bucket=None, missing=("bucket-policy",))) == []
    assert ids(B.pl201, build(bucket=None, origin="account")) == ["PL201"]
    assert ids(B.pl201, build(ma=attribution(path=None), bucket=None)) == []


def test_pl201_message_and_location() -> None:
    [f] = run(B.pl201, build(bucket=[{**GRANT, "Action": ["s3:GetObject"], "Sid": "Import"}]))
    assert "it allows s3:GetObject" in f.message and "s3://metrics-bucket/attribution/" in \
        f.message
    assert f.location.path == "s3/bucket.json" and f.location.pointer == "/Statement/0"
    [d] = run(B.pl202, build(bucket=[GRANT, deny({"NotIpAddress": {"aws:SourceIp":
                                                                    "10.0.0.0/8"}})]))
    assert d.location.pointer == "/Statement/1" and "explicitly denied" in d.message


# --- PL203 ---------------------------------------------------------------------------------

PUBLIC_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("named service", GRANT, []),
    ("public read", {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                     "Resource": OBJECTS}, ["PL203"]),
    ("aws star", {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*",
                  "Resource": OBJECTS}, ["PL203"]),
    ("aws star list", {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:*",
                       "Resource": OBJECTS}, ["PL203"]),
    ("org condition", {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": OBJECTS, "Condition": {"StringEquals": {
                           "aws:PrincipalOrgID": "o-123"}}}, []),
    ("source account", {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
                        "Resource": OBJECTS, "Condition": {"StringEquals": {
                            "aws:SourceAccount": ACCOUNT}}}, []),
    ("wildcard org", {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                      "Resource": OBJECTS, "Condition": {"StringLike": {
                          "aws:PrincipalOrgID": "*"}}}, ["PL203"]),
    ("ifexists restricts nothing", {"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                    "Resource": OBJECTS, "Condition": {
                                        "StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}},
     ["PL203"]),
    ("secure transport only", {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                               "Resource": OBJECTS, "Condition": {"Bool": {
                                   "aws:SecureTransport": "true"}}}, ["PL203"]),
    ("notprincipal allow", {"Effect": "Allow", "NotPrincipal": {"AWS": ROLE},
                            "Action": "s3:GetObject", "Resource": OBJECTS}, ["PL203"]),
    ("public deny", deny({"Bool": {"aws:SecureTransport": "false"}}), []),
]


@pytest.mark.parametrize(("statement", "expected"), [c[1:] for c in PUBLIC_CASES],
                         ids=[c[0] for c in PUBLIC_CASES])
def test_pl203_public(statement: dict[str, Any], expected: list[str]) -> None:
    assert ids(B.pl203, build(bucket=[GRANT, statement])) == expected
    # public buckets are reported for any lone bucket policy, Personalize or not
    assert ids(B.pl203, lone({"Statement": [statement]}, "bucket")) == expected


def test_pl203_message_keeps_the_sid_as_written() -> None:
    public = {"Sid": "OpenReadForCDN", "Effect": "Allow", "Principal": "*",
              "Action": "s3:GetObject", "Resource": OBJECTS}
    [finding] = run(B.pl203, lone({"Statement": [public]}, "bucket"))
    assert "OpenReadForCDN" in finding.message
    assert finding.message[0].isupper()


# --- PL204 ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ([GRANT], []),
        ([{**GRANT, "Condition": {"ArnLike": {
            "aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}}}], []),
        ([{k: v for k, v in GRANT.items() if k != "Condition"}], ["PL204"]),
        ([{**GRANT, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}], ["PL204"]),
        ([{**GRANT, "Action": "s3:GetObject"}], []),  # no grant: PL201's business
    ],
)
def test_pl204_guard(statements: list[dict[str, Any]], expected: list[str]) -> None:
    assert ids(B.pl204, build(bucket=statements)) == expected


# --- lone bucket policies ------------------------------------------------------------------

LONE_CASES: list[tuple[str, list[dict[str, Any]], dict[str, list[str]]]] = [
    ("guarded grant", [GRANT], {}),
    ("unguarded grant", [{k: v for k, v in GRANT.items() if k != "Condition"}],
     {"PL204": ["PL204"]}),
    ("import only", [{**GRANT, "Action": ["s3:GetObject", "s3:ListBucket"]}],
     {"PL201": ["PL201"]}),
    ("bucket arn only", [{**GRANT, "Resource": "arn:aws:s3:::metrics-bucket"}],
     {"PL201": ["PL201"]}),
    ("grant and vpce deny", [GRANT, deny({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})],
     {"PL202": ["PL202"]}),
    ("grant and kms header deny", [GRANT, deny({"StringNotEquals": {
        "s3:x-amz-server-side-encryption": "aws:kms"}}, "s3:PutObject")], {"PL202": ["PL202"]}),
    # not about Personalize: only the public check applies to it
    ("ip allow-list, no Personalize", [deny({"NotIpAddress": {"aws:SourceIp":
                                                              "54.240.143.0/24"}})], {}),
]


@pytest.mark.parametrize(("statements", "expected"), [c[1:] for c in LONE_CASES],
                         ids=[c[0] for c in LONE_CASES])
def test_lone_bucket_policies(statements: list[dict[str, Any]],
                              expected: dict[str, list[str]]) -> None:
    inventory = lone({"Version": "2012-10-17", "Statement": statements}, "bucket")
    for r in (B.pl201, B.pl202, B.pl203, B.pl204):
        assert ids(r, inventory) == expected.get(r.id, []), r.id


def test_lone_bucket_policy_for_another_service_is_not_judged() -> None:
    data = {"Statement": [{"Effect": "Allow", "Principal": {"Service":
                                                            "logging.s3.amazonaws.com"},
                           "Action": "s3:PutObject", "Resource": OBJECTS}]}
    inventory = lone(data, "bucket")
    assert [f for r in (B.pl201, B.pl202, B.pl204) for f in run(r, inventory)] == []


# --- PL205 ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("s3://metrics-bucket/attribution/", []),
        ("s3://metrics-bucket", []),
        ("https://metrics-bucket.s3.amazonaws.com/x/", ["PL205"]),
        ("metrics-bucket/attribution/", ["PL205"]),
        ("s3://Metrics_Bucket/x/", ["PL205"]),
        ("s3:///x/", ["PL205"]),
        ("s3://192.168.1.1/x/", ["PL205"]),
        ("s3://metrics-bucket/" + "x" * 250, ["PL205"]),
    ],
)
def test_pl205_path(path: str, expected: list[str]) -> None:
    assert ids(B.pl205, build(ma=attribution(path=path))) == expected


def test_pl205_lone_request() -> None:
    data = {"metricsOutputConfig": {"roleArn": ROLE, "s3DataDestination": {
        "path": "s3://bucket_name/folder/"}}}
    d = Document("ma.json", "metric-attribution", data, subkind="create")
    [f] = run(B.pl205, Inventory(documents=[d], standalone=[d]))
    assert f.location.pointer == "/metricsOutputConfig/s3DataDestination/path"


def test_good_bucket_fixture_is_guarded() -> None:
    assert GOOD_BUCKET[0]["Condition"]
