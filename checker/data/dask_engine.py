"""The data checks on a Dask cluster: the local engine's findings, past one machine.

Chosen with ``check --engine dask`` or ``[data] engine = "dask"`` (``engines.using``); it
needs the ``dask`` extra on the client and on every worker. The workers run the local
engine's own code, file by file, and the client merges what they send back, so every count,
first line and example is the local engine's:

::

    client                           workers (one task per file)             workers
    expand locations (list S3)  -->  1. read the header                 -->  3. one task per
    number the header layouts        2. engine.Scanner on that file:         partition: pull its
    in file order (the seeds of         chunks, Polars checks, line          fingerprints from
    the fingerprints, as locally)       numbers, tallies -> client;          every worker, a
    fold the tallies in file order      fingerprints hash-partitioned        piece at a time;
    (engine.absorb), merge the          by the top bits of h1 into spill     FingerprintIndex
    partitions' duplicates              files on the worker's disk           -> exact duplicates

* Files are the unit of parallelism: a worker opens its files itself (local paths must be
  visible to the workers at the same absolute path, e.g. a shared file system; ``s3://``
  objects are streamed by the worker with boto3 and its own credentials). A file's line
  numbers, header check and first examples are therefore exactly the local engine's.
* Tallies are folded in file order with the same fold the local engine applies to its
  chunks, which is associative (first examples are a prefix, counts add up, the oldest
  keeps the first of equals), so the result does not depend on which worker finished first.
* Exact duplicates, across files and workers: each row's 128-bit fingerprint (same seeds as
  locally, so the same fingerprints) goes to partition ``h1 >> (64 - bits)``; equal rows
  always meet in one partition, whose task checks it with the local ``FingerprintIndex``
  (spilling to the worker's disk past ``memory_limit``). Partitions' results add up: counts,
  distinct repeated rows, and the first examples by position. Nothing is sampled.
* Memory per worker, per thread: a file task holds what the local engine holds for one
  file with one parse thread (three 16 MiB chunks and their parsed frames) and writes
  fingerprints to disk chunk by chunk; a partition task holds its ``FingerprintIndex``
  budget (``memory_limit``, 256 MiB by default) plus one piece of ``PIECE_ROWS``
  fingerprints (48 MiB). Disk: 24 bytes a row, spread over the workers.
* Progress: running file tasks report their bytes and rows every ``PROGRESS_INTERVAL``
  through the scheduler's event log (``Worker.log_event``); the bar shows the finished
  files plus those reports, so one big file moves it too.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import dask
import numpy as np
from dask.utils import parse_timedelta
from distributed import (
    Client,
    LocalCluster,
    as_completed,
    get_client,
    get_worker,
)
from distributed.scheduler import KilledWorker  # there since 1.x; top-level only lately

from . import engine as local
from .chunks import ChunkReader, Header
from .engine_choice import EngineChoice, EngineFailure
from .result import MAX_EXAMPLES, DataProblem, Position, ScanResult, Tally
from .sources import ByteCounter, DataFile, open_stream

PROGRESS_INTERVAL = 0.5  # seconds between a file task's reports of its bytes and rows
PIECE_ROWS = 2 << 20  # fingerprints a partition task pulls at a time (24 B each: 48 MiB)
MAX_BITS = 8  # at most 256 partitions (and spill files per file task)
# Rows per byte assumed to size the partitions before reading (~60 B a row of plain CSV;
# gzip ~4x): only the number of partitions depends on it, never the result.
ROWS_PER_BYTE = 1 / 60
GZIP_RATIO = 4


@dataclass
class FilePart:
    """What a file task sends back: one file's tallies (file index 0) and where its
    fingerprints lie: ``counts[p]`` of them in ``spill_path(spill, p)`` on ``worker``, per
    partition (no file where the count is 0). Small: ~2 KB a file beside the tallies,
    as the client holds one per file until the duplicate check."""

    result: ScanResult
    worker: str
    spill: str = ""
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def spill_path(spill: str, partition: int) -> str:
    """A file task's spill file of one partition."""
    return f"{spill}-{partition:03d}.bin"


Piece = tuple[str, list[tuple[str, int, int]]]  # worker, [(spill file, first row, rows)]


class DaskSession:
    """Runs the data scans of one ``check`` on a Dask cluster (see ``engines.using``)."""

    def __init__(self, choice: EngineChoice) -> None:
        self.choice = choice
        self.failure: str | None = None
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None

    # -- the cluster ---------------------------------------------------------------------

    def client(self) -> Client:
        if self._client is not None:
            return self._client
        choice = self.choice
        _silence_dask_log()
        if choice.scheduler:
            why = _cannot_connect(choice.scheduler)
            if why:
                raise EngineFailure(f"cannot reach the Dask scheduler at {choice.scheduler}: {why}")
            try:
                self._client = _connect(choice.scheduler, _connect_timeout())
            except (OSError, TimeoutError, ValueError) as exc:
                raise EngineFailure(
                    f"cannot reach the Dask scheduler at {choice.scheduler}: {_one_line(exc)}"
                ) from None
            try:  # tasks sent to a cluster without workers would wait forever
                self._client.wait_for_workers(1, timeout=_connect_timeout())
            except (OSError, TimeoutError) as exc:
                raise EngineFailure(
                    f"the Dask scheduler at {choice.scheduler} has no workers: {_one_line(exc)}"
                ) from None
            return self._client
        self._cluster = LocalCluster(
            n_workers=choice.workers,
            threads_per_worker=choice.threads_per_worker,
            memory_limit=choice.worker_memory if choice.worker_memory is not None else "auto",
            processes=True,
            # No dashboard, and the scheduler's HTTP server (health, metrics) on a free
            # port of the loopback: ``dashboard_address=None`` still binds 8787, and warns
            # on stderr when another cluster or run holds it.
            dashboard_address="127.0.0.1:0",
            scheduler_kwargs={"dashboard": False},
            # The cluster's own log (restarts, memory warnings) would reach the user's
            # stderr: a failure is our one line (exit 2) instead.
            silence_logs=logging.CRITICAL,
            # First (before any preload the user's Dask configuration names, kept: the
            # nanny's argument replaces the configured list): nothing a worker process
            # writes reaches the user's stderr.
            preload=["personalize_lint.data.quiet_worker", *_configured_preloads()],
        )
        self._client = Client(self._cluster)
        return self._client

    def close(self) -> None:
        for part in (self._client, self._cluster):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.close()
        self._client = self._cluster = None

    # -- one scan ------------------------------------------------------------------------

    def scan_files(
        self,
        files: Sequence[DataFile],
        *,
        fields: list[local.SchemaField] | None,
        as_of: datetime,
        options: local.ScanOptions,
    ) -> ScanResult:
        result = local.empty_result(files)
        started = time.monotonic()
        if not self.failure:
            try:
                _Run(self.client(), list(files), fields, as_of, options, result).run()
            except EngineFailure as exc:
                self.failure = str(exc)
            except ImportError as exc:  # the client has the extra: a worker has not
                self.failure = (
                    "the Dask engine failed: a worker cannot import what the checks need "
                    f"(install 'personalize-lint[dask]' on every worker): {_one_line(exc)}"
                )
            except Exception as exc:  # a lost worker, a cancelled task, a task's own error
                self.failure = f"the Dask engine failed: {_one_line(exc)}"
        if self.failure:  # never a pass: the rules see PL003 (and the run exits 2)
            result.problems.append(
                DataProblem("unreadable", f"the data was not checked: {self.failure}", "")
            )
        result.seconds = time.monotonic() - started
        return result


class _Run:
    def __init__(
        self,
        client: Client,
        files: list[DataFile],
        fields: list[local.SchemaField] | None,
        as_of: datetime,
        options: local.ScanOptions,
        result: ScanResult,
    ) -> None:
        self.client = client
        self.files = files
        self.fields = fields
        self.as_of = as_of
        self.options = options
        self.result = result
        self.run_id = f"personalize-lint-{uuid.uuid4().hex[:12]}"
        self.progress = local.scan_progress(files, options)
        # Progress: files folded (bytes, rows) plus what file tasks still running reported
        # (``_file_progress``, called in the client's event loop thread).
        self.topic = f"{self.run_id}-progress"
        self._progress_lock = threading.Lock()
        self._done = (0, 0)
        self._running: dict[int, tuple[int, int]] = {}
        self._finished: set[int] = set()

    def run(self) -> None:
        if not self.files:
            return
        client = self.client
        try:
            headers = client.gather(
                client.map(
                    _read_header,
                    self.files,
                    max_record=self.options.max_record,
                    pure=False,
                    key=[f"{self.run_id}-header-{i}" for i in range(len(self.files))],
                )
            )
            # The seeds of each header layout, numbered in file order as the local engine
            # numbers them, so that fingerprints (and so duplicates) are the same.
            groups: dict[tuple[str, ...], int] = {}
            for header in headers:
                if header is not None and header.names:
                    local.number_layout(header, groups)
            bits = self._partition_bits()
            worker_options = replace(self.options, workers=1, progress=False, quiet=True)
            client.subscribe_topic(self.topic, self._file_progress)
            futures = client.map(
                _check_file,
                range(len(self.files)),
                self.files,
                fields=self.fields,
                as_of=self.as_of,
                options=worker_options,
                groups=groups,
                bits=bits,
                run_id=self.run_id,
                pure=False,
                key=[f"{self.run_id}-file-{i}" for i in range(len(self.files))],
            )
            parts = self._fold(futures)
            r = self.result
            local.record_duplicates(r, self._duplicates(parts, bits))
            self.progress.update(r.bytes_read, r.rows, force=True)
        finally:
            self.progress.close()
            with contextlib.suppress(Exception):
                client.unsubscribe_topic(self.topic)
            with contextlib.suppress(Exception):
                client.run(_remove_run, self.run_id)

    def _failed(self, doing: str, exc: BaseException) -> EngineFailure:
        address = str(getattr(self.client.scheduler, "address", ""))
        # Dask before 2024.6 cancels without a reason: the client's state tells.
        connected = getattr(self.client, "status", "running") == "running"
        own = getattr(self.client, "cluster", None) is not None  # our LocalCluster
        return _task_failed(doing, exc, address, connected, own_cluster=own)

    def _file_progress(self, event: tuple[float, Any]) -> None:
        """A running file task's report: (file index, bytes read, rows checked)."""
        index, bytes_read, rows = event[1]
        with self._progress_lock:
            if index not in self._finished:  # a late report of a folded file: ignored
                self._running[index] = (bytes_read, rows)
                self._redraw()

    def _redraw(self) -> None:
        """The bar: finished files and the running ones' reports (under the lock)."""
        self.progress.update(
            self._done[0] + sum(b for b, _ in self._running.values()),
            self._done[1] + sum(n for _, n in self._running.values()),
        )

    def _partition_bits(self) -> int:
        """Enough partitions that each fits a task's budget (estimated from file sizes),
        and at least two per worker so that every worker takes part."""
        estimate = 0.0
        for f in self.files:
            size = f.size or 0
            ratio = GZIP_RATIO if f.uri.lower().endswith(".gz") else 1
            estimate += size * ratio * ROWS_PER_BYTE * 24
        wanted = max(estimate / max(self.options.memory_limit // 2, 1), 1.0)
        workers = max(len(self.client.nthreads()), 1)
        bits = max(math.ceil(math.log2(wanted)), math.ceil(math.log2(2 * workers)))
        return min(bits, MAX_BITS)

    def _fold(self, futures: list[Any]) -> list[FilePart]:
        """Fold file results in file order as they arrive; the bar moves as files finish."""
        r = self.result
        index_of = {f.key: i for i, f in enumerate(futures)}
        arrived: dict[int, FilePart] = {}
        parts: list[FilePart] = []
        done_bytes = done_rows = 0
        for future in as_completed(futures):
            index = index_of[future.key]
            try:
                part: FilePart = future.result()
            except (KilledWorker, MemoryError, CancelledError) as exc:
                raise self._failed(f"checking {self.files[index].display}", exc) from None
            arrived[index] = part
            done_bytes += part.result.bytes_read
            done_rows += part.result.rows
            with self._progress_lock:
                self._done = (done_bytes, done_rows)
                self._finished.add(index)
                self._running.pop(index, None)
                self._redraw()
            while len(parts) in arrived:
                index = len(parts)
                part = arrived.pop(index)
                _merge_file(r, part.result, index)
                part.result = ScanResult()  # the tallies are folded: free them
                parts.append(part)
        return parts

    def _duplicates(self, parts: list[FilePart], bits: int) -> Any:
        from .duplicates import Duplicates

        client = self.client
        futures = [  # planned a partition at a time: the plan of all is files x partitions
            client.submit(
                _check_partition,
                part_pieces,
                bits=bits,
                budget=self.options.memory_limit,
                run_id=self.run_id,
                pure=False,
                key=f"{self.run_id}-duplicates-{p}",
            )
            for p, part_pieces in enumerate(_pieces(parts, 1 << bits))
            if part_pieces
        ]
        found = Duplicates()
        for future in as_completed(futures):
            try:
                found.merge(future.result(), MAX_EXAMPLES)
            except (KilledWorker, MemoryError, CancelledError) as exc:
                raise self._failed("looking for duplicate rows", exc) from None
        return found


def _pieces(parts: list[FilePart], partitions: int) -> Iterator[list[Piece]]:
    """Per partition, the spill slices to pull: grouped by worker, at most PIECE_ROWS
    fingerprints each (one request per piece, not per file). Linear in files x partitions
    (100,000 files and 256 partitions are 25.6M slices to plan)."""
    counts = np.zeros((len(parts), partitions), dtype=np.int64)
    for i, part in enumerate(parts):
        counts[i, : len(part.counts)] = part.counts[:partitions]
    for p in range(partitions):
        by_worker: dict[str, list[Piece]] = {}
        room: dict[str, int] = {}  # what each worker's last piece can still take
        for part, count in zip(parts, counts[:, p].tolist(), strict=True):
            start = 0
            while start < count:
                mine = by_worker.setdefault(part.worker, [])
                if not room.get(part.worker):
                    mine.append((part.worker, []))
                    room[part.worker] = PIECE_ROWS
                take = min(room[part.worker], count - start)
                mine[-1][1].append((spill_path(part.spill, p), start, take))
                room[part.worker] -= take
                start += take
        yield [piece for pieces in by_worker.values() for piece in pieces]


def _merge_file(target: ScanResult, part: ScanResult, index: int) -> None:
    """Fold one file's result (its file at index 0) into the scan's, at ``index``."""
    source = part.files[0]
    info = target.files[index]
    info.compressed = source.compressed
    info.header = source.header
    info.quoted_header = source.quoted_header
    info.header_lines = source.header_lines
    info.bom = source.bom
    info.bytes_read = source.bytes_read
    info.complete = source.complete
    _reindex(part, index)
    local.absorb(target, part, index)
    target.bytes_read += part.bytes_read
    target.problems.extend(
        replace(p, file=index if p.file is not None else None) for p in part.problems
    )


def _reindex(part: ScanResult, index: int) -> None:
    """Positions of a one-file result point at file 0; make them point at ``index``."""

    def move(tally: Tally) -> None:
        tally.examples = [Position(index, p.line) for p in tally.examples]

    for tally in (part.old, part.no_source, part.both, part.syntax_errors):
        move(tally)
    for tallies in (part.format_errors, part.bad_sources):
        for tally in tallies.values():
            move(tally)
    if part.oldest_at is not None:
        part.oldest_at = Position(index, part.oldest_at.line)


# -- on the workers ------------------------------------------------------------------------


def _run_dir(run_id: str) -> str:
    path = os.path.join(get_worker().local_directory, run_id)
    os.makedirs(path, exist_ok=True)
    return path


def _remove_run(run_id: str, dask_worker: Any = None) -> None:
    """Delete a run's spill files on this worker (called on every worker at the end)."""
    directory = dask_worker.local_directory if dask_worker is not None else tempfile.gettempdir()
    shutil.rmtree(os.path.join(directory, run_id), ignore_errors=True)


def _read_header(file: DataFile, *, max_record: int) -> Header | None:
    """The file's header as the local engine reads it; None when it cannot be read (the
    file task then reports why, as locally)."""
    try:
        stream = open_stream(file, ByteCounter())
    except Exception:
        return None
    try:
        return ChunkReader(stream, chunk_size=1 << 16, max_record=max_record).read_header()
    except Exception:
        return None
    finally:
        with contextlib.suppress(Exception):
            stream.close()


class _PartitionSink:
    """Stands in for the local ``FingerprintIndex`` in the scanner: fingerprints are cut by
    the top ``bits`` of h1 (in the parse threads, as locally) and appended per partition
    to this task's spill files, each batch as it comes: nothing accumulates in memory."""

    def __init__(self, spill: str, bits: int, file_index: int) -> None:
        self.spill = spill
        self.bits = bits
        self.offset = np.int64(file_index) << np.int64(local.LINE_BITS)
        self.counts = np.zeros(1 << bits, dtype=np.int64)
        self._files: dict[int, Any] = {}

    def split(self, fingerprints: Any) -> list[Any]:
        from .duplicates import split

        return split(fingerprints, self.bits)

    def add_split(self, blocks: list[Any]) -> None:
        from .duplicates import RECORD

        for p, (h1, h2, pos) in enumerate(blocks):
            if not len(h1):
                continue
            fh = self._files.get(p)
            if fh is None:
                fh = self._files[p] = open(spill_path(self.spill, p), "wb")  # noqa: SIM115
            rec = np.empty(len(h1), dtype=RECORD)
            rec["h1"], rec["h2"], rec["pos"] = h1, h2, pos + self.offset
            rec.tofile(fh)
            self.counts[p] += len(h1)

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()


def _check_file(
    index: int,
    file: DataFile,
    *,
    fields: list[local.SchemaField] | None,
    as_of: datetime,
    options: local.ScanOptions,
    groups: dict[tuple[str, ...], int],
    bits: int,
    run_id: str,
) -> FilePart:
    """The local engine's scan of one file; fingerprints to this worker's spill files."""
    import polars as pl

    worker = get_worker()
    result = local.empty_result([file])
    sink = _PartitionSink(os.path.join(_run_dir(run_id), f"file-{index:07d}"), bits, index)
    # The client's numbering of header layouts: fingerprints seeded as in one local scan.
    scanner = local.Scanner(
        [file], fields, as_of, options, result, pl, groups=groups,
        progress=_TaskProgress(worker, f"{run_id}-progress", index),
    )
    try:
        scanner.read_into(sink)
    except MemoryError:  # the worker's sizing, not the data: the run fails (exit 2)
        raise
    except Exception as exc:  # as locally: an engine failure is "not evaluated", not a pass
        result.problems.append(
            DataProblem("unreadable", f"the data check failed: {local.describe_error(exc)}", "")
        )
    finally:
        sink.close()
    return FilePart(result, worker.address, sink.spill, sink.counts)


class _TaskProgress:
    """The scanner's progress bar on a worker: sends (file index, bytes, rows) to the
    client through the scheduler's event log, every ``PROGRESS_INTERVAL`` at most."""

    def __init__(self, worker: Any, topic: str, index: int) -> None:
        self.worker = worker
        self.topic = topic
        self.index = index
        self._last = time.monotonic()

    def update(self, bytes_read: int, rows: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL:  # the end is reported by the task's result
            self._last = now
            self.worker.log_event(self.topic, (self.index, bytes_read, rows))

    def close(self) -> None:
        pass


def _read_piece(slices: list[tuple[str, int, int]]) -> np.ndarray:
    """Fingerprint records ``[first, first + rows)`` of each spill file, concatenated."""
    from .duplicates import RECORD

    out = np.empty(sum(n for _, _, n in slices), dtype=RECORD)
    at = 0
    for path, first, rows in slices:
        with open(path, "rb") as fh:
            fh.seek(first * RECORD.itemsize)
            out[at : at + rows] = np.fromfile(fh, dtype=RECORD, count=rows)
        at += rows
    return out


def _check_partition(pieces: list[Piece], *, bits: int, budget: int, run_id: str) -> Any:
    """Exact duplicates among one partition's fingerprints, pulled a piece at a time from
    the workers that hold them.

    Remote pieces come through ``Client.run``, which the holding worker answers outside its
    task threads: this task keeps its own thread meanwhile (no ``secede``), so a worker
    runs at most as many partition tasks at once as it has threads, each within its
    budget. (With ``worker_client`` the waiting tasks left their threads, the worker
    started the next partition task, and at 50M rows one worker peaked at 1.4 GB.)
    """
    from .duplicates import FingerprintIndex

    me = get_worker().address
    spill = tempfile.mkdtemp(dir=_run_dir(run_id))
    index = FingerprintIndex(budget=budget, spill_dir=spill, examples=MAX_EXAMPLES, partitions=1)
    shift = np.uint64(bits)
    back = np.uint64(64 - bits)
    try:
        client = None
        for worker, slices in pieces:
            if worker == me:
                rec = _read_piece(slices)
            else:
                client = client or get_client()
                rec = client.run(_read_piece, slices, workers=[worker])[worker]
            # Every h1 here shares its top ``bits``: rotate them away so that the index's
            # own partitioning (by h1's top bits) splits this partition. A bijection:
            # equal fingerprints stay equal, different ones different.
            h1 = rec["h1"]
            index.add((h1 << shift) | (h1 >> back), rec["h2"], rec["pos"])
            del rec, h1
        return index.finish()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _configured_preloads() -> list[str]:
    configured = dask.config.get("distributed.worker.preload", None) or []
    return [configured] if isinstance(configured, str) else list(configured)


def _silence_dask_log() -> None:
    """Raise Dask's stderr handlers (those on the ``distributed`` logger) to CRITICAL for the
    rest of the process: its log (a lost connection with its traceback, restarts) would reach
    the user's stderr, where a failure is our one line (exit 2). Not put back on close: the
    in-process scheduler of a LocalCluster can still log a restarted worker's connection
    after ``close`` returns (seen under load)."""
    for h in logging.getLogger("distributed").handlers:
        if isinstance(h, logging.StreamHandler):
            h.setLevel(logging.CRITICAL)


def _task_failed(
    doing: str,
    exc: BaseException,
    scheduler: str,
    connected: bool = True,
    *,
    own_cluster: bool = False,
) -> EngineFailure:
    """A task that ran out of memory, whose every worker died (Dask's ``KilledWorker``), or
    that the scheduler's loss cancelled: say on which data, and the usual cause. Dask
    restarts a worker that passes 95% of its memory limit."""
    if isinstance(exc, CancelledError):  # Dask's FutureCancelledError (2024.6+) has a reason
        if getattr(exc, "reason", None) == "scheduler-connection-lost" or not connected:
            return EngineFailure(
                f"the Dask engine failed: lost the Dask scheduler at {scheduler} while {doing}"
            )
        return EngineFailure(f"the Dask engine failed while {doing}: {_one_line(exc)}")
    if isinstance(exc, MemoryError):
        return EngineFailure(
            f"the Dask engine failed: a Dask worker ran out of memory while {doing} (give "
            "each worker thread at least 1 GiB: [data] worker-memory)"
        )
    tries = getattr(exc, "allowed_failures", None)
    tried = ""
    if isinstance(tries, int):
        tried = f" (on {tries + 1} worker{'s' if tries else ''})"
    # The run's own cluster keeps its workers' stderr off the user's (quiet_worker): no log
    # to point at there.
    why = "the usual cause" if own_cluster else "the workers' logs say why"
    return EngineFailure(
        f"the Dask engine failed: a Dask worker died while {doing}{tried}; {why}: a worker "
        "past 95% of its memory limit is restarted (see [data] worker-memory)"
    )


def _connect(address: str, timeout: float) -> Client:
    """``Client(address)``, given up after ``timeout`` (and a little): Dask bounds the TCP
    connection by its connect timeout but then waits for the scheduler's handshake without
    one, so a port that accepts and never answers would hang the run."""
    made: list[Client] = []
    failed: list[BaseException] = []

    def connect() -> None:
        try:
            made.append(Client(address, timeout=timeout))
        except BaseException as exc:  # handed to the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=connect, name="personalize-lint-dask-connect", daemon=True)
    thread.start()
    thread.join(timeout + 5)
    if failed:
        raise failed[0]
    if not made:
        raise TimeoutError(f"no answer from {address} after {timeout:g} s")
    return made[0]


def _cannot_connect(address: str) -> str | None:
    """Why ``address`` cannot reach a scheduler, when that is known at once: its host does
    not resolve, or its port refuses the connection. None otherwise: Dask then tries for
    its connect timeout (a host that does not answer yet may be starting)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return None
        host, port = parse_host_port(location, default_port=8786)
    except ValueError:
        return None
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"unknown host {host}"
    try:
        with socket.create_connection((host, port), timeout=min(_connect_timeout(), 5)):
            return None
    except ConnectionRefusedError:
        return "connection refused (no scheduler listens there)"
    except OSError:
        return None


def _connect_timeout() -> float:
    """Dask's own setting for how long to wait for a scheduler (see ``EngineChoice``)."""
    seconds = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"))
    return float(seconds or 30)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    name = type(exc).__name__
    return text if text.startswith(name) else f"{name}: {text}"
