#!/usr/bin/env python3
"""Refresh rules/data/catalogue.json: the metadata of every built-in rule, from its module.

The rule registry registers the built-in rules from this file, so that a run imports only
the rule modules its inputs need (see rules/__init__.py). Run it after adding a rule or
changing a rule's metadata::

    python scripts/refresh_rule_catalogue.py           # rewrite the file
    python scripts/refresh_rule_catalogue.py --check   # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import json
import sys

from personalize_lint import rules


def render() -> str:
    catalogue = rules.catalogue_of(rules.builtin_rules())
    return json.dumps(catalogue, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args()
    text = render()
    current = rules.CATALOGUE.read_text("utf-8") if rules.CATALOGUE.is_file() else ""
    if args.check:
        if current != text:
            print(f"{rules.CATALOGUE} is stale: run {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    rules.CATALOGUE.parent.mkdir(exist_ok=True)
    rules.CATALOGUE.write_text(text, encoding="utf-8")
    print(f"wrote {rules.CATALOGUE} ({len(json.loads(text)['rules'])} rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
