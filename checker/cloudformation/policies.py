"""IAM policy documents written in a template, as inventory ``Policy`` objects.

A document may be an object or a JSON string (CloudFormation accepts both). Values that
cannot be resolved stay non-strings in the policy, which the IAM evaluator treats as
unresolved (uncertain, never a pass); a value that depends on a parameter without a
default counts as unresolved in a ``Condition`` or a principal, where guessing would decide
the verdict, but stays a symbol in ``Action`` and ``Resource``, where it only has to equal
itself (the bucket named by a parameter in both the policy and the output path).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..findings import Finding
from ..inventory import Policy, Source
from ..policy_shape import policy_problems
from .nodes import RNode, to_node
from .template import Template
from .views import TemplateView, Unknown, ViewBuilder

STRICT_KEYS = frozenset({"Condition", "Principal", "NotPrincipal"})
EMPTY_POLICY = {"Version": "2012-10-17", "Statement": []}


def strict_in_policy(pointer: str) -> bool:
    return any(token in STRICT_KEYS for token in pointer.split("/"))


@dataclass
class BuiltPolicy:
    """A policy built from a template node; ``policy`` is None when the whole document
    could not be resolved (``unknown`` says why)."""

    policy: Policy | None
    view: TemplateView | None
    unknown: list[Unknown] = field(default_factory=list)


def build_policy(template: Template, node: RNode, kind: str, label: str) -> BuiltPolicy:
    if node.unresolved is not None:
        return BuiltPolicy(None, None, [Unknown("", node.pointer, node.unresolved.reason)])
    if isinstance(node.value, str):
        try:
            node = to_node(json.loads(node.value), node.pointer, node.params, node.pseudo)
        except ValueError as exc:
            return BuiltPolicy(None, None, [Unknown("", node.pointer,
                                                    f"the policy document is not valid JSON "
                                                    f"({exc})")])
    builder = ViewBuilder(template, strict=strict_in_policy)
    data = builder.plain(node, "")
    view = builder.view(data, "policy", kind)
    policy = Policy(data=data, source=Source(view), kind=kind, name=label)
    return BuiltPolicy(policy, view, builder.unknown)


def synthetic_policy(template: Template, pointer: str, kind: str, label: str,
                     data: dict[str, object]) -> Policy:
    """A policy the template implies without writing it (a key's default policy, a bucket
    with no policy), located at ``pointer``."""
    builder = ViewBuilder(template)
    builder.map("", pointer)
    view = builder.view(data, "policy", kind)
    return Policy(data=data, source=Source(view), kind=kind, name=label)


def shape_problems(built: BuiltPolicy) -> list[Finding]:
    """PL002 for the grammar of a written policy, at template positions. Values that were
    not resolved are skipped: their placeholders are not what the template says."""
    if built.policy is None or built.view is None:
        return []
    skipped = [u.view_pointer for u in built.unknown]
    found = []
    for message, pointer in policy_problems(built.policy.data, built.policy.kind):
        if any(pointer == s or pointer.startswith(s + "/") for s in skipped):
            continue
        found.append(Finding("PL002", message, built.view.location(pointer)))
    return found
