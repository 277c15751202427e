"""What one data scan found: plain dataclasses, cheap to import (no engine libraries).

A ``ScanResult`` covers every file of one set-up's interactions data (or one standalone
file). Rules turn it into PL6xx findings; the PL406 rule reads ``event_types``.
Positions are ``Position(file index, line)``; ``ScanResult.files[index]`` names the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How many example positions each tally keeps (messages show the first few).
MAX_EXAMPLES = 5


@dataclass(frozen=True, order=True)
class Position:
    """A row's place: index into ``ScanResult.files`` and its 1-based physical line.

    The header is line 1. A record whose quoted values contain line breaks spans several
    physical lines; its position is the line it starts on.
    """

    file: int
    line: int


@dataclass
class Tally:
    """How many rows have a property, and where the first few of them are (file order)."""

    count: int = 0
    examples: list[Position] = field(default_factory=list)

    def add(self, count: int, examples: list[Position]) -> None:
        self.count += count
        room = MAX_EXAMPLES - len(self.examples)
        if room > 0 and examples:
            self.examples.extend(examples[:room])


@dataclass
class FileInfo:
    """One data file: where it is and what its header says."""

    uri: str  # absolute path or s3://bucket/key
    display: str  # what findings show (repository-relative path or the s3:// URI)
    location: str  # the interactions-data entry (glob, folder, prefix) it was found under
    size: int | None = None  # bytes on disk / in S3 (compressed size for .gz)
    compressed: bool = False
    header: list[str] = field(default_factory=list)  # column names, quotes removed
    quoted_header: list[str] = field(default_factory=list)  # names written in quotes
    header_lines: int = 1  # physical lines the header record takes
    bom: bool = False
    rows: int = 0
    bytes_read: int = 0
    complete: bool = False  # False when reading stopped early (see ScanResult.problems)


@dataclass(frozen=True)
class Duplicate:
    """A row identical in every column to an earlier row."""

    at: Position
    same_as: Position  # the first occurrence of that row


@dataclass(frozen=True)
class DataProblem:
    """Something that kept part of the data from being checked.

    ``kind`` is "missing" (a location that matches nothing), "unreadable" (I/O, access
    denied, missing dependency) or "syntax" (the CSV cannot be parsed from ``line`` on).
    """

    kind: str
    message: str
    location: str  # the interactions-data entry or file it concerns
    file: int | None = None  # index into ScanResult.files when it concerns one file
    line: int | None = None


@dataclass
class ScanResult:
    """Everything the PL6xx rules need, computed in one pass over the data."""

    files: list[FileInfo] = field(default_factory=list)
    rows: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    problems: list[DataProblem] = field(default_factory=list)

    # PL603: rows that repeat an earlier row exactly (the first occurrence not counted), how
    # many distinct rows are repeated, and the first few repeats in file order.
    duplicates: int = 0
    duplicate_groups: int = 0
    duplicate_examples: list[Duplicate] = field(default_factory=list)
    spilled_bytes: int = 0  # fingerprint bytes written to disk to stay within memory
    # PL604: records at least 14 days older than as-of (epoch seconds of the oldest).
    old: Tally = field(default_factory=Tally)
    oldest: int | None = None
    oldest_at: Position | None = None
    # PL605: distinct EVENT_ATTRIBUTION_SOURCE values (non-empty); capped at
    # ``MAX_DISTINCT`` names (``sources_capped``), the count is then a lower bound.
    sources: set[str] = field(default_factory=set)
    sources_capped: bool = False
    # PL606 / PL607: rows with neither source nor recommendation ID, and with both.
    no_source: Tally = field(default_factory=Tally)
    both: Tally = field(default_factory=Tally)
    # PL608: format problems by kind (e.g. "TIMESTAMP in milliseconds"), and whether
    # the kind concerns a column (for messages).
    format_errors: dict[str, Tally] = field(default_factory=dict)
    # PL609: bad EVENT_ATTRIBUTION_SOURCE values by kind ("blank", "not printable ASCII",
    # "longer than 1,024 characters") with a few offending values.
    bad_sources: dict[str, Tally] = field(default_factory=dict)
    bad_source_values: dict[str, list[str]] = field(default_factory=dict)
    # PL406: distinct EVENT_TYPE values as written (capped like sources).
    event_types: set[str] = field(default_factory=set)
    event_types_capped: bool = False
    # CSV syntax problems (unbalanced quotes, invalid UTF-8): reported as PL001.
    syntax_errors: Tally = field(default_factory=Tally)
    syntax_messages: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every located file was read to its end."""
        return not self.problems and all(f.complete for f in self.files)

    @property
    def distinct_sources(self) -> int:
        return len(self.sources)

    def where(self, pos: Position) -> str:
        """``file:line`` for messages."""
        return f"{self.files[pos.file].display}:{pos.line}"


# Distinct source / event-type names kept per scan; enough to decide PL605 (> 100) and to
# list event types, small enough that a column of unique values cannot exhaust memory.
MAX_DISTINCT = 10_000
