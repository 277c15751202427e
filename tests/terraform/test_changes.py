"""Plans that change objects which exist already: what the role holds after apply.

The compliant example plans everything new. Here its role exists (``no-op``), as in most
plans of a running set-up, and the plan changes or deletes what grants the role its access.
For an existing role the AWS provider's read fills ``inline_policy`` with every inline
policy the role has now and ``managed_policy_arns`` with every policy attached now
(resourceRoleRead), aws_iam_role_policy and aws_iam_role_policy_attachment ones included:
those lists are the role before the plan, not after it. Likewise an existing bucket's
``policy`` is the bucket policy it has now, an aws_s3_bucket_policy's included. A deleted
object stays in ``resource_changes`` with ``"after": null`` and leaves ``planned_values``
(JSON output format, "Change Representation").
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from example_plans import EXAMPLES
from helpers import run_cli

ROLE = "PersonalizeMetricsRole"
POLICY = "aws_iam_role_policy.metrics"
CLOUDWATCH = "arn:aws:iam::aws:policy/CloudWatchFullAccessV2"  # allows PutMetricData

Plan = dict[str, Any]


def change_of(plan: Plan, address: str) -> dict[str, Any]:
    return next(c for c in plan["resource_changes"] if c["address"] == address)["change"]


def planned(plan: Plan, address: str) -> dict[str, Any]:
    return next(r for r in plan["planned_values"]["root_module"]["resources"]
                if r["address"] == address)


def existing_role(plan: Plan, *, inline: list[dict[str, str]] | None = None,
                  attached: list[str] | None = None) -> None:
    """The role as it is: its inline policies (default: the example's policy as it was
    applied) and attached policies, known in the plan as the provider read them."""
    role = change_of(plan, "aws_iam_role.metrics")
    policy = change_of(plan, POLICY)["after"]
    values = {**role["after"], "arn": f"arn:aws:iam::123456789012:role/{ROLE}", "id": ROLE,
              "inline_policy": inline if inline is not None else [
                  {"name": policy["name"], "policy": policy["policy"]}],
              "managed_policy_arns": attached or []}
    role.update(actions=["no-op"], before=values, after=values, after_unknown={})
    planned(plan, "aws_iam_role.metrics")["values"] = values
    # The policy exists too: its role is known.
    policy_change = change_of(plan, POLICY)
    known = {**policy, "role": ROLE, "id": f"{ROLE}:{policy['name']}"}
    policy_change.update(actions=["no-op"], before=known, after=known, after_unknown={})
    planned(plan, POLICY)["values"] = known


def without_publish(plan: Plan) -> None:
    """The plan's aws_iam_role_policy no longer allows cloudwatch:PutMetricData."""
    change = change_of(plan, POLICY)
    document = json.loads(change["after"]["policy"])
    document["Statement"] = [s for s in document["Statement"] if s["Sid"] != "PublishMetrics"]
    after = {**change["after"], "policy": json.dumps(document)}
    change.update(actions=["update"], after=after)
    planned(plan, POLICY)["values"] = after


def deleted(plan: Plan, address: str) -> None:
    change = change_of(plan, address)
    change.update(actions=["delete"], before=change["after"], after=None, after_unknown={})
    root = plan["planned_values"]["root_module"]
    root["resources"] = [r for r in root["resources"] if r["address"] != address]


def detached(plan: Plan, arn: str) -> None:
    """A deleted aws_iam_role_policy_attachment of ``arn`` to the role."""
    attachment = {"policy_arn": arn, "role": ROLE, "id": f"{ROLE}-20261130"}
    plan["resource_changes"].append({
        "address": "aws_iam_role_policy_attachment.cloudwatch", "mode": "managed",
        "type": "aws_iam_role_policy_attachment", "name": "cloudwatch",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["delete"], "before": attachment, "after": None,
                   "after_unknown": {}, "before_sensitive": {}, "after_sensitive": False},
        "action_reason": "delete_because_no_resource_config"})


def added(plan: Plan, kind: str, name: str, values: dict[str, Any]) -> None:
    """A new resource of the plan, its values known."""
    address = f"{kind}.{name}"
    plan["resource_changes"].append({
        "address": address, "mode": "managed", "type": kind, "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["create"], "before": None, "after": values,
                   "after_unknown": {}, "before_sensitive": False, "after_sensitive": {}}})
    plan["planned_values"]["root_module"]["resources"].append({
        "address": address, "mode": "managed", "type": kind, "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
        "values": values, "sensitive_values": {}})


def existing_bucket(plan: Plan) -> None:
    """The bucket and its policy exist: the bucket's policy argument shows that policy."""
    policy = change_of(plan, "aws_s3_bucket_policy.metrics")
    bucket = change_of(plan, "aws_s3_bucket.metrics")
    name = bucket["after"]["bucket"]
    values = {**bucket["after"], "policy": policy["after"]["policy"], "id": name,
              "arn": f"arn:aws:s3:::{name}"}
    bucket.update(actions=["no-op"], before=values, after=values, after_unknown={})
    planned(plan, "aws_s3_bucket.metrics")["values"] = values
    known = {**policy["after"], "bucket": name, "id": name}
    policy.update(actions=["no-op"], before=known, after=known, after_unknown={})
    planned(plan, "aws_s3_bucket_policy.metrics")["values"] = known


def check(tmp_path: Path, change: Callable[[Plan], None]) -> tuple[int, list[str]]:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "compliant", project)
    plan = json.loads((project / "plan.json").read_text(encoding="utf-8"))
    change(plan)
    (project / "plan.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")
    run = run_cli("check", ".", "--format", "json", cwd=project)
    assert "Traceback" not in run.err
    return run.code, sorted(f["rule_id"] for f in run.json()["findings"])


def _both(*changes: Callable[[Plan], None]) -> Callable[[Plan], None]:
    def run(plan: Plan) -> None:
        for change in changes:
            change(plan)
    return run


def existing_role_with_a_second_inline_policy(plan: Plan) -> None:
    """The existing role also holds an inline policy no resource of the plan manages, which
    publishes the metrics."""
    existing_role(plan, inline=[
        {"name": "attribution", "policy": change_of(plan, POLICY)["after"]["policy"]},
        {"name": "legacy-console", "policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}]})}])


CASES: list[tuple[str, Callable[[Plan], None], tuple[int, list[str]]]] = [
    ("the existing set-up, unchanged", existing_role, (0, [])),
    # The role's inline_policy still shows the old PublishMetrics statement.
    ("its policy loses PutMetricData", _both(existing_role, without_publish), (1, ["PL103"])),
    ("its policy is deleted", _both(existing_role, lambda p: deleted(p, POLICY)),
     (1, ["PL103", "PL104"])),
    # An inline policy no resource of the plan manages stays on the role.
    ("another inline policy of the role still publishes", _both(
        existing_role_with_a_second_inline_policy,
        without_publish), (0, [])),
    ("the other inline policy is removed by an exclusive list", _both(
        existing_role_with_a_second_inline_policy,
        without_publish,
        lambda p: added(p, "aws_iam_role_policies_exclusive", "metrics",
                        {"role_name": ROLE, "policy_names": ["attribution"]})),
     (1, ["PL103"])),
    ("an attached policy still publishes",
     _both(lambda p: existing_role(p, attached=[CLOUDWATCH]), without_publish), (0, [])),
    ("the attached policy that publishes is detached",
     _both(lambda p: existing_role(p, attached=[CLOUDWATCH]), without_publish,
           lambda p: detached(p, CLOUDWATCH)), (1, ["PL103"])),
    ("the attached policy that publishes is left out of an exclusive list",
     _both(lambda p: existing_role(p, attached=[CLOUDWATCH]), without_publish,
           lambda p: added(p, "aws_iam_role_policy_attachments_exclusive", "metrics",
                           {"role_name": ROLE, "policy_arns": []})), (1, ["PL103"])),
    ("an exclusive list that keeps the attached policy",
     _both(lambda p: existing_role(p, attached=[CLOUDWATCH]), without_publish,
           lambda p: added(p, "aws_iam_role_policy_attachments_exclusive", "metrics",
                           {"role_name": ROLE, "policy_arns": [CLOUDWATCH]})), (0, [])),
    ("the existing bucket, unchanged", existing_bucket, (0, [])),
    ("the bucket's policy is deleted",
     _both(existing_bucket, lambda p: deleted(p, "aws_s3_bucket_policy.metrics")),
     (1, ["PL201"])),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_what_the_set_up_holds_after_apply(tmp_path: Path, change, expected) -> None:
    assert check(tmp_path, change) == expected
