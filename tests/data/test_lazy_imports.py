"""Importing the data rules must not load the columnar engine (CLI start-up stays fast)."""

from __future__ import annotations

import ast
import subprocess
import sys


def heavy_modules_after(code: str, heavy: set[str]) -> list[str]:
    """Which of ``heavy`` a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport sys\nprint(sorted(set({sorted(heavy)!r}) & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(ast.literal_eval(out.stdout.strip()))


def test_rules_data_import_is_cheap() -> None:
    code = (
        "import personalize_lint.data.engine\n"
        "import personalize_lint.rules.data_header, personalize_lint.rules.data_duplicates\n"
        "import personalize_lint.rules.data_age, personalize_lint.rules.data_sources\n"
        "import personalize_lint.rules.data_format"
    )
    heavy = {"polars", "numpy", "duckdb", "pyarrow", "pandas", "boto3", "dask", "distributed"}
    assert heavy_modules_after(code, heavy) == []


def test_engine_choice_does_not_import_dask() -> None:
    # The CLI and the configuration know about --engine dask / [data]; Dask itself is
    # imported only when a Dask session is opened (checker/data/dask_engine.py).
    code = (
        "import personalize_lint.cli, personalize_lint.config, "
        "personalize_lint.data.engines, personalize_lint.data.engine_choice, "
        "personalize_lint.engine\n"
        "from personalize_lint.data.engines import EngineChoice, using\n"
        "with using(EngineChoice('local')) as session: assert session is None"
    )
    assert heavy_modules_after(code, {"dask", "distributed", "polars", "numpy"}) == []
