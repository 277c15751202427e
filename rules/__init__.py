"""Built-in rules of personalize-lint."""
