"""Whole-process time of `personalize-lint check` on one small policy vs `parliament --files`.

Usage: python bench/bench_startup.py [--runs 15] [--baseline REV] [--parliament PATH]

Both tools run as separate processes, alternately, several times; the script prints the
median wall time of each and their ratio, twice: the ratio of the medians, and the median
of each round's own ratio (the two runs of a round are a few milliseconds apart, so a
round's ratio holds up better when other work comes and goes on a shared machine). The
load average before and after says how busy the machine was.

``--baseline REV`` also times the same command from an earlier commit (copied out of git
into a temporary folder and imported through PYTHONPATH, which comes before the editable
install), in the same rounds: a before/after comparison under the same load.

parliament: ``--parliament PATH``, else the one installed next to this Python (e.g.
``pip install parliament 'setuptools<81'`` in the project's venv: parliament imports
pkg_resources, which setuptools 81 removed), else the one on PATH. Each tool must succeed
once before it is timed, so a broken install cannot pass for a fast one. Byte-code caching
is on, as on a user's machine (some sandboxes export PYTHONDONTWRITEBYTECODE).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/prefix/*"}
  ]
}
"""

# The console script pip writes for personalize-lint, for a baseline run from a copy.
LAUNCHER = """import sys
from personalize_lint.cli import main
sys.exit(main())
"""

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL, env=env,
                   check=False)
    return time.perf_counter() - start


def find_parliament(given: str | None) -> str | None:
    if given:
        return str(Path(given).resolve())
    beside = Path(sys.executable).parent / "parliament"
    return str(beside) if beside.is_file() else shutil.which("parliament")


def export(rev: str, into: Path) -> Path:
    """The package of commit ``rev`` laid out as installed (checker/ as personalize_lint,
    rules/ as personalize_lint/rules) under ``into``; returns the folder for PYTHONPATH."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "checker", "rules"],
                             capture_output=True, check=True).stdout
    tree = into / "tree"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    site = into / "site"
    site.mkdir()
    shutil.move(str(tree / "checker"), site / "personalize_lint")
    shutil.move(str(tree / "rules"), site / "personalize_lint" / "rules")
    return site


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--parliament", help="path of the parliament executable")
    parser.add_argument("--baseline", metavar="REV", help="also time this earlier commit")
    args = parser.parse_args()
    parliament = find_parliament(args.parliament)
    if parliament is None:
        print("parliament is not installed: pip install parliament 'setuptools<81'",
              file=sys.stderr)
        return 2
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="personalize-lint-startup-") as tmp:
        cwd = Path(tmp) / "work"
        cwd.mkdir()
        (cwd / "policy.json").write_text(POLICY)
        tools: dict[str, tuple[list[str], dict[str, str]]] = {
            "personalize-lint": ([str(bindir / "personalize-lint"), "check", "policy.json"], ENV),
            "parliament": ([parliament, "--files", "policy.json"], ENV),
        }
        if args.baseline:
            site = export(args.baseline, Path(tmp))
            (Path(tmp) / "launcher.py").write_text(LAUNCHER)
            tools[f"personalize-lint@{args.baseline}"] = (
                [sys.executable, str(Path(tmp) / "launcher.py"), "check", "policy.json"],
                {**ENV, "PYTHONPATH": str(site)},
            )
        for name, (cmd, env) in tools.items():  # warm the caches, and prove each tool works
            proc = subprocess.run(cmd, cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL,
                                  env=env, check=False)
            if proc.returncode != 0:
                print(f"{name} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}",
                      file=sys.stderr)
                return 2
        load_before = os.getloadavg()
        times: dict[str, list[float]] = {name: [] for name in tools}
        for _ in range(args.runs):
            for name, (cmd, env) in tools.items():
                times[name].append(timed(cmd, cwd, env))
        load_after = os.getloadavg()
    for name, values in times.items():
        print(f"{name + ':':<28} median {statistics.median(values) * 1000:4.0f} ms over "
              f"{args.runs} runs (min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})")
    theirs = times["parliament"]
    for name, values in times.items():
        if name == "parliament":
            continue
        medians = statistics.median(values) / statistics.median(theirs)
        rounds = statistics.median(a / b for a, b in zip(values, theirs, strict=True))
        print(f"ratio {name} / parliament: {medians:.2f} (medians), {rounds:.2f} (median of "
              "rounds); target: at most 0.5")
    print(f"load average (1, 5, 15 min): {load_before[0]:.1f} {load_before[1]:.1f} "
          f"{load_before[2]:.1f} before, {load_after[0]:.1f} {load_after[1]:.1f} "
          f"{load_after[2]:.1f} after; {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
