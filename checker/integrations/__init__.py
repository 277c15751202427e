"""Bridges that publish personalize-lint's rules inside other tools.

* :mod:`.scan` – one file through the engine (the same loaders, rules and configuration as
  ``personalize-lint check FILE``), with the findings that tool can show;
* :mod:`.cfn_lint` – a cfn-lint rules module (``cfn-lint TEMPLATE -a
  personalize_lint.integrations.cfn_lint``);
* :mod:`.checkov` – checkov external checks for CloudFormation and Terraform plans.

Nothing on personalize-lint's own start-up path imports this package: only cfn-lint and
checkov load it, and they are imported here only when they do.
"""
