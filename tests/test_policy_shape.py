"""PL002 for policies: the IAM policy grammar, what IAM itself rejects as malformed."""

from __future__ import annotations

from typing import Any

import pytest

from personalize_lint.policy_shape import policy_problems, unwrap_policy

OK_STATEMENT = {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}


def problems(policy: Any, kind: str = "identity") -> list[tuple[str, str]]:
    return list(policy_problems(policy, kind))


@pytest.mark.parametrize(
    ("policy", "kind"),
    [
        ({"Version": "2012-10-17", "Statement": [OK_STATEMENT]}, "identity"),
        ({"Statement": OK_STATEMENT}, "identity"),  # Statement as one object
        ({"Version": "2008-10-17", "Id": "x", "Statement": [OK_STATEMENT]}, "identity"),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": ["personalize.amazonaws.com"]},
                        "Action": "sts:AssumeRole",
                    }
                ]
            },
            "trust",
        ),
        (
            {
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::b/*",
                        "Condition": {"Bool": {"aws:SecureTransport": False}},
                    }
                ]
            },
            "bucket",
        ),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "NotAction": ["iam:*"],
                        "NotResource": "arn:aws:s3:::x",
                        "Condition": {"Null": {"aws:TokenIssueTime": "true"}},
                    }
                ]
            },
            "identity",
        ),
    ],
)
def test_valid_policies_have_no_problems(policy: dict[str, Any], kind: str) -> None:
    assert problems(policy, kind) == []


@pytest.mark.parametrize(
    ("policy", "kind", "message", "pointer"),
    [
        ([OK_STATEMENT], "identity", "must be a JSON object", ""),
        ({"Version": "2012-10-17"}, "identity", "has no Statement", ""),
        (
            {"Statement": "Allow everything"},
            "identity",
            "Statement must be an object or a list",
            "/Statement",
        ),
        ({"Statement": []}, "identity", "empty list", "/Statement"),
        (
            {"Version": "2012-10-18", "Statement": [OK_STATEMENT]},
            "identity",
            "Version must be",
            "/Version",
        ),
        (
            {"Statment": [OK_STATEMENT]},
            "identity",
            "unknown policy member 'Statment' (did you mean",
            "/Statment",
        ),
        (
            {"Statement": [{"Action": "s3:PutObject", "Resource": "*"}]},
            "identity",
            "no Effect",
            "/Statement/0",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "Effect": "allow"}]},
            "identity",
            "Effect must be",
            "/Statement/0/Effect",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Resource": "*"}]},
            "identity",
            "neither Action nor NotAction",
            "/Statement/0",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "NotAction": "s3:*"}]},
            "identity",
            "both Action and NotAction",
            "/Statement/0/NotAction",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:PutObject"}]},
            "identity",
            "neither Resource nor NotResource",
            "/Statement/0",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "Principal": "*"}]},
            "identity",
            "must not have Principal",
            "/Statement/0/Principal",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "Sid": "my statement!"}]},
            "identity",
            "only letters and digits",
            "/Statement/0/Sid",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "Sid": "A"}, {**OK_STATEMENT, "Sid": "A"}]},
            "identity",
            "duplicate Sid 'A'",
            "/Statement/1/Sid",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "Action": "PutMetricData"}]},
            "identity",
            "is not an action",
            "/Statement/0/Action",
        ),
        (
            {
                "Statement": [
                    {**OK_STATEMENT, "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}}
                ]
            },
            "identity",
            "CloudFormation intrinsic",
            "/Statement/0/Resource",
        ),
        # IAM, Resource element: "You can't use a wildcard in the service segment that
        # identifies the AWS product."
        (
            {"Statement": [{**OK_STATEMENT, "Resource": "arn:aws:s*:::b/*"}]},
            "identity",
            "'arn:aws:s*:::b/*' has a wildcard in its service field",
            "/Statement/0/Resource",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "NotResource": ["arn:aws:s3:::b", "arn:*:?3:::c"]}]},
            "identity",
            "'arn:*:?3:::c' has a wildcard in its service field",
            "/Statement/0/NotResource/1",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "action": "s3:*"}]},
            "identity",
            "element names are case-sensitive; use 'Action'",
            "/Statement/0/action",
        ),
        (
            {
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}
                ]
            },
            "bucket",
            "neither Principal nor NotPrincipal",
            "/Statement/0",
        ),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Services": "personalize.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            },
            "trust",
            "unknown principal type 'Services'",
            "/Statement/0/Principal/Services",
        ),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "personalize.amazonaws.com",
                        "Action": "sts:AssumeRole",
                    }
                ]
            },
            "trust",
            "a principal must be",
            "/Statement/0/Principal",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "Condition": ["aws:SecureTransport"]}]},
            "identity",
            "Condition must be an object",
            "/Statement/0/Condition",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "Condition": {"StringEquals": "x"}}]},
            "identity",
            "must map keys to values",
            "/Statement/0/Condition/StringEquals",
        ),
        (
            {"Statement": [{**OK_STATEMENT, "Condition": {"StringEquals": {"aws:x": {"a": 1}}}}]},
            "identity",
            "must be a string, number or boolean",
            "/Statement/0/Condition/StringEquals/aws:x",
        ),
    ],
)
def test_malformed_policies(policy: Any, kind: str, message: str, pointer: str) -> None:
    found = problems(policy, kind)
    assert any(message in m and p == pointer for m, p in found), found


def test_unwrap_get_role_policy_output() -> None:
    inner = {"Statement": [OK_STATEMENT]}
    assert unwrap_policy({"RoleName": "r", "PolicyDocument": inner}) == (inner, "/PolicyDocument")
    assert unwrap_policy(inner) == (inner, "")
