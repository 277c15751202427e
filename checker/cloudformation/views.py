"""Documents derived from a template: API-shaped data at template positions.

Rules read policies, requests and schemas from ``Source(document, pointer)`` and locate
findings with ``document.location(pointer)``. A :class:`TemplateView` is such a document
whose ``data`` has the shape the rules expect (a policy document, a
CreateMetricAttribution request with camelCase members, get-bucket-encryption output),
and whose ``location()`` translates each pointer of that data back to the template: the
path, line and column of the property written there, the template pointer (so baselines
and in-source suppressions key on the template), and the resource's logical ID. Every rule
thus runs unchanged on templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..document import Document
from ..location import Location, Span, join_pointer
from .nodes import RNode
from .template import Template


@dataclass
class TemplateView(Document):
    """``pointers`` maps a pointer of ``data`` to the template pointer it comes from;
    pointers not in it resolve through their nearest mapped ancestor."""

    template: Template | None = None
    pointers: dict[str, str] = field(default_factory=dict)

    def template_pointer(self, pointer: str) -> tuple[str, bool]:
        """(template pointer, whether ``pointer`` itself is mapped)."""
        probe = pointer
        while probe not in self.pointers and probe:
            probe = probe.rsplit("/", 1)[0]
        return self.pointers.get(probe, ""), probe == pointer

    def location(self, pointer: str = "", *, key: bool = False) -> Location:
        if self.template is None:
            return super().location(pointer, key=key)
        source = self.template.document
        target, exact = self.template_pointer(pointer)
        logical_id = self.template.logical_id_at(target)
        # Inside a value the template has no finer places for (a policy written as a JSON
        # string): the part of the pointer below the view's highest place that comes from
        # the same template place is the focus within that value (see Location.focus).
        top = pointer
        while top and self.template_pointer(top.rsplit("/", 1)[0])[0] == target:
            top = top.rsplit("/", 1)[0]
        focus = pointer[len(top):]
        span = source.key_spans.get(target) if key and exact else None
        if span is None:
            span = source.span_of(target)
            head = source.key_spans.get(target)
            if span and head and logical_id and target == self.template.resource_pointer(
                    logical_id):
                # A whole resource: from its logical ID to its end.
                span = Span(head.line, head.column, span.end_line, span.end_column)
        return Location(path=source.path, span=span, pointer=target, logical_id=logical_id,
                        focus=focus)


# Decides, for a pointer of the view, whether a value that depends on a parameter without
# a default must count as unresolved there (IAM condition values and principals).
StrictFn = Callable[[str], bool]


@dataclass
class Unknown:
    """A value of a view that could not be resolved: where it is used, and why."""

    view_pointer: str
    template_pointer: str
    reason: str


class ViewBuilder:
    """Turns resolved nodes into view data, recording where each part came from."""

    def __init__(self, template: Template, strict: StrictFn | None = None) -> None:
        self.template = template
        self.pointers: dict[str, str] = {}
        self.unknown: list[Unknown] = []
        self.strict = strict

    def map(self, at: str, template_pointer: str) -> None:
        self.pointers[at] = template_pointer

    def reason(self, node: RNode, at: str) -> str | None:
        if node.unresolved is not None:
            return node.unresolved.reason
        if node.params and self.strict is not None and self.strict(at) and not isinstance(
                node.value, dict | list):
            names = ", ".join(sorted(node.params))
            return (f"it depends on the parameter {names}, which has no default value (a "
                    "condition or principal on an unknown parameter cannot be decided)")
        return None

    def plain(self, node: RNode, at: str) -> Any:
        """The node as plain data at view pointer ``at``. An unresolved value becomes a
        non-string (the raw template value), which the IAM evaluator treats as unresolved."""
        self.pointers[at] = node.pointer
        why = self.reason(node, at)
        if why is not None:
            self.unknown.append(Unknown(at, node.pointer, why))
            raw = self.template.document.get(node.pointer)
            return raw if isinstance(raw, dict) else {"Unresolved": raw}
        value = node.value
        if isinstance(value, dict):
            return {k: self.plain(v, join_pointer(at, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.plain(v, join_pointer(at, i)) for i, v in enumerate(value)]
        return value

    def skip(self, node: RNode, at: str, why: str | None = None) -> None:
        """Record a value left out of the view (it could not be resolved)."""
        reason = why or self.reason(node, at) or "it cannot be resolved"
        self.unknown.append(Unknown(at, node.pointer, reason))

    def view(self, data: Any, kind: str, subkind: str | None = None) -> TemplateView:
        return TemplateView(
            path=self.template.path,
            kind=kind,
            data=data,
            subkind=subkind,
            text_format=self.template.document.text_format,
            template=self.template,
            pointers=dict(self.pointers),
        )


def anchor_view(template: Template, pointer: str, kind: str = "unknown") -> TemplateView:
    """A view with no data of its own that locates at one template place (a resource, a
    property): for ``Source``s of roles, buckets and keys."""
    return TemplateView(path=template.path, kind=kind, data={}, template=template,
                        text_format=template.document.text_format, pointers={"": pointer})
