"""The built-in output formats, registered through the same hook as a plugin's."""

from __future__ import annotations

from ..hookspecs import hookimpl
from .base import Report, Reporter
from .github import GithubReporter
from .json_report import JsonReporter
from .sarif import SarifReporter
from .text import TextReporter


class HtmlFormat(Reporter):
    """``--format html``; the page builder is imported only when this format is chosen."""

    name = "html"

    def render(self, report: Report) -> str:
        from .html import render_page

        return render_page(report)


@hookimpl
def personalize_lint_register_reporters() -> dict[str, type[Reporter]]:
    reporters: list[type[Reporter]] = [
        TextReporter, JsonReporter, SarifReporter, GithubReporter, HtmlFormat
    ]
    return {reporter.name: reporter for reporter in reporters}
