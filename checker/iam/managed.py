"""AWS managed policies known by ARN in file mode (an account audit reads them from IAM).

The documents live in ``data/managed_policies.json`` with each one's default version ID and
IAM update date, plus where and when they were read; refresh them with
``scripts/refresh_managed_policies.py``. The file is read on first use only.

An ARN this module does not know is *unknown*, never "grants nothing": the evaluator turns
it into an uncertain answer (PL003), not a failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .arn import parse_arn

# Attaching one of these gives the role far more than Personalize needs (PL106).
BROAD_POLICIES = frozenset(
    {"AdministratorAccess", "PowerUserAccess", "AmazonS3FullAccess", "IAMFullAccess"}
)


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    name: str
    path: str
    version_id: str
    update_date: str
    document: Any


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = (Path(__file__).parent / "data" / "managed_policies.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def data_source() -> tuple[str, str]:
    """(where the documents were read, the date they were read)."""
    data = _data()
    return data["source"], data["retrieved"]


def _canonical(arn: str) -> str | None:
    """Managed policy ARNs differ by partition only; key them all by the aws partition."""
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "iam" or parsed.account != "aws":
        return None
    return f"arn:aws:iam::aws:{parsed.resource}"


def is_aws_managed(arn: str) -> bool:
    return _canonical(arn) is not None


def policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


@lru_cache(maxsize=256)
def lookup(arn: str) -> ManagedPolicy | None:
    """The document of an AWS managed policy by ARN (any partition), or None if unknown."""
    key = _canonical(arn)
    if key is None:
        return None
    item = _data()["policies"].get(key)
    if item is None:
        return None
    return ManagedPolicy(
        arn=arn,
        name=item["name"],
        path=item["path"],
        version_id=item["version_id"],
        update_date=item["update_date"],
        document=item["document"],
    )


def suggest(arn: str) -> str | None:
    """For an unknown ARN whose *name* is known under another path, the right ARN.

    ``arn:aws:iam::aws:policy/AmazonPersonalizeFullAccess`` does not exist: the policy lives
    at ``.../policy/service-role/AmazonPersonalizeFullAccess``, and attaching the wrong
    one fails.
    """
    if lookup(arn) is not None or _canonical(arn) is None:
        return None
    name = policy_name(arn)
    for known in _data()["policies"]:
        if policy_name(known) == name:
            partition = arn.split(":")[1]
            return known.replace("arn:aws:", f"arn:{partition}:", 1)
    return None


def may_deny(arn: str) -> bool:
    """Could an *unknown* policy hold a Deny? Customer managed ones can; AWS managed
    policies grant, except the few built to deny (AWSDenyAll, quarantine policies)."""
    if not is_aws_managed(arn):
        return True
    name = policy_name(arn).lower()
    return "deny" in name or "quarantine" in name
