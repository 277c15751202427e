"""Benchmark personalize-lint's data check against a DuckDB SQL reference and pandas.

    python bench/data/run.py                       # 1M and 10M rows, 3 rounds
    python bench/data/run.py --rows 1_000_000 --repeat 1

For each size the synthetic file is made once (bench/out/, see generate.py). Each tool runs
in its own subprocess, interleaved round by round so that load from other processes hits
all three alike; the parent takes wall time from a monotonic clock and CPU time and peak
RSS from ``os.wait4`` (that child's own rusage). Every run prints the counts it found and
the parent asserts the three tools agree: rows, exact duplicate rows, records 14 days old
or older, oldest timestamp, distinct attribution sources, rows with neither source nor
recommendation ID, rows with both. The table shows the median of the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
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
TOOLS = ("personalize-lint", "duckdb-sql", "pandas")
KEYS = ("rows", "duplicates", "old", "oldest", "sources", "neither", "both")


def _as_of(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- workers (run in a child process each) -----------------------------------------------


def work_lint(path: str, as_of: datetime) -> dict[str, Any]:
    from personalize_lint.data.engine import ScanOptions, scan

    r = scan([path], fields=None, as_of=as_of, options=ScanOptions(progress=False))
    if r.problems:
        raise SystemExit(f"scan problems: {r.problems}")
    return {
        "rows": r.rows,
        "duplicates": r.duplicates,
        "old": r.old.count,
        "oldest": r.oldest,
        "sources": r.distinct_sources,
        "neither": r.no_source.count,
        "both": r.both.count,
    }


# What a user would type: a view over the file and two plain queries (duplicates need
# their own GROUP BY over every column).
DUCKDB_COUNTS = """
SELECT count(*) AS rows,
       count(*) FILTER (WHERE "TIMESTAMP" <= $cutoff) AS old,
       min("TIMESTAMP") FILTER (WHERE "TIMESTAMP" <= $cutoff) AS oldest,
       count(DISTINCT EVENT_ATTRIBUTION_SOURCE) AS sources,
       count(*) FILTER (WHERE EVENT_ATTRIBUTION_SOURCE IS NULL
                          AND RECOMMENDATION_ID IS NULL) AS neither,
       count(*) FILTER (WHERE EVENT_ATTRIBUTION_SOURCE IS NOT NULL
                          AND RECOMMENDATION_ID IS NOT NULL) AS both
FROM interactions
"""
DUCKDB_DUPLICATES = """
SELECT coalesce(sum(n - 1), 0) FROM (SELECT *, count(*) AS n FROM interactions GROUP BY ALL)
"""


def work_duckdb(path: str, as_of: datetime) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE VIEW interactions AS SELECT * FROM read_csv('{path}')")
    cutoff = int(as_of.timestamp()) - 14 * 86_400
    row = con.execute(DUCKDB_COUNTS, {"cutoff": cutoff}).fetchone()
    assert row is not None
    out = dict(zip(("rows", "old", "oldest", "sources", "neither", "both"), row, strict=True))
    dup = con.execute(DUCKDB_DUPLICATES).fetchone()
    out["duplicates"] = int(dup[0]) if dup else 0
    return out


def work_pandas(path: str, as_of: datetime) -> dict[str, Any]:
    import pandas as pd

    df = pd.read_csv(path)
    cutoff = int(as_of.timestamp()) - 14 * 86_400
    old = df["TIMESTAMP"] <= cutoff
    src = df["EVENT_ATTRIBUTION_SOURCE"].notna()
    rec = df["RECOMMENDATION_ID"].notna()
    return {
        "rows": len(df),
        "duplicates": int(df.duplicated().sum()),
        "old": int(old.sum()),
        "oldest": int(df.loc[old, "TIMESTAMP"].min()) if old.any() else None,
        "sources": int(df["EVENT_ATTRIBUTION_SOURCE"].nunique()),
        "neither": int((~src & ~rec).sum()),
        "both": int((src & rec).sum()),
    }


WORKERS = {"personalize-lint": work_lint, "duckdb-sql": work_duckdb, "pandas": work_pandas}


# -- parent ------------------------------------------------------------------------------


def run_child(tool: str, path: Path, as_of: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", tool, "--file", str(path), "--as-of", as_of]
    load = os.getloadavg()[0]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{tool} failed ({proc.returncode})")
    return {
        "tool": tool,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,  # KiB on Linux
        "load": load,
        "counts": json.loads(out),
    }


def ensure_file(rows: int, as_of: str) -> Path:
    path = OUT / f"interactions-{rows}.csv"
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--rows",
                str(rows),
                "--out",
                str(path),
                "--as-of",
                as_of,
            ],
            check=True,
        )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", nargs="*", type=lambda s: int(s.replace("_", "")), default=[1_000_000, 10_000_000]
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tools", nargs="*", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--as-of", default=AS_OF)
    parser.add_argument("--json", type=Path, help="also write all runs here")
    parser.add_argument("--worker", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        counts = WORKERS[args.worker](args.file, _as_of(args.as_of))
        print(json.dumps(counts))
        return 0

    runs: list[dict[str, Any]] = []
    for rows in args.rows:
        path = ensure_file(rows, args.as_of)
        size_mb = path.stat().st_size / 1e6
        for round_ in range(args.repeat):
            for tool in args.tools:
                run = run_child(tool, path, args.as_of) | {
                    "rows": rows,
                    "mb": size_mb,
                    "round": round_ + 1,
                }
                runs.append(run)
                print(
                    f"{rows:>11,} rows  round {round_ + 1}  {tool:<17} {run['wall']:7.2f}s wall "
                    f"{run['cpu']:7.2f}s cpu {run['rss_mb']:7.0f} MB  (load {run['load']:.1f})",
                    file=sys.stderr,
                )
        counts = {r["tool"]: r["counts"] for r in runs if r["rows"] == rows}
        reference = next(iter(counts.values()))
        for tool, got in counts.items():
            for key in KEYS:
                if got.get(key) != reference.get(key):
                    raise SystemExit(f"{tool} disagrees on {key}: {got} vs {reference}")
        print(f"{rows:,} rows: all tools agree: {reference}", file=sys.stderr)

    print(table(runs))
    print(per_round(runs))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))
    return 0


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| rows | file | tool | wall s (median) | CPU s | peak RSS MB | wall vs duckdb-sql "
        "| pandas / this |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    sizes = sorted({r["rows"] for r in runs})
    for rows in sizes:
        med: dict[str, dict[str, float]] = {}
        for tool in TOOLS:
            mine = [r for r in runs if r["rows"] == rows and r["tool"] == tool]
            if mine:
                med[tool] = {
                    k: statistics.median(r[k] for r in mine) for k in ("wall", "cpu", "rss_mb")
                }
                med[tool]["mb"] = mine[0]["mb"]
        for tool, m in med.items():
            vs_duck = m["wall"] / med["duckdb-sql"]["wall"] if "duckdb-sql" in med else float("nan")
            vs_pd = med["pandas"]["wall"] / m["wall"] if "pandas" in med else float("nan")
            lines.append(
                f"| {rows:,} | {m['mb']:.0f} MB | {tool} | {m['wall']:.2f} | {m['cpu']:.2f} "
                f"| {m['rss_mb']:.0f} | {vs_duck:.2f}x | {vs_pd:.1f}x |"
            )
    return "\n".join(lines)


def per_round(runs: list[dict[str, Any]]) -> str:
    """Ratios within each round: the tools of one round ran back to back, so a slow spell
    of a shared machine weighs on them alike (a median of walls mixes rounds)."""
    lines = []
    for rows in sorted({r["rows"] for r in runs}):
        walls: dict[int, dict[str, float]] = {}
        for r in runs:
            if r["rows"] == rows:
                walls.setdefault(r.get("round", 0), {})[r["tool"]] = r["wall"]
        for a, b in (("pandas", "personalize-lint"), ("personalize-lint", "duckdb-sql")):
            ratios = [w[a] / w[b] for w in walls.values() if a in w and b in w]
            if ratios:
                each = " ".join(f"{x:.2f}x" for x in ratios)
                lines.append(
                    f"{rows:,} rows, {a} / {b} per round: {each} "
                    f"(median {statistics.median(ratios):.2f}x)"
                )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
