"""What the PL6xx rules share: the facts of one scan of each set-up's data.

Bulk interactions data (CSV), with the sources of PutEvents payloads. The data of each
set-up (``interactions-data``: files, globs, folders, ``.csv.gz``, ``s3://`` locations) is
scanned once per run, in one streaming pass, by ``personalize_lint.data.engine``, by
whichever rule asks first; every data rule reads the result, which the rules of one pass
share through :meth:`~personalize_lint.inventory.Inventory.shared`. PL605, PL606, PL607 and
PL609 count the set-up's PutEvents events together with the bulk rows (one dataset group). A
standalone CSV (outside any set-up) gets the checks one file can decide (all but PL602,
which needs the schema); a standalone PutEvents payload gets PL605-PL607 and PL609.

Data that cannot be read (a location that matches nothing, access denied, a missing engine
dependency) is never a pass: it is reported as PL003, and the facts other rules take from
the data (event types for PL406, sources for PL409) are then left unknown.

Importing this module is cheap: the engine and its columnar libraries load only when data
is actually scanned.

For other rules: :func:`data_event_types` (PL406) and :func:`data_attribution_sources`
(PL409) give what a set-up's bulk data holds, through the same shared scan, and only for
data that was read completely.

The rules: data_header (PL601, PL602), data_duplicates (PL603), data_age (PL604),
data_sources (PL605-PL607, PL609), data_format (PL608). The module name starts with ``_``,
so the rule collector does not look for rules in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from personalize_lint.data.result import MAX_EXAMPLES, Position, ScanResult, Tally
from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory, Setup, Source
from personalize_lint.location import Location, Span
from personalize_lint.personalize.events import iter_events
from personalize_lint.rule import RuleContext

if TYPE_CHECKING:
    from personalize_lint.data.engine import SchemaField

GUIDE = "https://docs.aws.amazon.com/personalize/latest/dg"
REQUIREMENTS = f"{GUIDE}/metric-attribution-requirements.html"
BULK_FORMAT = f"{GUIDE}/data-prep-formatting.html"
MA_API = f"{GUIDE}/API_UBS_MetricAttribution.html"

MAX_SOURCES = 100
MAX_SOURCE_LENGTH = 1024
UNDEFINED = "SOURCE_NAME_UNDEFINED"


# --- facts: one scan per set-up -----------------------------------------------------------


@dataclass
class Sample:
    """How many events or rows have a property, and where the first few are."""

    count: int = 0
    where: list[Location] = field(default_factory=list)
    values: list[str] = field(default_factory=list)

    def add(self, location: Location, value: str | None = None) -> None:
        self.count += 1
        if len(self.where) < MAX_EXAMPLES:
            self.where.append(location)
        if value is not None and len(self.values) < MAX_EXAMPLES and value not in self.values:
            self.values.append(value)


@dataclass
class EventFacts:
    """Source tallies of PutEvents events (small: counted in Python)."""

    events: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    no_source: Sample = field(default_factory=Sample)
    both: Sample = field(default_factory=Sample)
    bad_sources: dict[str, Sample] = field(default_factory=dict)
    event_types: set[str] = field(default_factory=set)
    first: Location | None = None


@dataclass
class DataFacts:
    """What the PL6xx rules know about one set-up (or one standalone file)."""

    name: str
    anchor: Location  # the set-up, or the standalone file
    setup: Setup | None = None
    scan: ScanResult | None = None
    problem_locations: list[Location] = field(default_factory=list)
    events: EventFacts = field(default_factory=EventFacts)
    fields: list[SchemaField] | None = None
    has_schema: bool = False

    @property
    def setup_name(self) -> str | None:
        return self.setup.name if self.setup else None

    @property
    def rows(self) -> int:
        return self.scan.rows if self.scan else 0

    @property
    def event_types(self) -> set[str] | None:
        """Upper-cased EVENT_TYPE values of the bulk data; None unless it was read completely
        and every file has the column (a file without it says nothing about which types
        occur: PL601)."""
        scan = self._complete_scan()
        if scan is None or scan.event_types_capped:
            return None
        if not all(any(c.strip().upper() == "EVENT_TYPE" for c in f.header)
                   for f in scan.files):
            return None
        return {t.strip().upper() for t in scan.event_types if t.strip()}

    @property
    def attribution_sources(self) -> set[str] | None:
        """EVENT_ATTRIBUTION_SOURCE values of the bulk data, plus SOURCE_NAME_UNDEFINED when
        rows have neither source nor recommendation ID; None unless read completely."""
        scan = self._complete_scan()
        if scan is None or scan.sources_capped:
            return None
        sources = set(scan.sources)
        if scan.no_source.count:
            sources.add(UNDEFINED)
        return sources

    def _complete_scan(self) -> ScanResult | None:
        complete = self.scan is not None and self.scan.complete and self.setup is not None
        return self.scan if complete else None

    def at(self, pos: Position) -> Location:
        assert self.scan is not None
        f = self.scan.files[pos.file]
        return Location(path=f.display, span=Span(pos.line, 1, pos.line, 1))

    def file_at(self, index: int) -> Location:
        assert self.scan is not None
        return Location(path=self.scan.files[index].display, span=Span(1, 1, 1, 1))

    def lines(self, positions: Iterable[Position], *, more: bool) -> str:
        """Example places for messages: 'lines 3, 18, ...' in one file, else 'a.csv:3, ...'."""
        assert self.scan is not None
        positions = list(positions)
        files = {p.file for p in positions}
        if len(files) == 1:
            text = ", ".join(f"{p.line:,}" for p in positions)
            word = "line" if len(positions) == 1 and not more else "lines"
            text = f"{word} {text}"
            if len(self.scan.files) > 1:
                text += f" of {self.scan.files[positions[0].file].display}"
        else:
            text = ", ".join(self.scan.where(p) for p in positions)
        return text + (", ..." if more else "")


def _root(ctx: RuleContext) -> Path:
    root = ctx.options.get("root")
    return Path(root) if root else Path.cwd()


def _options(ctx: RuleContext, base_dirs: list[Path], label: str) -> Any:
    from personalize_lint.data.engine import ScanOptions

    opts = ScanOptions(quiet=ctx.quiet, root=_root(ctx), base_dirs=base_dirs, label=label)
    limits = ctx.options.get("limits")
    record_bound = getattr(limits, "max_csv_record_bytes", None)
    if isinstance(record_bound, int) and record_bound > 0:
        opts.max_record = record_bound
    limit = ctx.options.get("data_memory_limit")
    if isinstance(limit, int) and limit > 0:
        opts.memory_limit = limit
    temp = ctx.options.get("data_temp_dir")
    if isinstance(temp, str) and temp:
        opts.temp_dir = temp
    return opts


def setup_facts(inventory: Inventory, setup: Setup, ctx: RuleContext) -> DataFacts | None:
    """The data facts of a set-up, or None when it has no interactions data and no PutEvents
    payloads. Its data is scanned once per rule pass, for whichever rule asks first."""
    return inventory.shared("data facts", setup, _setup_facts, setup, ctx)


def _setup_facts(setup: Setup, ctx: RuleContext) -> DataFacts | None:
    facts: DataFacts | None = None
    if setup.interactions_data or setup.events:
        facts = DataFacts(name=setup.name, anchor=setup.location, setup=setup)
        schema = setup.dataset_group.schemas.get("Interactions")
        if schema is not None:
            from personalize_lint.data.engine import schema_fields

            facts.fields = schema_fields(schema.avro)
            facts.has_schema = facts.fields is not None
        for payload in setup.events:
            _count_events(facts.events, payload.data, payload.source)
        if setup.interactions_data:
            _scan_sources(facts, setup, ctx)
    return facts


def _scan_sources(facts: DataFacts, setup: Setup, ctx: RuleContext) -> None:
    from personalize_lint.data.engine import scan

    root = _root(ctx)
    base_dirs: list[Path] = []
    for ds in setup.interactions_data:
        if ds.source.path:
            base = (root / ds.source.path).parent
            if base not in base_dirs:
                base_dirs.append(base)
    base_dirs.append(root)
    locations = [ds.location for ds in setup.interactions_data]
    facts.scan = scan(
        locations,
        fields=facts.fields,
        as_of=ctx.as_of,
        options=_options(ctx, base_dirs, f"{setup.name}: data"),
    )
    by_location = {ds.location: ds.source for ds in setup.interactions_data}
    for problem in facts.scan.problems:
        if problem.file is not None:
            line = problem.line or 1
            f = facts.scan.files[problem.file]
            facts.problem_locations.append(Location(path=f.display, span=Span(line, 1, line, 1)))
        else:
            src = by_location.get(problem.location)
            facts.problem_locations.append(src.locate() if src else setup.location)


def document_facts(inventory: Inventory, doc: Document, ctx: RuleContext) -> DataFacts:
    """The data facts of a standalone interactions CSV (scanned once per rule pass)."""
    return inventory.shared("data facts", doc, _document_facts, doc, ctx)


def _document_facts(doc: Document, ctx: RuleContext) -> DataFacts:
    from personalize_lint.data.engine import scan_files
    from personalize_lint.data.sources import DataFile

    root = _root(ctx)
    path = Path(doc.path)
    full = path if path.is_absolute() else root / path
    size = full.stat().st_size if full.is_file() else None
    anchor = Location(path=doc.path, span=Span(1, 1, 1, 1))
    facts = DataFacts(name=doc.path, anchor=anchor)
    facts.scan = scan_files(
        [DataFile(str(full), doc.path, doc.path, size)],
        fields=None,
        as_of=ctx.as_of,
        options=_options(ctx, [root], doc.path),
    )
    for problem in facts.scan.problems:
        line = problem.line or 1
        facts.problem_locations.append(Location(path=doc.path, span=Span(line, 1, line, 1)))
    return facts


def _payload_facts(doc: Document) -> DataFacts:
    facts = DataFacts(name=doc.path, anchor=doc.location(""))
    _count_events(facts.events, doc.data, Source(doc))
    return facts


def _locate(source: Source, pointer: str) -> Location:
    if source.document is not None:
        return source.document.location(source.pointer + pointer)
    return source.location or Location()


def _source_problems(value: str) -> list[str]:
    """Why an eventAttributionSource value breaks the API pattern (printable ASCII with at
    least one non-space character) or length."""
    kinds = []
    if not value.strip(" "):
        kinds.append("blank")
    if any(not (0x20 <= ord(ch) <= 0x7E) for ch in value):
        kinds.append("not printable ASCII")
    if len(value) > MAX_SOURCE_LENGTH:
        kinds.append(f"longer than {MAX_SOURCE_LENGTH:,} characters")
    return kinds


def _count_events(out: EventFacts, data: Any, source: Source) -> None:
    for ref in iter_events(data):
        event = ref.event
        where = _locate(source, ref.pointer)
        out.events += 1
        if out.first is None:
            out.first = where
        if isinstance(event.get("eventType"), str):
            out.event_types.add(event["eventType"])
        attribution = event.get("metricAttribution")
        src = attribution.get("eventAttributionSource") if isinstance(attribution, dict) else None
        rec = event.get("recommendationId")
        has_rec = isinstance(rec, str) and rec != ""
        has_src = isinstance(src, str)  # a given value, even blank, is the source it sends
        if isinstance(src, str):
            for kind in _source_problems(src):
                out.bad_sources.setdefault(kind, Sample()).add(
                    _locate(source, ref.pointer + "/metricAttribution/eventAttributionSource"),
                    src[:80],
                )
            if src.strip():
                out.sources[src] = out.sources.get(src, 0) + 1
        if not has_src and not has_rec:
            out.no_source.add(where)
        elif has_src and has_rec:
            out.both.add(where)


def data_event_types(inventory: Inventory, setup: Setup, ctx: RuleContext) -> set[str] | None:
    """Upper-cased EVENT_TYPE values of the set-up's bulk data (scanned if no rule has yet:
    PL406 runs before the data rules); None when it has none or was not read completely."""
    facts = setup_facts(inventory, setup, ctx) if setup.interactions_data else None
    return facts.event_types if facts is not None else None


def data_attribution_sources(inventory: Inventory, setup: Setup, ctx: RuleContext
                             ) -> set[str] | None:
    """The attribution sources of the set-up's bulk data (see
    :attr:`DataFacts.attribution_sources`, for PL409); None when not known."""
    facts = setup_facts(inventory, setup, ctx) if setup.interactions_data else None
    return facts.attribution_sources if facts is not None else None


def all_facts(inventory: Inventory, ctx: RuleContext, *, payloads: bool = False) -> list[DataFacts]:
    """Facts of every set-up with data or events and every standalone interactions CSV
    (and, with ``payloads``, every standalone PutEvents payload)."""
    out: list[DataFacts] = []
    for setup in inventory.setups:
        facts = setup_facts(inventory, setup, ctx)
        if facts is not None:
            out.append(facts)
    for doc in inventory.standalone:
        if doc.kind == "interactions" and doc.text_format == "csv":
            out.append(document_facts(inventory, doc, ctx))
        elif payloads and doc.kind == "putevents" and not _is_metric_list(doc.data):
            out.append(inventory.shared("data facts", doc, _payload_facts, doc))
    return out


def _is_metric_list(data: Any) -> bool:
    from personalize_lint.personalize.events import looks_like_metric_list

    return bool(looks_like_metric_list(data))


# --- message helpers ----------------------------------------------------------------------


def share(part: int, whole: int) -> str:
    """A percentage with as many decimals as a small share needs: 12.5%, 0.31%, 0.003%."""
    if whole <= 0:
        return "n/a"
    pct = 100.0 * part / whole
    if part < whole and pct >= 99.5:  # never round a part up to "100%"
        return f"{min(pct, 99.9):.1f}%"
    for limit, digits in ((10, 0), (1, 1), (0.1, 2), (0.001, 3)):
        if pct >= limit:
            return f"{pct:.{digits}f}%"
    return "<0.001%" if pct > 0 else "0%"


def not_evaluated(facts: DataFacts) -> Iterator[Finding]:
    """PL003 for data that could not be read: never a silent pass. Every data rule yields
    the same findings; the engine keeps one of each."""
    if facts.scan is None:
        return
    who = f"set-up {facts.name!r}" if facts.setup else facts.name
    for problem, where in zip(facts.scan.problems, facts.problem_locations, strict=True):
        if problem.kind == "syntax":
            yield Finding("PL001", problem.message, where, setup=facts.setup_name)
        yield Finding(
            "PL003",
            f"{who}: data checks PL601-PL609 not evaluated for {problem.location or 'the data'}: "
            f"{problem.message}",
            where,
            setup=facts.setup_name,
        )


def combined(
    rule_id: str, facts: DataFacts, bulk: Tally | None, events: Sample, what: str,
    note: str = "",
) -> Iterator[Finding]:
    """The finding, if any row or event has the property, for a tally over bulk rows (None:
    no scan) and PutEvents events (one dataset group: they are counted together), at the
    first example with the others related; ``note`` ends its message."""
    bulk_count = bulk.count if bulk else 0
    bulk_examples = bulk.examples if bulk else []
    total = bulk_count + events.count
    if not total:
        return
    parts: list[str] = []
    where: list[Location] = []
    if bulk_count:
        more = bulk_count > len(bulk_examples)
        parts.append(
            f"{bulk_count:,} of {facts.rows:,} bulk rows ({share(bulk_count, facts.rows)}), "
            f"first at {facts.lines(bulk_examples, more=more)}"
        )
        where += [facts.at(p) for p in bulk_examples]
    if events.count:
        n = facts.events.events
        first = ", ".join(w.describe() for w in events.where[:3])
        tail = ", ..." if events.count > 3 else ""
        parts.append(
            f"{events.count:,} of {n:,} PutEvents events ({share(events.count, n)}), "
            f"first at {first}{tail}"
        )
        where += events.where
    whole = facts.rows + facts.events.events
    if facts.events.events and facts.scan is not None:
        message = f"{total:,} of {whole:,} events ({share(total, whole)}) {what}: " + "; ".join(
            parts
        )
    else:  # one kind of input: say it once
        only = parts[0].split(", first at ", 1)
        message = f"{only[0]} {what}; first at {only[1]}"
    yield Finding(rule_id, message + note, where[0], related=tuple(where[1:]),
                  setup=facts.setup_name)
