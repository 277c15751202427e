"""A loaded ``terraform show -json PLANFILE`` document, read as resource instances.

Each instance is what the plan says the object will be after apply: the ``after`` values of
its ``resource_changes`` entry with the ``after_unknown`` mask, or, for a data source read
while planning (Terraform lists those in ``prior_state`` only), its values there. Every
instance remembers where it sits in the plan document, so a finding points at the line and
column of the attribute, and its configuration block (``configuration``), whose expression
``references`` link values that are known only after apply.

The format is Terraform's "JSON Output Format" (internals/json-format): ``format_version``
"1.x" since Terraform 1.1, "0.2" from Terraform 0.15 and 1.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..document import Document
from ..findings import Finding
from ..iam.arn import parse_arn
from ..loaders.detect import terraform_form
from ..location import join_pointer
from .addresses import module_calls

# The Terraform documentation: "We will increment the major version, e.g. "2.0", for changes
# that are not backward-compatible. Reject any input which reports an unsupported major
# version." Format 0.1 (Terraform 0.12-0.14) was experimental, before the 1.0 promises.
SUPPORTED_MAJOR = 1
SUPPORTED_PRE_1 = ("0.2",)
# Data sources that state where the plan deploys: (pseudo parameter, attribute).
DEPLOYMENT_SOURCES = {
    "aws_caller_identity": (("AWS::AccountId", "account_id"),),
    "aws_region": (("AWS::Region", "region"), ("AWS::Region", "name")),
    "aws_partition": (("AWS::Partition", "partition"),),
}
REGENERATE = ("run `terraform plan -out plan.tfplan && terraform show -json plan.tfplan > "
              "plan.json` and check plan.json")


@dataclass
class ModuleConfig:
    """One module's block of ``configuration``: its resources by module-local address
    (``aws_iam_role.x``, ``data.aws_iam_policy_document.y``), module calls and outputs."""

    pointer: str
    resources: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    calls: dict[str, tuple[str, dict[str, Any], ModuleConfig]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, data: Any, pointer: str) -> ModuleConfig:
        module = cls(pointer)
        if not isinstance(data, dict):
            return module
        for index, resource in enumerate(_list(data.get("resources"))):
            address = resource.get("address") if isinstance(resource, dict) else None
            if isinstance(address, str):
                expressions = resource.get("expressions")
                module.resources[address] = (join_pointer(pointer, "resources", index),
                                             expressions if isinstance(expressions, dict)
                                             else {})
        calls = data.get("module_calls")
        for name, call in (calls.items() if isinstance(calls, dict) else ()):
            if isinstance(call, dict):
                at = join_pointer(pointer, "module_calls", name)
                expressions = call.get("expressions")
                module.calls[name] = (at, expressions if isinstance(expressions, dict) else {},
                                      cls.read(call.get("module"), join_pointer(at, "module")))
        outputs = data.get("outputs")
        if isinstance(outputs, dict):
            module.outputs = {k: v.get("expression") for k, v in outputs.items()
                              if isinstance(v, dict)}
        return module


@dataclass
class Instance:
    """One resource instance of the plan, as it will be after apply."""

    address: str  # module.x.aws_iam_role.y[0]
    mode: str  # managed | data
    type: str
    name: str
    index: Any  # count index or for_each key, None without either
    module: str  # module instance address ("" in the root module)
    pointer: str  # the instance's object in the plan document
    values_pointer: str
    values: dict[str, Any]
    unknown: Any = None  # the after_unknown mask (None: nothing is unknown)
    unknown_pointer: str | None = None
    expressions: dict[str, Any] | None = None  # its configuration block, when the plan has it

    @property
    def local_address(self) -> str:
        base = f"{self.type}.{self.name}"
        return f"data.{base}" if self.mode == "data" else base

    @property
    def calls(self) -> tuple[str, ...]:
        return module_calls(self.module)


class Plan:
    """The instances of a plan document, its configuration and what it says of the
    account, region and partition it deploys to."""

    def __init__(self, document: Document) -> None:
        self.document = document
        data = document.data if isinstance(document.data, dict) else {}
        self.data = data
        self.config = ModuleConfig.read(_dict(data.get("configuration")).get("root_module"),
                                        "/configuration/root_module")
        self.instances: list[Instance] = []
        self.by_address: dict[str, Instance] = {}
        # Objects the plan deletes, by type: their values before the change.
        self.deleted: dict[str, list[dict[str, Any]]] = {}
        self._by_type: dict[str, list[Instance]] | None = None
        self._by_name: dict[tuple[str, str, str, str], list[Instance]] | None = None
        # Answers that depend on the plan alone (follow(), a key policy's key), by key:
        # the linker asks them again for every role, bucket and key it builds.
        self.memo: dict[tuple[Any, ...], Any] = {}
        self._read_changes(data.get("resource_changes"))
        prior = _dict(_dict(data.get("prior_state")).get("values")).get("root_module")
        self._read_values(prior, "/prior_state/values/root_module", "", data_only=True)
        self._read_values(_dict(data.get("planned_values")).get("root_module"),
                          "/planned_values/root_module", "", data_only=False)
        for instance in self.instances:
            instance.expressions = self.expressions_of(instance)

    @property
    def path(self) -> str:
        return self.document.path

    # -- reading -----------------------------------------------------------------------

    def _add(self, instance: Instance) -> None:
        if instance.address not in self.by_address:
            self.by_address[instance.address] = instance
            self.instances.append(instance)

    def _read_changes(self, changes: Any) -> None:
        for index, entry in enumerate(_list(changes)):
            if not isinstance(entry, dict) or "deposed" in entry:
                continue  # a deposed object is on its way out
            change = _dict(entry.get("change"))
            after = change.get("after")
            kind, name = entry.get("type"), entry.get("name")
            address = entry.get("address")
            before = change.get("before")
            if after is None and isinstance(before, dict) and isinstance(kind, str):
                self.deleted.setdefault(kind, []).append(before)
            if not (isinstance(after, dict) and isinstance(kind, str) and isinstance(name, str)
                    and isinstance(address, str)):
                continue  # deleted (no after), or not an entry of the documented shape
            at = f"/resource_changes/{index}"
            unknown = change.get("after_unknown")
            module = entry.get("module_address")
            self._add(Instance(
                address=address, mode=str(entry.get("mode", "managed")), type=kind, name=name,
                index=entry.get("index"), module=module if isinstance(module, str) else "",
                pointer=at, values_pointer=f"{at}/change/after", values=after,
                unknown=unknown if isinstance(unknown, dict | bool) else None,
                unknown_pointer=f"{at}/change/after_unknown"))

    def _read_values(self, module: Any, pointer: str, address: str, *, data_only: bool) -> None:
        if not isinstance(module, dict):
            return
        for index, resource in enumerate(_list(module.get("resources"))):
            if not isinstance(resource, dict):
                continue
            mode = resource.get("mode", "managed")
            values = resource.get("values")
            kind, name, full = resource.get("type"), resource.get("name"), resource.get("address")
            if (data_only and mode != "data") or not (
                    isinstance(values, dict) and isinstance(kind, str) and isinstance(name, str)
                    and isinstance(full, str)):
                continue
            at = join_pointer(pointer, "resources", index)
            self._add(Instance(address=full, mode=str(mode), type=kind, name=name,
                               index=resource.get("index"), module=address, pointer=at,
                               values_pointer=f"{at}/values", values=values))
        for index, child in enumerate(_list(module.get("child_modules"))):
            if isinstance(child, dict) and isinstance(child.get("address"), str):
                self._read_values(child, join_pointer(pointer, "child_modules", index),
                                  child["address"], data_only=data_only)

    # -- configuration -----------------------------------------------------------------

    def module_config(self, calls: tuple[str, ...]) -> ModuleConfig | None:
        module: ModuleConfig | None = self.config
        for name in calls:
            if module is None or name not in module.calls:
                return None
            module = module.calls[name][2]
        return module

    def expressions_of(self, instance: Instance) -> dict[str, Any] | None:
        module = self.module_config(instance.calls)
        found = module.resources.get(instance.local_address) if module else None
        return found[1] if found else None

    def of_types(self, *types: str) -> Iterator[Instance]:
        if self._by_type is None:
            self._by_type = {}
            for instance in self.instances:
                self._by_type.setdefault(instance.type, []).append(instance)
        return (i for kind in types for i in self._by_type.get(kind, ()))

    def named(self, module: str, mode: str, kind: str, name: str) -> list[Instance]:
        """The instances of ``kind.name`` (all its count/for_each keys) in a module."""
        if self._by_name is None:
            self._by_name = {}
            for instance in self.instances:
                key = (instance.module, instance.mode, instance.type, instance.name)
                self._by_name.setdefault(key, []).append(instance)
        return self._by_name.get((module, mode, kind, name), [])

    # -- where it deploys --------------------------------------------------------------

    def deployment(self) -> dict[str, str]:
        """The account, region and partition the plan states (``aws_caller_identity``,
        ``aws_region``, ``aws_partition`` data sources, the provider's region), else the
        one account and region its known ARNs agree on; as pseudo-parameter values."""
        found: dict[str, str] = {}
        for instance in self.of_types(*DEPLOYMENT_SOURCES):
            for key, attr in DEPLOYMENT_SOURCES[instance.type]:
                value = instance.values.get(attr)
                if isinstance(value, str) and value:
                    found.setdefault(key, value)
        provider = _dict(_dict(_dict(self.data.get("configuration")).get("provider_config"))
                         .get("aws"))
        region = _dict(_dict(provider.get("expressions")).get("region")).get("constant_value")
        if isinstance(region, str) and region:
            found.setdefault("AWS::Region", region)
        accounts: set[str] = set()
        regions: set[str] = set()
        for instance in self.instances:
            arn = parse_arn(instance.values.get("arn")) if isinstance(
                instance.values.get("arn"), str) else None
            if arn is not None and arn.account.isdigit():
                accounts.add(arn.account)
                if arn.region:
                    regions.add(arn.region)
        if len(accounts) == 1:
            found.setdefault("AWS::AccountId", accounts.pop())
        if len(regions) == 1:
            found.setdefault("AWS::Region", regions.pop())
        return found


def plan_problems(document: Document) -> list[Finding]:
    """PL002 when the document is not a plan this linter reads: Terraform state given where
    a plan belongs, an unsupported ``format_version``, or plan sections of the wrong type.
    An empty list means the plan can be read."""
    data = document.data
    if not isinstance(data, dict):
        return [Finding("PL002", "a Terraform plan must be a JSON object", document.location())]
    form = terraform_form(data)
    if form == "state":
        return [Finding("PL002", "this is Terraform state (`terraform show -json` of a state: "
                                 "values without planned_values), not a plan: it says what is "
                                 f"deployed, not what will change; {REGENERATE}",
                        document.location())]
    if form == "tfstate":
        return [Finding("PL002", "this is a raw Terraform state file (version, serial, lineage),"
                                 f" not a plan; {REGENERATE}", document.location())]
    version = data.get("format_version")
    where = document.location("/format_version")
    if not isinstance(version, str) or not _version_shape(version):
        return [Finding("PL002", f"format_version {version!r} is not a Terraform JSON format "
                                 "version (\"1.2\" or the like)", where)]
    major = int(version.split(".")[0])
    if major == 0 and version not in SUPPORTED_PRE_1:
        return [Finding("PL002", f"format_version {version!r} is the experimental plan format "
                                 "of Terraform 0.12-0.14, which personalize-lint does not read; "
                                 f"make the plan with Terraform 0.15 or later ({REGENERATE})",
                        where)]
    if major > SUPPORTED_MAJOR:
        return [Finding("PL002", f"format_version {version!r} is newer than the plan formats "
                                 f"personalize-lint reads ({SUPPORTED_MAJOR}.x): a new major "
                                 "version is not backward-compatible, so the plan was not "
                                 "read; upgrade personalize-lint", where)]
    if data.get("errored") is True:
        return [Finding("PL002", "the plan is marked errored (\"errored\": true): planning "
                                 "stopped at an error, so it does not hold every change; fix "
                                 f"the error and {REGENERATE}",
                        document.location("/errored"))]
    if data.get("complete") is False:
        # Terraform 1.8+: "an incomplete plan that will probably therefore need at least one
        # more plan/apply round to converge" (deferred_changes): resources are missing.
        return [Finding("PL002", "the plan is incomplete (\"complete\": false): Terraform "
                                 "deferred some changes to a later plan, so it does not hold "
                                 "every resource; apply it, then check the next plan",
                        document.location("/complete"))]
    problems = []
    for key, expected in (("resource_changes", list), ("planned_values", dict),
                          ("prior_state", dict), ("configuration", dict)):
        if key in data and not isinstance(data[key], expected):
            problems.append(Finding(
                "PL002", f"{key} must be {'an array' if expected is list else 'an object'} in "
                         "a Terraform plan", document.location(f"/{key}")))
    return problems


def _version_shape(version: str) -> bool:
    parts = version.split(".")
    return len(parts) == 2 and all(p.isdigit() for p in parts)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
