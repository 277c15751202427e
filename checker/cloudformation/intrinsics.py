"""Evaluating intrinsic functions statically.

``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``,
``Fn::If``, ``Fn::FindInMap``, ``Fn::Base64``, ``Fn::Length`` and ``Fn::ToJsonString`` are
computed, with parameters at their defaults and pseudo parameters as symbols (see
:mod:`.symbols`). ``Fn::ImportValue``, SSM parameters and dynamic references
(``{{resolve:...}}``), ``Fn::GetAZs``, ``Fn::Cidr``, ``Fn::Transform``, nested-stack outputs
and custom-resource attributes become :class:`~.symbols.Unresolved` with the reason.

Conditions use three-valued logic: ``Fn::Equals`` of a symbol and a literal is undecided
(the symbol could be anything), so an ``Fn::If`` on it is unresolved unless both branches
agree.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from ..location import join_pointer
from . import resources
from .nodes import RNode, at, concat, is_no_value, plain, symbols_of, to_node, unresolved
from .symbols import NO_VALUE, NO_VALUE_REF, PSEUDO, Unresolved, parameter_symbol
from .template import Template

CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not")
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:([a-z-]+):([^}]*)\}\}")
SSM_PARAMETER_TYPE = "AWS::SSM::Parameter::Value<"


def dynamic_reference(text: str) -> str | None:
    """Why a string holding ``{{resolve:ssm:...}}`` cannot be known, or None."""
    found = DYNAMIC_REFERENCE.search(text)
    if found is None:
        return None
    service, name = found.groups()
    store = {"ssm": "SSM Parameter Store", "ssm-secure": "SSM Parameter Store (SecureString)",
             "secretsmanager": "Secrets Manager"}.get(service, service)
    return (f"the dynamic reference {{{{resolve:{service}:{name}}}}} is read from {store} when "
            "the stack is deployed")


class Resolver:
    """Resolves values of one template; results of Ref/GetAtt and properties are cached.

    ``pseudo`` overrides pseudo-parameter values: a set-up that names the template next to
    a request with a concrete account and region deploys it there.
    """

    def __init__(self, template: Template, pseudo: Mapping[str, str] | None = None) -> None:
        self.template = template
        self.pseudo_values = {**PSEUDO, **(pseudo or {})}
        self.parameters = template.section("Parameters")
        self.mappings = template.section("Mappings")
        self.conditions = template.section("Conditions")
        self.has_transform = "Transform" in template.data
        self._cache: dict[str, RNode] = {}
        self._active: set[str] = set()
        self._condition_cache: dict[str, bool | None] = {}
        # (pointer, message) for template errors found on the way (PL002).
        self.errors: list[tuple[str, str]] = []

    # -- entry points ------------------------------------------------------------------

    def resolve(self, value: Any, pointer: str) -> RNode:
        if isinstance(value, dict):
            if len(value) == 1:
                (name, args), = value.items()
                if name == "Ref" or name.startswith("Fn::"):
                    return self._function(name, args, join_pointer(pointer, name), pointer)
            members = {}
            for key, item in value.items():
                node = self.resolve(item, join_pointer(pointer, key))
                if not is_no_value(node):
                    members[key] = node
            return RNode(pointer, members)
        if isinstance(value, list):
            items = [self.resolve(item, join_pointer(pointer, i)) for i, item in enumerate(value)]
            return RNode(pointer, [n for n in items if not is_no_value(n)])
        if isinstance(value, str):
            reason = dynamic_reference(value)
            if reason:
                return unresolved(pointer, reason)
        return RNode(pointer, value)

    def at_pointer(self, pointer: str) -> RNode:
        """The resolved value at a template pointer (cached)."""
        cached = self._cache.get(pointer)
        if cached is not None:
            return cached
        if pointer in self._active:
            return unresolved(pointer, "the value refers to itself (circular reference)")
        self._active.add(pointer)
        try:
            node = self.resolve(self.template.document.get(pointer), pointer)
        finally:
            self._active.discard(pointer)
        self._cache[pointer] = node
        return node

    def prop(self, logical_id: str, *tokens: str | int) -> RNode | None:
        """A resolved resource property, or None when the template does not set it."""
        pointer = self.template.property_pointer(logical_id, *tokens)
        if self.template.document.get(pointer) is None:
            return None
        node = self.at_pointer(pointer)
        return None if is_no_value(node) else node

    def prop_text(self, logical_id: str, *tokens: str | int) -> str | None:
        node = self.prop(logical_id, *tokens)
        return node.text() if node is not None else None

    def pseudo(self, name: str) -> RNode:
        """A pseudo parameter's value (``AWS::AccountId`` ...), as a symbol."""
        return RNode("", self.pseudo_values[name], pseudo=frozenset({name}))

    # -- functions ---------------------------------------------------------------------

    def _function(self, name: str, args: Any, inner: str, pointer: str) -> RNode:
        handler = _FUNCTIONS.get(name)
        if handler is None:
            if name in CONDITION_FUNCTIONS:
                return unresolved(pointer, f"{name} is a condition function, valid only in "
                                           "Conditions and Fn::If")
            return unresolved(pointer, f"{name} is not an intrinsic function this linter "
                                       "evaluates")
        return handler(self, args, inner, pointer)

    def ref(self, name: Any, pointer: str) -> RNode:
        if not isinstance(name, str):
            return unresolved(pointer, "Ref needs a name")
        if name in self.pseudo_values:
            return RNode(pointer, self.pseudo_values[name], pseudo=frozenset({name}))
        if name == NO_VALUE_REF:
            return RNode(pointer, NO_VALUE)
        if name == "AWS::NotificationARNs":
            return unresolved(pointer, "AWS::NotificationARNs is known only when deployed")
        if name in self.parameters:
            return self.parameter(name, pointer)
        if name in self.template.resources:
            return at(self._cached(f"ref:{name}", lambda: resources.ref(self, name)), pointer)
        if self.template.base and not self.has_transform:
            message = f"{name!r} is neither a parameter nor a resource of the template"
            self.errors.append((pointer, f"Ref to {message}"))
            return unresolved(pointer, message)
        # A fragment refers to resources around it, a macro (SAM) adds resources: a symbol
        # that equals only itself.
        return RNode(pointer, parameter_symbol(name), params=frozenset({name}))

    def get_att(self, logical_id: str, attribute: str, pointer: str) -> RNode:
        if logical_id not in self.template.resources:
            if self.template.base and not self.has_transform:
                self.errors.append((pointer, f"Fn::GetAtt of {logical_id!r}, which is not a "
                                             "resource of the template"))
            return unresolved(pointer, f"{logical_id}.{attribute} is not defined in the template")
        return at(self._cached(f"att:{logical_id}.{attribute}",
                               lambda: resources.get_att(self, logical_id, attribute)), pointer)

    def _cached(self, key: str, make: Any) -> RNode:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return unresolved("", "the value refers to itself (circular reference)")
        self._active.add(key)
        try:
            node: RNode = make()
        finally:
            self._active.discard(key)
        self._cache[key] = node
        return node

    def parameter(self, name: str, pointer: str) -> RNode:
        spec = self.parameters.get(name)
        spec = spec if isinstance(spec, dict) else {}
        kind = spec.get("Type", "String")
        kind = kind if isinstance(kind, str) else "String"
        is_list = kind.startswith("List<") or kind == "CommaDelimitedList"
        if kind.startswith(SSM_PARAMETER_TYPE):
            where = spec.get("Default")
            return unresolved(pointer, f"parameter {name} is read from SSM Parameter Store"
                                       f"{f' ({where})' if isinstance(where, str) else ''} "
                                       "when the stack is deployed")
        if "Default" in spec:
            default = spec["Default"]
            if isinstance(default, bool):
                default = "true" if default else "false"
            elif isinstance(default, int | float):
                default = str(default)
            if is_list and isinstance(default, str):
                return to_node([p.strip() for p in default.split(",")], pointer)
            if isinstance(default, str):
                reason = dynamic_reference(default)
                if reason:
                    return unresolved(pointer, reason)
            return to_node(default, pointer)
        symbol = parameter_symbol(name)
        params = frozenset({name})
        if is_list:
            return RNode(pointer, [RNode(pointer, symbol, params)], params)
        return RNode(pointer, symbol, params)

    # -- conditions --------------------------------------------------------------------

    def condition(self, name: Any) -> bool | None:
        """True / False, or None when it depends on something unknown."""
        if not isinstance(name, str) or name not in self.conditions:
            return None
        if name in self._condition_cache:
            return self._condition_cache[name]
        self._condition_cache[name] = None  # a cycle is undecided
        value = self._condition_expr(self.conditions[name], f"/Conditions/{name}")
        self._condition_cache[name] = value
        return value

    def resource_condition(self, logical_id: str) -> tuple[bool | None, str | None]:
        """Whether the resource exists (its ``Condition``), and the condition's name."""
        resource = self.template.resources.get(logical_id)
        name = resource.get("Condition") if isinstance(resource, dict) else None
        if name is None:
            return True, None
        return self.condition(name), str(name)

    def _condition_expr(self, expr: Any, pointer: str) -> bool | None:
        if not isinstance(expr, dict) or len(expr) != 1:
            return None
        (name, args), = expr.items()
        inner = join_pointer(pointer, name)
        if name == "Condition":
            return self.condition(args)
        if not isinstance(args, list):
            return None
        if name == "Fn::Equals" and len(args) == 2:
            return _equals(self.resolve(args[0], join_pointer(inner, 0)),
                           self.resolve(args[1], join_pointer(inner, 1)))
        parts = [self._condition_expr(a, join_pointer(inner, i)) for i, a in enumerate(args)]
        if name == "Fn::Not" and len(parts) == 1:
            return None if parts[0] is None else not parts[0]
        if name == "Fn::And":
            return False if False in parts else (None if None in parts else True)
        if name == "Fn::Or":
            return True if True in parts else (None if None in parts else False)
        return None


def _scalar_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _equals(a: RNode, b: RNode) -> bool | None:
    left, right = plain(a), plain(b)
    if isinstance(left, Unresolved) or isinstance(right, Unresolved):
        return None
    if _scalar_text(left) == _scalar_text(right):
        return True  # a symbol equals itself
    if any(symbols_of(a)) or any(symbols_of(b)):
        return None
    return False


# --- the functions ----------------------------------------------------------------------


def _ref(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    return r.ref(args, pointer)


def _get_att(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    if isinstance(args, str) and "." in args:
        args = args.split(".", 1)
    if not isinstance(args, list) or len(args) != 2 or not isinstance(args[0], str):
        return unresolved(pointer, "Fn::GetAtt needs [LogicalId, Attribute]")
    attribute = args[1]
    if not isinstance(attribute, str):
        node = r.resolve(attribute, join_pointer(inner, 1))
        if node.text() is None:
            return unresolved(pointer, "the attribute name of Fn::GetAtt cannot be resolved")
        attribute = node.text()
    return r.get_att(args[0], str(attribute), pointer)


def _sub(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    variables: dict[str, Any] = {}
    text = args
    if isinstance(args, list) and len(args) == 2 and isinstance(args[1], dict):
        text, variables = args[0], args[1]
    if not isinstance(text, str):
        return unresolved(pointer, "Fn::Sub needs a string")
    reason = dynamic_reference(text)
    if reason:
        return unresolved(pointer, reason)
    parts: list[str | RNode] = []
    last = 0
    for found in SUB_VARIABLE.finditer(text):
        parts.append(text[last:found.start()])
        last = found.end()
        name = found.group(1).strip()
        if name.startswith("!"):  # ${!Literal} is written as ${Literal}
            parts.append("${" + found.group(1)[1:] + "}")
            continue
        if name in variables:
            node = r.resolve(variables[name], join_pointer(inner, 1, name))
        elif "." in name and name.split(".", 1)[0] in r.template.resources:
            logical_id, attribute = name.split(".", 1)
            node = r.get_att(logical_id, attribute, pointer)
        else:
            node = r.ref(name, pointer)
        parts.append(node)
    parts.append(text[last:])
    return concat(pointer, *parts)


def _list_arg(r: Resolver, value: Any, pointer: str) -> RNode:
    node = r.resolve(value, pointer)
    if node.unresolved is None and not isinstance(node.value, list):
        return unresolved(pointer, "a list is needed here")
    return node


def _join(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    if not isinstance(args, list) or len(args) != 2 or not isinstance(args[0], str):
        return unresolved(pointer, "Fn::Join needs [delimiter, [values]]")
    items = _list_arg(r, args[1], join_pointer(inner, 1))
    if items.unresolved is not None:
        return RNode(pointer, items.unresolved)
    parts: list[str | RNode] = []
    for i, item in enumerate(items.value):
        if i:
            parts.append(args[0])
        parts.append(item)
    return concat(pointer, *parts)


def _select(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    if not isinstance(args, list) or len(args) != 2:
        return unresolved(pointer, "Fn::Select needs [index, [values]]")
    index = r.resolve(args[0], join_pointer(inner, 0))
    items = _list_arg(r, args[1], join_pointer(inner, 1))
    for node in (index, items):
        if node.unresolved is not None:
            return RNode(pointer, node.unresolved)
    try:
        position = int(index.value)
    except (TypeError, ValueError):
        return unresolved(pointer, f"Fn::Select index {index.value!r} is not a number")
    if not 0 <= position < len(items.value):
        return unresolved(pointer, f"Fn::Select index {position} is out of range")
    chosen: RNode = items.value[position]
    # An item of a literal list keeps its own position; a computed one is at the call.
    return chosen if chosen.pointer.startswith(join_pointer(inner, 1) + "/") else at(
        chosen, pointer)


def _split(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    if not isinstance(args, list) or len(args) != 2 or not isinstance(args[0], str) or not args[0]:
        return unresolved(pointer, "Fn::Split needs [delimiter, string]")
    source = r.resolve(args[1], join_pointer(inner, 1))
    if source.unresolved is not None:
        return RNode(pointer, source.unresolved)
    if not isinstance(source.value, str):
        return unresolved(pointer, "Fn::Split needs a string")
    return RNode(pointer, [RNode(pointer, p, source.params, source.pseudo)
                           for p in source.value.split(args[0])], source.params, source.pseudo)


def _if(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    if not isinstance(args, list) or len(args) != 3:
        return unresolved(pointer, "Fn::If needs [condition, value if true, value if false]")
    decided = r.condition(args[0])
    if decided is True:
        return r.resolve(args[1], join_pointer(inner, 1))
    if decided is False:
        return r.resolve(args[2], join_pointer(inner, 2))
    first = r.resolve(args[1], join_pointer(inner, 1))
    second = r.resolve(args[2], join_pointer(inner, 2))
    if plain(first) == plain(second) and not isinstance(plain(first), Unresolved):
        return first
    if not isinstance(args[0], str) or args[0] not in r.conditions:
        return unresolved(pointer, f"Fn::If names the condition {args[0]!r}, which the "
                                   "template does not define")
    return unresolved(pointer, f"Fn::If on the condition {args[0]}, which cannot be decided "
                               "without the parameter values the stack is deployed with")


def _find_in_map(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    if not isinstance(args, list) or len(args) not in (3, 4):
        return unresolved(pointer, "Fn::FindInMap needs [map, top-level key, second-level key]")
    keys = [r.resolve(a, join_pointer(inner, i)) for i, a in enumerate(args[:3])]
    for key in keys:
        if key.unresolved is not None:
            return RNode(pointer, key.unresolved)
    names = [_scalar_text(k.value) for k in keys]
    mapping = r.mappings.get(names[0])
    default = args[3].get("DefaultValue") if len(args) == 4 and isinstance(args[3], dict) else None
    if not isinstance(mapping, dict):
        return unresolved(pointer, f"Fn::FindInMap: no mapping {names[0]!r}")
    tops = [mapping.get(names[1])] if names[1] in mapping else []
    if not tops and keys[1].symbolic:
        tops = list(mapping.values())  # keyed by a symbol (say AWS::Region): any entry
    found = [t.get(names[2]) for t in tops if isinstance(t, dict) and names[2] in t]
    if not found and keys[2].symbolic:
        found = [v for t in tops if isinstance(t, dict) for v in t.values()]
    if not found:
        if default is not None:
            return r.resolve(default, join_pointer(inner, 3, "DefaultValue"))
        return unresolved(pointer, f"Fn::FindInMap: {names[0]} has no entry {names[1]}/"
                                   f"{names[2]}")
    if any(f != found[0] for f in found):
        return unresolved(pointer, f"Fn::FindInMap on {names[0]} depends on "
                                   f"{', '.join(sorted(keys[1].pseudo | keys[1].params))}, "
                                   "known only when deployed")
    return to_node(found[0], pointer, keys[1].params | keys[2].params,
                   keys[1].pseudo | keys[2].pseudo)


def _import_value(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    name = r.resolve(args, inner).text()
    shown = f" {name!r}" if name else ""
    return unresolved(pointer, f"Fn::ImportValue{shown} reads another stack's export, known "
                               "only when the stack is deployed")


def _base64(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    node = r.resolve(args, inner)
    if node.unresolved is not None or not isinstance(node.value, str):
        return RNode(pointer, node.unresolved or Unresolved("Fn::Base64 needs a string"))
    encoded = base64.b64encode(node.value.encode()).decode()
    return RNode(pointer, encoded, node.params, node.pseudo)


def _length(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    node = _list_arg(r, args, inner)
    if node.unresolved is not None:
        return RNode(pointer, node.unresolved)
    return RNode(pointer, len(node.value))


def _to_json_string(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
    node = r.resolve(args, inner)
    value = plain(node)
    if isinstance(value, Unresolved):
        return RNode(pointer, value)
    params, pseudo = symbols_of(node)
    return RNode(pointer, json.dumps(value, separators=(",", ":")), params, pseudo)


def _deploy_time(what: str) -> Any:
    def handler(r: Resolver, args: Any, inner: str, pointer: str) -> RNode:
        return unresolved(pointer, f"{what} is known only when the stack is deployed")

    return handler


_FUNCTIONS: dict[str, Any] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::ImportValue": _import_value,
    "Fn::Base64": _base64,
    "Fn::Length": _length,
    "Fn::ToJsonString": _to_json_string,
    "Fn::GetAZs": _deploy_time("Fn::GetAZs (the region's availability zones)"),
    "Fn::Cidr": _deploy_time("Fn::Cidr"),
    "Fn::Transform": _deploy_time("Fn::Transform (a macro's output)"),
}
