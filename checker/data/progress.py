"""A one-line progress bar on stderr for long data scans.

Written here rather than taken from tqdm or rich: the bar is one line (bytes read of the
total, rows, rate, elapsed), the engine updates it once per chunk, and a 40-line class is
cheaper than a dependency that every install would carry. It draws only when stderr is a
terminal and the run is not ``--quiet``; otherwise every call is a no-op, so CI logs and
pipes stay clean.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_MB = 1_000_000


def _fmt_count(n: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f}{unit}"
    return f"{n:.0f}"


class Progress:
    """``update(bytes, rows)`` redraws at most ``interval`` times a second; ``close()`` ends."""

    def __init__(
        self,
        total_bytes: int | None,
        *,
        enabled: bool,
        stream: TextIO | None = None,
        interval: float = 0.2,
        label: str = "data",
    ) -> None:
        self.total = total_bytes or None
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interval = interval
        self.label = label
        self.start = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def update(self, bytes_read: int, rows: int, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        elapsed = max(now - self.start, 1e-9)
        rate = bytes_read / elapsed / _MB
        if self.total:
            share = min(bytes_read / self.total, 1.0)
            width = 24
            filled = int(share * width)
            bar = "#" * filled + "-" * (width - filled)
            size = f"{bytes_read / _MB:,.0f}/{self.total / _MB:,.0f} MB {share:4.0%}"
            head = f"[{bar}] {size}"
        else:
            head = f"{bytes_read / _MB:,.0f} MB"
        line = f"{self.label}: {head}  {_fmt_count(rows)} rows  {rate:,.0f} MB/s  {elapsed:,.0f}s"
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    """Draw only for a person watching: stderr is a terminal and not ``--quiet``."""
    stream = stream or sys.stderr
    if quiet:
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
