"""Open the data engine a run chose: the local one (default) or a Dask session.

A Dask session connects (or starts its ``LocalCluster``) on the first scan, so a run that
finds no data never starts a cluster. A failure of the cluster itself (scheduler out of
reach, no workers, a worker lost) is not a finding about the data: the session records it,
and leaving ``using`` raises ``EngineFailure`` (exit 2, one line). A file that cannot be
read or parsed is still a finding (PL001/PL003), as with the local engine. Cheap to
import: Dask is imported only when a Dask session is opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import UsageError
from .engine_choice import ENGINES, EngineChoice, EngineFailure, Session, activated

__all__ = ["ENGINES", "EngineChoice", "EngineFailure", "using"]


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
            "the Dask engine needs the 'dask' extra on this machine and on every worker "
            "(pip install 'personalize-lint[dask]'): "
            f"{exc}"
        ) from None
    session = DaskSession(choice)
    try:
        with activated(session):
            yield session
    finally:
        session.close()
    if session.failure:
        raise EngineFailure(session.failure)
