"""Recognise what a parsed document is, by its content.

Returns (kind, subkind). For policies the subkind tells identity, trust, bucket, key or
generic resource policy apart where the content allows; for metric-attribution requests
it is the form (create, update, describe, console); for PutEvents, "request" or "jsonl";
for Terraform JSON, None for a plan and "state" or "tfstate" for state given where a plan
belongs.
"""

from __future__ import annotations

from typing import Any

TRUST_ACTION_PREFIX = "sts:assumerole"
POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
CFN_TOP_KEYS = frozenset({"AWSTemplateFormatVersion", "Transform"})
SCHEMA_FIELD_TYPES = ("record",)


def detect(data: Any) -> tuple[str, str | None]:
    if isinstance(data, list):
        return _detect_list(data)
    if not isinstance(data, dict):
        return "unknown", None
    if _is_template(data):
        return "cloudformation", None
    terraform = terraform_form(data)
    if terraform is not None:
        return "terraform-plan", None if terraform == "plan" else terraform
    if "Statement" in data or (data.get("Version") in POLICY_VERSIONS and len(data) <= 3):
        return "policy", policy_subkind(data)
    for wrapper in ("PolicyDocument", "AssumeRolePolicyDocument"):
        if isinstance(data.get(wrapper), dict) and "Statement" in data[wrapper]:
            return "policy", "trust" if wrapper.startswith("Assume") else "identity"
    if data.get("type") == "record" and "fields" in data:
        return "schema", None
    if isinstance(data.get("schema"), str) and "name" in data:
        return "schema", "request"
    form = metric_attribution_form(data)
    if form:
        return "metric-attribution", form
    if "eventList" in data:
        return "putevents", "request"
    if "personalizeLintInventory" in data:
        return "inventory", None
    return "unknown", None


METRIC_KEYS = frozenset({"metricName", "expression", "MetricName", "MetricMathExpression"})


def _detect_list(data: list[Any]) -> tuple[str, str | None]:
    # A `--metrics`/`--add-metrics` list for the CLI (metrics also carry an eventType).
    if data and all(isinstance(e, dict) and METRIC_KEYS & e.keys() for e in data):
        return "metric-attribution", "metrics"
    # JSON Lines of events, or a bare list of events.
    if data and all(isinstance(e, dict) and "eventType" in e for e in data):
        return "putevents", "events"
    return "unknown", None


def _is_template(data: dict[str, Any]) -> bool:
    if CFN_TOP_KEYS & data.keys():
        return True
    resources = data.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and "::" in r["Type"]
        for r in resources.values()
    )


TERRAFORM_STATE_KEYS = frozenset({"format_version", "terraform_version", "values", "checks"})
TFSTATE_KEYS = frozenset({"version", "serial", "lineage"})


def terraform_form(data: dict[str, Any]) -> str | None:
    """"plan" for ``terraform show -json PLANFILE``; "state" for ``terraform show -json`` of
    a state, "tfstate" for a raw state file (both given where a plan belongs); else None."""
    if "format_version" in data:
        if "planned_values" in data or "resource_changes" in data:
            return "plan"
        if data.keys() <= TERRAFORM_STATE_KEYS:
            return "state"
    if data.keys() >= TFSTATE_KEYS and isinstance(data.get("resources", []), list):
        return "tfstate"
    return None


def metric_attribution_form(data: dict[str, Any]) -> str | None:
    if isinstance(data.get("metricAttribution"), dict):
        return "describe"
    if (
        "addMetrics" in data
        or "removeMetrics" in data
        or ("metricAttributionArn" in data and "metricsOutputConfig" in data)
    ):
        return "update"
    if "metricsOutputConfig" in data or (
        isinstance(data.get("metrics"), list) and "datasetGroupArn" in data
    ):
        return "create"
    if "MetricsOutputConfig" in data or isinstance(data.get("Metrics"), list):
        return "console"
    if {"MetricName", "MetricMathExpression"} & data.keys() and "EventType" in data:
        return "console"  # the console's "Input metric attributes" (one metric)
    if "roleArn" in data and isinstance(data.get("s3DataDestination"), dict):
        return "output-config"  # a `--metrics-output-config` file
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _as_list(policy.get("Statement", [])) if isinstance(s, dict)]


def policy_subkind(policy: dict[str, Any]) -> str:
    """identity | trust | bucket | key | resource | unknown, from the statements."""
    statements = _statements(policy)
    if not statements:
        return "unknown"
    with_principal = [s for s in statements if "Principal" in s or "NotPrincipal" in s]
    if not with_principal:
        return "identity"
    actions = {
        str(a).lower()
        for s in statements
        for a in _as_list(s.get("Action", s.get("NotAction", [])))
        if isinstance(a, str)
    }
    if (
        actions
        and all(a.startswith(("sts:", "sts:*")) for a in actions)
        and any(a.startswith(TRUST_ACTION_PREFIX) or a in ("sts:*", "*") for a in actions)
    ):
        return "trust"
    resources = [
        str(r)
        for s in statements
        for r in _as_list(s.get("Resource", s.get("NotResource", [])))
        if isinstance(r, str)
    ]
    if any(r.startswith("arn:") and r.split(":")[2:3] == ["s3"] for r in resources):
        return "bucket"
    if (
        actions
        and all(a.startswith("kms:") or a == "*" for a in actions)
        and all(r == "*" for r in resources)
    ):
        return "key"
    if any(a.startswith("s3:") for a in actions):
        return "bucket"
    return "resource"
