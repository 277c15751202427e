"""Support for the differential test of the IAM evaluator against iam-simulate: the pair
generator (pairs), our side and the comparison rules (compare), the bridge to node
(simulate) and the known divergences (divergences)."""
