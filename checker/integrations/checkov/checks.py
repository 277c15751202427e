"""The checkov checks: for each built-in rule, one check on CloudFormation resources and one
on Terraform plan resources, both called ``CKV_PL_nnn``.

A check runs the engine on the whole file the resource comes from (once per file, shared by
all checks; see :mod:`..scan`) and answers for its rule on that one resource (see
:mod:`.placement`). Resources of Terraform configuration (``.tf``) get no answer: checkov
hands a check one block of HCL with references and functions unresolved, which is not the
set-up Terraform would build. The plan JSON is (``terraform show -json``).
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import (
    BaseResourceCheck as CloudFormationResourceCheck,
)
from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import (
    BaseResourceCheck as TerraformResourceCheck,
)

from ...plugins import collect_rules, make_plugin_manager
from ...rule import Rule
from ..ids import checkov_id
from ..scan import FileScan, scan_file
from .placement import Placement, Verdict

LOG = logging.getLogger(__name__)

SEVERITY = {
    "error": Severities[BcSeverities.HIGH],
    "warning": Severities[BcSeverities.MEDIUM],
    "note": Severities[BcSeverities.LOW],
}
_CATEGORY = {
    "1": CheckCategories.IAM,
    "2": CheckCategories.IAM,
    "3": CheckCategories.ENCRYPTION,
}
_ML = getattr(CheckCategories, "AI_AND_ML", CheckCategories.GENERAL_SECURITY)

_checks: list[Any] = []
# The first resource checkov showed the checks of each file: it carries the findings that
# belong to no resource (checkov runs every check on one resource before the next).
_first_resource: dict[str, str] = {}
_placements: OrderedDict[int, tuple[FileScan, Placement]] = OrderedDict()
_warned_hcl = False


def register() -> None:
    """Register the checks with checkov's registries (once per process)."""
    if _checks:
        return
    for rule in collect_rules(make_plugin_manager(autoload=False)).values():
        _checks.append(CloudFormationCheck(rule))
        _checks.append(TerraformPlanCheck(rule))


def _metadata(rule: Rule) -> dict[str, Any]:
    """What checkov shows of a check, from the rule."""
    return {"name": f"{rule.id} {rule.title}", "id": checkov_id(rule.id),
            "categories": [_category(rule)], "guideline": rule.source or None}


def _category(rule: Rule) -> CheckCategories:
    if rule.id[2] == "0":
        return CheckCategories.GENERAL_SECURITY
    return _CATEGORY.get(rule.id[2], _ML)


class _RuleCheck:
    """What both frameworks' checks share: one rule, judged on one resource."""

    rule: Rule
    details: list[str]  # these three are checkov's BaseCheck attributes
    severity: Any
    entity_type: str

    def _judge(self, path: Path | None, file_key: str, resource: str, kind: str) -> CheckResult:
        anchor = _first_resource.setdefault(file_key, resource)
        try:
            if path is None:
                verdict = self._unlocated(file_key)
            else:
                verdict = _placement(scan_file(path)).verdict(self.rule.id, resource, kind, anchor)
        except Exception as exc:  # checkov would turn it into an unreported UNKNOWN
            verdict = self._failure(f"internal error {type(exc).__name__}: {exc}")
        self.details.extend(verdict.details)
        self.severity = SEVERITY[verdict.level or self.rule.level]
        return CheckResult[verdict.result]

    def _judge_plan(self, conf: dict[str, Any]) -> CheckResult:
        files = conf.get("__file__")  # set for plan JSON resources only, never for HCL
        address = conf.get("__address__")
        if not files or not isinstance(address, str):
            _warn_hcl()
            return CheckResult.UNKNOWN
        path = Path(files[0] if isinstance(files, list) else files)
        return self._judge(path, str(path), address, self.entity_type)

    def _unlocated(self, file_key: str) -> Verdict:
        return self._failure(f"cannot find the file checkov scans ({file_key.lstrip('/')}) "
                             f"from {os.getcwd()} or the scanned folders")

    def _failure(self, reason: str) -> Verdict:
        """The engine could not answer: PL003 says so, the other checks say nothing."""
        if self.rule.id != "PL003":
            return Verdict("UNKNOWN")
        return Verdict("FAILED", "warning",
                       [f"PL003 Check not evaluated: personalize-lint {reason}"])


class CloudFormationCheck(_RuleCheck, CloudFormationResourceCheck):
    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        CloudFormationResourceCheck.__init__(self, supported_resources=["*"], **_metadata(rule))
        self.severity = SEVERITY[rule.level]
        self._entity = ("", "")

    def run(self, scanned_file: str, entity_configuration: dict[str, Any], entity_name: str,
            entity_type: str, skip_info: Any) -> Any:
        self._entity = (scanned_file, entity_name)  # scan_resource_conf is given neither
        return super().run(scanned_file, entity_configuration, entity_name, entity_type,
                           skip_info)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        scanned_file, logical_id = self._entity
        path = locate_template(scanned_file, logical_id)
        return self._judge(path, scanned_file, logical_id, self.entity_type)


class TerraformPlanCheck(_RuleCheck, TerraformResourceCheck):
    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        TerraformResourceCheck.__init__(self, supported_resources=["*"], **_metadata(rule))
        self.severity = SEVERITY[rule.level]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._judge_plan(conf)


def locate_template(scanned_file: str, logical_id: str) -> Path | None:
    """The template checkov names ``/relative/path``: relative to the scanned folder
    (``-d``) or to the working directory (``-f``). When several folders hold that path, the
    one whose text names the resource."""
    relative = scanned_file.lstrip("/")
    roots = [*_scan_dirs(), os.getcwd()]
    found: list[Path] = []
    for root in roots:
        candidate = Path(root, relative)
        if candidate.is_file() and candidate.resolve() not in found:
            found.append(candidate.resolve())
    if len(found) > 1:
        named = [p for p in found if logical_id in p.read_text(encoding="utf-8", errors="replace")]
        found = named or found
    return found[0] if found else None


def _scan_dirs() -> list[str]:
    from checkov.common.bridgecrew.platform_integration import bc_integration

    folders = getattr(bc_integration, "scan_dir", None)
    return [str(f) for f in folders] if isinstance(folders, (list, tuple)) else []


def _placement(scan: FileScan) -> Placement:
    hit = _placements.get(id(scan))
    if hit is not None and hit[0] is scan:
        return hit[1]
    placement = Placement.of(scan)
    _placements[id(scan)] = (scan, placement)
    while len(_placements) > 8:
        _placements.popitem(last=False)
    return placement


def _warn_hcl() -> None:
    global _warned_hcl
    if not _warned_hcl:
        _warned_hcl = True
        LOG.warning(
            "personalize-lint checks do not evaluate Terraform configuration (.tf): scan the "
            "plan instead: terraform show -json plan.out > plan.json && checkov -f plan.json "
            "--framework terraform_plan --external-checks-dir ...")
