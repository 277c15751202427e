"""The CloudFormation linker, over a plan: the same roles, buckets, keys and schemas.

What differs is said here: the resolver (:class:`~.template.PlanResolver`), how messages
name things (``plan``, ``aws_s3_bucket_policy``), inline policies removed by an
``aws_iam_role_policies_exclusive``, and the ``aws_iam_policy_document`` data sources the
plan renders, which are policies too when no resource uses them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..cloudformation.intrinsics import Resolver
from ..cloudformation.linker import Linker
from ..cloudformation.links import Note
from ..cloudformation.nodes import RNode
from ..cloudformation.template import Template
from ..inventory import Role
from ..loaders.detect import policy_subkind
from ..location import Location
from . import mapping
from .follow import references
from .plan import Plan
from .template import PlanResolver, PlanTemplate

POLICY_DOCUMENT = "aws_iam_policy_document"


class PlanLinker(Linker):
    """Builds what a plan gives a set-up, and the documents no set-up uses."""

    template: PlanTemplate
    resolver: PlanResolver

    def __init__(self, plan: Plan, pseudo: Mapping[str, str] | None = None) -> None:
        # Where the plan says it deploys wins; a set-up's request fills in the rest.
        super().__init__(PlanTemplate(plan), {**(pseudo or {}), **plan.deployment()})
        self.plan = plan

    def make_resolver(self, template: Template, pseudo: Mapping[str, str] | None) -> Resolver:
        assert isinstance(template, PlanTemplate)
        return PlanResolver(template, pseudo)

    def term(self, word: str) -> str:
        return mapping.TERMS.get(word, word)

    def attached_label(self, lid: str) -> str:
        return lid  # the address names the type already

    def location_of(self, address: str) -> Location:
        return self.where(self.template.resource_pointer(address))

    def build_role(self, lid: str, notes: list[Note]) -> Role:
        role = super().build_role(lid, notes)
        r = self.resolver
        for policy in self.plan.of_types("aws_iam_role_policy"):
            remover = r.removed_by(policy) if r.text(policy, "role") == role.name else None
            if remover is not None:
                notes.append(self.note(
                    ("role-policies",), policy.address,
                    f"{remover.address} manages the role's inline policies exclusively and does "
                    f"not list {r.text(policy, 'name')!r}, so applying it removes this policy; "
                    "the role was checked without it", policy.pointer))
        return role

    def documents(self) -> list[tuple[RNode, str, str]]:
        """The resources' policy documents, and the ``aws_iam_policy_document`` data sources
        whose JSON the plan renders and no configuration expression uses."""
        found = super().documents()
        used = self._referenced_documents()
        for instance in self.plan.of_types(POLICY_DOCUMENT):
            if instance.mode != "data" or instance.address in used:
                continue
            node = self.resolver.value(instance, "json")
            if node is None or node.text() is None:
                continue  # read at apply time: nothing rendered to check
            try:
                data = json.loads(str(node.value))
            except ValueError:
                continue
            kind = policy_subkind(data) if isinstance(data, dict) else "unknown"
            found.append((node, kind, instance.address))
        return found

    def _referenced_documents(self) -> set[str]:
        """Addresses of policy document data sources some expression of their module uses
        (the resource using the JSON is checked instead, where the same text sits)."""
        used: set[str] = set()
        for instance in self.plan.of_types(POLICY_DOCUMENT):
            wanted = f"data.{POLICY_DOCUMENT}.{instance.name}"
            module = self.plan.module_config(instance.calls)
            if module is None:
                continue
            texts = _all_references([e for _, e in module.resources.values()]
                                    + list(module.outputs.values())
                                    + [c[1] for c in module.calls.values()])
            if any(t == wanted or t.startswith((wanted + ".", wanted + "[")) for t in texts):
                used.add(instance.address)
        return used


def _all_references(values: list[object]) -> set[str]:
    found: set[str] = set()
    stack: list[object] = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found.update(references(value))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found
