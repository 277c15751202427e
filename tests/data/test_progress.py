"""The progress bar: drawn for a terminal, silent otherwise and with --quiet."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from personalize_lint.data.progress import Progress, wanted


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_draws_bytes_rows_and_rate_on_a_terminal() -> None:
    out = Tty()
    bar = Progress(200_000_000, enabled=wanted(False, out), stream=out)
    bar.update(50_000_000, 1_234_567, force=True)
    bar.close()
    text = out.getvalue()
    assert "50/200 MB" in text and "25%" in text and "1.2M rows" in text and "MB/s" in text
    assert text.endswith("\r\x1b[K")


def test_silent_when_not_a_terminal_or_quiet() -> None:
    pipe = io.StringIO()
    assert not wanted(False, pipe)
    assert not wanted(True, Tty())
    bar = Progress(10, enabled=wanted(False, pipe), stream=pipe)
    bar.update(5, 5, force=True)
    bar.close()
    assert pipe.getvalue() == ""


def test_unknown_total_shows_bytes_only() -> None:
    out = Tty()
    bar = Progress(None, enabled=True, stream=out)
    bar.update(3_000_000, 10, force=True)
    assert "3 MB" in out.getvalue() and "%" not in out.getvalue()


def test_redraws_are_rate_limited() -> None:
    out = Tty()
    bar = Progress(100, enabled=True, stream=out, interval=60)
    bar.update(1, 1, force=True)
    bar.update(2, 2)
    assert out.getvalue().count("\r") == 1


def test_scan_draws_progress_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("polars")
    from personalize_lint.data.engine import ScanOptions, scan

    path = tmp_path / "i.csv"
    path.write_text("USER_ID,ITEM_ID,TIMESTAMP\nu,i,1700000000\n")
    as_of = datetime(2026, 11, 30, tzinfo=timezone.utc)
    scan([str(path)], fields=None, as_of=as_of, options=ScanOptions(progress=True, label="shop"))
    err = capsys.readouterr().err
    assert "shop: " in err and "rows" in err
    scan([str(path)], fields=None, as_of=as_of, options=ScanOptions(quiet=True))
    assert capsys.readouterr().err == ""  # --quiet (and stderr not a terminal): silent
