"""Fixtures for the audit tests: moto_server (IAM, S3, KMS, STS, Organizations and
Personalize schemas) on a free port of 127.0.0.1, the fake Personalize endpoint for the rest,
and an environment that points boto3 at both with dummy credentials."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The support modules beside this file (the fake endpoint, deployments, audit helpers) are
# imported by name; --import-mode=importlib does not put test folders on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_personalize import FakePersonalize
from world import Aws

from moto_server import moto_server, reset

ENV_DROP = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    # AWS managed policies stay unloaded: loading them costs seconds after every reset.
    with moto_server(log, {"MOTO_IAM_LOAD_MANAGED_POLICIES": "false"}) as url:
        yield url


@pytest.fixture(scope="session")
def fake(moto_url: str) -> Iterator[FakePersonalize]:
    server = FakePersonalize(moto_url).start()
    yield server
    server.stop()


def aws_env(moto_url: str, fake_url: str, home: Path) -> dict[str, str]:
    """Point the SDK at the local endpoints, never at a developer's real profile."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ENDPOINT_URL_PERSONALIZE": fake_url,
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@pytest.fixture
def aws(moto_url: str, fake: FakePersonalize, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """A clean account: moto and the fake reset, the environment pointed at them."""
    reset(moto_url)
    fake.reset()
    for name in ENV_DROP:
        monkeypatch.delenv(name, raising=False)
    for name, value in aws_env(moto_url, fake.url, tmp_path).items():
        monkeypatch.setenv(name, value)
    yield Aws(moto_url, fake, env=aws_env(moto_url, fake.url, tmp_path))
    assert not fake.violations, fake.violations  # every request and answer fit the model
