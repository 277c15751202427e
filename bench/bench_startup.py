"""Whole-process time of `personalize-lint check` on one small policy vs `parliament --files`.

Usage: python bench/bench_startup.py [--runs 15]

Both tools run as separate processes, alternately, several times; the script prints the
median wall time of each and the ratio. Needs parliament: pass --parliament PATH, e.g. from
`python -m venv /tmp/parl && /tmp/parl/bin/pip install parliament 'setuptools<81'`
(parliament imports pkg_resources, which setuptools 81 removed). Each tool must succeed
once before it is timed, so a broken install cannot pass for a fast one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/prefix/*"}
  ]
}
"""


# Byte-code caching on, as on a user's machine (some sandboxes export the variable).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL, env=ENV,
                   check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--parliament", help="path of the parliament executable")
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    ours = [str(bindir / "personalize-lint"), "check", "policy.json"]
    parliament = args.parliament or shutil.which("parliament")
    if parliament is None:
        print("parliament is not installed: pip install parliament", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "policy.json").write_text(POLICY)
        theirs = [parliament, "--files", "policy.json"]
        for cmd in (ours, theirs):  # warm the caches, and prove each tool works
            proc = subprocess.run(cmd, cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL,
                                  env=ENV, check=False)
            if proc.returncode != 0:
                print(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}",
                      file=sys.stderr)
                return 2
        a: list[float] = []
        b: list[float] = []
        for _ in range(args.runs):
            a.append(timed(ours, cwd))
            b.append(timed(theirs, cwd))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"personalize-lint check: median {ma * 1000:.0f} ms over {args.runs} runs "
          f"(min {min(a) * 1000:.0f}, max {max(a) * 1000:.0f})")
    print(f"parliament --files:     median {mb * 1000:.0f} ms over {args.runs} runs "
          f"(min {min(b) * 1000:.0f}, max {max(b) * 1000:.0f})")
    print(f"ratio: {ma / mb:.2f} (target: under 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
