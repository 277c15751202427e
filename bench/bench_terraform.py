"""Checking a Terraform plan: the example set-up inside plans of growing size.

Usage: python bench/bench_terraform.py [--repeat 5] [--sizes 0,1000,5000]

Takes ``examples/terraform/broken/plan.json`` (the set-up, its attribution in a stack) and
adds N unrelated resources (``aws_instance``-like, with known and unknown values and a
configuration block each), as a large workspace's plan would have around it. Prints the
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
            path.write_text(json.dumps(padded(size)))  # one line, as terraform writes it
            best = min(check(path) for _ in range(args.repeat))
            label = f"example + {size:,} resources"
            print(f"{label:<28} {path.stat().st_size:>12,} {best * 1000:>9.0f}")


if __name__ == "__main__":
    main()
