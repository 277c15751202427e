"""The one error the text parsers raise: a message with a 1-based line and column."""

from __future__ import annotations


class ParseError(Exception):
    """An input that cannot be decoded or parsed.

    ``line`` and ``column`` are 1-based; columns count characters, not bytes. ``limit`` names
    the safety bound that was exceeded ("max-bytes", "max-depth", "max-yaml-aliases"), or is
    None for a plain syntax or encoding error, so PL001 can say which setting to raise.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1, limit: str | None = None):
        super().__init__(message, line, column, limit)
        self.message = message
        self.line = line
        self.column = column
        self.limit = limit

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"

    def __repr__(self) -> str:
        extra = f", limit={self.limit!r}" if self.limit else ""
        return f"ParseError({self.message!r}, line={self.line}, column={self.column}{extra})"
