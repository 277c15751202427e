"""Terraform addresses and references, split into their steps.

``module.app[0].aws_iam_role.metrics["a.b"].arn`` is the steps ``module``, ``app``, ``[0]``,
``aws_iam_role``, ``metrics``, ``["a.b"]``, ``arn``: dots and brackets inside quoted keys
are part of the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Reference roots that are not resources (the Terraform language's named values).
NOT_RESOURCES = frozenset({"var", "local", "module", "each", "count", "path", "terraform",
                           "self"})


@dataclass(frozen=True)
class Key:
    """An instance key step: ``[0]`` or ``["name"]``."""

    value: Any


Step = str | Key


def steps(text: str) -> list[Step]:
    """The steps of an address or reference; an unreadable key ends the list there."""
    out: list[Step] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == ".":
            i += 1
            continue
        if char == "[":
            end = key_end(text, i + 1)
            if end < 0:
                return out
            raw = text[i + 1:end]
            try:
                out.append(Key(json.loads(raw)))
            except ValueError:
                out.append(Key(raw))  # [count.index], [each.key]: not a constant key
            i = end + 1
            continue
        j = i
        while j < n and text[j] not in ".[":
            j += 1
        out.append(text[i:j])
        i = j
    return out


def key_end(text: str, start: int) -> int:
    """The index of the ``]`` closing a key that starts at ``start``, or -1."""
    i, quoted = start, False
    while i < len(text):
        char = text[i]
        if quoted:
            if char == "\\":
                i += 2
                continue
            if char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "]":
            return i
        i += 1
    return -1


def module_calls(module_address: str) -> tuple[str, ...]:
    """``module.a[0].module.b`` -> ``("a", "b")``: the module calls, without instance keys."""
    parts = steps(module_address)
    return tuple(str(parts[i + 1]) for i, step in enumerate(parts[:-1])
                 if step == "module" and isinstance(parts[i + 1], str))


@dataclass(frozen=True)
class Reference:
    """A reference of a configuration expression, read from the steps of its text."""

    root: str  # "resource", "data", "var", "module", "local", ...
    type: str = ""  # resource type (resource and data references)
    name: str = ""  # resource name, variable name, module call name, output name ...
    key: Key | None = None  # instance key, when the reference names one
    attribute: str | None = None  # first attribute after the object, if any
    output: str | None = None  # module output name (module references)


def parse_reference(text: str) -> Reference | None:
    parts = steps(text)
    if not parts or not isinstance(parts[0], str):
        return None
    head = parts[0]
    if head == "data":
        rest = parts[1:]
        root = "data"
    elif head in NOT_RESOURCES:
        if head == "module" and len(parts) >= 2 and isinstance(parts[1], str):
            tail = parts[2:]
            key = tail[0] if tail and isinstance(tail[0], Key) else None
            if key is not None:
                tail = tail[1:]
            output = tail[0] if tail and isinstance(tail[0], str) else None
            return Reference("module", name=parts[1], key=key, output=output)
        name = parts[1] if len(parts) >= 2 and isinstance(parts[1], str) else ""
        return Reference(head, name=name)
    else:
        rest = parts
        root = "resource"
    if len(rest) < 2 or not isinstance(rest[0], str) or not isinstance(rest[1], str):
        return None
    tail = rest[2:]
    key = tail[0] if tail and isinstance(tail[0], Key) else None
    if key is not None:
        tail = tail[1:]
    attribute = tail[0] if tail and isinstance(tail[0], str) else None
    return Reference(root, type=rest[0], name=rest[1], key=key, attribute=attribute)
