"""Which engine runs the data checks, and the session the running check hands scans to.

The choice is made once per run (``--engine`` / ``[data]`` in the configuration);
``engines.using`` opens the session and makes it active in a context variable while the
rules run, so the rules keep calling ``engine.scan`` and ``engine.scan_files`` unchanged:
``scan_files`` hands the files to the active session when there is one. Below both the
local engine and the Dask engine (it imports neither), and cheap to import.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import UsageError

if TYPE_CHECKING:
    from .result import ScanResult
    from .sources import DataFile

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class EngineChoice:
    """Where the data checks run. ``scheduler`` is a Dask scheduler address
    (``tcp://host:8786``); without one a ``LocalCluster`` of ``workers`` processes with
    ``threads_per_worker`` threads and ``worker_memory`` each (Dask's ``memory_limit``:
    bytes or a string such as ``"4GiB"``; default: the machine's memory shared out) is
    started for the run and stopped after it. How long to wait for a scheduler is Dask's
    own setting (``distributed.comm.timeouts.connect``, e.g. the environment variable
    ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=10s``; Dask's default is 30 s)."""

    name: str = "local"
    scheduler: str | None = None
    workers: int | None = None
    threads_per_worker: int = 1
    worker_memory: str | int | None = None


class EngineFailure(UsageError):
    """The engine itself failed (not the data): reported as one line, exit 2."""


class Session(Protocol):
    """Runs one check's data scans elsewhere; ``failure`` says why it could not."""

    failure: str | None

    def scan_files(
        self,
        files: list[DataFile],
        *,
        fields: list[Any] | None,  # engine.SchemaField
        as_of: datetime,
        options: Any,  # engine.ScanOptions
    ) -> ScanResult: ...

    def close(self) -> None: ...


_ACTIVE: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "personalize_lint_data_session", default=None
)


def active() -> Session | None:
    """The session the data scans of this run go to, None for the local engine."""
    return _ACTIVE.get()


@contextmanager
def activated(session: Session) -> Iterator[Session]:
    """Make ``session`` the one scans go to, for the ``with`` block."""
    token = _ACTIVE.set(session)
    try:
        yield session
    finally:
        _ACTIVE.reset(token)
