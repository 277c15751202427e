"""PL301-PL304: the KMS key, in set-ups and as lone key policies."""

from __future__ import annotations

from typing import Any

import pytest

from iam_builders import ACCOUNT, GOOD_KEY, KEY, ROLE, SERVICE, attribution, build, ids, lone, run
from personalize_lint.document import Document
from personalize_lint.inventory import Inventory
from personalize_lint.rule import Rule
from personalize_lint.rules import kms as K

FIVE = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant",
        "kms:ListGrants"]
ROOT = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*", "Resource": "*"}


def both(**changes: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"AWS": ROLE, **SERVICE}, "Action": FIVE,
            "Resource": "*", **changes}


def test_rule_metadata() -> None:
    rules = [v for v in vars(K).values() if isinstance(v, Rule)]
    assert sorted(r.id for r in rules) == ["PL301", "PL302", "PL303", "PL304"]
    assert all(r.level == "error" for r in rules)


def test_correct_setup_is_clean() -> None:
    inventory = build(key=GOOD_KEY)
    for r in (K.pl301, K.pl302, K.pl303, K.pl304):
        assert run(r, inventory) == [], r.id


KEY_CASES: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    ("docs statement", [both()], []),
    ("root and both", [ROOT, both()], []),
    ("service plus root for the role", [ROOT, both(Principal=SERVICE)], []),
    ("role by name, service separately", [both(Principal={"AWS": ROLE}),
                                          both(Principal=SERVICE)], []),
    ("kms wildcard", [both(Action="kms:*")], []),
    ("root only", [ROOT], ["PL301"]),  # delegation counts for the role, not the service
    ("service only", [both(Principal=SERVICE)], ["PL301"]),
    ("missing create grant", [both(Action=FIVE[:3] + FIVE[4:])], ["PL301"]),
    ("console default", [ROOT, {"Effect": "Allow", "Principal": {
        "AWS": f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"}, "Action": "kms:*", "Resource": "*"}],
     ["PL301"]),
    ("deny", [both(), {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt",
                       "Resource": "*"}], ["PL301"]),
    ("via service condition", [both(Condition={"StringEquals": {
        "kms:ViaService": "s3.us-east-1.amazonaws.com"}})], ["PL003", "PL003"]),
    ("encryption context", [both(Condition={"StringEquals": {
        "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::metrics-bucket"}})],
     ["PL003", "PL003"]),
]


@pytest.mark.parametrize(("statements", "expected"), [c[1:] for c in KEY_CASES],
                         ids=[c[0] for c in KEY_CASES])
def test_pl301_setup(statements: list[dict[str, Any]], expected: list[str]) -> None:
    assert sorted(ids(K.pl301, build(key=statements))) == expected


def test_pl301_role_name_case_matters() -> None:
    # IAM: "When a role name is used in a policy or as part of an ARN, the role name is case
    # sensitive". The account forms still delegate.
    other_case = ROLE.replace("PersonalizeMetricsRole", "personalizemetricsrole")
    [f] = run(K.pl301, build(key=[both(Principal={"AWS": other_case, **SERVICE})]))
    assert "the service role" in f.message and "lacks kms:Decrypt" in f.message
    assert "only in letter case" in f.message
    assert ids(K.pl301, build(key=[both(Principal={"AWS": ROLE, **SERVICE})])) == []
    assert ids(K.pl301, build(key=[both(Principal=SERVICE), {**ROOT, "Principal": {
        "AWS": ACCOUNT}}])) == []


def test_pl301_message() -> None:
    [f] = run(K.pl301, build(key=[ROOT]))
    assert "personalize.amazonaws.com lacks kms:Decrypt" in f.message
    assert "delegates to IAM for the role, not for the service" in f.message
    assert f.location.path == "kms/key.json"


def test_pl301_without_key_policy() -> None:
    [f] = run(K.pl301, build(key=[], key_metadata={"KeyState": "Enabled"}))
    assert f.rule_id == "PL003" and "key policy" in f.message
    assert ids(K.pl301, build(key=[], key_metadata={}, missing=("key-policy",))) == []
    assert ids(K.pl301, build(ma=attribution(key=None))) == []  # no key: nothing to check


def test_pl301_alias_is_left_to_pl302() -> None:
    alias = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/metrics"
    inventory = build(key=[ROOT], ma=attribution(key=alias))
    inventory.setups[0].key.arn = alias  # type: ignore[union-attr]
    assert ids(K.pl301, inventory) == []
    assert ids(K.pl302, inventory) == ["PL302"]


LONE_CASES: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    ("docs statement", [both(Principal={"AWS": "arn:aws:iam::<account-id>:role/<personalize-"
                                               "role-name>", **SERVICE})], []),
    ("service and root", [ROOT, both(Principal=SERVICE)], []),
    ("service only, no role, no root", [both(Principal=SERVICE)], ["PL301"]),
    ("missing list grants", [ROOT, both(Principal=SERVICE, Action=FIVE[:4])], ["PL301"]),
    ("not for personalize", [ROOT, {"Effect": "Allow", "Principal": {
        "Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
        "Resource": "*"}], []),
    ("guarded by account", [ROOT, both(Principal=SERVICE, Condition={"StringEquals": {
        "aws:SourceAccount": ACCOUNT}})], []),  # the account is what a lone file cannot know
]


@pytest.mark.parametrize(("statements", "expected"), [c[1:] for c in LONE_CASES],
                         ids=[c[0] for c in LONE_CASES])
def test_pl301_lone_key_policy(statements: list[dict[str, Any]], expected: list[str]) -> None:
    assert ids(K.pl301, lone({"Version": "2012-10-17", "Statement": statements}, "key")) == \
        expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (KEY, []),
        (f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/metrics", ["PL302"]),
        ("alias/metrics", ["PL302"]),
        ("1234abcd-12ab-34cd-56ef-1234567890ab", ["PL302"]),
        ("kms key ARN", ["PL302"]),
        (KEY.replace("arn:aws:", "arn:aws-cn:").replace("us-east-1", "cn-north-1"), ["PL302"]),
    ],
)
def test_pl302_key_arn(value: str, expected: list[str]) -> None:
    assert ids(K.pl302, build(key=GOOD_KEY, ma=attribution(key=value))) == expected


def test_pl302_lone_request() -> None:
    data = {"metricsOutputConfig": {"roleArn": ROLE, "s3DataDestination": {
        "path": "s3://bucket-name/folder-name/", "kmsKeyArn": "kms key ARN"}}}
    d = Document("ma.json", "metric-attribution", data, subkind="create")
    [f] = run(K.pl302, Inventory(documents=[d], standalone=[d]))
    assert f.location.pointer == "/metricsOutputConfig/s3DataDestination/kmsKeyArn"


@pytest.mark.parametrize(
    ("metadata", "region", "count"),
    [
        ({"KeyState": "Enabled", "KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT"},
         "us-east-1", 0),
        ({"KeyState": "Disabled"}, None, 1),
        ({"KeyState": "PendingDeletion", "KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"},
         None, 3),
        ({"KeyState": "Enabled", "CustomerMasterKeySpec": "HMAC_256"}, None, 1),
        ({"KeyState": "Enabled"}, "eu-west-1", 1),
    ],
)
def test_pl303_key_metadata(metadata: dict[str, Any], region: str | None, count: int) -> None:
    inventory = build(key=GOOD_KEY, key_metadata=metadata, bucket_region=region)
    assert ids(K.pl303, inventory) == ["PL303"] * count


def test_pl303_needs_metadata() -> None:
    assert ids(K.pl303, build(key=GOOD_KEY)) == []


PUBLIC_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("named", both(), []),
    ("everyone kms star", {"Effect": "Allow", "Principal": "*", "Action": "kms:*",
                           "Resource": "*"}, ["PL304"]),
    ("everyone decrypt", {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action":
                          ["kms:Decrypt"], "Resource": "*"}, ["PL304"]),
    ("everyone star", {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
     ["PL304"]),
    ("caller account", {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*",
                        "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}}}, []),
    ("everyone describe only", {"Effect": "Allow", "Principal": "*",
                                "Action": "kms:DescribeKey", "Resource": "*"}, []),
    ("notprincipal", {"Effect": "Allow", "NotPrincipal": {"AWS": ROLE}, "Action": "kms:*",
                      "Resource": "*"}, ["PL304"]),
    ("notaction everyone", {"Effect": "Allow", "Principal": "*", "NotAction": "kms:Delete*",
                            "Resource": "*"}, ["PL304"]),
]


@pytest.mark.parametrize(("statement", "expected"), [c[1:] for c in PUBLIC_CASES],
                         ids=[c[0] for c in PUBLIC_CASES])
def test_pl304_public_key(statement: dict[str, Any], expected: list[str]) -> None:
    assert ids(K.pl304, build(key=[ROOT, statement])) == expected
    assert ids(K.pl304, lone({"Statement": [statement]}, "key")) == expected


def test_pl302_lone_request_with_null_api_member_and_console_spelling() -> None:
    # The API member is present but null; the console spelling holds the value.
    data = {"metricsOutputConfig": {"roleArn": ROLE, "s3DataDestination": None,
                                    "S3DataDestination": {"path": "s3://b/p/",
                                                          "KmsKeyArn": "alias/mykey"}}}
    d = Document("ma.json", "metric-attribution", data, subkind="create")
    [f] = run(K.pl302, Inventory(documents=[d], standalone=[d]))
    assert f.location.pointer == "/metricsOutputConfig/S3DataDestination/KmsKeyArn"
    assert "alias" in f.message
