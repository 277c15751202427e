"""PL603: duplicate events (rows that match in every column) in the interactions data."""

from __future__ import annotations

from collections.abc import Iterator

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.rule import RuleContext, rule

from ._data_common import REQUIREMENTS, all_facts, not_evaluated, share


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
        yield from not_evaluated(facts)
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
