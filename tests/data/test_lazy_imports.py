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
        "heavy = {'polars', 'numpy', 'duckdb', 'pyarrow', 'pandas', 'boto3'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
