"""Argument types the ``check`` and ``audit`` subcommands share.

Below both command modules (:mod:`.cli` builds ``check``; :mod:`.collectors.cli` builds
``audit``), so neither imports the other for them.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from .config import parse_time


def rule_ids(value: str) -> list[str]:
    """``--select``/``--ignore``: comma-separated rule IDs or prefixes, upper-cased."""
    return [v.strip().upper() for v in value.split(",") if v.strip()]


def as_of_time(value: str) -> datetime:
    """``--as-of``: an ISO 8601 time (see :func:`.config.parse_time`)."""
    try:
        return parse_time(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from None
