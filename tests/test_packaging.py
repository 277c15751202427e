"""The wheel installs as users get it: personalize_lint and personalize_lint.rules only, a
console script that works, and third-party plugins found through the entry-point group."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from helpers import EXAMPLES, REPO, write

pytestmark = pytest.mark.slow

PLUGIN_MODULE = """
from personalize_lint import Finding, hookimpl, rule


@rule(id="ACME001", level="warning", title="Set-up has no explicit name",
      why="Unnamed set-ups are hard to find in reports.", fix="Add name = ... to the set-up.")
def unnamed_setup(inventory, ctx):
    for setup in inventory.setups:
        if setup.name.startswith("setup-"):
            yield Finding("ACME001", f"set-up {setup.name} has no name", setup.location)


@hookimpl
def personalize_lint_register_rules():
    return [unnamed_setup]
"""

PLUGIN_PYPROJECT = """
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "acme-personalize-rules"
version = "1.0"

[project.entry-points.personalize_lint]
acme = "acme_personalize_rules"
"""


def _build_wheel(source: Path, out: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = [w for w in out.glob("*.whl") if w.name.startswith(source.name.replace("-", "_"))]
    return wheel


def _clean_source(dest: Path) -> Path:
    """The files a wheel is built from, without the checkout's build/ and egg-info: a stale
    build/lib from an earlier run would put deleted modules back into the wheel."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, dest / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("checker", "rules"):
        shutil.copytree(REPO / folder, dest / folder, ignore=skip)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the personalize-lint wheel and a tiny plugin distribution.

    Dependencies come from the test environment through a .pth file, so the test needs no
    network; the packages under test are installed from their wheels only."""
    base = tmp_path_factory.mktemp("wheelvenv")
    wheels = base / "wheels"
    plugin_src = base / "acme-personalize-rules"
    write(plugin_src / "pyproject.toml", PLUGIN_PYPROJECT)
    write(plugin_src / "acme_personalize_rules.py", PLUGIN_MODULE)
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    # Dependencies (pluggy, PyYAML, ...) from this environment, not the package itself.
    (site / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    ours = _build_wheel(_clean_source(base / "personalize-lint"), wheels)
    plugin = _build_wheel(plugin_src, wheels)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            "--force-reinstall",
            str(ours),
            str(plugin),
        ],
        check=True,
        capture_output=True,
    )
    return env_dir


def _wheel_names(env_dir: Path) -> list[str]:
    wheel = next((env_dir.parent / "wheels").glob("personalize_lint-*.whl"))
    return zipfile.ZipFile(wheel).namelist()


def test_wheel_has_no_generic_top_level_packages(installed: Path) -> None:
    tops = {name.split("/")[0] for name in _wheel_names(installed)}
    assert "checker" not in tops and "rules" not in tops
    assert "personalize_lint" in tops
    names = _wheel_names(installed)
    assert "personalize_lint/rules/__init__.py" in names
    assert "personalize_lint/schemas/findings-report.schema.json" in names


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    for folder, package in (
        (REPO / "checker", "personalize_lint"),
        (REPO / "rules", "personalize_lint.rules"),
    ):
        for init in folder.rglob("__init__.py"):
            name = ".".join((package, *init.parent.relative_to(folder).parts))
            assert name in listed, f"{name} is missing from [tool.setuptools] packages"


def _run(
    env_dir: Path, *args: str, cwd: Path, autoload: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PERSONALIZE_LINT_DISABLE_PLUGIN_AUTOLOAD", None)
    if not autoload:
        env["PERSONALIZE_LINT_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [str(env_dir / "bin" / "personalize-lint"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_console_script_from_the_wheel_runs_the_examples(installed: Path) -> None:
    good = _run(installed, "check", ".", cwd=EXAMPLES / "compliant")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = _run(installed, "check", ".", cwd=EXAMPLES / "broken")
    assert bad.returncode == 1
    assert "PL001" in bad.stdout


def test_entry_point_plugin_is_listed_and_fires(installed: Path, tmp_path: Path) -> None:
    listed = _run(installed, "rules", cwd=tmp_path)
    assert "ACME001" in listed.stdout
    write(tmp_path / "personalize-lint.toml", "[[setup]]\n")
    fired = _run(installed, "check", "--fail-on", "warning", "--format", "json", cwd=tmp_path)
    assert fired.returncode == 1, fired.stderr
    assert "ACME001" in fired.stdout


def test_autoload_can_be_disabled_and_plugin_loaded_explicitly(
    installed: Path, tmp_path: Path
) -> None:
    off = _run(installed, "rules", cwd=tmp_path, autoload=False)
    assert "ACME001" not in off.stdout
    explicit = _run(
        installed, "rules", "--plugin", "acme_personalize_rules", cwd=tmp_path, autoload=False
    )
    assert "ACME001" in explicit.stdout


def test_the_core_install_does_not_pull_dask(installed: Path) -> None:
    # Issue 14: `pip install personalize-lint` stays light; Dask comes with the `dask` extra
    # (with what the data checks need on every worker). Read from the wheel's METADATA, which
    # is what pip resolves.
    wheel = zipfile.ZipFile(next((installed.parent / "wheels").glob("personalize_lint-*.whl")))
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [line.split(":", 1)[1].strip()
                for line in wheel.read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist:")]
    core = [r for r in requires if "extra ==" not in r]
    assert core and not [r for r in core if r.lower().startswith(("dask", "distributed"))]
    dask_extra = {r.split(";")[0].split(">")[0].strip() for r in requires
                  if 'extra == "dask"' in r}
    assert {"dask[distributed]", "polars", "numpy"} <= dask_extra, requires
