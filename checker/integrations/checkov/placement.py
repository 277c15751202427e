"""Which resource of a scanned file carries each finding, and each check's verdict on it.

checkov asks every check about one resource at a time, so a file's findings are placed on
resources (CloudFormation logical IDs, Terraform addresses):

* a finding in the file that names a resource (its logical ID or address, or a pointer
  under ``/Resources/<id>``) is placed on that resource (a resource of an
  ``aws_cloudformation_stack``'s template on the stack; a Terraform data source is no
  resource checkov shows: its findings count as placed nowhere);
* any other finding of a set-up (its place is not in a resource, or it lies in another file
  of a configured set-up, e.g. its interactions data) is placed on the set-up's own resource
  in this file: where it is declared, else its ``AWS::Personalize::MetricAttribution``;
* what is left (a file that does not parse, a configuration problem, a set-up anchored
  elsewhere) goes on the first resource checkov shows the checks of this file.

A check then says, for one rule and one resource: FAILED when active findings of its rule
are placed there; SKIPPED when only suppressed ones are; PASSED when the resource belongs
to a set-up the engine evaluated and is of a type the rule's family examines; otherwise
nothing (checkov's UNKNOWN, which it does not report). A resource outside every set-up
never passes: nothing was decided about it; nor does a resource a PL003 "not evaluated"
is placed on (active or suppressed): some of its checks could not be made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ...findings import LEVEL_RANK, Finding
from ...inventory import Setup, Source
from ...location import Location, unescape_pointer_token
from ..scan import FileScan

Result = Literal["FAILED", "PASSED", "SKIPPED", "UNKNOWN"]

# A resource of a template inside a Terraform resource (an aws_cloudformation_stack's
# template_body) is named "<address>/<logical ID>"; checkov knows the Terraform resource.
_NESTED = re.compile(r"(.+)/([A-Za-z0-9]+)")

_ROLE = frozenset({
    "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy",
    "aws_iam_role", "aws_iam_role_policy", "aws_iam_policy", "aws_iam_role_policy_attachment",
    "aws_iam_role_policies_exclusive",
})
_BUCKET = frozenset({
    "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "aws_s3_bucket", "aws_s3_bucket_policy",
    "aws_s3_bucket_server_side_encryption_configuration",
})
_KEY = frozenset({"AWS::KMS::Key", "aws_kms_key", "aws_kms_key_policy"})
# A Terraform plan's metric attribution lies in an aws_cloudformation_stack's template.
_ATTRIBUTION = frozenset({"AWS::Personalize::MetricAttribution", "aws_cloudformation_stack"})
_SCHEMA = frozenset({
    "AWS::Personalize::Schema", "AWS::Personalize::Dataset", "awscc_personalize_schema",
    "awscc_personalize_dataset",
})
_ANY = _ROLE | _BUCKET | _KEY | _ATTRIBUTION | _SCHEMA | {
    "AWS::Personalize::DatasetGroup", "awscc_personalize_dataset_group"}

# The resource types each rule family examines, by the hundreds digit of the PL number.
# Input and engine rules (PL0xx) concern every resource of a set-up; data and events
# (PL6xx, PL7xx) are files, never resources: they only ever fail, on the set-up's anchor.
FAMILY_TYPES: dict[str, frozenset[str]] = {
    "0": _ANY, "1": _ROLE, "2": _BUCKET, "3": _KEY, "4": _ATTRIBUTION, "5": _SCHEMA,
    "6": frozenset(), "7": frozenset(),
}


@dataclass
class Verdict:
    result: Result
    level: str | None = None  # the highest level of the findings behind a FAILED
    details: list[str] = field(default_factory=list)


@dataclass
class Placement:
    """A file's findings by resource, and the resources its set-ups are made of."""

    scan: FileScan
    placed: dict[tuple[str, str], list[Finding]] = field(default_factory=dict)
    unplaced: dict[str, list[Finding]] = field(default_factory=dict)
    hidden: dict[tuple[str, str], list[Finding]] = field(default_factory=dict)
    in_setups: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, scan: FileScan) -> Placement:
        placement = cls(scan)
        anchors = {s.name: a for s in scan.setups if (a := placement._anchor(s))}
        for setup in scan.setups:
            placement.in_setups.update(placement._resources_of(setup))
        for finding in scan.findings:
            resource = placement._resource_of(finding, anchors)
            if resource is None:
                placement.unplaced.setdefault(finding.rule_id, []).append(finding)
            else:
                placement.placed.setdefault((finding.rule_id, resource), []).append(finding)
        for finding in scan.suppressed:
            resource = placement._resource_of(finding, anchors)
            if resource is not None:
                placement.hidden.setdefault((finding.rule_id, resource), []).append(finding)
        return placement

    def verdict(self, rule_id: str, resource: str, resource_type: str, anchor: str) -> Verdict:
        """The check of ``rule_id`` on ``resource``; ``anchor`` is the first resource
        checkov showed the checks of this file."""
        found = list(self.placed.get((rule_id, resource), ()))
        if resource == anchor:
            found += self.unplaced.get(rule_id, ())
        if found:
            level = max((f.level or "error" for f in found), key=LEVEL_RANK.__getitem__)
            return Verdict("FAILED", level, [self.scan.headline(f) for f in found])
        hidden = self.hidden.get((rule_id, resource))
        if hidden:
            return Verdict("SKIPPED", None, [
                f"{self.scan.headline(f)} (suppressed: "
                f"{f.suppression.justification if f.suppression else ''})" for f in hidden])
        family = FAMILY_TYPES.get(rule_id[2:3], frozenset())
        undecided = (("PL003", resource) in self.placed or ("PL003", resource) in self.hidden
                     or (resource == anchor and "PL003" in self.unplaced))
        if resource in self.in_setups and resource_type in family and not undecided:
            return Verdict("PASSED")
        return Verdict("UNKNOWN")

    def _resource(self, location: Location) -> str | None:
        """The resource a place in the scanned file lies in, if any."""
        if not self.scan.in_file(location):
            return None
        if location.logical_id:
            if location.logical_id.startswith("data."):
                return None  # checkov reads planned_values: no data source read while planning
            nested = _NESTED.fullmatch(location.logical_id)
            return nested.group(1) if nested else location.logical_id
        parts = location.pointer.split("/")
        if len(parts) >= 3 and parts[1] == "Resources":
            return unescape_pointer_token(parts[2])
        return None

    def _anchor(self, setup: Setup) -> str | None:
        """The set-up's own resource: where it is declared, else its metric attribution
        (a configured set-up is declared in the configuration, its attribution may be a
        template's)."""
        attribution = setup.metric_attribution
        return self._resource(setup.location) or (
            self._resource(attribution.source.locate()) if attribution else None)

    def _resource_of(self, finding: Finding, anchors: dict[str, str]) -> str | None:
        return self._resource(finding.location) or (
            anchors.get(finding.setup) if finding.setup else None)

    def _resources_of(self, setup: Setup) -> set[str]:
        sources: list[Source] = []
        if setup.metric_attribution is not None:
            sources.append(setup.metric_attribution.source)
        role = setup.role
        if role is not None:
            sources.append(role.source)
            sources.extend(p.source for p in role.policies)
            sources.extend(m.policy.source for m in role.managed_policies if m.policy)
            if role.trust_policy is not None:
                sources.append(role.trust_policy.source)
        bucket = setup.bucket
        if bucket is not None:
            sources.append(bucket.source)
            if bucket.policy is not None:
                sources.append(bucket.policy.source)
            if bucket.encryption_source is not None:
                sources.append(bucket.encryption_source)
        key = setup.key
        if key is not None:
            sources.append(key.source)
            if key.policy is not None:
                sources.append(key.policy.source)
        sources.extend(s.source for s in setup.dataset_group.schemas.values())
        found = {self._resource(source.locate()) for source in sources}
        return {r for r in found if r}
