"""personalize-lint: a policy linter for Amazon Personalize metric attribution set-ups.

The public plugin API: ``hookimpl``, ``rule``, ``Rule``, ``RuleContext`` and ``Finding``,
plus the inventory model in ``personalize_lint.inventory``.
"""

__version__ = "0.1.0"

from .findings import Finding
from .hookspecs import hookimpl
from .location import Location
from .rule import Rule, RuleContext, rule

__all__ = ["Finding", "Location", "Rule", "RuleContext", "__version__", "hookimpl", "rule"]
