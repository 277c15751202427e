"""The service role and everything attached to it, from the template."""

from __future__ import annotations

from ..iam import managed
from ..iam.arn import role_name
from ..inventory import ManagedPolicyRef, Policy, Role, Source, UnusablePolicy
from .links import Links, Note, generated_match
from .policies import EMPTY_POLICY, synthetic_policy
from .views import Unknown, anchor_view

ROLE_KEYS = ("role-trust-policy", "role-policies", "role-managed-policies")


class RoleLinks(Links):
    """Finds the role an ARN names and builds it: trust policy, inline ``Policies``,
    ``AWS::IAM::Policy`` / ``RolePolicy`` / ``ManagedPolicy`` resources attached through
    ``Roles``, ``ManagedPolicyArns`` and the permissions boundary."""

    def find_role(self, role_arn: str) -> str | None:
        wanted = role_name(role_arn)
        roles = self.live("AWS::IAM::Role")
        for lid in roles:
            if self.arn(lid) == role_arn or (wanted and self.ref(lid) == wanted):
                return lid
        for lid in roles:  # a deployed name CloudFormation generated for an unnamed role
            if wanted and self.resolver.prop(lid, "RoleName") is None and generated_match(
                    wanted, lid):
                return lid
        return None

    def build_role(self, lid: str, notes: list[Note]) -> Role:
        r, template = self.resolver, self.template
        role = Role(source=Source(anchor_view(template, template.resource_pointer(lid))),
                    arn=self.arn(lid), name=self.ref(lid))
        trust = r.prop(lid, "AssumeRolePolicyDocument")
        if trust is None:
            notes.append(self.note(("role-trust-policy",), "role trust policy",
                                   f"{lid} has no {self.term('AssumeRolePolicyDocument')}",
                                   template.resource_pointer(lid)))
        else:
            role.trust_policy = self.use_policy(trust, "trust", f"{lid} trust policy",
                                                ("role-trust-policy",), "role trust policy",
                                                notes)
        unknown: list[ManagedPolicyRef] = []
        role.policies = self.role_policies(lid, role.name, notes, unknown)
        role.managed_policies = self.managed_policies(lid, role.name, notes) + unknown
        role.permissions_boundary = self.boundary(lid, notes)
        if not role.policies and not role.managed_policies:
            # The template is the whole role: with no policies it may do nothing.
            role.policies = [synthetic_policy(
                template, template.resource_pointer(lid), "identity",
                f"{lid} (no permission policies in the {self.term('template')})",
                dict(EMPTY_POLICY))]
        return role

    def role_policies(self, lid: str, name: str | None, notes: list[Note],
                      unknown: list[ManagedPolicyRef]) -> list[Policy]:
        r, keys = self.resolver, ("role-policies",)
        found: list[Policy] = []
        inline = r.prop(lid, "Policies")
        if inline is not None and inline.unresolved is not None:
            notes.extend(self.notes_of(keys, [Unknown("", inline.pointer,
                                                      inline.unresolved.reason)]))
            unknown.append(self.unknown_policy(inline.pointer))
        for index, item in enumerate(inline.items() if inline and not inline.unresolved else []):
            document = item.member("PolicyDocument")
            if document is None:
                continue
            policy_name = item.member("PolicyName")
            label = f"{lid} policy {policy_name.text() if policy_name else index}"
            policy = self.use_policy(document, "identity", label, keys, "role policy", notes)
            if policy is not None:
                found.append(policy)
            else:
                unknown.append(self.unknown_policy(document.pointer))
        attached = [(p, "Roles") for p in self.live("AWS::IAM::Policy")] + [
            (p, "RoleName") for p in self.live("AWS::IAM::RolePolicy")]
        for plid, member in attached:
            if not name or name not in self.texts(r.prop(plid, member)):
                continue
            document = r.prop(plid, "PolicyDocument")
            if document is None or not self.present(plid, notes, keys):
                continue
            policy = self.use_policy(document, "identity", self.attached_label(plid), keys,
                                     "role policy", notes)
            if policy is not None:
                found.append(policy)
            else:
                unknown.append(self.unknown_policy(document.pointer))
        return found

    def attached_label(self, lid: str) -> str:
        """How a policy resource attached to the role is named: ``Id (AWS::IAM::Policy)``."""
        return f"{lid} ({self.template.type_of(lid)})"

    def managed_policies(self, lid: str, name: str | None,
                         notes: list[Note]) -> list[ManagedPolicyRef]:
        r, keys, template = self.resolver, ("role-managed-policies",), self.template
        templated = {self.arn(m, "PolicyArn"): m for m in self.live("AWS::IAM::ManagedPolicy")}
        refs: dict[str, ManagedPolicyRef] = {}

        def add(arn: str, pointer: str) -> None:
            if arn in refs:
                return
            mlid = templated.get(arn)
            policy = None
            if mlid is not None:
                document = r.prop(mlid, "PolicyDocument")
                if document is not None:
                    policy = self.use_policy(document, "identity", f"{mlid} ({arn})", keys,
                                             "managed policy", notes)
                pointer = template.resource_pointer(mlid)
            refs[arn] = ManagedPolicyRef(arn=arn, source=Source(anchor_view(template, pointer)),
                                         policy=policy)

        listed = r.prop(lid, "ManagedPolicyArns")
        for item in listed.items() if listed is not None else []:
            if item.text() is not None:
                add(item.value, item.pointer)
            else:
                reason = item.unresolved.reason if item.unresolved else "not a string"
                notes.extend(self.notes_of(keys, [Unknown("", item.pointer, reason)]))
                unknown = self.unknown_policy(item.pointer)
                refs[unknown.arn] = unknown
        for arn, mlid in templated.items():
            if arn and name and name in self.texts(r.prop(mlid, "Roles")):
                add(arn, template.resource_pointer(mlid))
        return list(refs.values())

    def boundary(self, lid: str, notes: list[Note]) -> (
            Policy | ManagedPolicyRef | UnusablePolicy | None):
        node = self.resolver.prop(lid, "PermissionsBoundary")
        if node is None:
            return None
        arn = node.text()
        for mlid in self.live("AWS::IAM::ManagedPolicy"):
            document = self.resolver.prop(mlid, "PolicyDocument")
            if arn and self.arn(mlid, "PolicyArn") == arn and document is not None:
                return self.use_policy(document, "identity", f"{mlid} (permissions boundary)",
                                       ("role-permissions-boundary",), "permissions boundary",
                                       notes)
        source = Source(anchor_view(self.template, node.pointer))
        known = managed.lookup(arn) if arn else None
        if known is not None and arn is not None:
            return Policy(data=known.document, kind="identity", name=arn, source=source)
        if node.unresolved is None and arn:
            # Defined elsewhere (another stack, the console): known by ARN only. Like a
            # configured ARN, its unknown document leaves the checks it caps not evaluated.
            return ManagedPolicyRef(arn, source)
        reason = node.unresolved.reason if node.unresolved else "it names no policy"
        notes.append(self.note(("role-permissions-boundary",),
                               self.template.describe(node.pointer),
                               f"{reason}; the checks it caps were not evaluated",
                               node.pointer))
        return UnusablePolicy(self.template.describe(node.pointer), source,
                              "it could not be resolved")
