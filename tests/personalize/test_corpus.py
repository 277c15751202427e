"""Every schema, metric-attribution and PutEvents file of ../shared/corpus through the
PL4xx/PL5xx/PL7xx rules as standalone documents: no exception, and the findings we expect.

Malformed files are skipped here (PL001 is the input rules' business).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path

from personalize_lint.document import Document
from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.rule import Rule, RuleContext
from personalize_lint.rules import (
    attribution_cost,
    attribution_limits,
    attribution_metrics,
    attribution_request,
    attribution_timing,
    events,
    schema,
)

KINDS = {
    "schema-interactions": ("schema", "Interactions"),
    "schema-items": ("schema", "Items"),
    "schema-users": ("schema", "Users"),
    "metric-attribution-config": ("metric-attribution", None),
    "putevents-payload": ("putevents", None),
}
ATTRIBUTION = (attribution_limits, attribution_metrics, attribution_request, attribution_timing,
               attribution_cost)
RULES = [r for module in (*ATTRIBUTION, schema, events) for r in vars(module).values()
         if isinstance(r, Rule)]
CTX = RuleContext(as_of=datetime(2026, 11, 30, tzinfo=timezone.utc))
# Without botocore the API-constraint checks report PL003 instead.
HAVE_BOTOCORE = find_spec("botocore") is not None

# What fires per corpus file (by the manifest's row number), when botocore is installed.
EXPECTED: dict[str, set[str]] = {
    "6": set(),  # a good create request: 2 metrics, SAMPLECOUNT() and SUM(ITEMS.MARGIN)
    "19": {"PL504"},  # DISCOUNT: a custom string neither categorical nor textual
    "33": {"PL504"},  # PRODUCT_NAME, PROMOTED: the same
    "38": set(),  # the console's PascalCase metric: recognised, and valid
    "39": {"PL407"},  # roleArn placeholder
    "40": {"PL403"},  # SUM(DatasetType.COLUMN_NAME)
    "41": {"PL403"},
    "42": {"PL403", "PL407"},  # request-syntax skeleton: "string" everywhere
    "43": {"PL403", "PL407"},
    "64": set(),  # sentAt as a string epoch is valid
    "113": {"PL002"},  # a Kinesis record, not a PutEvents request
    "122": {"PL502", "PL503"},  # a template with no fields and a placeholder name
}


@dataclass
class Entry:
    number: str
    path: str
    kind: str


def manifest_entries(corpus: Path) -> list[Entry]:
    entries = []
    for line in (corpus / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 8 and cells[1].isdigit() and cells[7] in KINDS:
            entries.append(Entry(cells[1], cells[2].strip("`"), cells[7]))
    return entries


def document(entry: Entry, text: str) -> Document:
    kind, subkind = KINDS[entry.kind]
    try:
        from personalize_lint.loaders.jsonpos import parse_json
    except ImportError:
        data = json.loads(text)
        return Document(entry.path, kind, data, subkind=subkind)
    parsed = parse_json(text, max_depth=64)
    return Document(entry.path, kind, parsed.data, parsed.spans, parsed.key_spans,
                    subkind=subkind)


def run_all(doc: Document) -> list[Finding]:
    inventory = Inventory(documents=[doc], standalone=[doc])
    found: list[Finding] = []
    for rule in RULES:
        assert rule.check is not None
        found.extend(rule.check(inventory, CTX))
    return found


def test_corpus_files_run_without_exceptions(corpus_dir: Path) -> None:
    entries = manifest_entries(corpus_dir)
    assert len(entries) >= 30, "the manifest lists the corpus files by kind"
    checked = 0
    for entry in entries:
        path = corpus_dir / entry.path
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        try:
            doc = document(entry, text)
        except Exception:
            continue  # malformed on purpose: PL001's business
        findings = run_all(doc)
        checked += 1
        for finding in findings:
            assert finding.rule_id.startswith(("PL0", "PL4", "PL5", "PL7")), finding
            assert finding.location.path == entry.path
            assert finding.message
        if entry.number in EXPECTED and HAVE_BOTOCORE:
            assert {f.rule_id for f in findings} == EXPECTED[entry.number], (entry.path, findings)
    assert checked >= 30


def test_standalone_interactions_schemas_without_event_type_get_no_pl501(
    corpus_dir: Path,
) -> None:
    # PL501 needs a dataset group with a metric attribution: a file alone cannot decide it.
    for entry in manifest_entries(corpus_dir):
        if entry.number in ("12", "23", "110"):
            doc = document(entry, (corpus_dir / entry.path).read_text(encoding="utf-8"))
            assert "PL501" not in {f.rule_id for f in run_all(doc)}


def test_metric_lists_detected_as_events_still_get_the_attribution_rules(
    corpus_dir: Path,
) -> None:
    # The --metrics value is a list of objects with eventType: it may be loaded as events.
    for entry in manifest_entries(corpus_dir):
        if entry.number == "40":
            text = (corpus_dir / entry.path).read_text(encoding="utf-8")
            doc = document(entry, text)
            doc.kind = "putevents"
            assert {f.rule_id for f in run_all(doc)} == {"PL403"}
