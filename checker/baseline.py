"""Baselines: record today's findings, then fail only on new ones.

An entry is keyed by rule ID, file (or ARN) and logical location (JSON pointer, logical
resource ID, ARN) and set-up, never by line number, so edits elsewhere in a file keep the
baseline valid. Entries carry a count: a key that holds two findings hides at most two.
Entries that match nothing any more are *stale*; they are reported so the baseline shrinks.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError
from .findings import Finding, Suppression

FORMAT = "personalize-lint-baseline"
VERSION = 1
Key = tuple[str, str, str, str]


def key_of(finding: Finding) -> Key:
    loc = finding.location
    return (finding.rule_id, loc.path or loc.arn or "<config>", loc.logical(), finding.setup or "")


@dataclass(frozen=True)
class Stale:
    rule: str
    file: str
    logical: str
    count: int

    def describe(self) -> str:
        plural = "s" if self.count > 1 else ""
        return (f"baseline entry {self.rule} at {self.file} {self.logical} matches nothing any "
                f"more ({self.count} finding{plural}); rewrite the baseline with "
                "--write-baseline to drop it")


def write_baseline(findings: list[Finding], path: Path) -> int:
    """Record the active findings; returns the number of findings recorded."""
    counts = Counter(key_of(f) for f in findings if f.suppression is None)
    entries = [
        {"rule": k[0], "file": k[1], "logical": k[2], "setup": k[3], "count": n}
        for k, n in sorted(counts.items())
    ]
    document = {"format": FORMAT, "version": VERSION, "entries": entries}
    try:
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write baseline {path}: {exc.strerror or exc}") from exc
    return sum(counts.values())


def read_baseline(path: Path) -> Counter[Key]:
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise UsageError(f"baseline {path} is not JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UsageError(f"{path} is not a personalize-lint baseline")
    if document.get("version") != VERSION:
        raise UsageError(f"baseline {path} has version {document.get('version')!r}; "
                         f"this personalize-lint reads version {VERSION}")
    counts: Counter[Key] = Counter()
    for entry in document.get("entries", []):
        try:
            key = (str(entry["rule"]), str(entry["file"]), str(entry["logical"]),
                   str(entry.get("setup", "")))
            counts[key] += int(entry.get("count", 1))
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(f"baseline {path} has a malformed entry: {entry!r}") from exc
    return counts


def apply_baseline(findings: list[Finding], baseline: Counter[Key], name: str) -> list[Stale]:
    """Mark findings recorded in the baseline as suppressed; return the stale entries."""
    remaining = Counter(baseline)
    for finding in findings:
        if finding.suppression is not None:
            continue
        key = key_of(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
            finding.suppression = Suppression("external", f"recorded in baseline {name}")
    return [Stale(k[0], k[1], k[2], n) for k, n in sorted(remaining.items()) if n > 0]
