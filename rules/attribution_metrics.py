"""PL403-PL406: what each metric says: its expression, the column a SUM() adds up, its name
and event type, and whether that event type occurs in the set-up's interactions."""

from __future__ import annotations

from collections.abc import Iterator

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory, Schema, Setup
from personalize_lint.personalize.expressions import SUM, ExpressionError, parse_expression
from personalize_lint.personalize.schemas import field_type, find_field
from personalize_lint.rule import RuleContext, rule
from personalize_lint.rules.schema import schema_location

from ._attribution_common import (
    API_METRIC,
    CREATING,
    Attribution,
    Metric,
    all_attributions,
    api_constraints,
    existing_attribution,
    finding_at,
    setup_attributions,
    upper_name,
)
from ._data_common import data_event_types, setup_facts

# --- PL403 ----------------------------------------------------------------------------


@rule(
    id="PL403",
    level="error",
    title="Metric expression is not SAMPLECOUNT() or SUM(Items|Interactions.COLUMN)",
    why="""
A metric's expression must be SAMPLECOUNT() or SUM(<dataset>.<COLUMN>) where the dataset is
Items or Interactions (its case does not matter). Anything else (another function, another
dataset, a placeholder such as SUM(DatasetType.COLUMN_NAME), whitespace) is rejected or
never computed. The finding gives the character where parsing stopped.
""",
    fix="Write SAMPLECOUNT() to count events, or SUM(Items.PRICE) / SUM(Interactions.EVENT_VALUE) "
        "to add up a numeric column.",
    example="""
{"eventType": "watch", "metricName": "MINUTES_WATCHED", "expression": "SUM(Items.LENGTH)"}
""",
    source=API_METRIC,
    tags=("metric-attribution",),
)
def pl403_bad_expression(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for attribution in all_attributions(inventory):
        for metric in attribution.metrics or ():
            text = metric.value("expression")
            if not isinstance(text, str):
                continue  # missing or not a string: PL002
            parsed = parse_expression(text)
            if isinstance(parsed, ExpressionError):
                yield finding_at(
                    "PL403", f"metric {metric.label}: expression {text!r} is not SAMPLECOUNT() "
                             f"or SUM(Items|Interactions.COLUMN): {parsed.describe()}"
                             f"{metric.console_note('expression')}",
                    attribution, metric.pointer_of("expression"))


# --- PL404 ----------------------------------------------------------------------------


@rule(
    id="PL404",
    level="error",
    title="SUM() column is missing from its dataset's schema or is not numeric",
    why="""
SUM() applies only to numeric columns of the Items and Item interactions datasets: int,
long, float or double, alone or in a union with null. A column the schema does not have,
a string column, or SUM(Items.X) in a dataset group without an Items dataset gives a
metric that cannot be computed.
""",
    fix="Point SUM() at a numeric column that exists (check the spelling and the dataset "
        "prefix), change the column's type, or add the Items dataset and import item metadata.",
    example="""
Items schema: {"name": "PRICE", "type": ["null", "float"]}
metric:       {"eventType": "purchase", "metricName": "REVENUE", "expression": "SUM(Items.PRICE)"}
""",
    source=CREATING,
    tags=("metric-attribution", "schema"),
)
def pl404_sum_column(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for attribution in setup_attributions(inventory):
        setup = attribution.setup
        assert setup is not None
        reported_missing: set[str] = set()
        for metric in attribution.metrics or ():
            parsed = parse_expression(metric.value("expression"))
            if isinstance(parsed, ExpressionError) or parsed.function != SUM:
                continue
            dataset, column = parsed.dataset or "", parsed.column or ""
            pointer = metric.pointer_of("expression")
            schema = setup.dataset_group.schemas.get(dataset)
            if schema is None or not isinstance(schema.avro, dict):
                if dataset in reported_missing:
                    continue
                reported_missing.add(dataset)
                # An Items dataset the set-up could not resolve (a PL003 note says why) may
                # exist: not evaluated, rather than "no Items dataset".
                unknown = any("items schema" in m.what.lower() for m in setup.missing)
                if dataset == "Items" and not unknown:
                    yield finding_at(
                        "PL404", f"metric {metric.label} sums Items.{column}, but the set-up has "
                                 "no Items schema (a SUM over Items needs an Items dataset; add "
                                 "items-schema to the set-up if it exists)", attribution, pointer)
                else:
                    yield finding_at(
                        "PL003", f"PL404 not evaluated for metric {metric.label}: the set-up "
                                 f"gives no readable {dataset} schema to find {column} in",
                        attribution, pointer)
                continue
            yield from _column_findings(attribution, metric, pointer, schema, dataset, column)


def _column_findings(attribution: Attribution, metric: Metric, pointer: str, schema: Schema,
                     dataset: str, column: str) -> Iterator[Finding]:
    found = find_field(schema.avro, column)
    if found is None:
        names = ", ".join(str(f.get("name")) for f in schema.avro.get("fields", [])
                          if isinstance(f, dict))
        yield finding_at("PL404", f"metric {metric.label}: {dataset}.{column} is not a field of "
                                f"the {dataset} schema ({names or 'no fields'})",
                       attribution, pointer, related=[schema_location(schema, "/fields")])
        return
    index, field_ = found
    kind = field_type(field_.get("type"))
    if not kind.numeric:
        given = kind.base or ("null" if kind.problem is None else "not a Personalize type")
        yield finding_at("PL404", f"metric {metric.label}: {dataset}.{field_['name']} is {given}; "
                                "SUM() needs int, long, float or double (optionally with null)",
                       attribution, pointer,
                       related=[schema_location(schema, f"/fields/{index}/type")])


# --- PL405 ----------------------------------------------------------------------------


@rule(
    id="PL405",
    level="error",
    title="Duplicate, empty or over-long metric name or event type",
    why="""
Personalize upper-cases metric names, so CLICKS and clicks are the same metric and the
request fails. A metric name or event type must not be empty and may be at most 256
characters (the API model's MetricName and EventType shapes).
""",
    fix="Give every metric a distinct, non-empty name (compare ignoring case) and keep names "
        "and event types within 256 characters.",
    example="""
{"eventType": "click", "metricName": "CLICKS", "expression": "SAMPLECOUNT()"},
{"eventType": "purchase", "metricName": "PURCHASES", "expression": "SAMPLECOUNT()"}
""",
    source=API_METRIC,
    tags=("metric-attribution",),
)
def pl405_metric_names(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    attributions = all_attributions(inventory)
    limits, unavailable = api_constraints("PL405", attributions)
    yield from unavailable
    for attribution in attributions:
        metrics = attribution.metrics or []
        for metric in metrics:
            for api, what in (("metricName", "metric name"), ("eventType", "event type")):
                value = metric.value(api)
                if not isinstance(value, str):
                    continue
                where = metric.pointer_of(api)
                note = metric.console_note(api)
                if not value.strip():
                    yield finding_at("PL405", f"the {what} of metric {metric.label} is empty{note}",
                                   attribution, where)
                elif limits is not None:
                    limit = limits.metric_name if api == "metricName" else limits.event_type
                    for message in limit.problems(value):
                        yield finding_at("PL405", f"the {what} of metric {metric.label} {message}"
                                                f"{note}", attribution, where)
        yield from _duplicate_names(attribution, metrics, attributions)


def _duplicate_names(attribution: Attribution, metrics: list[Metric],
                     attributions: list[Attribution]) -> Iterator[Finding]:
    seen: dict[str, tuple[Metric, Attribution]] = {}
    existing = existing_attribution(attribution, attributions) \
        if attribution.form == "update" else None
    if existing is not None:
        removed = {upper_name(name) for _, name in attribution.removed}
        for metric in existing.metrics or ():
            name = upper_name(metric.value("metricName"))
            if name and name not in removed:
                seen.setdefault(name, (metric, existing))
    for metric in metrics:
        name = upper_name(metric.value("metricName"))
        if not name or not name.strip():
            continue
        if name in seen:
            other, where = seen[name]
            yield finding_at(
                "PL405", f"metric name {metric.value('metricName')!r} repeats "
                         f"{other.value('metricName')!r} ({where.locate(other.pointer).describe()})"
                         ": Personalize upper-cases metric names, so they must differ ignoring "
                         "case", attribution, metric.pointer_of("metricName"),
                related=[where.locate(other.pointer)])
        else:
            seen[name] = (metric, attribution)


# --- PL406 ----------------------------------------------------------------------------


def observed_event_types(inventory: Inventory, setup: Setup, ctx: RuleContext
                         ) -> set[str] | None:
    """Event types seen in everything the set-up records, or None when that is not known.

    Interactions data that is declared but was not read leaves the answer unknown: a type
    may occur there, so "never occurs" cannot be claimed from the events alone.
    """
    from_data = data_event_types(inventory, setup, ctx)
    if setup.interactions_data and from_data is None:
        return None
    if from_data is None and not setup.events:
        return None
    seen = set(from_data or ())
    facts = setup_facts(inventory, setup, ctx) if setup.events else None
    if facts is not None:  # the PutEvents events, tallied once per pass with their sources
        seen |= facts.events.event_types
    return seen


@rule(
    id="PL406",
    level="warning",
    title="Metric event type never occurs in the set-up's interactions",
    why="""
A metric counts or sums the events of one event type. If no interaction in the bulk data or
the PutEvents payloads the set-up provides has that EVENT_TYPE (compared ignoring case, as
Personalize does), the metric will stay at zero, usually because of a typo or a renamed
event.
""",
    fix="Use an event type that your interactions actually record, or fix the event type in "
        "the data or the application that sends events.",
    example="""
interactions.csv EVENT_TYPE values: click, purchase
metric: {"eventType": "purchase", ...}   (not "Purchased")
""",
    source=CREATING,
    tags=("metric-attribution", "data"),
)
def pl406_unseen_event_type(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for attribution in setup_attributions(inventory):
        assert attribution.setup is not None
        seen = observed_event_types(inventory, attribution.setup, ctx)
        if seen is None:
            continue
        upper = {s.upper() for s in seen}
        shown = ", ".join(sorted(seen)[:10]) or "none"
        for metric in attribution.metrics or ():
            event_type = metric.value("eventType")
            if isinstance(event_type, str) and event_type.strip() and \
                    event_type.upper() not in upper:
                yield finding_at(
                    "PL406", f"metric {metric.label} counts event type {event_type!r}, which never "
                             f"occurs in the set-up's interactions (seen: {shown}); the metric "
                             "will stay zero", attribution, metric.pointer_of("eventType"))
