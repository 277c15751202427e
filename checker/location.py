"""Where something came from: a file position (with JSON pointer) or a cloud resource."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a text file; lines and columns are 1-based, the end is inclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: a file region and/or a logical place (pointer, ARN, resource).

    ``pointer`` is an RFC 6901 JSON pointer into the file's document ("" = whole document).
    Findings are keyed by logical place (path + pointer / logical id / ARN), never by line,
    so baselines survive edits elsewhere in a file.

    ``focus`` is a pointer *inside* the value at ``pointer`` where the file or resource has
    no finer place of its own: a statement of a policy held in a JSON string (Terraform's
    ``policy = jsonencode(...)``), or of a policy collected from an account. Reports may
    show it (the HTML excerpt marks that statement); it is not part of the logical place,
    so fingerprints and baselines do not change with it.
    """

    path: str | None = None
    span: Span | None = None
    pointer: str = ""
    arn: str | None = None
    region: str | None = None
    logical_id: str | None = None
    focus: str = ""

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def column(self) -> int | None:
        return self.span.column if self.span else None

    def with_pointer(self, pointer: str, span: Span | None) -> Location:
        return replace(self, pointer=pointer, span=span)

    def logical(self) -> str:
        """A line-independent name for this place, for fingerprints and baselines."""
        parts = [p for p in (self.logical_id, self.arn) if p]
        if self.pointer:
            parts.append(self.pointer)
        return "#".join(parts) if parts else "/"

    def describe(self) -> str:
        where = self.path or self.arn or "<config>"
        if self.span:
            where += f":{self.span.line}:{self.span.column}"
        return where


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer_tokens(pointer: str) -> list[str]:
    """A JSON pointer's tokens, unescaped: pointer_tokens("/a~1b/0") -> ["a/b", "0"]."""
    return [unescape_pointer_token(t) for t in pointer.split("/")[1:]]


def join_pointer(pointer: str, *tokens: str | int) -> str:
    """Extend a JSON pointer: join_pointer("/Statement", 0, "Action") -> "/Statement/0/Action"."""
    if len(tokens) == 1:  # the common case (template and view walks): no generator
        token = tokens[0]
        if isinstance(token, str):
            if type(token) is str and "~" not in token and "/" not in token:
                return f"{pointer}/{token}"
        elif type(token) is int:
            return f"{pointer}/{token}"
    return pointer + "".join("/" + escape_pointer_token(t) for t in tokens)
