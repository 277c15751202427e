"""A bucket policy written on the bucket itself (``aws_s3_bucket``'s ``policy`` argument).

The AWS provider documents it on ``aws_s3_bucket`` ("policy - (Optional, Deprecated) Valid
bucket policy JSON document"), kept for configurations written before
``aws_s3_bucket_policy``: it is the bucket's policy, not "no policy".
"""

from __future__ import annotations

from typing import Any

from planbuilder import Encode, Ref, doc
from tf_families import BUCKET_POLICY, compliant


def _on_the_bucket(policy: Any) -> Any:
    b = compliant()
    b.resources = [x for x in b.resources if x.type != "aws_s3_bucket_policy"]
    bucket = next(x for x in b.resources if x.address == "aws_s3_bucket.metrics")
    bucket.config["policy"] = policy
    return b


def test_the_buckets_own_policy_argument_is_its_policy(lint, write_plan) -> None:
    assert lint(write_plan(_on_the_bucket(doc(BUCKET_POLICY)))) == []


def test_a_broken_policy_on_the_bucket_is_found_there(lint, write_plan) -> None:
    broken = {**BUCKET_POLICY, "Statement": [
        {**BUCKET_POLICY["Statement"][0], "Action": "s3:GetObject"},
        BUCKET_POLICY["Statement"][1]]}
    findings = lint(write_plan(_on_the_bucket(doc(broken))))
    [finding] = findings
    assert (finding.rule_id, finding.location.logical_id) == ("PL201", "aws_s3_bucket.metrics")
    assert finding.location.pointer.endswith("/change/after/policy")
    assert "aws_s3_bucket.metrics.policy (bucket policy)" in finding.message


def test_a_policy_on_the_bucket_known_only_after_apply_is_not_evaluated(lint, write_plan):
    unknown = Encode({**BUCKET_POLICY, "Statement": [
        {**BUCKET_POLICY["Statement"][0], "Resource": Ref("aws_kms_key.metrics", "arn")}]})
    findings = lint(write_plan(_on_the_bucket(unknown)))
    assert {f.rule_id for f in findings} == {"PL003"}
    assert any("aws_s3_bucket.metrics.policy" in f.message for f in findings)
