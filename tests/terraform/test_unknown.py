"""Values known only after apply make the checks they feed PL003, never a silent pass.

The documentation of the plan format: "after_unknown ... with all unknown leaf values
replaced with true ... This can be combined with after to reconstruct a full value after
the action, including values which will only be known after apply." A value that is
unknown is not checked; what is unknown because the provider computes it and the
configuration does not set it (a new key's policy, a new role's inline policies) is not
there at all.
"""

from __future__ import annotations

import json

from planbuilder import Encode, Fmt, Ref
from tf_families import ACCOUNT, COMPUTED, PUBLISH, WRITE_REPORTS, compliant


def _messages(findings, rule: str = "PL003") -> list[str]:
    return [f.message for f in findings if f.rule_id == rule]


def test_a_role_policy_that_depends_on_a_new_bucket_arn_is_not_evaluated(lint, write_plan):
    b = compliant(write_reports={"Version": "2012-10-17", "Statement": [
        WRITE_REPORTS["Statement"][1]]})  # the s3:PutObject grant moves to the inline policy
    role_policy = next(x for x in b.resources if x.address == "aws_iam_role_policy.publish")
    bucket_arn = Ref("aws_s3_bucket.metrics", "arn")
    role_policy.config["policy"] = Encode({"Version": "2012-10-17", "Statement": [
        *PUBLISH["Statement"],
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": Fmt("{}/*", bucket_arn)}]})
    findings = lint(write_plan(b))
    rules = {f.rule_id for f in findings}
    # The grant that would allow s3:PutObject is unknown: no PL104 (it may allow), no pass.
    assert "PL104" not in rules and "PL003" in rules
    notes = _messages(findings)
    assert any("aws_iam_role_policy.publish.policy" in m and "aws_s3_bucket.metrics.arn" in m
               and "known only after apply" in m for m in notes), notes
    assert any(m.startswith("Could not decide") for m in notes), notes
    pointer = next(f.location.pointer for f in findings if "aws_s3_bucket.metrics.arn"
                   in f.message)
    assert pointer.endswith("/change/after_unknown/policy")


def test_an_unknown_key_policy_is_not_evaluated(lint, write_plan):
    b = compliant()
    b.data("aws_iam_policy_document", "key", {"json": "{}"}, deferred=True)
    key = next(x for x in b.resources if x.address == "aws_kms_key.metrics")
    key.config["policy"] = Ref("data.aws_iam_policy_document.key", "json")
    findings = lint(write_plan(b))
    assert {f.rule_id for f in findings} == {"PL003"}
    [note] = findings
    assert "key policy aws_kms_key.metrics.policy not evaluated" in note.message
    assert "data.aws_iam_policy_document.key.json" in note.message
    assert note.location.logical_id == "aws_kms_key.metrics"


def test_a_key_without_a_policy_in_its_configuration_has_the_default_one(lint, write_plan):
    # Not configured, the policy is computed by AWS: the default key policy, which grants
    # the account root (IAM) and never the Personalize service principal.
    b = compliant()
    key = next(x for x in b.resources if x.address == "aws_kms_key.metrics")
    del key.config["policy"]
    findings = lint(write_plan(b))
    assert [f.rule_id for f in findings] == ["PL301"]
    assert "default key policy" in findings[0].message or "root" in findings[0].message
    assert findings[0].location.logical_id == "aws_kms_key.metrics"


def test_an_unknown_bucket_policy_is_not_evaluated(lint, write_plan):
    b = compliant()
    policy = next(x for x in b.resources if x.address == "aws_s3_bucket_policy.metrics")
    policy.config["policy"] = Encode({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
        "Action": "s3:PutObject", "Resource": Fmt("{}/*", Ref("aws_s3_bucket.metrics", "arn"))}]})
    findings = lint(write_plan(b))
    assert [f.rule_id for f in findings] == ["PL003"]
    assert "bucket policy" in findings[0].message
    assert "aws_s3_bucket.metrics.arn" in findings[0].message


def test_stack_parameters_known_only_after_apply_make_the_role_checks_pl003(lint, write_plan):
    # Two parameters known only after apply: the configuration lists the references of
    # the whole map, so neither can be told apart: not evaluated, never a pass.
    b = compliant()
    stack = next(x for x in b.resources if x.type == "aws_cloudformation_stack")
    stack.config["parameters"]["RoleArn"] = Ref("aws_iam_role.metrics", "arn")
    findings = lint(write_plan(b))
    rules = sorted(f.rule_id for f in findings)
    assert "PL003" in rules and not {"PL101", "PL103", "PL104", "PL105"} & set(rules)
    assert any("RoleArn" in f.message and "role checks" in f.message for f in findings)


def test_one_parameter_known_only_after_apply_is_linked_by_its_reference(lint, write_plan):
    # compliant(): KmsKeyArn = aws_kms_key.metrics.arn is the one unknown entry.
    b = compliant(key_policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"}]})
    findings = lint(write_plan(b))
    assert [(f.rule_id, f.location.logical_id) for f in findings] == [
        ("PL301", "aws_kms_key.metrics")]


def test_a_trust_policy_document_read_at_apply_is_not_evaluated(lint, write_plan):
    b = compliant()
    trust = next(x for x in b.resources if x.address == "data.aws_iam_policy_document.trust")
    trust.deferred = True  # it depends on something known only after apply
    findings = lint(write_plan(b))
    notes = _messages(findings)
    assert any("role trust policy" in m and "data.aws_iam_policy_document.trust.json" in m
               for m in notes), notes
    assert "PL101" not in {f.rule_id for f in findings}


def test_a_new_role_with_computed_inline_policies_has_only_what_the_plan_writes(
        lint, write_plan):
    # A new role's inline_policy and managed_policy_arns are unknown (computed) in every
    # plan; not configured, they are no unknown policy: the role has what the plan gives.
    b = compliant(publish={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "cloudwatch:GetMetricData", "Resource": "*"}]})
    assert "inline_policy" in COMPUTED["aws_iam_role"]
    findings = lint(write_plan(b))
    assert [f.rule_id for f in findings] == ["PL103"]


def test_a_generated_bucket_name_is_a_symbol_its_policy_and_encryption_refer_to(
        lint, write_plan):
    b = compliant()
    bucket = next(x for x in b.resources if x.address == "aws_s3_bucket.metrics")
    del bucket.config["bucket"]  # bucket_prefix: Terraform generates the name at apply
    bucket.config["bucket_prefix"] = "retail-metrics-"
    bucket.computed += ("bucket",)
    path = write_plan(b)
    # Two stack parameters are now known only after apply (the bucket name and the key
    # ARN): the output path and key are not evaluated, and nothing passes or fails on them.
    findings = lint(path)
    assert {f.rule_id for f in findings} == {"PL003"}
    assert any("S3 checks" in f.message and "KMS checks" in f.message for f in findings)
    # The bucket's policy and encryption still belong to it: `bucket = ...metrics.id`.
    linker = _linker(path)
    name = linker.ref("aws_s3_bucket.metrics")
    assert name == "terraform-aws-s3-bucket.metrics"
    built = linker.build_bucket(name, linker.location_of("aws_s3_bucket.metrics"), [])
    assert built.policy is not None and built.policy.name == (
        "aws_s3_bucket_policy.metrics (bucket policy)")
    assert built.encryption_source is not None
    assert built.encryption_source.locate().logical_id == (
        "aws_s3_bucket_server_side_encryption_configuration.metrics")


def _linker(path):
    from pathlib import Path

    from personalize_lint.loaders.base import LoadContext
    from personalize_lint.loaders.builtin import personalize_lint_load_file
    from personalize_lint.terraform.linker import PlanLinker
    from personalize_lint.terraform.plan import Plan

    [document] = personalize_lint_load_file(Path(path), None, LoadContext(root=path.parent)
                                            ).documents
    return PlanLinker(Plan(document))


def test_nothing_is_known_without_the_configuration_section(lint, write_plan, tmp_path):
    # A plan cut down to resource_changes cannot tell "computed" from "unknown": every
    # unknown value is not evaluated (fail closed).
    import json

    path = write_plan(compliant())
    data = json.loads(path.read_text())
    del data["configuration"]
    path.write_text(json.dumps(data, indent=1))
    findings = lint(path)
    assert "PL003" in {f.rule_id for f in findings}
    assert not {"PL101", "PL103", "PL104", "PL105", "PL201", "PL301"} & {
        f.rule_id for f in findings if not f.message.startswith("Could not decide")}


def _attached_in_role(publish: dict) -> object:
    """The publish policy as an aws_iam_policy whose ARN (known only after apply) the role
    lists in managed_policy_arns, beside an AWS managed policy."""
    from tf_families import r

    b = compliant()
    b.resources = [x for x in b.resources if x.address != "aws_iam_role_policy.publish"]
    policy = r(b, "aws_iam_policy", "publish", {"name": "Publish", "path": "/",
                                                "policy": Encode(publish)})
    role = next(x for x in b.resources if x.address == "aws_iam_role.metrics")
    role.config["managed_policy_arns"] = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                                          Ref(policy, "arn")]
    return b


def test_a_role_listing_a_new_policys_arn_is_checked_with_that_policy(lint, write_plan):
    # managed_policy_arns = ["arn:aws:iam::aws:policy/...", aws_iam_policy.publish.arn]:
    # the list is known but for the new policy's ARN, the one reference known only after
    # apply: that entry is the plan's aws_iam_policy.publish.
    assert lint(write_plan(_attached_in_role(PUBLISH))) == []
    broken = {"Version": "2012-10-17", "Statement": [
        {**PUBLISH["Statement"][0], "Action": "cloudwatch:GetMetricData"}]}
    findings = lint(write_plan(_attached_in_role(broken)))
    assert [(f.rule_id, f.location.logical_id) for f in findings] == [
        ("PL103", "aws_iam_policy.publish")]


def test_the_reference_named_as_unknown_is_one_known_only_after_apply(lint, write_plan):
    # policy = templatefile("${path.module}/write.json.tpl", { arn = aws_s3_bucket.x.arn }):
    # the configuration lists path.module first, which is known while planning.
    b = compliant()
    role_policy = next(x for x in b.resources if x.address == "aws_iam_role_policy.publish")
    role_policy.config["policy"] = Fmt("{}{}", "PATH", Ref("aws_s3_bucket.metrics", "arn"))
    plan = b.build()
    for resource in plan["configuration"]["root_module"]["resources"]:
        if resource["address"] == "aws_iam_role_policy.publish":
            refs = resource["expressions"]["policy"]["references"]
            resource["expressions"]["policy"]["references"] = ["path.module", *refs]
    path = write_plan(b)
    path.write_text(json.dumps(plan, indent=1))
    notes = _messages(lint(path))
    assert any("aws_iam_role_policy.publish.policy not evaluated: it depends on "
               "aws_s3_bucket.metrics.arn, which is known only after apply" in m
               for m in notes), notes
    assert not any("path.module" in m for m in notes), notes
