"""Importing the data rules must not load the columnar engine (CLI start-up stays fast)."""

from __future__ import annotations

import subprocess
import sys


def test_rules_data_import_is_cheap() -> None:
    code = (
        "import sys, personalize_lint.data.engine; "
        "import personalize_lint.rules.data_header, personalize_lint.rules.data_duplicates; "
        "import personalize_lint.rules.data_age, personalize_lint.rules.data_sources; "
        "import personalize_lint.rules.data_format; "
        "heavy = {'polars', 'numpy', 'duckdb', 'pyarrow', 'pandas', 'boto3', 'dask', "
        "'distributed'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_engine_choice_does_not_import_dask() -> None:
    # The CLI and the configuration know about --engine dask / [data]; Dask itself is
    # imported only when a Dask session is opened (checker/data/dask_engine.py).
    code = (
        "import sys, personalize_lint.cli, personalize_lint.config, "
        "personalize_lint.data.engines, personalize_lint.data.engine_choice, "
        "personalize_lint.engine; "
        "from personalize_lint.data.engines import EngineChoice, using\n"
        "with using(EngineChoice('local')) as session: assert session is None\n"
        "heavy = {'dask', 'distributed', 'polars', 'numpy'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
