"""Our rule IDs in the ID schemes of other tools, one fixed mapping each.

* cfn-lint: a level letter, then ``9`` (cfn-lint keeps ``(E|W|I)9xxx`` for users' rules),
  then the three digits of the PL number. The letter is the level of the finding (after the
  configuration's ``[rules.levels]``): ``PL104`` → ``E9104``, a warning of it ``W9104``, a
  note ``I9104``.
* checkov: ``CKV_PL_`` and the three digits: ``PL104`` → ``CKV_PL_104``.
"""

from __future__ import annotations

import re

CFN_LINT_LETTERS: dict[str, str] = {"error": "E", "warning": "W", "note": "I"}
_PL_ID = re.compile(r"PL(\d{3})")


def pl_digits(rule_id: str) -> str:
    match = _PL_ID.fullmatch(rule_id)
    if match is None:
        raise ValueError(f"not a built-in rule ID: {rule_id!r}")
    return match.group(1)


def cfn_lint_id(rule_id: str, level: str) -> str:
    """``cfn_lint_id("PL104", "error") == "E9104"``."""
    return f"{CFN_LINT_LETTERS[level]}9{pl_digits(rule_id)}"


def checkov_id(rule_id: str) -> str:
    """``checkov_id("PL104") == "CKV_PL_104"``."""
    return f"CKV_PL_{pl_digits(rule_id)}"
