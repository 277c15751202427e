"""Benchmark the data checks: the local engine vs the Dask engine on a LocalCluster.

    python bench/data/bench_dask.py --rows 10_000_000 --workers 2 4 --json bench/out/dask-10m.json
    python bench/data/bench_dask.py --rows 50_000_000 --workers 2 4 --repeat 1

The data: one synthetic file from generate.py (~1% exact duplicate rows), cut at line
breaks into ``--files`` files (64 by default) that each keep the header, so duplicates fall
within and across files. Each run is a child process (interleaved round by round, so load
from other processes hits all alike) that scans the folder with the same ``scan()`` the
PL6xx rules call: the local engine, or the Dask engine on a ``LocalCluster`` of N worker
processes (one thread each) that the child starts first (start-up timed apart). The child
reports wall time, its own peak RSS and, for Dask, each worker process's peak RSS
(``getrusage`` run on the workers) and the counts it found; the parent asserts that every
engine found the same rows, duplicates, duplicate groups, old records, oldest timestamp,
sources, neither/both and first duplicate lines.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out"
AS_OF = "2026-11-30T00:00:00Z"


def _as_of(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def split_file(source: Path, folder: Path, parts: int) -> None:
    """Cut ``source`` at line breaks into ``parts`` files of about equal size, each with
    the header (generate.py writes no quoted line breaks, so every line is a record)."""
    folder.mkdir(parents=True, exist_ok=True)
    size = source.stat().st_size
    with source.open("rb") as src:
        header = src.readline()
        body = size - len(header)
        for i in range(parts):
            target = len(header) + body * (i + 1) // parts
            with (folder / f"part-{i:03d}.csv").open("wb") as dst:
                dst.write(header)
                block = b"\n"
                while src.tell() < target:
                    block = src.read(min(8 << 20, target - src.tell()))
                    if not block:
                        break
                    dst.write(block)
                if not block.endswith(b"\n"):
                    dst.write(src.readline())  # finish the record
    print(f"split {source.name} into {parts} files in {folder}", file=sys.stderr)


def dataset(rows: int, files: int) -> Path:
    folder = OUT / f"dask-{rows}-{files}"
    if folder.is_dir() and len(list(folder.glob("*.csv"))) == files:
        return folder
    source = OUT / f"interactions-{rows}.csv"
    if not source.exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--rows", str(rows), "--out",
             str(source), "--as-of", AS_OF],
            check=True,
        )
    split_file(source, folder, files)
    return folder


# -- one run (child process) ---------------------------------------------------------------


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(folder: str, engine: str, workers: int) -> dict[str, Any]:
    from personalize_lint.data import engines
    from personalize_lint.data.engine import ScanOptions, scan

    options = ScanOptions(progress=False)
    out: dict[str, Any] = {"engine": engine, "workers": workers}
    if engine == "local":
        start = time.monotonic()
        r = scan([folder], fields=None, as_of=_as_of(AS_OF), options=options)
        out["seconds"] = time.monotonic() - start
        out["worker_rss"] = []
    else:
        from distributed import Client, LocalCluster

        start = time.monotonic()
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
        )
        client = Client(cluster)
        client.run(_warm)  # imports done on the workers, as on a cluster that is up
        out["startup"] = time.monotonic() - start
        choice = engines.EngineChoice("dask", scheduler=cluster.scheduler_address)
        start = time.monotonic()
        with engines.using(choice):
            r = scan([folder], fields=None, as_of=_as_of(AS_OF), options=options)
        out["seconds"] = time.monotonic() - start
        out["worker_rss"] = sorted(client.run(_peak_rss).values())
        client.close()
        cluster.close()
    if r.problems:
        raise SystemExit(f"scan problems: {r.problems}")
    out["client_rss"] = _peak_rss()
    out["bytes"] = r.bytes_read
    out["counts"] = {
        "rows": r.rows,
        "duplicates": r.duplicates,
        "groups": r.duplicate_groups,
        "first": [(d.at.file, d.at.line, d.same_as.file, d.same_as.line)
                  for d in r.duplicate_examples],
        "old": r.old.count,
        "oldest": r.oldest,
        "sources": r.distinct_sources,
        "neither": r.no_source.count,
        "both": r.both.count,
    }
    return out


def _warm() -> None:
    import polars  # noqa: F401

    from personalize_lint.data import dask_engine, engine  # noqa: F401


def run_child(folder: Path, engine: str, workers: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(folder), engine, str(workers)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode:
        raise SystemExit(f"{engine} x{workers} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), nargs="+",
                        default=[10_000_000])
    parser.add_argument("--files", type=int, default=64)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--engines", nargs="+", choices=("local", "dask"),
                        default=["local", "dask"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        folder, engine, workers = args.child
        print(json.dumps(child(folder, engine, int(workers))))
        return 0
    runs = [("local", 1)] if "local" in args.engines else []
    runs += [("dask", n) for n in args.workers] if "dask" in args.engines else []
    results: list[dict[str, Any]] = []
    for rows in args.rows:
        folder = dataset(rows, args.files)
        for round_ in range(args.repeat):
            for engine, workers in runs:
                load = os.getloadavg()[0]
                res = run_child(folder, engine, workers)
                res.update(rows_asked=rows, round=round_, load_before=load)
                results.append(res)
                print(
                    f"{rows:>11,} {engine:>5} x{workers}: {res['seconds']:6.2f} s "
                    f"(start-up {res.get('startup', 0):.1f} s), client "
                    f"{res['client_rss'] / 1e6:,.0f} MB, workers "
                    f"{[round(w / 1e6) for w in res['worker_rss']]} MB, load {load:.1f}",
                    file=sys.stderr,
                )
        same = [r for r in results if r["rows_asked"] == rows]
        reference = same[0]["counts"]
        for r in same:
            assert r["counts"] == reference, (r["engine"], r["workers"], r["counts"], reference)
        print(f"{rows:,} rows: every engine found {json.dumps(reference)}", file=sys.stderr)
    print("\n| rows | engine | workers | wall s (median) | MB/s | MB/s per worker | client "
          "peak MB | worker peak MB (each) | load before |")
    print("|---:|---|---:|---:|---:|---:|---:|---|---:|")
    for rows in args.rows:
        for engine, workers in runs:
            mine = [r for r in results
                    if r["rows_asked"] == rows and r["engine"] == engine
                    and r["workers"] == workers]
            wall = statistics.median(r["seconds"] for r in mine)
            rate = mine[0]["bytes"] / wall / 1e6
            each = max(max(r["worker_rss"], default=0) for r in mine) / 1e6
            shown = "1 process (2 threads)" if engine == "local" else str(workers)
            print(f"| {rows:,} | {engine} | {shown} | {wall:.2f} | {rate:,.0f} | "
                  f"{rate / workers:,.0f} | {max(r['client_rss'] for r in mine) / 1e6:,.0f} | "
                  f"{each:,.0f} | {statistics.median(r['load_before'] for r in mine):.1f} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
