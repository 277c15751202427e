"""Metric attributions in the templates of ``aws_cloudformation_stack`` resources.

A metric attribution is not a resource of the AWS provider; a plan can still create one
through a CloudFormation stack whose ``template_body`` holds it. The template is read as
CloudFormation (its intrinsics resolved, its ``parameters`` given by the stack, their
unknown values followed to the plan's resources), and the attribution it defines is linked
to the plan's role, bucket, key and dataset group. Positions inside the template body are
those of the ``template_body`` attribute in the plan (a string holds no finer positions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..cloudformation.intrinsics import Resolver
from ..cloudformation.linker import METRIC_ATTRIBUTION, Linked, Targets, attribution_setup
from ..cloudformation.links import Note
from ..cloudformation.nodes import RNode, at
from ..cloudformation.template import Template
from ..cloudformation.views import anchor_view
from ..document import Document
from ..findings import Finding
from ..inventory import MissingInput
from ..loaders.errors import ParseError
from ..location import Span
from .linker import PlanLinker
from .plan import Instance

STACK = "aws_cloudformation_stack"


@dataclass
class EmbeddedDocument(Document):
    """A template held in a string of the plan: every place is the string's place."""

    outer: Span | None = None

    def span_of(self, pointer: str) -> Span | None:
        return self.outer


class EmbeddedTemplate(Template):
    """A stack's template; its resources are named ``<stack address>/<logical ID>``."""

    def __init__(self, document: EmbeddedDocument, base: str, stack: str) -> None:
        super().__init__(document, base)
        self.stack = stack

    def logical_id_at(self, pointer: str) -> str | None:
        inner = super().logical_id_at(pointer)
        return f"{self.stack}/{inner}" if inner else self.stack

    def describe(self, pointer: str) -> str:
        return f"{self.stack}: {Template(self.document, self.base).describe(pointer)}"


class StackResolver(Resolver):
    """Resolves a stack template with the parameter values the stack gives it."""

    def __init__(self, template: Template, pseudo: Mapping[str, str],
                 given: dict[str, RNode]) -> None:
        super().__init__(template, pseudo)
        self.given = given

    def parameter(self, name: str, pointer: str) -> RNode:
        if name in self.given:
            return at(self.given[name], pointer)
        return super().parameter(name, pointer)


@dataclass
class StackAttribution:
    stack: Instance
    template: EmbeddedTemplate
    resolver: StackResolver
    logical_id: str


@dataclass
class Stacks:
    attributions: list[StackAttribution]
    problems: list[Finding]
    unread: list[str]  # stacks whose template the plan does not hold, and why


def read_stacks(linker: PlanLinker, max_depth: int, max_aliases: int) -> Stacks:
    found = Stacks([], [], [])
    r = linker.resolver
    for stack in linker.plan.of_types(STACK):
        if stack.mode != "managed":
            continue
        body = r.value(stack, "template_body")
        if body is None:
            if r.value(stack, "template_url") is not None:
                found.unread.append(f"{stack.address} takes its template from template_url")
            continue
        if body.unresolved is not None or not isinstance(body.value, str):
            reason = body.unresolved.reason if body.unresolved else "it is not a string"
            found.unread.append(f"{stack.address}.template_body: {reason}")
            continue
        where = linker.where(body.pointer)
        try:
            parsed = _parse(body.value, max_depth, max_aliases)
        except ParseError as exc:
            found.problems.append(Finding(
                "PL001", f"the template_body of {stack.address} cannot be parsed: "
                         f"{exc.message} (line {exc.line}, column {exc.column} of the "
                         "template)", where))
            continue
        document = EmbeddedDocument(path=linker.plan.path, kind="cloudformation",
                                    data=parsed.data, outer=where.span)
        data = parsed.data if isinstance(parsed.data, dict) else {}
        if not isinstance(data.get("Resources"), dict):
            continue
        template = EmbeddedTemplate(document, "/Resources", stack.address)
        resolver = StackResolver(template, r.pseudo_values, _parameters(linker, stack))
        for logical_id in template.of_type(METRIC_ATTRIBUTION):
            found.attributions.append(StackAttribution(stack, template, resolver, logical_id))
    return found


def _parse(text: str, max_depth: int, max_aliases: int) -> Any:
    from ..loaders.jsonpos import parse_json

    if text.lstrip().startswith("{"):
        return parse_json(text, max_depth=max_depth)
    from ..loaders.yamlpos import parse_yaml  # PyYAML only for a YAML template body

    return parse_yaml(text, max_depth=max_depth, max_aliases=max_aliases)


def _parameters(linker: PlanLinker, stack: Instance) -> dict[str, RNode]:
    """The stack's ``parameters``: known values, or what their references lead to."""
    r = linker.resolver
    given = r.value(stack, "parameters")
    if given is None or given.unresolved is not None or not isinstance(given.value, dict):
        return {}
    out: dict[str, RNode] = {}
    for name, node in given.value.items():
        linked = r.link(stack, "parameters", name) if node.unresolved is not None else node
        if linked is not None:
            out[name] = linked
    return out


def link_stack(linker: PlanLinker, found: StackAttribution) -> Linked:
    """The set-up a stack's metric attribution stands for, linked to the plan."""
    template, lid = found.template, found.logical_id
    setup, translated = attribution_setup(template, lid, found.resolver,
                                          f"{linker.plan.path}#{found.stack.address}/{lid}",
                                          "terraform")
    linker.problems.extend(translated.problems)
    view = translated.view
    notes = [Note(("metric-attribution",), MissingInput(
        template.describe(u.template_pointer), u.reason,
        anchor_view(template, u.template_pointer).location())) for u in translated.unknown]
    linker.link(setup, Targets.of(view.data), view, notes)
    return Linked(setup, notes)
