"""PL601-PL609: bulk interactions data of set-ups and standalone files, with PutEvents."""

from __future__ import annotations

import gzip
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("polars")
pytest.importorskip("numpy")

from helpers import run_cli, write
from personalize_lint.data import engine as data_engine
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
from personalize_lint.rules import data as D

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
    D.pl601_no_event_type,
    D.pl602_header_mismatch,
    D.pl603_duplicates,
    D.pl604_old_records,
    D.pl605_too_many_sources,
    D.pl606_no_source,
    D.pl607_both_ids,
    D.pl608_format,
    D.pl609_bad_source,
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
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode() if isinstance(text, str) else text
        path.write_bytes(gzip.compress(data) if rel.endswith(".gz") else data)
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
    out: list[Finding] = []
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


# --- PL601 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "fires"),
    [
        (HEADER, False),
        ("USER_ID,ITEM_ID,TIMESTAMP", True),
        ("USER_ID,ITEM_ID,TIMESTAMP,event_type", False),  # named, misspelled: PL602's business
    ],
)
def test_pl601_event_type_column(tmp_path: Path, header: str, fires: bool) -> None:
    body = csv(
        ",".join(["u", "i", str(RECENT), "click", "", "x"][: header.count(",") + 1]), header=header
    )
    found = check(tmp_path, D.pl601_no_event_type, {"i.csv": body}, schema=None)
    assert ids(found) == (["PL601"] if fires else [])
    if fires:
        assert found[0].location.path == "i.csv" and found[0].location.line == 1
        assert "header: USER_ID, ITEM_ID, TIMESTAMP" in found[0].message


# --- PL602 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expect"),
    [
        (HEADER, None),
        (
            "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,RECOMMENDATION_ID,SOURCE",
            "column 'SOURCE' is not a field of the schema; "
            "schema field(s) EVENT_ATTRIBUTION_SOURCE have no column",
        ),
        (
            "user_id,ITEM_ID,TIMESTAMP,EVENT_TYPE,RECOMMENDATION_ID,EVENT_ATTRIBUTION_SOURCE",
            "column 'user_id' is spelled 'USER_ID' in the schema",
        ),
        (
            "ITEM_ID,USER_ID,TIMESTAMP,EVENT_TYPE,RECOMMENDATION_ID,EVENT_ATTRIBUTION_SOURCE",
            "columns are in another order than the schema's fields",
        ),
        (
            '"USER_ID","ITEM_ID",TIMESTAMP,EVENT_TYPE,RECOMMENDATION_ID,EVENT_ATTRIBUTION_SOURCE',
            "header names are in quotes (USER_ID, ITEM_ID)",
        ),
    ],
)
def test_pl602_header_against_schema(tmp_path: Path, header: str, expect: str | None) -> None:
    found = check(tmp_path, D.pl602_header_mismatch, {"i.csv": csv(row(), header=header)})
    if expect is None:
        assert found == []
    else:
        assert ids(found) == ["PL602"] and expect in found[0].message


def test_pl602_files_of_one_folder_with_different_headers(tmp_path: Path) -> None:
    other = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_ATTRIBUTION_SOURCE,RECOMMENDATION_ID"
    found = check(
        tmp_path,
        D.pl602_header_mismatch,
        {"d/a.csv": csv(row()), "d/b.csv": csv("u,i,1,click,x,", header=other)},
    )
    messages = [f.message for f in found]
    assert any(
        "d/b.csv and d/a.csv (one folder, one import) have different headers" in m for m in messages
    )
    assert all(f.rule_id == "PL602" for f in found)


def test_pl602_without_a_schema_is_not_evaluated(tmp_path: Path) -> None:
    found = check(tmp_path, D.pl602_header_mismatch, {"i.csv": csv(row())}, schema=None)
    assert ids(found) == ["PL003"] and "PL602 not evaluated" in found[0].message


# --- PL603 --------------------------------------------------------------------------------


def test_pl603_duplicates_with_count_share_and_lines(tmp_path: Path) -> None:
    body = csv(
        row("a"),
        row("b"),
        row("a"),
        row("c"),
        row("b"),
        row("a"),
        *[row(f"x{i}") for i in range(994)],
    )
    (f,) = check(tmp_path, D.pl603_duplicates, {"i.csv": body})
    assert f.rule_id == "PL603" and f.location.path == "i.csv" and f.location.line == 4
    assert f.message.startswith("3 of 1,000 rows (0.30%) duplicate earlier rows (2 distinct rows")
    assert "first at lines 4 (= line 2), 6 (= line 3), 7 (= line 2)" in f.message
    assert check(tmp_path / "clean", D.pl603_duplicates, {"i.csv": csv(row("a"), row("b"))}) == []


def test_pl603_gzip_and_across_files(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"d/a.csv.gz": csv(row("a")), "d/b.csv": csv(row("a"))}
    (f,) = check(tmp_path, D.pl603_duplicates, files)
    assert "d/b.csv:2 (= d/a.csv.gz:2)" in f.message


# --- PL604 --------------------------------------------------------------------------------


def test_pl604_old_records(tmp_path: Path) -> None:
    (f,) = check(
        tmp_path,
        D.pl604_old_records,
        {"i.csv": csv(row(), row("b", ts=OLD), row("c", ts=OLD - 86_400))},
    )
    assert f.message.startswith("2 of 3 records (67%) are 14 days or more older than 2026-11-30")
    assert "oldest 2026-10-30 at i.csv:4" in f.message and f.location.line == 3
    assert check(tmp_path / "new", D.pl604_old_records, {"i.csv": csv(row())}) == []


# --- PL605 --------------------------------------------------------------------------------


def _sources(prefix: str, n: int) -> list[str]:
    return [row(f"u{i}", src=f"{prefix}-{i}") for i in range(n)]


def test_pl605_counts_files_and_putevents_together(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "d/a.csv": csv(*_sources("web", 60)),
        "d/b.csv.gz": csv(*_sources("mail", 30)),
    }
    payload = {
        "trackingId": "t",
        "sessionId": "s",
        "eventList": [event(f"app-{i}") for i in range(10)],
    }
    lines = [event("app-10"), event("web-1")]  # JSON Lines; web-1 is also in the bulk data
    (f,) = check(tmp_path, D.pl605_too_many_sources, files, events=(payload, lines))
    assert f.message.startswith(
        "101 unique event attribution sources (90 in the bulk data, 12 in PutEvents events)"
    )
    ok = check(tmp_path / "ok", D.pl605_too_many_sources, files, events=(payload,))
    assert ok == []


# --- PL606 / PL607 ------------------------------------------------------------------------


def test_pl606_and_pl607_count_bulk_and_events(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "i.csv": csv(
            row(), row("b", src=""), row("c", src="", rec="R1"), row("d", src="x", rec="R2")
        )
    }
    payload = {
        "trackingId": "t",
        "sessionId": "s",
        "eventList": [event(None), event("y", rec="R3"), event(None, rec="R4")],
    }
    setup = make_setup(tmp_path, files, events=(payload,))
    found = run([D.pl606_no_source, D.pl607_both_ids], Inventory(setups=[setup]), ctx_for(tmp_path))
    by = {f.rule_id: f for f in found}
    assert by["PL606"].message.startswith(
        "2 of 7 events (29%) have neither a recommendation ID nor an attribution source and will "
        "be reported as SOURCE_NAME_UNDEFINED: 1 of 4 bulk rows (25%), first at line 3; "
        "1 of 3 PutEvents events (33%), first at events/0.json"
    )
    assert by["PL606"].location.line == 3
    assert by["PL607"].message.startswith("2 of 7 events (29%) have both")
    assert by["PL607"].related and by["PL607"].related[0].pointer == "/eventList/1"


def test_pl606_bulk_only_message(tmp_path: Path) -> None:
    (f,) = check(tmp_path, D.pl606_no_source, {"i.csv": csv(row(), row("b", src=""))})
    assert f.message == (
        "1 of 2 bulk rows (50%) have neither a recommendation ID nor an "
        "attribution source and will be reported as SOURCE_NAME_UNDEFINED; "
        "first at line 3"
    )


# --- PL608 --------------------------------------------------------------------------------


def test_pl608_timestamp_forms(tmp_path: Path) -> None:
    found = check(
        tmp_path,
        D.pl608_format,
        {
            "i.csv": csv(
                row(),
                row("b", ts=RECENT * 1000),
                row("c", ts="2026-11-29T10:00:00Z"),
                row("d", ts=""),
            )
        },
    )
    got = {f.message.split(":")[0]: f.location.line for f in found}
    assert got == {
        "TIMESTAMP is in milliseconds, not Unix epoch seconds": 3,
        "TIMESTAMP is a date string, not Unix epoch seconds": 4,
        "TIMESTAMP is blank": 5,
    }
    assert all(f.rule_id == "PL608" for f in found)
    assert any(f.message.endswith(": 1 of 4 rows (25%); first at line 3") for f in found)


def test_pl608_broken_quoting_is_pl001_and_checks_go_on(tmp_path: Path) -> None:
    body = csv(row(), f'u2,"i"2",{RECENT},click,,x', row("u3", ts=RECENT * 1000))
    found = check(tmp_path, D.pl608_format, {"i.csv": body})
    assert ids(found) == ["PL001", "PL608"]


# --- PL609 --------------------------------------------------------------------------------


def test_pl609_bad_sources_in_bulk_and_events(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "i.csv": csv(row(), row("b", src="  "), row("c", src="x" * 1025))
    }
    payload = {"trackingId": "t", "sessionId": "s", "eventList": [event("caf\u00e9"), event("")]}
    found = check(tmp_path, D.pl609_bad_source, files, events=(payload,))
    kinds = {re.search(r"that is (.*?) \(e\.g\.", f.message).group(1): f for f in found}  # type: ignore[union-attr]
    assert set(kinds) == {"blank", "not printable ASCII", "longer than 1,024 characters"}
    assert "2 of 5 events (40%)" in kinds["blank"].message
    assert kinds["not printable ASCII"].location.pointer == (
        "/eventList/0/metricAttribution/eventAttributionSource"
    )
    assert kinds["longer than 1,024 characters"].location.line == 4


# --- one scan, fail closed, PL406 hand-off -----------------------------------------------


def test_one_scan_per_setup_and_event_types_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    real = data_engine.scan

    def counting(locations: list[str], **kw: Any) -> Any:
        calls.append(list(locations))
        return real(locations, **kw)

    monkeypatch.setattr(data_engine, "scan", counting)
    setup = make_setup(
        tmp_path, {"i.csv": csv(row(), row("b", etype="Purchase"), row("c", src=""))}
    )
    ctx = ctx_for(tmp_path)
    run(RULES, Inventory(setups=[setup]), ctx)
    assert len(calls) == 1
    assert ctx.options["data_event_types"] == {"retail": {"CLICK", "PURCHASE"}}
    assert ctx.options["data_attribution_sources"] == {"retail": {"home", D.UNDEFINED}}
    assert D.data_event_types(setup, ctx) == {"CLICK", "PURCHASE"}


def test_unreadable_data_is_pl003_and_leaves_event_types_unknown(tmp_path: Path) -> None:
    setup = make_setup(tmp_path, {"i.csv": csv(row())}, locations=["i.csv", "missing/*.csv"])
    ctx = ctx_for(tmp_path)
    found = run(RULES, Inventory(setups=[setup]), ctx)
    pl003 = {f.message for f in found if f.rule_id == "PL003"}
    assert len(pl003) == 1 and "missing/*.csv matches no file" in next(iter(pl003))
    assert D.data_event_types(setup, ctx) is None
    assert "data_event_types" not in ctx.options


def test_data_without_event_type_column_leaves_event_types_unknown(tmp_path: Path) -> None:
    write(tmp_path / "i.csv", "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1795824000\n")
    setup = make_setup(tmp_path, {}, locations=["i.csv"])
    ctx = ctx_for(tmp_path)
    found = run(RULES, Inventory(setups=[setup]), ctx)
    assert "PL601" in {f.rule_id for f in found}
    assert D.data_event_types(setup, ctx) is None  # PL406 must not claim "never occurs"


def test_pl406_sees_the_data_although_it_runs_before_the_data_rules(tmp_path: Path) -> None:
    write(tmp_path / "personalize-lint.toml", '''
as-of = "2026-11-30T00:00:00Z"
[[setup]]
name = "s"
metric-attribution = "ma.json"
interactions-data = ["data/*.csv"]
''')
    write(tmp_path / "ma.json", json.dumps({
        "name": "ma", "datasetGroupArn": "arn:aws:personalize:us-east-1:111122223333:"
        "dataset-group/d", "metrics": [
            {"eventType": "CLICK", "metricName": "CLICKS", "expression": "SAMPLECOUNT()"},
            {"eventType": "purchase", "metricName": "BUYS", "expression": "SAMPLECOUNT()"}],
        "metricsOutputConfig": {"roleArn": "arn:aws:iam::111122223333:role/r"}}))
    write(tmp_path / "data" / "i.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"
                                       "u1,i1,1795824000,click\n")
    out = run_cli("check", "--select", "PL406", "--format", "json", cwd=tmp_path).json()
    messages = [f["message"] for f in out["findings"]]
    assert len(messages) == 1 and "'purchase'" in messages[0], messages


def test_setup_without_data_or_events_is_skipped(tmp_path: Path) -> None:
    setup = Setup(name="empty", location=Location(path="personalize-lint.toml"))
    assert run(RULES, Inventory(setups=[setup]), ctx_for(tmp_path)) == []
    assert D.data_event_types(setup, ctx_for(tmp_path)) is None


# --- standalone files ---------------------------------------------------------------------


def test_standalone_csv_gets_what_one_file_can_decide(tmp_path: Path) -> None:
    write(
        tmp_path / "alone.csv",
        csv(
            row(),
            row(),
            row("b", ts=RECENT * 1000, src=""),
            header=HEADER.replace(",EVENT_TYPE", ",KIND"),
        ),
    )
    doc = Document("alone.csv", "interactions", HEADER.split(","), text_format="csv")
    found = run(RULES, Inventory(documents=[doc], standalone=[doc]), ctx_for(tmp_path))
    assert ids(found) == ["PL601", "PL603", "PL606", "PL608"]
    assert all(f.setup is None and f.location.path == "alone.csv" for f in found)


def test_standalone_putevents_payload(tmp_path: Path) -> None:
    payload = {"trackingId": "t", "sessionId": "s", "eventList": [event(None), event("  ")]}
    doc = Document("events.json", "putevents", payload)
    found = run(RULES, Inventory(documents=[doc], standalone=[doc]), ctx_for(tmp_path))
    assert ids(found) == ["PL606", "PL609"]


# --- the corpus and the command line ------------------------------------------------------


def test_corpus_interactions_csvs(corpus_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = (corpus_dir / "MANIFEST.md").read_text(encoding="utf-8")
    names = re.findall(r"\| `([^`]+\.csv)` \|[^\n]*\| interactions-csv \|", manifest)
    assert len(names) == 5
    docs = [Document(n, "interactions", None, text_format="csv") for n in names]
    ctx = RuleContext(as_of=AS_OF, options={"root": corpus_dir}, quiet=True)
    found = run(RULES, Inventory(documents=docs, standalone=docs), ctx)
    with capsys.disabled():
        print()
        for f in sorted(found, key=Finding.sort_key):
            print(f"  {f.rule_id} {f.location.describe()}: {f.message[:150]}")
    assert not [f for f in found if f.rule_id in ("PL003", "PL001")]
    fired = {(f.rule_id, f.location.path.rsplit("__", 1)[-1]) for f in found if f.location.path}
    assert ("PL601", "interactions_mini.csv") in fired  # USER_ID,ITEM_ID,TIMESTAMP only
    assert ("PL603", "interactions_mini.csv") in fired  # exact duplicate rows
    assert ("PL603", "df_interactions.csv") in fired  # one exact duplicate in the sample
    assert ("PL604", "interactions.csv") in fired  # 1996 MovieLens timestamps


def test_cli_checks_a_setup_with_data(tmp_path: Path) -> None:
    write(
        tmp_path / "personalize-lint.toml",
        """
as-of = "2026-11-30T00:00:00Z"
[[setup]]
name = "shop"
interactions-schema = "schema.json"
interactions-data = ["data/*.csv", "data/*.csv.gz"]
""",
    )
    write(tmp_path / "schema.json", json.dumps(SCHEMA))
    write(tmp_path / "data" / "a.csv", csv(row(), row(), row("b", src="")))
    (tmp_path / "data" / "b.csv.gz").write_bytes(
        gzip.compress(csv(row("c", ts=RECENT * 1000)).encode())
    )
    result = run_cli("check", "--format", "json", "--quiet", "--select", "PL6", cwd=tmp_path)
    assert result.err == ""
    found = {(f["rule_id"], f["path"]) for f in result.json()["findings"]}
    assert {("PL603", "data/a.csv"), ("PL606", "data/a.csv"), ("PL608", "data/b.csv.gz")} <= found


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (312, 10_000_000, "0.003%"),
        (1, 3, "33%"),
        (3, 1000, "0.30%"),
        (15, 1000, "1.5%"),
        (9997, 10_000, "99.9%"),
        (5, 5, "100%"),
        (1, 10**9, "<0.001%"),
        (0, 10, "0%"),
    ],
)
def test_share(part: int, whole: int, text: str) -> None:
    assert D.share(part, whole) == text
