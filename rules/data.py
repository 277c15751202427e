"""PL6xx: bulk interactions data (CSV), with the sources of PutEvents payloads.

The data of each set-up (``interactions-data``: files, globs, folders, ``.csv.gz``,
``s3://`` locations) is scanned once, in one streaming pass, by
``personalize_lint.data.engine``; the result is cached per set-up in ``ctx.options`` and
every rule here reads it. PL605, PL606, PL607 and PL609 count the set-up's PutEvents events
together with the bulk rows (one dataset group). A standalone CSV (outside any set-up) gets
the checks one file can decide (all but PL602, which needs the schema); a standalone
PutEvents payload gets PL605-PL607 and PL609.

Data that cannot be read (a location that matches nothing, access denied, a missing engine
dependency) is never a pass: it is reported as PL003, and the facts other rules take from
the data (event types for PL406, sources for PL409) are then left unknown.

Importing this module is cheap: the engine and its columnar libraries load only when data
is actually scanned.

For other rules: :func:`scan_setup` runs (or reuses) the scan of one set-up and publishes
``ctx.options["data_event_types"][name]`` (upper-cased EVENT_TYPE values) and
``ctx.options["data_attribution_sources"][name]`` (EVENT_ATTRIBUTION_SOURCE values, plus
SOURCE_NAME_UNDEFINED when rows have neither source nor recommendation ID), both only for
data that was read completely.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from personalize_lint.data.result import MAX_EXAMPLES, Position, ScanResult
from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory, Setup, Source
from personalize_lint.location import Location, Span
from personalize_lint.personalize.events import iter_events
from personalize_lint.rule import RuleContext, rule

if TYPE_CHECKING:
    from personalize_lint.data.engine import SchemaField

GUIDE = "https://docs.aws.amazon.com/personalize/latest/dg"
REQUIREMENTS = f"{GUIDE}/metric-attribution-requirements.html"
BULK_FORMAT = f"{GUIDE}/data-prep-formatting.html"
MA_API = f"{GUIDE}/API_UBS_MetricAttribution.html"

MAX_SOURCES = 100
MAX_SOURCE_LENGTH = 1024
UNDEFINED = "SOURCE_NAME_UNDEFINED"
_CACHE = "_personalize_lint_data"  # ctx.options key of the per-set-up scan cache


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


def _cache(ctx: RuleContext) -> dict[int, tuple[object, DataFacts | None]]:
    cache = ctx.options.setdefault(_CACHE, {})
    assert isinstance(cache, dict)
    return cache


def scan_setup(setup: Setup, ctx: RuleContext) -> DataFacts | None:
    """The data facts of a set-up (scanning its data once per run), or None when it has no
    interactions data and no PutEvents payloads."""
    cache = _cache(ctx)
    hit = cache.get(id(setup))
    if hit is not None and hit[0] is setup:
        return hit[1]
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
        _publish(facts, ctx)
    cache[id(setup)] = (setup, facts)
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


def scan_document(doc: Document, ctx: RuleContext) -> DataFacts:
    """The data facts of a standalone interactions CSV (scanned once per run)."""
    cache = _cache(ctx)
    hit = cache.get(id(doc))
    if hit is not None and hit[0] is doc and hit[1] is not None:
        return hit[1]
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
    cache[id(doc)] = (doc, facts)
    return facts


def _payload_facts(doc: Document, ctx: RuleContext) -> DataFacts:
    cache = _cache(ctx)
    hit = cache.get(id(doc))
    if hit is not None and hit[0] is doc and hit[1] is not None:
        return hit[1]
    facts = DataFacts(name=doc.path, anchor=doc.location(""))
    _count_events(facts.events, doc.data, Source(doc))
    cache[id(doc)] = (doc, facts)
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


def _publish(facts: DataFacts, ctx: RuleContext) -> None:
    """Hand PL406/PL409 what the bulk data holds, only when it was read completely."""
    scan = facts.scan
    if scan is None or not scan.complete or facts.setup is None:
        return
    name = facts.setup.name
    # A file without an EVENT_TYPE column (PL601) says nothing about which types occur.
    has_event_type = all(
        any(c.strip().upper() == "EVENT_TYPE" for c in f.header) for f in scan.files)
    if not scan.event_types_capped and has_event_type:
        types = ctx.options.setdefault("data_event_types", {})
        types[name] = {t.strip().upper() for t in scan.event_types if t.strip()}
    if not scan.sources_capped:
        sources = set(scan.sources)
        if scan.no_source.count:
            sources.add(UNDEFINED)
        ctx.options.setdefault("data_attribution_sources", {})[name] = sources


def data_event_types(setup: Setup, ctx: RuleContext) -> set[str] | None:
    """Upper-cased EVENT_TYPE values of the set-up's bulk data, None when not (fully) read."""
    scan_setup(setup, ctx)
    table = ctx.options.get("data_event_types") or {}
    value = table.get(setup.name)
    return set(value) if value is not None else None


def all_facts(inventory: Inventory, ctx: RuleContext, *, payloads: bool = False) -> list[DataFacts]:
    """Facts of every set-up with data or events and every standalone interactions CSV
    (and, with ``payloads``, every standalone PutEvents payload)."""
    out: list[DataFacts] = []
    for setup in inventory.setups:
        facts = scan_setup(setup, ctx)
        if facts is not None:
            out.append(facts)
    for doc in inventory.standalone:
        if doc.kind == "interactions" and doc.text_format == "csv":
            out.append(scan_document(doc, ctx))
        elif payloads and doc.kind == "putevents" and not _is_metric_list(doc.data):
            out.append(_payload_facts(doc, ctx))
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


def _not_evaluated(facts: DataFacts) -> Iterator[Finding]:
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


def _combined(
    facts: DataFacts, bulk_count: int, bulk_examples: list[Position], events: Sample, what: str
) -> tuple[str, Location, tuple[Location, ...]] | None:
    """Message, location and related places for a tally over bulk rows and PutEvents events
    (one dataset group: they are counted together)."""
    total = bulk_count + events.count
    if not total:
        return None
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
    return message, where[0], tuple(where[1:])


# --- PL601 --------------------------------------------------------------------------------


@rule(
    id="PL601",
    level="error",
    title="Interactions data has no EVENT_TYPE column",
    why="""
A metric attribution counts events per event type, so the Interactions dataset must have an
EVENT_TYPE column; a bulk file without it cannot be reported on (and does not match a schema
that has the field).
""",
    fix="Add an EVENT_TYPE column (and field in the Interactions schema) holding the kind of "
    "each interaction, e.g. click, purchase.",
    example="""
USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
u-1,i-9,1700000000,click
""",
    source=REQUIREMENTS,
    tags=("data", "csv"),
)
def pl601_no_event_type(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for facts in all_facts(inventory, ctx):
        yield from _not_evaluated(facts)
        if facts.scan is None:
            continue
        lacking: dict[tuple[str, ...], list[int]] = {}
        for index, f in enumerate(facts.scan.files):
            if f.header and "EVENT_TYPE" not in {c.strip().upper() for c in f.header}:
                lacking.setdefault(tuple(f.header), []).append(index)
        for header, indexes in lacking.items():
            first = facts.scan.files[indexes[0]]
            others = (
                f" (and {len(indexes) - 1:,} more files with this header)"
                if len(indexes) > 1
                else ""
            )
            yield Finding(
                "PL601",
                f"{first.display} has no EVENT_TYPE column{others}; header: {', '.join(header)}",
                facts.file_at(indexes[0]),
                setup=facts.setup_name,
            )


# --- PL602 --------------------------------------------------------------------------------


@rule(
    id="PL602",
    level="error",
    title="CSV header does not match the Interactions schema",
    why="""
Personalize maps the CSV columns to the schema by the header names: every column must be a
field of the schema, spelled exactly, and the header names must not be in quotes. Files
imported together (one folder) must share one header.
""",
    fix="Rename the columns to the schema's field names (or change the schema), remove the "
    "quotes around header names, and give every file of a folder the same header.",
    example="""
schema fields: USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE
USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE      (not "USER_ID","ITEM_ID",... nor user_id,...)
""",
    source=BULK_FORMAT,
    tags=("data", "csv", "schema"),
)
def pl602_header_mismatch(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for facts in all_facts(inventory, ctx):
        if facts.setup is None or facts.scan is None:
            continue  # standalone files: no schema to compare against
        yield from _not_evaluated(facts)
        scan = facts.scan
        if not facts.has_schema and scan.files:
            yield Finding(
                "PL003",
                f"set-up {facts.name!r}: PL602 not evaluated: the set-up gives no readable "
                "Interactions schema to compare the CSV headers with",
                facts.anchor,
                setup=facts.setup_name,
            )
        fields = [f.name for f in facts.fields or []]
        for index, f in enumerate(scan.files):
            where = facts.file_at(index)
            if not f.header:
                if f.complete or f.rows == 0:
                    yield Finding(
                        "PL602",
                        f"{f.display} is empty: no header row",
                        where,
                        setup=facts.setup_name,
                    )
                continue
            if f.quoted_header:
                yield Finding(
                    "PL602",
                    f"{f.display}: header names are in quotes ({', '.join(f.quoted_header[:5])}); "
                    "Personalize wants them bare",
                    where,
                    setup=facts.setup_name,
                )
            if facts.has_schema:
                yield from _compare_header(facts, index, fields)
        # Files of one folder (or S3 prefix) are imported together: one header for all.
        by_folder: dict[str, list[int]] = {}
        for index, f in enumerate(scan.files):
            if f.header:
                by_folder.setdefault(f.uri.rsplit("/", 1)[0], []).append(index)
        for indexes in by_folder.values():
            first = scan.files[indexes[0]]
            for index in indexes[1:]:
                other = scan.files[index]
                if other.header != first.header:
                    yield Finding(
                        "PL602",
                        f"{other.display} and {first.display} (one folder, one import) have "
                        f"different headers: {', '.join(other.header)} vs "
                        f"{', '.join(first.header)}",
                        facts.file_at(index),
                        related=(facts.file_at(indexes[0]),),
                        setup=facts.setup_name,
                    )


def _compare_header(facts: DataFacts, index: int, fields: list[str]) -> Iterator[Finding]:
    assert facts.scan is not None
    f = facts.scan.files[index]
    header = f.header
    where = facts.file_at(index)
    field_set = set(fields)
    by_upper = {n.upper(): n for n in fields}
    problems: list[str] = []
    unknown = [c for c in header if c not in field_set]
    for column in unknown:
        if column.upper() in by_upper:
            problems.append(
                f"column {column!r} is spelled {by_upper[column.upper()]!r} in the schema"
            )
        else:
            problems.append(f"column {column!r} is not a field of the schema")
    missing = [
        n for n in fields if n not in header and n.upper() not in {c.upper() for c in unknown}
    ]
    if missing:
        problems.append(f"schema field(s) {', '.join(missing)} have no column")
    if not problems and header != [n for n in fields if n in header]:
        problems.append(
            f"columns are in another order than the schema's fields ({', '.join(header)} vs "
            f"{', '.join(n for n in fields if n in header)})"
        )
    if len(set(header)) != len(header):
        dup = sorted({c for c in header if header.count(c) > 1})
        problems.append(f"column(s) {', '.join(dup)} appear more than once")
    if problems:
        yield Finding(
            "PL602",
            f"{f.display}: the header does not match the Interactions schema: "
            + "; ".join(problems),
            where,
            setup=facts.setup_name,
        )


# --- PL603 --------------------------------------------------------------------------------


@rule(
    id="PL603",
    level="warning",
    title="Duplicate events in the interactions data",
    why="""
Importing duplicate events (rows that match in every column) can lead to unexpected
behaviour, including inaccurate metrics; Personalize also keeps only one of two events with
the same timestamp and properties. Duplicates usually come from an export that was run or
concatenated twice.
""",
    fix="Remove the duplicate rows before the import (e.g. `sort -u`, or DISTINCT in the query "
    "that exports the data), and avoid re-sending the same events with PutEvents.",
    example="""
u-1,i-9,1700000000,click
u-1,i-9,1700000000,click     <- same row again
""",
    source=REQUIREMENTS,
    tags=("data", "csv", "duplicates"),
)
def pl603_duplicates(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for facts in all_facts(inventory, ctx):
        yield from _not_evaluated(facts)
        scan = facts.scan
        if scan is None or not scan.duplicates:
            continue
        examples = scan.duplicate_examples
        if len(scan.files) > 1:
            pairs = [f"{scan.where(d.at)} (= {scan.where(d.same_as)})" for d in examples]
        else:
            pairs = [f"{d.at.line:,} (= line {d.same_as.line:,})" for d in examples]
        more = ", ..." if scan.duplicates > len(examples) else ""
        word = "line" if len(pairs) == 1 and not more and len(scan.files) == 1 else "lines"
        groups = scan.duplicate_groups
        yield Finding(
            "PL603",
            f"{scan.duplicates:,} of {scan.rows:,} rows ({share(scan.duplicates, scan.rows)}) "
            f"duplicate earlier rows ({groups:,} distinct {'row' if groups == 1 else 'rows'} "
            f"repeated); first at {word} {', '.join(pairs)}{more}",
            facts.at(examples[0].at) if examples else facts.anchor,
            related=tuple(facts.at(e.at) for e in examples[1:]),
            setup=facts.setup_name,
        )


# --- PL604 --------------------------------------------------------------------------------


@rule(
    id="PL604",
    level="warning",
    title="Records 14 days old or older will not reach CloudWatch",
    why="""
To publish metrics to CloudWatch, records must be less than 14 days old: older records are
not included in the metric attribution's calculations or reports. Age is measured against
--as-of (default: now), so a backfill of history will not show up in the metrics.
""",
    fix="Expect no CloudWatch metrics for historical imports; import recent events for "
    "attribution reports (use --as-of to check against the planned import date).",
    example="""
USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
u-1,i-9,1388534400,click      <- 2014-01-01: never reported
""",
    source=REQUIREMENTS,
    tags=("data", "csv", "cloudwatch"),
)
def pl604_old_records(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    from datetime import datetime, timezone

    for facts in all_facts(inventory, ctx):
        yield from _not_evaluated(facts)
        scan = facts.scan
        if scan is None or not scan.old.count:
            continue
        old = scan.old
        oldest = ""
        if scan.oldest is not None and scan.oldest_at is not None:
            try:
                when = datetime.fromtimestamp(scan.oldest, tz=timezone.utc).strftime("%Y-%m-%d")
            except (OverflowError, OSError, ValueError):
                when = str(scan.oldest)
            oldest = f"; oldest {when} at {scan.where(scan.oldest_at)}"
        as_of = ctx.as_of.strftime("%Y-%m-%d")
        yield Finding(
            "PL604",
            f"{old.count:,} of {scan.rows:,} records ({share(old.count, scan.rows)}) are 14 days "
            f"or more older than {as_of} and will not reach CloudWatch reports{oldest}; first at "
            f"{facts.lines(old.examples, more=old.count > len(old.examples))}",
            facts.at(old.examples[0]),
            setup=facts.setup_name,
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
        yield from _not_evaluated(facts)
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
        yield from _not_evaluated(facts)
        scan = facts.scan
        bulk = scan.no_source if scan else None
        found = _combined(
            facts,
            bulk.count if bulk else 0,
            bulk.examples if bulk else [],
            facts.events.no_source,
            f"have neither a recommendation ID nor an attribution source and will be reported "
            f"as {UNDEFINED}",
        )
        if found:
            message, where, related = found
            if (
                scan is not None
                and scan.files
                and not any(
                    {"RECOMMENDATION_ID", "EVENT_ATTRIBUTION_SOURCE"}
                    & {c.upper() for c in f.header}
                    for f in scan.files
                )
            ):
                message += " (the data has no RECOMMENDATION_ID or EVENT_ATTRIBUTION_SOURCE column)"
            yield Finding("PL606", message, where, related=related, setup=facts.setup_name)


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
        yield from _not_evaluated(facts)
        scan = facts.scan
        bulk = scan.both if scan else None
        found = _combined(
            facts,
            bulk.count if bulk else 0,
            bulk.examples if bulk else [],
            facts.events.both,
            "have both a recommendation ID and an attribution source; the recommendation ID is "
            "ignored for attribution",
        )
        if found:
            message, where, related = found
            yield Finding("PL607", message, where, related=related, setup=facts.setup_name)


# --- PL608 --------------------------------------------------------------------------------


@rule(
    id="PL608",
    level="error",
    title="Interactions data breaks the format",
    why="""
Personalize reads TIMESTAMP as Unix epoch seconds (milliseconds or ISO dates are wrong or
fail the import), every value must fit its field's schema type, required fields must not be
empty, USER_ID and ITEM_ID are at most 256 characters, and each record must be on a single
line with as many fields as the header.
""",
    fix="Convert timestamps to whole seconds (e.g. divide milliseconds by 1000), fix or drop "
    "the named rows, and shorten the IDs.",
    example="""
u-1,i-9,1700000000,click        (not 1700000000000, nor 2023-11-14T22:13:20Z)
""",
    source=BULK_FORMAT,
    tags=("data", "csv", "format"),
)
def pl608_format(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    for facts in all_facts(inventory, ctx):
        yield from _not_evaluated(facts)
        scan = facts.scan
        if scan is None:
            continue
        if scan.syntax_errors.count:
            first = scan.syntax_errors.examples[0]
            yield Finding(
                "PL001",
                f"{scan.syntax_errors.count:,} place(s) in the data cannot be parsed as CSV: "
                + "; ".join(scan.syntax_messages),
                facts.at(first),
                setup=facts.setup_name,
            )
        for kind, tally in sorted(scan.format_errors.items()):
            more = tally.count > len(tally.examples)
            yield Finding(
                "PL608",
                f"{kind}: {tally.count:,} of {scan.rows:,} rows ({share(tally.count, scan.rows)}); "
                f"first at {facts.lines(tally.examples, more=more)}",
                facts.at(tally.examples[0]),
                setup=facts.setup_name,
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
        yield from _not_evaluated(facts)
        scan = facts.scan
        kinds = set(facts.events.bad_sources)
        if scan is not None:
            kinds |= set(scan.bad_sources)
        for kind in sorted(kinds):
            tally = scan.bad_sources.get(kind) if scan else None
            sample = facts.events.bad_sources.get(kind, Sample())
            values = list((scan.bad_source_values.get(kind, []) if scan else []) + sample.values)
            shown = ", ".join(repr(v[:40]) for v in values[:3])
            found = _combined(
                facts,
                tally.count if tally else 0,
                tally.examples if tally else [],
                sample,
                f"have an attribution source that is {kind} (e.g. {shown})",
            )
            if found:
                message, where, related = found
                yield Finding("PL609", message, where, related=related, setup=facts.setup_name)
