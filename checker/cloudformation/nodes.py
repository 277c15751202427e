"""Resolved template values that remember where they came from.

An :class:`RNode` is a value after intrinsic functions ran, plus the template pointer it
comes from: a literal keeps its own position; a value an intrinsic computed (a ``Fn::Sub``
string, a parameter's default reached through ``Ref``) takes the position of the call that
produced it, because that is what the user wrote at that place. Containers hold RNodes,
so positions survive reshaping into API requests (see :mod:`.views`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .symbols import NO_VALUE, Unresolved

EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RNode:
    """``value`` is a JSON scalar, :class:`Unresolved`, ``dict[str, RNode]`` or
    ``list[RNode]``. ``params`` names the template parameters without a default and
    ``pseudo`` the pseudo parameters (or generated names) the value depends on."""

    pointer: str
    value: Any
    params: frozenset[str] = EMPTY
    pseudo: frozenset[str] = EMPTY

    @property
    def unresolved(self) -> Unresolved | None:
        return self.value if isinstance(self.value, Unresolved) else None

    @property
    def symbolic(self) -> bool:
        return bool(self.params or self.pseudo)

    def member(self, *path: str | int) -> RNode | None:
        """A child by keys / indexes, or None when absent."""
        node: RNode | None = self
        for token in path:
            if node is None:
                return None
            value = node.value
            if isinstance(token, int) and isinstance(value, list) and token < len(value):
                node = value[token]
            elif isinstance(token, str) and isinstance(value, dict):
                node = value.get(token)
            else:
                return None
        return node

    def text(self) -> str | None:
        """The value if it is a resolved string."""
        return self.value if isinstance(self.value, str) else None

    def items(self) -> list[RNode]:
        """List items, or the value itself as a one-item list (IAM's "string or list")."""
        if isinstance(self.value, list):
            return list(self.value)
        return [self]


def plain(node: RNode) -> Any:
    """The value as plain JSON data, or the first :class:`Unresolved` inside it."""
    value = node.value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, child in value.items():
            item = plain(child)
            if isinstance(item, Unresolved):
                return item
            out[key] = item
        return out
    if isinstance(value, list):
        items = []
        for child in value:
            item = plain(child)
            if isinstance(item, Unresolved):
                return item
            items.append(item)
        return items
    return value


def symbols_of(node: RNode) -> tuple[frozenset[str], frozenset[str]]:
    """(params, pseudo) used anywhere in the value."""
    params, pseudo = set(node.params), set(node.pseudo)
    value = node.value
    children = value.values() if isinstance(value, dict) else value if isinstance(
        value, list) else ()
    for child in children:
        p, s = symbols_of(child)
        params |= p
        pseudo |= s
    return frozenset(params), frozenset(pseudo)


def to_node(value: Any, pointer: str, params: frozenset[str] = EMPTY,
            pseudo: frozenset[str] = EMPTY) -> RNode:
    """Wrap computed plain data: every part takes the position of the call."""
    if isinstance(value, dict):
        return RNode(pointer, {k: to_node(v, pointer, params, pseudo) for k, v in value.items()},
                     params, pseudo)
    if isinstance(value, list):
        return RNode(pointer, [to_node(v, pointer, params, pseudo) for v in value], params,
                     pseudo)
    return RNode(pointer, value, params, pseudo)


def at(node: RNode, pointer: str) -> RNode:
    """A computed value moved to the place it is used (cached results are shared)."""
    value = node.value
    if isinstance(value, dict):
        value = {k: at(v, pointer) for k, v in value.items()}
    elif isinstance(value, list):
        value = [at(v, pointer) for v in value]
    return replace(node, pointer=pointer, value=value)


def unresolved(pointer: str, reason: str) -> RNode:
    return RNode(pointer, Unresolved(reason))


def concat(pointer: str, *parts: str | RNode) -> RNode:
    """Join strings and string nodes into one string node; Unresolved wins, symbols add up."""
    text = []
    params: set[str] = set()
    pseudo: set[str] = set()
    for part in parts:
        if isinstance(part, str):
            text.append(part)
            continue
        if part.unresolved is not None:
            return RNode(pointer, part.unresolved)
        value = part.value
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, str):
            return unresolved(pointer, "a list or object is used where a string is needed")
        text.append(value)
        params |= part.params
        pseudo |= part.pseudo
    return RNode(pointer, "".join(text), frozenset(params), frozenset(pseudo))


def is_no_value(node: RNode) -> bool:
    return node.value is NO_VALUE
