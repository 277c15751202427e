"""Text output for people in a terminal: findings grouped by file, then a one-line summary."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TextIO

from ..findings import Finding
from ..location import Location
from .base import Report, Reporter
from .json_report import count_levels, level_of

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_LEVEL_STYLE = {"error": "\033[1;31m", "warning": "\033[33m", "note": "\033[36m"}
_LEVEL_WIDTH = 7  # len("warning")
# Control characters from inputs (metric names, file names) must not drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def should_colour(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour when the stream is a terminal, unless NO_COLOR (any non-empty value) says no;
    FORCE_COLOR (non-empty) turns it on for CI logs that render ANSI."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def _clean(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _group(loc: Location) -> tuple[int, str]:
    """Files first, then account resources by ARN, then the configuration."""
    if loc.path:
        return (0, loc.path)
    if loc.arn:
        return (1, loc.arn)
    return (2, "<config>")


def _position(finding: Finding) -> str:
    span = finding.location.span
    return f"{span.line}:{span.column}" if span else "-"


class TextReporter(Reporter):
    name = "text"

    def _style(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.colour else text

    def render(self, report: Report) -> str:
        groups: dict[tuple[int, str], list[Finding]] = {}
        for finding in report.active:
            groups.setdefault(_group(finding.location), []).append(finding)
        lines: list[str] = []
        for key in sorted(groups):
            lines.append(self._style(_clean(key[1]), _BOLD))
            lines.extend(self._group_lines(groups[key], report))
            lines.append("")
        if report.options.get("quiet"):
            # --quiet: findings only, no summary; a clean run prints nothing at all.
            return "\n".join(lines[:-1]) + "\n" if lines else ""
        lines.extend(f"note: {_clean(note)}" for note in report.notes)
        lines.append(self._summary(report))
        return "\n".join(lines) + "\n"

    def _group_lines(self, findings: list[Finding], report: Report) -> list[str]:
        findings = sorted(findings, key=lambda f: f.sort_key()[1:])
        width = max(len(_position(f)) for f in findings)
        lines = []
        for finding in findings:
            level = level_of(finding, report.rules)
            position = f"{_position(finding):<{width}}"
            # Pad before colouring: escape codes would throw the columns off.
            level_text = self._style(level, _LEVEL_STYLE[level]) + " " * (_LEVEL_WIDTH - len(level))
            head = f"  {position}  {level_text}  {finding.rule_id}  "
            # Continuation lines (multi-line messages, related places) align under the message.
            indent = " " * len(f"  {position}  {level:<{_LEVEL_WIDTH}}  {finding.rule_id}  ")
            message = _clean(finding.message.replace("\r\n", "\n"))
            loc = finding.location
            if loc.span is None and loc.pointer:
                message += f" ({_clean(loc.pointer)})"
            first, *rest = message.split("\n")
            lines.append(head + first)
            lines.extend(indent + line for line in rest)
            for related in finding.related:
                where = related.describe()
                if related.pointer:
                    where += f" {related.pointer}"
                lines.append(indent + self._style(f"related: {_clean(where)}", _DIM))
        return lines

    def _summary(self, report: Report) -> str:
        counts = count_levels(report)
        suppressed = len(report.findings) - len(report.active)
        where = f"in {_plural(report.files_checked, 'file')}"
        if report.setups_checked:
            where += f" ({_plural(report.setups_checked, 'set-up')})"
        tail = f"; {suppressed} suppressed" if suppressed else ""
        if not any(counts.values()):
            return self._style(f"No problems found {where}{tail}.", _BOLD)
        text = ", ".join(_plural(n, level) for level, n in counts.items())
        style = _LEVEL_STYLE["error"] if counts["error"] else _BOLD
        return self._style(f"{text} {where}{tail}", style)
