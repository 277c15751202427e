"""KMS: the output key's metadata (describe-key), its ``default`` key policy and its grants
(list-grants: a grant to the role or to Personalize counts as access)."""

from __future__ import annotations

import json
from typing import Any

from .errors import ApiError
from .gaps import gap, plain
from .session import Scope

SERVICE = "kms"


def key_region(ref: str, fallback: str) -> str:
    # A key ARN names its region; a key ID or alias lives where it is used (the bucket's).
    parts = ref.split(":")
    return parts[3] if ref.startswith("arn:") and len(parts) > 5 and parts[3] else fallback


def collect_key(scope: Scope, ref: str) -> dict[str, Any]:
    """``ref`` is a key ARN, key ID or alias as the attribution or bucket names it."""
    here = scope.at(key_region(ref, scope.region))
    key: dict[str, Any] = {"ref": ref, "arn": ref if ":key/" in ref else None,
                           "region": here.region, "metadata": None, "policy": None,
                           "missing": []}
    missing = key["missing"]
    try:
        key["metadata"] = plain(here.call(SERVICE, "DescribeKey", KeyId=ref)["KeyMetadata"])
        key["arn"] = key["metadata"].get("Arn") or key["arn"]
    except ApiError as exc:
        what = ("the KMS key (it does not exist; PL301, PL303)" if exc.kind == "not-found"
                else "the KMS key's state, spec and region (PL303)")
        missing.append(gap(what, exc, key["arn"] or ref, "/KeyMetadata", here.region))
        if exc.kind == "not-found":
            return key
    try:
        text = here.call(SERVICE, "GetKeyPolicy", KeyId=key["arn"] or ref,
                         PolicyName="default")["Policy"]
        key["policy"] = json.loads(text)
    except ApiError as exc:
        missing.append(gap("the key policy (PL301, PL304)", exc, key["arn"] or ref, "/Policy",
                           here.region))
    except ValueError:
        key["policy"] = None
    try:
        grants = here.pages(SERVICE, "ListGrants", "Grants", KeyId=key["arn"] or ref)
        key["grants"] = [plain(g) for g in grants]
    except ApiError as exc:
        missing.append(gap("the key's grants (a grant may let Personalize or the role use the "
                           "key: PL105, PL301)", exc, key["arn"] or ref, "/Grants",
                           here.region))
    return key
