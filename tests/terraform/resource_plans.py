"""One small plan per resource type the Terraform reader knows (``plans/<name>.json``).

Each is a set-up's Terraform side; the metric attribution comes from ``REQUEST`` named in a
``[[setup]]`` with the plan (a metric attribution is not a Terraform resource). The files
under ``plans/`` are written from these descriptions by :func:`write_all` and checked in;
``test_resources.py`` checks that they are current and what each gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planbuilder import ACCOUNT, REGION, PlanBuilder, Ref, Var, doc
from tf_families import (
    BUCKET,
    BUCKET_POLICY,
    COMPUTED,
    ITEMS,
    KEY_POLICY,
    PUBLISH,
    ROLE_ARN,
    TRUST,
    WRITE_REPORTS,
)

PLANS = Path(__file__).parent / "plans"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
REQUEST: dict[str, Any] = {
    "name": "retail-attribution",
    "datasetGroupArn": f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-group/retail",
    "metrics": [{"eventType": "click", "metricName": "CLICK_COUNT",
                 "expression": "SAMPLECOUNT()"}],
    "metricsOutputConfig": {
        "roleArn": ROLE_ARN,
        "s3DataDestination": {"path": f"s3://{BUCKET}/attribution/"}},
}
# The request a scenario's set-up names, where it differs from REQUEST.
REQUESTS: dict[str, dict[str, Any]] = {}


def request_for(name: str) -> dict[str, Any]:
    return REQUESTS.get(name, REQUEST)


def _with_key() -> dict[str, Any]:
    request = json.loads(json.dumps(REQUEST))
    request["metricsOutputConfig"]["s3DataDestination"]["kmsKeyArn"] = KEY_ARN
    return request


def _summing_items() -> dict[str, Any]:
    request = json.loads(json.dumps(REQUEST))
    request["metrics"].append({"eventType": "purchase", "metricName": "REVENUE",
                               "expression": "SUM(Items.PRICE)"})
    return request


REQUESTS["aws_kms_key"] = REQUESTS["aws_kms_key_policy"] = _with_key()
REQUESTS["awscc_personalize"] = _summing_items()
ALL = {"Version": "2012-10-17", "Statement": [
    *PUBLISH["Statement"], WRITE_REPORTS["Statement"][0]]}


def r(b: PlanBuilder, kind: str, name: str, config: dict[str, Any], **kw: Any) -> str:
    return b.resource(kind, name, config, computed=COMPUTED.get(kind, ("id",)), **kw)


def caller(b: PlanBuilder) -> None:
    b.data("aws_caller_identity", "current", {"account_id": ACCOUNT,
                                              "arn": f"arn:aws:iam::{ACCOUNT}:user/ci"})


def role(b: PlanBuilder, config: dict[str, Any] | None = None, **kw: Any) -> str:
    return r(b, "aws_iam_role", "metrics", {"name": "PersonalizeMetricsRole",
                                            "assume_role_policy": doc(TRUST), **(config or {})},
             **kw)


def aws_iam_role() -> PlanBuilder:
    """A misspelt service principal in assume_role_policy; an inline_policy block that
    cannot publish metrics."""
    b = PlanBuilder()
    caller(b)
    trust = json.loads(json.dumps(TRUST))
    trust["Statement"][0]["Principal"]["Service"] = "personalise.amazonaws.com"
    role(b, {"assume_role_policy": doc(trust), "inline_policy": [
        {"name": "write-reports", "policy": doc(WRITE_REPORTS)}]})
    return b


def permissions_boundary() -> PlanBuilder:
    """The role's permissions boundary is a policy of the plan (its ARN known after apply)
    that leaves out CloudWatch: the role's own grant of PutMetricData does not count."""
    b = PlanBuilder()
    caller(b)
    boundary = r(b, "aws_iam_policy", "boundary", {"name": "personalize-boundary",
                                                   "policy": doc(_s3_and_kms())})
    role(b, {"permissions_boundary": Ref(boundary, "arn"),
             "inline_policy": [{"name": "all", "policy": doc(ALL)}]})
    return b


def _s3_and_kms() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "OnlyStorage", "Effect": "Allow", "Action": ["s3:*", "kms:*"],
         "Resource": "*"}]}


def aws_iam_role_policy() -> PlanBuilder:
    """A role policy attached by `role = aws_iam_role.metrics.id` (known after apply)
    that grants iam:* besides what the role needs."""
    b = PlanBuilder()
    caller(b)
    metrics = role(b)
    everything = {"Sid": "Everything", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}
    r(b, "aws_iam_role_policy", "metrics", {
        "name": "metrics", "role": Ref(metrics, "id"),
        "policy": doc({**ALL, "Statement": [*ALL["Statement"], everything]})})
    return b


def aws_iam_policy() -> PlanBuilder:
    """A customer managed policy attached by aws_iam_role_policy_attachment, writing the
    bucket ARN instead of its objects; and an AWS managed one that publishes metrics."""
    b = PlanBuilder()
    caller(b)
    metrics = role(b)
    policy = r(b, "aws_iam_policy", "write", {"name": "write-reports", "policy": doc({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "Bucket", "Effect": "Allow", "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{BUCKET}"}]})})
    r(b, "aws_iam_role_policy_attachment", "write", {
        "role": Ref(metrics, "name"), "policy_arn": Ref(policy, "arn")})
    r(b, "aws_iam_role_policy_attachment", "cloudwatch", {
        "role": Ref(metrics, "name"),
        "policy_arn": "arn:aws:iam::aws:policy/CloudWatchFullAccessV2"})
    return b


def aws_iam_role_policies_exclusive() -> PlanBuilder:
    """The exclusive list keeps a policy the plan does not write (its grants are unknown)
    and leaves out one it does write (removed when applied)."""
    b = PlanBuilder()
    caller(b)
    metrics = role(b)
    r(b, "aws_iam_role_policy", "publish", {"name": "publish", "role": Ref(metrics, "name"),
                                            "policy": doc(PUBLISH)})
    r(b, "aws_iam_role_policy", "write", {"name": "write", "role": Ref(metrics, "name"),
                                          "policy": doc(WRITE_REPORTS)})
    r(b, "aws_iam_role_policies_exclusive", "metrics", {
        "role_name": Ref(metrics, "name"), "policy_names": ["write", "legacy-console-policy"]})
    return b


def aws_s3_bucket_policy() -> PlanBuilder:
    """A bucket policy that lets Personalize write without a confused-deputy guard."""
    b = PlanBuilder()
    caller(b)
    role(b, {"inline_policy": [{"name": "all", "policy": doc(ALL)}]})
    bucket = r(b, "aws_s3_bucket", "metrics", {"bucket": BUCKET})
    unguarded = json.loads(json.dumps(BUCKET_POLICY))
    del unguarded["Statement"][0]["Condition"]
    r(b, "aws_s3_bucket_policy", "metrics", {"bucket": Ref(bucket, "id"),
                                             "policy": doc(unguarded)})
    return b


def aws_s3_bucket_server_side_encryption_configuration() -> PlanBuilder:
    """The bucket's default encryption is a key of the plan whose policy leaves out
    Personalize, so Personalize cannot write the reports there."""
    b = PlanBuilder()
    caller(b)
    role(b, {"inline_policy": [{"name": "all", "policy": doc(ALL)}]})
    root_only = {"Version": "2012-10-17", "Statement": [KEY_POLICY["Statement"][0]]}
    key = r(b, "aws_kms_key", "metrics", {"policy": doc(root_only)})
    bucket = r(b, "aws_s3_bucket", "metrics", {"bucket": BUCKET})
    r(b, "aws_s3_bucket_server_side_encryption_configuration", "metrics", {
        "bucket": Ref(bucket, "bucket"),
        "rule": [{"apply_server_side_encryption_by_default": [{
            "sse_algorithm": "aws:kms", "kms_master_key_id": Ref(key, "arn")}]}]})
    r(b, "aws_s3_bucket_policy", "metrics", {"bucket": Ref(bucket, "id"),
                                             "policy": doc(BUCKET_POLICY)})
    return b


def aws_kms_key() -> PlanBuilder:
    """The output key (named by kmsKeyArn) is disabled; its policy is fine."""
    b = PlanBuilder()
    caller(b)
    role(b, {"inline_policy": [{"name": "all", "policy": doc({
        **ALL, "Statement": [*ALL["Statement"], WRITE_REPORTS["Statement"][1]]})}]})
    b.resource("aws_kms_key", "metrics", {"is_enabled": False, "policy": doc(KEY_POLICY),
                                          "key_id": KEY_ARN.rsplit("/", 1)[1], "arn": KEY_ARN},
               computed=("id", "tags_all"), actions=("update",))
    return b


def aws_kms_key_policy() -> PlanBuilder:
    """A key made elsewhere, whose policy this plan manages: the account root only."""
    b = PlanBuilder()
    caller(b)
    role(b, {"inline_policy": [{"name": "all", "policy": doc({
        **ALL, "Statement": [*ALL["Statement"], WRITE_REPORTS["Statement"][1]]})}]})
    r(b, "aws_kms_key_policy", "shared", {"key_id": KEY_ARN, "policy": doc({
        "Version": "2012-10-17", "Statement": [KEY_POLICY["Statement"][0]]})})
    return b


def aws_iam_policy_document() -> PlanBuilder:
    """Policy documents the plan renders: one is the role's trust policy; the other, used
    by nothing, trusts Personalize without a confused-deputy guard."""
    b = PlanBuilder()
    caller(b)
    b.data("aws_iam_policy_document", "trust", {"json": doc(TRUST)})
    b.data("aws_iam_policy_document", "unguarded", {"json": doc({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "Unguarded", "Effect": "Allow",
            "Principal": {"Service": "personalize.amazonaws.com"},
            "Action": "sts:AssumeRole"}]})})
    role(b, {"assume_role_policy": Ref("data.aws_iam_policy_document.trust", "json"),
             "inline_policy": [{"name": "all", "policy": doc(ALL)}]})
    return b


def awscc_personalize() -> PlanBuilder:
    """The dataset group, its Items dataset and schema (awscc): PRICE is a string, so
    SUM(Items.PRICE) cannot be computed."""
    b = PlanBuilder()
    caller(b)
    role(b, {"inline_policy": [{"name": "all", "policy": doc(ALL)}]})
    group = r(b, "awscc_personalize_dataset_group", "retail", {"name": "retail"})
    items = json.loads(ITEMS)
    items["fields"][1]["type"] = "string"
    schema = r(b, "awscc_personalize_schema", "items", {"name": "retail-items",
                                                        "schema": json.dumps(items)})
    r(b, "awscc_personalize_dataset", "items", {
        "name": "retail-items", "dataset_type": "Items",
        "dataset_group_arn": Ref(group, "dataset_group_arn"),
        "schema_arn": Ref(schema, "schema_arn")})
    return b


def modules() -> PlanBuilder:
    """The role in a module, passed the trust policy and the bucket name by variables."""
    b = PlanBuilder()
    caller(b)
    b.data("aws_iam_policy_document", "trust", {"json": doc(TRUST)})
    bucket = r(b, "aws_s3_bucket", "metrics", {"bucket": BUCKET})
    b.module("personalize", {"trust": Ref("data.aws_iam_policy_document.trust", "json"),
                             "bucket": Ref(bucket, "id")})
    metrics = b.resource("aws_iam_role", "metrics", {
        "name": "PersonalizeMetricsRole", "assume_role_policy": Var("trust")},
        computed=COMPUTED["aws_iam_role"], module="personalize")
    r(b, "aws_iam_role_policy", "publish", {"name": "publish", "role": Ref("aws_iam_role.metrics",
                                                                        "id"),
                                            "policy": doc(WRITE_REPORTS)},
      module="personalize")
    del metrics
    r(b, "aws_s3_bucket_policy", "metrics", {"bucket": Var("bucket"),
                                             "policy": doc(BUCKET_POLICY)}, module="personalize")
    return b


SCENARIOS: dict[str, Callable[[], PlanBuilder]] = {
    "aws_iam_role": aws_iam_role,
    "aws_iam_role_policy": aws_iam_role_policy,
    "permissions_boundary": permissions_boundary,
    "aws_iam_policy": aws_iam_policy,
    "aws_iam_role_policies_exclusive": aws_iam_role_policies_exclusive,
    "aws_s3_bucket_policy": aws_s3_bucket_policy,
    "aws_s3_bucket_server_side_encryption_configuration":
        aws_s3_bucket_server_side_encryption_configuration,
    "aws_kms_key": aws_kms_key,
    "aws_kms_key_policy": aws_kms_key_policy,
    "aws_iam_policy_document": aws_iam_policy_document,
    "awscc_personalize": awscc_personalize,
    "modules": modules,
}


def text_of(name: str) -> str:
    return json.dumps(SCENARIOS[name]().build(), indent=1) + "\n"


def write_all() -> None:
    """Write plans/*.json (run: python tests/terraform/resource_plans.py)."""
    PLANS.mkdir(exist_ok=True)
    for name in SCENARIOS:
        (PLANS / f"{name}.json").write_text(text_of(name), encoding="utf-8")


if __name__ == "__main__":
    write_all()
