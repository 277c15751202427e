"""Deployed set-ups for the audit tests: IAM, S3, KMS and schemas in moto_server, the other
Personalize resources in the fake endpoint. ``deploy`` builds a compliant set-up unless
``broken`` names what to break."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

import boto3
from fake_personalize import DEFAULT_ACCOUNT, FakePersonalize

ACCOUNT = DEFAULT_ACCOUNT
T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

INTERACTIONS = {
    "type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
        {"name": "EVENT_TYPE", "type": "string"},
        {"name": "EVENT_VALUE", "type": ["null", "float"]},
        {"name": "RECOMMENDATION_ID", "type": ["null", "string"]},
        {"name": "EVENT_ATTRIBUTION_SOURCE", "type": ["null", "string"]},
    ],
    "version": "1.0",
}
ITEMS = {
    "type": "record", "name": "Items", "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "ITEM_ID", "type": "string"},
        {"name": "PRICE", "type": "double"},
        {"name": "CATEGORY", "type": "string", "categorical": True},
    ],
    "version": "1.0",
}
METRICS = [
    {"eventType": "click", "metricName": "CLICK_COUNT", "expression": "SAMPLECOUNT()"},
    {"eventType": "purchase", "metricName": "REVENUE", "expression": "SUM(Items.PRICE)"},
]


def trust(account: str, region: str, guarded: bool = True) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    if guarded:
        statement["Condition"] = {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": f"arn:aws:personalize:{region}:{account}:*"},
        }
    return {"Version": "2012-10-17", "Statement": [statement]}


def role_policy(bucket: str, cloudwatch: bool = True) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [
        {"Sid": "WriteAttributionReports", "Effect": "Allow", "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/attribution/*"},
    ]
    if cloudwatch:
        statements.insert(0, {"Sid": "PublishAttributionMetrics", "Effect": "Allow",
                              "Action": "cloudwatch:PutMetricData", "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


def key_use_policy(key_arn: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "UseMetricsKey", "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants",
                   "kms:CreateGrant"],
        "Resource": key_arn}]}


def bucket_policy(bucket: str, account: str, grant: bool = True) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
    if grant:
        statements.insert(0, {
            "Sid": "PersonalizeWrites", "Effect": "Allow",
            "Principal": {"Service": "personalize.amazonaws.com"}, "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/attribution/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}}})
    return {"Version": "2012-10-17", "Statement": statements}


def key_policy(account: str, role_arn: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "AllowPersonalizeAndItsRole", "Effect": "Allow",
         "Principal": {"Service": "personalize.amazonaws.com", "AWS": role_arn},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant",
                    "kms:ListGrants"],
         "Resource": "*"}]}


@dataclass
class Aws:
    """The local endpoints and plain (unguarded) clients to deploy with."""

    moto_url: str
    fake: FakePersonalize
    env: dict[str, str] = field(default_factory=dict)  # for subprocesses

    def session(self, account: str = ACCOUNT, region: str = "us-east-1") -> boto3.Session:
        if account == ACCOUNT:
            return boto3.Session(region_name=region, **CREDENTIALS)
        return boto3.Session(region_name=region, **_assumed(self.moto_url, account))

    def client(self, service: str, region: str = "us-east-1", account: str = ACCOUNT) -> Any:
        return _client(self.moto_url, service, region, account)


@cache
def _assumed(moto_url: str, account: str) -> dict[str, str]:
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=moto_url, **CREDENTIALS)
    found = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/Admin",
                            RoleSessionName="deploy")["Credentials"]
    return {"aws_access_key_id": found["AccessKeyId"],
            "aws_secret_access_key": found["SecretAccessKey"],
            "aws_session_token": found["SessionToken"]}


def _client(moto_url: str, service: str, region: str, account: str) -> Any:
    creds = CREDENTIALS if account == ACCOUNT else _assumed(moto_url, account)
    return boto3.client(service, region_name=region, endpoint_url=moto_url, **creds)


@dataclass
class Deployed:
    name: str
    account: str
    region: str
    attribution_arn: str
    group_arn: str
    role_arn: str
    bucket: str
    key_arn: str | None

    @property
    def setup(self) -> str:
        return f"{self.account}/{self.region}/{self.name}"


def ensure_role(aws: Aws, name: str, account: str, region: str, bucket: str,
                key_arn: str | None, broken: frozenset[str]) -> str:
    iam = aws.client("iam", account=account)
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        pass
    arn = iam.create_role(RoleName=name, Path="/service-role/", AssumeRolePolicyDocument=json.dumps(
        trust(account, region, guarded="trust-unguarded" not in broken)))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="attribution", PolicyDocument=json.dumps(
        role_policy(bucket, cloudwatch="no-cloudwatch" not in broken)))
    if key_arn:
        policy = iam.create_policy(PolicyName=f"{name}-key",
                                   PolicyDocument=json.dumps(key_use_policy(key_arn)))
        iam.attach_role_policy(RoleName=name, PolicyArn=policy["Policy"]["Arn"])
    return str(arn)


def ensure_key(aws: Aws, alias: str, account: str, region: str, role_arn: str,
               broken: frozenset[str]) -> str:
    kms = aws.client("kms", region, account)
    for found in kms.list_aliases()["Aliases"]:
        if found["AliasName"] == f"alias/{alias}":
            return str(kms.describe_key(KeyId=found["TargetKeyId"])["KeyMetadata"]["Arn"])
    meta = kms.create_key(Policy=json.dumps(key_policy(account, role_arn)))["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=meta["KeyId"])
    if "key-disabled" in broken:
        kms.disable_key(KeyId=meta["KeyId"])
    return str(meta["Arn"])


def ensure_bucket(aws: Aws, bucket: str, account: str, region: str, key_arn: str | None,
                  broken: frozenset[str]) -> None:
    s3 = aws.client("s3", region, account)
    try:
        s3.head_bucket(Bucket=bucket)
        return
    except Exception:
        pass
    config = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **config)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        bucket_policy(bucket, account, grant="bucket-no-grant" not in broken)))
    if key_arn:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                   "KMSMasterKeyID": key_arn},
            "BucketKeyEnabled": True}]})


def ensure_schema(aws: Aws, name: str, schema: dict[str, Any], account: str,
                  region: str) -> str:
    personalize = aws.client("personalize", region, account)  # moto serves schemas
    arn = f"arn:aws:personalize:{region}:{account}:schema/{name}"
    try:
        personalize.describe_schema(schemaArn=arn)
    except Exception:
        personalize.create_schema(name=name, schema=json.dumps(schema))
    return arn


def deploy(aws: Aws, name: str, *, region: str = "us-east-1", account: str = ACCOUNT,
           broken: frozenset[str] | set[str] = frozenset(), resources: str | None = None,
           created: datetime = T0, imports: int = 1) -> Deployed:
    """One metric-attribution set-up. ``resources`` names the role, bucket and key, so set-ups
    can share them (default: their own)."""
    broken = frozenset(broken)
    tag = resources or name
    key_region = "us-west-2" if "key-other-region" in broken else region
    bucket = f"{tag}-metrics-{region}"
    role_name = f"{tag}-role"
    role_arn = f"arn:aws:iam::{account}:role/service-role/{role_name}"
    key_arn = None
    if "no-key" not in broken:
        key_arn = ensure_key(aws, f"{tag}-{key_region}", account, key_region, role_arn, broken)
    role_arn = ensure_role(aws, role_name, account, region, bucket, key_arn, broken)
    ensure_bucket(aws, bucket, account, region, key_arn, broken)
    interactions = ensure_schema(aws, f"{tag}-interactions", INTERACTIONS, account, region)
    items = ensure_schema(aws, f"{tag}-items", ITEMS, account, region)

    data = aws.fake.region(account, region)
    prefix = f"arn:aws:personalize:{region}:{account}"
    group = f"{prefix}:dataset-group/{name}"
    data.dataset_groups[group] = {"name": name, "datasetGroupArn": group, "status": "ACTIVE",
                                  "creationDateTime": created - timedelta(days=1),
                                  "lastUpdatedDateTime": created - timedelta(days=1)}
    datasets = {}
    for kind, schema in (("INTERACTIONS", interactions), ("ITEMS", items)):
        arn = f"{prefix}:dataset/{name}/{kind}"
        datasets[kind] = arn
        data.datasets[arn] = {"name": f"{name}-{kind.lower()}", "datasetArn": arn,
                              "datasetGroupArn": group, "datasetType": kind.title(),
                              "schemaArn": schema, "status": "ACTIVE",
                              "creationDateTime": created - timedelta(days=1)}
    attribution = f"{prefix}:metric-attribution/{name}"
    destination: dict[str, Any] = {"path": f"s3://{bucket}/attribution/"}
    if key_arn:
        destination["kmsKeyArn"] = key_arn
    data.attributions[attribution] = {
        "name": name, "metricAttributionArn": attribution, "datasetGroupArn": group,
        "metricsOutputConfig": {"roleArn": role_arn, "s3DataDestination": destination},
        "status": "ACTIVE", "creationDateTime": created, "lastUpdatedDateTime": created}
    data.metrics[attribution] = [dict(m) for m in METRICS]
    for i in range(imports):
        when = created + timedelta(days=1 + i)
        if "early-import" in broken and i == 0:
            when = created - timedelta(hours=6)
        job = f"{prefix}:dataset-import-job/{name}-import-{i}"
        data.import_jobs[job] = {
            "jobName": f"{name}-import-{i}", "datasetImportJobArn": job,
            "datasetArn": datasets["INTERACTIONS"],
            "dataSource": {"dataLocation": f"s3://{tag}-data/interactions-{i}.csv"},
            "roleArn": role_arn, "status": "ACTIVE", "creationDateTime": when,
            "lastUpdatedDateTime": when, "importMode": "INCREMENTAL" if i else "FULL",
            "publishAttributionMetricsToS3": True}
    tracker = f"{prefix}:event-tracker/{name}-tracker"
    tracked = created - timedelta(days=2) if "early-tracker" in broken else created + timedelta(
        hours=1)
    data.trackers[tracker] = {"name": f"{name}-tracker", "eventTrackerArn": tracker,
                              "datasetGroupArn": group, "status": "ACTIVE",
                              "creationDateTime": tracked, "lastUpdatedDateTime": tracked}
    return Deployed(name, account, region, attribution, group, role_arn, bucket, key_arn)
