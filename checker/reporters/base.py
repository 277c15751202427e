"""The report every output format renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ..findings import Finding
from ..rule import Rule

if TYPE_CHECKING:
    from ..inventory import Inventory


@dataclass
class Report:
    """A finished run: findings (sorted, levels assigned, suppressions marked) and context.

    ``findings`` includes suppressed findings (``finding.suppression`` set); reporters that
    cannot express suppression drop them. ``rules`` are all registered rules by ID.
    ``root`` is the directory file paths are relative to (``%SRCROOT%`` in SARIF).
    """

    findings: list[Finding]
    rules: dict[str, Rule]
    root: Path
    tool_version: str
    started: datetime
    exit_code: int = 0
    fail_on: str = "error"
    files_checked: int = 0
    setups_checked: int = 0
    command: str = "check"
    options: dict[str, object] = field(default_factory=dict)
    # Run-level notes that are not findings (e.g. stale baseline entries).
    notes: list[str] = field(default_factory=list)
    # What the rules ran on, for formats that show sources (html); None when a report is
    # built without one. The documented outputs (JSON, SARIF) do not read it.
    inventory: Inventory | None = None

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]


class Reporter:
    """Base class for an output format. Subclasses set ``name`` and implement ``render``."""

    name: ClassVar[str] = ""
    # Whether the output can use terminal colour (only text does).
    colour: bool = False

    def __init__(self, *, colour: bool = False) -> None:
        self.colour = colour

    def render(self, report: Report) -> str:
        raise NotImplementedError
