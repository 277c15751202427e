"""PL407 (and PL002 for the request shape): a metric attribution request against the API
model of the installed SDK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.personalize.constraints import (
    PERSONALIZE,
    ConstraintsUnavailable,
    MetricAttributionConstraints,
    ShapeProblem,
    input_shape_name,
    shape_at,
    structural_problems,
)
from personalize_lint.rule import RuleContext, rule

from ._attribution_common import (
    API_CREATE,
    Attribution,
    all_attributions,
    api_constraints,
    finding_at,
)


@rule(
    id="PL407",
    level="error",
    title="Metric attribution request breaks the API constraints",
    why="""
The API checks every request member against the service model: the name must match
[a-zA-Z0-9][a-zA-Z0-9\\-_]* and be 1-63 characters, datasetGroupArn and
metricAttributionArn must be Personalize ARNs, roleArn an IAM role ARN, and the S3 path an
s3:// location of at most 256 characters. Placeholders copied from the documentation
("string", "Amazon Personalize service role ARN") fail here. Request shape problems
(missing or unknown members, wrong types) are reported as PL002 by this check.
""",
    fix="Fill in real values; the patterns and lengths come from botocore's model of the "
        "installed SDK (aws personalize create-metric-attribution --generate-cli-skeleton shows "
        "the shape).",
    example="""
"name": "retail-attribution",
"datasetGroupArn": "arn:aws:personalize:us-east-1:123456789012:dataset-group/retail",
"metricsOutputConfig": {"roleArn": "arn:aws:iam::123456789012:role/PersonalizeMetrics",
                        "s3DataDestination": {"path": "s3://metrics-bucket/attribution/"}}
""",
    source=API_CREATE,
    tags=("metric-attribution", "api"),
)
def pl407_api_constraints(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    attributions = all_attributions(inventory)
    limits, unavailable = api_constraints("PL407", attributions)
    yield from unavailable
    if limits is None:
        return
    for attribution in attributions:
        if attribution.form == "describe":
            continue  # AWS's own output
        yield from _shape_findings(attribution)
        checks = [("metricsOutputConfig", "roleArn"),
                  ("metricsOutputConfig", "s3DataDestination", "path")]
        if attribution.form == "create":
            checks = [("name",), ("datasetGroupArn",), *checks]
        elif attribution.form == "update":
            checks = [("metricAttributionArn",), *checks]
        elif attribution.form == "output-config":
            checks = [("roleArn",), ("s3DataDestination", "path")]
        for path in checks:
            value, pointer = attribution.member(*path)
            if not isinstance(value, str):
                continue
            limit = _limit_for(limits, path[-1])
            label = ".".join(path)
            for message in limit.problems(value):
                yield finding_at("PL407", f"{label} {value!r} {message}", attribution, pointer)
            if path[-1] in ("datasetGroupArn", "metricAttributionArn") and limit.matches(value):
                yield from _arn_type(attribution, pointer, label, value)


def _limit_for(limits: MetricAttributionConstraints, member: str) -> Any:
    return {
        "name": limits.name,
        "datasetGroupArn": limits.dataset_group_arn,
        "metricAttributionArn": limits.metric_attribution_arn,
        "roleArn": limits.role_arn,
        "path": limits.s3_path,
    }[member]


def _arn_type(attribution: Attribution, pointer: str, label: str, value: str
              ) -> Iterator[Finding]:
    # The model's pattern accepts any Personalize ARN; the resource type must still fit.
    wanted = "dataset-group" if label == "datasetGroupArn" else "metric-attribution"
    resource = value.split(":", 5)[5] if value.count(":") >= 5 else ""
    if resource.split("/", 1)[0] != wanted:
        yield finding_at("PL407", f"{label} {value!r} is not a {wanted} ARN "
                                f"(arn:aws:personalize:<region>:<account>:{wanted}/<name>)",
                       attribution, pointer)


def _shape_findings(attribution: Attribution) -> Iterator[Finding]:
    """PL002: the request checked against botocore's input shape."""
    problems: list[ShapeProblem] = []
    console_metrics = [m for m in attribution.metrics or () if m.console_keys]
    try:
        create = input_shape_name(PERSONALIZE, "CreateMetricAttribution")
        if attribution.form in ("create", "update") and not attribution.console:
            operation = "CreateMetricAttribution" if attribution.form == "create" else \
                "UpdateMetricAttribution"
            problems = structural_problems(PERSONALIZE, input_shape_name(PERSONALIZE, operation),
                                           attribution.body, base=attribution.body_ptr)
        elif attribution.form == "metrics" and not attribution.console:
            shape = shape_at(PERSONALIZE, create, "metrics", "member")
            for metric in attribution.metrics or ():
                problems += structural_problems(PERSONALIZE, shape, metric.data,
                                                base=metric.pointer)
        elif attribution.form == "output-config" and not attribution.console:
            shape = shape_at(PERSONALIZE, create, "metricsOutputConfig")
            problems = structural_problems(PERSONALIZE, shape, attribution.body,
                                           base=attribution.body_ptr)
    except ConstraintsUnavailable:
        return
    for metric in console_metrics:
        if attribution.console and attribution.form == "metrics":
            continue  # console input on its own is the console's format, not a request
        yield finding_at(
            "PL002", f"metric {metric.label} uses the console's member names "
                     f"({', '.join(metric.console_keys)}); the API and CLI expect eventType, "
                     "metricName and expression", attribution, metric.pointer)
    skip = tuple(m.pointer + "/" for m in console_metrics)
    for problem in problems:
        if problem.pointer.startswith(skip) or problem.pointer in {m.pointer for m in
                                                                   console_metrics}:
            continue
        yield finding_at("PL002", problem.message, attribution, problem.pointer,
                       key=problem.kind == "unknown")
