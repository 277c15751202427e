"""PL409: how many CloudWatch metrics a set-up's attribution will publish each month."""

from __future__ import annotations

from collections.abc import Iterator

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory, Setup
from personalize_lint.personalize.events import iter_events
from personalize_lint.rule import RuleContext, rule

from ._attribution_common import (
    Attribution,
    all_attributions,
    existing_metrics,
    finding_at,
    setup_attributions,
    upper_name,
)
from ._data_common import UNDEFINED, data_attribution_sources


def _sources_from_events(setup: Setup) -> tuple[set[str], bool]:
    """(explicit sources, whether recommendation IDs name further sources)."""
    sources: set[str] = set()
    by_recommendation = False
    for payload in setup.events:
        for ref in iter_events(payload.data):
            attribution = ref.event.get("metricAttribution")
            source = attribution.get("eventAttributionSource") if isinstance(
                attribution, dict) else None
            if isinstance(source, str) and source:
                sources.add(source)
            elif ref.event.get("recommendationId"):
                by_recommendation = True
            else:
                sources.add(UNDEFINED)
    return sources, by_recommendation


def _metric_count(attribution: Attribution, attributions: list[Attribution]) -> int | None:
    if attribution.metrics is None:
        return None
    if attribution.form != "update":
        return len(attribution.metrics)
    existing = existing_metrics(attribution, attributions)
    if existing is None:
        return None
    removed = {upper_name(name) for _, name in attribution.removed}
    return len([m for m in existing if upper_name(m.value("metricName")) not in removed]) + len(
        attribution.metrics)


@rule(
    id="PL409",
    level="note",
    title="Monthly CloudWatch metrics the attribution will publish",
    why="""
After you create a metric attribution and record events or import incremental bulk data,
Personalize publishes each metric per attribution source to CloudWatch, which bills custom
metrics per metric and month. The estimate is the number of metrics times the attribution
sources seen in the set-up's events and data (eventAttributionSource values, sources found
through recommendation IDs, and SOURCE_NAME_UNDEFINED for events with neither).
""",
    fix="Nothing to fix; keep the number of metrics and sources to what you will read. "
        "Delete the metric attribution to stop publishing.",
    example="3 metrics x 4 sources = about 12 CloudWatch metrics per month",
    source="https://aws.amazon.com/cloudwatch/pricing/",
    tags=("metric-attribution", "cost"),
)
def pl409_cloudwatch_cost(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    attributions = all_attributions(inventory)
    for attribution in setup_attributions(inventory):
        assert attribution.setup is not None
        count = _metric_count(attribution, attributions)
        if not count:
            continue
        sources, by_recommendation = _sources_from_events(attribution.setup)
        from_data = data_attribution_sources(inventory, attribution.setup, ctx)
        known = bool(attribution.setup.events) or from_data is not None
        sources |= from_data or set()
        where = attribution.metrics_ptr or attribution.body_ptr
        unread = " (the interactions data was not read: its sources are not counted)" \
            if attribution.setup.interactions_data and from_data is None else ""
        if not known:
            message = (f"{count} metric(s) x the attribution sources (none seen: the set-up has "
                       "no events or read data) will be published to CloudWatch every month, at "
                       f"least {count} custom metric(s)")
        else:
            plus = " plus the campaigns/recommenders behind recommendation IDs" \
                if by_recommendation else ""
            total = count * max(len(sources) + int(by_recommendation), 1)
            message = (f"{count} metric(s) x {len(sources) + int(by_recommendation)} attribution "
                       f"source(s) seen ({', '.join(sorted(sources)) or 'none'}{plus}) = about "
                       f"{total} CloudWatch custom metric(s) per month{unread}")
        yield finding_at("PL409", message, attribution, where)
