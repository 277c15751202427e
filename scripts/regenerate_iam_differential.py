#!/usr/bin/env python3
"""Rewrite tests/iam/differential/verdicts.json: iam-simulate's verdicts on the generated
(policy set, request) pairs, which every test run compares our evaluator against.

    python scripts/regenerate_iam_differential.py            # npm ci, run, rewrite
    python scripts/regenerate_iam_differential.py --no-install   # node_modules already there

Needs node and the npm registry (``npm ci`` installs the version pinned in
tests/iam/differential/package-lock.json into node_modules there, which git ignores).
Fails, writing nothing, when the simulator rejects a generated input or ignores one of its
context keys (the pair would not mean what the generator meant). After writing, it prints
the comparison with our evaluator, and fails if a divergence is not a known one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "tests" / "iam" / "differential"
sys.path.insert(0, str(HERE))

from iamdiff import compare, divergences, pairs, simulate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-install", action="store_true", help="skip npm ci")
    args = parser.parse_args()
    if not args.no_install:
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    version = simulate.installed_version()
    if version is None:
        print("node or the installed @cloud-copilot/iam-simulate is missing", file=sys.stderr)
        return 2

    generated = pairs.generate()
    items = simulate.simulations(generated)
    started = time.perf_counter()
    raw = simulate.run_node(items)
    elapsed = time.perf_counter() - started
    bad = {i: r for i, r in raw.items() if r[0] == "X" or r[1]}
    if bad:
        for i, (code, detail) in list(bad.items())[:20]:
            print(f"{i}: {code} {detail}", file=sys.stderr)
        print(f"{len(bad)} simulations rejected or with ignored keys: fix the generator",
              file=sys.stderr)
        return 1

    verdicts = simulate.verdicts_by_pair(generated, raw)
    data = {
        "iam-simulate": version,
        "seed": pairs.SEED,
        "count": pairs.COUNT,
        "simulations": len(items),
        "verdicts": verdicts,
    }
    simulate.VERDICTS.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", "utf-8")
    print(f"iam-simulate {version}: {len(items)} simulations for {len(generated)} pairs "
          f"in {elapsed:.1f} s -> {simulate.VERDICTS}")

    statuses: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    unclaimed = []
    for pair in generated:
        c = compare.compare(pair, compare.ours_code(compare.ours(pair)),
                            verdicts[pairs.pair_id(pair)])
        statuses[c.status] += 1
        if c.status == "diverge":
            names = divergences.classify(pair, c)
            classes.update(names)
            if not names:
                unclaimed.append((pairs.pair_id(pair), c))
    for status, n in statuses.most_common():
        print(f"  {status:24} {n}")
    for name, n in classes.most_common():
        print(f"  divergence: {name}: {n}")
    for pid, c in unclaimed:
        print(f"UNKNOWN divergence {pid}: ours {c.ours}, iam-simulate {c.theirs} ({c.mode})",
              file=sys.stderr)
    return 1 if unclaimed else 0


if __name__ == "__main__":
    sys.exit(main())
