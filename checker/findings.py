"""Findings: what the rules report and the reporters render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .location import Location

Level = Literal["error", "warning", "note"]
LEVELS: tuple[Level, ...] = ("error", "warning", "note")
LEVEL_RANK: dict[str, int] = {"note": 1, "warning": 2, "error": 3, "never": 99}


@dataclass(frozen=True)
class Suppression:
    """Why a finding is hidden (config ignore, template metadata, baseline)."""

    kind: str  # "external" (config / baseline) or "inSource" (template metadata)
    justification: str


@dataclass
class Finding:
    """One reported problem.

    Rules set ``rule_id``, ``message`` and ``location`` (plus optional ``related`` places);
    the engine fills ``level`` from the rule's default and the config's overrides.
    ``setup`` names the set-up the finding was made in, if any.
    """

    rule_id: str
    message: str
    location: Location
    level: Level | None = None
    related: tuple[Location, ...] = ()
    setup: str | None = None
    suppression: Suppression | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (
            loc.path or loc.arn or "",
            loc.line or 0,
            loc.column or 0,
            self.rule_id,
            self.message,
        )
