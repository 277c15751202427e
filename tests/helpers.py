"""Helpers for tests that run the command line as a user would."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from personalize_lint.document import Document

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> Run:
    """Run `personalize-lint` in a subprocess, the way a user or CI does."""
    base = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    full_env = {**base, "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "personalize_lint", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def write(path: Path, text: str | bytes, *, gz: bool = False) -> Path:
    """Write text as UTF-8 (or bytes as they are), gzip-compressed with ``gz``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def json_document(data: Any, kind: str, path: str, subkind: str | None = None) -> Document:
    """``data`` as a loaded JSON document, with positions when the position-keeping parser
    is there (findings then carry lines and pointers, as from a real file)."""
    from personalize_lint.document import Document

    try:
        from personalize_lint.loaders.jsonpos import parse_json
    except ImportError:  # pragma: no cover - the loader is optional for these tests
        return Document(path, kind, data, subkind=subkind)
    parsed = parse_json(json.dumps(data, indent=2), max_depth=64)
    return Document(path, kind, parsed.data, parsed.spans, parsed.key_spans, subkind=subkind)
