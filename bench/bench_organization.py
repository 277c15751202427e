"""What organization policies cost: checking a set-up with 5 SCPs, 2 RCPs and a permissions
boundary against the same set-up without them; target: under 20% more.

Usage: python bench/bench_organization.py [--rounds 15] [--runs 5]

The set-up is the compliant example (examples/compliant) copied to a temporary folder, once
as it is and once with ``service-control-policies`` (three levels: root, an OU, the
account; five customer SCPs of the deny-list kind with conditions, plus FullAWSAccess at each
level), ``resource-control-policies`` (two data-perimeter RCPs) and a
``role-permissions-boundary``, all passing (the same findings, none). Each run is a whole
``check`` in one process (configuration, loading, every rule), as pre-commit or CI runs it.
Times are the process's CPU time (a shared machine's load inflates wall time, not this).
Rounds interleave the two variants (A, B, B, A ...) so a noisy machine shifts both alike;
the figure is the median of the per-round ratios of the best run of each.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from personalize_lint.config import load_config
from personalize_lint.engine import CheckOptions, run_check
from personalize_lint.plugins import make_plugin_manager

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "compliant"
ACCOUNT = "111122223333"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _deny(sid: str, action: Any, condition: dict[str, Any] | None = None,
          principal: bool = False) -> dict[str, Any]:
    st: dict[str, Any] = {"Sid": sid, "Effect": "Deny", "Action": action, "Resource": "*"}
    if principal:
        st["Principal"] = "*"
    if condition:
        st["Condition"] = condition
    return st


SCPS = {
    "org/root-1.json": _doc(
        _deny("NoLeaving", "organizations:LeaveOrganization"),
        _deny("NoRootUser", "*", {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}),
        _deny("NoCloudTrailChanges", ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"])),
    "org/root-2.json": _doc(_deny("Regions", "*", {
        "StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]},
        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrgAdmin"}})),
    "org/ou-1.json": _doc(
        _deny("NoIamUsers", ["iam:CreateUser", "iam:CreateAccessKey"]),
        _deny("NoPublicBuckets", "s3:PutBucketPublicAccessBlock")),
    "org/ou-2.json": _doc(_deny("ProtectGuardrailRoles", "iam:*", {
        "ArnLike": {"aws:ResourceArn": "arn:aws:iam::*:role/guardrail-*"}})),
    "org/account-1.json": _doc(_deny("NoKeyDeletion", ["kms:ScheduleKeyDeletion",
                                                       "kms:DisableKey"])),
}
RCPS = {
    "org/rcp-1.json": _doc(_deny("ConfusedDeputy", ["s3:*", "kms:*"], {
        "StringNotEqualsIfExists": {"aws:SourceAccount": [ACCOUNT]},
        "Null": {"aws:SourceAccount": "false"},
        "Bool": {"aws:PrincipalIsAWSService": "true"}}, principal=True)),
    "org/rcp-2.json": _doc(_deny("TlsOnly", ["s3:*", "kms:*"], {
        "BoolIfExists": {"aws:SecureTransport": "false"}}, principal=True)),
}
BOUNDARY = _doc({"Effect": "Allow", "Action": ["cloudwatch:*", "s3:*", "kms:*"],
                 "Resource": "*"})
KEYS = """
service-control-policies = [["FullAWSAccess", "org/root-1.json", "org/root-2.json"],
                            ["FullAWSAccess", "org/ou-1.json", "org/ou-2.json"],
                            ["FullAWSAccess", "org/account-1.json"]]
resource-control-policies = ["org/rcp-1.json", "org/rcp-2.json"]
role-permissions-boundary = "iam/boundary.json"
"""


def make(root: Path, organization: bool) -> Path:
    target = root / ("with-org" if organization else "plain")
    shutil.copytree(EXAMPLE, target)
    if organization:
        for name, data in {**SCPS, **RCPS, "iam/boundary.json": BOUNDARY}.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text(json.dumps(data, indent=2), encoding="utf-8")
        config = target / "personalize-lint.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("\n[rules]", KEYS + "\n[rules]"), encoding="utf-8")
    return target


def check(folder: Path) -> tuple[float, int]:
    # CPU time of this process: on a shared machine, wall time mostly measures the others.
    started = time.process_time()
    config = load_config(None, folder)
    report = run_check(config, make_plugin_manager(autoload=False), CheckOptions())
    return time.process_time() - started, len(report.findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=5, help="runs per variant per round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain, with_org = make(Path(tmp), False), make(Path(tmp), True)
        found = (check(plain)[1], check(with_org)[1])  # warm-up; the verdicts must agree
        if found[0] != found[1]:
            print(f"the variants disagree: {found[0]} vs {found[1]} findings")
            return 1
        ratios, bests = [], ([], [])  # type: ignore[var-annotated]
        for r in range(args.rounds):
            order = (plain, with_org) if r % 2 == 0 else (with_org, plain)
            times: dict[Path, float] = {}
            for folder in order:
                times[folder] = min(check(folder)[0] for _ in range(args.runs))
            bests[0].append(times[plain])
            bests[1].append(times[with_org])
            ratios.append(times[with_org] / times[plain])
    median = statistics.median(ratios)
    print(f"set-up check without organization policies: {statistics.median(bests[0]) * 1e3:.1f} "
          f"ms CPU (median of best-of-{args.runs})")
    print(f"with 5 SCPs (3 levels + FullAWSAccess), 2 RCPs and a boundary: "
          f"{statistics.median(bests[1]) * 1e3:.1f} ms")
    print(f"ratio per round: median {median:.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})"
          f" -> {'+' if median >= 1 else ''}{(median - 1) * 100:.1f}% "
          f"({'under' if median < 1.2 else 'OVER'} the 20% target)")
    return 0 if median < 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
