"""Audit 200 metric attributions across 4 regions of local endpoints; report wall time, API
calls made and calls per resource.

Usage: python bench/bench_audit.py [--attributions 200] [--regions 4] [--share 10]
                                   [--workers 8] [--latency-ms 0] [--runs 3]

IAM, S3, KMS, STS and the Personalize schemas are served by moto_server (started here on a
free port of 127.0.0.1); the other Personalize operations by the tests' fake endpoint
(tests/collectors/fake_personalize.py: the real JSON protocol, model-checked, paginated at
100 like the service's default page). Every attribution has its own dataset group with
Interactions and Items datasets, one import job and one event tracker; each ``--share``
attributions of a region share a service role, an output bucket and a KMS key, as teams
usually do. ``--latency-ms`` adds a round trip to each Personalize answer, to see what the
worker pool buys when calls are slow (moto answers in about a millisecond).

The audit runs in this process through the same code as ``personalize-lint audit``
(run_audit, then every rule); the deployment is not timed. The fake endpoint is forked into
its own process so that it does not compete with the audit for this one's GIL (on systems
without fork it runs in a thread here, and the figures include its work). Prints the median
of the runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout
sys.path.insert(0, str(ROOT / "tests" / "collectors"))  # the fake endpoint and deployments

from fake_personalize import FakePersonalize  # noqa: E402
from helpers_audit import report_of  # noqa: E402
from world import Aws, deploy  # noqa: E402

from personalize_lint.collectors.audit import AuditOptions, run_audit  # noqa: E402

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-northeast-1",
           "eu-central-1")


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto_server did not start")


def serve(fake: FakePersonalize) -> multiprocessing.process.BaseProcess | None:
    """Serve the deployed data from a forked process (None: fell back to a thread)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        fake.start()
        return None
    process = multiprocessing.get_context("fork").Process(target=fake.server.serve_forever,
                                                          daemon=True)
    process.start()
    fake.server.socket.close()  # the child owns the listening socket now
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attributions", type=int, default=200)
    parser.add_argument("--regions", type=int, default=4, choices=range(1, len(REGIONS) + 1))
    parser.add_argument("--share", type=int, default=10,
                        help="attributions per role, bucket and key (default 10)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    moto, moto_url = start_moto()
    fake = FakePersonalize(moto_url, page_size=100)
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto_url,
        "AWS_ENDPOINT_URL_PERSONALIZE": fake.url, "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    })
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    server: multiprocessing.process.BaseProcess | None = None
    try:
        regions = REGIONS[:args.regions]
        started = time.perf_counter()
        aws = Aws(moto_url, fake)
        for i in range(args.attributions):
            region = regions[i % len(regions)]
            group = (i // len(regions)) // args.share
            deploy(aws, f"app-{i:04d}", region=region, resources=f"t{group:02d}-{region}")
        print(f"deployed {args.attributions} attributions in {len(regions)} regions in "
              f"{time.perf_counter() - started:.1f}s (not timed below)")
        fake.latency = args.latency_ms / 1000
        server = serve(fake)
        times, rules_times = [], []
        result = None
        for _ in range(args.runs):
            result = run_audit(AuditOptions(regions=list(regions), max_workers=args.workers))
            times.append(result.seconds)
            t0 = time.perf_counter()
            report = report_of(result)
            rules_times.append(time.perf_counter() - t0)
        assert result is not None
        setups = len(result.body["setups"])
        gaps = [f for f in report.active if f.rule_id == "PL003"]
        if setups != args.attributions or gaps:
            raise SystemExit(f"unexpected: {setups} set-ups, {len(gaps)} PL003")
        calls = result.api_calls
        by_service = Counter[str]()
        for name, count in result.calls.items():
            by_service[name.split(":")[0]] += count
        wall = statistics.median(times)
        print(f"audit: {setups} metric attributions, {len(regions)} regions, "
              f"{args.workers} workers, Personalize latency {args.latency_ms:g} ms")
        print(f"  wall time (median of {args.runs}): {wall:.2f}s "
              f"({setups / wall:.0f} attributions/s); rules on the result: "
              f"{statistics.median(rules_times):.2f}s")
        print(f"  API calls: {calls} = {calls / setups:.1f} per metric attribution")
        for service, count in by_service.most_common():
            print(f"    {service:<12} {count:>5}  ({count / setups:.2f} per attribution)")
        roles = len(result.body["roles"])
        print(f"  shared resources read once: {roles} roles, {len(result.body['buckets'])} "
              f"buckets, {len(result.body['keys'])} keys")
    finally:
        if server is not None:
            server.terminate()
        else:
            fake.stop()
        moto.terminate()
        moto.wait(timeout=10)


if __name__ == "__main__":
    main()
