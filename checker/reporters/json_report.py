"""JSON output: a stable, versioned document for scripts.

The shape is published as ``schemas/findings-report.schema.json`` (package data); bump
``FORMAT_VERSION`` and the schema together. This module also holds the few helpers every
format shares (levels, counts, fingerprints) so that all outputs agree on them.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ..findings import LEVELS, Finding, Level
from ..location import Location
from ..rule import Rule
from .base import Report, Reporter

FORMAT_VERSION = "1.0"
# The "$id" of checker/schemas/findings-report.schema.json (a test keeps them equal).
SCHEMA_ID = (
    "https://raw.githubusercontent.com/personalize-lint/personalize-lint/main/"
    "checker/schemas/findings-report.schema.json"
)
TOOL_NAME = "personalize-lint"


def level_of(finding: Finding, rules: dict[str, Rule]) -> Level:
    """The finding's level; the engine assigns it, the rule default is only a fallback."""
    if finding.level is not None:
        return finding.level
    rule = rules.get(finding.rule_id)
    return rule.level if rule else "warning"


def count_levels(report: Report) -> dict[str, int]:
    """Active (unsuppressed) findings per level, every level present."""
    counts = Counter(level_of(f, report.rules) for f in report.active)
    return {level: counts[level] for level in LEVELS}


def fingerprint(finding: Finding) -> str:
    """A line-independent identity: rule, file and logical place (pointer / id / ARN).

    The set-up name is part of it too: one shared file (a role policy used by two set-ups)
    can carry the same rule at the same pointer once per set-up, and those are different
    problems that must not collapse into one alert or baseline entry.
    """
    loc = finding.location
    parts = (finding.rule_id, loc.path or "", loc.logical(), finding.setup or "")
    import hashlib  # only when a finding is rendered: a clean pre-commit run skips it

    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def jsonable(value: object) -> object:
    """``json.dumps`` fallback for rule-supplied properties (sets, paths, dates...)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def _location(loc: Location) -> dict[str, Any]:
    span = loc.span
    return {
        "path": loc.path,
        "line": span.line if span else None,
        "column": span.column if span else None,
        "end_line": span.end_line if span else None,
        "end_column": span.end_column if span else None,
        "pointer": loc.pointer,
        "arn": loc.arn,
        "region": loc.region,
        "logical_id": loc.logical_id,
    }


def _finding(finding: Finding, rules: dict[str, Rule]) -> dict[str, Any]:
    sup = finding.suppression
    return {
        "rule_id": finding.rule_id,
        "level": level_of(finding, rules),
        "message": finding.message,
        **_location(finding.location),
        "setup": finding.setup,
        "related": [_location(r) for r in finding.related],
        "suppressed": {"kind": sup.kind, "justification": sup.justification} if sup else None,
        "fingerprint": fingerprint(finding),
        "properties": dict(finding.properties),
    }


def build_document(report: Report) -> dict[str, Any]:
    summary: dict[str, Any] = {**count_levels(report)}
    summary.update(
        suppressed=len(report.findings) - len(report.active),
        files=report.files_checked,
        setups=report.setups_checked,
        exit_code=report.exit_code,
        fail_on=report.fail_on,
    )
    return {
        "$schema": SCHEMA_ID,
        "version": FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "summary": summary,
        "findings": [_finding(f, report.rules) for f in report.findings],
        "notes": list(report.notes),
    }


class JsonReporter(Reporter):
    """Every finding, suppressed ones included (``suppressed`` says why)."""

    name = "json"

    def render(self, report: Report) -> str:
        doc = build_document(report)
        return json.dumps(doc, indent=2, ensure_ascii=False, default=jsonable) + "\n"
