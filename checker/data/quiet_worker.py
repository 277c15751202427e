"""Preloaded on the worker processes of the run's own LocalCluster only (never on a user's
cluster): their stderr is the user's terminal, where a failure is our one line (exit 2).

Logging levels alone do not hold it: a worker the nanny restarts logs at INFO before any
plugin runs, and one that closes after its nanny went away prints its traceback through
``multiprocessing`` (seen under load). Dask imports a preload when the worker is built, so
the worker process's stderr goes to the null device from then on.
"""

from __future__ import annotations

import os


def _stderr_to_null() -> None:
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
    finally:
        os.close(null)


_stderr_to_null()
