"""PL604: records 14 days old or older, which never reach the CloudWatch reports."""

from __future__ import annotations

from collections.abc import Iterator

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.rule import RuleContext, rule

from ._data_common import REQUIREMENTS, all_facts, not_evaluated, share


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
        yield from not_evaluated(facts)
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
