"""Saved inventories: ``audit --save-inventory FILE`` writes one, ``check FILE`` replays it.

The file is the audit snapshot itself, ``{"personalizeLintInventory": {"version": 1, ...}}``,
described by ``schemas/inventory.schema.json``. The replay is a built-in plugin: the loader
recognises the document (kind "inventory") and this module's ``extend_inventory`` hook turns
it into set-ups through the same code the audit uses (:mod:`.assemble`), so every rule runs
offline and reports what the audit reported. This module is imported on every run: it must
stay cheap and never import boto3.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..findings import Finding
from ..hookspecs import hookimpl
from ..location import join_pointer

if TYPE_CHECKING:
    from ..config import Config
    from ..document import Document
    from ..inventory import Inventory
    from ..loaders.base import LoadContext

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "inventory.schema.json"


def write_inventory(snapshot: dict[str, Any], path: Path) -> None:
    try:
        path.write_text(json.dumps(snapshot, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema  # only when an inventory file is replayed

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def shape_problems(doc: Document) -> list[Finding]:
    """PL002 for each place the document breaks the inventory schema (or its version)."""
    from .assemble import ROOT, VERSION

    body = doc.data.get(ROOT) if isinstance(doc.data, dict) else None
    version = body.get("version") if isinstance(body, dict) else None
    if isinstance(body, dict) and version != VERSION:
        return [Finding("PL002", f"saved inventory version {version!r} is not supported (this "
                                 f"personalize-lint reads version {VERSION}); audit again to "
                                 "save a current one",
                        doc.location(join_pointer("", ROOT, "version")))]
    problems = []
    errors = sorted(_validator().iter_errors(doc.data), key=lambda e: [str(p) for p in e.path])
    for error in errors[:20]:
        pointer = join_pointer("", *error.path)
        problems.append(Finding("PL002", f"saved inventory does not match its schema at "
                                         f"{pointer or '/'}: {error.message}",
                                doc.location(pointer)))
    return problems


@hookimpl
def personalize_lint_extend_inventory(inventory: Inventory, config: Config,
                                      ctx: LoadContext) -> None:
    for doc in inventory.documents_of_kind("inventory"):
        from .assemble import ROOT, inventory_parts  # only when there is one to replay

        problems = shape_problems(doc)
        if problems:  # a broken file is not half-replayed: PL002 says where it breaks
            inventory.problems.extend(problems)
            continue
        setups, findings = inventory_parts(doc.data[ROOT])
        inventory.setups.extend(setups)
        inventory.problems.extend(findings)
