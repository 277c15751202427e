"""The command line: ``check``, ``audit``, ``rules`` and ``explain``.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error,
unreadable configuration or internal error (one line; the traceback only with --debug).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from . import __version__
from .arguments import as_of_time, rule_ids
from .config import FAIL_ON_VALUES, load_config
from .data.engine_choice import EngineChoice
from .data.engines import using
from .errors import UsageError
from .rule import Rule

PROG = "personalize-lint"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Lint Amazon Personalize metric-attribution set-ups: IAM, S3, KMS, "
        "schemas, requests and data.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="load a plugin module (repeatable)",
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")

    check = sub.add_parser(
        "check",
        parents=[common],
        help="check files and set-ups",
        description="Check files and the set-ups they belong to. With no "
        "PATHS, check every set-up in the configuration.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATHS",
        help="files or directories (walked recursively)",
    )
    check.add_argument(
        "--format",
        default="text",
        help="text, json, sarif, github, html, or a plugin's format (default: text)",
    )
    check.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="FILE",
        help="write the report to FILE instead of stdout",
    )
    check.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="configuration file (default: nearest personalize-lint.toml or "
        "pyproject.toml with [tool.personalize-lint])",
    )
    check.add_argument(
        "--as-of",
        type=as_of_time,
        metavar="TIME",
        help="the time the 14-day rule measures from (ISO 8601; default now)",
    )
    check.add_argument(
        "--fail-on",
        choices=FAIL_ON_VALUES,
        help="lowest level that makes the exit code 1 (default: error)",
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument(
        "--select",
        type=rule_ids,
        default=[],
        metavar="IDS",
        help="comma-separated rule IDs or prefixes to run (e.g. PL1,PL203)",
    )
    check.add_argument(
        "--ignore",
        type=rule_ids,
        default=[],
        metavar="IDS",
        help="comma-separated rule IDs or prefixes to skip",
    )
    check.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="hide the findings recorded in FILE; fail only on new ones",
    )
    check.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="record the current findings in FILE (then exit 0)",
    )
    check.add_argument(
        "--no-suppress",
        action="store_true",
        help="report suppressed findings as if they were not suppressed",
    )
    check.add_argument(
        "--drop-suppressed",
        action="store_true",
        help="leave suppressed findings out of SARIF (GitHub ignores SARIF suppressions)",
    )
    check.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no progress output; text format prints findings only",
    )

    _add_engine_options(check)

    rules = sub.add_parser("rules", parents=[common], help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = sub.add_parser("explain", parents=[common], help="explain one rule")
    explain.add_argument("rule_id", metavar="ID")

    from .collectors.cli import add_audit_parser  # boto3 is imported only when auditing

    add_audit_parser(sub, common)
    return parser


def _add_engine_options(check: argparse.ArgumentParser) -> None:
    """Where the interactions-data checks run (overrides ``[data]`` in the configuration)."""
    group = check.add_argument_group("interactions data engine")
    group.add_argument(
        "--engine",
        choices=("local", "dask"),
        help="run the data checks here (local, the default) or on a Dask cluster (dask; "
        "needs the 'dask' extra on every worker; per worker thread ~0.4 GB of memory, give "
        "it 1 GiB, and 24 bytes of local disk per row: README 'Large data')",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://host:8786 (implies --engine dask; without "
        "it a local cluster is started)",
    )
    group.add_argument(
        "--dask-workers",
        type=int,
        metavar="N",
        help="worker processes of the local Dask cluster (default: one per core; each "
        "gets [data] worker-memory, else a share of the machine's memory)",
    )


def _engine_choice(args: argparse.Namespace, configured: EngineChoice) -> EngineChoice:
    name = args.engine or ("dask" if args.scheduler else configured.name)
    choice = replace(configured, name=name)
    if args.scheduler:
        choice = replace(choice, scheduler=args.scheduler)
    if args.dask_workers is not None:
        if args.dask_workers < 1:
            raise UsageError("--dask-workers must be at least 1")
        choice = replace(choice, workers=args.dask_workers)
    return choice


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "audit":
            from .collectors.cli import run as run_audit

            return run_audit(args)
        if args.command == "rules":
            return _rules(args, sys.stdout)
        return _explain(args, sys.stdout)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} (run with --debug for the "
            "traceback)",
            file=sys.stderr,
        )
        return 2


def _check(args: argparse.Namespace) -> int:
    from .engine import CheckOptions, run_check
    from .plugins import collect_reporters, make_plugin_manager
    from .reporters.text import should_colour

    pm = make_plugin_manager(args.plugin)
    reporters = collect_reporters(pm)
    if args.format not in reporters:
        raise UsageError(f"unknown format {args.format!r} (choose from {', '.join(reporters)})")
    config = load_config(args.config, Path.cwd())
    options = CheckOptions(
        paths=args.paths,
        as_of=args.as_of,
        fail_on=args.fail_on,
        select=args.select,
        ignore=args.ignore,
        exit_zero=args.exit_zero,
        quiet=args.quiet,
        debug=args.debug,
        no_suppress=args.no_suppress,
        # A new baseline records everything, including what the old one hid.
        baseline=None if args.write_baseline else args.baseline,
    )
    with using(_engine_choice(args, config.data_engine)):
        report = run_check(config, pm, options)
    if args.write_baseline is not None:
        from .baseline import write_baseline

        count = write_baseline(report.findings, args.write_baseline)
        print(f"{PROG}: recorded {count} finding(s) in {args.write_baseline}", file=sys.stderr)
        return 0
    report.options["quiet"] = args.quiet
    report.options["drop_suppressed"] = args.drop_suppressed
    to_terminal = args.output is None
    reporter = reporters[args.format](colour=to_terminal and should_colour(sys.stdout))
    text = reporter.render(report)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    return report.exit_code


def _registered_rules(args: argparse.Namespace) -> dict[str, Rule]:
    from .plugins import collect_rules, make_plugin_manager

    return collect_rules(make_plugin_manager(args.plugin))


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    rules = _registered_rules(args)
    if args.format == "json":
        out.write(json.dumps([rule_as_dict(r) for r in rules.values()], indent=2) + "\n")
        return 0
    width = max((len(r) for r in rules), default=5)
    for rule in rules.values():
        out.write(f"{rule.id:<{width}}  {rule.level:<7}  {rule.title}\n")
    return 0


def rule_as_dict(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.id,
        "level": rule.level,
        "title": rule.title,
        "why": rule.why,
        "fix": rule.fix,
        "example": rule.example,
        "source": rule.source,
        "tags": list(rule.tags),
        "security_severity": rule.severity_score,
        "plugin": rule.plugin,
    }


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    rules = _registered_rules(args)
    rule = rules.get(args.rule_id.upper())
    if rule is None:
        raise UsageError(f"unknown rule {args.rule_id!r}; `{PROG} rules` lists them")
    out.write(f"{rule.id} ({rule.level}): {rule.title}\n\n")
    out.write(f"Why\n{_indent(rule.why)}\n\nHow to fix\n{_indent(rule.fix)}\n")
    if rule.example:
        out.write(f"\nExample\n{_indent(rule.example)}\n")
    if rule.source:
        out.write(f"\nSource: {rule.source}\n")
    if rule.tags:
        out.write(f"Tags: {', '.join(rule.tags)}\n")
    return 0


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in text.splitlines())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
