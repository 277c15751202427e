"""Errors that end a run with exit code 2 and a one-line message."""


class UsageError(Exception):
    """Bad command line, unreadable configuration, broken plugin: exit code 2."""
