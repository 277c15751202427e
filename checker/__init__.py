"""personalize-lint: a policy linter for Amazon Personalize metric attribution set-ups."""

__version__ = "0.1.0"
