"""Baselines hide recorded findings by logical place, never by line, and report stale ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personalize_lint.baseline import apply_baseline, key_of, read_baseline, write_baseline
from personalize_lint.errors import UsageError
from personalize_lint.findings import Finding
from personalize_lint.location import Location, Span


def finding(rule: str = "PL104", path: str = "iam/role.json", pointer: str = "/Statement/1",
            line: int = 10, message: str = "m", setup: str | None = "retail") -> Finding:
    return Finding(rule, message, Location(path=path, span=Span(line, 5, line, 9),
                                           pointer=pointer), setup=setup)


def roundtrip(tmp_path: Path, findings: list[Finding]) -> Path:
    path = tmp_path / "baseline.json"
    write_baseline(findings, path)
    return path


def test_recorded_findings_are_hidden_even_when_lines_move(tmp_path: Path) -> None:
    path = roundtrip(tmp_path, [finding(line=10)])
    moved = [finding(line=42, message="count changed: 7")]
    stale = apply_baseline(moved, read_baseline(path), "baseline.json")
    assert moved[0].suppression is not None
    assert "baseline.json" in moved[0].suppression.justification
    assert stale == []


@pytest.mark.parametrize(
    "new",
    [
        finding(rule="PL103"),
        finding(path="iam/other.json"),
        finding(pointer="/Statement/2"),
        finding(setup="other"),
    ],
    ids=["other-rule", "other-file", "other-pointer", "other-setup"],
)
def test_new_findings_are_not_hidden(tmp_path: Path, new: Finding) -> None:
    path = roundtrip(tmp_path, [finding()])
    stale = apply_baseline([new], read_baseline(path), "b")
    assert new.suppression is None
    assert len(stale) == 1 and stale[0].rule == "PL104"
    assert "--write-baseline" in stale[0].describe()


def test_counts_hide_only_as_many_as_recorded(tmp_path: Path) -> None:
    path = roundtrip(tmp_path, [finding(message="a")])
    twins = [finding(message="a"), finding(message="b")]
    apply_baseline(twins, read_baseline(path), "b")
    assert [f.suppression is None for f in twins] == [False, True]


def test_suppressed_findings_are_not_recorded(tmp_path: Path) -> None:
    from personalize_lint.findings import Suppression

    hidden = finding()
    hidden.suppression = Suppression("external", "accepted")
    path = roundtrip(tmp_path, [hidden])
    assert json.loads(path.read_text())["entries"] == []


def test_arn_only_findings_key_by_arn() -> None:
    f = Finding("PL303", "m", Location(arn="arn:aws:kms:us-east-1:1:key/k"))
    assert key_of(f)[1] == "arn:aws:kms:us-east-1:1:key/k"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('{"format": "other"}', "not a personalize-lint baseline"),
        ('{"format": "personalize-lint-baseline", "version": 99}', "version 99"),
        ('{"format": "personalize-lint-baseline", "version": 1, "entries": [{"rule": "x"}]}',
         "malformed entry"),
    ],
)
def test_unreadable_baselines_are_usage_errors(tmp_path: Path, content: str,
                                               message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        read_baseline(path)
