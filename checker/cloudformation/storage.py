"""The output bucket (policy, default encryption) and the KMS key, from the template."""

from __future__ import annotations

from typing import Any

from ..inventory import Bucket, Key, MissingInput, Source
from ..location import Location
from .intrinsics import Resolver
from .links import Links, Note, generated_match
from .policies import EMPTY_POLICY, synthetic_policy
from .views import Unknown, ViewBuilder, anchor_view


def _default_key_policy(r: Resolver) -> dict[str, Any]:
    # What KMS applies when a key is created without a policy: the account root, which
    # delegates to IAM (it grants the role through IAM, never the Personalize service).
    partition, account = r.pseudo_values["AWS::Partition"], r.pseudo_values["AWS::AccountId"]
    return {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
        "Action": "kms:*", "Resource": "*"}]}


class StorageLinks(Links):
    """The bucket an output path names, with its ``AWS::S3::BucketPolicy`` and
    ``BucketEncryption`` (shaped like get-bucket-encryption output); the key a key ARN,
    key ID or alias names, with its ``KeyPolicy`` or the default one."""

    # -- the bucket --------------------------------------------------------------------

    def build_bucket(self, name: str, where: Location, notes: list[Note]) -> Bucket:
        template, r = self.template, self.resolver
        buckets = self.live("AWS::S3::Bucket")
        bucket_id = next((b for b in buckets if self.ref(b) == name), None) or next(
            (b for b in buckets if self.resolver.prop(b, "BucketName") is None
             and generated_match(name, b.lower())), None)
        policy_id = next((p for p in self.live("AWS::S3::BucketPolicy")
                          if r.prop_text(p, "Bucket") == name), None)
        anchor = bucket_id or policy_id
        source = Source(anchor_view(template, template.resource_pointer(anchor))) if anchor \
            else Source(location=where)
        bucket = Bucket(source=source, name=name)
        keys = ("bucket-policy",)
        document = r.prop(policy_id, "PolicyDocument") if policy_id else None
        if policy_id and document is not None and self.present(policy_id, notes, keys):
            bucket.policy = self.use_policy(document, "bucket", f"{policy_id} (bucket policy)",
                                            keys, "bucket policy", notes)
        elif bucket_id is not None:
            # The template creates the bucket and gives it no policy: none is what it has.
            bucket.policy = synthetic_policy(
                template, template.resource_pointer(bucket_id), "bucket",
                f"{bucket_id} (no {self.term('AWS::S3::BucketPolicy')} in the "
                f"{self.term('template')})",
                dict(EMPTY_POLICY))
        else:
            notes.append(Note(keys, MissingInput(
                "bucket policy", f"the bucket {name} is not defined in this "
                f"{self.term('template')} and no {self.term('AWS::S3::BucketPolicy')} here is "
                f"for it; name its policy in a [[setup]] together with the "
                f"{self.term('template')} (bucket-policy)", where)))
        if bucket_id is not None:
            self.bucket_encryption(bucket, bucket_id, notes)
        return bucket

    def bucket_encryption(self, bucket: Bucket, lid: str, notes: list[Note]) -> None:
        node = self.resolver.prop(lid, "BucketEncryption")
        if node is None:
            return  # SSE-S3, the default
        keys = ("bucket-encryption",)
        if node.unresolved is not None:
            notes.extend(self.notes_of(keys, [Unknown("", node.pointer,
                                                      node.unresolved.reason)]))
            return
        builder = ViewBuilder(self.template)
        builder.map("", node.pointer)
        builder.map("/ServerSideEncryptionConfiguration", node.pointer)
        rules: list[Any] = []
        listed = node.member("ServerSideEncryptionConfiguration")
        if listed is not None:
            builder.map("/ServerSideEncryptionConfiguration/Rules", listed.pointer)
            for item in listed.items():
                at = f"/ServerSideEncryptionConfiguration/Rules/{len(rules)}"
                builder.map(at, item.pointer)
                rule: dict[str, Any] = {}
                default = item.member("ServerSideEncryptionByDefault")
                if default is not None:
                    inner = f"{at}/ApplyServerSideEncryptionByDefault"
                    builder.map(inner, default.pointer)
                    values = {}
                    for name in ("SSEAlgorithm", "KMSMasterKeyID"):
                        child = default.member(name)
                        if child is None:
                            continue
                        if child.unresolved is not None:
                            builder.skip(child, f"{inner}/{name}", f"{child.unresolved.reason};"
                                         " the bucket's default encryption key was not checked "
                                         "(PL105, PL301)")
                            continue
                        values[name] = builder.plain(child, f"{inner}/{name}")
                    rule["ApplyServerSideEncryptionByDefault"] = values
                enabled = item.member("BucketKeyEnabled")
                if enabled is not None:
                    rule["BucketKeyEnabled"] = builder.plain(enabled, f"{at}/BucketKeyEnabled")
                rules.append(rule)
        data = {"ServerSideEncryptionConfiguration": {"Rules": rules}}
        view = builder.view(data, "bucket-encryption")
        bucket.encryption, bucket.encryption_source = data, Source(view)
        notes.extend(self.notes_of(keys, builder.unknown))

    # -- the key -----------------------------------------------------------------------

    def find_key(self, value: str, *, aliases: bool = True) -> str | None:
        for lid in self.live("AWS::KMS::Key"):
            key_id = self.ref(lid)
            if value in (self.arn(lid), key_id) or (key_id and value.endswith(f":key/{key_id}")):
                return lid
        if aliases:
            for alias in self.live("AWS::KMS::Alias"):
                name = self.resolver.prop_text(alias, "AliasName")
                target = self.resolver.prop_text(alias, "TargetKeyId")
                if name and target and (value == name or value.endswith(f":{name}")):
                    return self.find_key(target, aliases=False)
        return None

    def build_key(self, key_ref: str, output: bool, where: Location,
                  notes: list[Note]) -> Key | None:
        template, r, keys = self.template, self.resolver, ("key-policy",)
        lid = self.find_key(key_ref)
        if lid is None:
            notes.append(Note(keys, MissingInput(
                "key policy", f"the KMS key {key_ref} is not defined in this "
                f"{self.term('template')}; name its key policy in a [[setup]] together with the "
                f"{self.term('template')} (key-policy)", where)))
            return Key(source=Source(location=where), arn=key_ref) if output else None
        pointer = template.resource_pointer(lid)
        key = Key(source=Source(anchor_view(template, pointer)),
                  arn=key_ref if output else self.arn(lid))
        document = r.prop(lid, "KeyPolicy")
        if document is None:
            key.policy = synthetic_policy(template, pointer, "key",
                                          f"{lid} (the default key policy: no "
                                          f"{self.term('KeyPolicy')})",
                                          _default_key_policy(r))
        else:
            key.policy = self.use_policy(document, "key", f"{lid} key policy", keys,
                                         "key policy", notes)
        key.metadata = self.key_metadata(lid)
        return key

    def key_metadata(self, lid: str) -> dict[str, Any] | None:
        """describe-key-like facts the template states (PL303 reads them)."""
        r = self.resolver
        metadata: dict[str, Any] = {}
        enabled = r.prop(lid, "Enabled")
        if enabled is not None and str(enabled.value).lower() in ("false", "true"):
            metadata["KeyState"] = "Enabled" if str(enabled.value).lower() == "true" else (
                "Disabled")
        for name in ("KeySpec", "KeyUsage"):
            text = r.prop_text(lid, name)
            if text:
                metadata[name] = text
        return metadata or None


def default_key(bucket: Bucket) -> str | None:
    """The bucket's default SSE-KMS key, as the template names it."""
    config = bucket.encryption.get("ServerSideEncryptionConfiguration") if isinstance(
        bucket.encryption, dict) else None
    for rule in config.get("Rules", []) if isinstance(config, dict) else []:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        key = default.get("KMSMasterKeyID")
        if str(default.get("SSEAlgorithm", "")).startswith("aws:kms") and isinstance(key, str):
            return key
    return None
