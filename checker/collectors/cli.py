"""The ``audit`` subcommand: its arguments and its runner.

Importing this module must not import boto3 (``personalize-lint check`` builds the whole
parser); the runner imports the collectors, and with them boto3, only when it audits.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..arguments import as_of_time, rule_ids
from ..config import FAIL_ON_VALUES
from ..errors import UsageError


def _workers(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 64:
        raise argparse.ArgumentTypeError(f"--max-workers takes 1 to 64, not {value!r}")
    return number


def add_audit_parser(sub: Any, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    audit = sub.add_parser(
        "audit",
        parents=[common],
        help="audit what is deployed in AWS accounts (read-only)",
        description="Audit every metric attribution in the accounts and regions given, with "
        "its dataset group, schemas, import jobs, event trackers, service role, output bucket "
        "and key, using read-only API calls (see --print-policy), and run every rule on it.",
    )
    scope = audit.add_argument_group("scope")
    scope.add_argument("--profile", metavar="P", help="AWS profile (default: the credential "
                       "chain: environment, config files, SSO, instance or task role)")
    regions = scope.add_mutually_exclusive_group()
    regions.add_argument("--region", action="append", default=[], metavar="R",
                         help="a region to audit (repeatable; default: the profile's region)")
    regions.add_argument("--all-regions", action="store_true",
                         help="every region where Amazon Personalize is offered")
    accounts = scope.add_mutually_exclusive_group()
    accounts.add_argument("--role-arn", action="append", default=[], metavar="ARN",
                          help="assume this role and audit its account (repeatable)")
    accounts.add_argument("--org-role", metavar="NAME",
                          help="list the AWS Organization's accounts and assume role NAME in "
                          "each (the management account is audited as the caller)")
    scope.add_argument("--organization", action="store_true",
                       help="also read the SCPs and RCPs over each account (AWS "
                       "Organizations, as the caller: the management account or a delegated "
                       "administrator) and check the set-ups against them")
    scope.add_argument("--external-id", metavar="ID", help="external ID for --role-arn / "
                       "--org-role")
    scope.add_argument("--max-workers", type=_workers, default=8, metavar="N",
                       help="concurrent API workers across accounts and regions (default: 8)")
    audit.add_argument("--save-inventory", type=Path, metavar="FILE",
                       help="also write what was collected as JSON; `check FILE` replays it")
    audit.add_argument("--print-policy", action="store_true",
                       help="print the minimal IAM policy the audit needs, and exit")

    out = audit.add_argument_group("output")
    out.add_argument("--format", default="text",
                     help="text, json, sarif, github, html, or a plugin's format (default: text)")
    out.add_argument("--output", "-o", type=Path, metavar="FILE",
                     help="write the report to FILE instead of stdout")
    out.add_argument("--config", type=Path, metavar="FILE",
                     help="configuration file for [rules] and fail-on (default: the nearest "
                     "personalize-lint.toml or pyproject.toml); its set-ups are not used")
    out.add_argument("--as-of", type=as_of_time, metavar="TIME",
                     help="the time the 14-day rule measures from (ISO 8601; default now)")
    out.add_argument("--fail-on", choices=FAIL_ON_VALUES,
                     help="lowest level that makes the exit code 1 (default: error)")
    out.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    out.add_argument("--select", type=rule_ids, default=[], metavar="IDS",
                     help="comma-separated rule IDs or prefixes to run")
    out.add_argument("--ignore", type=rule_ids, default=[], metavar="IDS",
                     help="comma-separated rule IDs or prefixes to skip")
    out.add_argument("--no-suppress", action="store_true",
                     help="report suppressed findings as if they were not suppressed")
    out.add_argument("--drop-suppressed", action="store_true",
                     help="leave suppressed findings out of SARIF")
    out.add_argument("--quiet", "-q", action="store_true",
                     help="no progress bar or summary; text format prints findings only")
    return audit


def run(args: argparse.Namespace) -> int:
    """Run ``audit`` for parsed arguments; returns the exit code."""
    from .policy import policy_text

    if args.print_policy:
        sys.stdout.write(policy_text(args.role_arn, args.org_role, args.organization))
        return 0
    from ..config import load_config
    from ..engine import CheckOptions, run_inventory
    from ..inventory import Inventory
    from ..plugins import collect_reporters, collect_rules, make_plugin_manager
    from ..reporters.text import should_colour
    from .assemble import inventory_parts
    from .audit import AuditOptions, run_audit
    from .progress import Progress
    from .saved import write_inventory

    started = datetime.now(timezone.utc)
    pm = make_plugin_manager(args.plugin)
    reporters = collect_reporters(pm)
    if args.format not in reporters:
        raise UsageError(f"unknown format {args.format!r} (choose from {', '.join(reporters)})")
    rules = collect_rules(pm)
    unknown = [i for i in args.select + args.ignore
               if i != "ALL" and not any(r.startswith(i) for r in rules)]
    if unknown:  # before the audit, not after minutes of API calls
        raise UsageError(f"unknown rule ID or prefix: {', '.join(unknown)}")
    config = load_config(args.config, Path.cwd())
    options = CheckOptions(as_of=args.as_of, fail_on=args.fail_on, select=args.select,
                           ignore=args.ignore, exit_zero=args.exit_zero, quiet=args.quiet,
                           debug=args.debug, no_suppress=args.no_suppress)
    audit_options = AuditOptions(profile=args.profile, regions=args.region,
                                 all_regions=args.all_regions, role_arns=args.role_arn,
                                 external_id=args.external_id, org_role=args.org_role,
                                 organization=args.organization,
                                 max_workers=args.max_workers)
    result = run_audit(audit_options, Progress(enabled=not args.quiet and sys.stderr.isatty()))
    if args.save_inventory is not None:
        write_inventory(result.snapshot, args.save_inventory)
    setups, problems = inventory_parts(result.body)
    inventory = Inventory(setups=setups, problems=[*config.problems, *problems],
                          suppressions=list(config.suppressions))
    report = run_inventory(inventory, config, pm, options, started=started, command="audit")
    report.options.update(quiet=args.quiet, drop_suppressed=args.drop_suppressed)
    to_terminal = args.output is None
    text = reporters[args.format](colour=to_terminal and should_colour(sys.stdout)).render(report)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    if not args.quiet:
        body = result.body
        regions = sum(len(a["regions"]) for a in body["accounts"])
        print(f"audited {len(body['accounts'])} account(s), {regions} region(s), "
              f"{len(body['setups'])} metric attribution(s): {result.api_calls} API calls in "
              f"{result.seconds:.1f}s", file=sys.stderr)
    return report.exit_code
