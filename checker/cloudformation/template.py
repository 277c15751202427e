"""A loaded template seen as CloudFormation: resources, parameters, mappings, conditions.

Besides whole templates (kind ``cloudformation``), a *fragment* is accepted: a mapping of
logical IDs to resources with nothing around it, as pasted into notebooks and docs. Its
resources then sit at the top level rather than under ``/Resources``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..document import Document
from ..location import (
    escape_pointer_token,
    join_pointer,
    pointer_tokens,
    unescape_pointer_token,
)

RESOURCE_TYPE_PREFIXES = ("AWS::", "Custom::", "Alexa::")


def _is_resource(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("Type"), str) and value[
        "Type"
    ].startswith(RESOURCE_TYPE_PREFIXES)


def is_fragment(data: Any) -> bool:
    """A bare mapping of logical IDs to resources (no Resources section around it)."""
    return isinstance(data, dict) and bool(data) and all(_is_resource(v) for v in data.values())


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass
class Template:
    document: Document
    base: str  # pointer of the resources mapping: "/Resources", or "" for a fragment

    @classmethod
    def of(cls, document: Document) -> Template | None:
        data = document.data
        if not isinstance(data, dict):
            return None
        if isinstance(data.get("Resources"), dict):
            return cls(document, "/Resources")
        return cls(document, "") if is_fragment(data) else None

    @property
    def path(self) -> str:
        return self.document.path

    @property
    def data(self) -> dict[str, Any]:
        return _dict(self.document.data)

    @property
    def resources(self) -> dict[str, Any]:
        return self.data if not self.base else _dict(self.data.get("Resources"))

    def section(self, name: str) -> dict[str, Any]:
        """Parameters, Mappings or Conditions (empty for a fragment)."""
        return _dict(self.data.get(name)) if self.base else {}

    def resource_pointer(self, logical_id: str) -> str:
        return f"{self.base}/{escape_pointer_token(logical_id)}"

    def property_pointer(self, logical_id: str, *tokens: str | int) -> str:
        return join_pointer(self.resource_pointer(logical_id), "Properties", *tokens)

    def type_of(self, logical_id: str) -> str | None:
        value = _dict(self.resources.get(logical_id)).get("Type")
        return value if isinstance(value, str) else None

    def properties(self, logical_id: str) -> dict[str, Any]:
        return _dict(_dict(self.resources.get(logical_id)).get("Properties"))

    def of_type(self, *types: str) -> Iterator[str]:
        """Logical IDs of the resources of these types, in template order."""
        for logical_id, resource in self.resources.items():
            if _is_resource(resource) and resource["Type"] in types:
                yield logical_id

    def logical_id_at(self, pointer: str) -> str | None:
        """The logical ID of the resource a template pointer is inside, if any."""
        prefix = self.base + "/"
        if not pointer.startswith(prefix):
            return None
        token = pointer[len(prefix) :].split("/", 1)[0]
        logical_id = unescape_pointer_token(token)
        return logical_id if logical_id in self.resources else None

    def describe(self, pointer: str) -> str:
        """A readable name for a template place: ``Role.Policies[0].PolicyName`` for
        ``/Resources/Role/Properties/Policies/0/PolicyName``."""
        logical_id = self.logical_id_at(pointer)
        if logical_id is None:
            return pointer.lstrip("/").replace("/", ".") or self.path
        rest = pointer[len(self.resource_pointer(logical_id)) :]
        return dotted(logical_id, rest.removeprefix("/Properties"))


def dotted(name: str, rest: str) -> str:
    """``Role.Policies[0].PolicyName``: a name, then the pointer below it in dots and
    indexes."""
    out = name
    for token in pointer_tokens(rest):
        out += f"[{token}]" if token.isdigit() else f".{token}"
    return out
