"""The built-in plugin that reads CloudFormation templates into set-ups.

Registered like any plugin; importing it stays cheap (the work is imported on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..config import Config
    from ..inventory import Inventory
    from ..loaders.base import LoadContext


@hookimpl
def personalize_lint_extend_inventory(
    inventory: Inventory, config: Config, ctx: LoadContext
) -> None:
    """Set-ups from templates (discovered, or named in a ``[[setup]]``), their unused
    policies and schemas as standalone documents, and their metadata suppressions."""
    if not _templates_in(inventory, config):
        return  # a run without templates does not pay for importing the linker
    from .extend import extend_inventory

    extend_inventory(inventory, config, ctx)


def _templates_in(inventory: Inventory, config: Config) -> bool:
    if any("template" in s.values for s in config.setups):
        return True
    if any(d.kind == "cloudformation" for d in inventory.documents):
        return True
    unknown = [d for d in inventory.documents if d.kind == "unknown"]
    if not unknown:
        return False
    from .template import is_fragment  # a template fragment is "unknown" to the loader

    return any(is_fragment(d.data) for d in unknown)
