"""Which files a run looks at: expand directories, honour .gitignore, match globs."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .errors import UsageError
from .loaders.builtin import SUPPORTED_SUFFIXES

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "cdk.out.tmp",
        ".aws-sam",
    }
)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly are kept as they are; directories are walked for input files."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for file in walk_directory(path):
                found.setdefault(file, None)
        elif path.exists():
            found.setdefault(path, None)
        else:
            raise UsageError(f"no such file or directory: {path}")
    return list(found)


def is_input_file(path: Path) -> bool:
    return path.name.lower().endswith(SUPPORTED_SUFFIXES)


def walk_directory(directory: Path) -> list[Path]:
    listed = _git_listed(directory)
    if listed is not None:
        # Untracked virtualenvs are not always ignored; their pyvenv.cfg gives them away.
        venvs = [p.parent for p in listed if p.name == "pyvenv.cfg"]
        return sorted(
            p
            for p in listed
            if is_input_file(p)
            and not _in_skipped_dir(p, directory)
            and not any(v in p.parents for v in venvs)
        )
    files: list[Path] = []
    for current, dirs, names in os.walk(directory):
        # A virtualenv is any folder holding pyvenv.cfg, whatever its name.
        dirs[:] = sorted(
            d for d in dirs if d not in SKIP_DIRS and not (Path(current, d, "pyvenv.cfg")).exists()
        )
        files.extend(Path(current, n) for n in sorted(names) if is_input_file(Path(n)))
    return files


def _in_skipped_dir(path: Path, base: Path) -> bool:
    try:
        parts = path.relative_to(base).parts[:-1]
    except ValueError:
        return False
    return any(p in SKIP_DIRS for p in parts)


def _git_listed(directory: Path) -> list[Path] | None:
    """Tracked and untracked-but-not-ignored files, or None outside a git work tree."""
    import subprocess  # only when a directory is walked

    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=directory,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    names = [n for n in out.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return [directory / n for n in names if (directory / n).is_file()]


@lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A gitignore-like glob: ``*`` within a segment, ``**`` across segments."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        out.append({"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char)))
        i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(pattern: str, relative_posix: str) -> bool:
    pattern = pattern.removeprefix("./")
    if "/" not in pattern:  # like .gitignore: a bare name matches in any folder
        return bool(glob_regex(pattern).match(relative_posix.rsplit("/", 1)[-1]))
    return bool(glob_regex(pattern).match(relative_posix))


def expand_glob(root: Path, pattern: str) -> list[Path]:
    """Expand a set-up glob relative to ``root``; a plain path is returned as is."""
    if not any(ch in pattern for ch in "*?["):
        return [root / pattern]
    if pattern.startswith("/"):
        base, rel = Path("/"), pattern[1:]
    else:
        base, rel = root, pattern
    return sorted(p for p in base.glob(rel) if p.is_file())
