"""What a loader gets and gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document
from ..findings import Finding

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # policies, schemas and requests are small
DEFAULT_MAX_DEPTH = 64  # real policies nest < 10 deep
DEFAULT_MAX_STATEMENTS = 1000  # IAM caps managed policies at 6,144 characters anyway
DEFAULT_MAX_CSV_RECORD_BYTES = 64 * 1024 * 1024  # a record bounds every field in it


@dataclass(frozen=True)
class Limits:
    """Safety bounds for parsing untrusted files; past them, PL001 names the limit."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_yaml_aliases: int = 1000
    max_statements: int = DEFAULT_MAX_STATEMENTS
    max_csv_record_bytes: int = DEFAULT_MAX_CSV_RECORD_BYTES


@dataclass
class LoadContext:
    root: Path  # paths in findings are relative to this (the repository root)
    limits: Limits = field(default_factory=Limits)

    def display_path(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
