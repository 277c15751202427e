"""PL608 (and PL001 for CSV syntax): rows that break the bulk import format."""

from __future__ import annotations

from collections.abc import Iterator

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.rule import RuleContext, rule

from ._data_common import BULK_FORMAT, all_facts, not_evaluated, share


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
        yield from not_evaluated(facts)
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
