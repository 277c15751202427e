"""Every CloudFormation template of the shared corpus loads without a crash.

What fires per template is pinned below, against the corpus manifest's expectation; where
they differ the reason is in the comment. Most corpus templates define Personalize roles
and buckets but no ``AWS::Personalize::MetricAttribution``: they form no set-up, so their
policies get the rules a lone policy file gets (PL102, PL201/PL204 for documents naming
Personalize, PL203/PL304 for every bucket and key policy), and the role permission rules
(PL103-PL105), which need a set-up's output path and key, do not apply.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from helpers import run_cli, write

SAMPLES = "aws-samples__amazon-personalize-samples/"
VALIDATOR = "awslabs__aws-cloudformation-iam-policy-validator/"
GUIDE = "awsdocs__amazon-personalize-developer-guide/doc_source__creating-resources-with-"

FIRED: dict[str, set[str]] = {
    # Manifest: bucket policy OK, the SecureTransport Deny must not block. Agrees (no
    # PL201/PL202); PL204 adds that the grant has no aws:SourceAccount/SourceArn guard.
    # A fragment (resources only, no Resources section) is read as a template.
    f"{SAMPLES}getting_started__notebooks__3.Best_Practices-Clientside.ipynb"
    "__cell10_bucket_policy_fragment.yaml": {"PL204"},
    # Manifest: bucket OK; the role's S3 access comes from a ManagedPolicy attached through
    # Roles and PutMetricData from AmazonPersonalizeFullAccess. Without an attribution there
    # is no set-up to check the role against; named in a [[setup]] with one, it passes
    # (test_getting_started_links_managed_policies). PL102/PL204: no confused-deputy guard.
    f"{SAMPLES}getting_started__personalize_getting_started.yaml": {"PL102", "PL204"},
    f"{SAMPLES}next_steps__generative_ai__personalized_recommender_agent__"
    "personalizeCFRecommenderAgent.yaml": {"PL102", "PL204"},
    # Manifest FAIL: the bucket grants Personalize only Get/List. Agrees (PL201).
    f"{SAMPLES}next_steps__operations__ml_ops__personalize-step-functions__template.yaml":
        {"PL102", "PL201"},
    # Manifest: FAIL role (no PutMetricData), bucket OK. No attribution, no set-up: the
    # role's permissions are not checked (see the module docstring).
    "aws-samples__retail-demo-store/aws__cloudformation-templates__base__personalize.yaml":
        {"PL102", "PL204"},
    # Manifest FAIL EVENT_TYPE. The schema string is parsed (JSON string and folded YAML
    # scalar) and passes PL502-PL504; PL501 (EVENT_TYPE) is for the Interactions schema of a
    # dataset group with a metric attribution, and there is none.
    f"{GUIDE}cloudformation.md__block4.json": set(),
    f"{GUIDE}cloudformation.md__block5.yaml": set(),
    # n/a: no Personalize.
    f"{VALIDATOR}test_files__bad_template.json": set(),
    # MALFORMED: parse errors with line and column.
    f"{VALIDATOR}test_files__invalid_file.json": {"PL001"},
    f"{VALIDATOR}test_files__invalid_file.yaml": {"PL001"},
    # Manifest FAIL KMS (no Personalize in the key policy). A key policy that never names
    # Personalize is not judged alone: only a set-up whose output uses the key is (PL301).
    f"{VALIDATOR}test_files__kms_resource.yml": set(),
    # Manifest FAIL (bucket policies grant IAM users only). Same: not a Personalize bucket.
    f"{VALIDATOR}test_files__check_access_not_granted_test.yaml": set(),
    # n/a for Personalize, but a public key policy and a public bucket policy are reported
    # wherever they are (PL304, PL203).
    f"{VALIDATOR}test_files__public_access_test.yml": {"PL203", "PL304"},
    f"{VALIDATOR}test_files__test_file_2.yml": set(),
    # Manifest: typo'd action and Action "*", no Personalize: those checks (PL106) are for
    # Personalize roles only.
    f"{VALIDATOR}skills__iam-policy-validator__evaluations__fixtures__"
    "invalid-and-wildcard-policies.yaml": set(),
    f"{VALIDATOR}skills__iam-policy-validator__evaluations__fixtures__public-bucket.yaml":
        {"PL203"},
    # Manifest: bucket OK. Its ARNs come from a nested stack's outputs (unresolved), so the
    # lone bucket policy cannot be judged; no set-up, so no PL003 either.
    "aws-samples__amazon-personalize-immersion-day/PersonalizeIDPretrained.yaml": {"PL102"},
    # Manifest FAIL: Personalize may only Get/List the bucket. Agrees (PL201).
    "awslabs__amazon-personalize-optimizer-using-amazon-pinpoint-events/deployment__"
    "amazon-personalize-optimizer-using-amazon-pinpoint-events.template": {"PL102", "PL201"},
    # RED HERRING: PutMetricData for a Lambda role. Agrees (nothing).
    "aws-samples__amazon-personalize-monitor/template.yaml": set(),
    "aws-samples__amazon-personalize-automated-retraining/stack.template": set(),
}


def manifest_templates(corpus: Path) -> list[str]:
    text = (corpus / "MANIFEST.md").read_text(encoding="utf-8")
    return re.findall(r"^\| \d+ \| `([^`]+)` \|.*\| cfn-template \|", text, flags=re.M)


def test_the_pinned_table_covers_the_manifest(corpus_dir: Path) -> None:
    assert sorted(manifest_templates(corpus_dir)) == sorted(FIRED)


def test_every_template_loads_and_fires_what_is_pinned(corpus_dir: Path, lint) -> None:
    paths = [corpus_dir / name for name in manifest_templates(corpus_dir)]
    findings = lint(*paths, root=corpus_dir)
    fired: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        assert "internal error" not in f.message, f.message
        assert f.location.path in FIRED, f.location.path
        fired[f.location.path].add(f.rule_id)
    assert {name: fired.get(name, set()) for name in FIRED} == FIRED


def test_the_cli_reads_the_whole_corpus_of_templates(corpus_dir: Path) -> None:
    names = manifest_templates(corpus_dir)
    run = run_cli("check", "--format", "json", "--exit-zero", *names, cwd=corpus_dir)
    assert run.code == 0, run.err
    assert not run.err.strip() or "Traceback" not in run.err
    assert run.json()["findings"]


def test_getting_started_links_managed_policies(corpus_dir: Path, tmp_path: Path,
                                                lint) -> None:
    """Named in a [[setup]] with an attribution request, the getting-started template's
    role is found (CloudFormation generated its name), AmazonPersonalizeFullAccess lets it
    publish and the ManagedPolicy attached through Roles lets it write: no PL103/PL104."""
    template = corpus_dir / f"{SAMPLES}getting_started__personalize_getting_started.yaml"
    request = {
        "name": "demo",
        "datasetGroupArn": "arn:aws:personalize:us-east-1:123456789012:dataset-group/demo",
        "metrics": [{"eventType": "click", "metricName": "CLICKS",
                     "expression": "SAMPLECOUNT()"}],
        "metricsOutputConfig": {
            "roleArn": "arn:aws:iam::123456789012:role/demo-PersonalizeIamRole-1X2Y3Z4W5V6U",
            "s3DataDestination": {"path": "s3://personalizedemofirstnamelastname/metrics/"},
        },
    }
    write(tmp_path / "attribution.json", json.dumps(request))
    write(tmp_path / "personalize-lint.toml",
          f'[[setup]]\nname = "demo"\ntemplate = "{template}"\n'
          'metric-attribution = "attribution.json"\n')
    rules = sorted(f.rule_id for f in lint(root=tmp_path))
    # Left: no guard on the trust and the bucket grant, and no Interactions schema given.
    assert rules == ["PL003", "PL102", "PL204"]


@pytest.mark.parametrize("name", [
    f"{GUIDE}cloudformation.md__block4.json",
    f"{GUIDE}cloudformation.md__block5.yaml",
])
def test_schema_strings_are_parsed(corpus_dir: Path, name: str) -> None:
    from personalize_lint.cloudformation.linker import Linker
    from personalize_lint.cloudformation.template import Template
    from personalize_lint.loaders.base import LoadContext
    from personalize_lint.loaders.builtin import personalize_lint_load_file

    loaded = personalize_lint_load_file(corpus_dir / name, None, LoadContext(root=corpus_dir))
    template = Template.of(loaded.documents[0])
    assert template is not None
    views = Linker(template).standalone()
    schemas = [v for v in views if v.kind == "schema"]
    assert len(schemas) == 1
    avro = json.loads(schemas[0].data["schema"])
    assert [f["name"] for f in avro["fields"]] == ["USER_ID", "ITEM_ID", "TIMESTAMP"]
    assert schemas[0].location("/schema/fields").logical_id == "MySchema"
