"""GitHub Actions workflow commands: one annotation per unsuppressed finding.

``::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::message``; escaping follows
the Actions toolkit (``escapeData`` / ``escapeProperty`` in @actions/core).
"""

from __future__ import annotations

from ..findings import Finding
from .base import Report, Reporter
from .json_report import level_of

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, level: str, title: str) -> str:
    loc = finding.location
    props: list[tuple[str, object]] = []
    if loc.path:
        props.append(("file", loc.path))
        span = loc.span
        if span:
            props.append(("line", span.line))
            # GitHub accepts columns only on single-line annotations.
            single_line = span.end_line <= span.line
            if single_line:
                props.append(("col", span.column))
            props.append(("endLine", max(span.end_line, span.line)))
            if single_line:
                props.append(("endColumn", max(span.end_column, span.column)))
    props.append(("title", title))
    message = finding.message
    if not loc.path:  # account resources and the config: say where in the message
        message = f"{loc.arn or '<config>'}: {message}"
    head = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::{_COMMAND[level]} {head}::{escape_data(message)}"


class GithubReporter(Reporter):
    """Annotations for the checks UI; suppressed findings are left out."""

    name = "github"

    def render(self, report: Report) -> str:
        lines = []
        for finding in report.active:
            rule = report.rules.get(finding.rule_id)
            title = f"{finding.rule_id} {rule.title}" if rule else finding.rule_id
            lines.append(annotation(finding, level_of(finding, report.rules), title))
        return "".join(line + "\n" for line in lines)
