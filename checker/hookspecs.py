# mypy: disable-error-code="empty-body"
"""Hook specifications for personalize-lint plugins.

A plugin is a module or object with functions marked ``@hookimpl`` whose names match the
specs below. Plugins are found through the ``personalize_lint`` entry-point group (set
``PERSONALIZE_LINT_DISABLE_PLUGIN_AUTOLOAD=1`` to skip that) or named with ``--plugin
MODULE``. The built-in rules, loaders and reporters register through the very same hooks.

Example plugin (``my_rules.py``)::

    from personalize_lint import hookimpl, rule, Finding

    @rule(id="XPL001", level="warning", title="...", why="...", fix="...")
    def check(inventory, ctx):
        for setup in inventory.setups:
            ...
            yield Finding("XPL001", "message", setup.location)

    @hookimpl
    def personalize_lint_register_rules():
        return [check]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .config import Config
    from .findings import Finding
    from .inventory import Inventory
    from .loaders.base import LoadContext, LoadResult
    from .reporters.base import Reporter
    from .rule import Rule, RuleContext

PROJECT_NAME = "personalize_lint"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def personalize_lint_register_rules() -> Sequence[Rule]:
    """Return the rules this plugin provides, each with its metadata and check function.

    Called once per run. Rule IDs must be unique across all plugins; a plugin should use
    its own prefix (the built-ins own ``PL``). The engine runs ``rule.check(inventory,
    ctx)`` for every selected rule and assigns each finding its configured level.
    """


@hookspec
def personalize_lint_check_inventory(inventory: Inventory, ctx: RuleContext) -> Iterable[Finding]:
    """Check the whole inventory in one go and return findings.

    For plugins that prefer one pass over many rules. Every finding's ``rule_id`` must be
    a rule registered through :func:`personalize_lint_register_rules`; the usual select,
    ignore and level settings apply to it.
    """


@hookspec(firstresult=True)
def personalize_lint_load_file(path: Path, kind: str | None, ctx: LoadContext) -> LoadResult | None:
    """Load one input file into documents, or return None to let the next loader try.

    ``kind`` is the kind the configuration forces (or None: detect it by content).
    The first loader to return a result wins; register with ``tryfirst=True`` to take a
    file before the built-in JSON/YAML/CSV loader. Parse and shape problems go into the
    result's ``problems`` as PL001/PL002 findings, never raised.
    """


@hookspec
def personalize_lint_extend_inventory(
    inventory: Inventory, config: Config, ctx: LoadContext
) -> None:
    """Derive more of the inventory from what was loaded, before any rule runs.

    Called once per run after the configured set-ups and the named files are loaded. This
    is where set-ups come from documents that describe whole set-ups on their own: a
    CloudFormation template (kind "cloudformation") or a saved account inventory (kind
    "inventory"). Implementations append to ``inventory.setups``, ``inventory.problems``
    (PL001-PL004 findings) and ``inventory.suppressions``; they must not remove anything.
    """


@hookspec
def personalize_lint_register_reporters() -> dict[str, type[Reporter]]:
    """Return the output formats this plugin adds, keyed by their ``--format`` name.

    Each value is a :class:`~personalize_lint.reporters.base.Reporter` subclass; the CLI
    instantiates it with ``colour=`` (True only for text on a terminal) and writes what
    ``render(report)`` returns. When two plugins claim one name, the built-in (registered
    first) wins.
    """
