"""Exact duplicate rows from 128-bit row fingerprints, in bounded memory.

Each row arrives as (h1, h2, pos): two independently seeded 64-bit hashes of all its values
and its position (file index << 40 | line). Rows are duplicates when both hashes agree.

In memory (up to ``budget`` bytes, 24 bytes a row) the fingerprints are kept as numpy
arrays, already split by the top bits of h1 into ``partitions`` independent parts (equal
rows always share a part; ``split`` runs in the engine's worker threads), so that
``finish`` checks the parts on that many threads at once: the check is the one step that
only starts after the last chunk, and on two cores running it on one leaves one idle. The
sort keys of that check (8 bytes a row) are written as batches arrive.

Past the budget the fingerprints are spilled to disk, hash-partitioned by the top bits of
h1 (Grace partitioning): each partition is later checked on its own within its thread's
share of the budget (a partition that is still too large is split again on the next
bits). Memory therefore stays bounded however large the data is; disk holds 24 bytes per
row (~40 GB for 100 GB of CSV).

Checking one part: sort keys that pack the top bits of h2 with each row's index (numpy's
vectorised sort, ~0.1 s for 5M values). Rows whose top bits occur more than once are the
candidates, a superset of the duplicates, and the sorted keys list them grouped by those
bits, in row order within a group. A group whose rows do not all have the same (h1, h2)
(rows that only share the top bits: a few pairs in millions) is re-sorted by fingerprint.
Every group of equal fingerprints then yields its exact count and the positions of its
first (smallest position) and of each later occurrence, so the report can name the first
duplicate rows and the line each repeats. No step costs more than the one sort, however
many rows repeat.
"""

from __future__ import annotations

import concurrent.futures
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

RECORD = np.dtype([("h1", "<u8"), ("h2", "<u8"), ("pos", "<i8")])
MAX_PARTITION_BITS = 8  # 256 partition files open at once at most

Block = tuple[np.ndarray, np.ndarray, np.ndarray]  # h1, h2, pos


@dataclass
class Duplicates:
    """``count`` rows repeat an earlier row; ``first`` holds the first few by position as
    (duplicate position, position of the row it repeats); ``groups`` distinct rows repeat."""

    count: int = 0
    groups: int = 0
    first: list[tuple[int, int]] = field(default_factory=list)

    def merge(self, other: Duplicates, examples: int) -> None:
        self.count += other.count
        self.groups += other.groups
        self.first = sorted(self.first + other.first)[:examples]


def split(fingerprints: pl.DataFrame, bits: int) -> list[Block]:
    """Columns h1, h2, pos of a batch as ``1 << bits`` blocks by the top bits of h1.

    Any thread may call this (the engine's workers do, so the split runs in parallel);
    Polars filters ~3x faster than numpy's ``compress``.
    """
    names = ("h1", "h2", "pos")
    if not bits:
        return [tuple(fingerprints.get_column(c).to_numpy() for c in names)]  # type: ignore[list-item]
    key = fingerprints.get_column("h1") // (1 << (64 - bits))
    out: list[Block] = []
    for i in range(1 << bits):
        part = fingerprints.filter(key == i)
        out.append(tuple(part.get_column(c).to_numpy() for c in names))  # type: ignore[arg-type]
    return out


class FingerprintIndex:
    """Add fingerprint batches with ``add``; ``finish`` returns the exact ``Duplicates``.

    ``partitions`` is how many threads ``finish`` may use (rounded down to 1, 2 or 4); it
    needs no more memory, as each thread checks its own share of the fingerprints.
    """

    def __init__(self, *, budget: int, spill_dir: str, examples: int, partitions: int = 1) -> None:
        self.budget = max(budget, 1 << 16)
        self.spill_dir = spill_dir
        self.examples = examples
        self.split_bits = min(2, max(partitions, 1).bit_length() - 1)
        self._parts: list[list[Block]] = [[] for _ in range(1 << self.split_bits)]
        # The final check's sort keys (see ``_candidates``) are written as batches arrive,
        # by the thread that adds them (the engine's main thread, otherwise waiting), into
        # arrays reserved for as many rows as fit the budget: only the pages written are
        # memory. The check then sorts them in place instead of building them at the end.
        self._capacity = self.budget // RECORD.itemsize + 1
        self._shift = self._capacity.bit_length()
        self._keys_ahead = self._shift <= 32  # past ~100 GB, too few h2 bits: built at the end
        self._keys: list[np.ndarray] = []
        self._filled = [0] * len(self._parts)
        self._buffered = 0
        self._bits = 0  # partition bits once spilling; 0 = everything in memory
        self._files: list[Any] = []
        self.spilled_bytes = 0

    @property
    def threads(self) -> int:
        return 1 << self.split_bits

    def add(self, h1: np.ndarray, h2: np.ndarray, pos: np.ndarray) -> None:
        """Add one batch of fingerprints."""
        self.add_split(self.split(pl.DataFrame({"h1": h1, "h2": h2, "pos": pos})))

    def split(self, fingerprints: pl.DataFrame) -> list[Block]:
        """Cut one batch (columns h1, h2, pos) into this index's partitions, for
        ``add_split``. It only reads the index: any thread may call it."""
        return split(fingerprints, self.split_bits)

    def add_split(self, blocks: list[Block]) -> None:
        """Add one batch already cut by ``split``."""
        if self._bits:
            for block in blocks:
                self._spill(*block)
            return
        added = sum(len(b[0]) for b in blocks) * RECORD.itemsize
        over = self._buffered + added > self.budget
        for i, (part, block) in enumerate(zip(self._parts, blocks, strict=True)):
            if len(block[0]):
                part.append(block)
                if not over:
                    self._add_keys(i, block[1])
        self._buffered += added
        if over:
            self._start_spilling()

    def _add_keys(self, i: int, h2: np.ndarray) -> None:
        if not self._keys_ahead:
            return
        if not self._keys:
            self._keys = [np.empty(self._capacity, dtype=np.uint64) for _ in self._parts]
        start = self._filled[i]
        end = start + len(h2)
        _pack(h2, start, self._shift, self._keys[i][start:end])
        self._filled[i] = end

    # -- spilling ---------------------------------------------------------------------------

    def _start_spilling(self) -> None:
        # Enough partitions that each holds about a quarter of the budget at 16x today's
        # volume; more data than that is split again when a partition is checked.
        want = max(16, 16 * 4 * self._buffered // self.budget)
        self._bits = min(MAX_PARTITION_BITS, max(4, int(want - 1).bit_length()))
        os.makedirs(self.spill_dir, exist_ok=True)
        self._files = [
            open(os.path.join(self.spill_dir, f"fp-{i:03d}.bin"), "wb")  # noqa: SIM115
            for i in range(1 << self._bits)
        ]
        parts, self._parts, self._buffered, self._keys = self._parts, [], 0, []
        for part in parts:
            for h1, h2, pos in part:
                self._spill(h1, h2, pos)

    def _spill(self, h1: np.ndarray, h2: np.ndarray, pos: np.ndarray) -> None:
        bucket = (h1 >> np.uint64(64 - self._bits)).astype(np.uint8)
        order = np.argsort(bucket, kind="stable")  # a radix sort for 8-bit keys: O(n)
        bounds = np.searchsorted(bucket[order], np.arange((1 << self._bits) + 1))
        rec = np.empty(len(h1), dtype=RECORD)
        rec["h1"], rec["h2"], rec["pos"] = h1[order], h2[order], pos[order]
        for i in range(1 << self._bits):
            lo, hi = bounds[i], bounds[i + 1]
            if hi > lo:
                rec[lo:hi].tofile(self._files[i])
        self.spilled_bytes += rec.nbytes

    # -- checking ---------------------------------------------------------------------------

    def finish(self) -> Duplicates:
        result = Duplicates()
        try:
            if not self._bits:
                jobs = [
                    (part, self._keys[i][: self._filled[i]] if self._keys else None)
                    for i, part in enumerate(self._parts)
                ]
                self._parts = []
                results = self._map(lambda job: self._check(*job), jobs)
            else:
                for f in self._files:
                    f.close()
                # Each thread checks one partition file at a time within its share of the
                # budget, so the threads together stay within it.
                share = max(self.budget // self.threads, 1 << 16)
                paths = [
                    os.path.join(self.spill_dir, f"fp-{i:03d}.bin") for i in range(1 << self._bits)
                ]
                results = self._map(lambda p: self._check_file(p, self._bits, share), paths)
            for part in results:
                result.merge(part, self.examples)
            return result
        finally:
            for f in self._files:
                f.close()

    def _map(self, check: Any, jobs: list[Any]) -> list[Duplicates]:
        if self.threads == 1 or len(jobs) == 1:
            return [check(job) for job in jobs]
        # numpy's sort and Polars' membership test release the GIL: threads run in parallel.
        with concurrent.futures.ThreadPoolExecutor(
            self.threads, "personalize-lint-duplicates"
        ) as pool:
            return list(pool.map(check, jobs))

    def _check_file(self, path: str, bits: int, budget: int) -> Duplicates:
        size = os.path.getsize(path)
        if size == 0:
            os.remove(path)
            return Duplicates()
        if size > budget and bits < 48:
            # Still too big (more data than foreseen): split on the next 4 bits, stream-wise.
            sub = [
                tempfile.NamedTemporaryFile(dir=self.spill_dir, delete=False)  # noqa: SIM115
                for _ in range(16)
            ]
            try:
                with open(path, "rb") as fh:
                    while True:
                        rec = np.fromfile(fh, dtype=RECORD, count=max(budget // 48, 1))
                        if not len(rec):
                            break
                        key = (rec["h1"] << np.uint64(bits)) >> np.uint64(60)
                        for j in range(16):
                            rec[key == j].tofile(sub[j])
            finally:
                for s in sub:
                    s.close()
            os.remove(path)
            found = Duplicates()
            for s in sub:
                found.merge(self._check_file(s.name, bits + 4, budget), self.examples)
            return found
        rec = np.fromfile(path, dtype=RECORD)
        os.remove(path)
        return self._check([(rec["h1"], rec["h2"], rec["pos"])], None)

    def _check(self, blocks: list[Block], keys: np.ndarray | None) -> Duplicates:
        out = Duplicates()
        h1, h2, pos, new_prefix = _candidates(blocks, keys, self._shift)
        if not len(h1):
            return out
        # Nearly always every row of a prefix group has the same fingerprint. Where rows
        # only share the top bits of h2 (a few pairs in millions), order those groups' rows
        # by fingerprint, so that equal fingerprints are next to each other everywhere.
        group = np.cumsum(new_prefix) - 1
        heads = np.flatnonzero(new_prefix)
        pure = (h1 == h1[heads][group]) & (h2 == h2[heads][group])
        if not pure.all():
            mixed_group = np.zeros(len(heads), dtype=bool)
            mixed_group[group[~pure]] = True
            mixed = mixed_group[group]
            order = np.lexsort((pos[mixed], h2[mixed], h1[mixed]))
            h1 = np.concatenate((h1[~mixed], h1[mixed][order]))
            h2 = np.concatenate((h2[~mixed], h2[mixed][order]))
            pos = np.concatenate((pos[~mixed], pos[mixed][order]))
        starts = np.ones(len(h1), dtype=bool)
        starts[1:] = (h1[1:] != h1[:-1]) | (h2[1:] != h2[:-1])
        heads = np.flatnonzero(starts)
        # The first occurrence is the smallest position (file, then line) of the group.
        first_pos = np.minimum.reduceat(pos, heads)[np.cumsum(starts) - 1]
        repeats = pos != first_pos
        out.count = int(repeats.sum())
        sizes = np.diff(np.append(heads, len(h1)))
        out.groups = int((sizes > 1).sum())
        dup_pos, dup_of = pos[repeats], first_pos[repeats]
        if len(dup_pos) > self.examples:
            keep = np.argpartition(dup_pos, self.examples)[: self.examples]
            dup_pos, dup_of = dup_pos[keep], dup_of[keep]
        out.first = sorted((int(a), int(b)) for a, b in zip(dup_pos, dup_of, strict=True))
        out.first = out.first[: self.examples]
        return out


def _pack(h2: np.ndarray, start: int, shift: int, out: np.ndarray) -> None:
    """Sort keys for rows ``start``, ``start + 1``, ...: h2's top bits, then the row index."""
    np.bitwise_and(h2, ~np.uint64((1 << shift) - 1), out=out)
    out |= np.arange(start, start + len(h2), dtype=np.uint64)


def _candidates(
    blocks: list[Block], keys: np.ndarray | None, shift: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows that may repeat another: those whose h2 shares its top bits with another
    row's. A superset of the duplicates (grouped exactly by (h1, h2) afterwards), as
    (h1, h2, pos, new_prefix): grouped by those top bits, ``new_prefix`` marking where
    each group starts.

    One sort finds them. Each key packs the top bits of h2 with the row's index in the
    part (the low bits), so the sorted keys give the candidate rows directly, with no
    second pass over all rows to look them up. h2 rather than h1, whose top bits are the
    same throughout a partition. ``keys`` may be built ahead (``shift`` index bits, sorted
    here in place). With 2^24 index bits and 5M rows a part, 40 bits of h2 are compared:
    ~(5e6)^2 / 2^41 = 11 pairs of rows that only look alike, which the exact grouping drops.
    """
    empty = np.empty(0, dtype=np.uint64)
    sizes = [len(b[0]) for b in blocks]
    n = sum(sizes)
    if n < 2:
        return empty, empty, np.empty(0, dtype=np.int64), np.empty(0, dtype=bool)
    if keys is None:  # not built ahead: build them now, with as few index bits as will do
        shift = (n - 1).bit_length()
        keys = np.empty(n, dtype=np.uint64)
        start = 0
        for (_, h2, _), size in zip(blocks, sizes, strict=True):
            _pack(h2, start, shift, keys[start : start + size])
            start += size
    low = np.uint64((1 << shift) - 1)
    keys.sort()
    pairs = _equal_neighbours(keys, low)
    if not len(pairs):
        return empty, empty, np.empty(0, dtype=np.int64), np.empty(0, dtype=bool)
    # Both keys of each pair, each once (a run of k equal prefixes makes k - 1 pairs). In
    # sorted order the rows come grouped by prefix, and by row index within a group.
    at = np.zeros(n, dtype=bool)
    at[pairs] = True
    at[pairs + 1] = True
    grouped = keys[np.flatnonzero(at)]
    del keys, at
    new_prefix = np.ones(len(grouped), dtype=bool)
    new_prefix[1:] = (grouped[1:] ^ grouped[:-1]) > low
    rows = (grouped & low).astype(np.int64)
    del grouped
    # Gather the candidates' fingerprints block by block, into the grouped order.
    bounds = np.cumsum([0, *sizes])
    block_of = np.searchsorted(bounds, rows, side="right") - 1
    if len(blocks) <= 1 << 16:  # numpy's stable sort is a radix sort for 16-bit keys
        block_of = block_of.astype(np.uint16)
    by_block = np.argsort(block_of, kind="stable")
    cut = np.searchsorted(block_of[by_block], np.arange(len(blocks) + 1))
    out_h1 = np.empty(len(rows), dtype=np.uint64)
    out_h2 = np.empty(len(rows), dtype=np.uint64)
    out_pos = np.empty(len(rows), dtype=np.int64)
    for i, (h1, h2, pos) in enumerate(blocks):
        where = by_block[cut[i] : cut[i + 1]]
        if len(where):
            local = rows[where] - bounds[i]
            out_h1[where], out_h2[where], out_pos[where] = h1[local], h2[local], pos[local]
    return out_h1, out_h2, out_pos, new_prefix


NEIGHBOUR_BLOCK = 1 << 18  # keys compared at a time: scratch arrays that stay in cache


def _equal_neighbours(keys: np.ndarray, low: np.uint64) -> np.ndarray:
    """Indexes i where keys[i] and keys[i + 1] agree above the ``low`` bits.

    Block by block into small scratch arrays: a whole-array temporary would be fresh memory
    the kernel must zero (~6% of a 10M-row scan's CPU in a profile).
    """
    n = len(keys) - 1
    diff = np.empty(min(n, NEIGHBOUR_BLOCK), dtype=np.uint64)
    same = np.empty(len(diff), dtype=bool)
    found: list[np.ndarray] = []
    for start in range(0, n, NEIGHBOUR_BLOCK):
        end = min(start + NEIGHBOUR_BLOCK, n)
        d, m = diff[: end - start], same[: end - start]
        np.bitwise_xor(keys[start + 1 : end + 1], keys[start:end], out=d)
        np.less_equal(d, low, out=m)
        hits = np.flatnonzero(m)
        if len(hits):
            found.append(hits + start)
    return np.concatenate(found) if found else np.empty(0, dtype=np.intp)
