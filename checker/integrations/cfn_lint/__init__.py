"""personalize-lint's rules as a cfn-lint rules module::

    cfn-lint template.yaml -a personalize_lint.integrations.cfn_lint

cfn-lint (1.x) imports the module named by ``-a``/``--append-rules`` and instantiates every
``CloudFormationLintRule`` subclass it holds. This one holds one class per built-in rule and
level, named by its cfn-lint ID (``E9104``, ``W9104``, ``I9104`` for PL104; see
:mod:`personalize_lint.integrations.ids`). Each runs the engine on the template (once per
template, shared by all of them) and reports the findings of its rule at its level.
"""

from __future__ import annotations

from .rules import rule_classes

globals().update({cls.__name__: cls for cls in rule_classes()})
