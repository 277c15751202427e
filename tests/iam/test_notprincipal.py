"""NotPrincipal in resource policies, for the Personalize role's sessions. Found by the
differential test against iam-simulate (tests/iam/differential); each case quotes the IAM
user guide sentence that decides it."""

from __future__ import annotations

from typing import Any

import pytest

from personalize_lint.iam.evaluator import evaluate

from .test_evaluator import ACCOUNT, OBJECTS, ROLE, allow, policy, role_request

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/PersonalizeRole/personalize-session"
BOUNDARY = policy(allow("s3:PutObject", "arn:aws:s3:::metrics-bucket/*"))
IDENTITY = policy(allow("s3:PutObject", "arn:aws:s3:::metrics-bucket/*"))


def statement(effect: str, *listed: str) -> dict[str, Any]:
    return {"Effect": effect, "NotPrincipal": {"AWS": list(listed)}, "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::metrics-bucket/*"}


def decide(statements: list[dict[str, Any]], identity: bool = False,
           boundary: bool = False) -> str:
    return evaluate(
        role_request("s3:PutObject", OBJECTS),
        identity_policies=[IDENTITY] if identity else [],
        resource_policy=policy(*statements), resource_kind="s3",
        permissions_boundary=BOUNDARY if boundary else None,
    ).decision


# "When you use NotPrincipal with Deny, you must also specify the account ARN of the
# not-denied principal. Otherwise, the policy might deny access to the entire account
# containing the principal. [...] If an assumed-role user (someone who is using a role) is
# being evaluated, AWS might validate the account first, then the role, and then the
# assumed-role user." (IAM user guide, "AWS JSON policy elements: NotPrincipal")
DENY_CASES = [
    ("role and account listed: not denied", (ROLE, ROOT), "allowed"),
    ("session, role and account listed: not denied", (SESSION, ROLE, ROOT), "allowed"),
    ("role only: the account is denied, so the role is", (ROLE,), "denied"),
    ("account only: the role itself is not excepted", (ROOT,), "denied"),
    ("account id only", (ACCOUNT,), "denied"),
]


@pytest.mark.parametrize(("listed", "expected"), [c[1:] for c in DENY_CASES],
                         ids=[c[0] for c in DENY_CASES])
def test_deny_with_notprincipal(listed: tuple[str, ...], expected: str) -> None:
    assert decide([statement("Deny", *listed)], identity=True) == expected


# "Don't use resource-based policy statements that include a NotPrincipal policy element
# with a Deny effect for IAM users or roles that have a permissions boundary policy
# attached. The NotPrincipal element with a Deny effect will always deny any IAM principal
# that has a permissions boundary policy attached, regardless of the values specified in
# the NotPrincipal element." (IAM user guide, "Permissions boundaries for IAM entities")
def test_deny_with_notprincipal_always_denies_a_role_with_a_boundary() -> None:
    excepted = [statement("Deny", SESSION, ROLE, ROOT)]
    assert decide(excepted, identity=True) == "allowed"
    assert decide(excepted, identity=True, boundary=True) == "denied"
    assert evaluate(role_request("s3:PutObject", OBJECTS), identity_policies=[IDENTITY],
                    resource_policy=policy(*excepted), resource_kind="s3",
                    permissions_boundary=BOUNDARY).explicit_deny


# "We strongly recommend that you do not use NotPrincipal in the same policy statement as
# "Effect": "Allow". Doing so allows all principals except the one named in the
# NotPrincipal element." (IAM user guide, "AWS JSON policy elements: NotPrincipal"). With
# the sentence above on how a role session is evaluated (account, then role, then
# session): an Allow that names the role leaves it only the grant its account gets, which
# delegates to the role's own policies; one that names only the account still grants the
# role.
ALLOW_CASES = [
    ("another role listed: granted", (f"arn:aws:iam::{ACCOUNT}:role/Other",), False, "allowed"),
    ("account only listed: the role is still granted", (ROOT,), False, "allowed"),
    ("role listed: no grant of its own", (ROLE,), False, "denied"),
    ("session listed: no grant of its own", (SESSION,), False, "denied"),
    ("role listed, identity policy grants", (ROLE,), True, "allowed"),
    ("role and account listed, identity policy grants", (ROLE, ROOT), True, "allowed"),
    ("role and account listed: nothing granted", (ROLE, ROOT), False, "denied"),
]


@pytest.mark.parametrize(("listed", "identity", "expected"), [c[1:] for c in ALLOW_CASES],
                         ids=[c[0] for c in ALLOW_CASES])
def test_allow_with_notprincipal(listed: tuple[str, ...], identity: bool, expected: str) -> None:
    assert decide([statement("Allow", *listed)], identity=identity) == expected


def test_allow_with_notprincipal_across_accounts_still_needs_the_identity_grant() -> None:
    # Cross-account: the account-level grant delegates to the role's own policies.
    result = evaluate(role_request("s3:PutObject", OBJECTS), identity_policies=[],
                      resource_policy=policy(statement("Allow", "arn:aws:iam::1:root")),
                      resource_kind="s3", same_account=False)
    assert result.denied
