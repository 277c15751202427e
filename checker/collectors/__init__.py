"""Account audits: read-only collectors that fill the inventory from a live AWS account.

Only the modules that talk to AWS import boto3, and only when an audit runs: ``check``,
``rules`` and the replay of a saved inventory (:mod:`.saved`) never load it.
"""
