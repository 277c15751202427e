"""PL603: duplicate rows in the interactions data."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("polars")
pytest.importorskip("numpy")

from data_builders import check, csv, row
from personalize_lint.rules.data_duplicates import pl603_duplicates

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
    (f,) = check(tmp_path, pl603_duplicates, {"i.csv": body})
    assert f.rule_id == "PL603" and f.location.path == "i.csv" and f.location.line == 4
    assert f.message.startswith("3 of 1,000 rows (0.30%) duplicate earlier rows (2 distinct rows")
    assert "first at lines 4 (= line 2), 6 (= line 3), 7 (= line 2)" in f.message
    assert check(tmp_path / "clean", pl603_duplicates, {"i.csv": csv(row("a"), row("b"))}) == []


def test_pl603_gzip_and_across_files(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"d/a.csv.gz": csv(row("a")), "d/b.csv": csv(row("a"))}
    (f,) = check(tmp_path, pl603_duplicates, files)
    assert "d/b.csv:2 (= d/a.csv.gz:2)" in f.message


@pytest.mark.parametrize("folder", ["team[1]", "a*b", "what?"])
def test_pl603_project_folder_with_glob_characters_in_its_name(tmp_path: Path, folder: str) -> None:
    """Only the interactions-data entry is a pattern; the project's own path is literal."""
    project = tmp_path / folder
    project.mkdir()
    (f,) = check(project, pl603_duplicates, {"d/i.csv": csv(row("a"), row("a"))},
                 locations=["d/*.csv"])
    assert f.rule_id == "PL603" and f.location.path == "d/i.csv" and f.location.line == 3
