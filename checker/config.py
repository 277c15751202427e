"""Configuration: ``personalize-lint.toml`` or ``[tool.personalize-lint]`` in pyproject.toml.

A file that cannot be read at all (missing, bad TOML) is a usage error (exit 2). Problems
*inside* a readable configuration (unknown keys, bad values, files that do not exist, unknown
rule IDs) become PL004 findings so the rest of the run still goes on.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .data.engine_choice import ENGINES, EngineChoice
from .errors import UsageError
from .findings import LEVELS, Finding
from .inventory import SuppressionSpec
from .loaders.base import Limits
from .location import Location, Span

CONFIG_FILE = "personalize-lint.toml"
PYPROJECT = "pyproject.toml"
FAIL_ON_VALUES = ("error", "warning", "note", "never")

# Set-up keys, as in DESIGN.md: which take one path, which take lists, which are globs.
SINGLE_FILE_KEYS = (
    "metric-attribution",
    "role-trust-policy",
    "bucket-policy",
    "bucket-encryption",
    "key-policy",
    "interactions-schema",
    "items-schema",
    "users-schema",
    "template",
    "role-permissions-boundary",  # a file, or a managed policy ARN
    "key-grants",
    "terraform-plan",
)
LIST_FILE_KEYS = ("role-policies",)
GLOB_KEYS = ("interactions-data", "events")
VALUE_KEYS = ("name", "role-managed-policies")
STRING_VALUE_KEYS = ("bucket-account",)
# Organization policies: a list of files (one level), or a list of lists (levels, root
# first, account last); an entry may also name an organization policy (FullAWSAccess, ARN).
LEVEL_KEYS = ("service-control-policies", "resource-control-policies")
SETUP_KEYS = frozenset(SINGLE_FILE_KEYS + LIST_FILE_KEYS + GLOB_KEYS + VALUE_KEYS
                       + STRING_VALUE_KEYS + LEVEL_KEYS)
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
TOP_KEYS = frozenset({"as-of", "fail-on", "setup", "rules", "kinds", "limits", "data"})
RULES_KEYS = frozenset({"ignore", "select", "levels", "suppress"})
SUPPRESS_KEYS = frozenset({"rule", "path", "pointer", "logical-id", "arn", "reason"})
# [limits] keys and the Limits fields they set; values are positive integers.
LIMIT_KEYS = {
    "max-bytes": "max_bytes",
    "max-depth": "max_depth",
    "max-yaml-aliases": "max_yaml_aliases",
    "max-statements": "max_statements",
    "max-csv-record-bytes": "max_csv_record_bytes",
}

# [data] keys: where the interactions-data checks run (checker/data/engines.py).
DATA_KEYS = frozenset({"engine", "scheduler", "workers", "threads-per-worker", "worker-memory"})

# Kinds a user may force on files through the [kinds] table ("glob" = "kind").
FORCEABLE_KINDS = frozenset(
    {
        "policy",
        "identity-policy",
        "trust-policy",
        "bucket-policy",
        "key-policy",
        "schema",
        "metric-attribution",
        "putevents",
        "interactions",
        "cloudformation",
        "terraform-plan",
        "inventory",
        "ignore",
    }
)
RULE_ID = re.compile(r"^[A-Z]+[0-9]*$")


@dataclass
class SetupConfig:
    """One ``[[setup]]`` table, with paths still as written (relative to the config root)."""

    name: str
    index: int
    values: dict[str, Any]
    location: Location


@dataclass
class Config:
    path: Path | None
    root: Path
    as_of: datetime | None = None
    fail_on: str = "error"
    setups: list[SetupConfig] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)
    suppressions: list[SuppressionSpec] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    data_engine: EngineChoice = field(default_factory=EngineChoice)
    text: str = ""

    @property
    def display_path(self) -> str:
        if self.path is None:
            return "<config>"
        try:
            return self.path.relative_to(self.root).as_posix()
        except ValueError:
            return self.path.as_posix()


def find_config(start: Path) -> Path | None:
    """The nearest personalize-lint.toml, or pyproject.toml with our table, walking up."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "personalize-lint" in text and "tool" in _safe_toml(text)


def _toml() -> Any:
    """The TOML parser, imported when a file needs parsing (most runs find no config)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


def _safe_toml(text: str) -> dict[str, Any]:
    tomllib = _toml()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}
    tool = data.get("tool", {})
    return data if isinstance(tool, dict) and "personalize-lint" in tool else {}


def load_config(explicit: Path | None, cwd: Path) -> Config:
    """Read the configuration, or return the defaults when there is none."""
    path = explicit if explicit is not None else find_config(cwd)
    if path is None:
        return Config(path=None, root=cwd)
    if not path.is_file():
        raise UsageError(f"configuration file not found: {path}")
    tomllib = _toml()
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read configuration {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid TOML in {path}: {exc}") from exc
    path = path.resolve()
    config = Config(path=path, root=path.parent, text=text)
    if path.name == PYPROJECT:
        table = data.get("tool", {}).get("personalize-lint", {})
        prefix = "tool.personalize-lint."
    else:
        table, prefix = data, ""
    if not isinstance(table, dict):
        config.problems.append(_problem(config, f"{prefix or 'top level'} must be a table", ""))
        return config
    _parse(config, table, prefix)
    return config


def _parse(config: Config, table: dict[str, Any], prefix: str) -> None:
    for key in table:
        if key not in TOP_KEYS:
            config.problems.append(
                _problem(config, f"unknown configuration key '{prefix}{key}'", key)
            )
    if "as-of" in table:
        config.as_of = _parse_as_of(config, table["as-of"])
    fail_on = table.get("fail-on", "error")
    if fail_on in FAIL_ON_VALUES:
        config.fail_on = fail_on
    else:
        config.problems.append(
            _problem(
                config,
                f"fail-on must be one of {', '.join(FAIL_ON_VALUES)}, not {fail_on!r}",
                "fail-on",
            )
        )
    _parse_rules(config, table.get("rules", {}), prefix)
    _parse_kinds(config, table.get("kinds", {}))
    _parse_limits(config, table.get("limits", {}))
    _parse_data(config, table.get("data", {}))
    setups = table.get("setup", [])
    if not isinstance(setups, list):
        config.problems.append(
            _problem(config, f"'{prefix}setup' must be an array of tables ([[setup]])", "setup")
        )
        return
    seen: set[str] = set()
    for index, raw in enumerate(setups):
        setup = _parse_setup(config, index, raw, prefix)
        if setup is None:
            continue
        if setup.name in seen:
            config.problems.append(
                _problem(config, f"two set-ups are named {setup.name!r}", "name", setup_index=index)
            )
        seen.add(setup.name)
        config.setups.append(setup)


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 time; a bare date is midnight UTC; naive times are UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _parse_as_of(config: Config, value: Any) -> datetime | None:
    if isinstance(value, datetime):  # TOML has native datetimes
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError:
            pass
    config.problems.append(
        _problem(config, f"as-of must be an ISO 8601 time, not {value!r}", "as-of")
    )
    return None


def _parse_rules(config: Config, rules: Any, prefix: str) -> None:
    if not isinstance(rules, dict):
        config.problems.append(_problem(config, f"'{prefix}rules' must be a table", "rules"))
        return
    for key in rules:
        if key not in RULES_KEYS:
            config.problems.append(_problem(config, f"unknown key '{prefix}rules.{key}'", key))
    for key in ("ignore", "select"):
        ids = rules.get(key, [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            config.problems.append(_problem(config, f"rules.{key} must be a list of rule IDs", key))
            continue
        getattr(config, key).extend(i.strip().upper() for i in ids)
    if "suppress" in rules:
        _parse_suppressions(config, rules["suppress"])
    levels = rules.get("levels", {})
    if not isinstance(levels, dict):
        config.problems.append(_problem(config, "rules.levels must be a table", "levels"))
        return
    for rule_id, level in levels.items():
        if level not in (*LEVELS, "off"):
            config.problems.append(
                _problem(
                    config,
                    f"level of {rule_id} must be error, warning, note or off, not {level!r}",
                    rule_id,
                )
            )
            continue
        config.levels[rule_id.upper()] = level


def _parse_suppressions(config: Config, entries: Any) -> None:
    """``[[rules.suppress]]``: rule (ID or prefix), path glob, optional pointer / logical-id /
    arn, and a required reason (a suppression nobody can explain is not accepted)."""
    if not isinstance(entries, list):
        config.problems.append(
            _problem(
                config, "rules.suppress must be an array of tables ([[rules.suppress]])", "suppress"
            )
        )
        return
    for entry in entries:
        if not isinstance(entry, dict):
            config.problems.append(
                _problem(config, "rules.suppress entries must be tables", "suppress")
            )
            continue
        anchor = str(entry.get("rule", "suppress"))
        unknown = sorted(set(entry) - SUPPRESS_KEYS)
        if unknown:
            config.problems.append(
                _problem(
                    config,
                    f"unknown key(s) {', '.join(unknown)} in [[rules.suppress]] (expected "
                    f"{', '.join(sorted(SUPPRESS_KEYS))})",
                    unknown[0],
                )
            )
        values = {k: entry.get(k) for k in SUPPRESS_KEYS}
        if not all(v is None or isinstance(v, str) for v in values.values()):
            config.problems.append(
                _problem(config, "[[rules.suppress]] values must be strings", anchor)
            )
            continue
        if not values["rule"]:
            config.problems.append(_problem(config, "[[rules.suppress]] needs a rule", "suppress"))
            continue
        if not (values["reason"] or "").strip():
            config.problems.append(
                _problem(
                    config,
                    f"[[rules.suppress]] for {values['rule']} has no reason; say why the "
                    "finding is accepted",
                    anchor,
                )
            )
            continue
        config.suppressions.append(
            SuppressionSpec(
                rule=values["rule"].strip().upper(),
                reason=str(values["reason"]).strip(),
                path=values["path"],
                pointer=values["pointer"],
                logical_id=values["logical-id"],
                arn=values["arn"],
                origin=_locate(config, anchor),
            )
        )


def _parse_limits(config: Config, limits: Any) -> None:
    if not isinstance(limits, dict):
        config.problems.append(_problem(config, "limits must be a table", "limits"))
        return
    changes: dict[str, int] = {}
    for key, value in limits.items():
        if key not in LIMIT_KEYS:
            config.problems.append(
                _problem(
                    config, f"unknown limit {key!r} (expected one of {', '.join(LIMIT_KEYS)})", key
                )
            )
        elif not _is_positive_int(value):
            config.problems.append(
                _problem(config, f"limit {key} must be a positive integer, not {value!r}", key)
            )
        else:
            changes[LIMIT_KEYS[key]] = value
    config.limits = replace(config.limits, **changes)


def _parse_data(config: Config, data: Any) -> None:
    """``[data]``: engine ("local" or "dask"), scheduler (a Dask scheduler address; without
    one a LocalCluster is started), and for that LocalCluster workers, threads-per-worker
    and worker-memory (bytes, or a string such as "4GiB")."""
    if not isinstance(data, dict):
        config.problems.append(_problem(config, "data must be a table", "data"))
        return
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in DATA_KEYS:
            config.problems.append(
                _problem(
                    config,
                    f"unknown key 'data.{key}' (expected one of {', '.join(sorted(DATA_KEYS))})",
                    key,
                )
            )
        elif key == "engine" and value not in ENGINES:
            config.problems.append(
                _problem(
                    config, f"data.engine must be one of {', '.join(ENGINES)}, not {value!r}", key
                )
            )
        elif key in ("engine", "scheduler") and (not isinstance(value, str) or not value):
            config.problems.append(_problem(config, f"data.{key} must be a string", key))
        elif key in ("workers", "threads-per-worker") and not _is_positive_int(value):
            config.problems.append(
                _problem(config, f"data.{key} must be a positive integer, not {value!r}", key)
            )
        elif key == "worker-memory" and not _is_memory_size(value):
            config.problems.append(
                _problem(
                    config,
                    f"data.worker-memory must be bytes or a size such as \"4GiB\", not {value!r}",
                    key,
                )
            )
        else:
            changes[key.replace("-", "_")] = value  # the EngineChoice field of the same name
    config.data_engine = replace(
        config.data_engine,
        name=changes.pop("engine", config.data_engine.name),
        **changes,
    )


# What Dask's memory_limit takes as a string (dask.utils.parse_bytes, or "auto"): a number
# and a unit such as "4GiB", "512 MB", "1e9". Checked here so that a typo is PL004, not a
# cluster that fails to start (or, negative, refuses every task) mid-run.
_MEMORY_SIZE = re.compile(
    r" *((?-i:auto)|(\d+\.?\d*|\.\d+)(e[+-]?\d+)? *([kmgtp]i?b?|b)?|[kmgtp]i?b?|b) *",
    re.IGNORECASE,
)


def _is_positive_int(value: Any) -> bool:
    """A TOML integer of at least 1 (``true`` is not one, although Python says so)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_memory_size(value: Any) -> bool:
    """``[data] worker-memory``: positive bytes, or a size string Dask understands."""
    if isinstance(value, str):
        return _MEMORY_SIZE.fullmatch(value) is not None
    return _is_positive_int(value)


def _parse_kinds(config: Config, kinds: Any) -> None:
    if not isinstance(kinds, dict):
        config.problems.append(_problem(config, "kinds must be a table of glob = kind", "kinds"))
        return
    for pattern, kind in kinds.items():
        if kind not in FORCEABLE_KINDS:
            config.problems.append(
                _problem(
                    config,
                    f"unknown kind {kind!r} for {pattern!r}; expected one of "
                    f"{', '.join(sorted(FORCEABLE_KINDS))}",
                    pattern,
                )
            )
            continue
        config.kinds[pattern] = kind


def _parse_setup(config: Config, index: int, raw: Any, prefix: str) -> SetupConfig | None:
    location = _locate(config, "[[", setup_index=index)
    if not isinstance(raw, dict):
        config.problems.append(_problem(config, f"{prefix}setup[{index}] must be a table", ""))
        return None
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in SETUP_KEYS:
            config.problems.append(
                _problem(
                    config,
                    f"unknown set-up key '{key}' (expected one of {', '.join(sorted(SETUP_KEYS))})",
                    key,
                    setup_index=index,
                )
            )
            continue
        if key in LEVEL_KEYS:
            levels = _levels(value)
            if levels is None:
                config.problems.append(_problem(
                    config, f"set-up key '{key}' must be a list of files (one level) or a list "
                    "of lists of files (levels, root first, account last)", key,
                    setup_index=index))
                continue
            value = levels
        elif key in STRING_VALUE_KEYS:
            if not isinstance(value, str) or not ACCOUNT_ID.fullmatch(value):
                config.problems.append(_problem(
                    config, f"set-up key '{key}' must be a 12-digit account ID as a string, not "
                    f"{value!r}", key, setup_index=index))
                continue
        elif key in SINGLE_FILE_KEYS or key == "name":
            if not isinstance(value, str) or not value:
                config.problems.append(
                    _problem(config, f"set-up key '{key}' must be a string", key, setup_index=index)
                )
                continue
        else:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                config.problems.append(
                    _problem(
                        config,
                        f"set-up key '{key}' must be a list of strings",
                        key,
                        setup_index=index,
                    )
                )
                continue
        values[key] = value
    name = values.get("name") or f"setup-{index + 1}"
    return SetupConfig(name=name, index=index, values=values, location=location)


def _levels(value: Any) -> list[list[str]] | None:
    """[files] -> one level; [[files], ...] -> levels; None when it is neither."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        return None
    if all(isinstance(v, str) and v for v in value):
        return [list(value)]
    if all(isinstance(level, list) and level and all(isinstance(v, str) and v for v in level)
           for level in value):
        return [list(level) for level in value]
    return None


# TOML parsers give no positions; find a key's line in the text so PL004 can point at it.
def _locate(config: Config, key: str, *, setup_index: int | None = None) -> Location:
    display = config.display_path
    if not config.text:
        return Location(path=display)
    lines = config.text.splitlines()
    start = 0
    if setup_index is not None:
        headers = [
            i
            for i, line in enumerate(lines)
            if re.match(r"\s*\[\[\s*(tool\.personalize-lint\.)?setup\s*\]\]", line)
        ]
        if setup_index < len(headers):
            start = headers[setup_index]
            if key == "[[":
                col = lines[start].index("[") + 1
                return Location(
                    path=display, span=Span(start + 1, col, start + 1, len(lines[start]))
                )
    if key and key != "[[":
        pattern = re.compile(r"""(?:^|[\s{,])["']?""" + re.escape(key) + r"""["']?\s*=""")
        for number in range(start, len(lines)):
            found = pattern.search(lines[number])
            if found:
                col = found.start() + 1 + (found.group(0)[0] in " \t{,")
                return Location(
                    path=display, span=Span(number + 1, col, number + 1, len(lines[number]))
                )
    return Location(path=display, span=Span(1, 1, 1, 1))


def _problem(config: Config, message: str, key: str, *, setup_index: int | None = None) -> Finding:
    return Finding("PL004", message, _locate(config, key, setup_index=setup_index))


def config_problem(config: Config, message: str, key: str, setup_index: int | None) -> Finding:
    """A PL004 finding pointing at ``key`` (within the given set-up's table, if any)."""
    return _problem(config, message, key, setup_index=setup_index)
