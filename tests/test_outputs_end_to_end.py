"""Real output of real runs validates: SARIF against the official 2.1.0 schema, JSON against
the schema shipped in the package."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from helpers import EXAMPLES, run_cli


@pytest.fixture(scope="module")
def broken_sarif() -> dict[str, object]:
    run = run_cli("check", ".", "--format", "sarif", cwd=EXAMPLES / "broken")
    assert run.code == 1, run.err
    return json.loads(run.out)


def test_sarif_of_the_broken_example_validates(broken_sarif: dict[str, object],
                                               sarif_schema_path: Path) -> None:
    schema = json.loads(sarif_schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(broken_sarif), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_fits_github_code_scanning(broken_sarif: dict[str, object]) -> None:
    run = broken_sarif["runs"][0]  # type: ignore[index]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "PL001" in rules
    for result in run["results"]:
        rule = rules[result["ruleId"]]
        assert rule["properties"]["security-severity"]
        assert rule["help"]["markdown"] and rule["helpUri"].startswith("http")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]
    assert run["automationDetails"]["id"].startswith("personalize-lint/")
    assert run["tool"]["driver"]["version"]


def test_json_output_validates_against_the_shipped_schema(corpus_dir: Path) -> None:
    schema_text = (resources.files("personalize_lint") / "schemas" /
                   "findings-report.schema.json").read_text(encoding="utf-8")
    schema = json.loads(schema_text)
    for cwd, args in ((EXAMPLES / "broken", ["."]), (EXAMPLES / "compliant", ["."]),
                      (corpus_dir, ["."])):
        run = run_cli("check", *args, "--format", "json", cwd=cwd)
        assert run.code in (0, 1), run.err
        jsonschema.validate(json.loads(run.out), schema)


def test_sarif_of_the_whole_corpus_validates(corpus_dir: Path, sarif_schema_path: Path) -> None:
    run = run_cli("check", ".", "--format", "sarif", cwd=corpus_dir)
    assert run.code in (0, 1), run.err
    assert "Traceback" not in run.err
    schema = json.loads(sarif_schema_path.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(json.loads(run.out))
