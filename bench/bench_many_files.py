"""Many files in one run: `personalize-lint check DIR` over N policy and schema files, and
cfn-lint over N small CloudFormation templates, as whole processes.

Usage: python bench/bench_many_files.py [--files 5000] [--cfn-lint PATH]

Prints wall time and files/second for each. The files are synthetic but shaped like the
corpus: identity, trust and bucket policies, Interactions/Items schemas, metric-attribution
requests, and (for cfn-lint) templates with a role and a bucket policy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def policy(i: int) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": f"S{i}", "Effect": "Allow", "Action": ["cloudwatch:PutMetricData"],
         "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::bucket-{i}/attribution/*"}]}


def bucket_policy(i: int) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
        "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::bucket-{i}/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}


def schema(i: int) -> dict[str, object]:
    return {"type": "record", "name": "Interactions",
            "namespace": "com.amazonaws.personalize.schema", "version": "1.0",
            "fields": [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"},
                       {"name": "TIMESTAMP", "type": "long"},
                       {"name": "EVENT_TYPE", "type": "string"}]}


def template(i: int) -> dict[str, object]:
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
                "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": policy(i)}]}},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "BucketPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "Bucket"}, "PolicyDocument": bucket_policy(i)}}}}


def run(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, env=ENV, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1, 2, 4, 6, 8, 10, 12):
        print(proc.stderr.decode()[-2000:], file=sys.stderr)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--cfn-lint", default=shutil.which("cfn-lint"))
    args = parser.parse_args()
    makers = (policy, bucket_policy, schema)
    ours = [str(Path(sys.executable).parent / "personalize-lint"), "check", ".", "-q"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = root / "repo"
        for i in range(args.files):
            path = files / f"d{i // 500}" / f"f{i}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(makers[i % 3](i), indent=2))
        run(ours, files)  # warm caches and byte-code
        seconds = run(ours, files)
        print(f"personalize-lint check: {args.files} files in {seconds:.2f} s "
              f"({args.files / seconds:,.0f} files/s)")
        if args.cfn_lint:
            templates = root / "templates"
            templates.mkdir()
            for i in range(args.files):
                (templates / f"t{i}.json").write_text(json.dumps(template(i), indent=2))
            seconds = run([args.cfn_lint, "templates/*.json"], root)
            print(f"cfn-lint:               {args.files} templates in {seconds:.2f} s "
                  f"({args.files / seconds:,.0f} files/s)")
            seconds = run([*ours[:2], "templates", "-q"], root)
            print(f"personalize-lint check: {args.files} templates in {seconds:.2f} s "
                  f"({args.files / seconds:,.0f} files/s)")
        else:
            print("cfn-lint not found: pass --cfn-lint PATH to compare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
