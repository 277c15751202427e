"""The cfn-lint rule classes, made from the built-in rules' metadata."""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from ...plugins import collect_rules, make_plugin_manager
from ...rule import Rule
from ..ids import CFN_LINT_LETTERS, cfn_lint_id
from .matches import template_matches

HOMEPAGE = "https://github.com/personalize-lint/personalize-lint"


class PersonalizeLintRule(CloudFormationLintRule):
    """Reports the findings of one built-in rule at one level (``id`` says which)."""

    pl_id: ClassVar[str] = ""

    def match(self, cfn: Template) -> list[RuleMatch]:
        return template_matches(cfn).get(self.id, [])


def rule_classes() -> list[type[PersonalizeLintRule]]:
    """One subclass per built-in rule and level, named by its cfn-lint ID."""
    rules = collect_rules(make_plugin_manager(autoload=False))
    return [_rule_class(rule, level) for rule in rules.values() for level in CFN_LINT_LETTERS]


def _rule_class(rule: Rule, level: str) -> type[PersonalizeLintRule]:
    rule_id = cfn_lint_id(rule.id, level)
    attributes: dict[str, Any] = {
        "__doc__": f"{rule.id} {rule.title} (findings at level {level})",
        "__module__": "personalize_lint.integrations.cfn_lint",
        "id": rule_id,
        "pl_id": rule.id,
        "shortdesc": f"{rule.id} {rule.title}",
        "description": rule.why,
        "source_url": rule.source or HOMEPAGE,
        "tags": ["personalize-lint", *rule.tags],
    }
    return type(rule_id, (PersonalizeLintRule,), attributes)
