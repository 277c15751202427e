"""A multivalued context key under an operator without ForAnyValue:/ForAllValues:.

"Multivalued context keys require a condition set operator." (IAM user guide, "Single-valued
vs. multivalued context keys") is all AWS documents: not whether ``StringEquals`` on a
multivalued key matches when any value does, when all do, or never (iam-simulate answers
"never"; we answered "any" until the differential test in tests/iam/differential showed
the disagreement). So the evaluator cannot tell, and says so; with a set operator, or with
the key absent, it decides as before.
"""

from __future__ import annotations

from typing import Any

import pytest

from personalize_lint.iam.conditions import evaluate_conditions
from personalize_lint.iam.context import Context, multivalued
from personalize_lint.iam.evaluator import evaluate
from personalize_lint.iam.statements import normalize

from .test_evaluator import OBJECTS, allow, policy, service_request

CTX = Context.build(
    {"aws:CalledVia": ("athena.amazonaws.com",),
     "aws:PrincipalServiceNamesList": ("personalize.amazonaws.com",),
     "aws:SourceAccount": "111122223333"},
    absent=("aws:PrincipalOrgPaths",),
)


def cond(block: dict[str, Any]) -> bool | None:
    doc = normalize({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": block}]})
    return evaluate_conditions(doc.statements[0].conditions, CTX, True).value


CASES: list[tuple[str, dict[str, Any], bool | None]] = [
    ("equals without set operator", {"StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}},
     None),
    ("not equals without set operator",
     {"StringNotEquals": {"aws:CalledVia": "dynamodb.amazonaws.com"}}, None),
    ("one value is still a multivalued key",
     {"StringEquals": {"aws:PrincipalServiceNamesList": "personalize.amazonaws.com"}}, None),
    ("case-insensitive key name", {"StringLike": {"AWS:CALLEDVIA": "*"}}, None),
    ("foranyvalue decides", {"ForAnyValue:StringEquals": {
        "aws:CalledVia": "athena.amazonaws.com"}}, True),
    ("forallvalues decides", {"ForAllValues:StringLike": {"aws:CalledVia": "dynamo*"}}, False),
    ("absent key: negated operator holds", {"StringNotEquals": {"aws:PrincipalOrgPaths": "x"}},
     True),
    ("absent key: positive operator fails", {"StringLike": {"aws:PrincipalOrgPaths": "*"}},
     False),
    ("single-valued key unaffected", {"StringEquals": {"aws:SourceAccount": "111122223333"}},
     True),
]


@pytest.mark.parametrize(("block", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_multivalued_key_without_set_operator(block: dict[str, Any],
                                              expected: bool | None) -> None:
    assert cond(block) is expected


def test_the_catalogue_names_the_documented_multivalued_keys() -> None:
    assert multivalued("aws:PrincipalServiceNamesList") and multivalued("aws:TagKeys")
    assert not multivalued("aws:PrincipalServiceName") and not multivalued("aws:SourceArn")


def test_a_bucket_grant_on_a_multivalued_key_is_not_evaluated_rather_than_passed() -> None:
    grant = allow("s3:PutObject", "arn:aws:s3:::metrics-bucket/*",
                  Principal={"Service": "personalize.amazonaws.com"},
                  Condition={"StringEquals": {
                      "aws:PrincipalServiceNamesList": "personalize.amazonaws.com"}})
    result = evaluate(service_request("s3:PutObject", OBJECTS), resource_policy=policy(grant),
                      resource_kind="s3")
    assert result.uncertain
    assert "aws:PrincipalServiceNamesList" in result.uncertain_keys
