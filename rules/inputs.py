"""PL0xx: inputs and the engine. Problems found while loading files and reading the
configuration are collected in the inventory; these rules report them."""

from __future__ import annotations

from collections.abc import Iterator

from personalize_lint.findings import Finding
from personalize_lint.inventory import Inventory
from personalize_lint.policy_shape import policy_problems, unwrap_policy
from personalize_lint.rule import RuleContext, rule

DOCS = "https://docs.aws.amazon.com/personalize/latest/dg/measuring-recommendation-impact.html"
IAM_GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"


def _problems(inventory: Inventory, rule_id: str) -> Iterator[Finding]:
    return (f for f in inventory.problems if f.rule_id == rule_id)


@rule(
    id="PL001",
    level="error",
    title="Input cannot be parsed",
    why="""
A file that does not parse cannot be checked, and AWS would reject it too (the CLI fails
with "Error parsing parameter" and IAM with MalformedPolicyDocument). The finding points at
the line and column where parsing stopped: JSON/YAML/CSV syntax, an encoding other than
UTF-8 (or a byte order mark), a duplicate JSON key (IAM keeps only one of them, silently),
or a document past a safety bound (size, nesting depth, YAML aliases).
""",
    fix="Fix the syntax at the position given; save the file as UTF-8 without a BOM; remove "
    "the duplicate key; split files that exceed the bounds.",
    example="""
// Wrong: trailing comma, duplicate "Effect"
{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "s3:PutObject",}]}
// Right
{"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}
""",
    source="https://www.rfc-editor.org/rfc/rfc8259",
    tags=("input", "syntax"),
)
def pl001(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    yield from _problems(inventory, "PL001")


@rule(
    id="PL002",
    level="error",
    title="Input has the wrong shape for its kind",
    why="""
A document can be valid JSON and still not be what AWS expects: a policy whose Statement is
a string, a statement without Effect or Action, both Action and NotAction, a Principal in an
identity policy, a request missing required members or carrying unknown ones. AWS rejects
such input at deploy time; the linter says so before.
""",
    fix="Follow the grammar of the document kind (IAM policy grammar, the CLI's "
    "--generate-cli-skeleton for requests).",
    example="""
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}
  ]
}
""",
    source=IAM_GRAMMAR,
    tags=("input", "shape"),
)
def pl002(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    yield from _problems(inventory, "PL002")
    for doc in inventory.documents:
        if doc.kind != "policy":
            continue
        policy, base = unwrap_policy(doc.data)
        for message, pointer in policy_problems(policy, doc.subkind or "unknown"):
            yield Finding("PL002", message, doc.location(base + pointer))


@rule(
    id="PL003",
    level="warning",
    title="Check not evaluated",
    why="""
A compliance checker fails closed: when a check lacks what it needs (a set-up publishes to
S3 but gives no bucket policy; an input could not be read; a condition key cannot be
resolved statically; an AWS call was denied), the check reports that it was not evaluated
instead of passing silently.
""",
    fix="Provide the missing input in the set-up (see the message), grant the auditor the "
    "read permission it lacks, or make the condition statically decidable.",
    example="""
[[setup]]
name = "retail"
metric-attribution = "personalize/metric-attribution.json"
bucket-policy = "s3/metrics-bucket-policy.json"   # was missing
""",
    source=DOCS,
    tags=("engine", "fail-closed"),
    security_severity=4.0,
)
def pl003(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    yield from _problems(inventory, "PL003")
    for setup in inventory.setups:
        for missing in setup.missing:
            yield Finding(
                "PL003",
                f"set-up {setup.name!r}: {missing.what} not evaluated: {missing.reason}",
                missing.location,
                setup=setup.name,
            )


@rule(
    id="PL004",
    level="error",
    title="Configuration is invalid",
    why="""
A typo in the configuration must not silently disable a check: an unknown key, a set-up
that names a file that does not exist, or an unknown rule ID would otherwise make the
linter check less than you think.
""",
    fix="Correct the key, path or rule ID named in the message (see `personalize-lint rules`).",
    example="""
[[setup]]
name = "retail"
bucket-policy = "s3/metrics-bucket-policy.json"   # not "bucket_policy"
""",
    source="https://github.com/personalize-lint/personalize-lint#configuration",
    tags=("engine", "config"),
)
def pl004(inventory: Inventory, ctx: RuleContext) -> Iterator[Finding]:
    yield from _problems(inventory, "PL004")
