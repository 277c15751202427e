"""The built-in output formats, registered through the same hook as a plugin's."""

from __future__ import annotations

from ..hookspecs import hookimpl
from .base import Reporter
from .github import GithubReporter
from .json_report import JsonReporter
from .sarif import SarifReporter
from .text import TextReporter


@hookimpl
def personalize_lint_register_reporters() -> dict[str, type[Reporter]]:
    reporters: list[type[Reporter]] = [TextReporter, JsonReporter, SarifReporter, GithubReporter]
    return {reporter.name: reporter for reporter in reporters}
