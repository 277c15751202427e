"""Checking a Terraform plan: the example set-up inside plans of growing size.

Usage: python bench/bench_terraform.py [--repeat 5] [--sizes 0,1000,5000] [--iam]

Takes ``examples/terraform/broken/plan.json`` (the set-up, its attribution in a stack) and
adds N unrelated resources (``aws_instance``-like, with known and unknown values and a
configuration block each), as a large workspace's plan would have around it. With
``--iam`` the N resources are IAM roles, role policies and attachments, KMS keys with an
``aws_kms_key_policy`` and buckets with their encryption (N/6 of each, linked by
references known only after apply): what the linker matches against every role, key and
bucket it builds. Prints the
plan's size and the best of R in-process ``check`` runs (load, link, rules), and the time
of a run on one small policy file for scale (what a pre-commit run on one file pays).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from personalize_lint.config import load_config
from personalize_lint.engine import CheckOptions, run_check
from personalize_lint.plugins import make_plugin_manager

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "terraform" / "broken" / "plan.json"


def padded(extra: int) -> dict[str, Any]:
    plan = json.loads(EXAMPLE.read_text())
    for i in range(extra):
        name = f"web_{i}"
        after = {"ami": "ami-0abcdef1234567890", "instance_type": "t3.micro",
                 "tags": {"Name": name, "team": "web"}, "monitoring": False,
                 "root_block_device": [{"volume_size": 8, "encrypted": True}]}
        plan["resource_changes"].append({
            "address": f"aws_instance.{name}", "mode": "managed", "type": "aws_instance",
            "name": name, "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": None, "after": after,
                       "after_unknown": {"arn": True, "id": True, "private_ip": True,
                                         "root_block_device": [{"volume_id": True}]},
                       "before_sensitive": False, "after_sensitive": {}}})
        plan["planned_values"]["root_module"]["resources"].append({
            "address": f"aws_instance.{name}", "mode": "managed", "type": "aws_instance",
            "name": name, "provider_name": "registry.terraform.io/hashicorp/aws",
            "schema_version": 1, "values": after, "sensitive_values": {}})
        plan["configuration"]["root_module"]["resources"].append({
            "address": f"aws_instance.{name}", "mode": "managed", "type": "aws_instance",
            "name": name, "provider_config_key": "aws",
            "expressions": {"ami": {"constant_value": after["ami"]},
                            "subnet_id": {"references": ["aws_subnet.main.id",
                                                         "aws_subnet.main"]}},
            "schema_version": 1})
    return plan


def _add(plan: dict[str, Any], kind: str, name: str, after: dict[str, Any],
         unknown: dict[str, Any], expressions: dict[str, Any]) -> None:
    address = f"{kind}.{name}"
    head = {"address": address, "mode": "managed", "type": kind, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws"}
    plan["resource_changes"].append({**head, "change": {
        "actions": ["create"], "before": None, "after": after, "after_unknown": unknown,
        "before_sensitive": False, "after_sensitive": {}}})
    plan["planned_values"]["root_module"]["resources"].append({
        **head, "schema_version": 0, "values": after, "sensitive_values": {}})
    plan["configuration"]["root_module"]["resources"].append({
        "address": address, "mode": "managed", "type": kind, "name": name,
        "provider_config_key": "aws", "expressions": expressions, "schema_version": 0})


def _refs(address: str, attribute: str) -> dict[str, Any]:
    return {"references": [f"{address}.{attribute}", address]}


def padded_iam(extra: int) -> dict[str, Any]:
    plan = json.loads(EXAMPLE.read_text())
    read = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}]})
    root = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "kms:*", "Resource": "*"}]})
    for i in range(extra // 6):
        role, key, bucket = f"aws_iam_role.r{i}", f"aws_kms_key.k{i}", f"aws_s3_bucket.b{i}"
        _add(plan, "aws_iam_role", f"r{i}", {"name": f"role-{i}", "assume_role_policy": trust},
             {"arn": True, "id": True, "inline_policy": True, "managed_policy_arns": True},
             {"name": {"constant_value": f"role-{i}"},
              "assume_role_policy": {"constant_value": trust}})
        _add(plan, "aws_iam_role_policy", f"p{i}", {"name": "read", "policy": read},
             {"role": True, "id": True}, {"name": {"constant_value": "read"},
                                          "policy": {"constant_value": read},
                                          "role": _refs(role, "id")})
        arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        _add(plan, "aws_iam_role_policy_attachment", f"a{i}", {"policy_arn": arn},
             {"role": True, "id": True}, {"policy_arn": {"constant_value": arn},
                                          "role": _refs(role, "id")})
        _add(plan, "aws_kms_key", f"k{i}", {"description": "k"},
             {"arn": True, "id": True, "key_id": True, "policy": True},
             {"description": {"constant_value": "k"}})
        _add(plan, "aws_kms_key_policy", f"k{i}", {"policy": root}, {"key_id": True, "id": True},
             {"policy": {"constant_value": root}, "key_id": _refs(key, "id")})
        _add(plan, "aws_s3_bucket", f"b{i}", {"bucket": f"bucket-{i}"},
             {"arn": True, "id": True}, {"bucket": {"constant_value": f"bucket-{i}"}})
        _add(plan, "aws_s3_bucket_server_side_encryption_configuration", f"b{i}",
             {"rule": [{"apply_server_side_encryption_by_default": [
                 {"sse_algorithm": "aws:kms"}]}]},
             {"bucket": True, "id": True, "rule": [{"apply_server_side_encryption_by_default": [
                 {"kms_master_key_id": True}]}]},
             {"bucket": _refs(bucket, "id"), "rule": [{"apply_server_side_encryption_by_default": [
                 {"sse_algorithm": {"constant_value": "aws:kms"},
                  "kms_master_key_id": _refs(key, "arn")}]}]})
    return plan


def check(path: Path) -> float:
    config = load_config(None, path.parent)
    pm = make_plugin_manager(autoload=False)
    start = time.perf_counter()
    run_check(config, pm, CheckOptions(paths=[path]))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="0,1000,5000")
    parser.add_argument("--iam", action="store_true",
                        help="pad with IAM/KMS/S3 resources the linker matches, not instances")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        policy = root / "policy.json"
        policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}]}))
        print(f"{'plan':<28} {'bytes':>12} {'check ms':>9}")
        print(f"{'(one policy file)':<28} {policy.stat().st_size:>12,} "
              f"{min(check(policy) for _ in range(args.repeat)) * 1000:>9.0f}")
        for size in (int(s) for s in args.sizes.split(",")):
            path = root / f"plan-{size}.json"
            # One line, as terraform writes it.
            path.write_text(json.dumps((padded_iam if args.iam else padded)(size)))
            best = min(check(path) for _ in range(args.repeat))
            label = f"example + {size:,} resources"
            print(f"{label:<28} {path.stat().st_size:>12,} {best * 1000:>9.0f}")


if __name__ == "__main__":
    main()
