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
    # display_path answers, by (root, path): a run asks for each file's more than once, and
    # Path.resolve() is a system call per path component. A context lives for one run.
    _displayed: dict[tuple[Path, Path], str] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _resolved_roots: dict[Path, Path] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def display_path(self, path: Path, resolved: Path | None = None) -> str:
        """``path`` relative to the root (POSIX separators), else as given; ``resolved`` is
        ``path.resolve()`` when the caller has it already."""
        key = (self.root, path)
        shown = self._displayed.get(key)
        if shown is None:
            root = self._resolved_roots.get(self.root)
            if root is None:
                root = self._resolved_roots[self.root] = self.root.resolve()
            try:
                shown = (resolved or path.resolve()).relative_to(root).as_posix()
            except ValueError:
                shown = path.as_posix()
            self._displayed[key] = shown
        return shown


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
