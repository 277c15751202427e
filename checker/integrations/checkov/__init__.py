"""personalize-lint's rules as checkov external checks::

    checkov -d . --external-checks-dir "$(python -m personalize_lint.integrations.checkov)"

The folder :data:`EXTERNAL_CHECKS_DIR` holds one small file that checkov runs; it registers
``CKV_PL_nnn`` checks (one per built-in rule, see :mod:`personalize_lint.integrations.ids`)
for CloudFormation templates and Terraform plan JSON, defined in :mod:`.checks`. Importing
this package imports nothing of checkov.
"""

from __future__ import annotations

from pathlib import Path

EXTERNAL_CHECKS_DIR = Path(__file__).resolve().parent / "external"
