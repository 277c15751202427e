"""PL605-PL607, PL609: the event attribution sources of the bulk data and the PutEvents
events, counted together (one dataset group)."""

from __future__ import annotations

from collections.abc import Iterator

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.rule import RuleContext, rule

from ._data_common import (
    MA_API,
    MAX_SOURCES,
    REQUIREMENTS,
    UNDEFINED,
    Sample,
    all_facts,
    combined,
    not_evaluated,
)

# --- PL605 --------------------------------------------------------------------------------


@rule(
    id="PL605",
    level="error",
    title="More than 100 event attribution sources",
    why="""
A metric attribution compares at most 100 unique event attribution sources per dataset
group, counted over the EVENT_ATTRIBUTION_SOURCE values of the bulk data and the
eventAttributionSource of PutEvents events together.
""",
    fix="Use a small, fixed set of source names (a campaign or placement, not a per-user or "
    "per-request value); put finer detail in another column.",
    example="""
EVENT_ATTRIBUTION_SOURCE: homepage-carousel, email-weekly, search   (not session IDs)
""",
    source=REQUIREMENTS,
    tags=("data", "csv", "events", "attribution"),
)
def pl605_too_many_sources(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for facts in all_facts(inventory, ctx, payloads=True):
        yield from not_evaluated(facts)
        bulk = set(facts.scan.sources) if facts.scan else set()
        events = set(facts.events.sources)
        names = bulk | events
        if len(names) <= MAX_SOURCES:
            continue
        at_least = "at least " if facts.scan is not None and facts.scan.sources_capped else ""
        detail = []
        if bulk:
            detail.append(f"{len(bulk):,} in the bulk data")
        if events:
            detail.append(f"{len(events):,} in PutEvents events")
        shown = ", ".join(sorted(names)[:5])
        where = facts.anchor
        if facts.scan is not None and facts.scan.files and bulk:
            where = facts.file_at(0)
        elif facts.events.first is not None and not bulk:
            where = facts.events.first
        yield Finding(
            "PL605",
            f"{at_least}{len(names):,} unique event attribution sources ({', '.join(detail)}); "
            f"a dataset group can compare at most {MAX_SOURCES}: e.g. {shown}, ...",
            where,
            setup=facts.setup_name,
        )


# --- PL606 --------------------------------------------------------------------------------


@rule(
    id="PL606",
    level="warning",
    title="Events with neither RECOMMENDATION_ID nor EVENT_ATTRIBUTION_SOURCE",
    why="""
To compare sources, each interaction needs a recommendation ID or an event attribution
source. Events with neither are reported under SOURCE_NAME_UNDEFINED, so their effect cannot
be credited to a campaign or recommender.
""",
    fix="Record the recommendationId returned with the recommendations the user saw, or set "
    "EVENT_ATTRIBUTION_SOURCE (eventAttributionSource in PutEvents) to the source's name.",
    example="""
USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,RECOMMENDATION_ID,EVENT_ATTRIBUTION_SOURCE
u-1,i-9,1700000000,click,,homepage-carousel
""",
    source=REQUIREMENTS,
    tags=("data", "csv", "events", "attribution"),
)
def pl606_no_source(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for facts in all_facts(inventory, ctx, payloads=True):
        yield from not_evaluated(facts)
        scan = facts.scan
        no_columns = (
            scan is not None
            and scan.files
            and not any(
                {"RECOMMENDATION_ID", "EVENT_ATTRIBUTION_SOURCE"} & {c.upper() for c in f.header}
                for f in scan.files
            )
        )
        yield from combined(
            "PL606",
            facts,
            scan.no_source if scan else None,
            facts.events.no_source,
            f"have neither a recommendation ID nor an attribution source and will be reported "
            f"as {UNDEFINED}",
            " (the data has no RECOMMENDATION_ID or EVENT_ATTRIBUTION_SOURCE column)"
            if no_columns
            else "",
        )


# --- PL607 --------------------------------------------------------------------------------


@rule(
    id="PL607",
    level="note",
    title="Events with both RECOMMENDATION_ID and EVENT_ATTRIBUTION_SOURCE",
    why="""
When an event has both a recommendation ID and an event attribution source, Personalize
uses only the event attribution source: the recommendation ID is ignored for attribution.
""",
    fix="Nothing to fix if the attribution source is the one you want reported; otherwise "
    "leave it empty so the recommendation ID identifies the campaign or recommender.",
    example="""
u-1,i-9,1700000000,click,RID-123,email-weekly   <- reported as email-weekly
""",
    source=REQUIREMENTS,
    tags=("data", "csv", "events", "attribution"),
)
def pl607_both_ids(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for facts in all_facts(inventory, ctx, payloads=True):
        yield from not_evaluated(facts)
        yield from combined(
            "PL607",
            facts,
            facts.scan.both if facts.scan else None,
            facts.events.both,
            "have both a recommendation ID and an attribution source; the recommendation ID is "
            "ignored for attribution",
        )


# --- PL609 --------------------------------------------------------------------------------


@rule(
    id="PL609",
    level="error",
    title="Invalid event attribution source",
    why="""
An event attribution source must be printable ASCII with at least one non-space character
and at most 1,024 characters (the API's pattern); other values fail the import or the
PutEvents call, and the events are lost to attribution.
""",
    fix="Use short, printable ASCII source names such as homepage-carousel; leave the field "
    "empty (and give a recommendation ID) instead of writing spaces.",
    example="""
EVENT_ATTRIBUTION_SOURCE: homepage-carousel    (not "  ", not "Startseite-Karussell-ü")
""",
    source=MA_API,
    tags=("data", "csv", "events", "attribution"),
)
def pl609_bad_source(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for facts in all_facts(inventory, ctx, payloads=True):
        yield from not_evaluated(facts)
        scan = facts.scan
        kinds = set(facts.events.bad_sources)
        if scan is not None:
            kinds |= set(scan.bad_sources)
        for kind in sorted(kinds):
            tally = scan.bad_sources.get(kind) if scan else None
            sample = facts.events.bad_sources.get(kind, Sample())
            values = list((scan.bad_source_values.get(kind, []) if scan else []) + sample.values)
            shown = ", ".join(repr(v[:40]) for v in values[:3])
            yield from combined(
                "PL609",
                facts,
                tally,
                sample,
                f"have an attribution source that is {kind} (e.g. {shown})",
            )
