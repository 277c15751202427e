"""Turning generated pairs into iam-simulate simulations, and running them through node.

The verdicts are stored in ``verdicts.json`` beside this file, so the default test run
needs neither node nor the npm package; ``scripts/regenerate_iam_differential.py`` rewrites
that file, and the live test re-runs the simulator when both are installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from .pairs import ACCOUNT, SERVICE, Json, pair_id, session_arn

HERE = Path(__file__).resolve().parent.parent  # tests/iam/differential
RUNNER = HERE / "run_iam_simulate.mjs"
VERDICTS = HERE / "verdicts.json"
PACKAGE = "@cloud-copilot/iam-simulate"
INSTALLED = HERE / "node_modules" / "@cloud-copilot" / "iam-simulate" / "package.json"


def pinned_version() -> str:
    lock = json.loads((HERE / "package-lock.json").read_text("utf-8"))
    return str(lock["packages"][f"node_modules/{PACKAGE}"]["version"])


def installed_version() -> str | None:
    """The installed simulator's version, or None when node or the package is missing."""
    if shutil.which("node") is None or not INSTALLED.is_file():
        return None
    return str(json.loads(INSTALLED.read_text("utf-8"))["version"])


def _named(policies: list[Json], stem: str) -> list[Json]:
    return [{"name": f"{stem}{i}", "policy": p} for i, p in enumerate(policies)]


def simulation(pair: Json, sample: Json) -> Json:
    """The iam-simulate input for one concrete sample of a pair.

    The role signs its requests as an assumed-role session, which is what our
    ``Principal.role`` stands for ("an IAM role (its sessions)").
    """
    principal = SERVICE if pair["principal"] == "service" else session_arn(
        pair["role"].split(":role/", 1)[1], ACCOUNT)
    sim: Json = {
        "request": {
            "principal": principal,
            "action": pair["action"],
            "resource": {"resource": sample["resource"], "accountId": pair["resource_account"]},
            "contextVariables": sample["context"],
        },
        "identityPolicies": _named(pair["identity"], "identity"),
        "serviceControlPolicies": [
            {"orgIdentifier": f"level{i}", "policies": _named(level, f"scp{i}-")}
            for i, level in enumerate(pair.get("scps", []))
        ],
        "resourceControlPolicies": [
            {"orgIdentifier": f"level{i}", "policies": _named(level, f"rcp{i}-")}
            for i, level in enumerate(pair.get("rcps", []))
        ],
    }
    if pair["resource_policy"] is not None:
        sim["resourcePolicy"] = pair["resource_policy"]
    if pair["boundary"] is not None:
        sim["permissionBoundaryPolicies"] = [{"name": "boundary", "policy": pair["boundary"]}]
    return sim


def simulations(pairs: list[Json]) -> list[tuple[str, Json]]:
    out = []
    for pair in pairs:
        pid = pair_id(pair)
        for i, sample in enumerate(pair["samples"]):
            out.append((f"{pid}:{i}", simulation(pair, sample)))
    return out


def run_node(items: list[tuple[str, Json]], timeout: float = 600) -> dict[str, tuple[str, str]]:
    """{id: (code, detail)} from the simulator, for [(id, simulation)]."""
    proc = subprocess.run(
        ["node", str(RUNNER)], input=json.dumps(items), capture_output=True, text=True,
        cwd=HERE, timeout=timeout, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the iam-simulate runner failed: {proc.stderr[-2000:]}")
    return {i: (code, detail) for i, code, detail in json.loads(proc.stdout)}


def verdicts_by_pair(pairs: list[Json], raw: dict[str, tuple[str, str]]) -> dict[str, str]:
    """{pair id: one code per sample}, e.g. ``"AAIA"``."""
    out = {}
    for pair in pairs:
        pid = pair_id(pair)
        out[pid] = "".join(raw[f"{pid}:{i}"][0] for i in range(len(pair["samples"])))
    return out


def load_stored() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(VERDICTS.read_text("utf-8"))
    return data
