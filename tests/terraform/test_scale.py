"""A large workspace's plan: the work of linking grows with the plan, not with its square.

Each role is matched against every attachment and inline policy of the plan, each key
against every ``aws_kms_key_policy``, each bucket against every encryption configuration:
those answers depend on the plan alone and are worked out once. Counted, not timed (the
machine is shared): a plan twice as large follows references and resolves links about
twice as often. Timings are in ``bench/bench_terraform.py --iam``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from personalize_lint.terraform import follow, template
from planbuilder import PlanBuilder, Ref, doc
from tf_families import r

READ = doc({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
TRUST = doc({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})


def workspace(size: int) -> PlanBuilder:
    """``size`` roles with an inline policy and an attachment each, and ``size`` buckets
    encrypted with their own key, whose policy is an ``aws_kms_key_policy``."""
    b = PlanBuilder()
    for i in range(size):
        role = r(b, "aws_iam_role", f"r{i}", {"name": f"role-{i}", "assume_role_policy": TRUST})
        r(b, "aws_iam_role_policy", f"p{i}", {"name": "read", "role": Ref(role, "id"),
                                               "policy": READ})
        r(b, "aws_iam_role_policy_attachment", f"a{i}", {
            "role": Ref(role, "name"), "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
        key = r(b, "aws_kms_key", f"k{i}", {"description": f"key {i}"})
        r(b, "aws_kms_key_policy", f"k{i}", {"key_id": Ref(key, "id"), "policy": doc({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "kms:*", "Resource": "*"}]})})
        bucket = r(b, "aws_s3_bucket", f"b{i}", {"bucket": f"bucket-{i}"})
        r(b, "aws_s3_bucket_server_side_encryption_configuration", f"b{i}", {
            "bucket": Ref(bucket, "id"),
            "rule": [{"apply_server_side_encryption_by_default": [{
                "sse_algorithm": "aws:kms", "kms_master_key_id": Ref(key, "arn")}]}]})
    return b


def work(size: int, tmp_path: Path, lint, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counts: Counter[str] = Counter()
    for owner, name in ((follow, "_resolve"), (template.PlanResolver, "link")):
        original = getattr(owner, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)
    plan = workspace(size).write(tmp_path / f"plan-{size}.json")
    lint(plan)
    monkeypatch.undo()
    return counts


def test_linking_grows_with_the_plan_not_its_square(tmp_path: Path, lint, monkeypatch):
    small, large = (work(size, tmp_path, lint, monkeypatch) for size in (20, 40))
    assert small["_resolve"] and small["link"]
    for name in ("_resolve", "link"):
        assert large[name] <= 2.5 * small[name], (name, small[name], large[name])
