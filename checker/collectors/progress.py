"""A one-line progress bar on stderr while an audit runs (only on a terminal).

Shows accounts, regions and resources (metric attributions) done out of those known so far;
totals grow as accounts and regions are listed. Redraws at most ten times a second and is
thread-safe: the audit's workers report to it directly.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

COUNTERS = ("accounts", "regions", "resources")


class Progress:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.done = dict.fromkeys(COUNTERS, 0)
        self.total = dict.fromkeys(COUNTERS, 0)
        self._lock = threading.Lock()
        self._drawn = 0.0
        self._width = 0

    def expect(self, counter: str, count: int = 1) -> None:
        with self._lock:
            self.total[counter] += count
        self._draw()

    def advance(self, counter: str, count: int = 1) -> None:
        with self._lock:
            self.done[counter] += count
        self._draw()

    def line(self) -> str:
        parts = [f"{name} {self.done[name]}/{self.total[name]}" for name in COUNTERS]
        return "auditing: " + "  ".join(parts)

    def _draw(self, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            if not force and now - self._drawn < 0.1:
                return
            self._drawn = now
            text = self.line()
            pad = max(self._width - len(text), 0)
            self._width = len(text)
            self.stream.write("\r" + text + " " * pad)
            self.stream.flush()

    def close(self) -> None:
        if not self.enabled:
            return
        self._draw(force=True)
        with self._lock:
            self.stream.write("\n")
            self.stream.flush()
