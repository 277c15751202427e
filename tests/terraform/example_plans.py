"""The plans of ``examples/terraform`` (written by :func:`write_all`, checked in).

* ``compliant``: the plan gives the role, bucket (default SSE-KMS encryption with the key
  it creates), key and dataset group; the metric attribution is the request file the
  ``[[setup]]`` names beside the plan.
* ``broken``: the attribution is created in an ``aws_cloudformation_stack``; the role's
  trust has no confused-deputy guard, its policy writes the bucket instead of the objects,
  the bucket policy is unguarded, and the key policy names the new role by its ARN, which
  is known only after apply (so the key checks are not evaluated).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planbuilder import Encode, Fmt, PlanBuilder, Ref, doc
from tf_families import COMPUTED, INTERACTIONS, ITEMS, attribution_stack_metrics

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "terraform"
ACCOUNT = "111122223333"
REGION = "us-east-1"
BUCKET = "retail-personalize-metrics"
ROLE = "PersonalizeMetricsRole"
SOURCE = {"StringEquals": {"aws:SourceAccount": ACCOUNT},
          "ArnLike": {"aws:SourceArn": f"arn:aws:personalize:{REGION}:{ACCOUNT}:*"}}
KMS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant",
       "kms:ListGrants"]
REQUEST = {
    "name": "retail-attribution",
    "datasetGroupArn": f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-group/retail",
    "metrics": [
        {"eventType": "click", "metricName": "CLICK_COUNT", "expression": "SAMPLECOUNT()"},
        {"eventType": "purchase", "metricName": "REVENUE", "expression": "SUM(Items.PRICE)"}],
    "metricsOutputConfig": {
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/{ROLE}",
        "s3DataDestination": {"path": f"s3://{BUCKET}/attribution/"}},
}


def r(b: PlanBuilder, kind: str, name: str, config: dict[str, Any], **kw: Any) -> str:
    return b.resource(kind, name, config, computed=COMPUTED.get(kind, ("id",)), **kw)


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def plan(broken: bool) -> PlanBuilder:
    b = PlanBuilder()
    caller = b.data("aws_caller_identity", "current", {
        "account_id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "user_id": "AIDA1"})
    b.data("aws_region", "current", {"name": REGION})
    group = r(b, "awscc_personalize_dataset_group", "retail", {"name": "retail"})
    for kind, text in (("Interactions", INTERACTIONS), ("Items", ITEMS)):
        schema = r(b, "awscc_personalize_schema", kind.lower(), {
            "name": f"retail-{kind.lower()}", "schema": text})
        r(b, "awscc_personalize_dataset", kind.lower(), {
            "name": f"retail-{kind.lower()}", "dataset_type": kind,
            "dataset_group_arn": Ref(group, "dataset_group_arn"),
            "schema_arn": Ref(schema, "schema_arn")})
    service = {"Service": "personalize.amazonaws.com"}
    # Broken: the key policy names the new role by its ARN, known only after apply.
    role_arn: Any = Ref("aws_iam_role.metrics", "arn") if broken else (
        f"arn:aws:iam::{ACCOUNT}:role/{ROLE}")
    key = r(b, "aws_kms_key", "metrics", {
        "description": "Encrypts the attribution reports", "enable_key_rotation": True,
        "policy": Encode(_policy(
            {"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
             "Resource": "*"},
            {"Sid": "PersonalizeUsesTheKey", "Effect": "Allow",
             "Principal": {**service, "AWS": role_arn}, "Action": KMS, "Resource": "*"}))})
    bucket = r(b, "aws_s3_bucket", "metrics", {"bucket": BUCKET})
    r(b, "aws_s3_bucket_server_side_encryption_configuration", "metrics", {
        "bucket": Ref(bucket, "id"),
        "rule": [{"apply_server_side_encryption_by_default": [{
            "sse_algorithm": "aws:kms", "kms_master_key_id": Ref(key, "arn")}],
            "bucket_key_enabled": True}]})
    write = {"Sid": "PersonalizeWritesReports", "Effect": "Allow", "Principal": service,
             "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/attribution/*"}
    if not broken:
        write["Condition"] = SOURCE
    r(b, "aws_s3_bucket_policy", "metrics", {"bucket": Ref(bucket, "id"), "policy": doc(_policy(
        write,
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))})
    trust = {"Effect": "Allow", "Principal": service, "Action": "sts:AssumeRole"}
    if not broken:
        trust["Condition"] = SOURCE
    b.data("aws_iam_policy_document", "trust", {"json": doc(_policy(trust))})
    role = r(b, "aws_iam_role", "metrics", {
        "name": ROLE, "assume_role_policy": Ref("data.aws_iam_policy_document.trust", "json")})
    objects = f"arn:aws:s3:::{BUCKET}" if broken else f"arn:aws:s3:::{BUCKET}/attribution/*"
    r(b, "aws_iam_role_policy", "metrics", {"name": "attribution", "role": Ref(role, "id"),
                                            "policy": doc(_policy(
        {"Sid": "PublishMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData",
         "Resource": "*"},
        {"Sid": "WriteReports", "Effect": "Allow", "Action": "s3:PutObject",
         "Resource": objects},
        {"Sid": "UseTheKey", "Effect": "Allow", "Action": KMS,
         "Resource": "*"}))})
    if broken:
        r(b, "aws_cloudformation_stack", "attribution", {
            "name": "retail-attribution",
            "template_body": json.dumps(attribution_stack_metrics(), indent=2),
            "parameters": {
                "DatasetGroupArn": Fmt("arn:aws:personalize:" + REGION
                                       + ":{}:dataset-group/retail", Ref(caller, "account_id")),
                "RoleArn": Fmt("arn:aws:iam::{}:role/" + ROLE, Ref(caller, "account_id")),
                "BucketName": Ref(bucket, "bucket"), "KmsKeyArn": Ref(key, "arn")}})
    return b


def texts() -> dict[Path, str]:
    return {
        EXAMPLES / "compliant" / "plan.json": json.dumps(plan(False).build(), indent=2) + "\n",
        EXAMPLES / "compliant" / "personalize" / "metric-attribution.json":
            json.dumps(REQUEST, indent=2) + "\n",
        EXAMPLES / "broken" / "plan.json": json.dumps(plan(True).build(), indent=2) + "\n",
    }


def write_all() -> None:
    """Write the example plans (run: python tests/terraform/example_plans.py)."""
    for path, text in texts().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_all()
