"""The plan seen as a resolved CloudFormation template.

:class:`PlanTemplate` lists the plan's instances of the resource types that make up a
set-up under their CloudFormation types, keyed by address; :class:`PlanResolver` answers
the linker's questions about them (a property, ``Ref``, ``Fn::GetAtt``) from the plan's
values instead of intrinsic functions. Every value is an ``RNode`` whose pointer is the
attribute's place in the plan document, so views, findings and suppressions locate into
the plan, and ``logical_id`` is the resource address.

Values known only after apply:

* a value whose configuration refers to another resource (``role = aws_iam_role.x.id``)
  is that resource's identity (its name or ARN, as the plan knows it or as AWS will build
  it), so the linker matches the two as it matches ``!Ref``/``!GetAtt``;
* an attribute the configuration does not set that the provider computes (a new role's
  ``inline_policy``, a key's ``policy``) is absent: nothing is written there;
* anything else is unresolved, with the reason, which the linker turns into PL003 "not
  evaluated" for the checks that need it (never a pass).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..cloudformation import resources
from ..cloudformation.intrinsics import Resolver
from ..cloudformation.nodes import RNode, at, concat, unresolved
from ..cloudformation.template import Template, dotted
from ..location import join_pointer
from . import mapping
from .follow import Target, blamed_reference, expression_at, follow, references
from .plan import Instance, Plan

_NOT_NAME = re.compile(r"[^a-zA-Z0-9+=,.@_-]+")
_NOT_BUCKET = re.compile(r"[^a-z0-9.-]+")


class PlanTemplate(Template):
    """A plan as a template whose resources are instances, by address."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan.document, "")
        self.plan = plan
        self._types = {i.address: t for i in plan.instances
                       if (t := mapping.cfn_type(plan, i)) is not None}
        self._resources = {address: {"Type": kind} for address, kind in self._types.items()}
        self._by_pointer = {i.pointer: i for i in plan.instances}

    @property
    def resources(self) -> dict[str, Any]:
        return self._resources

    def section(self, name: str) -> dict[str, Any]:
        return {}

    def instance(self, address: str) -> Instance:
        return self.plan.by_address[address]

    def type_of(self, logical_id: str) -> str | None:
        return self._types.get(logical_id)

    def of_type(self, *types: str) -> Iterator[str]:
        return (a for a, kind in self._types.items() if kind in types)

    def properties(self, logical_id: str) -> dict[str, Any]:
        return {}  # the resolver builds them (PlanResolver.properties)

    def resource_pointer(self, logical_id: str) -> str:
        return self.instance(logical_id).pointer

    def property_pointer(self, logical_id: str, *tokens: str | int) -> str:
        return join_pointer(self.instance(logical_id).values_pointer, *tokens)

    def instance_at(self, pointer: str) -> Instance | None:
        probe = pointer
        while probe:
            found = self._by_pointer.get(probe)
            if found is not None:
                return found
            probe = probe.rsplit("/", 1)[0]
        return None

    def logical_id_at(self, pointer: str) -> str | None:
        found = self.instance_at(pointer)
        return found.address if found else None

    def describe(self, pointer: str) -> str:
        """``aws_iam_role.x.inline_policy[0].policy`` for a pointer into its values."""
        found = self.instance_at(pointer)
        if found is None:
            return pointer.lstrip("/").replace("/", ".") or self.path
        rest = ""
        for base in (found.values_pointer, found.unknown_pointer or found.values_pointer):
            if pointer == base or pointer.startswith(base + "/"):
                rest = pointer[len(base):]
                break
        return dotted(found.address, rest)


class PlanResolver(Resolver):
    """Properties, ``Ref`` and ``Fn::GetAtt`` of the plan's instances, from its values."""

    def __init__(self, template: PlanTemplate, pseudo: Mapping[str, str] | None = None) -> None:
        super().__init__(template, pseudo)
        self.plan_template = template
        self.plan = template.plan
        self._properties: dict[str, dict[str, RNode]] = {}
        # Each role asks every attachment of the plan for its role's name: once each.
        self._texts: dict[tuple[str, tuple[str | int, ...]], str | None] = {}
        self._by_text: dict[tuple[str, tuple[str | int, ...]], dict[str, list[Instance]]] = {}

    # -- the linker's questions ----------------------------------------------------------

    def prop(self, logical_id: str, *tokens: str | int) -> RNode | None:
        if not tokens or not isinstance(tokens[0], str):
            return None
        node = self.properties(logical_id).get(tokens[0])
        return node.member(*tokens[1:]) if node is not None and len(tokens) > 1 else node

    def properties(self, logical_id: str) -> dict[str, RNode]:
        """The instance's values as the properties of its CloudFormation type."""
        built = self._properties.get(logical_id)
        if built is None:
            key = f"props:{logical_id}"
            if key in self._active:
                return {}  # asked again while being built: nothing more to give
            self._active.add(key)
            try:
                built = mapping.properties(self, self.plan_template.instance(logical_id))
            finally:
                self._active.discard(key)
            self._properties[logical_id] = built
        return built

    def ref(self, name: Any, pointer: str) -> RNode:
        if not isinstance(name, str) or name not in self.template.resources:
            return unresolved(pointer, f"{name} is not a resource of the plan")
        return at(self._cached(f"ref:{name}", lambda: self.identity(name, "Ref")), pointer)

    def get_att(self, logical_id: str, attribute: str, pointer: str) -> RNode:
        if logical_id not in self.template.resources:
            return unresolved(pointer, f"{logical_id} is not a resource of the plan")
        return at(self._cached(f"att:{logical_id}.{attribute}",
                               lambda: self.identity(logical_id, attribute)), pointer)

    def resource_condition(self, logical_id: str) -> tuple[bool | None, str | None]:
        """Whether the resource will exist after apply (``count = 0`` leaves no instance in
        the plan at all): an inline policy that an ``aws_iam_role_policies_exclusive`` of
        its role does not list is removed by it, so it does not count."""
        instance = self.plan_template.instance(logical_id)
        if instance.type == "aws_iam_role_policy":
            remover = self.removed_by(instance)
            if remover is not None:
                return False, remover.address
        return True, None

    def removed_by(self, policy: Instance) -> Instance | None:
        name = self.text(policy, "name")
        for exclusive, names in mapping.exclusive_names(self, self.text(policy, "role")):
            if name not in names:
                return exclusive
        return None

    def identity(self, logical_id: str, attribute: str) -> RNode:
        """What a reference to the resource gives: the plan's value when it is known, else
        the name or ARN AWS will give it, built like CloudFormation's from its properties."""
        instance = self.plan_template.instance(logical_id)
        name = mapping.IDENTITY.get(instance.type, {}).get(attribute)
        value = instance.values.get(name) if name else None
        if isinstance(value, str) and value:
            return RNode(join_pointer(instance.values_pointer, name or ""), value)
        if attribute == "Ref" and name in mapping.NAMES:
            return self.name(instance, name)
        if self.template.type_of(logical_id) == "AWS::KMS::Key" and attribute == "Arn":
            key = self.identity(logical_id, "Ref")
            if key.text() and str(key.value).startswith("arn:"):
                return key
            return concat("", "arn:", self.pseudo("AWS::Partition"), ":kms:",
                          self.pseudo("AWS::Region"), ":", self.pseudo("AWS::AccountId"),
                          ":key/", key)
        if self.template.type_of(logical_id) == "AWS::KMS::Alias" and attribute == "Arn":
            # arn:aws:kms:<region>:<account>:alias/<name> (CloudFormation has no such
            # attribute for an alias, so resources.get_att does not build it).
            alias = self.identity(logical_id, "Ref")
            return concat("", "arn:", self.pseudo("AWS::Partition"), ":kms:",
                          self.pseudo("AWS::Region"), ":", self.pseudo("AWS::AccountId"),
                          ":", alias)
        if attribute == "Ref":
            return resources.ref(self, logical_id)
        return resources.get_att(self, logical_id, attribute)

    # -- reading values ----------------------------------------------------------------

    def value(self, instance: Instance, *path: str | int) -> RNode | None:
        """The attribute at ``path`` as a node at its plan position: None when absent (or
        computed by the provider without configuration), unresolved when known only after
        apply."""
        data: Any = instance.values
        mask: Any = instance.unknown
        for token in path:
            data = _step(data, token)
            mask = _step(mask, token)
        if mask is True:
            if instance.expressions is not None and path and isinstance(path[0], str) and (
                    path[0] not in instance.expressions):
                return None  # not configured: the provider fills it in (absent here)
            return self.unknown(instance, path)
        if data is None:
            return None
        return self._node(instance, data, mask, path)

    def _node(self, instance: Instance, data: Any, mask: Any, path: tuple[str | int, ...]
              ) -> RNode:
        pointer = join_pointer(instance.values_pointer, *path)
        if mask is True:
            return self.unknown(instance, path)
        if isinstance(data, dict):
            members = {k: self._node(instance, v, _step(mask, k), (*path, k))
                       for k, v in data.items() if v is not None or _step(mask, k) is True}
            for k in (mask.keys() - data.keys()) if isinstance(mask, dict) else ():
                if mask[k] is True:
                    members[k] = self.unknown(instance, (*path, k))
            return RNode(pointer, members)
        if isinstance(data, list):
            return RNode(pointer, [self._node(instance, v, _step(mask, i), (*path, i))
                                   for i, v in enumerate(data)])
        return RNode(pointer, data)

    def unknown(self, instance: Instance, path: tuple[str | int, ...]) -> RNode:
        pointer = join_pointer(instance.unknown_pointer or instance.values_pointer, *path)
        refs = references(expression_at(instance.expressions, path))
        blamed = blamed_reference(self.plan, refs, instance)
        why = f"it depends on {blamed}, which" if blamed else "it"
        return unresolved(pointer, f"{why} is known only after apply (unknown in the plan)")

    def link(self, instance: Instance, *path: str | int) -> RNode | None:
        """A value that names another resource (a role name, a bucket, a key or policy
        ARN): the plan's value, or, when it is known only after apply, the identity of the
        resource its configuration refers to."""
        node = self.value(instance, *path)
        if node is None or node.unresolved is None:
            return node
        target = follow(self.plan, instance, path)
        if isinstance(target, str):
            return unresolved(node.pointer, f"{node.unresolved.reason}; {target}")
        identity = self.identity_of(target, node.pointer)
        if identity is None:
            return node
        return identity

    def identity_of(self, target: Target, pointer: str) -> RNode | None:
        instance = target.instance
        if instance.address not in self.template.resources:
            return None
        attribute = mapping.reference_attribute(instance.type, target.attribute)
        if attribute is None:
            known = instance.values.get(target.attribute or "")
            return RNode(pointer, known) if isinstance(known, str) else None
        if attribute == "Ref":
            return self.ref(instance.address, pointer)
        return self.get_att(instance.address, attribute, pointer)

    def name(self, instance: Instance, attribute: str) -> RNode:
        """A resource's name: the plan's value, else (generated, or built from values known
        only after apply) a symbol unique to the instance, which equals only itself, as
        CloudFormation's generated names do; references to the resource give the same."""
        node = self.value(instance, attribute)
        if node is not None and node.unresolved is None and node.text():
            return node
        pointer = join_pointer(instance.unknown_pointer or instance.values_pointer, attribute)
        if instance.type == "aws_s3_bucket":
            name = _NOT_BUCKET.sub("-", f"terraform-{instance.address}".lower())[:63]
        else:
            name = _NOT_NAME.sub("-", f"terraform-{instance.address}")[:64]
        return RNode(pointer, name.rstrip("-."),
                     pseudo=frozenset({f"resource:{instance.address}"}))

    def by_text(self, kind: str, attribute: str, *, each: bool = False
                ) -> dict[str, list[Instance]]:
        """The plan's instances of ``kind`` by the text of ``attribute`` (``each``: by
        each item of that list), such as role policies by role name, for every role to
        look up its own."""
        key = (kind, (attribute, each))
        if key not in self._by_text:
            grouped: dict[str, list[Instance]] = {}
            for instance in self.plan.of_types(kind):
                if each:
                    node = self.value(instance, attribute)
                    items = node.items() if node is not None else []
                    texts = {self.text(instance, attribute, i) for i in range(len(items))}
                else:
                    texts = {self.text(instance, attribute)}
                for text in texts - {None, ""}:
                    assert text is not None
                    grouped.setdefault(text, []).append(instance)
            self._by_text[key] = grouped
        return self._by_text[key]

    def text(self, instance: Instance, *path: str | int) -> str | None:
        key = (instance.address, path)
        if key not in self._texts:
            node = self.link(instance, *path)
            self._texts[key] = node.text() if node is not None else None
        return self._texts[key]


def _step(value: Any, token: str | int) -> Any:
    if isinstance(value, dict) and isinstance(token, str):
        return value.get(token)
    if isinstance(value, list) and isinstance(token, int) and token < len(value):
        return value[token]
    return None
