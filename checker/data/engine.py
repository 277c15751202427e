"""The data checker: every PL6xx fact about bulk interactions CSV, in one pass.

Pipeline
--------
::

    reader thread                 worker threads (2)                main thread, in order
    files -> bytes -> chunks ---> Polars: parse, checks, hashes ---> fold tallies into the
    (local, gzip, s3://; cut at   (one chunk each; Polars and        ScanResult; fingerprints
     record ends, 16 MiB each)     numpy release the GIL)            into FingerprintIndex

* A reader thread streams each file (local, gzip, ``s3://``) and cuts it into 16 MiB chunks
  that end at record boundaries (``chunks.py``). A local file is read by position: each
  chunk is one ``pread`` handed to the parser without a copy (the partial record at its
  end is read again with the next chunk). gzip and S3 are streamed once; reading, gzip
  inflating and network waits overlap the parsing.
* Workers parse chunks with Polars' CSV reader, every column as a string so no value is
  coerced, and check them with vectorised expressions: timestamp form and age, schema
  types, required values, ID lengths, source / recommendation presence, multi-line
  records, field counts, and NUL bytes in text values (searched only in the chunks the
  reader saw one in). Only small tallies come back (counts, first line numbers, distinct
  EVENT_ATTRIBUTION_SOURCE and EVENT_TYPE values). Python never loops over rows, except
  over a chunk the fast reader rejects (broken quoting, invalid UTF-8, ragged rows), which
  is re-read with the ``csv`` module to name the exact lines. Results are folded in file
  order, so "first lines" are the first; at most ``workers + 2`` chunks are in memory.
* Exact duplicates: each row's values (columns in name order) are hashed with two
  independently seeded 64-bit hashes; ``duplicates.FingerprintIndex`` keeps these 128-bit
  fingerprints (24 bytes a row with the position) within ``memory_limit`` and past it
  spills them, hash-partitioned, to disk, so memory is bounded at any size (100 GB of
  CSV, ~1.7e9 rows, is ~40 GB of fingerprints on disk, checked a partition per thread at
  a time, each thread within its share of the budget). Workers also split each batch by
  the top bit of h1, so the final check runs on both cores.
  Two different rows are confused only if both hashes collide: probability below
  n^2 / 2^129, about 10^-20 for 10^9 rows, far below the rate of undetected disk or memory
  errors. Comparing 16-byte integers instead of row text is what makes the exact count
  cheap (numbers below).

Line numbers
------------
A row's position is the physical line its record starts on, header = line 1. Chunks carry
their first line and their count of line breaks; a chunk without any ``"`` cannot hold a
quoted line break, so its rows are on consecutive lines. In a chunk with quotes, the line
breaks inside each row's values are counted (vectorised) and accumulated, so lines stay
exact after a quoted value with a line break; such records are reported too (PL608:
Personalize wants one record per line). CRLF counts the same (one ``\\n`` per line);
CR-only files have no record boundary and are reported as unreadable.

Engine choice (measured on this 2-core machine, 10M rows / 598 MB; a shared machine, so
times vary by +-30% with load: compare within one table)
------------------------------------------------------------------------------------
* DuckDB: the fastest CSV scan (1.3 s for ``count(*)``), but ``read_csv`` has no row
  number (``file_row_number`` is Parquet-only). The way to lines is ``row_number() OVER ()``
  plus a running sum of quoted line breaks, a streaming window that runs single-threaded
  (scan + checks 4.3 s -> 6.6 s). An exact GROUP BY over the seven VARCHAR columns took
  12-15 s (spilling at a 600 MB limit) and 1.7-1.9 GB unlimited; over a 128-bit hash key
  4-5 s. ``s3://`` needs the httpfs extension, downloaded at run time: not available
  offline. As the aggregate for fingerprints fed from Python: 2-3.5 s.
* Polars alone: parses fast (0.2 CPU-s per 1M rows) with expressions to match, but its
  group-by on 10M distinct keys took 7.3 s and ``is_duplicated`` 1.9-2.3 s, in memory only
  (an exact string group-by of 10M rows peaked at 2.4 GB): not bounded at 100 GB.
* PyArrow: streaming CSV 2.2-2.8 s single-threaded, ~1.5x Polars' CPU per chunk, no row
  hash kernel.
* Chosen: Polars per chunk (line numbers are free because we cut the chunks) and, for
  duplicates, one numpy sort per partition of keys that pack h2's top bits with the row
  index (~0.25 s wall for 10M fingerprints on two threads, exact first and second
  occurrences), with our own Grace partitioning for bounded memory. With 2 workers:
  ~6 CPU-s, 3.5-4.2 s wall, ~610 MB peak for 10M rows, against 6.6-8.1 s / 1.7 GB for a
  DuckDB SQL reference and 21-28 s / 2.8 GB for pandas (bench/data/README.md).
  ``bytes.count`` was 16% of the CPU in a profile (``perf``): counts use numpy instead.
  Polars' parser is the floor: about 40% of the CPU, with ~5 ms of fixed cost per chunk
  (hence 16 MiB chunks).

Heavy imports (polars, numpy) happen inside ``scan`` only.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import csv
import io
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import engine_choice
from . import progress as progress_mod
from .chunks import Chunk, ChunkReader, CsvSyntaxError, Header
from .result import (
    MAX_DISTINCT,
    MAX_EXAMPLES,
    DataProblem,
    Duplicate,
    FileInfo,
    Position,
    ScanResult,
    Tally,
)
from .sources import ByteCounter, DataFile, expand, open_stream

if TYPE_CHECKING:
    import polars

FOURTEEN_DAYS = 14 * 86_400
# Epoch values at or above this are not seconds: 1e11 s is the year 5138, while epoch
# milliseconds today are ~1.7e12.
MILLIS_THRESHOLD = 10**11
MAX_ID_LENGTH = 256
MAX_SOURCE_LENGTH = 1024
ID_COLUMNS = ("USER_ID", "ITEM_ID")
ISO_DATE = r"^\s*\d{4}-\d{1,2}-\d{1,2}"
LINE_BITS = 40  # positions pack (file index << 40) | line: 1e12 lines per file
SEEDS = (0x5EED_0001, 0x5EED_0002)

# Reserved Interactions fields when no schema is known: type and whether empty is allowed.
DEFAULT_FIELDS: dict[str, tuple[str, bool]] = {
    "USER_ID": ("string", False),
    "ITEM_ID": ("string", False),
    "TIMESTAMP": ("long", False),
    "EVENT_TYPE": ("string", True),
    "EVENT_VALUE": ("float", True),
    "RECOMMENDATION_ID": ("string", True),
    "EVENT_ATTRIBUTION_SOURCE": ("string", True),
    "IMPRESSION": ("string", True),
}
PRIMITIVES = frozenset({"int", "long", "float", "double", "string", "boolean"})


@dataclass(frozen=True)
class SchemaField:
    """A schema field as the data checks see it: name, primitive type, nullable."""

    name: str
    type: str | None  # int | long | float | double | string | boolean | None (unknown)
    nullable: bool


def schema_fields(avro: Any) -> list[SchemaField] | None:
    """The fields of a Personalize Avro record schema, or None when it is not one."""
    if not isinstance(avro, dict) or not isinstance(avro.get("fields"), list):
        return None
    out: list[SchemaField] = []
    for f in avro["fields"]:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            continue
        t = f.get("type")
        types = t if isinstance(t, list) else [t]
        names = [x.get("type") if isinstance(x, dict) else x for x in types]
        nullable = "null" in names
        prims = [x for x in names if isinstance(x, str) and x in PRIMITIVES]
        out.append(SchemaField(f["name"], prims[0] if len(prims) == 1 else None, nullable))
    return out


@dataclass
class ScanOptions:
    """Knobs of one scan. ``progress=None`` draws the bar when stderr is a TTY and not quiet."""

    # Bytes per parsed chunk. Each chunk costs ~5 ms of fixed Polars/Python overhead: at
    # 10M rows 16 MiB took ~5-8% less time than 8 MiB for ~130 MB more peak memory.
    chunk_size: int = 16 << 20
    max_record: int = 64 << 20
    memory_limit: int = 256 << 20  # the duplicate index's budget; it spills to disk past it
    temp_dir: str | None = None  # where it spills (default: the system temp dir)
    progress: bool | None = None
    quiet: bool = True
    workers: int | None = None  # chunks parsed at once (default: the number of cores, max 4)
    label: str = "data"  # shown before the progress bar
    root: Path = field(default_factory=Path.cwd)
    base_dirs: list[Path] = field(default_factory=list)


@dataclass
class _Exprs:
    kinds: list[str]  # what each mask m<k> means ("__old" etc. are not format errors)
    pre: list[Any]
    pre_no_blank: list[Any]  # for chunks whose first column is never empty (no blank line)
    masks: list[Any]
    aggs: list[Any]
    live: Any


class _Stop(Exception):
    """Raised in the reader thread when the consumer went away."""


@dataclass
class _Plan:
    """How to check one file, from its header (and the schema, when known)."""

    n: int
    ts: int | None
    src: int | None
    rec: int | None
    et: int | None
    typed: list[tuple[int, str, str, bool]]  # column, name, type, nullable
    ids: list[tuple[int, str]]
    text: list[tuple[int, str]]  # columns whose NUL bytes no other check reports
    hash_order: list[str]  # columns in name order, for fingerprints
    seed_offset: int
    exprs: _Exprs | None = None


def number_layout(header: Header, groups: dict[tuple[str, ...], int]) -> int:
    """The number of ``header``'s column layout (its names, in any order and case) in
    ``groups``, numbering a new layout next. Fingerprints are seeded by it: the same rows
    under the same columns hash alike, whatever the column order."""
    key = tuple(sorted(n.strip().upper() for n in header.names))
    return groups.setdefault(key, len(groups))


def _plan(
    header: Header, fields: list[SchemaField] | None, groups: dict[tuple[str, ...], int]
) -> _Plan:
    names = [n.strip() for n in header.names]
    upper = [n.upper() for n in names]

    def find(name: str) -> int | None:
        return upper.index(name) if name in upper else None

    by_name = {f.name: f for f in fields} if fields is not None else {}
    by_upper = {f.name.upper(): f for f in fields} if fields is not None else {}
    typed: list[tuple[int, str, str, bool]] = []
    for i, (name, up) in enumerate(zip(names, upper, strict=True)):
        if up == "TIMESTAMP":
            continue  # has its own checks
        if fields is not None:
            f = by_name.get(name) or by_upper.get(up)
            if f is not None and f.type is not None:
                typed.append((i, name, f.type, f.nullable))
        elif up in DEFAULT_FIELDS:
            t, nullable = DEFAULT_FIELDS[up]
            typed.append((i, name, t, nullable))
    # A NUL byte fails the cast of a typed number or boolean and TIMESTAMP's, and PL609
    # reports it in EVENT_ATTRIBUTION_SOURCE ("not printable ASCII"); the rest is text.
    not_text = {i for i, _, t, _ in typed if t != "string"}
    not_text |= {i for i, up in enumerate(upper) if up in ("TIMESTAMP", "EVENT_ATTRIBUTION_SOURCE")}
    seed_offset = number_layout(header, groups) * 1000
    order = sorted(range(len(names)), key=lambda i: (upper[i], i))
    return _Plan(
        n=len(names),
        ts=find("TIMESTAMP"),
        src=find("EVENT_ATTRIBUTION_SOURCE"),
        rec=find("RECOMMENDATION_ID"),
        et=find("EVENT_TYPE"),
        typed=typed,
        ids=[(i, names[i]) for i in range(len(names)) if upper[i] in ID_COLUMNS],
        text=[(i, names[i]) for i in range(len(names)) if i not in not_text],
        hash_order=[f"c{i}" for i in order],
        seed_offset=seed_offset,
    )


def scan(
    locations: Sequence[str],
    *,
    fields: list[SchemaField] | None,
    as_of: datetime,
    options: ScanOptions | None = None,
) -> ScanResult:
    """Expand ``locations`` and scan every file they name (see ``scan_files``)."""
    options = options or ScanOptions()
    files: list[DataFile] = []
    problems: list[DataProblem] = []
    seen: set[str] = set()
    for loc in locations:
        found, probs = expand(loc, base_dirs=options.base_dirs, root=options.root)
        problems.extend(probs)
        for f in found:
            if f.uri not in seen:  # a file named by two globs is read once
                seen.add(f.uri)
                files.append(f)
    result = scan_files(files, fields=fields, as_of=as_of, options=options)
    result.problems[:0] = problems
    return result


def scan_files(
    files: Sequence[DataFile],
    *,
    fields: list[SchemaField] | None,
    as_of: datetime,
    options: ScanOptions | None = None,
) -> ScanResult:
    """One pass over ``files`` (in order) computing a ``ScanResult``.

    ``fields`` is the Interactions schema (None: only the reserved columns are typed).
    """
    options = options or ScanOptions()
    session = engine_choice.active()
    if session is not None and files:  # ``--engine dask``: the same checks on a cluster
        return session.scan_files(list(files), fields=fields, as_of=as_of, options=options)
    result = empty_result(files)
    if not files:
        return result
    if "numpy" not in sys.modules:
        # numpy's bundled OpenBLAS starts a thread per core that busy-waits for a while
        # (0.15 CPU-s measured, taken from the parser); these checks do no linear algebra.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        import polars as pl

        from . import duplicates
    except ImportError as exc:
        for f in files:
            result.problems.append(
                DataProblem(
                    "unreadable",
                    f"cannot read {f.display}: the data checks need the 'data' extra "
                    f"(pip install 'personalize-lint[data]'): {exc}",
                    f.location,
                )
            )
        return result
    started = time.monotonic()
    scanner = Scanner(files, fields, as_of, options, result, pl)
    try:
        scanner.run(duplicates)
    except Exception as exc:  # fail closed: an engine failure is "not evaluated", not a pass
        result.problems.append(
            DataProblem("unreadable", f"the data check failed: {describe_error(exc)}", "")
        )
    result.seconds = time.monotonic() - started
    return result


def empty_result(files: Sequence[DataFile]) -> ScanResult:
    """A scan's result before anything is read: ``files`` listed, in order."""
    return ScanResult(
        files=[
            FileInfo(uri=f.uri, display=f.display, location=f.location, size=f.size) for f in files
        ]
    )


def scan_progress(files: Sequence[DataFile], options: ScanOptions) -> progress_mod.Progress:
    """The bar of one scan of ``files`` (either engine): their total size, drawn when
    ``options.progress`` says so, else when a person is watching."""
    enabled = (
        options.progress if options.progress is not None else progress_mod.wanted(options.quiet)
    )
    total = sum(f.size or 0 for f in files)
    return progress_mod.Progress(total, enabled=enabled, label=options.label)


class Scanner:
    """Reads and checks ``files`` in order, tallies into ``result`` (made by ``empty_result``
    for the same files): ``run`` with the local ``FingerprintIndex``, or ``read_into`` with
    another sink of fingerprints (the Dask engine's, one file per task). ``groups`` numbers
    the header layouts (``number_layout``): pass the numbering made over all files when
    scanning some of them, so that fingerprints are seeded as in a scan of all of them.
    ``progress`` gets ``update(bytes, rows, force=...)`` and ``close()`` (default: the bar
    of ``scan_progress``). ``pl`` is the polars module (imported by the caller: heavy)."""

    def __init__(
        self,
        files: Sequence[DataFile],
        fields: list[SchemaField] | None,
        as_of: datetime,
        options: ScanOptions,
        result: ScanResult,
        pl: Any,
        *,
        groups: dict[tuple[str, ...], int] | None = None,
        progress: Any = None,
    ) -> None:
        self.files = files
        self.fields = fields
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=timezone.utc)
        self.cutoff = int(as_of.timestamp()) - FOURTEEN_DAYS
        self.options = options
        self.result = result
        self.pl = pl
        self.counter = ByteCounter()
        self.groups: dict[tuple[str, ...], int] = dict(groups or {})
        self.queue: queue.Queue[tuple[str, Any, Any]] = queue.Queue(maxsize=2)
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.progress = progress if progress is not None else scan_progress(files, options)
        self.index: Any = None
        self.workers = max(1, min(options.workers or (os.cpu_count() or 1), 4))

    # -- reader thread -------------------------------------------------------------------

    def _put(self, item: tuple[str, Any, Any]) -> None:
        while True:
            if self.stop.is_set():
                raise _Stop
            try:
                self.queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _read_all(self) -> None:
        try:
            for index, file in enumerate(self.files):
                self._read_file(index, file)
            self._put(("done", None, None))
        except _Stop:
            return
        except BaseException as exc:  # hand anything unexpected to the consumer
            try:
                self._put(("fatal", exc, None))
            except _Stop:
                return

    def _read_file(self, index: int, file: DataFile) -> None:
        before = self.counter.value
        try:
            stream = open_stream(file, self.counter)
        except Exception as exc:
            self._put(("unreadable", index, exc))
            return
        try:
            reader = ChunkReader(
                stream, chunk_size=self.options.chunk_size, max_record=self.options.max_record
            )
            header = reader.read_header()
            self._put(("header", index, (header, stream.compressed)))
            for chunk in reader:
                # The byte count travels with the chunk: progress shows what was checked,
                # not what the reader has buffered ahead.
                self._put(("chunk", index, (chunk, self.counter.value)))
            self._put(("end", index, self.counter.value - before))
        except CsvSyntaxError as exc:
            self._put(("syntax", index, exc))
        except _Stop:
            raise
        except Exception as exc:
            self._put(("unreadable", index, exc))
        finally:
            with contextlib.suppress(Exception):
                stream.close()

    # -- main thread: dispatch chunks to the workers, fold results in order ----------------

    def _consume(self) -> None:
        """Hand chunks to a small thread pool and fold the results back in file order.

        Polars parses one in-memory chunk on about one core, so two chunks in flight keep
        both cores busy; at most ``workers + 2`` chunks are held at a time.
        """
        workers = self.workers
        pending: collections.deque[tuple[str, int, Any]] = collections.deque()
        plan: _Plan | None = None
        with concurrent.futures.ThreadPoolExecutor(workers, "personalize-lint-chunk") as pool:
            while True:
                kind, index, payload = self.queue.get()
                if kind == "fatal":
                    raise payload
                if kind == "header":
                    header: Header = payload[0]
                    plan = _plan(header, self.fields, self.groups) if header.names else None
                if kind == "chunk":
                    chunk, read_so_far = payload
                    if plan is None or not plan.n:  # no header: nothing to check
                        pending.append(("progress", index, read_so_far))
                    else:
                        part = ScanResult(files=self.result.files)
                        future = pool.submit(self._chunk, index, plan, chunk, part)
                        pending.append(("chunk", index, (future, part, read_so_far)))
                else:
                    pending.append((kind, index, payload))
                # Fold what is finished (in order); wait when too much is in flight.
                while pending and (
                    len(pending) > workers + 1
                    or kind == "done"
                    or pending[0][0] != "chunk"
                    or pending[0][2][0].done()
                ):
                    self._fold(*pending.popleft())
                if kind == "done":
                    return

    def _fold(self, kind: str, index: int, payload: Any) -> None:
        r = self.result
        if kind == "done":
            return
        info = r.files[index]
        if kind == "header":
            header: Header = payload[0]
            info.compressed = payload[1]
            info.header = [n.strip() for n in header.names]
            info.quoted_header = list(header.quoted)
            info.header_lines = header.lines
            info.bom = header.bom
        elif kind == "chunk":
            future, part, read_so_far = payload
            self.index.add_split(future.result())
            absorb(r, part, index)
            self.progress.update(read_so_far, r.rows)
        elif kind == "progress":
            self.progress.update(payload, r.rows)
        elif kind == "end":
            info.complete = True
            info.bytes_read = payload
        else:  # "unreadable" or "syntax"
            r.problems.append(
                DataProblem(
                    kind,
                    f"cannot read {info.display}: {describe_error(payload)}",
                    info.location,
                    file=index,
                    line=getattr(payload, "line", None),
                )
            )

    def run(self, duplicates: Any) -> None:
        spill = tempfile.mkdtemp(prefix="personalize-lint-", dir=self.options.temp_dir)
        try:
            index = duplicates.FingerprintIndex(
                budget=self.options.memory_limit,
                spill_dir=spill,
                examples=MAX_EXAMPLES,
                partitions=self.workers,
            )
            self.read_into(index)
            record_duplicates(self.result, index.finish())
            self.result.spilled_bytes = index.spilled_bytes
        finally:
            shutil.rmtree(spill, ignore_errors=True)

    def read_into(self, index: Any) -> None:
        """Read and check every file, tallies into ``result``; fingerprint batches go to
        ``index``: ``index.split(batch)`` in the worker threads, ``index.add_split(blocks)``
        in file order. The Dask engine runs this on its workers with its own sink."""
        self.index = index
        reader = threading.Thread(target=self._read_all, name="personalize-lint-data", daemon=True)
        try:
            reader.start()
            self._consume()
            self.result.bytes_read = self.counter.value
            self.progress.update(self.counter.value, self.result.rows, force=True)
        finally:
            self.stop.set()
            if reader.is_alive():
                reader.join(timeout=5)
            self.progress.close()

    # -- one chunk -------------------------------------------------------------------------

    def _chunk(self, index: int, plan: _Plan, chunk: Chunk, out: ScanResult) -> list[Any]:
        """Parse and check one chunk; tallies go to ``out`` (folded in order later)."""
        pl = self.pl
        cols = [f"c{i}" for i in range(plan.n)]
        schema = {c: pl.String for c in cols}
        # A last record without a line break is a row too; so is the partial record a
        # positional read leaves at the end of ``data`` (dropped below).
        trailing = 1 if chunk.final and chunk.data and not chunk.data.endswith(b"\n") else 0
        df = None
        ragged: list[int] = []
        try:
            # Columns by position (c0, c1, ...): a first row with another number of fields
            # than the header raises, and the chunk is read the slow way.
            df = pl.read_csv(
                chunk.data,
                has_header=False,
                schema=schema,
                truncate_ragged_lines=True,
                empty_string_is_null=False,
                infer_schema=False,
                raise_if_empty=False,
            )
        except Exception:
            df = None
        if df is not None and chunk.partial:
            df = df.head(df.height - 1) if df.height else None
        if df is not None:
            n = df.height
            if chunk.quotes == 0:
                ok = n == chunk.newlines + trailing and chunk.commas == (plan.n - 1) * n
                if ok:
                    df = df.with_columns(
                        pl.int_range(chunk.first_line, chunk.first_line + n, dtype=pl.Int64).alias(
                            "__line"
                        ),
                        pl.lit(0, dtype=pl.UInt32).alias("__nl"),
                    )
            else:
                df = df.with_columns(
                    pl.sum_horizontal(
                        [pl.col(c).str.count_matches("\n", literal=True) for c in cols]
                    ).alias("__nl")
                )
                inner = df.select(
                    pl.col("__nl").sum().alias("nl"),
                    pl.sum_horizontal(
                        [pl.col(c).str.count_matches(",", literal=True).sum() for c in cols]
                    ).alias("commas"),
                ).row(0)
                nl_inside, commas_inside = int(inner[0] or 0), int(inner[1] or 0)
                ok = (
                    n + nl_inside == chunk.newlines + trailing
                    and chunk.commas - commas_inside == (plan.n - 1) * n
                )
                if ok:
                    df = df.with_columns(
                        (
                            pl.int_range(chunk.first_line, chunk.first_line + n, dtype=pl.Int64)
                            + pl.col("__nl").cum_sum().cast(pl.Int64)
                            - pl.col("__nl").cast(pl.Int64)
                        ).alias("__line")
                    )
            if not ok:
                df = None
        if df is None:
            df, ragged = self._slow(index, plan, chunk, out)
        out.rows += df.height
        if ragged:
            examples = [Position(index, line) for line in ragged[:MAX_EXAMPLES]]
            _fold_format(
                out,
                f"row has a different number of fields than the header ({plan.n})",
                len(ragged),
                examples,
            )
        # A blank line has an empty first field: test the rest only when one does.
        blank_rows = plan.n > 1 and bool((df.get_column("c0") == "").any())
        big = len(chunk.data) > self.options.max_record
        if chunk.nul:
            self._nul_bytes(index, plan, df, out)
        return self._check(index, plan, df, blank_rows, big, out)

    def _slow(
        self, index: int, plan: _Plan, chunk: Chunk, out: ScanResult
    ) -> tuple[Any, list[int]]:
        """Re-read a chunk the fast reader rejected with the csv module, naming lines."""
        pl = self.pl
        data = chunk.records
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = chunk.first_line + data[: exc.start].count(b"\n")
            _syntax(out, index, line, "not valid UTF-8 (Personalize reads CSV as UTF-8)")
            text = data.decode("utf-8", errors="replace")
        # The csv module's own field bound (128 KiB) is not ours: a field may be as large as
        # the record bound the user configured (max-csv-record-bytes).
        limit = self.options.max_record
        csv.field_size_limit(limit)
        strict = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            for _ in strict:
                pass
        except csv.Error as exc:
            if "field limit" in str(exc):
                _syntax(
                    out,
                    index,
                    chunk.first_line + max(strict.line_num - 1, 0),
                    f"a field is larger than {limit:,} bytes (max-csv-record-bytes)",
                )
                return self._empty_frame(plan), []
            _syntax(
                out,
                index,
                chunk.first_line + max(strict.line_num - 1, 0),
                f"malformed quoting: {exc}",
            )
        reader = csv.reader(io.StringIO(text, newline=""), strict=False)
        rows: list[list[str]] = []
        lines: list[int] = []
        nls: list[int] = []
        ragged: list[int] = []
        consumed = 0
        for rec in reader:
            start = chunk.first_line + consumed
            nls.append(reader.line_num - consumed - 1)
            consumed = reader.line_num
            if not rec:
                rec = [""] * plan.n
            elif len(rec) != plan.n:
                ragged.append(start)
                rec = (rec + [""] * plan.n)[: plan.n]
            rows.append(rec)
            lines.append(start)
        df = pl.DataFrame(
            rows, schema={f"c{i}": pl.String for i in range(plan.n)}, orient="row"
        ).with_columns(
            pl.Series("__line", lines, dtype=pl.Int64),
            pl.Series("__nl", nls, dtype=pl.UInt32),
        )
        return df, ragged

    def _empty_frame(self, plan: _Plan) -> Any:
        """A chunk that cannot be read contributes no rows (its PL001 says why)."""
        pl = self.pl
        schema = {f"c{i}": pl.String for i in range(plan.n)}
        return pl.DataFrame(schema={**schema, "__line": pl.Int64, "__nl": pl.UInt32})

    def _expressions(self, plan: _Plan) -> _Exprs:
        """The per-row masks and their aggregates for one header layout (built once).

        Cheap tests run on every row; the costlier classification of a bad TIMESTAMP
        (blank, date string, other) runs only on the rows whose integer cast failed.
        """
        pl = self.pl
        cols = [f"c{i}" for i in range(plan.n)]
        # Step 1: helper columns every mask reuses.
        pre: list[polars.Expr] = []
        if plan.ts is not None:
            pre.append(pl.col(f"c{plan.ts}").cast(pl.Int64, strict=False).alias("__ts"))
        no_blank = [*pre, pl.lit(False).alias("__blank")]
        if plan.n > 1:
            pre.append(pl.all_horizontal([pl.col(c) == "" for c in cols]).alias("__blank"))
        else:
            pre = no_blank
        blank = pl.col("__blank")
        ts = pl.col("__ts")
        # Step 2: one boolean column per test.
        masks: list[tuple[str, polars.Expr]] = [
            ("blank line", blank),
            ("record spans several lines (a quoted value holds a line break)", pl.col("__nl") > 0),
        ]
        if plan.ts is not None:
            masks += [
                ("__ts_bad", ts.is_null() & ~blank),
                (
                    "TIMESTAMP is in milliseconds, not Unix epoch seconds",
                    ts.abs() >= MILLIS_THRESHOLD,
                ),
                ("__old", (ts.abs() < MILLIS_THRESHOLD) & (ts <= self.cutoff)),
            ]
        for i, name, typ, nullable in plan.typed:
            c = pl.col(f"c{i}")
            target = {"long": pl.Int64, "int": pl.Int32, "float": pl.Float64, "double": pl.Float64}
            if typ in target:
                bad = (c != "") & c.cast(target[typ], strict=False).is_null()
                masks.append((f"{name} is not a valid {typ}", bad))
            elif typ == "boolean":
                bad = (c != "") & ~c.str.to_lowercase().is_in(["true", "false"])
                masks.append((f"{name} is not a valid {typ}", bad))
            if not nullable:
                masks.append((f"{name} is empty but the schema requires it", (c == "") & ~blank))
        for i, name in plan.ids:
            # Bytes >= characters and the byte length is stored: count characters only on
            # the rows this cheap test keeps (see _check).
            masks.append(
                (f"__id_bytes:{i}:{name}", pl.col(f"c{i}").str.len_bytes() > MAX_ID_LENGTH)
            )
        src_given = pl.col(f"c{plan.src}") != "" if plan.src is not None else pl.lit(False)
        rec_given = pl.col(f"c{plan.rec}") != "" if plan.rec is not None else pl.lit(False)
        masks += [
            ("__neither", ~src_given & ~rec_given & ~blank),
            ("__both", src_given & rec_given),
        ]
        # Step 3: counts per mask (first lines are taken later, for the masks that count
        # any rows); the oldest timestamp.
        line = pl.col("__line")
        aggs: list[polars.Expr] = [pl.col(f"m{k}").sum().alias(f"n{k}") for k in range(len(masks))]
        kinds = [name for name, _ in masks]
        if plan.ts is not None:
            old = pl.col(f"m{kinds.index('__old')}")
            oldest = ts.filter(old).min()
            aggs += [
                oldest.alias("oldest"),
                line.filter(old & (ts == oldest)).first().alias("oldest_line"),
            ]
        return _Exprs(
            kinds=kinds,
            pre=pre,
            pre_no_blank=no_blank,
            masks=[expr.alias(f"m{k}") for k, (_, expr) in enumerate(masks)],
            aggs=aggs,
            live=~blank,
        )

    def _check(
        self, index: int, plan: _Plan, df: Any, blank_rows: bool, big: bool, out: ScanResult
    ) -> list[Any]:
        pl = self.pl
        r = out
        with self._lock:  # workers share the plan of a file: build its expressions once
            if plan.exprs is None:
                plan.exprs = self._expressions(plan)
            exprs = plan.exprs
        # One lazy query for both steps: measured ~0.3 CPU-s less over 10M rows than two
        # eager calls.
        pre = exprs.pre if blank_rows else exprs.pre_no_blank
        df = df.lazy().with_columns(pre).with_columns(exprs.masks).collect()
        row = df.select(exprs.aggs).row(0, named=True)
        line = pl.col("__line")
        found = [k for k in range(len(exprs.kinds)) if row[f"n{k}"]]
        firsts = (
            df.select(
                line.filter(pl.col(f"m{k}")).head(MAX_EXAMPLES).implode().alias(f"x{k}")
                for k in found
            ).row(0, named=True)
            if found
            else {}
        )
        if big:
            self._field_bound(index, plan, df, out)
        for k in found:
            kind = exprs.kinds[k]
            count = int(row[f"n{k}"])
            examples = [Position(index, x) for x in firsts[f"x{k}"]]
            if kind == "__neither":
                r.no_source.add(count, examples)
            elif kind == "__both":
                r.both.add(count, examples)
            elif kind == "__old":
                r.old.add(count, examples)
                if row["oldest"] is not None and (r.oldest is None or row["oldest"] < r.oldest):
                    r.oldest = int(row["oldest"])
                    r.oldest_at = Position(index, int(row["oldest_line"]))
            elif kind == "__ts_bad":
                bad = _rows(df, pl.col(f"m{k}"), f"c{plan.ts}")
                self._bad_timestamps(index, bad, f"c{plan.ts}", out)
            elif kind.startswith("__id_bytes:"):
                _, column, name = kind.split(":", 2)
                long = _rows(
                    df, pl.col(f"m{k}") & (pl.col(f"c{column}").str.len_chars() > MAX_ID_LENGTH)
                )
                _fold_format(
                    out,
                    f"{name} is longer than {MAX_ID_LENGTH} characters",
                    long.height,
                    [Position(index, x) for x in long.get_column("__line").head(MAX_EXAMPLES)],
                )
            else:
                _fold_format(out, kind, count, examples)
        live = exprs.live

        if plan.src is not None:
            self._sources(index, df, f"c{plan.src}", out)
        if plan.et is not None:
            counts = df.get_column(f"c{plan.et}").unique()
            _merge_names(r.event_types, counts.to_list())
            r.event_types_capped = r.event_types_capped or len(r.event_types) >= MAX_DISTINCT

        # hash_rows is ~3x faster than hashing a struct column; two seeds give 128 bits.
        seed_a, seed_b = (s + plan.seed_offset for s in SEEDS)
        # Columns taken as they are: ``df.select`` would first copy them all into one chunk
        # (the parsed columns and the computed ones are chunked differently), which was
        # ~10% of a scan's CPU in page faults alone.
        values = pl.DataFrame([df.get_column(c) for c in plan.hash_order])
        fingerprints = pl.DataFrame(
            {
                "h1": values.hash_rows(seed_a),
                "h2": values.hash_rows(seed_b),
                "pos": df.get_column("__line") + (index << LINE_BITS),
            }
        )
        if row["n0"]:  # blank lines are not events: keep them out of the duplicate count
            fingerprints = fingerprints.filter(df.select(live).to_series())
        return self.index.split(fingerprints)

    def _field_bound(self, index: int, plan: _Plan, df: Any, out: ScanResult) -> None:
        """A field past the configured bound (max-csv-record-bytes) is PL001. Only tested
        on chunks larger than the bound: no field of a smaller chunk can pass it."""
        pl = self.pl
        limit = self.options.max_record
        over = pl.any_horizontal([pl.col(f"c{i}").str.len_bytes() > limit for i in range(plan.n)])
        for line in _rows(df, over).get_column("__line").head(MAX_EXAMPLES).to_list():
            _syntax(
                out, index, line, f"a field is larger than {limit:,} bytes (max-csv-record-bytes)"
            )

    def _nul_bytes(self, index: int, plan: _Plan, df: Any, out: ScanResult) -> None:
        """Text values holding a NUL byte (PL608): IDs and other text never do; it means
        binary or mis-encoded (e.g. UTF-16) data. Only run on chunks that hold a NUL."""
        pl = self.pl
        for i, name in plan.text:
            hits = _rows(df, pl.col(f"c{i}").str.contains("\x00", literal=True))
            lines = hits.get_column("__line").head(MAX_EXAMPLES).to_list()
            _fold_format(out, f"{name} holds a NUL byte (0x00), which text never does",
                         hits.height, [Position(index, x) for x in lines])

    def _bad_timestamps(self, index: int, bad: Any, column: str, out: ScanResult) -> None:
        """Say why TIMESTAMP values failed the integer cast (only those rows are looked at)."""
        pl = self.pl
        t = pl.col(column)
        line = pl.col("__line")
        is_blank = t.str.strip_chars() == ""
        is_date = ~is_blank & t.str.contains(ISO_DATE)
        kinds = [
            ("TIMESTAMP is blank", is_blank),
            ("TIMESTAMP is a date string, not Unix epoch seconds", is_date),
            ("TIMESTAMP is not an integer", ~is_blank & ~is_date),
        ]
        row = bad.select(
            [
                e
                for k, (_, m) in enumerate(kinds)
                for e in (
                    m.sum().alias(f"n{k}"),
                    line.filter(m).head(MAX_EXAMPLES).implode().alias(f"x{k}"),
                )
            ]
        ).row(0, named=True)
        for k, (kind, _) in enumerate(kinds):
            examples = [Position(index, x) for x in row[f"x{k}"]]
            _fold_format(out, kind, int(row[f"n{k}"] or 0), examples)

    def _sources(self, index: int, df: Any, column: str, out: ScanResult) -> None:
        """Distinct EVENT_ATTRIBUTION_SOURCE values, and rows whose value breaks the API
        pattern (tested on the few distinct values, counted only when there are any)."""
        pl = self.pl
        distinct = df.get_column(column).unique()
        _merge_names(out.sources, distinct.to_list())
        out.sources_capped = out.sources_capped or len(out.sources) >= MAX_DISTINCT
        v = pl.col(column)
        long_kind = f"longer than {MAX_SOURCE_LENGTH:,} characters"
        kinds = distinct.to_frame().select(
            v,
            ((v != "") & (v.str.strip_chars(" ") == "")).alias("blank"),  # only spaces
            v.str.contains(r"[^\x20-\x7E]").alias("not printable ASCII"),
            (v.str.len_chars() > MAX_SOURCE_LENGTH).alias(long_kind),
        )
        for kind in ("blank", "not printable ASCII", long_kind):
            values = kinds.filter(pl.col(kind)).get_column(column)
            if not len(values):
                continue
            hits = _rows(df, v.is_in(values.implode()), column)
            lines = hits.get_column("__line")
            examples = [Position(index, x) for x in lines.head(MAX_EXAMPLES).to_list()]
            out.bad_sources.setdefault(kind, Tally()).add(len(hits), examples)
            kept = out.bad_source_values.setdefault(kind, [])
            # In the order the rows give them (``unique`` above has no order): the same
            # examples from run to run, and from either engine.
            for value in hits.get_column(column).unique(maintain_order=True).to_list():
                if len(kept) < MAX_EXAMPLES and value not in kept:
                    kept.append(value)


def _rows(df: Any, where: Any, *columns: str) -> Any:
    """``__line`` and ``columns`` of the rows ``where`` holds.

    Lazily, so only those columns are filtered: ``df.filter`` first copies every column
    into one chunk (parsed and computed columns are chunked differently), ~10x slower.
    """
    return df.lazy().filter(where).select("__line", *columns).collect()


def absorb(target: ScanResult, part: ScanResult, index: int) -> None:
    """Fold the tallies of one chunk (or of one whole file: the fold is associative) of
    file ``index`` into the scan's. Fold in file order, so the first examples stay the
    first."""
    target.rows += part.rows
    target.files[index].rows += part.rows
    for kind, tally in part.format_errors.items():
        target.format_errors.setdefault(kind, Tally()).add(tally.count, tally.examples)
    for kind, tally in part.bad_sources.items():
        target.bad_sources.setdefault(kind, Tally()).add(tally.count, tally.examples)
        kept = target.bad_source_values.setdefault(kind, [])
        for value in part.bad_source_values.get(kind, []):
            if len(kept) < MAX_EXAMPLES and value not in kept:
                kept.append(value)
    for name in ("old", "no_source", "both", "syntax_errors"):
        mine: Tally = getattr(target, name)
        theirs: Tally = getattr(part, name)
        mine.add(theirs.count, theirs.examples)
    room = MAX_EXAMPLES - len(target.syntax_messages)
    target.syntax_messages.extend(part.syntax_messages[: max(room, 0)])
    if part.oldest is not None and (target.oldest is None or part.oldest < target.oldest):
        target.oldest, target.oldest_at = part.oldest, part.oldest_at
    _merge_names(target.sources, part.sources)
    target.sources_capped = target.sources_capped or part.sources_capped
    target.sources_capped = target.sources_capped or len(target.sources) >= MAX_DISTINCT
    _merge_names(target.event_types, part.event_types)
    target.event_types_capped = target.event_types_capped or part.event_types_capped
    target.event_types_capped = target.event_types_capped or len(target.event_types) >= MAX_DISTINCT


def _syntax(out: ScanResult, index: int, line: int, message: str) -> None:
    out.syntax_errors.add(1, [Position(index, line)])
    if len(out.syntax_messages) < MAX_EXAMPLES:
        out.syntax_messages.append(f"{out.files[index].display}:{line}: {message}")


def _fold_format(out: ScanResult, kind: str, count: int, examples: list[Position]) -> None:
    if count:
        out.format_errors.setdefault(kind, Tally()).add(count, examples)


def _merge_names(target: set[str], names: Iterable[str]) -> None:
    """Add distinct values (empty ones are "not given"); keep at most MAX_DISTINCT names."""
    for name in names:
        if name and name not in target and len(target) < MAX_DISTINCT:
            target.add(name)


def record_duplicates(result: ScanResult, found: Any) -> None:
    """What ``FingerprintIndex.finish`` found (``duplicates.Duplicates``), in ``result``."""
    result.duplicates = found.count
    result.duplicate_groups = found.groups
    result.duplicate_examples = [Duplicate(_position(a), _position(b)) for a, b in found.first]


def _position(pos: int) -> Position:
    return Position(int(pos) >> LINE_BITS, int(pos) & ((1 << LINE_BITS) - 1))


def describe_error(exc: BaseException) -> str:
    """One line for why reading data failed (an AWS error code and message, an OS error's
    text, else the exception's)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        if err.get("Code"):
            return f"{err.get('Code')}: {err.get('Message') or ''}".rstrip(": ")
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
