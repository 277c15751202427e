"""Exact duplicate rows from 128-bit row fingerprints, in bounded memory.

Each row arrives as (h1, h2, pos): two independently seeded 64-bit hashes of all its values
and its position (file index << 40 | line). Rows are duplicates when both hashes agree.

In memory (up to ``budget`` bytes, 24 bytes a row) the fingerprints are kept as numpy
arrays. Past the budget they are spilled to disk, hash-partitioned by the top bits of h1
(Grace partitioning): equal rows always land in the same partition, and each partition is
later checked on its own within the budget (a partition that is still too large is split
again on the next bits). Memory therefore stays bounded however large the data is; disk
holds 24 bytes per row (~40 GB for 100 GB of CSV).

Checking one partition: sort a copy of h1 (numpy's vectorised sort, ~0.5 s for 10M
values), take the h1 values that occur twice, select their rows with a hash-set membership
test, and group that small remainder exactly by (h1, h2) in position order. Every group
then yields its exact count and the positions of its first and of each later occurrence,
so the report can name the first duplicate rows of the file and the line each repeats.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

RECORD = np.dtype([("h1", "<u8"), ("h2", "<u8"), ("pos", "<i8")])
MAX_PARTITION_BITS = 8  # 256 partition files open at once at most


@dataclass
class Duplicates:
    """``count`` rows repeat an earlier row; ``first`` holds the first few by position as
    (duplicate position, position of the row it repeats); ``groups`` distinct rows repeat."""

    count: int = 0
    groups: int = 0
    first: list[tuple[int, int]] = field(default_factory=list)


class FingerprintIndex:
    """Add fingerprint batches with ``add``; ``finish`` returns the exact ``Duplicates``."""

    def __init__(self, *, budget: int, spill_dir: str, examples: int) -> None:
        self.budget = max(budget, 1 << 16)
        self.spill_dir = spill_dir
        self.examples = examples
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._buffered = 0
        self._bits = 0  # partition bits once spilling; 0 = everything in memory
        self._files: list[Any] = []
        self.spilled_bytes = 0

    def add(self, h1: np.ndarray, h2: np.ndarray, pos: np.ndarray) -> None:
        if not len(h1):
            return
        if self._bits:
            self._spill(h1, h2, pos)
            return
        self._parts.append((h1, h2, pos))
        self._buffered += len(h1) * RECORD.itemsize
        if self._buffered > self.budget:
            self._start_spilling()

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
        parts, self._parts, self._buffered = self._parts, [], 0
        for h1, h2, pos in parts:
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
                self._check(self._parts, result)
                self._parts = []
                return result
            for f in self._files:
                f.close()
            for i in range(1 << self._bits):
                self._check_file(
                    os.path.join(self.spill_dir, f"fp-{i:03d}.bin"), self._bits, result
                )
            return result
        finally:
            for f in self._files:
                f.close()

    def _check_file(self, path: str, bits: int, result: Duplicates) -> None:
        size = os.path.getsize(path)
        if size == 0:
            os.remove(path)
            return
        if size > self.budget and bits < 48:
            # Still too big (more data than foreseen): split on the next 4 bits, stream-wise.
            sub = [
                tempfile.NamedTemporaryFile(dir=self.spill_dir, delete=False)  # noqa: SIM115
                for _ in range(16)
            ]
            try:
                with open(path, "rb") as fh:
                    while True:
                        rec = np.fromfile(fh, dtype=RECORD, count=max(self.budget // 48, 1))
                        if not len(rec):
                            break
                        key = (rec["h1"] << np.uint64(bits)) >> np.uint64(60)
                        for j in range(16):
                            rec[key == j].tofile(sub[j])
            finally:
                for s in sub:
                    s.close()
            os.remove(path)
            for s in sub:
                self._check_file(s.name, bits + 4, result)
            return
        rec = np.fromfile(path, dtype=RECORD)
        os.remove(path)
        self._check([(rec["h1"], rec["h2"], rec["pos"])], result)

    def _check(
        self, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], out: Duplicates
    ) -> None:
        if not parts:
            return
        keys = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0].copy()
        keys.sort()
        repeated = keys[1:][keys[1:] == keys[:-1]]
        del keys
        if not len(repeated):
            return
        wanted = pl.Series(np.unique(repeated))
        picked: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for h1, h2, pos in parts:
            mask = pl.Series(h1).is_in(wanted.implode()).to_numpy()
            if mask.any():
                picked.append((h1[mask], h2[mask], pos[mask]))
        h1 = np.concatenate([p[0] for p in picked])
        h2 = np.concatenate([p[1] for p in picked])
        pos = np.concatenate([p[2] for p in picked])
        order = np.lexsort((pos, h2, h1))
        h1, h2, pos = h1[order], h2[order], pos[order]
        starts = np.ones(len(h1), dtype=bool)
        starts[1:] = (h1[1:] != h1[:-1]) | (h2[1:] != h2[:-1])
        group = np.cumsum(starts) - 1
        first_pos = pos[starts][group]
        repeats = ~starts
        out.count += int(repeats.sum())
        sizes = np.bincount(group)
        out.groups += int((sizes > 1).sum())
        dup_pos, dup_of = pos[repeats], first_pos[repeats]
        if len(dup_pos) > self.examples:
            keep = np.argpartition(dup_pos, self.examples)[: self.examples]
            dup_pos, dup_of = dup_pos[keep], dup_of[keep]
        merged = out.first + [(int(a), int(b)) for a, b in zip(dup_pos, dup_of, strict=True)]
        out.first = sorted(merged)[: self.examples]
