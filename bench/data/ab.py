"""A/B: the data check of an earlier commit against the working tree, interleaved.

    python bench/data/ab.py HEAD~1                    # 10M rows, 5 rounds
    python bench/data/ab.py 7226360 --rows 1_000_000 --rounds 3

The earlier commit is checked out into a temporary ``git worktree`` and imported through
``PYTHONPATH`` (its ``checker/`` as ``personalize_lint``); the working tree is imported as
installed. Each round runs both, one after the other, in fresh processes: wall time from a
monotonic clock, CPU time and peak RSS from ``os.wait4``. On a shared machine the same work
varies by ±15% from one minute to the next, so only the rounds' medians mean anything.
Both sides must find the same rows and duplicates.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from run import AS_OF, ensure_file  # noqa: E402

CHILD = """
import json, sys
from datetime import datetime, timezone
from personalize_lint.data.engine import ScanOptions, scan
r = scan([sys.argv[1]], fields=None, as_of=datetime(2026, 11, 30, tzinfo=timezone.utc),
         options=ScanOptions(progress=False))
print(json.dumps([r.rows, r.duplicates]))
"""


def run_once(path: Path, pythonpath: str | None) -> tuple[float, float, float, str]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"the scan failed ({pythonpath or 'working tree'})")
    return (
        time.monotonic() - start,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        out.strip(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", help="the earlier commit (anything git rev-parse takes)")
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=10_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    path = ensure_file(args.rows, AS_OF)
    with tempfile.TemporaryDirectory(prefix="personalize-lint-ab-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(tree), args.rev],
            check=True,
            capture_output=True,
        )
        try:
            shim = Path(tmp) / "shim"
            shim.mkdir()
            (shim / "personalize_lint").symlink_to(tree / "checker")
            sides = {args.rev: str(shim), "working tree": None}
            runs: dict[str, list[tuple[float, float, float, str]]] = {k: [] for k in sides}
            for round_ in range(1, args.rounds + 1):
                for name, pythonpath in sides.items():
                    run = run_once(path, pythonpath)
                    runs[name].append(run)
                    print(
                        f"round {round_}  {name:<14} {run[0]:6.2f}s wall {run[1]:6.2f}s cpu "
                        f"{run[2]:6.0f} MB",
                        file=sys.stderr,
                    )
            results = {run[3] for side in runs.values() for run in side}
            if len(results) != 1:
                raise SystemExit(f"the two sides disagree (rows, duplicates): {results}")
            for name, side in runs.items():
                wall = statistics.median(r[0] for r in side)
                cpu = statistics.median(r[1] for r in side)
                rss = max(r[2] for r in side)
                print(f"{name:<14} wall {wall:.2f} s  cpu {cpu:.2f} s  peak {rss:.0f} MB")
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
