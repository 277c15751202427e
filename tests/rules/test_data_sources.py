"""PL605-PL607, PL609: event attribution sources in the bulk data and PutEvents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("polars")
pytest.importorskip("numpy")

from data_builders import check, csv, ctx_for, event, make_setup, row, run
from personalize_lint.inventory import Inventory
from personalize_lint.rules.data_sources import (
    pl605_too_many_sources,
    pl606_no_source,
    pl607_both_ids,
    pl609_bad_source,
)

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
    (f,) = check(tmp_path, pl605_too_many_sources, files, events=(payload, lines))
    assert f.message.startswith(
        "101 unique event attribution sources (90 in the bulk data, 12 in PutEvents events)"
    )
    ok = check(tmp_path / "ok", pl605_too_many_sources, files, events=(payload,))
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
    found = run([pl606_no_source, pl607_both_ids], Inventory(setups=[setup]), ctx_for(tmp_path))
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
    (f,) = check(tmp_path, pl606_no_source, {"i.csv": csv(row(), row("b", src=""))})
    assert f.message == (
        "1 of 2 bulk rows (50%) have neither a recommendation ID nor an "
        "attribution source and will be reported as SOURCE_NAME_UNDEFINED; "
        "first at line 3"
    )



# --- PL609 --------------------------------------------------------------------------------


def test_pl609_bad_sources_in_bulk_and_events(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "i.csv": csv(row(), row("b", src="  "), row("c", src="x" * 1025))
    }
    payload = {"trackingId": "t", "sessionId": "s", "eventList": [event("caf\u00e9"), event("")]}
    found = check(tmp_path, pl609_bad_source, files, events=(payload,))
    kinds = {re.search(r"that is (.*?) \(e\.g\.", f.message).group(1): f for f in found}  # type: ignore[union-attr]
    assert set(kinds) == {"blank", "not printable ASCII", "longer than 1,024 characters"}
    assert "2 of 5 events (40%)" in kinds["blank"].message
    assert kinds["not printable ASCII"].location.pointer == (
        "/eventList/0/metricAttribution/eventAttributionSource"
    )
    assert kinds["longer than 1,024 characters"].location.line == 4
