"""The bucket's default key, named every way the AWS provider takes it.

S3 (ServerSideEncryptionByDefault, KMSMasterKeyID): "You can specify the key ID, key alias,
or the Amazon Resource Name (ARN) of the KMS key." Whichever a plan uses (a reference to
the key's ``arn``, ``key_id`` or ``id``, to an ``aws_kms_alias``'s ``name`` or ``arn``, or
the alias written out), the key is the plan's key and its policy is checked: the findings
are those of the plan that names the key by its ARN.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from planbuilder import ACCOUNT, REGION, Ref
from tf_families import KEY_POLICY, compliant, r

ALIAS = "alias/personalize-metrics"
# The key policy lets the role use the key, but not Personalize itself (PL301).
NO_SERVICE = {**KEY_POLICY, "Statement": [
    KEY_POLICY["Statement"][0],
    {**KEY_POLICY["Statement"][1],
     "Principal": {"AWS": KEY_POLICY["Statement"][1]["Principal"]["AWS"]}}]}

SPELLINGS: dict[str, Any] = {
    "key arn": Ref("aws_kms_key.metrics", "arn"),
    "key_id": Ref("aws_kms_key.metrics", "key_id"),
    "key id (the id attribute)": Ref("aws_kms_key.metrics", "id"),
    "alias name": Ref("aws_kms_alias.metrics", "name"),
    "alias arn": Ref("aws_kms_alias.metrics", "arn"),
    "alias name written out": ALIAS,
    "alias arn written out": f"arn:aws:kms:{REGION}:{ACCOUNT}:{ALIAS}",
}


def plan_naming_key(spelling: Any, key_policy: dict[str, Any]):
    b = compliant(key_policy=key_policy)
    r(b, "aws_kms_alias", "metrics", {"name": ALIAS,
                                      "target_key_id": Ref("aws_kms_key.metrics", "key_id")})
    sse = next(x for x in b.resources
               if x.type == "aws_s3_bucket_server_side_encryption_configuration")
    sse.config["rule"][0]["apply_server_side_encryption_by_default"][0][
        "kms_master_key_id"] = spelling
    # The attribution names no key of its own: the bucket's default key is the one used.
    stack = next(x for x in b.resources if x.type == "aws_cloudformation_stack")
    template = json.loads(stack.config["template_body"])
    output = template["Resources"]["Attribution"]["Properties"]["MetricsOutputConfig"]
    del output["S3DataDestination"]["KmsKeyArn"]
    stack.config["template_body"] = json.dumps(template, indent=2)
    return b


def summary(findings) -> list[tuple[str, str | None]]:
    return sorted((f.rule_id, f.location.logical_id) for f in findings)


@pytest.mark.parametrize("key_policy", [KEY_POLICY, NO_SERVICE], ids=["compliant", "no-service"])
@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_every_spelling_of_the_key_checks_the_same_key(spelling: str, key_policy, lint,
                                                       write_plan) -> None:
    expected = summary(lint(write_plan(plan_naming_key(SPELLINGS["key arn"], key_policy))))
    found = lint(write_plan(plan_naming_key(SPELLINGS[spelling], key_policy)))
    assert not [f.message for f in found if f.rule_id == "PL003"]
    assert summary(found) == expected
    if key_policy is NO_SERVICE:
        assert "PL301" in {f.rule_id for f in found}
