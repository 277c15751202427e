"""Plugins through pluggy: rules, whole-inventory checks, loaders and output formats, found
by --plugin (entry points are covered by the wheel test in test_packaging.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pluggy
import pytest

from helpers import write
from personalize_lint import hookspecs
from personalize_lint.cli import main
from personalize_lint.errors import UsageError
from personalize_lint.plugins import (
    BUILTIN_PLUGINS,
    autoload_disabled,
    collect_reporters,
    collect_rules,
    make_plugin_manager,
)

PLUGIN = '''
from pathlib import Path

from personalize_lint import Finding, Location, hookimpl, rule
from personalize_lint.document import Document
from personalize_lint.loaders.base import LoadResult
from personalize_lint.reporters.base import Reporter


@rule(id="XPL100", level="warning", title="Policy has an Id", why="w", fix="f")
def has_id(inventory, ctx):
    for doc in inventory.documents:
        if doc.kind == "policy" and "Id" in doc.data:
            yield Finding("XPL100", "policy has an Id", doc.location("/Id"))


@rule(id="XPL200", level="error", title="Whole-inventory check", why="w", fix="f")
def _registered_only(inventory, ctx):
    return ()


@hookimpl
def personalize_lint_register_rules():
    return [has_id, _registered_only]


@hookimpl
def personalize_lint_check_inventory(inventory, ctx):
    return [Finding("XPL200", f"{len(inventory.documents)} documents", Location(path="x"))]


@hookimpl(tryfirst=True)
def personalize_lint_load_file(path, kind, ctx):
    if not path.name.endswith(".pol"):
        return None
    return LoadResult(documents=[Document(ctx.display_path(path), "policy",
                                          {"Id": "from-pol", "Statement": []})])


class CountReporter(Reporter):
    name = "count"

    def render(self, report):
        return f"{len(report.active)}\\n"


@hookimpl
def personalize_lint_register_reporters():
    return {"count": CountReporter}
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    write(tmp_path / "plugin_src" / "xpl_plugin.py", PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path / "plugin_src"))
    monkeypatch.chdir(tmp_path)
    return "xpl_plugin"


def test_builtins_register_through_the_same_manager() -> None:
    pm = make_plugin_manager(autoload=False)
    for name in BUILTIN_PLUGINS:
        assert pm.has_plugin(name)
    assert {"PL001", "PL002", "PL003", "PL004"} <= set(collect_rules(pm))
    assert {"text", "json", "sarif", "github"} <= set(collect_reporters(pm))


def test_hookspecs_are_documented() -> None:
    for name in ("personalize_lint_register_rules", "personalize_lint_check_inventory",
                 "personalize_lint_load_file", "personalize_lint_register_reporters"):
        doc = getattr(hookspecs, name).__doc__
        assert doc and len(doc.split()) > 15, name


def test_load_file_is_first_result_wins() -> None:
    opts = hookspecs.personalize_lint_load_file.personalize_lint_spec  # type: ignore[attr-defined]
    assert opts["firstresult"] is True


def test_plugin_rules_are_listed(plugin: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--plugin", plugin]) == 0
    out = capsys.readouterr().out
    assert "XPL100" in out and "XPL200" in out and "PL001" in out


def test_plugin_rule_check_loader_and_format_all_run(
    plugin: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.pol", "not json at all")
    write(tmp_path / "b.json", '{"Id": "x", "Statement": [{"Effect": "Allow", '
                               '"Action": "s3:GetObject", "Resource": "*"}]}')
    code = main(["check", "a.pol", "b.json", "--plugin", plugin, "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    got = {(f["rule_id"], f["path"]) for f in findings}
    # The plugin's loader took a.pol before the built-in one could call it garbage.
    assert ("XPL100", "a.pol") in got and ("XPL100", "b.json") in got
    assert ("XPL200", "x") in got
    assert not any(r == "PL001" for r, _ in got)
    assert code == 1  # XPL200 is an error
    assert main(["check", "b.json", "--plugin", plugin, "--format", "count",
                 "--ignore", "XPL2"]) == 0
    assert capsys.readouterr().out == "1\n"


def test_plugin_rules_obey_select_ignore_and_levels(
    plugin: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "b.json", '{"Id": "x", "Statement": [{"Effect": "Allow", '
                               '"Action": "s3:GetObject", "Resource": "*"}]}')
    write(tmp_path / "personalize-lint.toml", '[rules.levels]\nXPL200 = "note"\n')
    assert main(["check", "b.json", "--plugin", plugin]) == 0
    capsys.readouterr()
    assert main(["check", "b.json", "--plugin", plugin, "--fail-on", "note",
                 "--ignore", "XPL"]) == 0


def test_duplicate_rule_ids_are_a_usage_error() -> None:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    from personalize_lint import rule as rule_decorator

    def make() -> object:
        @rule_decorator(id="DUP1", level="note", title="t", why="w", fix="f")
        def check(inventory: object, ctx: object) -> list[object]:
            return []

        return check

    class A:
        @hookspecs.hookimpl
        def personalize_lint_register_rules(self) -> list[object]:
            return [make()]

    class B(A):
        pass

    pm.register(A())
    pm.register(B())
    with pytest.raises(UsageError, match="registered twice"):
        collect_rules(pm)


def test_a_plugin_rule_with_an_unknown_level_is_a_usage_error() -> None:
    """Not an internal error (KeyError) in whichever report ranks the levels first."""
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    from personalize_lint.rule import Rule

    class Odd:
        @hookspecs.hookimpl
        def personalize_lint_register_rules(self) -> list[object]:
            level: Any = "critical"
            return [Rule(id="ODD1", level=level, title="t", why="w", fix="f")]

    pm.register(Odd())
    with pytest.raises(UsageError, match=r"rule ODD1 .* has level 'critical'; a level is one "
                                         r"of error, warning, note"):
        collect_rules(pm)


@pytest.mark.parametrize(("value", "disabled"), [("", False), ("0", False), ("1", True),
                                                 ("true", True), ("no", False)])
def test_autoload_environment_variable(monkeypatch: pytest.MonkeyPatch, value: str,
                                       disabled: bool) -> None:
    monkeypatch.setenv("PERSONALIZE_LINT_DISABLE_PLUGIN_AUTOLOAD", value)
    assert autoload_disabled() is disabled


def test_a_crashing_plugin_rule_is_reported_not_evaluated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "src" / "crashy.py", '''
from personalize_lint import hookimpl, rule

@rule(id="CR1", level="error", title="t", why="w", fix="f")
def boom(inventory, ctx):
    raise RuntimeError("kaput")
    yield

@hookimpl
def personalize_lint_register_rules():
    return [boom]
''')
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "p.json", '{"Statement": []}')
    main(["check", "p.json", "--plugin", "crashy", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    crash = [f for f in findings if f["rule_id"] == "PL003"]
    assert crash and "CR1 could not be evaluated" in crash[0]["message"]
    assert "kaput" in crash[0]["message"]
    with pytest.raises(RuntimeError):
        main(["check", "p.json", "--plugin", "crashy", "--debug"])


def test_entry_point_prescan_finds_declared_groups(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from personalize_lint.plugins import _may_have_entry_points

    site = tmp_path / "site"
    write(site / "other-1.0.dist-info" / "entry_points.txt", "[console_scripts]\nx = y:z\n")
    monkeypatch.setattr("sys.path", [str(site)])
    assert _may_have_entry_points("personalize_lint") is False
    write(site / "acme-1.0.dist-info" / "entry_points.txt", "[personalize_lint]\nacme = acme\n")
    assert _may_have_entry_points("personalize_lint") is True
    # A zip on sys.path cannot be listed cheaply: the full scan must decide.
    write(tmp_path / "plugins.zip", "")
    monkeypatch.setattr("sys.path", [str(site / "missing"), str(tmp_path / "plugins.zip")])
    assert _may_have_entry_points("personalize_lint") is True
