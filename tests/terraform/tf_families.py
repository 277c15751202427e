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


SHARED_INTERACTIONS = json.dumps({
    "type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema",
    "fields": [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"},
               {"name": "TIMESTAMP", "type": "long"}, {"name": "EVENT_TYPE", "type": "string"},
               {"name": "RECOMMENDATION_ID", "type": ["null", "string"]}], "version": "1.0"})


def r(b: PlanBuilder, kind: str, name: str, config: dict[str, Any], **kw: Any) -> str:
    return b.resource(kind, name, config, computed=COMPUTED.get(kind, ("id",)), **kw)


def account(b: PlanBuilder) -> str:
    caller = b.data("aws_caller_identity", "current", {
        "account_id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci",
        "user_id": "AIDAEXAMPLE"})
    b.data("aws_region", "current", {"name": REGION, "description": "US East (N. Virginia)"})
    return caller


def group_with_dataset(b: PlanBuilder, name: str, schema: str) -> str:
    group = r(b, "awscc_personalize_dataset_group", name, {"name": name})
    r(b, "awscc_personalize_dataset", f"{name}_interactions", {
        "name": f"{name}-interactions", "dataset_type": "Interactions",
        "dataset_group_arn": Ref(group, "id"), "schema_arn": Ref(schema, "schema_arn")})
    return group


def role_arn(caller: str, name: str) -> Fmt:
    return Fmt("arn:aws:iam::{}:role/" + name, Ref(caller, "account_id"))


def group_arn(caller: str, name: str) -> Fmt:
    return Fmt("arn:aws:personalize:" + REGION + ":{}:dataset-group/" + name,
               Ref(caller, "account_id"))


def stack(b: PlanBuilder, name: str, attributions: dict[str, dict[str, Any]],
          parameters: dict[str, Any]) -> str:
    """An aws_cloudformation_stack whose template holds metric attributions; each property
    given as ``{"Ref": "Param"}`` is passed in ``parameters``."""
    template = {"AWSTemplateFormatVersion": "2010-09-09",
                "Parameters": {p: {"Type": "String"} for p in parameters},
                "Resources": {lid: {"Type": "AWS::Personalize::MetricAttribution",
                                    "Properties": props}
                              for lid, props in attributions.items()}}
    return r(b, "aws_cloudformation_stack", name, {
        "name": name.replace("_", "-"), "template_body": json.dumps(template, indent=2),
        "parameters": parameters})


def output(role: str, path: Any, key: Any = None) -> dict[str, Any]:
    destination = {"Path": path, **({"KmsKeyArn": key} if key else {})}
    return {"RoleArn": {"Ref": role}, "S3DataDestination": destination}


def attribution_stack_metrics() -> dict[str, Any]:
    """The template of a stack holding compliant.yaml's attribution, with its references
    as the parameters DatasetGroupArn, RoleArn, BucketName and KmsKeyArn."""
    return {"AWSTemplateFormatVersion": "2010-09-09",
            "Parameters": {p: {"Type": "String"} for p in
                           ("DatasetGroupArn", "RoleArn", "BucketName", "KmsKeyArn")},
            "Resources": {"Attribution": {
                "Type": "AWS::Personalize::MetricAttribution",
                "Properties": {
                    "Name": "retail-attribution", "DatasetGroupArn": {"Ref": "DatasetGroupArn"},
                    "Metrics": METRICS,
                    "MetricsOutputConfig": output(
                        "RoleArn", {"Fn::Sub": "s3://${BucketName}/attribution/"},
                        {"Ref": "KmsKeyArn"})}}}}


def compliant(*, key_policy: dict[str, Any] | None = None,
              publish: dict[str, Any] | None = None,
              write_reports: dict[str, Any] | None = None,
              trust: dict[str, Any] | None = None,
              bucket_policy: dict[str, Any] | None = None,
              items_schema: str = ITEMS, interactions_schema: str = INTERACTIONS,
              users_schema: str | None = None) -> PlanBuilder:
    """compliant.yaml (and, through its arguments, role.yaml and schema.yaml)."""
    b = PlanBuilder()
    caller = account(b)
    group = r(b, "awscc_personalize_dataset_group", "retail", {"name": "retail"})
    interactions = r(b, "awscc_personalize_schema", "interactions", {
        "name": "retail-interactions", "schema": interactions_schema})
    items = r(b, "awscc_personalize_schema", "items", {"name": "retail-items",
                                                       "schema": items_schema})
    if users_schema is not None:
        users = r(b, "awscc_personalize_schema", "users", {"name": "retail-users",
                                                           "schema": users_schema})
        r(b, "awscc_personalize_dataset", "users", {
            "name": "retail-users", "dataset_type": "Users",
            "dataset_group_arn": Ref(group, "dataset_group_arn"),
            "schema_arn": Ref(users, "schema_arn")})
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
    stack(b, "attribution", {"Attribution": {
        "Name": "retail-attribution", "DatasetGroupArn": {"Ref": "DatasetGroupArn"},
        "Metrics": METRICS,
        "MetricsOutputConfig": output("RoleArn", {"Fn::Sub": "s3://${BucketName}/attribution/"},
                                      {"Ref": "KmsKeyArn"})}}, {
        "DatasetGroupArn": group_arn(caller, "retail"),
        "RoleArn": role_arn(caller, "PersonalizeMetricsRole"),
        "BucketName": Ref(bucket, "bucket"),
        "KmsKeyArn": Ref(key, "arn")})
    return b


def role_family() -> PlanBuilder:
    """role.yaml: the role cannot publish, write the objects or use the key; iam:*."""
    return compliant(
        publish={"Version": "2012-10-17", "Statement": [
            {"Sid": "PublishMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricStream",
             "Resource": "*"},
            {"Sid": "ManageEverything", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}]},
        write_reports={"Version": "2012-10-17", "Statement": [
            {"Sid": "WriteReports", "Effect": "Allow", "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{BUCKET}"},
            {"Sid": "UseKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"],
             "Resource": "*"}]},
        key_policy={"Version": "2012-10-17", "Statement": [
            KEY_POLICY["Statement"][0],
            {**KEY_POLICY["Statement"][1],
             "Principal": {"Service": "personalize.amazonaws.com"}}]})


def schema_family() -> PlanBuilder:
    """schema.yaml: no EVENT_TYPE, a SUM over a string column, a broken schema string."""
    interactions = json.loads(INTERACTIONS)
    interactions["fields"] = [f for f in interactions["fields"] if f["name"] != "EVENT_TYPE"]
    items = json.loads(ITEMS)
    items["fields"][1] = {"name": "PRICE", "type": "string", "categorical": True}
    return compliant(
        interactions_schema=json.dumps(interactions), items_schema=json.dumps(items),
        users_schema='{"type": "record", "name": "Users", "fields": [{"name": "USER_ID", '
                     '"type": "string"},]}')


def trust_family() -> PlanBuilder:
    """trust.yaml: a misspelt service principal, a trust without confused-deputy guard."""
    b = PlanBuilder()
    caller = account(b)
    schema = r(b, "awscc_personalize_schema", "interactions", {
        "name": "interactions", "schema": SHARED_INTERACTIONS})
    group_with_dataset(b, "retail", schema)
    group_with_dataset(b, "media", schema)
    bucket = r(b, "aws_s3_bucket", "metrics", {"bucket": Fmt("metrics-{}",
                                                              Ref(caller, "account_id"))})
    r(b, "aws_s3_bucket_policy", "metrics", {"bucket": Ref(bucket, "id"), "policy": doc({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::metrics-{ACCOUNT}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})})
    misspelt = r(b, "aws_iam_role", "misspelt", {"name": "misspelt", "assume_role_policy": doc({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "TrustPersonalize", "Effect": "Allow",
            "Principal": {"Service": "personalise.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})})
    unguarded = r(b, "aws_iam_role", "unguarded", {"name": "unguarded",
                                                   "assume_role_policy": doc({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "TrustPersonalize", "Effect": "Allow",
            "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": "sts:AssumeRole"}]})})
    policy = r(b, "aws_iam_policy", "attribution", {"name": "attribution", "policy": doc({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::metrics-{ACCOUNT}/*"}]})})
    r(b, "aws_iam_policy_attachment", "attribution", {
        "name": "attribution", "roles": [Ref(misspelt, "name"), Ref(unguarded, "name")],
        "policy_arn": Ref(policy, "arn")})
    stack(b, "attributions", {
        "RetailAttribution": {
            "Name": "retail", "DatasetGroupArn": {"Ref": "RetailGroupArn"},
            "Metrics": [{"EventType": "click", "MetricName": "CLICKS",
                         "Expression": "SAMPLECOUNT()"}],
            "MetricsOutputConfig": output("MisspeltRoleArn",
                                          {"Fn::Sub": "s3://${BucketName}/retail/"})},
        "MediaAttribution": {
            "Name": "media", "DatasetGroupArn": {"Ref": "MediaGroupArn"},
            "Metrics": [{"EventType": "watch", "MetricName": "WATCHES",
                         "Expression": "SAMPLECOUNT()"}],
            "MetricsOutputConfig": output("UnguardedRoleArn",
                                          {"Fn::Sub": "s3://${BucketName}/media/"})}}, {
        "RetailGroupArn": group_arn(caller, "retail"),
        "MediaGroupArn": group_arn(caller, "media"),
        "MisspeltRoleArn": role_arn(caller, "misspelt"),
        "UnguardedRoleArn": role_arn(caller, "unguarded"),
        "BucketName": Ref(bucket, "bucket")})
    return b


def bucket_family() -> PlanBuilder:
    """bucket.yaml: a Deny outside a VPC endpoint, public, unguarded; a read-only one."""
    b = PlanBuilder()
    caller = account(b)
    schema = r(b, "awscc_personalize_schema", "interactions", {
        "name": "interactions", "schema": SHARED_INTERACTIONS})
    group_with_dataset(b, "retail", schema)
    group_with_dataset(b, "media", schema)
    open_bucket = r(b, "aws_s3_bucket", "open", {"bucket": "open-bucket"})
    objects = "arn:aws:s3:::open-bucket/*"
    r(b, "aws_s3_bucket_policy", "open", {"bucket": Ref(open_bucket, "id"), "policy": doc({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "PersonalizeWrites", "Effect": "Allow",
             "Principal": {"Service": "personalize.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": objects},
            {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
             "Action": "s3:GetObject", "Resource": objects},
            {"Sid": "OnlyThroughTheVpcEndpoint", "Effect": "Deny", "Principal": "*",
             "Action": "s3:*", "Resource": objects,
             "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]})})
    imports = f"imports-{ACCOUNT}-{REGION}"
    import_bucket = r(b, "aws_s3_bucket", "imports", {
        "bucket": Fmt("imports-{}-" + REGION, Ref(caller, "account_id"))})
    r(b, "aws_s3_bucket_policy", "imports", {"bucket": Ref(import_bucket, "bucket"),
                                             "policy": doc({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "PersonalizeReadsImports", "Effect": "Allow",
            "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{imports}", f"arn:aws:s3:::{imports}/*"],
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})})
    role = r(b, "aws_iam_role", "metrics", {"name": "metrics", "assume_role_policy": doc({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}),
        "inline_policy": [{"name": "attribution", "policy": doc({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:PutObject",
                 "Resource": [objects, f"arn:aws:s3:::{imports}/*"]}]})}]})
    del role
    stack(b, "attributions", {
        "RetailAttribution": {
            "Name": "retail", "DatasetGroupArn": {"Ref": "RetailGroupArn"},
            "Metrics": [{"EventType": "click", "MetricName": "CLICKS",
                         "Expression": "SAMPLECOUNT()"}],
            "MetricsOutputConfig": output("RoleArn",
                                          {"Fn::Sub": "s3://${OpenBucket}/retail/"})},
        "MediaAttribution": {
            "Name": "media", "DatasetGroupArn": {"Ref": "MediaGroupArn"},
            "Metrics": [{"EventType": "watch", "MetricName": "WATCHES",
                         "Expression": "SAMPLECOUNT()"}],
            "MetricsOutputConfig": output("RoleArn",
                                          {"Fn::Sub": "s3://${ImportBucket}/media/"})}}, {
        "RetailGroupArn": group_arn(caller, "retail"),
        "MediaGroupArn": group_arn(caller, "media"),
        "RoleArn": role_arn(caller, "metrics"),
        "OpenBucket": Ref(open_bucket, "bucket"), "ImportBucket": Ref(import_bucket, "bucket")})
    return b


def key_family() -> PlanBuilder:
    """key.yaml: an alias ARN as kmsKeyArn; a disabled key that leaves out Personalize and
    that the role may not use."""
    b = PlanBuilder()
    caller = account(b)
    schema = r(b, "awscc_personalize_schema", "interactions", {
        "name": "interactions", "schema": SHARED_INTERACTIONS})
    group_with_dataset(b, "retail", schema)
    group_with_dataset(b, "media", schema)
    bucket = r(b, "aws_s3_bucket", "metrics", {"bucket": "metrics-bucket"})
    r(b, "aws_s3_bucket_policy", "metrics", {"bucket": Ref(bucket, "id"), "policy": doc({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::metrics-bucket/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})})
    root = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    aliased = r(b, "aws_kms_key", "aliased", {"policy": doc({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": root, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey",
                        "kms:CreateGrant", "kms:ListGrants"], "Resource": "*"}]})})
    r(b, "aws_kms_alias", "metrics", {"name": "alias/personalize-metrics",
                                      "target_key_id": Ref(aliased, "key_id")})
    closed = r(b, "aws_kms_key", "closed", {"is_enabled": False})
    r(b, "aws_kms_key_policy", "closed", {"key_id": Ref(closed, "id"), "policy": doc({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "AccountRootOnly", "Effect": "Allow", "Principal": root,
             "Action": "kms:*", "Resource": "*"}]})})
    role = r(b, "aws_iam_role", "metrics", {"name": "metrics", "assume_role_policy": doc({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})})
    r(b, "aws_iam_role_policy", "attribution", {"name": "attribution", "role": Ref(role, "name"),
                                                "policy": doc({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::metrics-bucket/*"}]})})
    stack(b, "attributions", {
        "RetailAttribution": {
            "Name": "retail", "DatasetGroupArn": {"Ref": "RetailGroupArn"},
            "Metrics": [{"EventType": "click", "MetricName": "CLICKS",
                         "Expression": "SAMPLECOUNT()"}],
            "MetricsOutputConfig": output("RoleArn", {"Fn::Sub": "s3://${Bucket}/retail/"},
                                          {"Ref": "AliasArn"})},
        "MediaAttribution": {
            "Name": "media", "DatasetGroupArn": {"Ref": "MediaGroupArn"},
            "Metrics": [{"EventType": "watch", "MetricName": "WATCHES",
                         "Expression": "SAMPLECOUNT()"}],
            "MetricsOutputConfig": output("RoleArn", {"Fn::Sub": "s3://${Bucket}/media/"},
                                          {"Ref": "ClosedKeyArn"})}}, {
        "RetailGroupArn": group_arn(caller, "retail"),
        "MediaGroupArn": group_arn(caller, "media"),
        "RoleArn": role_arn(caller, "metrics"), "Bucket": Ref(bucket, "bucket"),
        "AliasArn": Fmt("arn:aws:kms:" + REGION + ":{}:alias/personalize-metrics",
                        Ref(caller, "account_id")),
        "ClosedKeyArn": Ref(closed, "arn")})
    return b


def attribution_family() -> PlanBuilder:
    """attribution.yaml: a bad name, bad and duplicate metrics, an unknown property; a
    second attribution on the same dataset group with eleven metrics."""
    b = PlanBuilder()
    caller = account(b)
    schema = r(b, "awscc_personalize_schema", "interactions", {
        "name": "interactions", "schema": SHARED_INTERACTIONS})
    group_with_dataset(b, "retail", schema)
    group_with_dataset(b, "media", schema)
    bucket = r(b, "aws_s3_bucket", "metrics", {"bucket": "metrics-bucket"})
    r(b, "aws_s3_bucket_policy", "metrics", {"bucket": Ref(bucket, "id"), "policy": doc({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::metrics-bucket/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]})})
    r(b, "aws_iam_role", "metrics", {"name": "metrics", "assume_role_policy": doc({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}),
        "inline_policy": [{"name": "attribution", "policy": doc({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:PutObject",
                 "Resource": "arn:aws:s3:::metrics-bucket/*"}]})}]})
    stack(b, "attributions", {
        "RetailAttribution": {
            "Name": "retail attribution", "DatasetGroupArn": {"Ref": "RetailGroupArn"},
            "Metrics": [
                {"EventType": "click", "MetricName": "clicks", "Expression": "SAMPLECOUNT()"},
                {"EventType": "click", "MetricName": "CLICKS", "Expression": "SAMPLECOUNT()"},
                {"EventType": "purchase", "MetricName": "REVENUE",
                 "Expression": "SUM(Orders.PRICE)"},
                {"EventType": "watch", "MetricName": "WATCHES", "Expresion": "SAMPLECOUNT()"}],
            "MetricsOutputConfig": output("RoleArn", {"Fn::Sub": "s3://${Bucket}/retail/"})},
        "SecondAttribution": {
            "Name": "retail-second", "DatasetGroupArn": {"Ref": "RetailGroupArn"},
            "Metrics": [{"EventType": f"event{i}", "MetricName": f"METRIC_{i}",
                         "Expression": "SAMPLECOUNT()"} for i in range(11)],
            "MetricsOutputConfig": output("RoleArn", {"Fn::Sub": "s3://${Bucket}/second/"})}}, {
        "RetailGroupArn": group_arn(caller, "retail"),
        "RoleArn": role_arn(caller, "metrics"), "Bucket": Ref(bucket, "bucket")})
    return b


FAMILIES = {
    "compliant.yaml": compliant,
    "role.yaml": role_family,
    "trust.yaml": trust_family,
    "bucket.yaml": bucket_family,
    "key.yaml": key_family,
    "attribution.yaml": attribution_family,
    "schema.yaml": schema_family,
}
