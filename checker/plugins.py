"""The plugin manager: built-ins, entry-point plugins and ``--plugin`` modules."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import pluggy

from . import hookspecs
from .errors import UsageError
from .findings import LEVELS
from .hookspecs import PROJECT_NAME
from .reporters.base import Reporter
from .rule import Rule

# As pytest's PYTEST_DISABLE_PLUGIN_AUTOLOAD: skip third-party entry points.
DISABLE_AUTOLOAD_ENV = "PERSONALIZE_LINT_DISABLE_PLUGIN_AUTOLOAD"
ENTRY_POINT_GROUP = "personalize_lint"

# Built-in plugin modules, registered exactly like third-party ones.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "personalize_lint.loaders.builtin",
    "personalize_lint.reporters.builtin",
    "personalize_lint.rules",
    "personalize_lint.cloudformation.plugin",
    "personalize_lint.terraform.plugin",
    "personalize_lint.collectors.saved",
)


def autoload_disabled() -> bool:
    return os.environ.get(DISABLE_AUTOLOAD_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _may_have_entry_points(group: str) -> bool:
    """Whether any installed distribution declares ``group`` entry points.

    importlib.metadata costs tens of milliseconds to import and scan, a large share of a
    pre-commit run on one file; reading the few entry_points.txt files on sys.path is much
    cheaper. Anything unusual (zip imports, unreadable folders) answers True, so the full
    scan decides and no plugin is ever missed.
    """
    marker = f"[{group}]"
    for entry in sys.path:
        folder = Path(entry or ".")
        if not folder.is_dir():
            if folder.exists():
                return True  # a zip or egg on sys.path: let importlib.metadata look
            continue
        try:
            names = os.listdir(folder)
        except OSError:
            return True
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    text = (folder / name / "entry_points.txt").read_text(encoding="utf-8")
                except FileNotFoundError:
                    continue
                except (OSError, UnicodeDecodeError):
                    return True
                if marker in text:
                    return True
    return False


def make_plugin_manager(
    extra_plugins: Iterable[str] = (), *, autoload: bool | None = None
) -> pluggy.PluginManager:
    """Build the manager: built-ins first, then entry points, then ``--plugin`` modules."""
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if autoload is None:
        autoload = not autoload_disabled()
    if autoload and _may_have_entry_points(ENTRY_POINT_GROUP):
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for module_name in extra_plugins:
        if pm.has_plugin(module_name):
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise UsageError(f"cannot import plugin module {module_name!r}: {exc}") from exc
        pm.register(module, name=module_name)
    return pm


def collect_rules(pm: pluggy.PluginManager) -> dict[str, Rule]:
    """All registered rules by ID; a duplicate ID is a plugin error."""
    rules: dict[str, Rule] = {}
    for batch in pm.hook.personalize_lint_register_rules():
        for item in batch:
            if not isinstance(item, Rule):
                raise UsageError(f"a plugin registered {item!r}, which is not a Rule")
            if item.level not in LEVELS:  # every report ranks, counts and colours by level
                raise UsageError(f"rule {item.id} ({item.plugin}) has level {item.level!r}; "
                                 f"a level is one of {', '.join(LEVELS)}")
            if item.id in rules and rules[item.id] is not item:
                first = rules[item.id].plugin
                raise UsageError(f"rule {item.id} is registered twice ({first} and {item.plugin})")
            rules[item.id] = item
    return dict(sorted(rules.items()))


def collect_reporters(pm: pluggy.PluginManager) -> dict[str, type[Reporter]]:
    reporters: dict[str, type[Reporter]] = {}
    # pluggy calls the most recently registered plugin first; let built-ins win ties.
    for batch in reversed(pm.hook.personalize_lint_register_reporters()):
        for name, reporter in batch.items():
            reporters.setdefault(name, reporter)
    return reporters
