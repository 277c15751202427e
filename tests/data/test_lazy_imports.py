"""Importing the data rules must not load the columnar engine (CLI start-up stays fast)."""

from __future__ import annotations

import subprocess
import sys


def test_rules_data_import_is_cheap() -> None:
    code = (
        "import sys, personalize_lint.rules.data, personalize_lint.data.engine; "
        "heavy = {'polars', 'numpy', 'duckdb', 'pyarrow', 'pandas', 'boto3'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
