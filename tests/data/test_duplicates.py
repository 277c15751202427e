"""The fingerprint index: exact duplicates in memory and when spilled to disk."""

from __future__ import annotations

from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("polars")

from personalize_lint.data.duplicates import FingerprintIndex  # noqa: E402


def fingerprints(n: int, seed: int = 5) -> tuple[object, object, object]:
    rng = np.random.default_rng(seed)
    h1 = rng.integers(0, 2**64, n, dtype=np.uint64)
    copies = rng.random(n) < 0.03
    h1[copies] = h1[rng.integers(0, n, int(copies.sum()))]
    h2 = h1 ^ np.uint64(0xABCDEF)
    pos = np.arange(n, dtype=np.int64) + 2
    return h1, h2, pos


def repeats_of(h1: object, h2: object, pos: object) -> list[tuple[int, int, int]]:
    """(h1, h2, position) of every row whose fingerprint came before."""
    seen: set[tuple[int, int]] = set()
    out: list[tuple[int, int, int]] = []
    for a, b, p in zip(h1.tolist(), h2.tolist(), pos.tolist(), strict=True):  # type: ignore[attr-defined]
        if (a, b) in seen:
            out.append((a, b, p))
        seen.add((a, b))
    return out


def expected(h1: object, h2: object, pos: object) -> tuple[int, list[tuple[int, int]]]:
    first: dict[tuple[int, int], int] = {}
    repeats: list[tuple[int, int]] = []
    for a, b, p in zip(h1.tolist(), h2.tolist(), pos.tolist(), strict=True):  # type: ignore[attr-defined]
        if (a, b) in first:
            repeats.append((p, first[(a, b)]))
        else:
            first[(a, b)] = p
    return len(repeats), sorted(repeats)[:5]


@pytest.mark.parametrize("partitions", [1, 2, 3, 4])  # threads that check at the end
# In memory (sort keys built as batches arrive), in memory with a budget too large to
# reserve keys for (built at the end), spilled, spilled and split again.
@pytest.mark.parametrize("budget", [1 << 30, 1 << 40, 200_000, 1])
def test_index_is_exact_in_memory_and_spilled(tmp_path: Path, budget: int, partitions: int) -> None:
    h1, h2, pos = fingerprints(60_000)
    # Same h1, different h2: not a duplicate (the second hash decides); the same h2 or
    # only the same top bits of h2 with another h1: not one either.
    h1[100] = h1[200]
    h2[100] = np.uint64(1)
    h2[300], h2[301] = h2[400], h2[401] ^ np.uint64(1)
    h1[300], h1[301] = h1[400] ^ np.uint64(1 << 40), h1[401] ^ np.uint64(1)
    index = FingerprintIndex(
        budget=budget, spill_dir=str(tmp_path / "spill"), examples=5, partitions=partitions
    )
    for start in range(0, len(h1), 7_000):
        index.add(h1[start : start + 7_000], h2[start : start + 7_000], pos[start : start + 7_000])
    found = index.finish()
    count, examples = expected(h1, h2, pos)
    assert found.count == count and found.first == examples
    assert found.groups == len({(a, b) for a, b, _ in repeats_of(h1, h2, pos)})
    assert (index.spilled_bytes > 0) == (budget < 1 << 30)
    assert not any((tmp_path / "spill").glob("fp-*"))  # partitions are removed once read


def test_no_rows_no_duplicates(tmp_path: Path) -> None:
    index = FingerprintIndex(budget=1 << 20, spill_dir=str(tmp_path), examples=5)
    index.add(
        np.array([], dtype=np.uint64), np.array([], dtype=np.uint64), np.array([], dtype=np.int64)
    )
    found = index.finish()
    assert found.count == 0 and found.first == [] and found.groups == 0


def test_rows_that_only_share_top_bits_do_not_split_a_duplicate_group(tmp_path: Path) -> None:
    """A row X whose h2 shares its top bits with A's lies between A and its copy in the
    sorted keys; A and its copy are still one group, and X repeats nothing."""
    a1, a2 = np.uint64(0x1234_5678_9ABC_DEF0), np.uint64(0xFEDC_BA98_7654_3210)
    h1 = np.array([a1, a1 ^ np.uint64(1), a1, 7], dtype=np.uint64)
    h2 = np.array([a2, a2 ^ np.uint64(2), a2, 9], dtype=np.uint64)  # X: low bit differs
    pos = np.array([10, 20, 30, 40], dtype=np.int64)
    for budget in (1 << 30, 1):  # keys built ahead, and from a spilled partition
        index = FingerprintIndex(budget=budget, spill_dir=str(tmp_path / str(budget)), examples=5)
        index.add(h1, h2, pos)
        found = index.finish()
        assert (found.count, found.groups, found.first) == (1, 1, [(30, 10)])


def test_first_occurrence_is_the_smallest_position(tmp_path: Path) -> None:
    h = np.array([5, 5, 5], dtype=np.uint64)
    index = FingerprintIndex(budget=1 << 30, spill_dir=str(tmp_path), examples=5)
    index.add(h[:1], h[:1], np.array([50], dtype=np.int64))  # batches out of order
    index.add(h[1:], h[1:], np.array([7, 90], dtype=np.int64))
    found = index.finish()
    assert (found.count, found.groups, found.first) == (2, 1, [(50, 7), (90, 7)])
