"""Plan JSON as ``terraform show -json PLANFILE`` writes it, from a compact description.

Written from Terraform's "JSON Output Format" (internals/json-format) and checked against
real plans in public repositories: ``resource_changes`` entries with ``change.after`` (values
known before apply, unknown ones left out), ``after_unknown`` (``true`` where a value is
known only after apply, the known structure kept as ``{}``/``[]``), ``after_sensitive``;
``planned_values`` (the values representation, unknown values omitted); data sources read
while planning in ``prior_state`` only; and ``configuration`` with each attribute's
expression: ``constant_value``, or the ``references`` it makes ("Multi-step references will
be unwrapped and duplicated for each significant traversal step").

A value is a constant, a :class:`Ref` to another instance's attribute, or a :class:`Fmt`
string interpolating refs. A ref to a value known while planning gives that value; a ref
to one known only after apply (an attribute the provider computes) makes the value unknown,
as Terraform does. Lists of dicts are nested blocks; lists of scalars are attributes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
UNKNOWN = object()


@dataclass(frozen=True)
class Ref:
    """``aws_iam_role.metrics.arn`` (``attribute`` None: the whole object)."""

    target: str
    attribute: str | None = None

    def texts(self) -> list[str]:
        whole = self.target
        return [f"{whole}.{self.attribute}", whole] if self.attribute else [whole]


@dataclass(frozen=True)
class Var:
    """``var.name`` inside a module: the value the module call passes."""

    name: str


@dataclass(frozen=True)
class Fmt:
    """A template string: ``Fmt("s3://{}/out/", Ref("aws_s3_bucket.b", "bucket"))``."""

    text: str
    refs: tuple[Any, ...]

    def __init__(self, text: str, *refs: Any) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "refs", refs)


@dataclass(frozen=True)
class Encode:
    """``jsonencode(...)`` of a value that may hold refs: unknown if any ref is unknown."""

    value: Any


def doc(policy: dict[str, Any]) -> str:
    """A policy as jsonencode() writes it (compact, keys sorted)."""
    return json.dumps(policy, separators=(",", ":"), sort_keys=True)


@dataclass
class Resource:
    address: str
    mode: str
    type: str
    name: str
    module: str
    config: dict[str, Any]
    computed: tuple[str, ...]
    actions: list[str]
    index: Any = None
    after: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, Any] = field(default_factory=dict)
    deferred: bool = False  # a data source read during apply

    @property
    def local(self) -> str:
        base = f"{self.type}.{self.name}"
        return f"data.{base}" if self.mode == "data" else base


class PlanBuilder:
    def __init__(self, *, terraform_version: str = "1.9.8", format_version: str = "1.2",
                 region: str | None = REGION) -> None:
        self.terraform_version = terraform_version
        self.format_version = format_version
        self.region = region
        self.resources: list[Resource] = []
        self.module_inputs: dict[str, dict[str, Any]] = {}

    # -- describing ----------------------------------------------------------------------

    def resource(self, kind: str, name: str, config: dict[str, Any], *,
                 computed: tuple[str, ...] = ("id",), module: str = "",
                 actions: tuple[str, ...] = ("create",), index: Any = None) -> str:
        return self._add("managed", kind, name, config, computed, module, list(actions), index)

    def data(self, kind: str, name: str, values: dict[str, Any], *, module: str = "",
             deferred: bool = False, computed: tuple[str, ...] = ("id",)) -> str:
        address = self._add("data", kind, name, values, computed, module, ["read"], None)
        self.resources[-1].deferred = deferred
        return address

    def module(self, name: str, inputs: dict[str, Any]) -> str:
        self.module_inputs[name] = inputs
        return f"module.{name}"

    def _add(self, mode: str, kind: str, name: str, config: dict[str, Any],
             computed: tuple[str, ...], module: str, actions: list[str], index: Any) -> str:
        prefix = f"module.{module}." if module else ""
        local = f"{'data.' if mode == 'data' else ''}{kind}.{name}"
        suffix = "" if index is None else f"[{json.dumps(index)}]"
        address = f"{prefix}{local}{suffix}"
        self.resources.append(Resource(address, mode, kind, name, module, config, computed,
                                       actions, index))
        return address

    # -- evaluating ----------------------------------------------------------------------

    def _find(self, module: str, target: str) -> Resource:
        for r in self.resources:
            if r.module == module and r.local == target.split("[")[0]:
                return r
        raise KeyError(target)

    def _value(self, module: str, value: Any) -> Any:
        """The value before apply, or UNKNOWN (a dict/list keeps known members)."""
        if isinstance(value, Ref):
            target = self._find(module, value.target)
            self._evaluate(target)
            if value.attribute is None:
                return UNKNOWN
            if value.attribute in target.unknown and target.unknown[value.attribute] is True:
                return UNKNOWN
            if value.attribute in target.computed and value.attribute not in target.after:
                return UNKNOWN
            return target.after.get(value.attribute)
        if isinstance(value, Var):
            return self._value("", self.module_inputs[module][value.name])
        if isinstance(value, Encode):
            inner = self._value(module, value.value)
            return UNKNOWN if _has_unknown(inner) else doc(inner)
        if isinstance(value, Fmt):
            parts = [self._value(module, r) for r in value.refs]
            return UNKNOWN if any(p is UNKNOWN for p in parts) else value.text.format(*parts)
        if isinstance(value, dict):
            return {k: self._value(module, v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(module, v) for v in value]
        return value

    def _evaluate(self, r: Resource) -> None:
        if r.after or r.unknown:
            return
        after, unknown = _split({k: self._value(r.module, v) for k, v in r.config.items()})
        for name in r.computed:
            if name not in r.config:
                unknown[name] = True
        if r.deferred:
            for name in after:
                if name in ("json", "id"):
                    unknown[name] = True
            after = {k: v for k, v in after.items() if k not in ("json", "id")}
        r.after, r.unknown = after, unknown

    def _expression(self, module: str, value: Any) -> Any:
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return [{k: self._expression(module, v) for k, v in item.items()} for item in value]
        refs = _refs(value)
        if refs:
            return {"references": refs}
        return {"constant_value": self._value(module, value)}

    # -- writing -------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        for r in self.resources:
            self._evaluate(r)
        changes, prior, planned = [], [], []
        for r in self.resources:
            values = {"address": r.address, "mode": r.mode, "type": r.type, "name": r.name,
                      **({"index": r.index} if r.index is not None else {}),
                      "provider_name": _provider(r.type), "schema_version": 0}
            if r.mode == "data" and not r.deferred:
                prior.append((r.module, {**values, "values": r.after, "sensitive_values": {}}))
                continue
            change = {
                "address": r.address,
                **({"module_address": f"module.{r.module}"} if r.module else {}),
                "mode": r.mode, "type": r.type, "name": r.name,
                **({"index": r.index} if r.index is not None else {}),
                "provider_name": _provider(r.type),
                "change": {"actions": r.actions, "before": None, "after": r.after,
                           "after_unknown": r.unknown, "before_sensitive": False,
                           "after_sensitive": _sensitive_shape(r.after)},
            }
            if r.deferred:
                change["action_reason"] = "read_because_config_unknown"
            changes.append(change)
            planned.append((r.module, {**values, "values": r.after,
                                       "sensitive_values": _sensitive_shape(r.after)}))
        plan: dict[str, Any] = {
            "format_version": self.format_version,
            "terraform_version": self.terraform_version,
            "planned_values": {"root_module": _module_values(planned)},
            "resource_changes": changes,
            "prior_state": {"format_version": "1.0",
                            "terraform_version": self.terraform_version,
                            "values": {"root_module": _module_values(prior)}},
            "configuration": self._configuration(),
            "timestamp": "2026-11-30T10:00:00Z",
            "errored": False,
        }
        return plan

    def _configuration(self) -> dict[str, Any]:
        def resources(module: str) -> list[dict[str, Any]]:
            out = []
            seen: set[str] = set()
            for r in self.resources:
                if r.module != module or r.local in seen:
                    continue
                seen.add(r.local)
                out.append({"address": r.local, "mode": r.mode, "type": r.type, "name": r.name,
                            "provider_config_key": _provider_key(r.type),
                            "expressions": {k: self._expression(module, v)
                                            for k, v in r.config.items()},
                            "schema_version": 0})
            return out

        root: dict[str, Any] = {"resources": resources("")}
        if self.module_inputs:
            root["module_calls"] = {
                name: {"source": f"./modules/{name}",
                       "expressions": {k: self._expression("", v) for k, v in inputs.items()},
                       "module": {"resources": resources(name)}}
                for name, inputs in self.module_inputs.items()}
        providers: dict[str, Any] = {"aws": {"name": "aws",
                                             "full_name": "registry.terraform.io/hashicorp/aws"}}
        if self.region:
            providers["aws"]["expressions"] = {"region": {"constant_value": self.region}}
        if any(r.type.startswith("awscc_") for r in self.resources):
            providers["awscc"] = {"name": "awscc",
                                  "full_name": "registry.terraform.io/hashicorp/awscc"}
        return {"provider_config": providers, "root_module": root}

    def write(self, path: Path, *, indent: int | None = None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.build(), indent=indent) + "\n", encoding="utf-8")
        return path


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(after, after_unknown) for evaluated values (UNKNOWN where not known)."""
    after: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, value in values.items():
        a, u = _split_value(value)
        if a is not UNKNOWN:
            after[key] = a
        if u is True or u:
            unknown[key] = u
        elif isinstance(value, list | dict):
            unknown[key] = u  # the known structure: {} or [] (as Terraform writes it)
    return after, unknown


def _split_value(value: Any) -> tuple[Any, Any]:
    if value is UNKNOWN:
        return UNKNOWN, True
    if isinstance(value, dict):
        return _split(value)
    if isinstance(value, list):
        pairs = [_split_value(v) for v in value]
        after = [None if a is UNKNOWN else a for a, _ in pairs]
        mask = [u if u is True or u else False for _, u in pairs]
        return after, (mask if any(m is not False for m in mask) else [])
    return value, False


def _refs(value: Any) -> list[str]:
    found: list[str] = []
    if isinstance(value, Ref):
        found += value.texts()
    elif isinstance(value, Var):
        found.append(f"var.{value.name}")
    elif isinstance(value, Fmt):
        for r in value.refs:
            found += _refs(r)
    elif isinstance(value, Encode):
        found += _refs(value.value)
    elif isinstance(value, dict):
        for v in value.values():
            found += _refs(v)
    elif isinstance(value, list):
        for v in value:
            found += _refs(v)
    return list(dict.fromkeys(found))


def _has_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return False


def _sensitive_shape(after: Any) -> Any:
    if isinstance(after, dict):
        return {k: _sensitive_shape(v) for k, v in after.items() if isinstance(v, dict | list)}
    if isinstance(after, list):
        return [_sensitive_shape(v) if isinstance(v, dict | list) else False for v in after]
    return False


def _provider(kind: str) -> str:
    return f"registry.terraform.io/hashicorp/{kind.split('_', 1)[0]}"


def _provider_key(kind: str) -> str:
    return kind.split("_", 1)[0]


def _module_values(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": [e for m, e in entries if not m]}
    children: dict[str, list[dict[str, Any]]] = {}
    for module, entry in entries:
        if module:
            children.setdefault(module, []).append(entry)
    if children:
        root["child_modules"] = [{"address": f"module.{m}", "resources": rs}
                                 for m, rs in children.items()]
    return root
