"""PL608 (and PL001): rows that break the bulk import format."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("polars")
pytest.importorskip("numpy")

from data_builders import RECENT, check, csv, ids, row
from personalize_lint.rules.data_format import pl608_format

# --- PL608 --------------------------------------------------------------------------------


def test_pl608_timestamp_forms(tmp_path: Path) -> None:
    found = check(
        tmp_path,
        pl608_format,
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
    found = check(tmp_path, pl608_format, {"i.csv": body})
    assert ids(found) == ["PL001", "PL608"]
