"""What every part of the linker shares: the template, its resolver, notes and caches.

A :class:`Note` is a PL003 entry for a set-up (something it needs that the template cannot
give), tagged with the config keys that could supply it instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..findings import Finding
from ..inventory import ManagedPolicyRef, MissingInput, Policy, Source
from ..location import Location
from .intrinsics import Resolver
from .nodes import RNode
from .policies import BuiltPolicy, build_policy, shape_problems
from .schemas import BuiltSchema
from .template import Template
from .views import Unknown, anchor_view


@dataclass
class Note:
    """A PL003 entry for a set-up; dropped when the set-up's config gives one of ``keys``."""

    keys: tuple[str, ...]
    missing: MissingInput


class Links:
    """One template's resolver, the documents built from it (once each), and helpers."""

    def __init__(self, template: Template, pseudo: Mapping[str, str] | None = None) -> None:
        self.template = template
        self.resolver = self.make_resolver(template, pseudo)
        self.problems: list[Finding] = []
        self.used: set[str] = set()  # template pointers of documents a set-up uses
        self._policies: dict[str, BuiltPolicy] = {}
        self._schemas: dict[str, BuiltSchema] = {}

    def make_resolver(self, template: Template, pseudo: Mapping[str, str] | None) -> Resolver:
        """What resolves the values of ``template`` (another source of resources, a Terraform
        plan, brings its own)."""
        return Resolver(template, pseudo)

    def term(self, word: str) -> str:
        """How messages name the source ("template") and its resource types and properties
        (``AWS::S3::BucketPolicy``); a linker over another source names them its way."""
        return word

    def where(self, pointer: str) -> Location:
        return anchor_view(self.template, pointer).location()

    def note(self, keys: tuple[str, ...], what: str, reason: str, pointer: str) -> Note:
        return Note(keys, MissingInput(what, reason, self.where(pointer)))

    def notes_of(self, keys: tuple[str, ...], unknown: list[Unknown]) -> list[Note]:
        return [self.note(keys, self.template.describe(u.template_pointer), u.reason,
                          u.template_pointer) for u in unknown]

    def present(self, logical_id: str, notes: list[Note], keys: tuple[str, ...]) -> bool:
        """Does the resource exist? Undecidable conditions count as yes, with a note."""
        exists, condition = self.resolver.resource_condition(logical_id)
        if exists is None:
            notes.append(self.note(
                keys, logical_id, f"it exists only if the condition {condition} holds, which "
                "cannot be decided without the parameter values",
                self.template.resource_pointer(logical_id)))
        return exists is not False

    def live(self, *types: str) -> list[str]:
        return [lid for lid in self.template.of_type(*types)
                if self.resolver.resource_condition(lid)[0] is not False]

    def ref(self, logical_id: str) -> str | None:
        return self.resolver.ref(logical_id, self.template.resource_pointer(logical_id)).text()

    def arn(self, logical_id: str, attribute: str = "Arn") -> str | None:
        pointer = self.template.resource_pointer(logical_id)
        return self.resolver.get_att(logical_id, attribute, pointer).text()

    def texts(self, node: RNode | None) -> list[str]:
        return [t for t in (n.text() for n in (node.items() if node else [])) if t]

    def policy(self, node: RNode, kind: str, label: str) -> BuiltPolicy:
        built = self._policies.get(node.pointer)
        if built is None:
            built = build_policy(self.template, node, kind, label)
            self._policies[node.pointer] = built
            self.problems.extend(shape_problems(built))
        return built

    def unknown_policy(self, pointer: str) -> ManagedPolicyRef:
        """A policy attached to the role that cannot be read: the evaluator treats an
        unknown policy as one that may grant or deny, so the verdicts become uncertain."""
        label = f"{self.template.describe(pointer)} (unresolved)"
        return ManagedPolicyRef(arn=label, source=Source(anchor_view(self.template, pointer)))

    def use_policy(self, node: RNode, kind: str, label: str, keys: tuple[str, ...],
                   what: str, notes: list[Note]) -> Policy | None:
        self.used.add(node.pointer)
        built = self.policy(node, kind, label)
        if built.policy is None:
            for u in built.unknown:  # the whole document: name it so rules see it missing
                notes.append(self.note(keys, f"{what} {self.template.describe(u.template_pointer)}",
                                       u.reason, u.template_pointer))
        else:
            notes.extend(self.notes_of(keys, built.unknown))
        return built.policy

def generated_match(name: str, logical_id: str) -> bool:
    """Could ``name`` be what CloudFormation generated for ``logical_id``?
    (``<stack>-<LogicalId>-<random>``, the logical ID cut short in long names.)"""
    stem = logical_id[:16] if len(logical_id) > 16 else logical_id
    return f"-{stem}" in name and not name.endswith(f"-{stem}") and not name.startswith(stem)
