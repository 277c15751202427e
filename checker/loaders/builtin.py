"""The built-in loader for JSON, JSON Lines, YAML and CSV files.

It reads a file within the configured bounds, parses it keeping positions, and detects
its kind by content (unless the configuration forces one). Every problem becomes a
PL001/PL002 finding with file, line and column; nothing is raised.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from ..document import Document
from ..findings import Finding
from ..hookspecs import hookimpl
from ..location import Location, Span
from ..policy_shape import unwrap_policy
from .base import LoadContext, LoadResult
from .detect import detect, policy_subkind
from .errors import ParseError
from .jsonpos import Parsed, parse_json, parse_json_lines
from .text import decode

JSON_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
YAML_SUFFIXES = (".yaml", ".yml", ".template")
CSV_SUFFIXES = (".csv", ".csv.gz")
SUPPORTED_SUFFIXES = JSON_SUFFIXES + JSONL_SUFFIXES + YAML_SUFFIXES + CSV_SUFFIXES
CSV_HEADER_BYTES = 64 * 1024

# Kinds the config may force, mapped to (kind, subkind).
FORCED: dict[str, tuple[str, str | None]] = {
    "identity-policy": ("policy", "identity"),
    "trust-policy": ("policy", "trust"),
    "bucket-policy": ("policy", "bucket"),
    "key-policy": ("policy", "key"),
}


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(JSON_SUFFIXES):
        return "json"
    if name.endswith(YAML_SUFFIXES):
        return "yaml"
    return None


@hookimpl(trylast=True)
def personalize_lint_load_file(path: Path, kind: str | None, ctx: LoadContext) -> LoadResult:
    display = ctx.display_path(path)
    result = LoadResult()
    fmt = file_format(path) or ("csv" if kind == "interactions" else "json")
    if fmt == "csv":
        return _load_csv(path, display, kind, ctx)
    try:
        size = path.stat().st_size
        if size > ctx.limits.max_bytes:
            raise ParseError(
                f"file is {size:,} bytes, over the limit of {ctx.limits.max_bytes:,} bytes",
                1,
                1,
                limit="max-bytes",
            )
        raw = path.read_bytes()
    except OSError as exc:
        result.problems.append(_pl001(display, f"cannot read file: {exc.strerror or exc}", 1, 1))
        return result
    except ParseError as exc:
        result.problems.append(_from_parse_error(display, exc))
        return result
    encoding_problem: Finding | None = None
    try:
        decoded = decode(raw, max_bytes=ctx.limits.max_bytes)
        if decoded.had_bom or decoded.encoding not in ("utf-8", "ascii"):
            encoding_problem = (
                _pl001(
                    display,
                    f"file is encoded as {decoded.encoding}"
                    f"{' with a byte order mark' if decoded.had_bom else ''}; AWS expects UTF-8 "
                    "without a BOM (MalformedPolicyDocument); save it as plain UTF-8",
                    1,
                    1,
                )
            )
        text = decoded.text
        if fmt == "yaml" and not text.lstrip().startswith(("{", "[")):
            from .yamlpos import parse_yaml  # PyYAML only when a YAML file is seen

            parsed = parse_yaml(
                text, max_depth=ctx.limits.max_depth, max_aliases=ctx.limits.max_yaml_aliases
            )
        elif fmt == "jsonl":
            parsed = parse_json_lines(text, max_depth=ctx.limits.max_depth)
        else:
            parsed = parse_json(text, max_depth=ctx.limits.max_depth)
    except ParseError as exc:
        if encoding_problem is not None:
            result.problems.append(encoding_problem)
        result.problems.append(_from_parse_error(display, exc))
        return result
    document = _document(display, parsed, kind, fmt)
    # A Terraform plan is read here and never sent to AWS: Windows PowerShell's `>` writes
    # it as UTF-16 with a BOM, which is no problem of the plan.
    if encoding_problem is not None and document.kind != "terraform-plan":
        result.problems.append(encoding_problem)
    too_many = _statements_over_limit(document, ctx.limits.max_statements)
    if too_many is not None:
        result.problems.append(too_many)
        return result
    result.documents.append(document)
    return result


def _statements_over_limit(document: Document, limit: int) -> Finding | None:
    """A policy with more statements than the configured bound is not evaluated (PL001)."""
    if document.kind != "policy" or not isinstance(document.data, dict):
        return None
    policy, pointer = unwrap_policy(document.data)
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if not isinstance(statements, list) or len(statements) <= limit:
        return None
    finding = Finding("PL001", f"the policy has {len(statements):,} statements, over the limit "
                      f"of {limit:,} (max-statements); it was not evaluated",
                      document.location(pointer + "/Statement"))
    finding.properties["limit"] = "max-statements"
    return finding


def _document(display: str, parsed: Parsed, forced: str | None, fmt: str) -> Document:
    if forced and forced != "policy":
        kind, subkind = FORCED.get(forced, (forced, None))
    else:
        kind, subkind = detect(parsed.data)
        if forced == "policy":
            kind = "policy"
            subkind = policy_subkind(parsed.data) if isinstance(parsed.data, dict) else None
    return Document(
        path=display,
        kind=kind,
        data=parsed.data,
        spans=parsed.spans,
        key_spans=parsed.key_spans,
        subkind=subkind,
        forced_kind=forced is not None,
        text_format=fmt,
    )


def _load_csv(path: Path, display: str, forced: str | None, ctx: LoadContext) -> LoadResult:
    """Read only the header: the data rules stream the body themselves."""
    result = LoadResult()
    try:
        if path.name.lower().endswith(".gz"):
            import gzip  # only for .csv.gz

            with gzip.open(path, "rb") as stream:
                head = stream.read(CSV_HEADER_BYTES)
        else:
            with path.open("rb") as stream:
                head = stream.read(CSV_HEADER_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        result.problems.append(_pl001(display, f"cannot read file: {exc}", 1, 1))
        return result
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    if not first_line.strip():
        result.problems.append(_pl001(display, "empty CSV file: no header row", 1, 1))
        return result
    if b"\x00" in first_line:
        result.problems.append(
            _pl001(
                display,
                "binary content where a CSV header was expected",
                1,
                first_line.index(b"\x00") + 1,
            )
        )
        return result
    try:
        header_text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.problems.append(
            _pl001(
                display,
                f"CSV header is not UTF-8 (byte 0x{first_line[exc.start]:02x})",
                1,
                exc.start + 1,
            )
        )
        return result
    columns, spans = _split_header(header_text)
    known = {c.upper() for c in columns}
    looks_like_interactions = bool(known & {"USER_ID", "ITEM_ID", "EVENT_TYPE", "TIMESTAMP"})
    kind = forced or ("interactions" if looks_like_interactions else "unknown")
    result.documents.append(
        Document(
            path=display,
            kind=kind,
            data=columns,
            spans=spans,
            forced_kind=forced is not None,
            text_format="csv",
        )
    )
    return result


def _split_header(header: str) -> tuple[list[str], dict[str, Span]]:
    columns: list[str] = []
    spans: dict[str, Span] = {"": Span(1, 1, 1, max(len(header), 1))}
    start = 0
    for index, cell in enumerate(header.split(",")):
        spans[f"/{index}"] = Span(1, start + 1, 1, start + max(len(cell), 1))
        columns.append(cell.strip())
        start += len(cell) + 1
    return columns, spans


def _pl001(path: str, message: str, line: int, column: int) -> Finding:
    return Finding("PL001", message, Location(path=path, span=Span(line, column, line, column)))


def _from_parse_error(path: str, exc: ParseError) -> Finding:
    finding = _pl001(path, exc.message, exc.line, exc.column)
    if exc.limit:
        finding.properties["limit"] = exc.limit
    return finding
