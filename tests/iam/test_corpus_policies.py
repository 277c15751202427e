"""Every policy of the shared corpus, checked on its own with the PL1xx-PL3xx rules.

The manifest's kind column says what each file is (iam-policy, bucket-policy, key-policy,
trust-policy); the file is loaded the way a configuration forcing that kind loads it, and
every IAM/S3/KMS rule runs on it as a standalone document. Nothing may raise. Run with
``-s`` to see the table of what fired per file.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from personalize_lint.iam.context import Partial, Principal, Request, role_context
from personalize_lint.iam.evaluator import evaluate
from personalize_lint.inventory import Inventory
from personalize_lint.loaders.base import LoadContext
from personalize_lint.loaders.builtin import personalize_lint_load_file
from personalize_lint.rule import Rule, RuleContext
from personalize_lint.rules import bucket, kms, role

ACCOUNT = "123456789012"  # the account the corpus substituted into its files
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeRole"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KINDS = {"iam-policy": "identity-policy", "bucket-policy": "bucket-policy",
         "key-policy": "key-policy", "trust-policy": "trust-policy"}
ROW = re.compile(r"^\| *(\d+) *\| *`([^`]+)` *\|[^|]*\|[^|]*\|[^|]*\|[^|]*\| *([a-z-]+) *\|"
                 r" *([^|]*)\|")


def manifest_rows(corpus: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in (corpus / "MANIFEST.md").read_text("utf-8").splitlines():
        m = ROW.match(line)
        if m and m.group(3) in KINDS:
            rows.append((m.group(2), m.group(3), m.group(4).strip()))
    return rows


def all_rules() -> list[Rule]:
    return [v for m in (role, bucket, kms) for v in vars(m).values() if isinstance(v, Rule)]


def check_file(corpus: Path, rel: str, kind: str) -> tuple[list[str], list[str]]:
    """(rule ids that fired, load problems) for one corpus file checked on its own."""
    ctx = LoadContext(root=corpus)
    loaded = personalize_lint_load_file(corpus / rel, KINDS[kind], ctx)
    inventory = Inventory(documents=list(loaded.documents), standalone=list(loaded.documents),
                          problems=list(loaded.problems))
    rctx = RuleContext(as_of=datetime(2026, 11, 30, tzinfo=timezone.utc))
    fired = []
    for r in all_rules():
        assert r.check is not None
        fired.extend(f.rule_id if f.rule_id == r.id else f"{f.rule_id}({r.id})"
                     for f in r.check(inventory, rctx))
    return fired, [p.rule_id for p in loaded.problems]


def as_role_policy(corpus: Path, rel: str) -> str:
    """The evaluator's verdicts if this identity policy were the role's only policy:
    PutMetricData on "*", PutObject on the objects of the first bucket it names, and the
    four KMS actions on the first key it names (or any key)."""
    ctx = LoadContext(root=corpus)
    loaded = personalize_lint_load_file(corpus / rel, "identity-policy", ctx)
    if not loaded.documents:
        return "-"
    data = loaded.documents[0].data
    text = json.dumps(data)
    bucket = re.search(r"arn:aws:s3:::([a-z0-9.${}:-]+)", text)
    key = re.search(r"arn:aws:kms:[^\"]*:key/[^\"]+", text)
    rctx = role_context(role_arn=ROLE, account=ACCOUNT, region="us-east-1",
                        extra={"cloudwatch:namespace": "AWS/Personalize"})
    principal = Principal.role(ROLE)
    short = {"allowed": "ok", "denied": "no", "uncertain": "??"}
    out = []
    cw = evaluate(Request(principal, "cloudwatch:PutMetricData", "*", rctx),
                  identity_policies=[data])
    out.append(f"CW {short[cw.decision]}")
    name = bucket.group(1) if bucket else "amzn-s3-demo-bucket"
    s3 = evaluate(Request(principal, "s3:PutObject", Partial(f"arn:aws:s3:::{name}/*"), rctx),
                  identity_policies=[data])
    out.append(f"S3 {short[s3.decision]}")
    target = key.group(0) if key else KEY
    kms_ok = [evaluate(Request(principal, a, target, rctx), identity_policies=[data]).decision
              for a in ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey",
                        "kms:ListGrants")]
    out.append("KMS " + ("ok" if all(d == "allowed" for d in kms_ok) else
                         "??" if "uncertain" in kms_ok else "no"))
    return " ".join(out)


def test_every_corpus_policy_runs_without_error(corpus_dir: Path) -> None:
    rows = manifest_rows(corpus_dir)
    assert len(rows) == 58  # 34 iam + 18 bucket + 3 key + 3 trust in the manifest
    lines = ["| file | kind | loader | fired alone | as the role's only policy | manifest |",
             "|---|---|---|---|---|---|"]
    for rel, kind, expectation in rows:
        fired, problems = check_file(corpus_dir, rel, kind)
        role_view = as_role_policy(corpus_dir, rel) if kind == "iam-policy" else ""
        name = rel.split("/", 1)[1][-70:]
        lines.append(f"| {name} | {kind} | {','.join(problems) or '-'} | "
                     f"{','.join(sorted(fired)) or '-'} | {role_view} | {expectation[:90]} |")
    print("\n" + "\n".join(lines))


# A few files whose verdict is certain enough to pin down.
EXPECTED = [
    ("awsdocs__amazon-personalize-developer-guide/doc_source__granting-personalize-s3-access.md"
     "__block3.json", "bucket-policy", {"PL201"}),
    ("aws-samples__amazon-personalize-samples/getting_started__notebooks_managed_domains__"
     "Building_Your_First_Recommender_Ecommerce.ipynb__cell24_bucket_policy.json",
     "bucket-policy", {"PL201"}),
    ("awsdocs__amazon-personalize-developer-guide/doc_source__metric-attribution-requirements."
     "md__block2.json", "bucket-policy", {"PL204"}),
    ("awsdocs__amazon-personalize-developer-guide/doc_source__granting-personalize-key-access."
     "md__block0.json", "key-policy", set()),
    ("awsdocs__amazon-personalize-developer-guide/doc_source__cross-service-confused-deputy-"
     "prevention.md__block0.json", "trust-policy", {"PL101"}),  # "accountNumber" placeholder
    ("aws-samples__personalize-pet-recommendations/animal_recommender__animal_recommender_stack"
     ".py__personalize_bucket_policy_statement.json", "bucket-policy", {"PL201"}),
]


@pytest.mark.parametrize(("rel", "kind", "expected"), EXPECTED,
                         ids=[e[0].rsplit("__", 1)[-1] for e in EXPECTED])
def test_known_corpus_verdicts(corpus_dir: Path, rel: str, kind: str, expected: set[str]) -> None:
    fired, _ = check_file(corpus_dir, rel, kind)
    assert set(fired) == expected
