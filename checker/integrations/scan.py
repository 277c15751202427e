"""One file through the engine for a tool that scans files one at a time (cfn-lint, checkov).

The run is ``personalize-lint check FILE``: the same loaders, set-ups, rules, configuration
(found by walking up from the file's folder, so the answer does not depend on where the
tool was started) and suppressions. Only the built-in rules run: their IDs are the ones the
tools' ID schemes are mapped from.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import load_config
from ..engine import CheckOptions, run_check
from ..errors import UsageError
from ..findings import Finding
from ..hookspecs import hookimpl
from ..inventory import Inventory, Setup
from ..location import Location
from ..plugins import collect_rules, make_plugin_manager
from ..rule import Rule, RuleContext

# checkov calls every check on every resource of a file: the file is scanned once and the
# answer kept while the tool moves through it (and a few files more).
_CACHE_SIZE = 8
_cache: OrderedDict[tuple[str, int, int, str], FileScan] = OrderedDict()


@dataclass
class FileScan:
    """What the engine said about one file.

    ``findings`` are the active ones (neither suppressed nor baselined), each with its
    level; ``suppressed`` the hidden ones. Findings may point into other files (another file
    of a configured set-up, the configuration) or nowhere: see :meth:`in_file`.
    """

    path: Path  # resolved
    root: Path  # finding paths are relative to it (the configuration's folder), resolved
    rules: dict[str, Rule]
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    setups: list[Setup] = field(default_factory=list)
    _resolved: dict[str, bool] = field(default_factory=dict, repr=False)

    def in_file(self, location: Location) -> bool:
        """Whether ``location`` lies in the scanned file."""
        if location.path is None:
            return False
        hit = self._resolved.get(location.path)
        if hit is None:
            hit = self._resolved[location.path] = (
                (self.root / location.path).resolve() == self.path
            )
        return hit

    def title(self, finding: Finding) -> str:
        rule = self.rules.get(finding.rule_id)
        return rule.title if rule else finding.rule_id

    def headline(self, finding: Finding) -> str:
        """The finding as one line that keeps our rule ID and title, and names the place
        when it is not in the scanned file."""
        text = f"{finding.rule_id} {self.title(finding)}: {finding.message}"
        if not self.in_file(finding.location):
            where = finding.location.describe()
            if where != "<config>":
                text += f" (at {where})"
        return text


class _InventoryCapture:
    """A plugin that keeps the run's inventory (its set-ups say which resource is whose)."""

    def __init__(self) -> None:
        self.inventory: Inventory | None = None

    @hookimpl
    def personalize_lint_check_inventory(
        self, inventory: Inventory, ctx: RuleContext
    ) -> Iterable[Finding]:
        self.inventory = inventory
        return ()


def scan_file(path: Path, *, config_from: Path | None = None) -> FileScan:
    """The engine's findings for ``path``; the configuration is looked up from
    ``config_from`` (default: the file's folder). Repeated calls for an unchanged file
    reuse the answer."""
    resolved = path.resolve()
    start = (config_from or resolved.parent).resolve()
    try:
        stat = resolved.stat()
    except OSError:
        return _scan(resolved, start)  # the engine reports the unreadable file
    key = (str(resolved), stat.st_mtime_ns, stat.st_size, str(start))
    hit = _cache.get(key)
    if hit is None:
        hit = _cache[key] = _scan(resolved, start)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return hit


def _scan(path: Path, start: Path) -> FileScan:
    pm = make_plugin_manager(autoload=False)
    rules = collect_rules(pm)
    capture = _InventoryCapture()
    pm.register(capture, name="personalize_lint.integrations.capture")
    try:
        config = load_config(None, start)
    except UsageError as exc:
        # The command line exits 2 here; a tool's run goes on, so it is a finding.
        return FileScan(path, start, rules, [_finding(rules, "PL004", str(exc))])
    scan = FileScan(path, config.root.resolve(), rules)
    try:
        report = run_check(config, pm, CheckOptions(paths=[path], quiet=True))
    except Exception as exc:  # an internal error must never read as a clean file
        scan.findings.append(_finding(
            rules, "PL003", f"personalize-lint could not evaluate {path.name}: "
            f"{type(exc).__name__}: {exc}", Location(path=str(path))))
        return scan
    for finding in report.findings:
        (scan.findings if finding.suppression is None else scan.suppressed).append(finding)
    if capture.inventory is not None:
        scan.setups = list(capture.inventory.setups)
    return scan


def _finding(
    rules: dict[str, Rule], rule_id: str, message: str, location: Location | None = None
) -> Finding:
    return Finding(rule_id, message, location or Location(), level=rules[rule_id].level)
