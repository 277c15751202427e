"""Findings on a template as cfn-lint matches, keyed by cfn-lint rule ID.

A finding in the template keeps its place (our span; cfn-lint adds one to each number and
reads the end column as exclusive). A finding that points nowhere in it (a set-up level
problem without a place, another file of a configured set-up, the configuration) is
reported at the template's top, line 1 column 1, with its own place in the message.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from cfnlint.rules import RuleMatch
from cfnlint.template import Template

from ...findings import Finding
from ...location import pointer_tokens
from ..ids import cfn_lint_id
from ..scan import FileScan, scan_file

TOP = (0, 0, 0, 0)

# The rules of one template ask one after the other: the last template's matches are kept
# (with the template itself, so that its id() is never taken for another one's).
_last: tuple[Template, dict[str, list[RuleMatch]]] | None = None


def template_matches(cfn: Template) -> dict[str, list[RuleMatch]]:
    global _last
    if _last is not None and _last[0] is cfn:
        return _last[1]
    matches = _matches(cfn)
    _last = (cfn, matches)
    return matches


def _matches(cfn: Template) -> dict[str, list[RuleMatch]]:
    filename = cfn.filename
    if filename and Path(filename).is_file():
        return _translate(scan_file(Path(filename)))
    # A template piped on stdin: the engine reads cfn-lint's decoded copy, and each match
    # is placed from the marks cfn-lint's parser left on the value (our spans are the copy's).
    with tempfile.TemporaryDirectory(prefix="personalize-lint-") as folder:
        copy = Path(folder) / "template.json"
        copy.write_text(json.dumps(cfn.template), encoding="utf-8")
        return _translate(scan_file(copy, config_from=Path.cwd()), cfn.template)


def _translate(scan: FileScan, piped: Any = None) -> dict[str, list[RuleMatch]]:
    by_id: dict[str, list[RuleMatch]] = {}
    for finding in scan.findings:
        rule_id = cfn_lint_id(finding.rule_id, finding.level or "error")
        by_id.setdefault(rule_id, []).append(_match(scan, finding, piped))
    return by_id


def _match(scan: FileScan, finding: Finding, piped: Any) -> RuleMatch:
    message = scan.headline(finding)
    location = finding.location
    if not scan.in_file(location):
        return RuleMatch([], message, location=TOP)
    path = pointer_path(location.pointer)
    span = location.span
    if piped is not None:
        place = _marks(piped, path)
    elif span is not None:
        place = (span.line - 1, span.column - 1, span.end_line - 1, span.end_column)
    else:
        place = None
    return RuleMatch(path, message, **({"location": place} if place else {}))


def _marks(template: Any, path: list[str | int]) -> tuple[int, int, int, int] | None:
    """Where cfn-lint's parser found the value at ``path`` (0-based, end exclusive)."""
    value = template
    for token in path:
        try:
            value = value[token]
        except (KeyError, IndexError, TypeError):
            return None
    start, end = getattr(value, "start_mark", None), getattr(value, "end_mark", None)
    if start is None or end is None:
        return None
    return (start.line, start.column, end.line, end.column)


def pointer_path(pointer: str) -> list[str | int]:
    """A JSON pointer as a cfn-lint path: ``/Resources/R/Properties/Policies/0`` →
    ``["Resources", "R", "Properties", "Policies", 0]``."""
    return [int(t) if t.isdigit() else t for t in pointer_tokens(pointer)]
