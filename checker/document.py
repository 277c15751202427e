"""A loaded input file: its parsed data, its kind, and the position of every value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .location import Location, Span, pointer_tokens

Kind = Literal[
    "policy",
    "schema",
    "metric-attribution",
    "putevents",
    "interactions",
    "cloudformation",
    "terraform-plan",
    "inventory",
    "config",
    "unknown",
]
KINDS: tuple[str, ...] = (
    "policy",
    "schema",
    "metric-attribution",
    "putevents",
    "interactions",
    "cloudformation",
    "terraform-plan",
    "inventory",
    "unknown",
)
# What kind of IAM policy a policy document is, when its content (or the config) tells.
PolicyKind = Literal["identity", "trust", "bucket", "key", "resource", "unknown"]


@dataclass
class Document:
    """One parsed document (a file, or one JSON Lines record set).

    ``spans`` maps a JSON pointer to the span of the *value* at that pointer;
    ``key_spans`` maps the pointer of an object member to the span of its key.
    ``subkind`` refines ``kind``: for policies the PolicyKind, for schemas the dataset type,
    for metric-attribution the request form (create/update/describe), etc.
    """

    path: str
    kind: str
    data: Any
    spans: Mapping[str, Span] = field(default_factory=dict)
    key_spans: Mapping[str, Span] = field(default_factory=dict)
    subkind: str | None = None
    forced_kind: bool = False
    text_format: str = "json"  # json | yaml | jsonl | csv

    def span_of(self, pointer: str) -> Span | None:
        """The span of the value at ``pointer``, or of its nearest located ancestor."""
        while True:
            span = self.spans.get(pointer)
            if span is not None or not pointer:
                return span
            pointer = pointer.rsplit("/", 1)[0]

    def location(self, pointer: str = "", *, key: bool = False) -> Location:
        span = self.key_spans.get(pointer) if key else None
        return Location(path=self.path, span=span or self.span_of(pointer), pointer=pointer)

    def get(self, pointer: str) -> Any:
        """The value at a JSON pointer, or None when absent."""
        value = self.data
        if not pointer:
            return value
        for token in pointer_tokens(pointer):
            if isinstance(value, dict):
                if token not in value:
                    return None
                value = value[token]
            elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
                value = value[int(token)]
            else:
                return None
        return value
