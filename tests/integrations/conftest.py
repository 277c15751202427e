"""A venv of its own for checkov, kept between runs.

checkov pins dependencies (boto3, packaging, networkx ...) that the `test` extra cannot
share, so its tests run it from a separate venv: ``personalize-lint[checkov]`` from our
wheel, as a user installs it. The venv lives in pytest's cache (``.pytest_cache/d/``) and is
rebuilt only when the requirements change; our wheel is reinstalled when the source
changes. A file lock keeps xdist workers from building it twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from helpers import REPO

SOURCES = ("checker", "rules")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _requirements_key() -> str:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["checkov"]]
    return _digest(sys.version.encode(), *(w.encode() for w in wanted))


def _source_key() -> str:
    files = sorted(p for folder in SOURCES for p in (REPO / folder).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts)
    return _digest((REPO / "pyproject.toml").read_bytes(),
                   *(str(p.relative_to(REPO)).encode() + p.read_bytes() for p in files))


def _pip(python: Path, *args: str) -> None:
    run = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), *args],
                         capture_output=True, text=True, timeout=1200, check=False)
    assert run.returncode == 0, f"pip {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"


def _wheel(out: Path) -> Path:
    """Our wheel, built from a copy of the sources (an in-tree build would share build/
    with other tests building at the same time)."""
    copy = out / "src"
    for folder in SOURCES:
        shutil.copytree(REPO / folder, copy / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, copy / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(copy)], capture_output=True, check=True)
    return next(out.glob("personalize_lint-*.whl"))


@pytest.fixture(scope="session")
def checkov_bin(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``checkov`` command of a venv holding ``personalize-lint[checkov]``."""
    cache = Path(request.config.cache.mkdir("checkov-venv"))
    env = cache / "venv"
    python = env / "bin" / "python"
    with _locked(cache / "lock"):
        requirements = _requirements_key()
        marker = env / "requirements-key"
        if not marker.is_file() or marker.read_text() != requirements:
            shutil.rmtree(env, ignore_errors=True)
            venv.EnvBuilder(with_pip=False).create(env)
            wheel = _wheel(tmp_path_factory.mktemp("wheel"))
            _pip(python, "install", "-q", f"{wheel}[checkov]")
            marker.write_text(requirements)
            (env / "source-key").write_text(_source_key())
        source, installed = _source_key(), env / "source-key"
        if not installed.is_file() or installed.read_text() != source:
            wheel = _wheel(tmp_path_factory.mktemp("wheel"))
            _pip(python, "install", "-q", "--no-deps", "--force-reinstall", str(wheel))
            installed.write_text(source)
    return env / "bin" / "checkov"
