"""``AWS::Personalize::Schema`` as the inventory's ``Schema``.

The ``Schema`` property is the Avro schema as a JSON string (often a YAML block scalar or
an ``Fn::Sub`` of one). The view is shaped like a CreateSchema request (``name``,
``schema`` as a string, ``domain``), which the schema rules read already; positions inside
the string fall back to the ``Schema`` property itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..inventory import Schema, Source
from .intrinsics import Resolver
from .views import TemplateView, Unknown, ViewBuilder


@dataclass
class BuiltSchema:
    schema: Schema | None
    view: TemplateView | None
    unknown: list[Unknown] = field(default_factory=list)


def build_schema(resolver: Resolver, logical_id: str, dataset_type: str | None,
                 consequence: str) -> BuiltSchema:
    template = resolver.template
    builder = ViewBuilder(template)
    builder.map("", template.resource_pointer(logical_id))
    node = resolver.prop(logical_id, "Schema")
    if node is None or node.unresolved is not None:
        pointer = node.pointer if node is not None else template.resource_pointer(logical_id)
        reason = node.unresolved.reason if node is not None and node.unresolved else (
            f"{logical_id} has no Schema property")
        return BuiltSchema(None, None, [Unknown("/schema", pointer, f"{reason}; {consequence}")])
    data: dict[str, Any] = {}
    name = resolver.prop(logical_id, "Name")
    if name is not None and name.text() is not None:
        data["name"] = builder.plain(name, "/name")
    domain = resolver.prop(logical_id, "Domain")
    if domain is not None and domain.text() is not None:
        data["domain"] = builder.plain(domain, "/domain")
    data["schema"] = builder.plain(node, "/schema")
    raw = node.text()
    avro: Any = data["schema"] if isinstance(data["schema"], dict) else None
    if raw is not None:
        try:
            avro = json.loads(raw)
        except ValueError:
            avro = None  # PL503 reports the JSON error from the view
    view = builder.view(data, "schema", dataset_type)
    schema = Schema(avro=avro, source=Source(view), dataset_type=dataset_type,
                    domain=data.get("domain"), name=data.get("name"), raw=raw)
    return BuiltSchema(schema, view, builder.unknown)
