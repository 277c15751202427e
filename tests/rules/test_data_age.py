"""PL604: records too old to reach CloudWatch."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("polars")
pytest.importorskip("numpy")

from data_builders import OLD, check, csv, row
from personalize_lint.rules.data_age import pl604_old_records

# --- PL604 --------------------------------------------------------------------------------


def test_pl604_old_records(tmp_path: Path) -> None:
    (f,) = check(
        tmp_path,
        pl604_old_records,
        {"i.csv": csv(row(), row("b", ts=OLD), row("c", ts=OLD - 86_400))},
    )
    assert f.message.startswith("2 of 3 records (67%) are 14 days or more older than 2026-11-30")
    assert "oldest 2026-10-30 at i.csv:4" in f.message and f.location.line == 3
    assert check(tmp_path / "new", pl604_old_records, {"i.csv": csv(row())}) == []
