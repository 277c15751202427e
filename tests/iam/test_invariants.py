"""Properties every correct evaluator has, checked on generated policies (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalize_lint.iam.context import Partial, Principal, Request, role_context, service_context
from personalize_lint.iam.evaluator import Result, evaluate, evaluate_with_and_without_denies

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/R"

ACTIONS = ["cloudwatch:PutMetricData", "cloudwatch:Put*", "cloudwatch:*", "*", "s3:*",
           "s3:PutObject", "s3:Get*", "logs:*", "CloudWatch:putmetricdata", "s3:?utObject"]
RESOURCES = ["*", "arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:s3:::b/out/*",
             "arn:aws:s3:::b/out/a*", "arn:aws:s3:::c/*", "arn:aws:cloudwatch:*:*:*",
             "arn:aws:s3:::b/${aws:PrincipalAccount}/*"]
PRINCIPALS: list[Any] = ["*", {"AWS": "*"}, {"Service": "personalize.amazonaws.com"},
                         {"Service": "ec2.amazonaws.com"}, {"AWS": ROLE}, {"AWS": ACCOUNT},
                         {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, {"AWS": "999999999999"}]
CONDITIONS: list[Any] = [
    None,
    {"Bool": {"aws:SecureTransport": "false"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}},
    {"StringEquals": {"aws:PrincipalTag/team": "x"}},  # unknown key
    {"ArnEquals": {"aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:x/y"}},
    {"ArnLike": {"aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}},
    {"Null": {"aws:SourceVpce": "true"}},
    {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}},
]


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None, resource_policy: bool = False) -> (
    dict[str, Any]
):
    stmt: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    action_key = draw(st.sampled_from(["Action", "Action", "NotAction"]))
    stmt[action_key] = draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3))
    resource_key = draw(st.sampled_from(["Resource", "Resource", "NotResource"]))
    stmt[resource_key] = draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=3))
    if resource_policy:
        key = draw(st.sampled_from(["Principal", "Principal", "Principal", "NotPrincipal"]))
        stmt[key] = draw(st.sampled_from(PRINCIPALS))
    cond = draw(st.sampled_from(CONDITIONS))
    if cond is not None:
        stmt["Condition"] = cond
    return stmt


def requests() -> list[tuple[Request, str | None]]:
    role_ctx = role_context(role_arn=ROLE, account=ACCOUNT, region="us-east-1")
    svc_ctx = service_context(account=ACCOUNT, region="us-east-1")
    objects = Partial("arn:aws:s3:::b/out/*")
    return [
        (Request(Principal.role(ROLE), "cloudwatch:PutMetricData", "*", role_ctx), None),
        (Request(Principal.role(ROLE), "s3:PutObject", objects, role_ctx), "s3"),
        (Request(Principal.service(), "s3:PutObject", objects, svc_ctx), "s3"),
        (Request(Principal.role(ROLE), "s3:PutObject", objects, role_ctx), "kms"),
    ]


def decide(identity: list[dict[str, Any]], resource: list[dict[str, Any]]) -> list[str]:
    out = []
    for request, kind in requests():
        result = evaluate(
            request,
            identity_policies=[{"Version": "2012-10-17", "Statement": identity}],
            resource_policy={"Version": "2012-10-17", "Statement": resource} if kind else None,
            resource_kind=kind,  # type: ignore[arg-type]
        )
        out.append(result.decision)
    return out


IDENTITY = st.lists(statements(), max_size=4)
RESOURCE = st.lists(statements(resource_policy=True), max_size=4)


# Adding a Deny never turns "denied" into "allowed"; adding an Allow never the reverse.
@pytest.mark.parametrize(("effect", "kept", "other"), [
    ("Deny", "denied", "allowed"),
    ("Allow", "allowed", "denied"),
])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_adding_a_statement_only_moves_decisions_its_way(
    effect: str, kept: str, other: str, data: st.DataObject
) -> None:
    identity, resource = data.draw(IDENTITY), data.draw(RESOURCE)
    extra_identity = data.draw(statements(effect=effect))
    extra_resource = data.draw(statements(effect, resource_policy=True))
    before = decide(identity, resource)
    for after in (decide([*identity, extra_identity], resource),
                  decide(identity, [*resource, extra_resource])):
        for b, a in zip(before, after, strict=True):
            if b == kept:
                assert a == kept
            if a == other:
                assert b == other


@settings(max_examples=100, deadline=None)
@given(IDENTITY, RESOURCE, st.randoms(use_true_random=False))
def test_statement_order_changes_nothing(
    identity: list[dict[str, Any]], resource: list[dict[str, Any]], rnd: Any
) -> None:
    before = decide(identity, resource)
    shuffled_identity, shuffled_resource = identity[:], resource[:]
    rnd.shuffle(shuffled_identity)
    rnd.shuffle(shuffled_resource)
    assert decide(shuffled_identity, shuffled_resource) == before


def _facts(result: Result) -> tuple[Any, ...]:
    return (result.decision, result.explicit_deny, result.deciding, result.uncertain_reasons,
            result.uncertain_keys, result.closest, result.closest_misses)


@settings(max_examples=150, deadline=None)
@given(IDENTITY, RESOURCE, st.booleans())
def test_one_matching_answers_with_and_without_denies(
    identity: list[dict[str, Any]], resource: list[dict[str, Any]], same_account: bool
) -> None:
    """evaluate_with_and_without_denies is evaluate() and evaluate(ignore_denies=True)."""
    for request, kind in requests():
        args: dict[str, Any] = {
            "identity_policies": [{"Version": "2012-10-17", "Statement": identity}],
            "resource_policy": {"Version": "2012-10-17", "Statement": resource} if kind else None,
            "resource_kind": kind,
            "same_account": same_account,
        }
        full, grant = evaluate_with_and_without_denies(request, **args)
        assert _facts(full) == _facts(evaluate(request, **args))
        assert _facts(grant) == _facts(evaluate(request, **args, ignore_denies=True))
