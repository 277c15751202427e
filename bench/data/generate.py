"""Generate a synthetic Amazon Personalize interactions CSV of any size.

    python bench/data/generate.py --rows 10_000_000 --out bench/out/interactions-10m.csv

Seven columns: USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE, RECOMMENDATION_ID,
EVENT_ATTRIBUTION_SOURCE. Roughly 1% of the rows duplicate another row exactly, there are
~60 attribution sources, about half the records are 14 days old or older relative to
``--as-of`` and ~30% of the rows carry neither a source nor a recommendation ID.

Rows are made in chunks with numpy and written by polars (vectorised; ~1M rows/s here), so
memory stays at one chunk whatever the size. ``--as-of`` is printed so run.py can pass the
same instant to every tool.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl

COLUMNS = [
    "USER_ID",
    "ITEM_ID",
    "TIMESTAMP",
    "EVENT_TYPE",
    "EVENT_VALUE",
    "RECOMMENDATION_ID",
    "EVENT_ATTRIBUTION_SOURCE",
]
EVENT_TYPES = np.array(["click", "watch", "purchase", "add-to-cart", "rating"])
SOURCES = np.array([f"campaign-{i:02d}" for i in range(1, 61)])  # ~60 sources
DAY = 86_400


def make_chunk(rng: np.random.Generator, n: int, as_of: int, dup_share: float) -> pl.DataFrame:
    users = rng.integers(1, 2_000_000, n)
    items = rng.integers(1, 200_000, n)
    # Uniform over the 28 days before as-of: half are >= 14 days old.
    ts = as_of - rng.integers(1, 28 * DAY, n)
    etype = EVENT_TYPES[rng.integers(0, len(EVENT_TYPES), n)]
    value = np.round(rng.random(n) * 10, 2)
    # Attribution: 30% neither, 35% source only, 20% recommendation ID only, 15% both.
    kind = rng.random(n)
    has_source = (kind >= 0.30) & (kind < 0.65) | (kind >= 0.85)
    has_rec = kind >= 0.65
    df = pl.DataFrame(
        {
            "USER_ID": users,
            "ITEM_ID": items,
            "TIMESTAMP": ts,
            "EVENT_TYPE": etype,
            "EVENT_VALUE": value,
            "RECOMMENDATION_ID": rng.integers(0, 10**9, n),
            "EVENT_ATTRIBUTION_SOURCE": SOURCES[rng.integers(0, len(SOURCES), n)],
            "has_rec": has_rec,
            "has_source": has_source,
        }
    ).select(
        pl.format("user-{}", "USER_ID").alias("USER_ID"),
        pl.format("item-{}", "ITEM_ID").alias("ITEM_ID"),
        "TIMESTAMP",
        "EVENT_TYPE",
        "EVENT_VALUE",
        pl.when("has_rec")
        .then(pl.format("RID-{}", "RECOMMENDATION_ID"))
        .alias("RECOMMENDATION_ID"),
        pl.when("has_source").then("EVENT_ATTRIBUTION_SOURCE").alias("EVENT_ATTRIBUTION_SOURCE"),
    )
    # Exact duplicates: overwrite ~dup_share of the rows with copies of other (kept) rows.
    dup = rng.random(n) < dup_share
    keep = np.flatnonzero(~dup)
    take = np.arange(n)
    take[dup] = keep[rng.integers(0, len(keep), int(dup.sum()))]
    return df[take]


def generate(rows: int, out: Path, *, as_of: int, seed: int, chunk: int, dup_share: float) -> None:
    rng = np.random.default_rng(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    plain = out.with_suffix("") if out.suffix == ".gz" else out
    with open(plain, "wb") as fh:
        done = 0
        while done < rows:
            n = min(chunk, rows - done)
            make_chunk(rng, n, as_of, dup_share).write_csv(fh, include_header=done == 0)
            done += n
    if out.suffix == ".gz":
        with open(plain, "rb") as src, gzip.open(out, "wb", compresslevel=1) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        plain.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out/interactions.csv"))
    parser.add_argument(
        "--as-of", default=None, help="ISO instant the ages are relative to (default: now)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=1_000_000)
    parser.add_argument("--dup-share", type=float, default=0.01)
    args = parser.parse_args(argv)
    as_of = (
        datetime.fromisoformat(args.as_of.replace("Z", "+00:00"))
        if args.as_of
        else datetime.now(timezone.utc)
    )
    start = time.perf_counter()
    generate(
        args.rows,
        args.out,
        as_of=int(as_of.timestamp()),
        seed=args.seed,
        chunk=args.chunk,
        dup_share=args.dup_share,
    )
    size = args.out.stat().st_size
    print(
        f"wrote {args.rows:,} rows, {size / 1e6:,.1f} MB to {args.out} "
        f"(as-of {as_of.isoformat()}) in {time.perf_counter() - start:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
