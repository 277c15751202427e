"""Text output: grouping, alignment, summary, colour and terminal safety."""

from __future__ import annotations

import io
import re

import pluggy
import pytest

from personalize_lint import hookspecs
from personalize_lint.findings import Finding
from personalize_lint.location import Location, Span
from personalize_lint.reporters import builtin
from personalize_lint.reporters.github import GithubReporter
from personalize_lint.reporters.json_report import JsonReporter
from personalize_lint.reporters.sarif import SarifReporter
from personalize_lint.reporters.text import TextReporter, should_colour

ANSI = re.compile(r"\033\[[0-9;]*m")


def test_groups_by_file_then_arn_then_config(report):
    out = TextReporter().render(report)
    headers = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert headers[:-1] == [
        "iam/role-policy.json",
        "personalize/metric-attribution.json",
        "s3/bucket policy.json",
        "template.yaml",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "<config>",
    ]


def test_finding_line_layout_and_related(report):
    lines = TextReporter().render(report).splitlines()
    i = lines.index("iam/role-policy.json")
    assert (
        lines[i + 1] == "  12:5  error    PL104  Service role cannot write s3://metrics-bucket/out/"
    )
    # Related places sit under the message column.
    col = lines[i + 1].index("Service")
    assert lines[i + 2] == " " * col + "related: s3/bucket policy.json:3:1 /Statement/1"
    assert lines[i + 3] == " " * col + "related: arn:aws:s3:::metrics-bucket"
    assert lines[i + 4] == ""


def test_no_span_shows_dash_and_pointer(report):
    lines = TextReporter().render(report).splitlines()
    i = lines.index("personalize/metric-attribution.json")
    assert lines[i + 1] == "  -  note     PL409  4 metrics × 3 sources = 12 custom metrics a month"
    i = lines.index("template.yaml")
    assert lines[i + 1].startswith("  40:7  error    PL104  Role MetricsRole")


def test_sorted_by_line_then_column_within_a_file(build_report):
    findings = [
        Finding(
            "PL104", f"at {line}:{col}", Location("a.json", Span(line, col, line, col)), "error"
        )
        for line, col in [(10, 2), (2, 9), (10, 1), (2, 10)]
    ]
    lines = TextReporter().render(build_report(findings)).splitlines()
    assert [line.split()[0] for line in lines[1:5]] == ["2:9", "2:10", "10:1", "10:2"]
    # Positions are padded to one width so the levels line up.
    assert len({line.index("error") for line in lines[1:5]}) == 1


def test_multiline_message_is_indented_and_controls_escaped(report):
    lines = TextReporter().render(report).splitlines()
    i = next(n for n, line in enumerate(lines) if "PL204" in line)
    assert lines[i].endswith("Grant für „personalize“ ✓ 100% done, see: a,b")
    col = lines[i].index("Grant")
    assert lines[i + 1] == " " * col + "second line"  # CRLF is a line break
    assert lines[i + 2] == " " * col + "third"


def test_escape_sequences_from_inputs_do_not_reach_the_terminal(build_report):
    finding = Finding(
        "PL104", "a\rname \x1b[2J\x07 end", Location("evil\x1b]0;x\x07.json"), "error"
    )
    out = TextReporter(colour=False).render(build_report([finding]))
    assert not {"\x1b", "\x07", "\r"} & set(out)
    assert "a\\x0dname \\x1b[2J\\x07 end" in out
    assert "evil\\x1b]0;x\\x07.json" in out


def test_suppressed_are_counted_not_listed(report):
    out = TextReporter().render(report)
    assert "PL106" not in out
    assert (
        out.splitlines()[-1] == "4 errors, 1 warning, 1 note in 4 files (2 set-ups); 1 suppressed"
    )
    assert out.endswith("\n")


def test_summary_pluralises(build_report):
    one = Finding("PL104", "m", Location("a.json"), "error")
    out = TextReporter().render(build_report([one], files_checked=1, setups_checked=1))
    assert out.splitlines()[-1] == "1 error, 0 warnings, 0 notes in 1 file (1 set-up)"


def test_empty_report(empty_report):
    assert TextReporter().render(empty_report) == "No problems found in 4 files.\n"


def test_only_suppressed(build_report, report):
    suppressed = [f for f in report.findings if f.suppression]
    out = TextReporter().render(build_report(suppressed))
    assert out == "No problems found in 4 files (2 set-ups); 1 suppressed.\n"


def test_colour_only_when_asked(report):
    plain = TextReporter(colour=False).render(report)
    coloured = TextReporter(colour=True).render(report)
    assert "\033[" not in plain
    assert "\033[1;31merror\033[0m" in coloured
    assert "\033[33mwarning\033[0m" in coloured
    # Colour changes nothing else, alignment included.
    assert ANSI.sub("", coloured) == plain


class FakeTTY(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("env", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # empty NO_COLOR is ignored
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": ""}, False, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),  # NO_COLOR wins
        ({"TERM": "dumb"}, True, False),
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, False, True),
    ],
)
def test_should_colour(env, tty, expected):
    assert should_colour(FakeTTY(tty), env) is expected


def test_should_colour_odd_streams(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    closed = io.StringIO()
    closed.close()
    assert should_colour(closed) is False
    assert should_colour(object()) is False  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "yes")
    assert should_colour(FakeTTY(True)) is False


def test_builtin_plugin_registers_the_five_formats():
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(builtin)
    (formats,) = pm.hook.personalize_lint_register_reporters()
    assert formats == {
        "text": TextReporter,
        "json": JsonReporter,
        "sarif": SarifReporter,
        "github": GithubReporter,
        "html": builtin.HtmlFormat,  # builds the page with reporters.html, imported on use
    }
