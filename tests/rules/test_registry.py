"""The built-in rule registry: every rule registered from the catalogue, each rule module
imported only when the inputs of a run need it, and never a check lost to that."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from helpers import EXAMPLES
from personalize_lint import rules as registry
from personalize_lint.config import load_config
from personalize_lint.document import Document
from personalize_lint.engine import CheckOptions, run_check
from personalize_lint.hookspecs import hookimpl
from personalize_lint.inventory import Inventory, Setup
from personalize_lint.location import Location
from personalize_lint.plugins import collect_rules, make_plugin_manager
from personalize_lint.rule import Rule, RuleContext

AS_OF = "2026-11-30T00:00:00Z"


def test_the_catalogue_is_what_the_rule_modules_say() -> None:
    on_disk = json.loads(registry.CATALOGUE.read_text("utf-8"))
    assert on_disk == registry.catalogue_of(registry.builtin_rules()), (
        "rules/data/catalogue.json is stale: run python scripts/refresh_rule_catalogue.py")


def test_every_rule_module_says_what_it_reads() -> None:
    assert sorted(registry.STANDALONE_KINDS) == registry.rule_modules()


def test_registered_rules_are_the_module_rules_with_a_lazy_check() -> None:
    registered = collect_rules(make_plugin_manager(autoload=False))
    defined = {r.id: r for r in registry.builtin_rules()}
    assert list(registered) == sorted(defined)
    for rule_id, rule in registered.items():
        assert rule == defined[rule_id]  # every field but the check
        assert rule.plugin == defined[rule_id].plugin
        assert isinstance(rule.check, registry.LazyCheck)
        assert rule.check.load() is defined[rule_id]


def _ctx() -> RuleContext:
    from datetime import datetime, timezone

    return RuleContext(as_of=datetime(2026, 11, 30, tzinfo=timezone.utc))


@pytest.mark.parametrize(
    ("kinds", "documents", "setups", "applies"),
    [
        (None, [], 0, True),  # the input rules: every run
        (("policy",), [], 0, False),
        (("policy",), ["schema"], 0, False),
        (("policy",), ["schema", "policy"], 0, True),
        (("interactions", "putevents"), ["putevents"], 0, True),
        (("schema",), [], 1, True),  # a set-up can hold anything
    ],
)
def test_a_lazy_check_runs_when_the_inventory_holds_what_it_reads(
    kinds: tuple[str, ...] | None, documents: list[str], setups: int, applies: bool
) -> None:
    docs = [Document(f"{k}.json", k, {}) for k in documents]
    inventory = Inventory(setups=[Setup(f"s{i}", Location()) for i in range(setups)],
                          documents=docs, standalone=docs)
    check = registry.LazyCheck("personalize_lint.rules.schema", "pl502_required_fields",
                               None if kinds is None else frozenset(kinds))
    with inventory.rule_pass():
        assert check.applies(inventory) is applies
    if not applies:
        assert list(check(inventory, _ctx())) == []


class Eager:
    """The built-in rules as their modules define them, every check imported and run, and
    the inventory each run checked."""

    def __init__(self) -> None:
        self.inventories: list[Inventory] = []

    @hookimpl
    def personalize_lint_register_rules(self) -> Sequence[Rule]:
        return registry.builtin_rules()

    @hookimpl
    def personalize_lint_check_inventory(self, inventory: Inventory, ctx: RuleContext) -> None:
        self.inventories.append(inventory)


def _skipped_findings(paths: list[Path], cwd: Path) -> list[tuple[str, str]]:
    """Run every rule eagerly; return the findings a lazy run would not have made: those
    of rules whose module's entry says the run's inventory holds nothing it reads."""
    pm = make_plugin_manager(autoload=False)
    pm.unregister(name="personalize_lint.rules")
    eager = Eager()
    pm.register(eager, name="eager rules")
    config = load_config(None, cwd)
    report = run_check(config, pm, CheckOptions(paths=paths, as_of=config.as_of or _ctx().as_of,
                                                quiet=True))
    (inventory,) = eager.inventories
    lone = {d.kind for d in inventory.standalone}
    skipped = []
    for finding in report.findings:
        module = report.rules[finding.rule_id].plugin.rpartition(".")[2]
        kinds = registry.STANDALONE_KINDS[module]
        if not (kinds is None or inventory.setups or lone & set(kinds)):
            skipped.append((finding.rule_id, finding.message))
    return skipped


def test_lazy_rules_lose_no_finding_on_any_corpus_file(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File by file, as pre-commit passes them: a lone file is where modules are skipped."""
    monkeypatch.chdir(corpus_dir)
    files = sorted(p.relative_to(corpus_dir) for p in corpus_dir.rglob("*") if p.is_file())
    assert len(files) > 100
    for path in files:
        assert _skipped_findings([path], corpus_dir) == [], path


@pytest.mark.parametrize("example", ["broken", "compliant"])
def test_lazy_rules_lose_no_finding_in_the_examples(
    example: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = EXAMPLES / example
    monkeypatch.chdir(root)
    files = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    for paths in ([], *([f] for f in files)):  # the configured set-ups, then each file
        assert _skipped_findings(paths, root) == [], paths


def test_the_check_would_see_a_module_missing_a_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "schema.json").write_text(json.dumps({
        "type": "record", "name": "Interactions", "fields": [{"name": "X", "type": "string"}]}))
    monkeypatch.chdir(tmp_path)
    assert [f for f, _ in _skipped_findings([Path("schema.json")], tmp_path)] == []
    monkeypatch.setitem(registry.STANDALONE_KINDS, "schema", ("policy",))
    assert "PL502" in [f for f, _ in _skipped_findings([Path("schema.json")], tmp_path)]


def test_lazy_and_eager_runs_report_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same findings, levels and places both ways, where every module is needed."""
    root = EXAMPLES / "broken"
    monkeypatch.chdir(root)
    lazy = run_check(load_config(None, root), make_plugin_manager(autoload=False),
                     CheckOptions(as_of=_ctx().as_of, quiet=True))
    pm = make_plugin_manager(autoload=False)
    pm.unregister(name="personalize_lint.rules")
    pm.register(Eager(), name="eager rules")
    eager = run_check(load_config(None, root), pm, CheckOptions(as_of=_ctx().as_of, quiet=True))
    assert len(lazy.findings) > 10
    assert [(f.rule_id, f.level, f.location, f.message) for f in lazy.findings] == [
        (f.rule_id, f.level, f.location, f.message) for f in eager.findings]


RULE_MODULES = "personalize_lint.rules."


def _imported_by(args: list[str], cwd: Path) -> list[str]:
    code = ("import sys; from personalize_lint.cli import main; main(sys.argv[1:]); "
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return done.stderr.split()


def test_checking_one_policy_imports_only_the_policy_rules(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text(json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}))
    modules = _imported_by(["check", "policy.json"], tmp_path)
    rule_modules = sorted(m[len(RULE_MODULES):] for m in modules if m.startswith(RULE_MODULES))
    assert rule_modules == ["_iam_common", "bucket", "inputs", "kms", "role"]
    # ... and so none of what the others import (more in tests/test_startup.py).
    assert not [m for m in modules if m.startswith(("personalize_lint.personalize",
                                                    "personalize_lint.data.result"))]


def test_listing_and_explaining_rules_imports_no_rule_module(tmp_path: Path) -> None:
    for args in (["rules"], ["rules", "--format", "json"], ["explain", "PL608"]):
        modules = _imported_by(args, tmp_path)
        assert not [m for m in modules if m.startswith(RULE_MODULES)], args


@pytest.mark.parametrize("change", ["a changed title", "a rule added", "a rule removed"])
def test_a_stale_catalogue_fails_loudly_when_the_module_is_loaded(
    change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = [dict(e) for e in registry._catalogue()]
    schema_rules = [e for e in entries if e["module"].endswith(".schema")]
    if change == "a changed title":
        schema_rules[0]["title"] = "Old title"
    elif change == "a rule added":
        entries.append({**schema_rules[0], "id": "PL599", "check": "pl599"})
    else:
        entries.remove(schema_rules[-1])
    monkeypatch.setattr(registry, "_catalogue", lambda: entries)
    registry._checked_module.cache_clear()
    try:
        (tmp_path / "schema.json").write_text(json.dumps(
            {"type": "record", "name": "Interactions", "fields": []}))
        monkeypatch.chdir(tmp_path)
        report = run_check(load_config(None, tmp_path), make_plugin_manager(autoload=False),
                           CheckOptions(paths=[Path("schema.json")], quiet=True))
        crashes = [f.message for f in report.findings if f.rule_id == "PL003"]
        assert crashes and all("run scripts/refresh_rule_catalogue.py" in m for m in crashes)
    finally:
        registry._checked_module.cache_clear()
