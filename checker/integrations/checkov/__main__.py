"""``python -m personalize_lint.integrations.checkov`` prints the folder to pass to
``checkov --external-checks-dir``."""

from __future__ import annotations

from . import EXTERNAL_CHECKS_DIR

print(EXTERNAL_CHECKS_DIR)
