"""Fixtures for the Terraform tests: plans written as files, and in-process runs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from personalize_lint.config import load_config
from personalize_lint.engine import CheckOptions, run_check
from personalize_lint.findings import Finding
from personalize_lint.plugins import make_plugin_manager

# The plan builder and the families live beside the tests that use them.
sys.path.insert(0, str(Path(__file__).parent))
from planbuilder import PlanBuilder

PLANS = Path(__file__).parent / "plans"

Lint = Callable[..., list[Finding]]


@pytest.fixture
def lint() -> Lint:
    """Run a check in-process over ``paths`` from ``root``; PL409 (a cost note) is left out."""

    def run(*paths: Path, root: Path | None = None, ignore: Iterable[str] = ("PL409",)
            ) -> list[Finding]:
        base = root or paths[0].parent
        config = load_config(None, base)
        pm = make_plugin_manager(autoload=False)
        options = CheckOptions(paths=list(paths), ignore=list(ignore))
        return run_check(config, pm, options).findings

    return run


@pytest.fixture
def write_plan(tmp_path: Path) -> Callable[..., Path]:
    """write_plan(builder, "plan.json", indent=1) -> the plan as a file in tmp_path."""

    def write(builder: PlanBuilder, name: str = "plan.json", indent: int | None = 1) -> Path:
        return builder.write(tmp_path / name, indent=indent)

    return write
