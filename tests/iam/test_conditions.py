"""Condition operators, evaluated against known, absent, partial and unknown keys."""

from __future__ import annotations

from typing import Any

import pytest

from personalize_lint.iam.conditions import evaluate_conditions, substitute
from personalize_lint.iam.context import Context, Partial, service_context
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


# --- set operators x IfExists x absent / empty / present -------------------------------------
# Decided from the IAM reference:
# * "ForAllValues – ... The condition returns true if every context key value in the request
#   matches a context key value in the policy. It also returns true if there are no context
#   keys in the request." (Single-valued vs. multivalued context keys)
# * "ForAnyValue – ... For no matching context key or if the key does not exist, the condition
#   returns false." (same page)
# * "If the key values in the request resolve to an empty data set (for example, an empty
#   string), a condition operator modified by ForAllValues returns true, and a condition
#   operator modified by ForAnyValue returns false." (Creating a condition with multiple keys
#   or values)
# * "The ForAllValues qualifier tests whether the value of every member of the request context
#   matches the condition operator that follows the qualifier." So the qualifier applies the
#   operator after it, "...IfExists" or negated, to each request value; with no value only the
#   qualifier decides. "If the key is not present, evaluate the condition element as true"
#   (...IfExists) is about operators without a qualifier.
# AWS answers the same way in practice: an Allow with ForAnyValue:StringEqualsIfExists on
# aws:TagKeys did not grant sqs:ListQueues, a request without that key (re:Post,
# "ForAnyValue:StringEqualsIfExists behaving unexpectedly").

SETS = Context.build(
    {"aws:TagKeys": ("env", "team"), "aws:CalledVia": "", "aws:SourceAccount": "1",
     "aws:SourceIdentity": ""},
    absent=("aws:SourceVpce",),
)
ABSENT, EMPTY, PRESENT = "aws:SourceVpce", "aws:CalledVia", "aws:TagKeys"


def set_cond(operator: str, key: str, values: list[str]) -> bool | None:
    doc = normalize({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {operator: {key: values}}}]})
    return evaluate_conditions(doc.statements[0].conditions, SETS, True).value


SET_TABLE: list[tuple[str, str, list[str], bool]] = [
    # absent key and empty data set: the qualifier alone decides
    *[(f"{q}:{op}{suffix}", key, ["env"], q == "ForAllValues")
      for q in ("ForAnyValue", "ForAllValues")
      for op in ("StringEquals", "StringNotEquals", "StringLike", "ArnNotLike")
      for suffix in ("", "IfExists")
      for key in (ABSENT, EMPTY)],
    # present key ("env", "team"): each value against the operator, IfExists changes nothing
    *[(f"ForAnyValue:StringEquals{s}", PRESENT, ["team", "x"], True) for s in ("", "IfExists")],
    *[(f"ForAnyValue:StringEquals{s}", PRESENT, ["x"], False) for s in ("", "IfExists")],
    *[(f"ForAllValues:StringEquals{s}", PRESENT, ["env", "team"], True) for s in ("", "IfExists")],
    *[(f"ForAllValues:StringEquals{s}", PRESENT, ["env"], False) for s in ("", "IfExists")],
    *[(f"ForAnyValue:StringNotEquals{s}", PRESENT, ["env"], True) for s in ("", "IfExists")],
    *[(f"ForAnyValue:StringNotEquals{s}", PRESENT, ["env", "team"], False)
      for s in ("", "IfExists")],
    *[(f"ForAllValues:StringNotEquals{s}", PRESENT, ["x"], True) for s in ("", "IfExists")],
    *[(f"ForAllValues:StringNotEquals{s}", PRESENT, ["env"], False) for s in ("", "IfExists")],
    # no qualifier: IfExists and negation decide a missing key; "" is a value like any other
    # (of a single-valued key: a multivalued one needs a qualifier, test_multivalued_keys.py)
    ("StringEquals", ABSENT, ["x"], False),
    ("StringEqualsIfExists", ABSENT, ["x"], True),
    ("StringNotEquals", ABSENT, ["x"], True),
    ("StringNotEqualsIfExists", ABSENT, ["x"], True),
    ("StringEquals", "aws:SourceIdentity", [""], True),
    ("StringEqualsIfExists", "aws:SourceIdentity", ["x"], False),
]


@pytest.mark.parametrize(("operator", "key", "values", "expected"), SET_TABLE,
                         ids=[f"{c[0]}-{c[1]}-{'/'.join(c[2])}" for c in SET_TABLE])
def test_set_operators_with_ifexists(operator: str, key: str, values: list[str],
                                     expected: bool) -> None:
    assert set_cond(operator, key, values) is expected


# --- exact operators compare literally ------------------------------------------------------
# IAM, string condition operators: StringEquals is "Exact matching, case sensitive"; only
# StringLike "can include multi-character match wildcards (*) and single-character match
# wildcards (?) anywhere in the string". ARN operators: "The ArnEquals and ArnLike condition
# operators behave identically" (both take wildcards). Personalize's aws:SourceArn is known
# only as "some resource ARN of its account and region", and never ends in ":*".

SOURCE = "arn:aws:personalize:us-east-1:111122223333"
LITERAL_CASES: list[tuple[str, dict[str, Any], bool | None]] = [
    ("stringequals star is literal", {"StringEquals": {"aws:SourceArn": f"{SOURCE}:*"}}, False),
    ("ignorecase star is literal",
     {"StringEqualsIgnoreCase": {"aws:SourceArn": f"{SOURCE}:*"}}, False),
    ("question mark is literal", {"StringEquals": {"aws:SourceArn": f"{SOURCE}:dataset-group/?"}},
     False),
    ("stringnotequals star", {"StringNotEquals": {"aws:SourceArn": f"{SOURCE}:*"}}, True),
    ("empty resource", {"StringEquals": {"aws:SourceArn": f"{SOURCE}:"}}, False),
    ("no resource type", {"StringEquals": {"aws:SourceArn": f"{SOURCE}:retail"}}, False),
    ("arnlike without wildcard, empty resource", {"ArnLike": {"aws:SourceArn": f"{SOURCE}:"}},
     False),
    ("stringlike star", {"StringLike": {"aws:SourceArn": f"{SOURCE}:*"}}, True),
    ("arnlike star", {"ArnLike": {"aws:SourceArn": f"{SOURCE}:*"}}, True),
    ("arnequals star", {"ArnEquals": {"aws:SourceArn": f"{SOURCE}:*"}}, True),
    # one real resource: which one Personalize names is not known
    ("stringequals one resource",
     {"StringEquals": {"aws:SourceArn": f"{SOURCE}:dataset-group/retail"}}, None),
    ("arnlike one resource", {"ArnLike": {"aws:SourceArn": f"{SOURCE}:dataset-group/retail"}},
     None),
]


def in_context(block: dict[str, Any], ctx: Context) -> bool | None:
    doc = normalize({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": block}]})
    return evaluate_conditions(doc.statements[0].conditions, ctx, True).value


@pytest.mark.parametrize(("block", "expected"), [c[1:] for c in LITERAL_CASES],
                         ids=[c[0] for c in LITERAL_CASES])
def test_exact_operators_compare_literally(block: dict[str, Any], expected: bool | None) -> None:
    personalize = service_context(account="111122223333", region="us-east-1")
    assert in_context(block, personalize) is expected


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, None),  # which account?
        ({"StringEquals": {"aws:SourceAccount": "*"}}, False),
        ({"StringEquals": {"aws:SourceAccount": "11112222333x"}}, False),  # not 12 digits
        ({"StringEquals": {"aws:SourceArn": "arn:aws:personalize:us-east-1:*:*"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:personalize:*:111122223333:*"}}, None),
    ],
)
def test_shapes_when_the_account_is_unknown(block: dict[str, Any], expected: bool | None) -> None:
    assert in_context(block, service_context()) is expected


# A key whose value is known when present but which the request may also lack. The service
# role's aws:MultiFactorAuthPresent: "This key is included in the request context only when
# the principal uses temporary credentials to make the request" and "Temporary credentials
# are used to authenticate IAM roles" (IAM, global condition keys), so the role's session
# may carry it, as false (Personalize assumes the role without MFA); AWS does not document
# whether a service's AssumeRole session carries it. A condition is decided only when both
# readings give the same answer.
MAYBE = Context.build({"aws:MultiFactorAuthPresent": "false"},
                      maybe_absent=("aws:MultiFactorAuthPresent",))
MAYBE_CASES: list[tuple[str, dict[str, Any], bool | None]] = [
    ("Bool false", {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, None),
    ("Bool true", {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, False),
    ("BoolIfExists false", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, True),
    ("BoolIfExists true", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, None),
    ("Null true", {"Null": {"aws:MultiFactorAuthPresent": "true"}}, None),
    ("ForAllValues on it", {"ForAllValues:StringEquals": {
        "aws:MultiFactorAuthPresent": ["false"]}}, True),
]


@pytest.mark.parametrize(("block", "expected"), [c[1:] for c in MAYBE_CASES],
                         ids=[c[0] for c in MAYBE_CASES])
def test_a_key_that_may_be_absent(block: dict[str, Any], expected: bool | None) -> None:
    doc = normalize({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": block}]})
    out = evaluate_conditions(doc.statements[0].conditions, MAYBE, True)
    assert out.value is expected
    if expected is None:
        assert out.keys == ("aws:MultiFactorAuthPresent",)


def test_a_policy_variable_that_may_be_absent_is_not_substituted() -> None:
    out = substitute("x-${aws:MultiFactorAuthPresent}", MAYBE)
    assert not isinstance(out, str)
