"""Which engine runs the data checks: the local one (default) or Dask, for one run.

The choice is made once per run (``--engine`` / ``[data]`` in the configuration) and held in
a context variable while the rules run, so the rules keep calling ``engine.scan`` and
``engine.scan_files`` unchanged: ``scan_files`` hands the files to the active session when
there is one. Cheap to import: Dask is imported only when a Dask session is opened.

A Dask session connects (or starts its ``LocalCluster``) on the first scan, so a run that
finds no data never starts a cluster. A failure of the cluster itself (scheduler out of
reach, a worker lost) is not a finding about the data: the session records it, and leaving
``using`` raises ``EngineFailure`` (exit 2, one line). A file that cannot be read or parsed
is still a finding (PL001/PL003), as with the local engine.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ..errors import UsageError

if TYPE_CHECKING:
    from .engine import ScanOptions, SchemaField
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
    connect_timeout: float | None = None  # None: Dask's distributed.comm.timeouts.connect


class EngineFailure(UsageError):
    """The engine itself failed (not the data): reported as one line, exit 2."""


class Session(Protocol):
    failure: str | None

    def scan_files(
        self,
        files: list[DataFile],
        *,
        fields: list[SchemaField] | None,
        as_of: datetime,
        options: ScanOptions,
    ) -> ScanResult: ...

    def close(self) -> None: ...


_ACTIVE: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "personalize_lint_data_session", default=None
)


def active() -> Session | None:
    """The session the data scans of this run go to, None for the local engine."""
    return _ACTIVE.get()


@contextmanager
def using(choice: EngineChoice) -> Iterator[Session | None]:
    """Route this run's data scans to ``choice``; raise ``EngineFailure`` on leaving when
    the engine failed."""
    if choice.name == "local":
        yield None
        return
    if choice.name != "dask":
        raise UsageError(f"unknown data engine {choice.name!r} (choose from {', '.join(ENGINES)})")
    try:
        from .dask_engine import DaskSession  # imports Dask: only when chosen
    except ImportError as exc:
        raise UsageError(
            "the Dask engine needs the 'dask' extra (pip install 'personalize-lint[dask]'): "
            f"{exc}"
        ) from None

    session = DaskSession(choice)
    token = _ACTIVE.set(session)
    try:
        yield session
    finally:
        _ACTIVE.reset(token)
        session.close()
    if session.failure:
        raise EngineFailure(session.failure)
