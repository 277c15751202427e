"""The built-in plugin that reads Terraform plans into set-ups.

Registered like any plugin and imported on every run, so it stays cheap: the plan reader
and linker are imported only when a run has a plan (a document of kind
``terraform-plan``, or a ``[[setup]]`` that names one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..config import Config
    from ..inventory import Inventory
    from ..loaders.base import LoadContext


# After the CloudFormation plugin: a [[setup]] may name a template holding its metric
# attribution beside the plan holding the resources (see extend.py).
@hookimpl(trylast=True)
def personalize_lint_extend_inventory(
    inventory: Inventory, config: Config, ctx: LoadContext
) -> None:
    """Set-ups from plans (discovered, or named in a ``[[setup]]``), their unused policies
    and schemas as standalone documents, and PL001/PL002 for what is not a readable plan."""
    if not _plans_in(inventory, config):
        return  # a run without plans does not pay for importing the plan reader
    from .extend import extend_inventory

    extend_inventory(inventory, config, ctx)


def _plans_in(inventory: Inventory, config: Config) -> bool:
    return any("terraform-plan" in s.values for s in config.setups) or any(
        d.kind == "terraform-plan" for d in inventory.documents)
