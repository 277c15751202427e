"""A quick, exact "is this instance valid?" for a small subset of JSON Schema 2020-12.

Full validation with ``jsonschema`` builds a validator object per keyword and subschema it
descends into (about 1.7 ms for one Personalize schema), and nearly every schema in a
repository is valid. :func:`quick_verdict` answers True (valid), False (invalid) or None
(cannot tell: a keyword, type or value it does not handle). The caller runs ``jsonschema``
unless the answer is True, so the messages always come from ``jsonschema``.

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
from typing import Any

_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "definitions", "title",
                          "description", "default", "examples", "deprecated", "readOnly",
                          "writeOnly"})
_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def quick_verdict(schema: Any, instance: Any, root: Any = None) -> bool | None:
    """True/False when the instance surely is/isn't valid; None when this cannot tell."""
    return _Quick(schema if root is None else root).check(schema, instance)


DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_MAX_DEPTH = 200  # "$ref" cycles that never descend into the instance: give up


class _Quick:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.depth = 0

    def check(self, schema: Any, instance: Any) -> bool | None:
        if schema is True:
            return True
        if schema is False:
            return False
        if not isinstance(schema, dict):
            return None
        if schema is self.root:
            if schema.get("$schema", DRAFT_2020_12) != DRAFT_2020_12:
                return None
        elif "$id" in schema or "$schema" in schema:
            return None  # a new base URI (or dialect) for what is below
        if self.depth >= _MAX_DEPTH:
            return None
        self.depth += 1
        try:
            return self._keywords(schema, instance)
        finally:
            self.depth -= 1

    def _keywords(self, schema: dict[str, Any], instance: Any) -> bool | None:
        verdict: bool | None = True
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            handler = _KEYWORDS.get(keyword)
            if handler is None:
                verdict = None  # not understood: it can only add errors
                continue
            found = handler(self, value, instance, schema)
            if found is False:
                return False  # one failing keyword decides, whatever the others say
            if found is None:
                verdict = None
        return verdict

    def resolve(self, ref: Any) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#"):
            return None
        node = self.root
        if ref in ("#", "#/"):
            return node if ref == "#" else None
        if not ref.startswith("#/"):
            return None
        for raw in ref[2:].split("/"):
            if "%" in raw:
                return None
            token = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or token not in node:
                return None
            node = node[token]
        return node


def _all(results: list[bool | None]) -> bool | None:
    if False in results:
        return False
    return None if None in results else True


def _type(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    if not isinstance(value, str) or value not in _TYPES:
        return None
    return isinstance(instance, _TYPES[value])


def _equal(a: Any, b: Any) -> bool | None:
    # jsonschema's equal() compares with == as soon as either side is a string.
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    return None


def _const(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    return _equal(instance, value)


def _enum(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    if not isinstance(value, list):
        return None
    results = [_equal(each, instance) for each in value]
    if True in results:
        return True
    return None if None in results else False


def _required(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    if not isinstance(instance, dict):
        return True
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        return None
    return all(k in instance for k in value)


def _properties(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    if not isinstance(instance, dict):
        return True
    if not isinstance(value, dict):
        return None
    return _all([q.check(sub, instance[k]) for k, sub in value.items() if k in instance])


def _items(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    if not isinstance(instance, list):
        return True
    if "prefixItems" in schema:
        return None
    results: list[bool | None] = []
    for item in instance:
        found = q.check(value, item)
        if found is False:
            return False
        results.append(found)
    return _all(results)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _min_items(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    bound = _count(value)
    if bound is None:
        return None
    return not isinstance(instance, list) or len(instance) >= bound


def _max_items(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    bound = _count(value)
    if bound is None:
        return None
    return not isinstance(instance, list) or len(instance) <= bound


def _unique_items(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    if value is False or not isinstance(instance, list):
        return True
    if value is not True or not all(isinstance(i, str) for i in instance):
        return None
    return len(set(instance)) == len(instance)


def _pattern(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    if not isinstance(instance, str):
        return True
    if not isinstance(value, str):
        return None
    return re.search(value, instance) is not None


def _subschemas(q: _Quick, value: Any, instance: Any) -> list[bool | None] | None:
    if not isinstance(value, list) or not value:
        return None
    return [q.check(sub, instance) for sub in value]


def _all_of(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    results = _subschemas(q, value, instance)
    return None if results is None else _all(results)


def _any_of(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    results = _subschemas(q, value, instance)
    if results is None:
        return None
    if True in results:
        return True
    return None if None in results else False


def _one_of(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    results = _subschemas(q, value, instance)
    if results is None or None in results:
        return None
    return results.count(True) == 1


def _not(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    found = q.check(value, instance)
    return None if found is None else not found


def _ref(q: _Quick, value: Any, instance: Any, schema: Any) -> bool | None:
    target = q.resolve(value)
    if target is None or (isinstance(target, dict) and "$id" in target):
        return None  # another document, or a subschema with its own base URI
    return q.check(target, instance)


_KEYWORDS = {
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
