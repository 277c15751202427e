"""Fixtures for the CloudFormation tests: templates in several spellings, and runs.

Each template under ``templates/`` is written once; ``render`` turns it into the other
spellings a team might use: JSON with long-form intrinsics (``{"Fn::Sub": ...}``, as CDK
and the console write), and YAML with long-form intrinsics (``Fn::Sub:`` keys). The
findings must be the same in every spelling, only the lines differ.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from personalize_lint.config import load_config
from personalize_lint.engine import CheckOptions, run_check
from personalize_lint.findings import Finding
from personalize_lint.loaders.jsonpos import parse_json
from personalize_lint.loaders.yamlpos import parse_yaml
from personalize_lint.plugins import make_plugin_manager

TEMPLATES = Path(__file__).parent / "templates"
def template_data(name: str) -> Any:
    """A template as plain data (short-form tags become their long form)."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    if name.endswith(".json"):
        return parse_json(text, max_depth=64).data
    return parse_yaml(text, max_depth=64, max_aliases=1000).data


def write_form(data: Any, form: str, path: Path) -> Path:
    if form == "json-long":
        path = path.with_suffix(".json")
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    else:
        path = path.with_suffix(".yaml")
        path.write_text(yaml.safe_dump(data, sort_keys=False, width=120), encoding="utf-8")
    return path


@pytest.fixture
def render(tmp_path: Path) -> Callable[[str, str], Path]:
    """render("role.yaml", form) -> a file in tmp_path holding that template in ``form``."""

    def make(name: str, form: str) -> Path:
        stem = tmp_path / Path(name).stem
        if form == "yaml-short" or (form == "json-long" and name.endswith(".json")):
            target = tmp_path / name
            shutil.copyfile(TEMPLATES / name, target)
            return target
        return write_form(template_data(name), form, stem)

    return make


Lint = Callable[..., list[Finding]]


@pytest.fixture
def lint() -> Lint:
    """Run a check in-process over ``paths`` from ``root``; PL409 (a cost note) is left out."""

    def run(*paths: Path, root: Path | None = None, ignore: Iterable[str] = ("PL409",),
            no_suppress: bool = False) -> list[Finding]:
        base = root or paths[0].parent
        config = load_config(None, base)
        pm = make_plugin_manager(autoload=False)
        options = CheckOptions(paths=list(paths), ignore=list(ignore), no_suppress=no_suppress)
        return run_check(config, pm, options).findings

    return run


def _keyed(findings: Iterable[Finding]) -> list[tuple[str, str | None, str]]:
    return sorted((f.rule_id, f.location.logical_id, f.location.pointer) for f in findings)


@pytest.fixture
def keyed() -> Callable[[Iterable[Finding]], list[tuple[str, str | None, str]]]:
    """(rule, logical ID, template pointer) of each finding, sorted."""
    return _keyed


@pytest.fixture
def templates() -> Path:
    return TEMPLATES


@pytest.fixture
def data_of() -> Callable[[str], Any]:
    """A template of templates/ as plain data (long-form intrinsics)."""
    return template_data
