"""Rule metadata and the ``@rule`` decorator that pairs it with a check function.

A rule module reads like a specification::

    @rule(
        id="PL104",
        level="error",
        title="Service role cannot write the metrics to S3",
        why="...", fix="...", example="...",
        source="https://docs.aws.amazon.com/personalize/latest/dg/...",
        tags=("iam", "s3"),
    )
    def check(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
        ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .findings import Finding, Level

if TYPE_CHECKING:
    from .inventory import Inventory

CheckFunction = Callable[["Inventory", "RuleContext"], Iterable[Finding]]

# GitHub code scanning reads properties.security-severity (0.1-10) to rank alerts.
DEFAULT_SECURITY_SEVERITY: dict[str, float] = {"error": 7.5, "warning": 5.0, "note": 2.0}


@dataclass(frozen=True)
class Rule:
    """A rule's stable metadata and its check. ``check`` may be None for rules whose
    findings are produced elsewhere (a plugin's ``personalize_lint_check_inventory``)."""

    id: str
    level: Level
    title: str
    why: str
    fix: str
    example: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    security_severity: float | None = None
    check: CheckFunction | None = field(default=None, compare=False, repr=False)
    plugin: str = "personalize-lint"

    @property
    def severity_score(self) -> float:
        if self.security_severity is not None:
            return self.security_severity
        return DEFAULT_SECURITY_SEVERITY[self.level]


def rule(
    *,
    id: str,
    level: Level,
    title: str,
    why: str,
    fix: str,
    example: str = "",
    source: str = "",
    tags: tuple[str, ...] = (),
    security_severity: float | None = None,
) -> Callable[[CheckFunction], Rule]:
    """Declare a rule: metadata beside a short check function."""

    def wrap(check: CheckFunction) -> Rule:
        return Rule(
            id=id,
            level=level,
            title=title,
            why=why.strip(),
            fix=fix.strip(),
            example=example.strip("\n"),
            source=source,
            tags=tags,
            security_severity=security_severity,
            check=check,
            plugin=check.__module__,
        )

    return wrap


@dataclass
class RuleContext:
    """What a check may need besides the inventory."""

    as_of: datetime
    options: dict[str, Any] = field(default_factory=dict)
    quiet: bool = True
