"""A strict RFC 8259 JSON parser that records where every key and value is.

Why not ``json.loads``: it accepts NaN/Infinity, silently keeps the last of duplicate keys,
and forgets positions. This parser is a single iterative pass over the text: regexes for
whitespace, numbers and literals, the C ``scanstring`` for strings, and an explicit stack
(so no recursion limit, and the depth bound is checked where it is crossed). Positions are
collected as character offsets and turned into 1-based line/column spans once at the end,
by bisecting a table of line starts.

Number policy: integers become ``int`` and numbers with a fraction or exponent ``float``,
as with the stdlib. Integers longer than Python's int/str digit limit and floats that
overflow to infinity are rejected with ParseError ("number too large"), never a crash:
no AWS document carries such numbers, and keeping them would only move the failure later.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from json import decoder as _json_decoder
from typing import Any, cast

from ..location import Span
from .errors import ParseError

__all__ = ["Parsed", "Spans", "line_starts", "parse_json", "parse_json_lines"]


@dataclass
class Parsed:
    """Parsed data with the span of every value (``spans``) and member key (``key_spans``),
    both keyed by RFC 6901 JSON pointer ("" is the root)."""

    data: Any
    spans: Mapping[str, Span] = field(default_factory=dict)
    key_spans: Mapping[str, Span] = field(default_factory=dict)


class _Lines:
    """The line starts of a text, found when a span is first asked for (shared by the value
    and key spans of one parse)."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str, starts: list[int] | None = None) -> None:
        self._text = text
        self._starts = starts

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = line_starts(self._text)
        return self._starts


class Spans(Mapping[str, Span]):
    """Spans by JSON pointer, each turned from character offsets into lines and columns when
    it is first asked for: a run over many files asks for few of them (where findings are),
    and building them all cost twice the parse itself."""

    __slots__ = ("_base", "_lines", "_made", "_offsets")

    def __init__(self, lines: _Lines, offsets: dict[str, tuple[int, int]],
                 line_offset: int = 0) -> None:
        self._lines = lines
        self._offsets = offsets
        self._base = line_offset + 1
        self._made: dict[str, Span] = {}

    def __getitem__(self, pointer: str) -> Span:
        span = self._made.get(pointer)
        if span is None:
            start, end = self._offsets[pointer]
            starts = self._lines.starts
            first = bisect_right(starts, start) - 1
            last = bisect_right(starts, end - 1, first) - 1
            span = self._made[pointer] = Span(
                first + self._base, start - starts[first] + 1, last + self._base,
                end - starts[last])
        return span

    def get(self, pointer: str, default: Any = None) -> Any:  # the common path, kept short
        span = self._made.get(pointer)
        if span is not None:
            return span
        return self[pointer] if pointer in self._offsets else default

    def __contains__(self, pointer: object) -> bool:
        return pointer in self._offsets

    def __iter__(self) -> Iterator[str]:
        return iter(self._offsets)

    def __len__(self) -> int:
        return len(self._offsets)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


# The C string scanner the stdlib json module uses (typeshed does not declare it).
_scanstring: Callable[[str, int, bool], tuple[str, int]] = _json_decoder.scanstring  # type: ignore[attr-defined]
# A starred pattern always matches, so the Optional of re.match is dropped once here.
_skip_ws = cast(Callable[[str, int], "re.Match[str]"], re.compile(r"[ \t\n\r]*").match)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MAYBE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_NON_FINITE = ("NaN", "Infinity", "-Infinity")


def line_starts(text: str) -> list[int]:
    """Offsets at which each line begins; a line ends at "\\n" (so CRLF works too)."""
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def parse_json(text: str, *, max_depth: int) -> Parsed:
    """Parse one JSON document; raise ParseError with a 1-based line and column."""
    parser = _Parser(text, max_depth, "")
    data = parser.parse_document()
    return parser.located(data)


def parse_json_lines(text: str, *, max_depth: int) -> Parsed:
    """Parse JSON Lines: one value per line, blank lines allowed; pointers "/0", "/1", ...

    ``max_depth`` applies to each record; the list that gathers them is not counted.
    """
    records: list[Any] = []
    spans: dict[str, Span] = {}
    key_spans: dict[str, Span] = {}
    first: Span | None = None
    last: Span | None = None
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip(" \t\r"):
            continue
        # Each line is its own document, so a record cannot spill onto the next line.
        parser = _Parser(line, max_depth, f"/{len(records)}", line_offset=lineno - 1)
        try:
            records.append(parser.parse_document())
        except ParseError as exc:
            raise ParseError(
                f"JSON Lines record on line {lineno}: {exc.message}",
                exc.line,
                exc.column,
                exc.limit,
            ) from None
        part = parser.located(None)
        spans.update(part.spans)
        key_spans.update(part.key_spans)
        record_span = part.spans[f"/{len(records) - 1}"]
        first = first or record_span
        last = record_span
    if first is None or last is None:
        raise ParseError("empty document: no JSON Lines records", 1, 1)
    root = Span(first.line, first.column, last.end_line, last.end_column)
    return Parsed(records, {"": root, **spans}, key_spans)


def _describe(char: str) -> str:
    if not char:
        return "end of input"
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    return f"character U+{ord(char):04X}"


class _Parser:
    """One parse of one text. Offsets are recorded during the pass, turned into spans after."""

    def __init__(self, text: str, max_depth: int, root: str, *, line_offset: int = 0) -> None:
        self.text = text
        self.max_depth = max_depth
        self.root = root
        self.line_offset = line_offset
        self.value_offsets: dict[str, tuple[int, int]] = {}
        self.key_offsets: dict[str, tuple[int, int]] = {}
        self.open_brackets: list[int] = []  # offsets of the unclosed '{' / '[' (for messages)
        self.check_surrogates = _MAYBE_SURROGATE_ESCAPE.search(text) is not None
        self._starts: list[int] | None = None

    # -- positions ---------------------------------------------------------------------------

    def position(self, offset: int) -> tuple[int, int]:
        if self._starts is None:
            self._starts = line_starts(self.text)
        index = bisect_right(self._starts, offset) - 1
        return index + 1 + self.line_offset, offset - self._starts[index] + 1

    def error(self, message: str, offset: int, limit: str | None = None) -> ParseError:
        line, column = self.position(offset)
        return ParseError(message, line, column, limit)

    def located(self, data: Any) -> Parsed:
        lines = _Lines(self.text, self._starts)
        return Parsed(data, Spans(lines, self.value_offsets, self.line_offset),
                      Spans(lines, self.key_offsets, self.line_offset))

    # -- errors with a helpful word ------------------------------------------------------------

    def unexpected(self, pos: int, expected: str) -> ParseError:
        """An error at ``pos`` where ``expected`` was wanted, naming common non-JSON habits."""
        text = self.text
        char = text[pos : pos + 1]
        if not char:
            message = f"unexpected end of input: {expected}"
            if self.open_brackets:
                opened = self.open_brackets[-1]
                line, column = self.position(opened)
                message += f" (the '{text[opened]}' at line {line}, column {column} is not closed)"
            return self.error(message, pos)
        if (char == "/" and text[pos + 1 : pos + 2] in ("/", "*")) or char == "#":
            return self.error("comments are not allowed in JSON", pos)
        if char == "'":
            return self.error("strings must use double quotes, not single quotes", pos)
        if text.startswith(_NON_FINITE, pos):
            return self.error("NaN and Infinity are not allowed in JSON", pos)
        word = _WORD.match(text, pos) if expected == "expected a value" else None
        if word:
            return self.error(
                f"unexpected word '{word.group()}': {expected} (JSON literals are true, false"
                " and null, and strings need double quotes)",
                pos,
            )
        return self.error(f"{expected}, found {_describe(char)}", pos)

    # -- the parse -----------------------------------------------------------------------------

    def parse_document(self) -> Any:
        text = self.text
        pos = _skip_ws(text, 0).end()
        if pos == len(text):
            raise ParseError("empty document", 1 + self.line_offset, 1)
        value, pos = self.parse_value(pos)
        pos = _skip_ws(text, pos).end()
        if pos != len(text):
            raise self.error(
                f"unexpected {_describe(text[pos])} after the end of the JSON value "
                "(only one top-level value is allowed)",
                pos,
            )
        return value

    def parse_value(self, pos: int) -> tuple[Any, int]:
        """Parse the value at ``pos`` (whitespace already skipped); return it and its end.

        One loop with an explicit stack; the string and key paths are inlined because this
        loop runs once per token and method calls dominate the cost of a Python parser.
        """
        text = self.text
        ws = _skip_ws
        scan = _scanstring
        check_surrogates = self.check_surrogates
        value_offsets = self.value_offsets
        key_offsets = self.key_offsets
        open_brackets = self.open_brackets
        max_depth = self.max_depth
        # One frame per open container: [container, its pointer, its start, current key].
        stack: list[list[Any]] = []
        frame: list[Any] = []
        pointer = self.root
        expect_key = False
        value: Any

        while True:
            if expect_key:
                # 0. An object member's key and colon; pos is at the key (whitespace skipped).
                if not text.startswith('"', pos):
                    raise self.key_error(pos)
                try:
                    key, end = scan(text, pos + 1, True)
                except ValueError as exc:  # json.JSONDecodeError
                    raise self.string_error(pos, exc) from None
                if check_surrogates and _SURROGATE.search(key):
                    raise self.surrogate_error(pos)
                if "~" in key or "/" in key:
                    pointer = frame[1] + "/" + key.replace("~", "~0").replace("/", "~1")
                else:
                    pointer = frame[1] + "/" + key
                if key in frame[0]:
                    raise self.duplicate_error(key, pointer, pos)
                key_offsets[pointer] = (pos, end)
                frame[3] = key
                pos = ws(text, end).end()
                if not text.startswith(":", pos):
                    raise self.unexpected(pos, "expected ':' after object key")
                pos = ws(text, pos + 1).end()
                expect_key = False

            # 1. Parse the value at pos, or open a container and go round for its first child.
            char = text[pos : pos + 1]
            start = pos
            if char == '"':
                try:
                    value, pos = scan(text, pos + 1, True)
                except ValueError as exc:
                    raise self.string_error(start, exc) from None
                if check_surrogates and _SURROGATE.search(value):
                    raise self.surrogate_error(start)
            elif char == "{" or char == "[":
                if len(stack) >= max_depth:
                    raise self.error(
                        f"nesting deeper than {max_depth} levels (max-depth)", pos, "max-depth"
                    )
                pos = ws(text, pos + 1).end()
                if char == "{":
                    if text.startswith("}", pos):
                        value, pos = {}, pos + 1
                    else:
                        frame = [{}, pointer, start, None]
                        stack.append(frame)
                        open_brackets.append(start)
                        expect_key = True
                        continue
                elif text.startswith("]", pos):
                    value, pos = [], pos + 1
                else:
                    frame = [[], pointer, start, None]
                    stack.append(frame)
                    open_brackets.append(start)
                    pointer += "/0"
                    continue
            elif char and char in "-0123456789":
                value, pos = self.parse_number(pos)
            elif char == "t" and text.startswith("true", pos):
                value, pos = True, pos + 4
            elif char == "f" and text.startswith("false", pos):
                value, pos = False, pos + 5
            elif char == "n" and text.startswith("null", pos):
                value, pos = None, pos + 4
            else:
                raise self.unexpected(pos, "expected a value")

            # 2. A value is complete: record it, then close every container it completes.
            while True:
                value_offsets[pointer] = (start, pos)
                if not stack:
                    return value, pos
                container = frame[0]
                pos = ws(text, pos).end()
                char = text[pos : pos + 1]
                if type(container) is dict:
                    container[frame[3]] = value
                    if char == ",":
                        comma, pos = pos, ws(text, pos + 1).end()
                        if text.startswith("}", pos):
                            raise self.error("trailing comma before '}'", comma)
                        expect_key = True
                        break
                    if char != "}":
                        expected = "expected ',' or '}' after object member"
                        if char == '"':
                            expected += " (missing comma?)"
                        raise self.unexpected(pos, expected)
                else:
                    container.append(value)
                    if char == ",":
                        comma, pos = pos, ws(text, pos + 1).end()
                        if text.startswith("]", pos):
                            raise self.error("trailing comma before ']'", comma)
                        pointer = f"{frame[1]}/{len(container)}"
                        break
                    if char != "]":
                        expected = "expected ',' or ']' after array element"
                        if char and char in '"{[-0123456789tfn':
                            expected += " (missing comma?)"
                        raise self.unexpected(pos, expected)
                # The container is closed: it is the value that was just completed.
                stack.pop()
                open_brackets.pop()
                value, pointer, start = container, frame[1], frame[2]
                pos += 1
                if stack:
                    frame = stack[-1]

    def key_error(self, pos: int) -> ParseError:
        word = _WORD.match(self.text, pos)
        if word:
            return self.error(
                f"object keys must be double-quoted strings, found '{word.group()}'", pos
            )
        return self.unexpected(pos, "expected a double-quoted object key")

    def duplicate_error(self, key: str, pointer: str, pos: int) -> ParseError:
        first_line, _ = self.position(self.key_offsets[pointer][0])
        return self.error(f"duplicate key {key!r} (first defined on line {first_line})", pos)

    def surrogate_error(self, pos: int) -> ParseError:
        return self.error("string has an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF)", pos)

    def string_error(self, quote: int, exc: ValueError) -> ParseError:
        text = self.text
        message = getattr(exc, "msg", str(exc))
        at: int = getattr(exc, "pos", quote)
        if message.startswith("Unterminated"):
            return self.error("unterminated string", quote)
        if message.startswith("Invalid control"):
            char = text[at]
            if char in "\r\n":
                return self.error(
                    "unterminated string (a line break cannot be inside a string; write \\n)", quote
                )
            return self.error(
                f"invalid control character U+{ord(char):04X} in string (escape it)", at
            )
        if text[at] != "\\" and text[at - 1 : at] == "\\":
            at -= 1
        if message.startswith("Invalid \\u"):
            return self.error("invalid \\u escape: expected 4 hex digits", at)
        return self.error(f"invalid escape {text[at : at + 2]!r} in string", at)

    def parse_number(self, pos: int) -> tuple[int | float, int]:
        text = self.text
        match = _NUMBER.match(text, pos)
        if match is None:  # '-' without a digit (perhaps '-Infinity')
            if text.startswith("-Infinity", pos):
                raise self.unexpected(pos, "expected a value")
            raise self.unexpected(pos + 1, "expected a digit after '-'")
        end = match.end()
        after = text[end : end + 1]
        # Name the usual mistakes; anything else is left to the "expected ','" error.
        if after:
            if after in "0123456789":  # only after an integer part of "0"
                raise self.error("leading zeros are not allowed in numbers", pos)
            if after in "xX" and match.group() in ("0", "-0"):
                raise self.error("hexadecimal numbers are not allowed in JSON", pos)
            if after == "." and match.lastindex is None:
                raise self.error("expected a digit after '.'", end + 1)
            if after in "eE" and match.group(2) is None:
                raise self.error("expected a digit in the exponent", end + 1)
        if match.lastindex is None:  # neither fraction nor exponent
            try:
                return int(match.group()), end
            except ValueError:  # past sys.get_int_max_str_digits()
                raise self.error(f"number too large ({end - pos} digits)", pos) from None
        number = float(match.group())
        if number in (float("inf"), float("-inf")):
            raise self.error("number too large (out of the range of a double)", pos)
        return number, end
