"""PL4xx: the metric attribution.

Inputs: ``create-metric-attribution`` / ``update-metric-attribution`` requests
(``--cli-input-json``), ``describe-metric-attribution`` output, the bare values of
``--metrics`` / ``--add-metrics`` / ``--metrics-output-config``, and the console's
PascalCase spelling (``EventType``, ``MetricName``, ``MetricMathExpression``), which is
recognised and named in messages. Standalone documents get the checks one file can decide
(PL401, PL403, PL405, PL407 and PL002 for request shape); set-ups also get the cross-checks
(PL402 across the whole run, PL404 against the schemas, PL406 against the events and data,
PL408 against import jobs, PL409).

Hook for the bulk-data engine: :func:`event_types_from_data` and
:func:`attribution_sources_from_data` read what it found in a set-up's interactions data
from ``ctx.options`` (see their docstrings).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory, Schema, Setup, Source
from personalize_lint.location import Location, join_pointer
from personalize_lint.personalize.constraints import (
    PERSONALIZE,
    ConstraintsUnavailable,
    MetricAttributionConstraints,
    ShapeProblem,
    input_shape_name,
    metric_attribution_constraints,
    shape_at,
    structural_problems,
)
from personalize_lint.personalize.events import iter_events, looks_like_metric_list
from personalize_lint.personalize.expressions import SUM, ExpressionError, parse_expression
from personalize_lint.personalize.schemas import field_type, find_field
from personalize_lint.rule import RuleContext, rule
from personalize_lint.rules.schema import schema_location

GUIDE = "https://docs.aws.amazon.com/personalize/latest/dg"
REQUIREMENTS = f"{GUIDE}/metric-attribution-requirements.html"
CREATING = f"{GUIDE}/creating-metric-attribution.html"
API_CREATE = f"{GUIDE}/API_CreateMetricAttribution.html"
API_METRIC = f"{GUIDE}/API_MetricAttribute.html"

# The console's "Input metric attributes" JSON spells the members differently.
CONSOLE_ALIASES: dict[str, tuple[str, ...]] = {
    "eventType": ("EventType",),
    "metricName": ("MetricName",),
    "expression": ("MetricMathExpression", "Expression"),
}
SOURCE_UNDEFINED = "SOURCE_NAME_UNDEFINED"


# --- reading attributions -------------------------------------------------------------


def _member(obj: Any, api: str) -> tuple[Any, str | None]:
    """(value, key used) for an API member, accepting PascalCase and console spellings."""
    if not isinstance(obj, dict):
        return None, None
    if api in obj:
        return obj[api], api
    for key in obj:
        if isinstance(key, str) and key.lower() == api.lower():
            return obj[key], key
    for alias in CONSOLE_ALIASES.get(api, ()):
        if alias in obj:
            return obj[alias], alias
    return None, None


@dataclass
class Metric:
    """One metric attribute: where it is and the members it has."""

    pointer: str  # absolute pointer of the metric object in its document
    data: dict[str, Any]
    keys: dict[str, str] = field(default_factory=dict)  # API member -> key in the data

    def value(self, api: str) -> Any:
        key = self.keys.get(api)
        return self.data.get(key) if key else None

    def pointer_of(self, api: str) -> str:
        return join_pointer(self.pointer, self.keys.get(api, api))

    @property
    def console_keys(self) -> list[str]:
        return [k for api, k in self.keys.items() if k != api]

    @property
    def label(self) -> str:
        name = self.value("metricName")
        return repr(name) if isinstance(name, str) else f"at {self.pointer or '/'}"

    def console_note(self, api: str) -> str:
        key = self.keys.get(api)
        return f" (console field {key})" if key and key != api else ""


@dataclass
class Attribution:
    """A metric attribution in any of its forms, with where its parts sit."""

    source: Source
    form: str  # create | update | describe | metrics | output-config | unknown
    body: dict[str, Any]
    body_ptr: str  # absolute pointer of the members (a describe output wraps them)
    setup: Setup | None = None
    metrics: list[Metric] | None = None  # None: not known (a describe without metrics)
    metrics_ptr: str | None = None
    listed: int = 0  # entries in the metrics list, objects or not (what the API counts)
    removed: list[tuple[str, Any]] = field(default_factory=list)  # (pointer, name)
    console: bool = False  # PascalCase members: the console's or a template's, not the API's

    def member(self, *path: str) -> tuple[Any, str]:
        value: Any = self.body
        pointer = self.body_ptr
        for api in path:
            value, key = _member(value, api)
            pointer = join_pointer(pointer, key or api)
            if key is None:
                return None, pointer
        return value, pointer

    def text(self, *path: str) -> str | None:
        value, _ = self.member(*path)
        return value if isinstance(value, str) else None

    def locate(self, pointer: str, *, key: bool = False) -> Location:
        return locate(self.source, pointer, key=key)

    @property
    def name(self) -> str | None:
        return self.text("name")

    @property
    def arn(self) -> str | None:
        return self.text("metricAttributionArn")

    @property
    def dataset_group_arn(self) -> str | None:
        return self.text("datasetGroupArn")

    @property
    def identity(self) -> str:
        """Which attribution this is: its name (from the ARN if need be)."""
        name = self.name or _arn_resource_name(self.arn)
        return name.lower() if name else f"{self.source.path}#{self.body_ptr}"

    @property
    def where(self) -> str:
        return self.locate(self.body_ptr).describe()


def locate(source: Source, pointer: str, *, key: bool = False) -> Location:
    """A location from an absolute pointer in the source's document."""
    if source.document is not None:
        return source.document.location(pointer, key=key)
    return source.location or Location()


def _form(data: Any, hint: str | None) -> str:
    if isinstance(data, list):
        return "metrics"
    if not isinstance(data, dict):
        return "unknown"
    if isinstance(data.get("metricAttribution"), dict):
        return "describe"
    keys = {k.lower() for k in data if isinstance(k, str)}
    if keys & {"addmetrics", "removemetrics"}:
        return "update"
    if hint == "describe" or keys & {"status", "creationdatetime", "lastupdateddatetime"}:
        return "describe"
    if "metricattributionarn" in keys and not keys & {"metrics", "datasetgrouparn"}:
        return "update"
    if keys & {"metrics", "datasetgrouparn", "metricsoutputconfig"}:
        return "create"
    if keys & {"rolearn", "s3datadestination"}:
        return "output-config"
    if keys & {"eventtype", "metricname", "expression", "metricmathexpression"}:
        return "metrics"
    return "unknown"


def read_attribution(data: Any, source: Source, setup: Setup | None = None,
                     hint: str | None = None) -> Attribution:
    base = source.pointer
    form = _form(data, hint)
    body: Any = data
    body_ptr = base
    if form == "describe" and isinstance(data, dict) and isinstance(
            data.get("metricAttribution"), dict):
        body, body_ptr = data["metricAttribution"], join_pointer(base, "metricAttribution")
    attribution = Attribution(source=source, form=form,
                              body=body if isinstance(body, dict) else {},
                              body_ptr=body_ptr, setup=setup)
    attribution.console = hint == "console" or (isinstance(body, dict) and any(
        isinstance(k, str) and k[:1].isupper() for k in body))
    if form == "metrics":
        items = data if isinstance(data, list) else [data]
        attribution.metrics = _metrics(items, base if isinstance(data, list) else None, base)
        attribution.metrics_ptr = base if isinstance(data, list) else None
        attribution.listed = len(items)
        attribution.console = any(m.console_keys for m in attribution.metrics)
    elif form in ("create", "update", "describe"):
        api = "addMetrics" if form == "update" else "metrics"
        value, pointer = attribution.member(api)
        if form == "describe" and value is None and isinstance(data, dict):
            # list-metric-attribution-metrics output saved beside the describe output.
            value, key = _member(data, "metrics")
            pointer = join_pointer(base, key or "metrics")
        if isinstance(value, list):
            attribution.metrics = _metrics(value, pointer, pointer)
            attribution.metrics_ptr = pointer
            attribution.listed = len(value)
        elif form != "describe":
            attribution.metrics = []
        removed, pointer = attribution.member("removeMetrics")
        if isinstance(removed, list):
            attribution.removed = [(join_pointer(pointer, i), n) for i, n in enumerate(removed)]
    return attribution


def _metrics(items: list[Any], list_ptr: str | None, single_ptr: str) -> list[Metric]:
    metrics = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        pointer = join_pointer(list_ptr, index) if list_ptr is not None else single_ptr
        keys = {}
        for api in CONSOLE_ALIASES:
            _, key = _member(item, api)
            if key is not None:
                keys[api] = key
        metrics.append(Metric(pointer, item, keys))
    return metrics


def _source_key(source: Source) -> tuple[int, str]:
    return (id(source.document), source.pointer) if source.document else (id(source), "")


def _is_attribution_document(doc: Document) -> bool:
    return doc.kind == "metric-attribution" or (
        doc.kind == "putevents" and looks_like_metric_list(doc.data))


def all_attributions(inventory: Inventory) -> list[Attribution]:
    """Every attribution of the run, once each: set-ups first, then standalone documents."""
    found: list[Attribution] = []
    seen: set[tuple[int, str]] = set()
    for setup in inventory.setups:
        ma = setup.metric_attribution
        if ma is None or _source_key(ma.source) in seen:
            continue
        seen.add(_source_key(ma.source))
        found.append(read_attribution(ma.data, ma.source, setup, ma.form))
    for doc in inventory.standalone:
        if _is_attribution_document(doc):
            found.append(read_attribution(doc.data, Source(doc), None, doc.subkind))
    return found


def setup_attributions(inventory: Inventory) -> Iterator[Attribution]:
    """The attribution of each set-up (a file shared by set-ups is read once per set-up)."""
    for setup in inventory.setups:
        ma = setup.metric_attribution
        if ma is not None:
            yield read_attribution(ma.data, ma.source, setup, ma.form)


def _setup_name(attribution: Attribution) -> str | None:
    return attribution.setup.name if attribution.setup else None


def _finding(rule_id: str, message: str, attribution: Attribution, pointer: str, *,
             key: bool = False, related: Iterable[Location] = ()) -> Finding:
    return Finding(rule_id, message, attribution.locate(pointer, key=key),
                   related=tuple(related), setup=_setup_name(attribution))


def _constraints(rule_id: str, attributions: list[Attribution]
                 ) -> tuple[MetricAttributionConstraints | None, list[Finding]]:
    """The API constraints, or one PL003 saying why they could not be read."""
    try:
        return metric_attribution_constraints(), []
    except ConstraintsUnavailable as exc:
        if not attributions:
            return None, []
        first = attributions[0]
        return None, [_finding("PL003", f"{rule_id} not evaluated: the API constraints could "
                                        f"not be read ({exc})", first, first.body_ptr)]


def _arn_resource_name(arn: str | None) -> str | None:
    if not arn or arn.count(":") < 5:
        return None
    resource = arn.split(":", 5)[5]
    return resource.split("/", 1)[1] if "/" in resource else None


def _arn_account_region(arn: str | None) -> tuple[str, str] | None:
    if not arn or arn.count(":") < 5:
        return None
    parts = arn.split(":", 5)
    return parts[4], parts[3]


def _upper(value: Any) -> str | None:
    return value.upper() if isinstance(value, str) else None


# --- PL401 ----------------------------------------------------------------------------


def existing_attribution(
    update: Attribution, attributions: list[Attribution]
) -> Attribution | None:
    """The attribution an update targets, when some input shows its current metrics.

    Matches a describe output (or the create request) by ARN, or by name within the same
    account and region as the update's ARN.
    """
    target = update.arn
    name = _arn_resource_name(target)
    place = _arn_account_region(target)
    for other in attributions:
        if other is update or other.form not in ("describe", "create") or other.metrics is None:
            continue
        if target and other.arn == target:
            return other
        other_place = _arn_account_region(other.dataset_group_arn or other.arn)
        if name and other.name == name and (place is None or other_place in (None, place)):
            return other
    return None


def existing_metrics(update: Attribution, attributions: list[Attribution]) -> list[Metric] | None:
    other = existing_attribution(update, attributions)
    return other.metrics if other is not None else None


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
    limits, unavailable = _constraints("PL401", attributions)
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
                yield _finding("PL401", f"{listed} metrics; a metric attribution can have "
                                        f"at most {maximum}", attribution, where)
            continue
        existing = existing_metrics(attribution, attributions)
        if existing is None:
            if listed > maximum:
                yield _finding("PL401", f"addMetrics has {listed} metrics; a metric "
                                        f"attribution can have at most {maximum}",
                               attribution, where)
            elif attribution.setup is not None and listed > len(attribution.removed):
                yield _finding(
                    "PL003", f"PL401 not evaluated: the metrics {attribution.arn or 'the update'}"
                             " has now are unknown; add the describe-metric-attribution output "
                             "(with list-metric-attribution-metrics) to the set-up",
                    attribution, where)
            continue
        removed = {_upper(name) for _, name in attribution.removed}
        kept = [m for m in existing if _upper(m.value("metricName")) not in removed]
        total = len(kept) + listed
        if total > maximum:
            yield _finding(
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
            yield _finding(
                "PL402", f"dataset group {group} already has metric attribution "
                         f"{original.name or original.identity!r} ({original.where}); a dataset "
                         "group can have only one", attribution, pointer,
                related=[original.locate(original.body_ptr)])
        known[attribution.identity] = attribution


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
                yield _finding(
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
                    yield _finding(
                        "PL404", f"metric {metric.label} sums Items.{column}, but the set-up has "
                                 "no Items schema (a SUM over Items needs an Items dataset; add "
                                 "items-schema to the set-up if it exists)", attribution, pointer)
                else:
                    yield _finding(
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
        yield _finding("PL404", f"metric {metric.label}: {dataset}.{column} is not a field of "
                                f"the {dataset} schema ({names or 'no fields'})",
                       attribution, pointer, related=[schema_location(schema, "/fields")])
        return
    index, field_ = found
    kind = field_type(field_.get("type"))
    if not kind.numeric:
        given = kind.base or ("null" if kind.problem is None else "not a Personalize type")
        yield _finding("PL404", f"metric {metric.label}: {dataset}.{field_['name']} is {given}; "
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
    limits, unavailable = _constraints("PL405", attributions)
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
                    yield _finding("PL405", f"the {what} of metric {metric.label} is empty{note}",
                                   attribution, where)
                elif limits is not None:
                    limit = limits.metric_name if api == "metricName" else limits.event_type
                    for message in limit.problems(value):
                        yield _finding("PL405", f"the {what} of metric {metric.label} {message}"
                                                f"{note}", attribution, where)
        yield from _duplicate_names(attribution, metrics, attributions)


def _duplicate_names(attribution: Attribution, metrics: list[Metric],
                     attributions: list[Attribution]) -> Iterator[Finding]:
    seen: dict[str, tuple[Metric, Attribution]] = {}
    existing = existing_attribution(attribution, attributions) \
        if attribution.form == "update" else None
    if existing is not None:
        removed = {_upper(name) for _, name in attribution.removed}
        for metric in existing.metrics or ():
            name = _upper(metric.value("metricName"))
            if name and name not in removed:
                seen.setdefault(name, (metric, existing))
    for metric in metrics:
        name = _upper(metric.value("metricName"))
        if not name or not name.strip():
            continue
        if name in seen:
            other, where = seen[name]
            yield _finding(
                "PL405", f"metric name {metric.value('metricName')!r} repeats "
                         f"{other.value('metricName')!r} ({where.locate(other.pointer).describe()})"
                         ": Personalize upper-cases metric names, so they must differ ignoring "
                         "case", attribution, metric.pointer_of("metricName"),
                related=[where.locate(other.pointer)])
        else:
            seen[name] = (metric, attribution)


# --- PL406 ----------------------------------------------------------------------------


def event_types_from_data(setup: Setup, ctx: RuleContext) -> set[str] | None:
    """Event types the bulk-data engine found in the set-up's interactions data.

    Hook point: the data engine (checker/data) stores the distinct EVENT_TYPE values of a
    set-up's interactions data as ``ctx.options["data_event_types"][setup.name]`` (any
    iterable of strings). None means the data was not read (or the set-up has none).
    """
    _scan_data(setup, ctx)
    table = ctx.options.get("data_event_types")
    if not isinstance(table, dict) or table.get(setup.name) is None:
        return None
    return {str(v) for v in table[setup.name]}


def attribution_sources_from_data(setup: Setup, ctx: RuleContext) -> set[str] | None:
    """Attribution sources the data engine found: ``ctx.options["data_attribution_sources"]
    [setup.name]``, the distinct EVENT_ATTRIBUTION_SOURCE values (plus SOURCE_NAME_UNDEFINED
    when some rows have no source). None when not known."""
    _scan_data(setup, ctx)
    table = ctx.options.get("data_attribution_sources")
    if not isinstance(table, dict) or table.get(setup.name) is None:
        return None
    return {str(v) for v in table[setup.name]}


def _scan_data(setup: Setup, ctx: RuleContext) -> None:
    """Rules run in ID order, so PL406/PL409 come before the PL6xx rules that scan the
    data; ask for the scan here (it runs once per set-up and is cached in ctx.options)."""
    if setup.interactions_data:
        from personalize_lint.rules.data import scan_setup

        scan_setup(setup, ctx)


def observed_event_types(setup: Setup, ctx: RuleContext) -> set[str] | None:
    """Event types seen in everything the set-up records, or None when that is not known.

    Interactions data that is declared but was not read leaves the answer unknown: a type
    may occur there, so "never occurs" cannot be claimed from the events alone.
    """
    from_data = event_types_from_data(setup, ctx)
    if setup.interactions_data and from_data is None:
        return None
    if from_data is None and not setup.events:
        return None
    seen = set(from_data or ())
    for payload in setup.events:
        for ref in iter_events(payload.data):
            if isinstance(ref.event.get("eventType"), str):
                seen.add(ref.event["eventType"])
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
        seen = observed_event_types(attribution.setup, ctx)
        if seen is None:
            continue
        upper = {s.upper() for s in seen}
        shown = ", ".join(sorted(seen)[:10]) or "none"
        for metric in attribution.metrics or ():
            event_type = metric.value("eventType")
            if isinstance(event_type, str) and event_type.strip() and \
                    event_type.upper() not in upper:
                yield _finding(
                    "PL406", f"metric {metric.label} counts event type {event_type!r}, which never "
                             f"occurs in the set-up's interactions (seen: {shown}); the metric "
                             "will stay zero", attribution, metric.pointer_of("eventType"))


# --- PL407 ----------------------------------------------------------------------------


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
    limits, unavailable = _constraints("PL407", attributions)
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
                yield _finding("PL407", f"{label} {value!r} {message}", attribution, pointer)
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
        yield _finding("PL407", f"{label} {value!r} is not a {wanted} ARN "
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
        yield _finding(
            "PL002", f"metric {metric.label} uses the console's member names "
                     f"({', '.join(metric.console_keys)}); the API and CLI expect eventType, "
                     "metricName and expression", attribution, metric.pointer)
    skip = tuple(m.pointer + "/" for m in console_metrics)
    for problem in problems:
        if problem.pointer.startswith(skip) or problem.pointer in {m.pointer for m in
                                                                   console_metrics}:
            continue
        yield _finding("PL002", problem.message, attribution, problem.pointer,
                       key=problem.kind == "unknown")


# --- PL408 ----------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """A creation time as the CLI, SDK or a saved inventory gives it (aware, UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            return datetime.fromtimestamp(float(text), tz=timezone.utc)
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def _interactions_imports(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Import jobs that brought in interactions (dataset ARNs end in /INTERACTIONS)."""
    found = []
    for job in jobs:
        if not isinstance(job, dict):
            continue
        dataset = job.get("datasetArn")
        if isinstance(dataset, str) and not dataset.upper().endswith("/INTERACTIONS"):
            continue
        status = job.get("status")
        if isinstance(status, str) and "FAILED" in status.upper():
            continue  # a failed import brought in nothing
        found.append(job)
    return found


@rule(
    id="PL408",
    level="warning",
    title="Interactions were imported before the metric attribution existed",
    why="""
Amazon Personalize reports only on data imported after the metric attribution is created.
Interactions imported earlier (and events recorded before it existed) never appear in the
CloudWatch or S3 reports, so the first reports look lower than the real traffic. The
documentation recommends creating the attribution before importing interactions.
""",
    fix="Create the metric attribution first, then import (or re-import incrementally) the "
        "interactions you want reported.",
    example="""
aws personalize create-metric-attribution --cli-input-json file://attribution.json
aws personalize create-dataset-import-job ...   # afterwards
""",
    source=REQUIREMENTS,
    tags=("metric-attribution", "data"),
)
def pl408_imported_before(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for attribution in setup_attributions(inventory):
        assert attribution.setup is not None
        group = attribution.setup.dataset_group
        jobs = _interactions_imports(group.import_jobs)
        trackers = [t for t in group.event_trackers if isinstance(t, dict)]
        if not jobs and not trackers:
            continue
        if attribution.form in ("create", "metrics"):
            created = None  # not created yet: everything already imported precedes it
            when = "will be created"
        elif attribution.form == "describe":
            created = parse_time(attribution.member("creationDateTime")[0])
            if created is None:
                continue  # cannot tell
            when = f"was created ({created:%Y-%m-%d %H:%M} UTC)"
        else:
            continue
        _, anchor = attribution.member("creationDateTime")
        if created is None:
            anchor = attribution.body_ptr
        early = [j for j in jobs if created is None or (
            (t := parse_time(j.get("creationDateTime"))) is not None and t < created)]
        if early:
            names = ", ".join(str(j.get("jobName") or j.get("datasetImportJobArn") or "?")
                              for j in early[:3])
            more = f" and {len(early) - 3} more" if len(early) > 3 else ""
            yield _finding(
                "PL408", f"{len(early)} interactions import job(s) ({names}{more}) ran before the "
                         f"metric attribution {when}; Personalize never reports data imported "
                         "before the attribution exists", attribution, anchor)
        for tracker in trackers:
            started = parse_time(tracker.get("creationDateTime"))
            if started is None or (created is not None and started >= created):
                continue
            name = tracker.get("name") or tracker.get("eventTrackerArn") or "an event tracker"
            yield _finding(
                "PL408", f"event tracker {name} was recording events before the metric "
                         f"attribution {when}; events recorded before then are not in the "
                         "reports", attribution, anchor)


# --- PL409 ----------------------------------------------------------------------------


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
                sources.add(SOURCE_UNDEFINED)
    return sources, by_recommendation


def _metric_count(attribution: Attribution, attributions: list[Attribution]) -> int | None:
    if attribution.metrics is None:
        return None
    if attribution.form != "update":
        return len(attribution.metrics)
    existing = existing_metrics(attribution, attributions)
    if existing is None:
        return None
    removed = {_upper(name) for _, name in attribution.removed}
    return len([m for m in existing if _upper(m.value("metricName")) not in removed]) + len(
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
        from_data = attribution_sources_from_data(attribution.setup, ctx)
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
        yield _finding("PL409", message, attribution, where)
