"""Addresses, references, and following references to the instance they name."""

from __future__ import annotations

import pytest

from personalize_lint.document import Document
from personalize_lint.terraform.addresses import Key, Reference, module_calls, parse_reference
from personalize_lint.terraform.follow import Target, follow, split_module
from personalize_lint.terraform.plan import Plan
from planbuilder import Fmt, PlanBuilder, Ref, Var


@pytest.mark.parametrize(("text", "expected"), [
    ("aws_iam_role.metrics.arn", Reference("resource", "aws_iam_role", "metrics", None, "arn")),
    ("aws_iam_role.metrics", Reference("resource", "aws_iam_role", "metrics")),
    ('aws_iam_role.m["a.b"].arn',
     Reference("resource", "aws_iam_role", "m", Key("a.b"), "arn")),
    ("aws_iam_role.m[0]", Reference("resource", "aws_iam_role", "m", Key(0))),
    ("data.aws_iam_policy_document.trust.json",
     Reference("data", "aws_iam_policy_document", "trust", None, "json")),
    ("var.bucket", Reference("var", name="bucket")),
    ("module.personalize.role_arn", Reference("module", name="personalize",
                                              output="role_arn")),
    ('module.p["x"].role_arn', Reference("module", name="p", key=Key("x"),
                                         output="role_arn")),
    ("local.tags", Reference("local", name="tags")),
    ("aws_iam_role", None),
])
def test_references_are_read_from_their_steps(text: str, expected: Reference | None) -> None:
    assert parse_reference(text) == expected


@pytest.mark.parametrize(("module", "calls", "split"), [
    ("", (), ("", None)),
    ("module.a", ("a",), ("", "a")),
    ("module.a[0].module.b", ("a", "b"), ("module.a[0]", "b")),
    ('module.a["x.module.y"].module.b', ("a", "b"), ('module.a["x.module.y"]', "b")),
])
def test_module_addresses(module: str, calls: tuple[str, ...], split) -> None:
    assert module_calls(module) == calls
    assert split_module(module) == split


def _plan(builder: PlanBuilder) -> Plan:
    return Plan(Document("plan.json", "terraform-plan", builder.build()))


def test_a_value_known_only_after_apply_leads_to_the_instance_it_names() -> None:
    b = PlanBuilder()
    role = b.resource("aws_iam_role", "r", {"name": "x"}, computed=("arn", "id"))
    b.resource("aws_iam_role_policy", "p", {"role": Ref(role, "id")})
    plan = _plan(b)
    target = follow(plan, plan.by_address["aws_iam_role_policy.p"], ("role",))
    assert isinstance(target, Target)
    assert (target.instance.address, target.attribute) == ("aws_iam_role.r", "id")


def test_through_module_variables_and_outputs() -> None:
    b = PlanBuilder()
    bucket = b.resource("aws_s3_bucket", "b", {"bucket": "x"}, computed=("arn", "id"))
    b.module("m", {"bucket": Ref(bucket, "id")})
    b.resource("aws_s3_bucket_policy", "p", {"bucket": Var("bucket")}, module="m")
    plan = _plan(b)
    target = follow(plan, plan.by_address["module.m.aws_s3_bucket_policy.p"], ("bucket",))
    assert isinstance(target, Target) and target.instance.address == "aws_s3_bucket.b"


def test_an_interpolated_or_ambiguous_value_says_why_it_is_not_followed() -> None:
    b = PlanBuilder()
    one = b.resource("aws_s3_bucket", "one", {"bucket": "one"}, computed=("arn", "id"))
    two = b.resource("aws_s3_bucket", "two", {"bucket": "two"}, computed=("arn", "id"))
    b.resource("aws_s3_bucket_policy", "p", {"bucket": Fmt("{}-{}", Ref(one, "id"),
                                                           Ref(two, "id"))})
    plan = _plan(b)
    why = follow(plan, plan.by_address["aws_s3_bucket_policy.p"], ("bucket",))
    assert why == ("it refers to several resources (aws_s3_bucket.one, aws_s3_bucket.two)")


def test_without_configuration_there_is_nothing_to_follow() -> None:
    b = PlanBuilder()
    role = b.resource("aws_iam_role", "r", {"name": "x"}, computed=("arn", "id"))
    b.resource("aws_iam_role_policy", "p", {"role": Ref(role, "id")})
    data = b.build()
    del data["configuration"]
    plan = Plan(Document("plan.json", "terraform-plan", data))
    assert follow(plan, plan.by_address["aws_iam_role_policy.p"], ("role",)) == (
        "the plan has no configuration section to follow it by")
