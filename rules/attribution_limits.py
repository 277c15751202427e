"""PL401, PL402: how many metrics an attribution has, and how many attributions a dataset
group has."""

from __future__ import annotations

from collections.abc import Iterator

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.rule import RuleContext, rule

from ._attribution_common import (
    REQUIREMENTS,
    Attribution,
    all_attributions,
    api_constraints,
    existing_metrics,
    finding_at,
    upper_name,
)


@rule(
    id="PL401",
    level="error",
    title="More than 10 metrics in a metric attribution",
    why="""
Each metric attribution can have at most 10 metrics (the limit is the API model's
MetricAttributes maximum). CreateMetricAttribution rejects more, and UpdateMetricAttribution
rejects an update whose existing metrics plus addMetrics minus removeMetrics would pass it.
""",
    fix="Keep at most 10 metrics: drop or merge metrics, or remove some in the same update "
        "(removeMetrics) before adding others.",
    example="""
"metrics": [
  {"eventType": "click", "metricName": "CLICKS", "expression": "SAMPLECOUNT()"},
  {"eventType": "purchase", "metricName": "REVENUE", "expression": "SUM(Items.PRICE)"}
]
""",
    source=REQUIREMENTS,
    tags=("metric-attribution", "limits"),
)
def pl401_too_many_metrics(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    attributions = all_attributions(inventory)
    limits, unavailable = api_constraints("PL401", attributions)
    yield from unavailable
    if limits is None:
        return
    maximum = limits.metrics.max or 10
    for attribution in attributions:
        if attribution.metrics is None:
            continue
        listed = attribution.listed
        where = attribution.metrics_ptr or attribution.body_ptr
        if attribution.form != "update":
            if listed > maximum:
                yield finding_at("PL401", f"{listed} metrics; a metric attribution can have "
                                        f"at most {maximum}", attribution, where)
            continue
        existing = existing_metrics(attribution, attributions)
        if existing is None:
            if listed > maximum:
                yield finding_at("PL401", f"addMetrics has {listed} metrics; a metric "
                                        f"attribution can have at most {maximum}",
                               attribution, where)
            elif attribution.setup is not None and listed > len(attribution.removed):
                yield finding_at(
                    "PL003", f"PL401 not evaluated: the metrics {attribution.arn or 'the update'}"
                             " has now are unknown; add the describe-metric-attribution output "
                             "(with list-metric-attribution-metrics) to the set-up",
                    attribution, where)
            continue
        removed = {upper_name(name) for _, name in attribution.removed}
        kept = [m for m in existing if upper_name(m.value("metricName")) not in removed]
        total = len(kept) + listed
        if total > maximum:
            yield finding_at(
                "PL401", f"this update leaves {total} metrics ({len(existing)} existing "
                         f"+ {listed} added - {len(existing) - len(kept)} removed); a "
                         f"metric attribution can have at most {maximum}", attribution, where)


# --- PL402 ----------------------------------------------------------------------------


@rule(
    id="PL402",
    level="error",
    title="More than one metric attribution for a dataset group",
    why="""
You can create at most one metric attribution per dataset group. A second
CreateMetricAttribution for the same datasetGroupArn fails, wherever in the repository (or
the account) the first one is defined.
""",
    fix="Keep one metric attribution per dataset group and put all its metrics (up to 10) in "
        "it; use update-metric-attribution to change it.",
    example="""
personalize/retail-attribution.json    datasetGroupArn .../dataset-group/retail
personalize/retail-attribution-2.json  datasetGroupArn .../dataset-group/retail   <- remove
""",
    source=REQUIREMENTS,
    tags=("metric-attribution", "limits"),
)
def pl402_one_attribution_per_dataset_group(
    inventory: Inventory, ctx: RuleContext
) -> Iterator[Finding]:
    first: dict[str, dict[str, Attribution]] = {}
    for attribution in all_attributions(inventory):
        if attribution.form not in ("create", "describe"):
            continue
        group = attribution.dataset_group_arn
        if not group:
            continue
        known = first.setdefault(group, {})
        if attribution.identity in known:
            continue  # the same attribution (a create request and its describe output)
        if known:
            original = next(iter(known.values()))
            _, pointer = attribution.member("datasetGroupArn")
            yield finding_at(
                "PL402", f"dataset group {group} already has metric attribution "
                         f"{original.name or original.identity!r} ({original.where}); a dataset "
                         "group can have only one", attribution, pointer,
                related=[original.locate(original.body_ptr)])
        known[attribution.identity] = attribution
