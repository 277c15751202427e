"""The data rules together: one scan per set-up, fail closed, the hand-off to PL406, standalone
files, the corpus and the command line."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("polars")
pytest.importorskip("numpy")

from data_builders import (
    AS_OF,
    HEADER,
    RECENT,
    RULES,
    SCHEMA,
    csv,
    ctx_for,
    event,
    ids,
    make_setup,
    row,
    run,
)
from helpers import run_cli, write
from personalize_lint.data import engine as data_engine
from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory, Setup
from personalize_lint.location import Location
from personalize_lint.rule import RuleContext
from personalize_lint.rules._data_common import (
    UNDEFINED,
    data_attribution_sources,
    data_event_types,
    share,
)

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
    inventory = Inventory(setups=[setup])
    with inventory.rule_pass():
        run(RULES, inventory, ctx)
        assert data_event_types(inventory, setup, ctx) == {"CLICK", "PURCHASE"}
        assert data_attribution_sources(inventory, setup, ctx) == {"home", UNDEFINED}
    assert len(calls) == 1
    # Nothing is kept after the pass: the next one reads the data again.
    assert data_event_types(inventory, setup, ctx) == {"CLICK", "PURCHASE"}
    assert len(calls) == 2


def test_unreadable_data_is_pl003_and_leaves_event_types_unknown(tmp_path: Path) -> None:
    setup = make_setup(tmp_path, {"i.csv": csv(row())}, locations=["i.csv", "missing/*.csv"])
    ctx = ctx_for(tmp_path)
    inventory = Inventory(setups=[setup])
    found = run(RULES, inventory, ctx)
    pl003 = {f.message for f in found if f.rule_id == "PL003"}
    assert len(pl003) == 1 and "missing/*.csv matches no file" in next(iter(pl003))
    assert data_event_types(inventory, setup, ctx) is None
    assert data_attribution_sources(inventory, setup, ctx) is None


def test_data_without_event_type_column_leaves_event_types_unknown(tmp_path: Path) -> None:
    write(tmp_path / "i.csv", "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1795824000\n")
    setup = make_setup(tmp_path, {}, locations=["i.csv"])
    ctx = ctx_for(tmp_path)
    inventory = Inventory(setups=[setup])
    found = run(RULES, inventory, ctx)
    assert "PL601" in {f.rule_id for f in found}
    assert data_event_types(inventory, setup, ctx) is None  # PL406 must not claim "never occurs"


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
    inventory = Inventory(setups=[setup])
    assert run(RULES, inventory, ctx_for(tmp_path)) == []
    assert data_event_types(inventory, setup, ctx_for(tmp_path)) is None


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
    assert share(part, whole) == text


@pytest.mark.parametrize(
    ("location", "why"),
    [("s3://", "names no bucket"), ("s3://no-such-bucket/in/", "cannot list")],
)
def test_s3_location_that_cannot_be_read_is_reported_at_its_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, location: str, why: str
) -> None:
    # No credentials anywhere: boto3 gives up at once, without a network call.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    env = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    write(tmp_path / "personalize-lint.toml",
          f'[[setup]]\nname = "s"\ninteractions-data = ["{location}"]\n')
    out = run_cli("check", "--format", "json", "--quiet", cwd=tmp_path, env=env).json()
    (finding,) = out["findings"]
    assert finding["rule_id"] == "PL003" and why in finding["message"], finding
    assert finding["path"] == location
