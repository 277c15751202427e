"""Builders for the PL6xx tests: CSV rows and files, set-ups holding them, and a way to run
rules over an inventory."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from helpers import write
from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import (
    DataSource,
    EventsPayload,
    Inventory,
    Schema,
    Setup,
    Source,
)
from personalize_lint.location import Location
from personalize_lint.rule import Rule, RuleContext
from personalize_lint.rules.data_age import pl604_old_records
from personalize_lint.rules.data_duplicates import pl603_duplicates
from personalize_lint.rules.data_format import pl608_format
from personalize_lint.rules.data_header import pl601_no_event_type, pl602_header_mismatch
from personalize_lint.rules.data_sources import (
    pl605_too_many_sources,
    pl606_no_source,
    pl607_both_ids,
    pl609_bad_source,
)

AS_OF = datetime(2026, 11, 30, tzinfo=timezone.utc)
NOW = int(AS_OF.timestamp())
RECENT = NOW - 3600
OLD = NOW - 30 * 86_400
FIELDS = [
    "USER_ID",
    "ITEM_ID",
    "TIMESTAMP",
    "EVENT_TYPE",
    "RECOMMENDATION_ID",
    "EVENT_ATTRIBUTION_SOURCE",
]
HEADER = ",".join(FIELDS)
TYPES = {
    "TIMESTAMP": "long",
    "RECOMMENDATION_ID": ["null", "string"],
    "EVENT_ATTRIBUTION_SOURCE": ["null", "string"],
}
SCHEMA = {
    "type": "record",
    "name": "Interactions",
    "fields": [{"name": f, "type": TYPES.get(f, "string")} for f in FIELDS],
}
RULES: list[Rule] = [
    pl601_no_event_type,
    pl602_header_mismatch,
    pl603_duplicates,
    pl604_old_records,
    pl605_too_many_sources,
    pl606_no_source,
    pl607_both_ids,
    pl608_format,
    pl609_bad_source,
]


def row(
    user: str = "u1",
    ts: object = RECENT,
    etype: str = "click",
    rec: str = "",
    src: str = "home",
    item: str = "i1",
) -> str:
    return f"{user},{item},{ts},{etype},{rec},{src}"


def csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def event(src: str | None = "home", rec: str | None = None, etype: str = "click") -> dict[str, Any]:
    e: dict[str, Any] = {"eventType": etype, "sentAt": RECENT, "itemId": "i-1"}
    if src is not None:
        e["metricAttribution"] = {"eventAttributionSource": src}
    if rec is not None:
        e["recommendationId"] = rec
    return e


def make_setup(
    tmp_path: Path,
    files: dict[str, str | bytes],
    *,
    schema: Any = SCHEMA,
    events: tuple[Any, ...] = (),
    locations: list[str] | None = None,
    name: str = "retail",
) -> Setup:
    for rel, text in files.items():
        write(tmp_path / rel, text, gz=rel.endswith(".gz"))
    s = Setup(name=name, location=Location(path="personalize-lint.toml"))
    if schema is not None:
        s.dataset_group.schemas["Interactions"] = Schema(
            avro=schema,
            source=Source(location=Location(path="schema.json")),
            dataset_type="Interactions",
        )
    for loc in locations if locations is not None else list(files):
        s.interactions_data.append(DataSource(loc, Source(location=Location(path=loc))))
    for index, payload in enumerate(events):
        doc = Document(f"events/{index}.json", "putevents", payload)
        s.events.append(EventsPayload(payload, Source(doc)))
    return s


def ctx_for(tmp_path: Path) -> RuleContext:
    return RuleContext(as_of=AS_OF, options={"root": tmp_path}, quiet=True)


def run(rules: Rule | list[Rule], inventory: Inventory, ctx: RuleContext) -> list[Finding]:
    """Run rules as the engine does: in one rule pass, so they share one scan of the data."""
    out: list[Finding] = []
    with inventory.rule_pass():
        for r in rules if isinstance(rules, list) else [rules]:
            assert r.check is not None
            out.extend(r.check(inventory, ctx))
    return out


def check(
    tmp_path: Path, rules: Rule | list[Rule], files: dict[str, str | bytes], **kw: Any
) -> list[Finding]:
    setup = make_setup(tmp_path, files, **kw)
    return run(rules, Inventory(setups=[setup]), ctx_for(tmp_path))


def ids(findings: list[Finding]) -> list[str]:
    return sorted(f.rule_id for f in findings)
