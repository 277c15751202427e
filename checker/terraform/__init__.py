"""Terraform plans (``terraform show -json PLANFILE``) as set-ups.

The plan's resources are presented to the CloudFormation linker as resolved resources of
the equivalent CloudFormation types (``aws_iam_role`` as ``AWS::IAM::Role`` ...), so roles,
buckets, keys, schemas and their policies are built by the very code that builds them from
templates. Only :mod:`.plugin` is imported on every run; the rest when a plan is loaded.
"""
