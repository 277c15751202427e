"""The CloudFormation test templates' set-ups, written as Terraform would plan them.

``compliant()`` is ``tests/cloudformation/templates/compliant.yaml`` as Terraform resources
(AWS provider for IAM, S3 and KMS; the awscc provider for Personalize; the metric
attribution in an ``aws_cloudformation_stack``). Each family of failure edits it the way
the matching template edits the compliant one, so both must give the same findings.
"""

from __future__ import annotations

import json
from typing import Any

from planbuilder import ACCOUNT, REGION, Fmt, PlanBuilder, Ref, doc

# What the AWS provider computes when an object is created (after_unknown: true).
COMPUTED = {
    "aws_iam_role": ("arn", "create_date", "id", "inline_policy", "managed_policy_arns",
                     "name_prefix", "tags_all", "unique_id"),
    "aws_iam_role_policy": ("id",),
    "aws_iam_policy": ("arn", "attachment_count", "id", "policy_id", "tags_all"),
    "aws_iam_role_policy_attachment": ("id",),
    "aws_iam_role_policies_exclusive": (),
    "aws_s3_bucket": ("acceleration_status", "arn", "bucket_domain_name", "bucket_prefix",
                      "bucket_regional_domain_name", "hosted_zone_id", "id", "policy",
                      "region", "server_side_encryption_configuration", "tags_all",
                      "versioning"),
    "aws_s3_bucket_policy": ("id",),
    "aws_s3_bucket_server_side_encryption_configuration": ("id",),
    "aws_kms_key": ("arn", "id", "key_id", "policy", "tags_all"),
    "aws_kms_key_policy": ("id",),
    "aws_kms_alias": ("arn", "id", "name_prefix", "target_key_arn"),
    "awscc_personalize_dataset_group": ("dataset_group_arn", "id"),
    "awscc_personalize_schema": ("schema_arn", "id"),
    "awscc_personalize_dataset": ("dataset_arn", "id"),
    "aws_cloudformation_stack": ("id", "outputs", "tags_all"),
}

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeMetricsRole"
BUCKET = "retail-personalize-metrics"
GROUP_ARN = f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-group/retail"
INTERACTIONS = json.dumps({
    "type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema",
    "fields": [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"},
               {"name": "TIMESTAMP", "type": "long"}, {"name": "EVENT_TYPE", "type": "string"},
               {"name": "EVENT_VALUE", "type": ["null", "float"]},
               {"name": "EVENT_ATTRIBUTION_SOURCE", "type": ["null", "string"]}],
    "version": "1.0"})
ITEMS = json.dumps({
    "type": "record", "name": "Items", "namespace": "com.amazonaws.personalize.schema",
    "fields": [{"name": "ITEM_ID", "type": "string"},
               {"name": "PRICE", "type": ["null", "float"]},
               {"name": "CATEGORY_L1", "type": "string", "categorical": True}],
    "version": "1.0"})

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                  "ArnLike": {"aws:SourceArn": f"arn:aws:personalize:{REGION}:{ACCOUNT}:*"}}}]}
PUBLISH = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}]}
WRITE_REPORTS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:PutObject",
     "Resource": f"arn:aws:s3:::{BUCKET}/attribution/*"},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey",
                                   "kms:ListGrants"], "Resource": "*"}]}
BUCKET_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "PersonalizeWritesReports", "Effect": "Allow",
     "Principal": {"Service": "personalize.amazonaws.com"}, "Action": "s3:PutObject",
     "Resource": f"arn:aws:s3:::{BUCKET}/attribution/*",
     "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                   "ArnLike": {"aws:SourceArn": f"arn:aws:personalize:{REGION}:{ACCOUNT}:*"}}},
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
KEY_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
     "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "AllowPersonalizeAndItsRole", "Effect": "Allow",
     "Principal": {"Service": "personalize.amazonaws.com", "AWS": ROLE_ARN},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant",
                "kms:ListGrants"], "Resource": "*"}]}
METRICS = [
    {"EventType": "click", "MetricName": "CLICK_COUNT", "Expression": "SAMPLECOUNT()"},
    {"EventType": "purchase", "MetricName": "REVENUE", "Expression": "SUM(Items.PRICE)"}]


def attribution_template(metrics: list[dict[str, Any]] | None = None,
                         name: str = "retail-attribution") -> str:
    """The stack's template: the attribution, its references given as parameters."""
    return json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {p: {"Type": "String"} for p in
                       ("DatasetGroupArn", "RoleArn", "BucketName", "KmsKeyArn")},
        "Resources": {"Attribution": {
            "Type": "AWS::Personalize::MetricAttribution",
            "Properties": {
                "Name": name, "DatasetGroupArn": {"Ref": "DatasetGroupArn"},
                "Metrics": metrics if metrics is not None else METRICS,
                "MetricsOutputConfig": {
                    "RoleArn": {"Ref": "RoleArn"},
                    "S3DataDestination": {
                        "Path": {"Fn::Sub": "s3://${BucketName}/attribution/"},
                        "KmsKeyArn": {"Ref": "KmsKeyArn"}}}}}}}, indent=2)


def r(b: PlanBuilder, kind: str, name: str, config: dict[str, Any], **kw: Any) -> str:
    return b.resource(kind, name, config, computed=COMPUTED.get(kind, ("id",)), **kw)


def compliant(*, key_policy: dict[str, Any] | None = None,
              publish: dict[str, Any] | None = None,
              write_reports: dict[str, Any] | None = None,
              trust: dict[str, Any] | None = None,
              bucket_policy: dict[str, Any] | None = None,
              items_schema: str = ITEMS, interactions_schema: str = INTERACTIONS,
              metrics: list[dict[str, Any]] | None = None,
              attribution_name: str = "retail-attribution") -> PlanBuilder:
    b = PlanBuilder()
    caller = b.data("aws_caller_identity", "current", {
        "account_id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci",
        "user_id": "AIDAEXAMPLE"})
    b.data("aws_region", "current", {"name": REGION, "description": "US East (N. Virginia)"})
    group = r(b, "awscc_personalize_dataset_group", "retail", {"name": "retail"})
    interactions = r(b, "awscc_personalize_schema", "interactions", {
        "name": "retail-interactions", "schema": interactions_schema})
    items = r(b, "awscc_personalize_schema", "items", {"name": "retail-items",
                                                       "schema": items_schema})
    r(b, "awscc_personalize_dataset", "interactions", {
        "name": "retail-interactions", "dataset_type": "Interactions",
        "dataset_group_arn": Ref(group, "dataset_group_arn"),
        "schema_arn": Ref(interactions, "schema_arn")})
    r(b, "awscc_personalize_dataset", "items", {
        "name": "retail-items", "dataset_type": "ITEMS",
        "dataset_group_arn": Ref(group, "dataset_group_arn"), "schema_arn": Ref(items, "id")})
    key = r(b, "aws_kms_key", "metrics", {
        "description": "Encrypts the attribution reports", "is_enabled": True,
        "customer_master_key_spec": "SYMMETRIC_DEFAULT", "key_usage": "ENCRYPT_DECRYPT",
        "policy": doc(key_policy or KEY_POLICY)})
    bucket = r(b, "aws_s3_bucket", "metrics", {"bucket": BUCKET, "force_destroy": False})
    r(b, "aws_s3_bucket_server_side_encryption_configuration", "metrics", {
        "bucket": Ref(bucket, "id"),
        "rule": [{"apply_server_side_encryption_by_default": [{
            "sse_algorithm": "aws:kms", "kms_master_key_id": Ref(key, "arn")}],
            "bucket_key_enabled": True}]})
    r(b, "aws_s3_bucket_policy", "metrics", {
        "bucket": Ref(bucket, "id"), "policy": doc(bucket_policy or BUCKET_POLICY)})
    b.data("aws_iam_policy_document", "trust", {"json": doc(trust or TRUST)})
    role = r(b, "aws_iam_role", "metrics", {
        "name": "PersonalizeMetricsRole", "path": "/", "max_session_duration": 3600,
        "assume_role_policy": Ref("data.aws_iam_policy_document.trust", "json")})
    r(b, "aws_iam_role_policy", "publish", {
        "name": "PublishAttributionMetrics", "role": Ref(role, "id"),
        "policy": doc(publish or PUBLISH)})
    policy = r(b, "aws_iam_policy", "write_reports", {
        "name": "WriteAttributionReports", "path": "/",
        "policy": doc(write_reports or WRITE_REPORTS)})
    r(b, "aws_iam_role_policy_attachment", "write_reports", {
        "role": Ref(role, "name"), "policy_arn": Ref(policy, "arn")})
    r(b, "aws_cloudformation_stack", "attribution", {
        "name": "retail-attribution",
        "template_body": attribution_template(metrics, attribution_name),
        "parameters": {
            "DatasetGroupArn": Fmt("arn:aws:personalize:{}:{}:dataset-group/retail", REGION,
                                   Ref(caller, "account_id")),
            "RoleArn": Fmt("arn:aws:iam::{}:role/PersonalizeMetricsRole",
                           Ref(caller, "account_id")),
            "BucketName": Ref(bucket, "bucket"),
            "KmsKeyArn": Ref(key, "arn")}})
    return b
