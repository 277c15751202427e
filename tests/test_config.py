"""Configuration: personalize-lint.toml or [tool.personalize-lint], as in DESIGN.md."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from personalize_lint.config import find_config, load_config
from personalize_lint.errors import UsageError

FULL = """
as-of = "2026-11-30T00:00:00Z"
fail-on = "warning"

[[setup]]
name = "retail"
metric-attribution = "personalize/metric-attribution.json"
role-trust-policy  = "iam/personalize-trust.json"
role-policies      = ["iam/personalize-role-policy.json"]
role-managed-policies = ["arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess"]
bucket-policy      = "s3/metrics-bucket-policy.json"
bucket-encryption  = "s3/metrics-bucket-encryption.json"
key-policy         = "kms/metrics-key-policy.json"
interactions-schema = "personalize/interactions-schema.json"
items-schema       = "personalize/items-schema.json"
interactions-data  = ["data/interactions/*.csv"]
events             = ["events/*.json"]

[rules]
ignore = ["PL409"]
[rules.levels]
PL102 = "error"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_design_key_is_read(tmp_path: Path) -> None:
    write(tmp_path / "personalize-lint.toml", FULL)
    config = load_config(None, tmp_path)
    assert config.problems == []
    assert config.as_of == datetime(2026, 11, 30, tzinfo=timezone.utc)
    assert config.fail_on == "warning"
    assert config.ignore == ["PL409"]
    assert config.levels == {"PL102": "error"}
    (setup,) = config.setups
    assert setup.name == "retail"
    assert setup.values["role-policies"] == ["iam/personalize-role-policy.json"]
    assert setup.values["events"] == ["events/*.json"]
    assert setup.location.line == 5


def test_pyproject_table_is_found_by_walking_up(tmp_path: Path) -> None:
    body = (
        FULL.replace("[[setup]]", "[[tool.personalize-lint.setup]]")
        .replace("[rules]", "[tool.personalize-lint.rules]")
        .replace("[rules.levels]", "[tool.personalize-lint.rules.levels]")
    )
    head, _, tail = body.partition("[[tool")
    write(
        tmp_path / "pyproject.toml",
        "[project]\nname = 'x'\n\n[tool.personalize-lint]\n" + head + "[[tool" + tail,
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / "pyproject.toml"
    config = load_config(None, nested)
    assert config.problems == []
    assert [s.name for s in config.setups] == ["retail"]
    assert config.root == tmp_path.resolve()


def test_pyproject_without_our_table_is_not_a_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(tmp_path) is None
    assert load_config(None, tmp_path).path is None


def test_dedicated_file_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.personalize-lint]\nfail-on = 'note'\n")
    write(tmp_path / "personalize-lint.toml", "fail-on = 'warning'\n")
    assert load_config(None, tmp_path).fail_on == "warning"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("fail_on = 'error'\n", "unknown configuration key 'fail_on'", 1),
        ("fail-on = 'loud'\n", "fail-on must be one of", 1),
        ("as-of = 'yesterday'\n", "as-of must be an ISO 8601 time", 1),
        (
            "[[setup]]\nname = 'a'\nbucket_policy = 'x.json'\n",
            "unknown set-up key 'bucket_policy'",
            3,
        ),
        ("[[setup]]\nrole-policies = 3\n", "must be a list of strings", 2),
        ("[rules]\nlevels = { PL102 = 'fatal' }\n", "level of PL102 must be", 2),
        ("[rules]\nignored = ['PL409']\n", "unknown key 'rules.ignored'", 2),
        ("[kinds]\n'x/*.json' = 'bucket'\n", "unknown kind 'bucket'", 2),
        ("[[setup]]\nname = 'a'\n[[setup]]\nname = 'a'\n", "two set-ups are named 'a'", 4),
    ],
)
def test_problems_inside_a_readable_config_are_pl004(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    write(tmp_path / "personalize-lint.toml", text)
    config = load_config(None, tmp_path)
    assert [p.rule_id for p in config.problems] == ["PL004"]
    (problem,) = config.problems
    assert message in problem.message
    assert problem.location.path == "personalize-lint.toml"
    assert problem.location.line == line


@pytest.mark.parametrize("text", ["fail-on = \n", "[[setup]\n", "a = 'b' 'c'\n"])
def test_unreadable_toml_is_a_usage_error(tmp_path: Path, text: str) -> None:
    write(tmp_path / "personalize-lint.toml", text)
    with pytest.raises(UsageError, match="invalid TOML"):
        load_config(None, tmp_path)


def test_explicit_missing_config_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load_config(tmp_path / "nope.toml", tmp_path)


def test_toml_native_datetime_for_as_of(tmp_path: Path) -> None:
    write(tmp_path / "personalize-lint.toml", "as-of = 2026-11-01T12:00:00Z\n")
    assert load_config(None, tmp_path).as_of == datetime(2026, 11, 1, 12, tzinfo=timezone.utc)


def test_suppressions_with_reasons(tmp_path: Path) -> None:
    write(tmp_path / "personalize-lint.toml", """
[[rules.suppress]]
rule = "PL106"
path = "iam/legacy-*.json"
pointer = "/Statement/0"
reason = "legacy admin role, removal tracked in SEC-42"
""")
    config = load_config(None, tmp_path)
    assert config.problems == []
    (spec,) = config.suppressions
    assert (spec.rule, spec.path, spec.pointer, spec.kind) == (
        "PL106", "iam/legacy-*.json", "/Statement/0", "external")
    assert spec.reason.startswith("legacy admin role")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('rule = "PL106"\npath = "x.json"\n', "has no reason"),
        ('rule = "PL106"\nreason = "  "\n', "has no reason"),
        ('reason = "r"\n', "needs a rule"),
        ('rule = "PL106"\nreason = "r"\nfile = "x"\n', "unknown key(s) file"),
    ],
)
def test_bad_suppressions_are_pl004(tmp_path: Path, entry: str, message: str) -> None:
    write(tmp_path / "personalize-lint.toml", "[[rules.suppress]]\n" + entry)
    config = load_config(None, tmp_path)
    assert any(message in p.message for p in config.problems), config.problems
    assert all(p.rule_id == "PL004" for p in config.problems)


def test_limits(tmp_path: Path) -> None:
    write(tmp_path / "personalize-lint.toml",
          "[limits]\nmax-bytes = 1000\nmax-depth = 8\nmax-statements = 5\n"
          "max-csv-record-bytes = 4096\n")
    config = load_config(None, tmp_path)
    assert config.problems == []
    limits = config.limits
    assert (limits.max_bytes, limits.max_depth, limits.max_statements,
            limits.max_csv_record_bytes) == (1000, 8, 5, 4096)


@pytest.mark.parametrize(("text", "message"), [
    ("[limits]\nmax-depth = 0\n", "positive integer"),
    ("[limits]\nmax-depth = true\n", "positive integer"),
    ("[limits]\nmax_depth = 3\n", "unknown limit"),
])
def test_bad_limits_are_pl004(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "personalize-lint.toml", text)
    (problem,) = load_config(None, tmp_path).problems
    assert message in problem.message


def test_data_engine_settings(tmp_path: Path) -> None:
    write(tmp_path / "personalize-lint.toml",
          '[data]\nengine = "dask"\nscheduler = "tcp://10.1.2.3:8786"\nworkers = 4\n'
          'threads-per-worker = 2\nworker-memory = "4GiB"\n')
    config = load_config(None, tmp_path)
    assert config.problems == []
    choice = config.data_engine
    assert (choice.name, choice.scheduler, choice.workers, choice.threads_per_worker,
            choice.worker_memory) == ("dask", "tcp://10.1.2.3:8786", 4, 2, "4GiB")


def test_data_engine_defaults_to_local(tmp_path: Path) -> None:
    write(tmp_path / "personalize-lint.toml", 'fail-on = "error"\n')
    assert load_config(None, tmp_path).data_engine.name == "local"


@pytest.mark.parametrize(("text", "message"), [
    ('[data]\nengine = "spark"\n', "data.engine must be one of local, dask"),
    ("[data]\nworkers = 0\n", "data.workers must be a positive integer"),
    ('[data]\nthreads-per-worker = "2"\n', "data.threads-per-worker must be a positive integer"),
    ("[data]\nworker-memory = true\n", "data.worker-memory must be bytes"),
    # Dask would start no cluster for these (or, negative, refuse every task) mid-run.
    ("[data]\nworker-memory = -1\n", "data.worker-memory must be bytes"),
    ('[data]\nworker-memory = "lots"\n', "data.worker-memory must be bytes"),
    ('[data]\nworker-memory = "4\tGiB"\n', "data.worker-memory must be bytes"),
    ("[data]\nscheduler = 8786\n", "data.scheduler must be a string"),
    ("[data]\nnodes = 3\n", "unknown key 'data.nodes'"),
    ('data = "dask"\n', "data must be a table"),
])
def test_bad_data_settings_are_pl004(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "personalize-lint.toml", text)
    config = load_config(None, tmp_path)
    (problem,) = config.problems
    assert problem.rule_id == "PL004" and message in problem.message
    assert config.data_engine.name == "local"
