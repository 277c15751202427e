"""One run: pick files and set-ups, load them, fill the inventory, run the rules."""

from __future__ import annotations

import gc
import os
import stat
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pluggy

from . import __version__
from .config import Config, config_problem
from .document import Document
from .errors import UsageError
from .files import expand_paths, glob_match
from .findings import LEVEL_RANK, LEVELS, Finding, Suppression
from .inventory import Inventory, SuppressionSpec
from .loaders.base import LoadContext, LoadResult
from .location import Location
from .plugins import collect_rules
from .reporters.base import Report
from .rule import Rule, RuleContext
from .setups import SetupFiles, add_setups, resolve_setup_files


@dataclass
class CheckOptions:
    paths: list[Path] = field(default_factory=list)
    as_of: datetime | None = None
    fail_on: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exit_zero: bool = False
    quiet: bool = False
    debug: bool = False
    no_suppress: bool = False
    baseline: Path | None = None


class Loader:
    """Loads each file once through the plugin hook, with the kind the config forces."""

    def __init__(self, pm: pluggy.PluginManager, config: Config, inventory: Inventory) -> None:
        self.pm = pm
        self.config = config
        self.inventory = inventory
        self.ctx = LoadContext(root=config.root, limits=config.limits)
        self._cache: dict[Path, list[Document]] = {}
        self._folders: dict[Path, Path] = {}

    def resolve(self, path: Path) -> Path:
        """``path.resolve()``, resolving each folder once per run: the real path of
        folder/name is (real folder)/name unless name is a symbolic link (or "..")."""
        name = path.name
        if name in ("", ".", ".."):
            return path.resolve()
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return path.resolve()
        except OSError:
            return path.resolve()
        parent = path.parent
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = parent.resolve()
        return folder / name

    def forced_kind(self, path: Path, resolved: Path | None = None) -> str | None:
        if not self.config.kinds:
            return None
        relative = self.ctx.display_path(path, resolved)
        for pattern, kind in self.config.kinds.items():
            if glob_match(pattern, relative):
                return kind
        return None

    def load(self, path: Path, kind: str | None = None) -> list[Document]:
        resolved = self.resolve(path)
        if resolved in self._cache:
            return self._cache[resolved]
        self.ctx.display_path(path, resolved)  # kept: the loader asks for it again
        forced = self.forced_kind(path, resolved) or kind
        if forced == "ignore":
            self._cache[resolved] = []
            return []
        result: LoadResult | None = self.pm.hook.personalize_lint_load_file(
            path=path, kind=forced, ctx=self.ctx
        )
        documents = result.documents if result else []
        if result:
            self.inventory.problems.extend(result.problems)
        self.inventory.documents.extend(documents)
        self._cache[resolved] = documents
        return documents


def rule_selected(rule_id: str, select: list[str], ignore: list[str]) -> bool:
    """Prefix matching as in ruff: ``PL1`` selects PL101-PL199."""
    if select and not any(rule_id.startswith(s) for s in select):
        return False
    return not any(rule_id.startswith(i) for i in ignore)


def _known_ids(rules: dict[str, Rule], ids: list[str]) -> list[str]:
    return [i for i in ids if i != "ALL" and not any(r.startswith(i) for r in rules)]


# Young collections while a run loads: the documents it loads live to its end, and with the
# default threshold (700) the collector traced the growing heap over and over (a fifth of a
# 5,000-file run). Raised for the run, as a floor; the previous thresholds come back after.
RUN_GC_THRESHOLD = 10_000


@contextmanager
def _fewer_collections(threshold: int = RUN_GC_THRESHOLD) -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(max(previous[0], threshold), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def run_check(config: Config, pm: pluggy.PluginManager, options: CheckOptions) -> Report:
    with _fewer_collections():
        return _run_check(config, pm, options)


def _run_check(config: Config, pm: pluggy.PluginManager, options: CheckOptions) -> Report:
    started = datetime.now(timezone.utc)
    rules = collect_rules(pm)
    inventory = Inventory(problems=list(config.problems), suppressions=list(config.suppressions))
    _check_rule_ids(config, rules, options, inventory)
    loader = Loader(pm, config, inventory)

    all_setup_files = [resolve_setup_files(config, s) for s in config.setups]
    if options.paths:
        files = expand_paths(options.paths)
        chosen, standalone_files = _assign(files, all_setup_files)
    else:
        chosen = all_setup_files
        standalone_files = [] if config.setups else expand_paths([Path.cwd()])
    add_setups(inventory, config, chosen, loader.load)
    set_up_docs = {id(d) for d in inventory.documents}
    for path in standalone_files:
        for doc in loader.load(path):
            if id(doc) not in set_up_docs and doc.kind != "unknown":
                inventory.standalone.append(doc)

    pm.hook.personalize_lint_extend_inventory(inventory=inventory, config=config, ctx=loader.ctx)
    return run_inventory(inventory, config, pm, options, rules=rules, started=started)


def run_inventory(
    inventory: Inventory,
    config: Config,
    pm: pluggy.PluginManager,
    options: CheckOptions,
    *,
    rules: dict[str, Rule] | None = None,
    started: datetime | None = None,
    command: str = "check",
) -> Report:
    """Run the selected rules over a filled inventory (from files or an account audit):
    levels, suppressions, sorting and the exit code, as one Report."""
    started = started or datetime.now(timezone.utc)
    if rules is None:
        rules = collect_rules(pm)
        _check_rule_ids(config, rules, options, inventory)
    as_of = options.as_of or config.as_of or started
    ctx = RuleContext(
        as_of=as_of, quiet=options.quiet, options={"root": config.root, "limits": config.limits}
    )
    select = options.select or config.select
    ignore = (
        options.ignore
        + config.ignore
        + [rid for rid, level in config.levels.items() if level == "off"]
    )
    findings = _run_rules(rules, inventory, ctx, pm, select, ignore, options.debug)
    for finding in findings:
        # A configured level wins; else the level the rule gave this finding (a rule may
        # report a milder case below its default), else the rule's default.
        configured = config.levels.get(finding.rule_id)
        if configured in LEVELS:
            finding.level = configured
        elif finding.level is None:
            finding.level = rules[finding.rule_id].level
    notes: list[str] = []
    if not options.no_suppress:
        apply_suppressions(findings, inventory.suppressions)
        if options.baseline is not None:
            from .baseline import apply_baseline, read_baseline

            # Sorted first, so that "the first n of a key" is stable from run to run.
            findings.sort(key=Finding.sort_key)
            recorded = read_baseline(options.baseline)
            stale = apply_baseline(findings, recorded, options.baseline.name)
            notes.extend(s.describe() for s in stale)
    findings.sort(key=Finding.sort_key)

    fail_on = options.fail_on or config.fail_on
    report = Report(
        findings=findings,
        rules=rules,
        root=config.root,
        tool_version=__version__,
        started=started,
        fail_on=fail_on,
        files_checked=_count_files(inventory),
        setups_checked=len(inventory.setups),
        command=command,
        notes=notes,
        inventory=inventory,
    )
    report.exit_code = 0 if options.exit_zero else exit_code(report.active, fail_on)
    return report


def apply_suppressions(findings: list[Finding], specs: list[SuppressionSpec]) -> None:
    """Mark each finding that a suppression covers; the first matching one gives the reason."""
    for finding in findings:
        for spec in specs:
            if suppresses(spec, finding):
                finding.suppression = Suppression(spec.kind, spec.reason)
                break


def suppresses(spec: SuppressionSpec, finding: Finding) -> bool:
    loc = finding.location
    if not finding.rule_id.startswith(spec.rule):
        return False
    if spec.path is not None and not (loc.path and glob_match(spec.path, loc.path)):
        return False
    if spec.logical_id is not None and spec.logical_id != loc.logical_id:
        return False
    if spec.arn is not None and spec.arn != loc.arn:
        return False
    if spec.pointer is not None:
        pointer = loc.pointer
        if not (pointer == spec.pointer or pointer.startswith(spec.pointer.rstrip("/") + "/")):
            return False
    return True


def _count_files(inventory: Inventory) -> int:
    paths = {d.path for d in inventory.documents}
    paths.update(f.location.path for f in inventory.problems if f.location.path)
    paths.update(
        ds.source.path or ds.location for s in inventory.setups for ds in s.interactions_data
    )
    return len(paths)


def exit_code(findings: list[Finding], fail_on: str) -> int:
    threshold = LEVEL_RANK[fail_on]
    return int(any(LEVEL_RANK[f.level or "error"] >= threshold for f in findings))


def _assign(files: list[Path], setups: list[SetupFiles]) -> tuple[list[SetupFiles], list[Path]]:
    """Files that belong to a set-up pull in the whole set-up; the rest stand alone."""
    chosen: list[SetupFiles] = []
    standalone: list[Path] = []
    members = [(s, s.all_files()) for s in setups]
    for path in files:
        owners = [s for s, owned in members if path.resolve() in owned]
        if not owners:
            standalone.append(path)
        for owner in owners:
            if owner not in chosen:
                chosen.append(owner)
    return chosen, standalone


def _check_rule_ids(
    config: Config, rules: dict[str, Rule], options: CheckOptions, inventory: Inventory
) -> None:
    """Unknown IDs on the command line are a usage error; in the config, PL004 findings."""
    unknown_cli = _known_ids(rules, options.select + options.ignore)
    if unknown_cli:
        raise UsageError(f"unknown rule ID or prefix: {', '.join(unknown_cli)}")
    _check_config_rule_ids(config, rules, inventory)


def _check_config_rule_ids(config: Config, rules: dict[str, Rule], inventory: Inventory) -> None:
    for key, ids in (
        ("ignore", config.ignore),
        ("select", config.select),
        ("levels", list(config.levels)),
    ):
        for unknown in _known_ids(rules, ids):
            inventory.problems.append(
                config_problem(config, f"unknown rule ID {unknown!r} in rules.{key}", unknown, None)
            )


def _run_rules(
    rules: dict[str, Rule],
    inventory: Inventory,
    ctx: RuleContext,
    pm: pluggy.PluginManager,
    select: list[str],
    ignore: list[str],
    debug: bool,
) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str, str, str, str]] = set()

    def accept(finding: Finding, origin: str) -> None:
        if finding.rule_id not in rules:
            finding = Finding(
                "PL003",
                f"{origin} reported an unregistered rule ID {finding.rule_id!r}: {finding.message}",
                finding.location,
            )
        if not rule_selected(finding.rule_id, select, ignore):
            return
        loc = finding.location
        key = (
            finding.rule_id,
            loc.path or loc.arn or "",
            loc.logical(),
            finding.setup or "",
            finding.message,
        )
        if key not in seen:  # a file shared by several set-ups is reported once
            seen.add(key)
            findings.append(finding)

    with inventory.rule_pass():
        for rule in rules.values():
            if rule.check is None or not rule_selected(rule.id, select, ignore):
                continue
            try:
                for finding in rule.check(inventory, ctx):
                    accept(finding, rule.id)
            except Exception as exc:
                if debug:
                    raise
                accept(_crash(rule.id, exc), rule.id)
        try:
            for batch in pm.hook.personalize_lint_check_inventory(inventory=inventory, ctx=ctx):
                for finding in batch or ():
                    accept(finding, "a plugin")
        except Exception as exc:
            if debug:
                raise
            accept(_crash("personalize_lint_check_inventory", exc), "a plugin")
    return findings


def _crash(origin: str, exc: Exception) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    return Finding(
        "PL003",
        f"{origin} could not be evaluated: internal error "
        f"{type(exc).__name__}: {exc}{where} (run with --debug for the traceback)",
        Location(),
    )
