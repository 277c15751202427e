"""Built-in rules of personalize-lint, registered through the same hook as any plugin.

Every ``Rule`` object defined at module level in a module of this package is registered.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence

from personalize_lint.hookspecs import hookimpl
from personalize_lint.rule import Rule


def builtin_rules() -> list[Rule]:
    found: list[Rule] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(v for v in vars(module).values() if isinstance(v, Rule))
    return found


@hookimpl
def personalize_lint_register_rules() -> Sequence[Rule]:
    return builtin_rules()
