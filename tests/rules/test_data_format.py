"""PL608 (and PL001): rows that break the bulk import format."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("polars")
pytest.importorskip("numpy")

from data_builders import RECENT, check, csv, ids, row
from helpers import run_cli
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


def test_pl608_nul_bytes_in_ids_name_the_column_and_the_lines(tmp_path: Path) -> None:
    # The docs make IDs text and say nothing kinder of a NUL: "userId: The ID associated with
    # the user. Type: String. Length Constraints: Minimum length of 1. Maximum length of 256."
    # (API_UBS_User) and "If your data includes any non-ASCII encoded characters, your CSV
    # file must be encoded in UTF-8 format." (data-prep-formatting). A NUL in an ID is a
    # different, unintended ID at best, so an error with its lines, not data.
    body = csv(row(), row("u\x002"), row("u3", item="i\x003"), row("u\x004", item="\x00"))
    found = check(tmp_path, pl608_format, {"i.csv": body})
    assert sorted((f.rule_id, f.message, f.location.line) for f in found) == [
        ("PL608", "ITEM_ID holds a NUL byte (0x00), which text never does: 2 of 4 rows (50%); "
                  "first at lines 4, 5", 4),
        ("PL608", "USER_ID holds a NUL byte (0x00), which text never does: 2 of 4 rows (50%); "
                  "first at lines 3, 5", 3),
    ]


def test_a_nul_byte_in_a_lone_csv_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_bytes(
        b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,1795824000,click\nu2,i\x002,1795824000,click\n")
    result = run_cli("check", "interactions.csv", "--format", "json", "--select", "PL608",
                     "--as-of", "2026-11-30T00:00:00Z", cwd=tmp_path)
    assert result.code == 1, result.err
    (finding,) = result.json()["findings"]
    where = (finding["rule_id"], finding["path"], finding["line"])
    assert where == ("PL608", "interactions.csv", 3)
    assert finding["message"].startswith("ITEM_ID holds a NUL byte (0x00)")
