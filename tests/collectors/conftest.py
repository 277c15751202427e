"""Fixtures for the audit tests: moto_server (IAM, S3, KMS, STS, Organizations and
Personalize schemas) on a free port of 127.0.0.1, the fake Personalize endpoint for the rest,
and an environment that points boto3 at both with dummy credentials."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

# The support modules beside this file (the fake endpoint, deployments, audit helpers) are
# imported by name; --import-mode=importlib does not put test folders on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_personalize import FakePersonalize
from world import Aws

ENV_DROP = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    # AWS managed policies stay unloaded: loading them costs seconds after every reset.
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "false"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start: {log.read_text()}") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).close()
    fake.reset()
    for name in ENV_DROP:
        monkeypatch.delenv(name, raising=False)
    for name, value in aws_env(moto_url, fake.url, tmp_path).items():
        monkeypatch.setenv(name, value)
    yield Aws(moto_url, fake, env=aws_env(moto_url, fake.url, tmp_path))
    assert not fake.violations, fake.violations  # every request and answer fit the model
