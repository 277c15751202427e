"""Parse speed of the position-keeping loaders (JSON, YAML), against the stdlib/PyYAML.

Usage: python bench/bench_loaders.py [--repeat 7]

Prints the best of N runs for a 1 MB policy as indented JSON, minified JSON and YAML, and for
5,000 small (4 KB) policies, next to json.loads / yaml.safe_load (CLoader when available).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import yaml

from personalize_lint.loaders.jsonpos import parse_json
from personalize_lint.loaders.yamlpos import parse_yaml

STATEMENT = {
    "Effect": "Allow",
    "Action": ["s3:PutObject", "cloudwatch:PutMetricData"],
    "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"],
    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
}


def policy(statements: int) -> dict[str, Any]:
    return {"Version": "2012-10-17",
            "Statement": [dict(STATEMENT, Sid=f"S{i}") for i in range(statements)]}


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    big = policy(3500)
    indented = json.dumps(big, indent=2)
    minified = json.dumps(big, separators=(",", ":"))
    # A JSON round trip unshares the lists, so safe_dump writes no YAML aliases.
    as_yaml = yaml.safe_dump(json.loads(json.dumps(policy(5000))), sort_keys=False)
    small = [json.dumps(policy(10), indent=2) for _ in range(5000)]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    rows = [
        ("1 MB JSON, indented", lambda: parse_json(indented, max_depth=64),
         lambda: json.loads(indented), len(indented)),
        ("1 MB JSON, minified", lambda: parse_json(minified, max_depth=64),
         lambda: json.loads(minified), len(minified)),
        ("1 MB YAML", lambda: parse_yaml(as_yaml, max_depth=64, max_aliases=1000),
         lambda: yaml.load(as_yaml, Loader=loader), len(as_yaml)),
        ("5,000 x 4 KB JSON", lambda: [parse_json(t, max_depth=64) for t in small],
         lambda: [json.loads(t) for t in small], sum(map(len, small))),
    ]
    print(f"{'input':<22} {'bytes':>10} {'ours ms':>9} {'reference ms':>13}")
    for name, ours, reference, size in rows:
        print(f"{name:<22} {size:>10,} {best(ours, args.repeat) * 1000:>9.0f} "
              f"{best(reference, args.repeat) * 1000:>13.0f}")


if __name__ == "__main__":
    main()
