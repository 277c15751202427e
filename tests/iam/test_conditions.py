"""Condition operators, evaluated against known, absent, partial and unknown keys."""

from __future__ import annotations

from typing import Any

import pytest

from personalize_lint.iam.conditions import evaluate_conditions, substitute
from personalize_lint.iam.context import Context, Partial
from personalize_lint.iam.statements import normalize

CTX = Context.build(
    {
        "aws:SourceAccount": "111122223333",
        "aws:SourceArn": Partial("arn:aws:personalize:us-east-1:111122223333:*"),
        "aws:SecureTransport": "true",
        "aws:PrincipalServiceName": "personalize.amazonaws.com",
        "aws:TagKeys": ("env", "team"),
        "aws:EpochTime": "1700000000",
        "aws:CurrentTime": "2026-11-30T00:00:00Z",
        "aws:SourceIp": "10.1.2.3",
        "aws:username": "alice",
        "s3:max-keys": "10",
        "aws:Blob": "QmluYXJ5",
    },
    absent=("aws:SourceVpce", "aws:PrincipalOrgID", "aws:MultiFactorAuthPresent"),
)


def cond(block: dict[str, Any], version: str = "2012-10-17") -> bool | None:
    doc = normalize({"Version": version, "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": block}]})
    st = doc.statements[0]
    return evaluate_conditions(st.conditions, CTX, doc.variables).value


CASES: list[tuple[str, dict[str, Any], bool | None]] = [
    # strings; several values = OR; several keys = AND
    ("equals", {"StringEquals": {"aws:SourceAccount": "111122223333"}}, True),
    ("equals other", {"StringEquals": {"aws:SourceAccount": "999999999999"}}, False),
    ("values OR", {"StringEquals": {"aws:SourceAccount": ["9", "111122223333"]}}, True),
    ("keys AND", {"StringEquals": {"aws:SourceAccount": "111122223333",
                                   "aws:SecureTransport": "false"}}, False),
    ("operators AND", {"StringEquals": {"aws:SourceAccount": "111122223333"},
                       "Bool": {"aws:SecureTransport": "true"}}, True),
    ("not equals", {"StringNotEquals": {"aws:SourceAccount": "999999999999"}}, True),
    ("ignore case", {"StringEqualsIgnoreCase": {"aws:PrincipalServiceName":
                                                "PERSONALIZE.amazonaws.com"}}, True),
    ("case matters", {"StringEquals": {"aws:PrincipalServiceName":
                                       "PERSONALIZE.amazonaws.com"}}, False),
    ("like", {"StringLike": {"aws:PrincipalServiceName": "personalize.*"}}, True),
    ("not like", {"StringNotLike": {"aws:PrincipalServiceName": "s3.*"}}, True),
    # ARNs against a partly known SourceArn
    ("arnlike account", {"ArnLike": {"aws:SourceArn":
                                     "arn:aws:personalize:us-east-1:111122223333:*"}}, True),
    ("arnlike any region", {"ArnLike": {"aws:SourceArn":
                                        "arn:aws:personalize:*:111122223333:*"}}, True),
    ("arnequals one resource", {"ArnEquals": {"aws:SourceArn": "arn:aws:personalize:us-east-1:"
                                              "111122223333:dataset-group/x"}}, None),
    ("arnlike other account", {"ArnLike": {"aws:SourceArn":
                                           "arn:aws:personalize:us-east-1:999999999999:*"}},
     False),
    ("arnnotlike other account", {"ArnNotLike": {"aws:SourceArn":
                                                 "arn:aws:personalize:*:999999999999:*"}}, True),
    ("stringlike sourcearn", {"StringLike": {"aws:SourceArn": "arn:aws:personalize:*"}}, True),
    ("stringequals partial", {"StringEquals": {"aws:SourceArn": "arn:aws:s3:::x"}}, False),
    # missing keys: positive false, negated true, IfExists true, Null
    ("missing positive", {"StringEquals": {"aws:SourceVpce": "vpce-1"}}, False),
    ("missing negated", {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}, True),
    ("missing ifexists", {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}, True),
    ("missing bool", {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, False),
    ("missing bool ifexists", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, True),
    ("null true on missing", {"Null": {"aws:SourceVpce": "true"}}, True),
    ("null false on missing", {"Null": {"aws:SourceVpce": "false"}}, False),
    ("null true on present", {"Null": {"aws:SourceAccount": "true"}}, False),
    ("null unquoted bool", {"Null": {"aws:SourceAccount": False}}, True),
    ("notip on missing", {"NotIpAddress": {"aws:SourceIp": "1.2.3.0/24"}}, True),
    # set operators on multi-valued keys
    ("foranyvalue hit", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "x"]}}, True),
    ("foranyvalue miss", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["x"]}}, False),
    ("forallvalues hit", {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team", "x"]}},
     True),
    ("forallvalues miss", {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, False),
    ("forallvalues missing key", {"ForAllValues:StringEquals": {"aws:SourceVpce": ["x"]}}, True),
    ("foranyvalue missing key", {"ForAnyValue:StringEquals": {"aws:SourceVpce": ["x"]}}, False),
    ("forallvalues not equals", {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["x"]}}, True),
    ("foranyvalue like", {"ForAnyValue:StringLike": {"aws:TagKeys": ["te*"]}}, True),
    # numeric, date, bool, ip, binary
    ("numeric lt", {"NumericLessThan": {"s3:max-keys": "11"}}, True),
    ("numeric gte", {"NumericGreaterThanEquals": {"s3:max-keys": 11}}, False),
    ("numeric eq int", {"NumericEquals": {"s3:max-keys": 10}}, True),
    ("numeric not eq", {"NumericNotEquals": {"s3:max-keys": "10"}}, False),
    ("numeric bad", {"NumericEquals": {"s3:max-keys": "ten"}}, None),
    ("date iso", {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, True),
    ("date epoch", {"DateGreaterThan": {"aws:EpochTime": "1800000000"}}, False),
    ("date mixed", {"DateGreaterThan": {"aws:CurrentTime": "1700000000"}}, True),
    ("bool true", {"Bool": {"aws:SecureTransport": "true"}}, True),
    ("bool insecure", {"Bool": {"aws:SecureTransport": "false"}}, False),
    ("bool unquoted", {"Bool": {"aws:SecureTransport": True}}, True),
    ("ip in", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, True),
    ("ip out", {"IpAddress": {"aws:SourceIp": ["192.168.0.0/16", "2001:db8::/32"]}}, False),
    ("notip", {"NotIpAddress": {"aws:SourceIp": "192.168.0.0/16"}}, True),
    ("binary", {"BinaryEquals": {"aws:Blob": "QmluYXJ5"}}, True),
    # unknown things are uncertain, never a pass
    ("unknown key", {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}, None),
    ("unknown key negated", {"StringNotEquals": {"s3:x-amz-acl": "private"}}, None),
    ("unknown key ifexists", {"StringEqualsIfExists": {"aws:PrincipalTag/team": "x"}}, None),
    ("unknown operator", {"StringSortOf": {"aws:SourceAccount": "1"}}, None),
    ("unresolved value", {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
     None),
    ("false AND unknown", {"StringEquals": {"aws:SourceAccount": "9",
                                            "s3:x-amz-acl": "private"}}, False),
]


@pytest.mark.parametrize(("block", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_operators(block: dict[str, Any], expected: bool | None) -> None:
    assert cond(block) is expected


@pytest.mark.parametrize(
    ("version", "value", "expected"),
    [
        ("2012-10-17", "${aws:username}", True),
        ("2008-10-17", "${aws:username}", False),  # no variables before 2012: a literal
        ("2012-10-17", "${aws:SourceVpce}", False),  # missing variable: matches nothing
        ("2012-10-17", "${aws:SourceVpce, 'alice'}", True),  # default value
        ("2012-10-17", "${aws:PrincipalTag/team}", None),  # unknown: cannot tell
    ],
)
def test_policy_variables_in_conditions(version: str, value: str, expected: bool | None) -> None:
    assert cond({"StringEquals": {"aws:username": value}}, version) is expected


def test_substitute_escapes() -> None:
    assert substitute("a/${aws:username}/${*}", CTX) == "a/alice/${*}"
    ctx = Context.build({"aws:username": "we*ird"})
    assert substitute("${aws:username}", ctx) == "we${*}ird"
