"""Run by ``checkov --external-checks-dir``: registers personalize-lint's checks."""

from personalize_lint.integrations.checkov.checks import register

register()
