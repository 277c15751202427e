"""What the PL4xx rules share: reading a metric attribution in any of its forms.

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

The rules: attribution_limits (PL401, PL402), attribution_metrics (PL403-PL406),
attribution_request (PL407), attribution_timing (PL408), attribution_cost (PL409). The
module name starts with ``_``, so the rule collector does not look for rules in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory, Setup, Source
from personalize_lint.location import Location, join_pointer
from personalize_lint.personalize.constraints import (
    ConstraintsUnavailable,
    MetricAttributionConstraints,
    metric_attribution_constraints,
)
from personalize_lint.personalize.events import looks_like_metric_list
from personalize_lint.rule import RuleContext

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


def finding_at(rule_id: str, message: str, attribution: Attribution, pointer: str, *,
             key: bool = False, related: Iterable[Location] = ()) -> Finding:
    return Finding(rule_id, message, attribution.locate(pointer, key=key),
                   related=tuple(related), setup=_setup_name(attribution))


def api_constraints(rule_id: str, attributions: list[Attribution]
                 ) -> tuple[MetricAttributionConstraints | None, list[Finding]]:
    """The API constraints, or one PL003 saying why they could not be read."""
    try:
        return metric_attribution_constraints(), []
    except ConstraintsUnavailable as exc:
        if not attributions:
            return None, []
        first = attributions[0]
        return None, [finding_at("PL003", f"{rule_id} not evaluated: the API constraints could "
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


def upper_name(value: Any) -> str | None:
    return value.upper() if isinstance(value, str) else None


# --- the attribution an update changes ------------------------------------------------


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


# --- what the set-up's data holds (PL406, PL409) --------------------------------------


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
        from personalize_lint.rules._data_common import scan_setup

        scan_setup(setup, ctx)
