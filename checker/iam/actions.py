"""The IAM action catalogue: is ``cloudwatch:PutMetricsData`` a real action, and if not,
which real action is nearest (``cloudwatch:PutMetricData``)?

Sources, and why both:

* **policyuniverse** (a project dependency) ships the IAM Service Authorization Reference as
  ``data.json``: the names IAM actually authorises, including permission-only actions that
  have no API operation (``iam:PassRole``, ``s3:GetObjectVersion``, ``kms:ReEncryptFrom``).
  But its data is frozen at version 1.5.1.20231109 (November 2023). Measured against
  botocore 1.44.8 it lacks about 3,400 operations of the services it knows (for example
  ``personalize:CreateDataDeletionJob``, ``personalize:UpdateSolution``,
  ``kms:RotateKeyOnDemand``, ``cloudwatch:PutMetricDataQueryDefinition``) and about 195
  services (``s3tables``, ``bedrock-agentcore`` ...).
* **botocore** service models (``botocore/data/<service>/<version>/service-2.json``) are
  regenerated with every boto3 release, so they know new operations. But they name API
  operations, not IAM actions: S3 authorises ``CreateMultipartUpload`` as ``s3:PutObject``,
  and permission-only actions are missing. botocore is optional here (the ``aws`` extra).

So an action counts as *known* if either source knows it: a new action is never called
unknown (a false alarm is worse than a missed typo hint). Suggestions come from
policyuniverse first, then from botocore operations. A service prefix that neither source
knows gets no claim at all.

Nothing is read at import: policyuniverse's 8 MB file is parsed on the first question
(directly, without importing policyuniverse, whose import parses it and more), botocore
models one service at a time, each cached.
"""

from __future__ import annotations

import difflib
import gzip
import json
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

# IAM prefix -> botocore model folders, where the names differ or several models share one.
_BOTOCORE_ALIASES: dict[str, tuple[str, ...]] = {
    "personalize": ("personalize", "personalize-events", "personalize-runtime"),
    "elasticloadbalancing": ("elb", "elbv2"),
    "ses": ("ses", "sesv2"),
    "es": ("es", "opensearch"),
    "execute-api": ("apigatewaymanagementapi",),
    "apigateway": ("apigateway", "apigatewayv2"),
    "lex": ("lex-models", "lex-runtime", "lexv2-models", "lexv2-runtime"),
}
_CUTOFF = 0.8


def _package_dir(name: str) -> Path | None:
    spec = find_spec(name)  # does not import (or execute) the package
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _policyuniverse() -> dict[str, frozenset[str]]:
    """IAM prefix (lower-case) -> action names, from policyuniverse's data.json."""
    folder = _package_dir("policyuniverse")
    if folder is None or not (folder / "data.json").is_file():
        return {}
    data = json.loads((folder / "data.json").read_text("utf-8"))
    out: dict[str, set[str]] = {}
    for service in data.values():
        out.setdefault(service["prefix"].lower(), set()).update(service.get("actions", {}))
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _botocore_dir() -> Path | None:
    folder = _package_dir("botocore")
    return folder / "data" if folder and (folder / "data").is_dir() else None


@lru_cache(maxsize=256)
def _botocore_operations(prefix: str) -> frozenset[str]:
    root = _botocore_dir()
    if root is None:
        return frozenset()
    names: set[str] = set()
    for folder in _BOTOCORE_ALIASES.get(prefix, (prefix,)):
        versions = sorted((root / folder).glob("*/service-2.json*")) if (
            root / folder).is_dir() else []
        if not versions:
            continue
        path = versions[-1]  # API versions sort by date
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        names.update(json.loads(raw).get("operations", {}))
    return frozenset(names)


def actions_of(prefix: str) -> tuple[frozenset[str], frozenset[str]]:
    """(IAM reference names, botocore operation names) for a service prefix."""
    p = prefix.lower()
    return _policyuniverse().get(p, frozenset()), _botocore_operations(p)


def known_action(action: str) -> bool | None:
    """True/False for ``service:Name`` (case-insensitive); None when the service itself is
    unknown to both sources, or the entry holds wildcards."""
    prefix, sep, name = action.partition(":")
    if not sep or "*" in action or "?" in action:
        return None
    iam, ops = actions_of(prefix)
    if not iam and not ops:
        return None
    low = name.lower()
    return any(a.lower() == low for a in iam) or any(o.lower() == low for o in ops)


def _closest(word: str, candidates: frozenset[str]) -> str | None:
    by_lower = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=_CUTOFF)
    return by_lower[hits[0]] if hits else None


def suggest(action: str) -> str | None:
    """The nearest real action to an unknown one (same service, else a near service name)."""
    prefix, sep, name = action.partition(":")
    if not sep or (known_action(action) is not False and _known_prefix(prefix)):
        return None
    if not _known_prefix(prefix):
        near = _closest(prefix.lower(), frozenset(_policyuniverse()))
        if near is None:
            return None
        prefix = near
        if known_action(f"{prefix}:{name}"):
            return _proper(prefix, name)
    iam, ops = actions_of(prefix)
    hit = _closest(name, iam) or _closest(name, ops)
    return f"{prefix.lower()}:{hit}" if hit else None


def _known_prefix(prefix: str) -> bool:
    iam, ops = actions_of(prefix)
    return bool(iam or ops)


def _proper(prefix: str, name: str) -> str:
    iam, ops = actions_of(prefix)
    for candidate in (*iam, *ops):
        if candidate.lower() == name.lower():
            return f"{prefix.lower()}:{candidate}"
    return f"{prefix.lower()}:{name}"


def near_misses(entries: object, wanted: str) -> list[tuple[str, str]]:
    """Entries of an Action list that are not real actions but whose nearest real action is
    ``wanted``: [(entry, suggestion)]. This is what stopped a grant by a typo."""
    items = entries if isinstance(entries, list | tuple) else [entries]
    out = []
    for entry in items:
        if not isinstance(entry, str) or entry.lower() == wanted.lower():
            continue
        if known_action(entry) is not False and _known_prefix(entry.partition(":")[0]):
            continue
        hint = suggest(entry)
        if hint and hint.lower() == wanted.lower():
            out.append((entry, hint))
    return out
