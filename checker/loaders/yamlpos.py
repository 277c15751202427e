"""YAML to JSON-like data, with the span of every key and value.

Only PyYAML's safe machinery is used: its scanner and parser (libyaml's through CSafeLoader
when available) produce events, and SafeLoader's implicit resolver and scalar constructors
give YAML 1.1 scalar types. The tree is built here, from the events, rather than by
``yaml.compose`` + a constructor, for three reasons:

* every value and key gets a mark, including values reached through aliases and merges;
* aliases are counted *before* anything is expanded, so an alias bomb is refused after
  reading its few lines, not after building a billion nodes;
* the build is iterative and checks the depth bound where it is crossed, so a deeply nested
  file cannot exhaust the Python stack.

Rules (beyond YAML 1.1 as SafeLoader reads it):

* one document per file; a second one is an error pointing at it;
* duplicate mapping keys are an error at the second key (merged ``<<`` keys may be overridden);
* mapping keys become strings: the key's source text (``on: x`` gives ``{"on": "x"}``, not
  ``{True: "x"}``), since every format read here has string keys;
* timestamps stay the original string (a policy's ``Version: 2012-10-17`` is a string);
* CloudFormation short-form tags become their long form (``!Ref X`` -> ``{"Ref": "X"}``);
  any other application tag, and ``!!binary``/``!!set``/``!!omap``/``!!pairs``, is an error;
* a value reached through an alias is the same Python object as the anchored one (as with
  PyYAML); treat parsed data as read-only.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from ..location import Span, escape_pointer_token
from .errors import ParseError
from .jsonpos import Parsed

__all__ = ["CFN_TAGS", "MAX_YAML_NODES", "parse_yaml"]

# Values a document may expand to through aliases; past this, PL001 names max-yaml-aliases.
MAX_YAML_NODES = 1_000_000

# CloudFormation short forms and the long-form key each becomes.
CFN_TAGS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!Equals": "Fn::Equals",
    "!FindInMap": "Fn::FindInMap",
    "!GetAtt": "Fn::GetAtt",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!Sub": "Fn::Sub",
    "!If": "Fn::If",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Not": "Fn::Not",
    "!Transform": "Fn::Transform",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
}

_STD = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_STD + t for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _MERGE, _VALUE = (_STD + t for t in ("timestamp", "merge", "value"))
_SEQ, _MAP = _STD + "seq", _STD + "map"
# Resolved tags whose value stays the source text ("<<" and "=" only mean something as keys).
_KEEP_TEXT = frozenset((_STR, "!", _TIMESTAMP, _MERGE, _VALUE))
# YAML line breaks, as PyYAML counts lines (for positions it does not give us directly).
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

_CPARSER: type[Any] | None
try:  # libyaml's parser is several times faster; the pure one gives the same events.
    from yaml._yaml import CParser as _CPARSER

    _DEFAULT_LOADER: type[Any] = yaml.CSafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CPARSER = None
    _DEFAULT_LOADER = yaml.SafeLoader

_CONSTRUCTOR = SafeConstructor()


def parse_yaml(text: str, *, max_depth: int, max_aliases: int) -> Parsed:
    """Parse one YAML document; raise ParseError with a 1-based line and column.

    ``max_depth`` bounds the nesting of the resulting data (CloudFormation long forms
    included); ``max_aliases`` bounds alias expansions, counted as in the expanded document.
    """
    return _Builder(text, max_depth, max_aliases, _DEFAULT_LOADER).parse()


class _Loc:
    """Where a value is: its span and, for containers, its children's locations.

    ``items`` is None for a scalar, a list of _Loc for a sequence, and for a mapping a dict
    of key -> (key span, _Loc). ``wrapped`` marks a CloudFormation long form made from a tag.
    """

    __slots__ = ("items", "span", "wrapped")

    def __init__(
        self, span: Span, items: list[_Loc] | dict[str, tuple[Span, _Loc]] | None = None
    ) -> None:
        self.span = span
        self.items = items
        self.wrapped = False


class _Anchor:
    __slots__ = ("aliases", "height", "loc", "nodes", "raw", "value")

    def __init__(
        self, value: Any, loc: _Loc, height: int, nodes: int, aliases: int, raw: str | None
    ) -> None:
        self.value = value
        self.loc = loc
        self.height = height  # levels of nesting in the value
        self.nodes = nodes  # values in it, expansions included
        self.aliases = aliases  # alias expansions in it
        self.raw = raw  # source text of a scalar (for use as a key)


class _Frame:
    """An open sequence or mapping."""

    __slots__ = (
        "aliases_at_start",
        "anchor",
        "data",
        "depth",
        "first_key_line",
        "flow",
        "height",
        "items",
        "key",
        "key_span",
        "last_end",
        "merges",
        "nodes_at_start",
        "start",
        "tag",
    )

    def __init__(self, is_map: bool, event: Any, tag: str | None, depth: int) -> None:
        self.data: Any = {} if is_map else []
        self.items: Any = {} if is_map else []
        self.start = event.start_mark
        self.flow = bool(event.flow_style)
        self.anchor: str | None = event.anchor
        self.tag = tag  # CloudFormation long-form key, when the collection was tagged
        self.depth = depth
        self.height = 0  # greatest height of a child
        self.nodes_at_start = 0
        self.aliases_at_start = 0
        self.last_end: tuple[int, int] | None = None  # inclusive 1-based end of last child
        # Mapping state: the key waiting for its value (None: a key is expected next).
        self.key: str | None = None
        self.key_span: Span | None = None
        self.first_key_line: dict[str, int] = {}
        self.merges: list[list[tuple[dict[str, Any], _Loc]]] = []


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


class _Builder:
    def __init__(self, text: str, max_depth: int, max_aliases: int, loader: type[Any]) -> None:
        self.text = text
        self.max_depth = max_depth
        self.max_aliases = max_aliases
        self.loader_class = loader
        self.resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = (
            loader.yaml_implicit_resolvers
        )
        self.anchors: dict[str, _Anchor] = {}
        self.open_anchors: dict[str, int] = {}  # anchor -> line, while its node is being built
        self.stack: list[_Frame] = []
        self.nodes = 0
        self.aliases = 0
        self._lines: list[str] | None = None
        self._line_starts: list[int] | None = None

    # -- positions --------------------------------------------------------------------------

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = _BREAK.split(self.text)
        return self._lines

    def end_of(self, start: Any, end: Any) -> tuple[int, int]:
        """Inclusive 1-based end of a node from PyYAML's exclusive 0-based end mark."""
        if (end.line, end.column) <= (start.line, start.column):  # an empty scalar
            return start.line + 1, start.column + 1
        if end.column > 0:
            return end.line + 1, end.column
        # The node ends with its line break (a block scalar): point at its last character.
        lines = self.lines()
        line = end.line - 1
        while line > start.line and not lines[line].strip():
            line -= 1
        return line + 1, max(len(lines[line].rstrip()), 1)

    def span_of(self, start: Any, end: Any) -> Span:
        end_line, end_column = self.end_of(start, end)
        return Span(start.line + 1, start.column + 1, end_line, end_column)

    def error(self, message: str, mark: Any, limit: str | None = None) -> ParseError:
        return ParseError(message, mark.line + 1, mark.column + 1, limit)

    def index_position(self, index: int) -> tuple[int, int]:
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in _BREAK.finditer(self.text)]
        line = bisect_right(self._line_starts, index) - 1
        return line + 1, index - self._line_starts[line] + 1

    # -- the parse --------------------------------------------------------------------------

    def parse(self) -> Parsed:
        loader: Any = None
        try:
            loader = self.loader_class(self.text)  # the pure reader checks characters here
            root = self.build(loader)
        except yaml.MarkedYAMLError as exc:
            raise self.yaml_error(exc) from None
        except yaml.reader.ReaderError as exc:
            raise self.reader_error(exc) from None
        except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of above
            raise ParseError(" ".join(str(exc).split()), 1, 1) from None
        finally:
            if loader is not None:
                loader.dispose()
        data, loc = root
        return Parsed(data, *_flatten(loc))

    def build(self, loader: Any) -> tuple[Any, _Loc]:
        get_event = loader.get_event
        stack = self.stack
        documents = 0
        root: tuple[Any, _Loc] | None = None
        root_event: Any = None
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                if stack and stack[-1].key is None and type(stack[-1].data) is dict:
                    self.take_key(stack[-1], event)
                    continue
                value, loc, height, nodes = self.scalar(event)
                self.nodes += nodes
                if event.anchor is not None:
                    self.define_anchor(event, _Anchor(value, loc, height, nodes, 0, event.value))
                result = self.deliver(value, loc, height, event)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                self.open(event, kind is MappingStartEvent)
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                result = self.close(event)
            elif kind is AliasEvent:
                result = self.alias(event)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.error(
                        "multiple YAML documents in one file (only one is allowed)",
                        event.start_mark,
                    )
                continue
            elif kind is StreamEndEvent:
                break
            else:  # StreamStart, DocumentEnd
                continue
            if result is not None:
                root, root_event = result, event
        # A stream with no document, or only an empty one ("---" alone), has nothing to check.
        if root is None or (
            root[1].items is None
            and root[0] is None
            and not getattr(root_event, "value", "x")
            and not getattr(root_event, "tag", None)
        ):
            raise ParseError("empty document", 1, 1)
        return root

    # -- scalars, aliases and keys ----------------------------------------------------------

    def scalar(self, event: Any) -> tuple[Any, _Loc, int, int]:
        """A scalar's value, location, height and node count (CloudFormation forms included)."""
        span = self.span_of(event.start_mark, event.end_mark)
        tag: str | None = event.tag
        raw: str = event.value
        if tag is None or tag == "!":
            # implicit[0]: PyYAML resolves plain scalars, and (a quirk kept for parity with
            # SafeLoader) any scalar with the non-specific tag "!".
            value = self.resolve_plain(raw, event) if event.implicit[0] else raw
            return value, _Loc(span), 0, 1
        if tag in CFN_TAGS:
            name = CFN_TAGS[tag]
            depth = (self.stack[-1].depth if self.stack else 0) + (2 if tag == "!GetAtt" else 1)
            if depth > self.max_depth:
                raise self.depth_error(event.start_mark)
            # The argument is kept as text (as CloudFormation reads it). The long form's key
            # and argument have no text of their own: they share the tagged node's span.
            inner: Any = raw
            inner_loc = _Loc(span)
            height, nodes = 1, 2
            if tag == "!GetAtt":  # "Resource.Attribute"; the attribute may contain dots
                inner = raw.split(".", 1)
                inner_loc = _Loc(span, [_Loc(span) for _ in inner])
                height, nodes = 2, 2 + len(inner)
            loc = _Loc(span, {name: (span, inner_loc)})
            loc.wrapped = True
            return {name: inner}, loc, height, nodes
        return self.construct(tag, raw, event), _Loc(span), 0, 1

    def resolve_plain(self, raw: str, event: Any) -> Any:
        """YAML 1.1 implicit typing, as SafeLoader does it (timestamps stay strings)."""
        resolvers = self.resolvers.get(raw[0] if raw else "", ())
        for tag, pattern in resolvers:
            if pattern.match(raw):
                if tag in _KEEP_TEXT:
                    return raw
                if tag == _NULL:
                    return None
                return self.construct(tag, raw, event, implicit=True)
        return raw

    def construct(self, tag: str, raw: str, event: Any, *, implicit: bool = False) -> Any:
        """A scalar of a standard tag (``implicit``: the tag came from the resolver)."""
        if tag in _KEEP_TEXT:
            return raw
        node = ScalarNode(tag, raw)
        try:
            if tag == _INT:
                return _CONSTRUCTOR.construct_yaml_int(node)
            if tag == _FLOAT:
                return _CONSTRUCTOR.construct_yaml_float(node)
            if tag == _BOOL:
                return _CONSTRUCTOR.construct_yaml_bool(node)
            if tag == _NULL:
                return None
        except (ValueError, KeyError, IndexError, ConstructorError):
            if implicit:  # only a huge integer fails here (Python's int digit limit)
                message = f"number too large ({len(raw)} characters)"
                raise self.error(message, event.start_mark) from None
            raise self.error(
                f"invalid value {raw!r} for tag {_tag_name(tag)}", event.start_mark
            ) from None
        if tag.startswith(_STD):
            raise self.error(f"unsupported YAML tag {_tag_name(tag)}", event.start_mark)
        raise self.error(f"unknown YAML tag {tag}", event.start_mark)

    def take_key(self, frame: _Frame, event: Any) -> None:
        tag = event.tag
        if tag in CFN_TAGS:
            raise self.error(f"{tag} cannot be used on a mapping key", event.start_mark)
        value = event.value
        if tag is not None or event.anchor is not None:
            value = self.scalar(event)[0]  # validates the tag and the value
        if event.anchor is not None:
            span = self.span_of(event.start_mark, event.end_mark)
            self.define_anchor(event, _Anchor(value, _Loc(span), 0, 1, 0, event.value))
        self.set_key(frame, event.value, event, merge=tag is None and not event.style)

    def set_key(self, frame: _Frame, key: str, event: Any, *, merge: bool) -> None:
        span = self.span_of(event.start_mark, event.end_mark)
        if merge and key == "<<":
            frame.key, frame.key_span = "<<", None  # a merge, not a member
            return
        first = frame.first_key_line.get(key)
        if first is not None:
            raise self.error(
                f"duplicate key {key!r} (first defined on line {first})", event.start_mark
            )
        frame.first_key_line[key] = span.line
        frame.key, frame.key_span = key, span

    def alias(self, event: Any) -> tuple[Any, _Loc] | None:
        name = event.anchor
        anchor = self.anchors.get(name)
        if anchor is None:
            if name in self.open_anchors:
                raise self.error(
                    f"recursive alias *{name}: it refers to a node that contains it",
                    event.start_mark,
                )
            raise self.error(f"undefined alias *{name}", event.start_mark)
        stack = self.stack
        if stack and stack[-1].key is None and type(stack[-1].data) is dict:
            if anchor.raw is None:
                raise self.error("a mapping key must be a scalar", event.start_mark)
            self.set_key(stack[-1], anchor.raw, event, merge=False)
            return None
        self.aliases += 1 + anchor.aliases
        self.nodes += anchor.nodes
        if self.aliases > self.max_aliases:
            raise self.error(
                f"too many YAML alias expansions (more than {self.max_aliases}; max-yaml-aliases)",
                event.start_mark,
                "max-yaml-aliases",
            )
        if self.nodes > MAX_YAML_NODES:
            raise self.error(
                f"aliases expand the document past {MAX_YAML_NODES:,} values (max-yaml-aliases)",
                event.start_mark,
                "max-yaml-aliases",
            )
        if (stack[-1].depth if stack else 0) + anchor.height > self.max_depth:
            raise self.depth_error(event.start_mark)
        return self.deliver(anchor.value, anchor.loc, anchor.height, event)

    def define_anchor(self, event: Any, anchor: _Anchor) -> None:
        self.check_new_anchor(event)
        self.anchors[event.anchor] = anchor

    def check_new_anchor(self, event: Any) -> None:
        """PyYAML's composer refuses a redefined anchor; so do we, to accept the same files."""
        name = event.anchor
        if name in self.anchors or name in self.open_anchors:
            first = self.open_anchors.get(name) or self.anchors[name].loc.span.line
            raise self.error(
                f"duplicate anchor &{name} (first defined on line {first})", event.start_mark
            )

    def depth_error(self, mark: Any) -> ParseError:
        return self.error(
            f"nesting deeper than {self.max_depth} levels (max-depth)", mark, "max-depth"
        )

    # -- collections ------------------------------------------------------------------------

    def open(self, event: Any, is_map: bool) -> None:
        stack = self.stack
        if stack and stack[-1].key is None and type(stack[-1].data) is dict:
            raise self.error(
                "a mapping key must be a scalar, not a " + ("mapping" if is_map else "sequence"),
                event.start_mark,
            )
        tag: str | None = event.tag
        name: str | None = None
        if tag in CFN_TAGS:
            name = CFN_TAGS[tag]
        elif tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
            what = "unsupported YAML tag" if tag.startswith(_STD) else "unknown YAML tag"
            raise self.error(f"{what} {_tag_name(tag)}", event.start_mark)
        depth = (stack[-1].depth if stack else 0) + (2 if name else 1)
        if depth > self.max_depth:
            raise self.depth_error(event.start_mark)
        frame = _Frame(is_map, event, name, depth)
        frame.nodes_at_start, frame.aliases_at_start = self.nodes, self.aliases
        if frame.anchor is not None:
            self.check_new_anchor(event)
            self.open_anchors[frame.anchor] = event.start_mark.line + 1
        stack.append(frame)

    def close(self, event: Any) -> tuple[Any, _Loc] | None:
        frame = self.stack.pop()
        start = frame.start
        if frame.flow or frame.last_end is None:
            end_line, end_column = self.end_of(start, event.end_mark)
        else:  # a block collection ends where its last child ends, not at the next token
            end_line, end_column = frame.last_end
        span = Span(start.line + 1, start.column + 1, end_line, end_column)
        data, items = frame.data, frame.items
        if frame.merges:
            data, items = _merge(frame)
        loc = _Loc(span, items)
        height = frame.height + 1
        nodes = 1
        if frame.tag is not None:
            data = {frame.tag: data}
            loc = _Loc(span, {frame.tag: (span, loc)})
            loc.wrapped = True
            height += 1
            nodes += 1
        self.nodes += nodes
        if self.nodes > MAX_YAML_NODES:  # pragma: no cover - needs a million-line file
            raise self.error(
                f"document has more than {MAX_YAML_NODES:,} values", start, "max-yaml-aliases"
            )
        if frame.anchor is not None:
            del self.open_anchors[frame.anchor]
            self.anchors[frame.anchor] = _Anchor(
                data,
                loc,
                height,
                self.nodes - frame.nodes_at_start,
                self.aliases - frame.aliases_at_start,
                None,
            )
        return self.deliver(data, loc, height, event)

    def deliver(self, value: Any, loc: _Loc, height: int, event: Any) -> tuple[Any, _Loc] | None:
        """Put a finished value into the open collection; return it if it is the root."""
        stack = self.stack
        if not stack:
            return value, loc
        frame = stack[-1]
        frame.last_end = (loc.span.end_line, loc.span.end_column)
        if type(frame.data) is list:
            frame.data.append(value)
            frame.items.append(loc)
            if height > frame.height:
                frame.height = height
            return None
        key = frame.key
        if frame.key_span is None:  # the value of a merge key
            frame.merges.append(self.merge_sources(value, loc))
            height -= 1 if type(value) is dict else 2
        else:
            frame.data[key] = value
            frame.items[key] = (frame.key_span, loc)
        if height > frame.height:
            frame.height = height
        frame.key = frame.key_span = None
        return None

    def merge_sources(self, value: Any, loc: _Loc) -> list[tuple[dict[str, Any], _Loc]]:
        """The mappings a ``<<`` value merges, highest precedence first."""
        if type(value) is dict and not loc.wrapped:
            return [(value, loc)]
        if type(value) is list and isinstance(loc.items, list):
            pairs = list(zip(value, loc.items, strict=True))
            if all(type(v) is dict and not item.wrapped for v, item in pairs):
                return pairs
        raise ParseError(
            "a merge key (<<) needs a mapping or a list of mappings",
            loc.span.line,
            loc.span.column,
        )

    # -- errors from PyYAML -----------------------------------------------------------------

    def yaml_error(self, exc: yaml.MarkedYAMLError) -> ParseError:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        message = " ".join(problem.split())
        if "maximum nesting depth" in message:  # libyaml's own bound (1000)
            return ParseError(
                f"nesting deeper than the YAML parser's limit ({message})",
                mark.line + 1 if mark else 1,
                mark.column + 1 if mark else 1,
                "max-depth",
            )
        if exc.context and exc.problem and exc.context_mark is not None:
            where = exc.context_mark
            if mark is None or (where.line, where.column) != (mark.line, mark.column):
                message += (
                    f" ({' '.join(exc.context.split())} at line {where.line + 1},"
                    f" column {where.column + 1})"
                )
            else:
                message += f" ({' '.join(exc.context.split())})"
        if mark is None:
            return ParseError(message, 1, 1)
        return ParseError(message, mark.line + 1, mark.column + 1)

    def reader_error(self, exc: yaml.reader.ReaderError) -> ParseError:
        index = exc.position
        if _CPARSER is not None and issubclass(self.loader_class, _CPARSER):
            # libyaml reports a byte offset into the UTF-8 text
            index = len(self.text.encode("utf-8")[:index].decode("utf-8", errors="ignore"))
        line, column = self.index_position(index)
        char = exc.character
        what = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        return ParseError(f"character {what} is not allowed in YAML ({exc.reason})", line, column)


def _merge(frame: _Frame) -> tuple[dict[str, Any], dict[str, tuple[Span, _Loc]]]:
    """Apply ``<<`` merges as SafeLoader does: explicit keys win, then later merge keys over
    earlier ones, and in a merged list the first mapping wins."""
    data: dict[str, Any] = {}
    items: dict[str, tuple[Span, _Loc]] = {}
    for sources in frame.merges:
        for source, loc in reversed(sources):
            assert isinstance(loc.items, dict)
            data.update(source)
            items.update(loc.items)
    data.update(frame.data)
    items.update(frame.items)
    return data, items


def _flatten(root: _Loc) -> tuple[dict[str, Span], dict[str, Span]]:
    """Pointer -> span maps for every value and key, in document order."""
    spans: dict[str, Span] = {}
    key_spans: dict[str, Span] = {}
    pending: list[tuple[str, _Loc]] = [("", root)]
    while pending:
        pointer, loc = pending.pop()
        spans[pointer] = loc.span
        items = loc.items
        if items is None:
            continue
        if type(items) is list:
            for i in range(len(items) - 1, -1, -1):
                pending.append((f"{pointer}/{i}", items[i]))
        else:
            assert isinstance(items, dict)
            children = []
            for key, (key_span, child) in items.items():
                child_pointer = pointer + "/" + escape_pointer_token(key)
                key_spans[child_pointer] = key_span
                children.append((child_pointer, child))
            pending.extend(reversed(children))
    return spans, key_spans
