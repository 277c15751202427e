"""In-source suppressions written in template metadata.

On a resource::

    MetricsRole:
      Type: AWS::IAM::Role
      Metadata:
        personalize-lint:
          ignore:
            - rule: PL106
              reason: the role is shared with the import job, reviewed in SEC-123

hides the findings of that rule (an ID or a prefix) located in that resource, reported as
suppressed ("inSource") in SARIF. The template's top-level ``Metadata`` takes the same form
and applies to the whole file. An entry without a reason is a PL004 finding and is not
applied: a suppression has to say why.
"""

from __future__ import annotations

import re
from typing import Any

from ..findings import Finding
from ..inventory import SuppressionSpec
from ..location import Location, join_pointer
from .template import Template
from .views import anchor_view

METADATA_KEY = "personalize-lint"
RULE_ID = re.compile(r"[A-Z]+[0-9]*")
ENTRY_KEYS = frozenset({"rule", "reason"})


def suppressions(template: Template) -> tuple[list[SuppressionSpec], list[Finding]]:
    """The suppressions a template declares, and PL004 for malformed entries."""
    specs: list[SuppressionSpec] = []
    problems: list[Finding] = []
    places: list[tuple[str, str | None, Any]] = []
    if template.base:
        places.append(("/Metadata", None, template.data.get("Metadata")))
    for logical_id, resource in template.resources.items():
        if isinstance(resource, dict):
            places.append((join_pointer(template.resource_pointer(logical_id), "Metadata"),
                           logical_id, resource.get("Metadata")))
    for where, owner, metadata in places:
        if not isinstance(metadata, dict) or METADATA_KEY not in metadata:
            continue
        _read(template, join_pointer(where, METADATA_KEY), owner, metadata[METADATA_KEY],
              specs, problems)
    return specs, problems


def _read(template: Template, pointer: str, logical_id: str | None, block: Any,
          specs: list[SuppressionSpec], problems: list[Finding]) -> None:
    def problem(message: str, at: str) -> None:
        problems.append(Finding("PL004", message, _where(template, at)))

    entries = block.get("ignore") if isinstance(block, dict) else None
    if not isinstance(entries, list):
        problem(f"{METADATA_KEY} metadata must be a mapping with an 'ignore' list of "
                "{rule, reason} entries", pointer)
        return
    scope = template.resource_pointer(logical_id) if logical_id else None
    for index, entry in enumerate(entries):
        at = join_pointer(pointer, "ignore", index)
        if not isinstance(entry, dict):
            problem("a suppression must be a mapping like {rule: PL106, reason: why}; this one "
                    "is not applied", at)
            continue
        for key in entry:
            if key not in ENTRY_KEYS:
                problem(f"unknown key {key!r} in a suppression (expected rule and reason)",
                        join_pointer(at, str(key)))
        rule = entry.get("rule")
        reason = entry.get("reason")
        if not isinstance(rule, str) or not RULE_ID.fullmatch(rule.strip().upper()):
            problem(f"a suppression needs 'rule' set to a rule ID or prefix (such as PL106), "
                    f"not {rule!r}; it is not applied", at)
            continue
        if not isinstance(reason, str) or not reason.strip():
            problem(f"the suppression of {rule} has no reason; say why it is acceptable "
                    "(reason: ...). It is not applied", at)
            continue
        specs.append(SuppressionSpec(
            rule=rule.strip().upper(),
            reason=reason.strip(),
            kind="inSource",
            path=template.path,
            pointer=scope,
            logical_id=logical_id,
            origin=_where(template, at),
        ))


def _where(template: Template, pointer: str) -> Location:
    return anchor_view(template, pointer).location()
