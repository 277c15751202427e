"""PL601, PL602: the header of the interactions data: an EVENT_TYPE column, and the columns
the Interactions schema names."""

from __future__ import annotations

from collections.abc import Iterator

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.rule import RuleContext, rule

from ._data_common import BULK_FORMAT, REQUIREMENTS, DataFacts, all_facts, not_evaluated

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
        yield from not_evaluated(facts)
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
        yield from not_evaluated(facts)
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
        # A file that could not be read (PL001: not UTF-8, CR-only lines) has no header
        # because it was never read, not because it is empty.
        unread = {p.file for p in scan.problems if p.file is not None}
        for index, f in enumerate(scan.files):
            where = facts.file_at(index)
            if not f.header:
                if index not in unread and (f.complete or f.rows == 0):
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
