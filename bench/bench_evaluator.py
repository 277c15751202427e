"""Evaluate 1,000 policy documents in one process with the IAM evaluator; target < 1 s.

Usage: python bench/bench_evaluator.py [--documents 1000] [--corpus ../shared/corpus]

The documents are the policy files of the shared corpus (the JSON ones that parse),
repeated, topped up with synthetic policies (identity, bucket, key and trust policies with
wildcards, NotAction, conditions and Deny statements). Each document is normalised once and
then asked every question Personalize's set-up rules ask of its kind: an identity policy
the role's CloudWatch, S3 and KMS requests (6), a bucket policy the service principal's
PutObject with and without Denies (2), a key policy five KMS actions for the service and
the role (10), a trust policy sts:AssumeRole (1). Prints the wall time and the rate.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from personalize_lint.iam.context import (
    Partial,
    Principal,
    Request,
    role_context,
    service_context,
)
from personalize_lint.iam.evaluator import ALLOW_ALL, evaluate, prepare

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeMetricsRole"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OBJECTS = Partial("arn:aws:s3:::metrics-bucket/attribution/*")
KMS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant",
       "kms:ListGrants")
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
KIND_OF = {"iam-policy": "identity", "bucket-policy": "bucket", "key-policy": "key",
           "trust-policy": "trust"}


def corpus_documents(corpus: Path) -> list[tuple[str, Any]]:
    manifest = corpus / "MANIFEST.md"
    if not manifest.is_file():
        return []
    out = []
    for line in manifest.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 9 or cells[7] not in KIND_OF:
            continue
        path = corpus / cells[2].strip("`")
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue  # malformed on purpose: the loader's business, not the evaluator's
        out.append((KIND_OF[cells[7]], data))
    return out


def synthetic(n: int, seed: int = 7) -> list[tuple[str, Any]]:
    rnd = random.Random(seed)
    actions = ["cloudwatch:PutMetricData", "cloudwatch:Put*", "s3:PutObject", "s3:*Object",
               "kms:Decrypt", "kms:GenerateDataKey*", "logs:*", "*", "s3:Get*", "sts:AssumeRole"]
    resources = ["*", "arn:aws:s3:::metrics-bucket/*", "arn:aws:s3:::metrics-bucket",
                 "arn:aws:s3:::metrics-bucket/attr*", KEY, "arn:aws:s3:::other/*"]
    conditions = [None, {"Bool": {"aws:SecureTransport": "false"}},
                  {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                  {"ArnLike": {"aws:SourceArn": f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}},
                  {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}},
                  {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}]
    principals = ["*", {"Service": "personalize.amazonaws.com"}, {"AWS": ROLE},
                  {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, {"Service": "ec2.amazonaws.com"}]
    docs = []
    for i in range(n):
        kind = ("identity", "bucket", "key", "trust")[i % 4]
        statements = []
        for _ in range(rnd.randint(1, 6)):
            st: dict[str, Any] = {
                "Effect": rnd.choice(["Allow", "Allow", "Allow", "Deny"]),
                rnd.choice(["Action", "Action", "NotAction"]): rnd.sample(actions,
                                                                          rnd.randint(1, 3)),
            }
            if kind != "trust":
                st[rnd.choice(["Resource", "Resource", "NotResource"])] = rnd.sample(
                    resources, rnd.randint(1, 2))
            if kind != "identity":
                st["Principal"] = rnd.choice(principals)
            cond = rnd.choice(conditions)
            if cond:
                st["Condition"] = cond
            statements.append(st)
        docs.append((kind, {"Version": "2012-10-17", "Statement": statements}))
    return docs


# A set-up's contexts are built once and shared by all its requests, as the rules do.
role_ctx = role_context(role_arn=ROLE, account=ACCOUNT, region="us-east-1")
svc_ctx = service_context(account=ACCOUNT, region="us-east-1")


def questions(kind: str, data: Any) -> int:
    """Ask what the rules ask of a document of this kind; return how many requests."""
    policy = prepare(data)
    role, service = Principal.role(ROLE), Principal.service()
    if kind == "identity":
        reqs = [Request(role, "cloudwatch:PutMetricData", "*", role_ctx),
                Request(role, "s3:PutObject", OBJECTS, role_ctx)]
        reqs += [Request(role, a, KEY, role_ctx) for a in KMS[:3] + KMS[4:]]
        for r in reqs:
            evaluate(r, identity_policies=[policy])
        return len(reqs)
    if kind == "bucket":
        r = Request(service, "s3:PutObject", OBJECTS, svc_ctx)
        evaluate(r, resource_policy=policy, resource_kind="s3")
        evaluate(r, resource_policy=policy, resource_kind="s3", ignore_denies=True)
        return 2
    if kind == "key":
        for a in KMS:
            evaluate(Request(service, a, KEY, svc_ctx), resource_policy=policy,
                     resource_kind="kms")
            evaluate(Request(role, a, KEY, role_ctx), identity_policies=[ALLOW_ALL],
                     resource_policy=policy, resource_kind="kms")
        return 10
    evaluate(Request(service, "sts:AssumeRole", ROLE, svc_ctx), resource_policy=policy,
             resource_kind="trust")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    real = corpus_documents(args.corpus)
    docs = (real * (args.documents // 2 // max(len(real), 1) + 1))[: args.documents // 2]
    docs += synthetic(args.documents - len(docs))
    start = time.perf_counter()
    asked = sum(questions(kind, data) for kind, data in docs)
    elapsed = time.perf_counter() - start
    print(f"{len(docs)} policy documents ({len(real)} distinct corpus files, repeated, plus "
          f"{args.documents - min(len(docs), args.documents // 2)} synthetic), {asked} "
          f"requests: {elapsed:.3f} s ({len(docs) / elapsed:,.0f} documents/s, "
          f"{asked / elapsed:,.0f} requests/s)")
    return 0 if elapsed < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
