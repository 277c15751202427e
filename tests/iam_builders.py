"""Builders for the IAM rule tests (tests/rules/test_role.py, test_bucket.py, test_kms.py).

``build()`` makes one set-up whose every part (role, bucket, key, metric attribution) is
correct by default; a test changes or leaves out (None) the part it is about.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import (
    Bucket,
    Inventory,
    Key,
    ManagedPolicyRef,
    MetricAttribution,
    MissingInput,
    Policy,
    Role,
    Setup,
    Source,
)
from personalize_lint.location import Location
from personalize_lint.rule import Rule, RuleContext

ACCOUNT = "111122223333"
DG = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-group/retail"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeMetricsRole"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PATH = "s3://metrics-bucket/attribution/"
CTX = RuleContext(as_of=datetime(2026, 11, 30, tzinfo=timezone.utc))
SERVICE = {"Service": "personalize.amazonaws.com"}


def doc(data: Any, kind: str, path: str, subkind: str | None = None) -> Document:
    """A document with positions when the position-keeping parser is there."""
    try:
        from personalize_lint.loaders.jsonpos import parse_json
    except ImportError:  # pragma: no cover - the loader is optional for these tests
        return Document(path, kind, data, subkind=subkind)
    parsed = parse_json(json.dumps(data, indent=2), max_depth=64)
    return Document(path, kind, parsed.data, parsed.spans, parsed.key_spans, subkind=subkind)


def policy(kind: str, path: str, *statements: dict[str, Any]) -> Policy:
    d = doc({"Version": "2012-10-17", "Statement": list(statements)}, "policy", path, kind)
    return Policy(d.data, Source(d), kind=kind, name=path)


def attribution(role_arn: str | None = ROLE, path: str | None = PATH,
                key: str | None = None, group: str = DG) -> MetricAttribution:
    dest: dict[str, Any] = {}
    if path is not None:
        dest["path"] = path
    if key is not None:
        dest["kmsKeyArn"] = key
    output: dict[str, Any] = {}
    if role_arn is not None:
        output["roleArn"] = role_arn
    if dest:
        output["s3DataDestination"] = dest
    data = {"name": "retail", "datasetGroupArn": group, "metrics": [],
            "metricsOutputConfig": output}
    d = doc(data, "metric-attribution", "personalize/attribution.json", "create")
    return MetricAttribution(d.data, Source(d))


GOOD_TRUST = {"Effect": "Allow", "Principal": SERVICE, "Action": "sts:AssumeRole",
              "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                            "ArnLike": {"aws:SourceArn":
                                        f"arn:aws:personalize:us-east-1:{ACCOUNT}:*"}}}
GOOD_ROLE = [
    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::metrics-bucket/attribution/*"},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey",
                                   "kms:ListGrants"], "Resource": KEY},
]
GOOD_BUCKET = [{"Effect": "Allow", "Principal": SERVICE, "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::metrics-bucket/attribution/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]
GOOD_KEY = [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": ROLE, **SERVICE},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant",
                "kms:ListGrants"], "Resource": "*"},
]
DEFAULT: Any = object()


def build(*, trust: Any = DEFAULT, role_policies: Any = DEFAULT, managed: tuple[str, ...] = (),
          bucket: Any = DEFAULT, key: Any = None, ma: MetricAttribution | None = None,
          role_arn: str | None = ROLE, key_metadata: dict[str, Any] | None = None,
          encryption: dict[str, Any] | None = None, origin: str = "config",
          missing: tuple[str, ...] = (), bucket_region: str | None = None) -> Inventory:
    """One set-up; every part defaults to a correct one, None leaves it out."""
    s = Setup(name="retail", location=Location(path="personalize-lint.toml"), origin=origin)
    s.metric_attribution = ma or attribution(role_arn, key=KEY if key is not None else None)
    s.dataset_group.arn = DG
    trust = [GOOD_TRUST] if trust is DEFAULT else trust
    role_policies = [GOOD_ROLE] if role_policies is DEFAULT else role_policies
    if trust is not None or role_policies or managed:
        s.role = Role(source=Source(location=Location(path="iam/")), arn=role_arn,
                      name=(role_arn or "").rsplit("/", 1)[-1],
                      trust_policy=policy("trust", "iam/trust.json", *trust) if trust else None,
                      policies=[policy("identity", f"iam/role-{i}.json", *p)
                                for i, p in enumerate(role_policies or [])],
                      managed_policies=[ManagedPolicyRef(a, Source(location=Location(
                          path="personalize-lint.toml"))) for a in managed])
    bucket = GOOD_BUCKET if bucket is DEFAULT else bucket
    s.bucket = Bucket(source=Source(location=Location(path="s3/")), name="metrics-bucket",
                      policy=policy("bucket", "s3/bucket.json", *bucket) if bucket else None,
                      encryption=encryption, region=bucket_region)
    if key is not None or key_metadata is not None:
        s.key = Key(source=Source(location=Location(path="kms/")), arn=KEY,
                    policy=policy("key", "kms/key.json", *key) if key else None,
                    metadata=key_metadata)
    s.missing = [MissingInput(m, "not given", s.location) for m in missing]
    return Inventory(setups=[s])


def run(rule: Rule, inventory: Inventory) -> list[Finding]:
    assert rule.check is not None
    return list(rule.check(inventory, CTX))


def ids(rule: Rule, inventory: Inventory) -> list[str]:
    return [f.rule_id for f in run(rule, inventory)]


def lone(data: Any, subkind: str, path: str = "policy.json") -> Inventory:
    d = doc(data, "policy", path, subkind)
    return Inventory(documents=[d], standalone=[d])
