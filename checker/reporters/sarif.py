"""SARIF 2.1.0 output, shaped for GitHub code scanning.

Choices worth knowing:

* Every registered rule is listed in ``tool.driver.rules`` (sorted by ID), so a rule's
  ``ruleIndex`` does not change with the set of findings.
* File URIs are relative to ``report.root`` under ``%SRCROOT%``. Account resources have no
  file, but GitHub needs a physical location for every result, so an ARN becomes the stable
  relative URI ``<partition>/<account>/<region>/<service>/<resource...>`` (empty account or
  region: ``global``), e.g. ``aws/123456789012/global/iam/role/PersonalizeRole``. It names
  no file in the repository, so GitHub shows the alert without a code snippet; the ARN
  itself is in ``logicalLocations``.
* ``partialFingerprints["personalizeLint/v1"]`` is the line-independent fingerprint shared
  with the JSON output, so alerts survive edits elsewhere in a file.
* Every rule carries the ``security`` tag: GitHub only reads ``security-severity`` for
  security rules, and each of ours guards a set-up's security or correctness.
"""

from __future__ import annotations

import json
import re
from datetime import timezone
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from ..findings import Finding
from ..location import Location
from ..rule import Rule
from .base import Report, Reporter
from .json_report import TOOL_NAME, fingerprint, jsonable, level_of

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/personalize-lint/personalize-lint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "personalizeLint/v1"
# Findings about the configuration with no file of their own point at the usual config file.
CONFIG_URI = "personalize-lint.toml"
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


def rule_name(title: str) -> str:
    """CamelCase identifier from a title: "Bucket policy blocks" -> "BucketPolicyBlocks"."""
    return "".join(w[0].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", title))


def arn_uri(arn: str) -> str:
    """A stable relative URI for an account resource (see the module docstring)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "aws/unparsed/" + _segment(arn)
    _, partition, service, region, account, resource = parts
    segments = [partition, account or "global", region or "global", service]
    segments += re.split(r"[:/]", resource)
    return "/".join(_segment(s) for s in segments)


def _segment(text: str) -> str:
    # Percent-encode each segment; "." and ".." would be collapsed by URI normalisation.
    if text in ("", ".", ".."):
        return text.replace(".", "%2E") or "_"
    return quote(text, safe="")


def _artifact(loc: Location, root: Path) -> dict[str, str]:
    if loc.path:
        path = Path(loc.path)
        if path.is_absolute():
            try:
                path = path.relative_to(root)
            except ValueError:  # outside the root: only an absolute URI can name it
                return {"uri": path.as_uri()}
        return {"uri": quote(PurePosixPath(path).as_posix()), "uriBaseId": SRCROOT}
    if loc.arn:
        return {"uri": arn_uri(loc.arn), "uriBaseId": SRCROOT}
    return {"uri": CONFIG_URI, "uriBaseId": SRCROOT}


def _location(loc: Location, root: Path) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(loc, root)}
    if loc.span:
        span = loc.span
        end_line = max(span.end_line, span.line)
        # Our spans end inclusively; SARIF's endColumn is the column just past the region.
        end_column = span.end_column + 1
        if end_line == span.line:
            end_column = max(end_column, span.column + 1)
        physical["region"] = {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": end_line,
            "endColumn": end_column,
        }
    result: dict[str, Any] = {"physicalLocation": physical}
    logical = _logical_locations(loc)
    if logical:
        result["logicalLocations"] = logical
    return result


def _logical_locations(loc: Location) -> list[dict[str, str]]:
    logical = []
    if loc.logical_id:
        logical.append(
            {"name": loc.logical_id, "fullyQualifiedName": loc.logical_id, "kind": "resource"}
        )
    if loc.arn:
        name = re.split(r"[:/]", loc.arn)[-1] or loc.arn
        logical.append({"name": name, "fullyQualifiedName": loc.arn, "kind": "resource"})
    if loc.pointer:
        name = loc.pointer.rsplit("/", 1)[-1] or loc.pointer
        logical.append({"name": name, "fullyQualifiedName": loc.pointer, "kind": "member"})
    return logical


def _code_fence(example: str) -> str:
    fence = "```"
    while fence in example:
        fence += "`"
    try:
        json.loads(example)
        language = "json"
    except ValueError:
        language = ""
    return f"{fence}{language}\n{example}\n{fence}"


def _help(rule: Rule) -> dict[str, str]:
    text = [rule.why, f"How to fix: {rule.fix}"]
    markdown = [rule.why, f"**How to fix:** {rule.fix}"]
    if rule.example:
        text.append(f"Example:\n{rule.example}")
        markdown.append(f"Example:\n\n{_code_fence(rule.example)}")
    if rule.source:
        text.append(f"Source: {rule.source}")
        markdown.append(f"Source: [{rule.source}]({rule.source})")
    return {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)}


def _descriptor(rule: Rule) -> dict[str, Any]:
    tags = list(dict.fromkeys((*rule.tags, "security")))
    # Inferred checks (the docs are silent) and non-error rules are less certain.
    precision = "high" if rule.level == "error" and "inferred" not in tags else "medium"
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule_name(rule.title) or rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.why or rule.title},
        "help": _help(rule),
        "defaultConfiguration": {"level": rule.level},
        "properties": {
            "tags": tags,
            "security-severity": f"{rule.severity_score:.1f}",
            "precision": precision,
            "problem.severity": _PROBLEM_SEVERITY[rule.level],
        },
    }
    if rule.source:
        descriptor["helpUri"] = rule.source
    return descriptor


class SarifReporter(Reporter):
    """SARIF 2.1.0. ``drop_suppressed`` omits suppressed results (GitHub ignores
    SARIF suppressions and would show them as open alerts)."""

    name = "sarif"

    def __init__(self, *, colour: bool = False, drop_suppressed: bool = False) -> None:
        super().__init__(colour=colour)
        self.drop_suppressed = drop_suppressed

    def render(self, report: Report) -> str:
        return json.dumps(self.build(report), indent=2, ensure_ascii=False, default=jsonable) + "\n"

    def build(self, report: Report) -> dict[str, Any]:
        root = report.root.resolve()
        rules = [report.rules[rule_id] for rule_id in sorted(report.rules)]
        descriptors = [_descriptor(r) for r in rules]
        index = {r.id: i for i, r in enumerate(rules)}
        drop = self.drop_suppressed or bool(report.options.get("drop_suppressed"))
        findings = report.active if drop else report.findings
        for finding in findings:  # a finding from an unregistered rule still needs an index
            if finding.rule_id not in index:
                index[finding.rule_id] = len(descriptors)
                descriptors.append({"id": finding.rule_id})
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": TOOL_NAME,
                    "version": report.tool_version,
                    "semanticVersion": report.tool_version,
                    "informationUri": INFORMATION_URI,
                    "rules": descriptors,
                }
            },
            "automationDetails": {"id": f"{TOOL_NAME}/{report.command}/"},
            "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
            "invocations": [self._invocation(report)],
            "columnKind": "unicodeCodePoints",
            "results": [self._result(f, index[f.rule_id], report, root) for f in findings],
        }
        return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}

    @staticmethod
    def _invocation(report: Report) -> dict[str, Any]:
        started = report.started
        if started.tzinfo is None:  # a naive time is taken as UTC, not local time
            started = started.replace(tzinfo=timezone.utc)
        invocation: dict[str, Any] = {
            "executionSuccessful": report.exit_code != 2,
            "exitCode": report.exit_code,
            "startTimeUtc": started.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if report.notes:
            invocation["toolExecutionNotifications"] = [
                {"level": "note", "message": {"text": note}} for note in report.notes
            ]
        return invocation

    @staticmethod
    def _result(finding: Finding, rule_index: int, report: Report, root: Path) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ruleId": finding.rule_id,
            "ruleIndex": rule_index,
            "level": level_of(finding, report.rules),
            "message": {"text": finding.message},
            "locations": [_location(finding.location, root)],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
        }
        if finding.related:
            related = []
            for i, loc in enumerate(finding.related):
                where = f"{loc.describe()} {loc.pointer}".rstrip()
                related.append({"id": i, **_location(loc, root), "message": {"text": where}})
            result["relatedLocations"] = related
        if finding.suppression:
            sup = finding.suppression
            kind = sup.kind if sup.kind in ("inSource", "external") else "external"
            result["suppressions"] = [{"kind": kind, "justification": sup.justification}]
        properties = dict(finding.properties)
        if finding.setup:
            properties["setup"] = finding.setup
        if properties:
            result["properties"] = properties
        return result
