"""PL601-PL602: the header of the interactions data."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("polars")
pytest.importorskip("numpy")

from data_builders import HEADER, RECENT, check, csv, ids, row
from personalize_lint.rules.data_header import pl601_no_event_type, pl602_header_mismatch

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
    found = check(tmp_path, pl601_no_event_type, {"i.csv": body}, schema=None)
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
    found = check(tmp_path, pl602_header_mismatch, {"i.csv": csv(row(), header=header)})
    if expect is None:
        assert found == []
    else:
        assert ids(found) == ["PL602"] and expect in found[0].message


def test_pl602_files_of_one_folder_with_different_headers(tmp_path: Path) -> None:
    other = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_ATTRIBUTION_SOURCE,RECOMMENDATION_ID"
    found = check(
        tmp_path,
        pl602_header_mismatch,
        {"d/a.csv": csv(row()), "d/b.csv": csv("u,i,1,click,x,", header=other)},
    )
    messages = [f.message for f in found]
    assert any(
        "d/b.csv and d/a.csv (one folder, one import) have different headers" in m for m in messages
    )
    assert all(f.rule_id == "PL602" for f in found)


def test_pl602_without_a_schema_is_not_evaluated(tmp_path: Path) -> None:
    found = check(tmp_path, pl602_header_mismatch, {"i.csv": csv(row())}, schema=None)
    assert ids(found) == ["PL003"] and "PL602 not evaluated" in found[0].message


@pytest.mark.parametrize(
    ("content", "empty"),
    [
        (b"", True),
        (b"\n", True),
        # Unreadable files are PL001 (with PL003 for the data checks), not "empty".
        ("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n".encode("utf-16"), False),
        (b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\r1,2,3,click\r", False),
    ],
    ids=["empty", "blank line", "utf-16", "cr-only lines"],
)
def test_pl602_empty_file_is_told_apart_from_an_unreadable_one(
    tmp_path: Path, content: bytes, empty: bool
) -> None:
    found = check(tmp_path, pl602_header_mismatch, {"i.csv": content})
    said_empty = [f for f in found if f.rule_id == "PL602" and "is empty" in f.message]
    assert bool(said_empty) is empty
    if not empty:
        assert sorted(f.rule_id for f in found) == ["PL001", "PL003"]
