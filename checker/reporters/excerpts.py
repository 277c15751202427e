"""Source excerpts for findings: the lines around a finding, its policy statement marked.

Format-independent (the HTML report renders them). Two kinds of source:

* a file: its text, read again from the run's root; the finding's span is marked, and the
  policy statement around it (the ``.../Statement/N`` ancestor of the finding's pointer,
  located through the loaded document) is marked as its context;
* an account resource (an audit, or a replayed saved inventory): the policy JSON collected
  for that ARN, pretty-printed, with the value at the finding's pointer (and focus, see
  ``Location.focus``) marked in its statement;
* a policy a file holds as a JSON string (a Terraform plan's ``policy``): that JSON,
  pretty-printed, with the finding's focus marked in its statement.

A value a Terraform plan marks sensitive (it writes them in clear) is never shown: a
finding inside one gets no excerpt but that note, and lines of one near a finding are
replaced by it.

Only JSON, YAML and TOML text is excerpted: CSV and JSON Lines files hold data rows (user
and item IDs) that a report should not copy, and they can be huge.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..location import Location, Span, join_pointer

if TYPE_CHECKING:
    from ..document import Document
    from ..inventory import Inventory, Policy

LineRole = Literal["context", "statement", "finding", "gap"]

EXCERPT_SUFFIXES = frozenset({".json", ".yaml", ".yml", ".template", ".toml"})
MAX_FILE_BYTES = 2 * 1024 * 1024  # policies and templates are far smaller
CONTEXT_LINES = 2
MAX_BLOCK_LINES = 30  # a longer statement shows its ends and the finding's lines only
MAX_FOCUS_LINES = 20
MAX_WHOLE_LINES = 60  # a finding about a whole collected document shows this much of it
MAX_LINE_CHARS = 240  # a minified policy is one long line: show a window of it
SENSITIVE = "sensitive in the plan: not shown"
# The last "/Statement" or "/Statement/N" in a pointer: the statement a finding sits in.
_STATEMENT = re.compile(r"^(.*/Statement(?:/\d+)?)(?=/|$)")


@dataclass(frozen=True)
class ExcerptLine:
    """One source line (``number`` 1-based; 0 for a "lines left out" gap). ``mark`` is
    the code-point range ``[start, end)`` of the finding on this line, if any."""

    number: int
    text: str
    role: LineRole
    mark: tuple[int, int] | None = None


@dataclass(frozen=True)
class Excerpt:
    title: str
    lines: tuple[ExcerptLine, ...]
    note: str = ""


@dataclass(frozen=True)
class ResourceDocument:
    """A policy collected from an account: it sits at ``pointer`` in the describe output of
    the resource ``arn``, which is where findings about it point."""

    arn: str
    pointer: str
    data: Any
    name: str


def statement_pointer(pointer: str) -> str | None:
    match = _STATEMENT.match(pointer)
    return match.group(1) if match else None


def resource_documents(inventory: Inventory) -> dict[str, list[ResourceDocument]]:
    """The collected policies of every set-up (those read from files have a document)."""
    found: dict[str, list[ResourceDocument]] = {}
    seen: set[tuple[str, str]] = set()
    for policy in _policies(inventory):
        loc = policy.source.location
        if policy.source.document is not None or loc is None or not loc.arn:
            continue
        if (loc.arn, loc.pointer) in seen:  # a role shared by set-ups is listed once
            continue
        seen.add((loc.arn, loc.pointer))
        name = policy.name or loc.arn
        found.setdefault(loc.arn, []).append(ResourceDocument(loc.arn, loc.pointer,
                                                              policy.data, name))
    return found


def _policies(inventory: Inventory) -> Iterator[Policy]:
    from ..inventory import ManagedPolicyRef, Policy  # the inventory module is loaded by now

    for setup in inventory.setups:
        role = setup.role
        if role is not None:
            if role.trust_policy is not None:
                yield role.trust_policy
            yield from role.policies
            yield from (m.policy for m in role.managed_policies if m.policy is not None)
            boundary = role.permissions_boundary
            if isinstance(boundary, ManagedPolicyRef):
                boundary = boundary.policy  # its document, when it was read
            if isinstance(boundary, Policy):  # not one that could not be used
                yield boundary
        for resource in (setup.bucket, setup.key):
            if resource is not None and resource.policy is not None:
                yield resource.policy


def pretty_json(value: Any) -> tuple[list[str], dict[str, Span]]:
    """``json.dumps(value, indent=2)`` as lines, with the span of every member (its key
    and value, without the comma) by JSON pointer."""
    lines: list[str] = []
    spans: dict[str, Span] = {}

    def emit(item: Any, pointer: str, depth: int, prefix: str, suffix: str) -> None:
        start = len(lines) + 1
        pad = "  " * depth
        if isinstance(item, (dict, list)) and item:
            opening, closing = ("{", "}") if isinstance(item, dict) else ("[", "]")
            lines.append(f"{pad}{prefix}{opening}")
            entries = list(item.items()) if isinstance(item, dict) else list(enumerate(item))
            for i, (key, child) in enumerate(entries):
                label = f"{json.dumps(str(key), ensure_ascii=False)}: " if isinstance(
                    item, dict) else ""
                comma = "," if i < len(entries) - 1 else ""
                emit(child, join_pointer(pointer, key), depth + 1, label, comma)
            lines.append(f"{pad}{closing}{suffix}")
        else:
            text = json.dumps(item, ensure_ascii=False, default=str)
            lines.append(f"{pad}{prefix}{text}{suffix}")
        spans[pointer] = Span(start, len(pad) + 1, len(lines), len(lines[-1]) - len(suffix))

    emit(value, "", 0, "", "")
    return lines, spans


class Excerpter:
    """Finds the excerpt for a finding's location; reads each file at most once."""

    def __init__(self, root: Path, inventory: Inventory | None) -> None:
        self.root = root
        self._documents: dict[str, list[Document]] = {}
        self._resources: dict[str, list[ResourceDocument]] = {}
        if inventory is not None:
            for doc in inventory.documents:
                self._documents.setdefault(doc.path, []).append(doc)
            self._resources = resource_documents(inventory)
        self._texts: dict[str, list[str] | None] = {}
        self._pretty: dict[object, tuple[list[str], dict[str, Span]]] = {}
        self._hidden: dict[str, list[Span]] = {}

    def excerpt(self, loc: Location) -> Excerpt | None:
        if loc.path:
            return self._file_excerpt(loc.path, loc)
        if loc.arn:
            return self._resource_excerpt(loc.arn, loc)
        return None

    # --- files ---------------------------------------------------------------------------

    def _file_excerpt(self, path: str, loc: Location) -> Excerpt | None:
        span = loc.span
        if span is None or not self._excerptable(path):
            return None
        hidden = self._sensitive(path)
        if any(_within(span, secret) for secret in hidden):
            return Excerpt(f"{path}:{span.line}:{span.column}", (), SENSITIVE)
        if loc.focus:
            embedded = self._embedded_excerpt(path, loc, span)
            if embedded is not None:
                return embedded
        lines = self._lines(path)
        if not lines or span.line > len(lines):
            return None
        block = self._statement_span(path, loc.pointer, span) or span
        shown = _window(lines, block, span)
        if hidden:
            shown = [_redacted(line) if any(_touches(line.number, secret) for secret in hidden)
                     else line for line in shown]
        return Excerpt(path, tuple(shown))

    def _sensitive(self, path: str) -> list[Span]:
        """The spans of the values a Terraform plan marks sensitive."""
        if path not in self._hidden:
            self._hidden[path] = [span for doc in self._documents.get(path, ())
                                  if doc.kind == "terraform-plan"
                                  for pointer in sensitive_pointers(doc.data)
                                  if (span := doc.spans.get(pointer)) is not None]
        return self._hidden[path]

    def _embedded_excerpt(self, path: str, loc: Location, span: Span) -> Excerpt | None:
        """A finding inside a policy the file holds as a JSON string (a Terraform plan's
        ``policy``): that JSON, pretty-printed, with the finding's statement marked."""
        for doc in self._documents.get(path, ()):
            text = doc.get(loc.pointer)
            if not isinstance(text, str) or not text.lstrip().startswith(("{", "[")):
                continue
            try:
                data = json.loads(text)
            except ValueError:
                continue
            if isinstance(data, (dict, list)):
                title = f"{path}:{span.line}:{span.column} (the JSON string, pretty-printed)"
                return self._pretty_excerpt((path, loc.pointer), data, title, loc.focus)
        return None

    def _excerptable(self, path: str) -> bool:
        docs = self._documents.get(path)
        if docs:
            return all(d.text_format in ("json", "yaml") for d in docs)
        return Path(path).suffix.lower() in EXCERPT_SUFFIXES

    def _statement_span(self, path: str, pointer: str, span: Span) -> Span | None:
        statement = statement_pointer(pointer)
        if statement is None:
            return None
        for doc in self._documents.get(path, ()):
            found = doc.spans.get(statement)
            if found is not None and found.line <= span.line and (
                    found.end_line >= span.end_line):
                return found
        return None

    def _lines(self, path: str) -> list[str] | None:
        if path not in self._texts:
            self._texts[path] = self._read(path)
        return self._texts[path]

    def _read(self, path: str) -> list[str] | None:
        for candidate in (self.root / path, Path(path)):
            try:
                if not candidate.is_file() or candidate.stat().st_size > MAX_FILE_BYTES:
                    continue
                data = candidate.read_bytes()
            except OSError:
                continue
            # Lines end at "\n" only, as the loaders count them.
            return [line.removesuffix("\r")
                    for line in data.decode("utf-8", errors="replace").split("\n")]
        return None

    # --- account resources ---------------------------------------------------------------

    def _resource_excerpt(self, arn: str, loc: Location) -> Excerpt | None:
        best: ResourceDocument | None = None
        for doc in self._resources.get(arn, ()):
            inside = not doc.pointer or loc.pointer == doc.pointer or loc.pointer.startswith(
                doc.pointer + "/")
            if inside and (best is None or len(doc.pointer) > len(best.pointer)):
                best = doc
        if best is None or not isinstance(best.data, (dict, list)):
            return None
        title = f"{best.name} (as collected, pretty-printed)"
        relative = loc.pointer[len(best.pointer):] + loc.focus
        return self._pretty_excerpt(id(best), best.data, title, relative)

    def _pretty_excerpt(self, key: object, data: Any, title: str, relative: str) -> Excerpt:
        """``data`` pretty-printed; the value at ``relative`` marked within its statement,
        or the whole of it when ``relative`` is empty."""
        if key not in self._pretty:
            self._pretty[key] = pretty_json(data)
        lines, spans = self._pretty[key]
        focus = _nearest(spans, relative) if relative else None
        if focus is None:
            shown = [ExcerptLine(n, lines[n - 1], "context")
                     for n in range(1, min(len(lines), MAX_WHOLE_LINES) + 1)]
            if len(lines) > MAX_WHOLE_LINES:
                shown.append(ExcerptLine(0, "", "gap"))
            return Excerpt(title, tuple(shown), "The finding is about the whole document.")
        statement = statement_pointer(relative)
        block = spans.get(statement) if statement else None
        if block is None or block.line > focus.line or block.end_line < focus.end_line:
            block = focus
        return Excerpt(title, tuple(_window(lines, block, focus)))


def sensitive_pointers(plan: Any) -> list[str]:
    """Pointers of the values a ``terraform show -json`` plan marks sensitive: it writes
    them in clear, and marks them in ``before_sensitive``/``after_sensitive`` (changes) and
    ``sensitive_values`` (planned values and prior state), ``true`` where sensitive."""
    found: list[str] = []
    if not isinstance(plan, dict):
        return found
    changes = plan.get("resource_changes")
    for i, entry in enumerate(changes if isinstance(changes, list) else ()):
        change = entry.get("change") if isinstance(entry, dict) else None
        if isinstance(change, dict):
            for when in ("before", "after"):
                _masked(change.get(f"{when}_sensitive"),
                        join_pointer("/resource_changes", i, "change", when), found)
    for section, inner in (("planned_values", ()), ("prior_state", ("values",))):
        module = plan.get(section)
        pointer = f"/{section}"
        for step in (*inner, "root_module"):
            module = module.get(step) if isinstance(module, dict) else None
            pointer = join_pointer(pointer, step)
        _module_masks(module, pointer, found)
    return found


def _module_masks(module: Any, pointer: str, found: list[str]) -> None:
    if not isinstance(module, dict):
        return
    resources = module.get("resources")
    for i, resource in enumerate(resources if isinstance(resources, list) else ()):
        if isinstance(resource, dict):
            _masked(resource.get("sensitive_values"),
                    join_pointer(pointer, "resources", i, "values"), found)
    children = module.get("child_modules")
    for i, child in enumerate(children if isinstance(children, list) else ()):
        _module_masks(child, join_pointer(pointer, "child_modules", i), found)


def _masked(mask: Any, pointer: str, found: list[str]) -> None:
    if mask is True:
        found.append(pointer)
    elif isinstance(mask, dict):
        for key, inner in mask.items():
            _masked(inner, join_pointer(pointer, key), found)
    elif isinstance(mask, list):
        for i, inner in enumerate(mask):
            _masked(inner, join_pointer(pointer, i), found)


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (
        inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def _touches(number: int, span: Span) -> bool:
    return span.line <= number <= span.end_line


def _redacted(line: ExcerptLine) -> ExcerptLine:
    if line.role == "gap":
        return line
    indent = line.text[:len(line.text) - len(line.text.lstrip())]
    return ExcerptLine(line.number, f"{indent}({SENSITIVE})", line.role)


def _nearest(spans: dict[str, Span], pointer: str) -> Span | None:
    while pointer:
        if pointer in spans:
            return spans[pointer]
        pointer = pointer.rsplit("/", 1)[0]
    return None


def _window(lines: list[str], block: Span, focus: Span) -> list[ExcerptLine]:
    """The block (statement) with some context; a long block shows its first and last
    lines and the finding's lines with their context, and marks the left-out lines."""
    total = len(lines)
    first, last = block.line, min(max(block.end_line, block.line), total)
    focus_first = focus.line
    focus_last = min(max(focus.end_line, focus.line), total)
    if last - first + 1 <= MAX_BLOCK_LINES:
        wanted = set(range(first - CONTEXT_LINES, last + CONTEXT_LINES + 1))
    else:
        focus_end = min(focus_last, focus_first + MAX_FOCUS_LINES - 1)
        wanted = {*range(first - CONTEXT_LINES, first + 1),
                  *range(focus_first - CONTEXT_LINES, focus_end + CONTEXT_LINES + 1),
                  *range(last, last + CONTEXT_LINES + 1)}
    shown: list[ExcerptLine] = []
    previous = 0
    for number in sorted(n for n in wanted if 1 <= n <= total):
        if previous and number > previous + 1:
            shown.append(ExcerptLine(0, "", "gap"))
        previous = number
        text = lines[number - 1]
        if focus_first <= number <= focus_last:
            start = focus.column - 1 if number == focus_first else len(text) - len(text.lstrip())
            end = focus.end_column if number == focus_last else len(text)
            start = min(max(start, 0), len(text))
            end = min(max(end, start + 1), len(text)) if text else start
            text, mark = _clip(text, (start, end))
            shown.append(ExcerptLine(number, text, "finding", mark))
        else:
            role: LineRole = "statement" if first <= number <= last else "context"
            shown.append(ExcerptLine(number, _clip(text, None)[0], role))
    return shown


def _clip(text: str, mark: tuple[int, int] | None) -> tuple[str, tuple[int, int] | None]:
    """A window of a long line around the mark (or its start), with "…" where cut."""
    if len(text) <= MAX_LINE_CHARS:
        return text, mark
    start = max(0, (mark[0] if mark else 0) - MAX_LINE_CHARS // 3)
    end = min(len(text), start + MAX_LINE_CHARS)
    head = "…" if start else ""
    clipped = head + text[start:end] + ("…" if end < len(text) else "")
    if mark is None:
        return clipped, None
    shift = len(head) - start
    return clipped, (mark[0] + shift, min(mark[1], end) + shift)
