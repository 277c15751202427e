"""SCPs and RCPs a template writes (``AWS::Organizations::Policy``), over its set-ups.

A template shows a policy's ``Type``, ``Content`` and ``TargetIds``, but not where the
set-up's account sits in the organization, nor whether ``FullAWSAccess`` was detached. So:

* a policy of type ``SERVICE_CONTROL_POLICY`` or ``RESOURCE_CONTROL_POLICY`` applies when it
  is attached (``TargetIds`` not empty) and not only to other accounts (12-digit IDs none of
  which is the role's);
* each policy is a level of its own. A deny-list SCP (no Allow statement) is taken together
  with ``FullAWSAccess``, which AWS attaches to every level by default; an SCP with Allow
  statements is an allow-list: it stands alone at its level, as it does once FullAWSAccess
  is detached there. RCPs only deny (``RCPFullAWSAccess`` cannot be detached).

Content of the wrong shape is PL002 at its template position, and the policy stands as
unusable in its level (the checks over it are not evaluated, PL003, rather than decided as
if it were not there); other types (tag, backup policies) are not authorization policies and
are left alone.
"""

from __future__ import annotations

from ..findings import Finding
from ..iam.arn import account_of
from ..iam.organizations import FULL_ACCESS_ARN, RCP, SCP
from ..inventory import Organization, OrgPolicy, Policy, Setup, Source, UnusablePolicy
from ..organization import KEY_OF_TYPE, shape_problems, wrong_type
from .links import Links, Note
from .policies import build_policy

ORG_POLICY = "AWS::Organizations::Policy"


class OrgLinks(Links):
    """The organization policies of a template, read once, applied to each set-up."""

    _org_built: dict[str, OrgPolicy]

    def link_organization(self, setup: Setup, role_arn: str | None, notes: list[Note]) -> None:
        account = account_of(role_arn)
        organization = Organization()
        for lid in self.live(ORG_POLICY):
            policy_type = self.resolver.prop_text(lid, "Type")
            if policy_type not in (SCP, RCP) or not self._applies(lid, account):
                continue
            keys = (KEY_OF_TYPE[policy_type],)
            if not self.present(lid, notes, keys):
                continue
            policy = self._org_policy(lid, policy_type, notes)
            if policy_type == RCP:
                organization.resource_control_policies.append([policy])
                continue
            level: list[OrgPolicy] = [policy]
            if isinstance(policy, Policy) and not _allows(policy):
                level.insert(0, FULL_ACCESS_ARN)
            organization.service_control_policies.append(level)
        if organization.service_control_policies or organization.resource_control_policies:
            setup.organization = organization

    def _applies(self, lid: str, account: str | None) -> bool:
        node = self.resolver.prop(lid, "TargetIds")
        if node is not None and node.unresolved is not None:
            return True  # cannot tell: count it (fail closed)
        targets = self.texts(node)
        if not targets:
            return False  # created but attached to nothing
        accounts = [t for t in targets if t.isdigit() and len(t) == 12]
        return not (account and len(accounts) == len(targets) and account not in accounts)

    def _org_policy(self, lid: str, policy_type: str, notes: list[Note]) -> OrgPolicy:
        cache = self.__dict__.setdefault("_org_built", {})
        keys = (KEY_OF_TYPE[policy_type],)
        if lid in cache:
            return cache[lid]
        content = self.resolver.prop(lid, "Content")
        where = Source(location=self.where(self.template.resource_pointer(lid)))
        policy: OrgPolicy = UnusablePolicy(lid, where, "its Content could not be read")
        if content is None:
            notes.append(self.note(keys, f"{lid} Content", f"{lid} has no Content",
                                   self.template.resource_pointer(lid)))
        else:
            self.used.add(content.pointer)
            built = build_policy(self.template, content, "scp" if policy_type == SCP else "rcp",
                                 f"{lid} ({policy_type})")
            notes.extend(self.notes_of(keys, built.unknown))
            if built.policy is not None and built.view is not None:
                problems = list(shape_problems(built.policy.data, policy_type))
                self.problems.extend(Finding("PL002", message, built.view.location(pointer))
                                     for message, pointer in problems)
                if wrong_type(m for m, _ in problems):
                    policy = UnusablePolicy(lid, built.policy.source, "it is of the wrong kind")
                elif problems:
                    policy = UnusablePolicy(lid, built.policy.source, "it is malformed")
                else:
                    policy = built.policy
        cache[lid] = policy
        return policy


def _allows(policy: Policy) -> bool:
    statements = policy.data.get("Statement") if isinstance(policy.data, dict) else None
    items = statements if isinstance(statements, list) else [statements]
    return any(isinstance(st, dict) and st.get("Effect") == "Allow" for st in items)
