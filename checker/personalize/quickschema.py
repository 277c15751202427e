"""A quick, exact "is this instance valid?" for a small subset of JSON Schema 2020-12.

Full validation with ``jsonschema`` builds a validator object per keyword and subschema it
descends into (about 1.7 ms for one Personalize schema), and nearly every schema in a
repository is valid. :func:`quick_verdict` answers True (valid), False (invalid) or None
(cannot tell: a keyword, type or value it does not handle). The caller runs ``jsonschema``
unless the answer is True, so the messages always come from ``jsonschema``.
:func:`compile_verdict` turns a schema into that check once (nested closures), for a
schema that many instances are checked against.

Both True and False must be exactly what ``jsonschema`` decides (``oneOf`` counts the
subschemas that hold), so each keyword is handled only where its meaning is plain:

* ``type`` with one of "object", "array", "string", "boolean", "null";
* ``const``/``enum``: where the instance or the constant is a string (``jsonschema``
  compares with ``==`` then);
* ``required``, ``properties``, ``items`` (without ``prefixItems``), ``minItems``,
  ``maxItems``, ``uniqueItems`` over strings only, ``pattern`` (``re.search``, as
  ``jsonschema`` does);
* ``allOf``, ``anyOf``, ``oneOf``, ``not``, and ``$ref`` to a JSON pointer in the same
  document ("#/$defs/field");
* annotations (``title``, ``$defs``, ...) are ignored, as by ``jsonschema``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..location import pointer_tokens

Verdict = Callable[[Any], "bool | None"]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "definitions", "title",
                          "description", "default", "examples", "deprecated", "readOnly",
                          "writeOnly"})
_TYPES: dict[str, type] = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def quick_verdict(schema: Any, instance: Any) -> bool | None:
    """True/False when the instance surely is/isn't valid; None when this cannot tell."""
    return compile_verdict(schema)(instance)


def compile_verdict(schema: Any) -> Verdict:
    """:func:`quick_verdict` for one schema, prepared once (the schema must not change)."""
    check = _Compiler(schema).compile(schema)

    def verdict(instance: Any) -> bool | None:
        try:
            return check(instance)
        except RecursionError:  # a "$ref" cycle that never descends into the instance
            return None

    return verdict


def _yes(instance: Any) -> bool | None:
    return True


def _no(instance: Any) -> bool | None:
    return False


def _unknown(instance: Any) -> bool | None:
    return None


def _all(results: list[bool | None]) -> bool | None:
    if False in results:
        return False
    return None if None in results else True


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.refs: dict[str, Verdict] = {}

    def compile(self, schema: Any) -> Verdict:
        if schema is True:
            return _yes
        if schema is False:
            return _no
        if not isinstance(schema, dict):
            return _unknown
        if schema is self.root:
            if schema.get("$schema", DRAFT_2020_12) != DRAFT_2020_12:
                return _unknown
        elif "$id" in schema or "$schema" in schema:
            return _unknown  # a new base URI (or dialect) for what is below
        checks: list[Verdict] = []
        understood = True
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            maker = _MAKERS.get(keyword)
            if maker is None:
                understood = False  # not understood: it can only add errors
                continue
            checks.append(maker(self, value, schema))
        return _conjunction(tuple(checks), understood)

    def ref(self, ref: Any) -> Verdict:
        if not isinstance(ref, str):
            return _unknown
        if ref not in self.refs:
            target = self.resolve(ref)
            if target is None:
                self.refs[ref] = _unknown
            else:
                slot: list[Verdict] = []
                self.refs[ref] = lambda instance: slot[0](instance)  # while compiling a cycle
                slot.append(self.compile(target))
                self.refs[ref] = slot[0]
        return self.refs[ref]

    def resolve(self, ref: str) -> Any:
        """The subschema a same-document JSON pointer reference names, or None."""
        if ref == "#":
            return self.root
        if not ref.startswith("#/"):
            return None
        node = self.root
        for token in pointer_tokens(ref[1:]):
            if "%" in token:
                return None
            if not isinstance(node, dict) or token not in node:
                return None
            node = node[token]
        return node


def _conjunction(checks: tuple[Verdict, ...], understood: bool) -> Verdict:
    if not checks:
        return _yes if understood else _unknown
    if len(checks) == 1 and understood:
        return checks[0]

    def run(instance: Any) -> bool | None:
        verdict: bool | None = True if understood else None
        for check in checks:
            found = check(instance)
            if found is False:
                return False  # one failing keyword decides, whatever the others say
            if found is None:
                verdict = None
        return verdict

    return run


Maker = Callable[[_Compiler, Any, dict[str, Any]], Verdict]


def _type(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    if not isinstance(value, str) or value not in _TYPES:
        return _unknown
    kind = _TYPES[value]
    return lambda instance: isinstance(instance, kind)


def _equal(a: Any, b: Any) -> bool | None:
    # jsonschema's equal() compares with == as soon as either side is a string.
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    return None


def _const(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    return lambda instance: _equal(instance, value)


def _enum(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    if not isinstance(value, list):
        return _unknown
    if all(isinstance(each, str) for each in value):
        strings = frozenset(value)  # a string equals only a string, and a non-string none
        return lambda instance: isinstance(instance, str) and instance in strings
    return lambda instance: _enum_other(value, instance)


def _enum_other(value: list[Any], instance: Any) -> bool | None:
    results = [_equal(each, instance) for each in value]
    if True in results:
        return True
    return None if None in results else False


def _required(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        return lambda instance: True if not isinstance(instance, dict) else None
    names = tuple(value)
    return lambda instance: not isinstance(instance, dict) or all(k in instance for k in names)


def _properties(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    if not isinstance(value, dict):
        return lambda instance: True if not isinstance(instance, dict) else None
    members = tuple((k, c.compile(sub)) for k, sub in value.items())

    def run(instance: Any) -> bool | None:
        if not isinstance(instance, dict):
            return True
        verdict: bool | None = True
        for key, check in members:
            if key in instance:
                found = check(instance[key])
                if found is False:
                    return False
                if found is None:
                    verdict = None
        return verdict

    return run


def _items(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    if "prefixItems" in schema:
        return lambda instance: True if not isinstance(instance, list) else None
    check = c.compile(value)

    def run(instance: Any) -> bool | None:
        if not isinstance(instance, list):
            return True
        verdict: bool | None = True
        for item in instance:
            found = check(item)
            if found is False:
                return False
            if found is None:
                verdict = None
        return verdict

    return run


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _min_items(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    bound = _count(value)
    if bound is None:
        return _unknown
    return lambda instance: not isinstance(instance, list) or len(instance) >= bound


def _max_items(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    bound = _count(value)
    if bound is None:
        return _unknown
    return lambda instance: not isinstance(instance, list) or len(instance) <= bound


def _unique_items(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    if value is False:
        return _yes
    if value is not True:
        return lambda instance: True if not isinstance(instance, list) else None

    def run(instance: Any) -> bool | None:
        if not isinstance(instance, list):
            return True
        if not all(isinstance(i, str) for i in instance):
            return None
        return len(set(instance)) == len(instance)

    return run


def _pattern(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    try:
        search = re.compile(value).search  # what re.search(value, instance) compiles
    except (TypeError, re.error):
        return lambda instance: True if not isinstance(instance, str) else None
    return lambda instance: not isinstance(instance, str) or search(instance) is not None


def _subschemas(c: _Compiler, value: Any) -> tuple[Verdict, ...] | None:
    if not isinstance(value, list) or not value:
        return None
    return tuple(c.compile(sub) for sub in value)


def _all_of(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    checks = _subschemas(c, value)
    if checks is None:
        return _unknown
    return lambda instance: _all([check(instance) for check in checks])


def _any_of(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    checks = _subschemas(c, value)
    if checks is None:
        return _unknown

    def run(instance: Any) -> bool | None:
        results = [check(instance) for check in checks]
        if True in results:
            return True
        return None if None in results else False

    return run


def _one_of(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    checks = _subschemas(c, value)
    if checks is None:
        return _unknown

    def run(instance: Any) -> bool | None:
        results = [check(instance) for check in checks]
        if None in results:
            return None
        return results.count(True) == 1

    return run


def _not(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    check = c.compile(value)

    def run(instance: Any) -> bool | None:
        found = check(instance)
        return None if found is None else not found

    return run


def _ref(c: _Compiler, value: Any, schema: dict[str, Any]) -> Verdict:
    return c.ref(value)


_MAKERS: dict[str, Maker] = {
    "type": _type,
    "const": _const,
    "enum": _enum,
    "required": _required,
    "properties": _properties,
    "items": _items,
    "minItems": _min_items,
    "maxItems": _max_items,
    "uniqueItems": _unique_items,
    "pattern": _pattern,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "$ref": _ref,
}
