"""``AWS::Personalize::MetricAttribution`` as a CreateMetricAttribution request.

CloudFormation spells the members in PascalCase (``MetricsOutputConfig``,
``S3DataDestination``, ``EventType``); the rules read the API's camelCase request. The
translation keeps every member's template position. A value that cannot be resolved is
handled so that no rule passes or fails on a guess:

* ``Path`` or ``KmsKeyArn`` unresolved: left out, so the S3 or KMS checks do not run on
  it, and a PL003 note says they were not evaluated;
* a metric with an unresolved member: left out, with a note;
* ``Name``, ``DatasetGroupArn`` and ``RoleArn`` are required, so they get a placeholder
  of the right shape (``unresolved-<LogicalId>``) that matches no resource of the set-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..location import join_pointer
from .nodes import RNode
from .template import Template
from .views import TemplateView, Unknown, ViewBuilder, anchor_view

TOP = {"Name": "name", "DatasetGroupArn": "datasetGroupArn", "Metrics": "metrics",
       "MetricsOutputConfig": "metricsOutputConfig"}
OUTPUT = {"RoleArn": "roleArn", "S3DataDestination": "s3DataDestination"}
DESTINATION = {"Path": "path", "KmsKeyArn": "kmsKeyArn"}
METRIC = {"EventType": "eventType", "MetricName": "metricName", "Expression": "expression"}

S3_CHECKS = "the S3 checks (PL104, PL201-PL205) were not evaluated"
KMS_CHECKS = "the KMS checks (PL105, PL301, PL302) were not evaluated"
ROLE_CHECKS = "the role checks (PL101-PL106) were not evaluated"
GROUP_CHECKS = "the dataset group's datasets and schemas are unknown"
METRIC_CHECKS = "this metric was not checked (PL403-PL406)"


@dataclass
class Translated:
    view: TemplateView
    unknown: list[Unknown] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)


class _Translator:
    def __init__(self, template: Template, logical_id: str, pseudo: Mapping[str, str]) -> None:
        self.template = template
        self.partition = pseudo["AWS::Partition"]
        self.region = pseudo["AWS::Region"]
        self.account = pseudo["AWS::AccountId"]
        self.logical_id = logical_id
        self.builder = ViewBuilder(template)
        self.problems: list[Finding] = []

    def members(self, node: RNode, at: str, names: dict[str, str], what: str) -> dict[str, RNode]:
        """The known members of an object node, by API name; unknown ones are PL002."""
        self.builder.map(at, node.pointer)
        found: dict[str, RNode] = {}
        if not isinstance(node.value, dict):
            return found
        for key, child in node.value.items():
            if key in names:
                found[names[key]] = child
                continue
            import difflib  # only for a misspelt property

            near = difflib.get_close_matches(key, list(names), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else (
                f"; expected {', '.join(names)}")
            where = anchor_view(self.template, child.pointer).location(key=True)
            self.problems.append(Finding("PL002", f"unknown property {key!r} of {what}{hint}",
                                         where))
        return found

    def required(self, node: RNode, at: str, placeholder: Any, consequence: str) -> Any:
        if node.unresolved is not None:
            self.builder.map(at, node.pointer)
            self.builder.skip(node, at, f"{node.unresolved.reason}; {consequence}")
            return placeholder
        return self.builder.plain(node, at)

    def translate(self, properties: RNode) -> dict[str, Any]:
        top = self.members(properties, "", TOP, "AWS::Personalize::MetricAttribution")
        request: dict[str, Any] = {}
        name = f"unresolved-{self.logical_id}"[:63]
        if "name" in top:
            request["name"] = self.required(top["name"], "/name", name, "PL407 was not "
                                            "evaluated for it")
        if "datasetGroupArn" in top:
            request["datasetGroupArn"] = self.required(
                top["datasetGroupArn"], "/datasetGroupArn",
                f"arn:{self.partition}:personalize:{self.region}:{self.account}:dataset-group/"
                f"{name}",
                GROUP_CHECKS)
        if "metrics" in top:
            request["metrics"] = self.metrics(top["metrics"])
        if "metricsOutputConfig" in top:
            request["metricsOutputConfig"] = self.output(top["metricsOutputConfig"], name)
        return request

    def metrics(self, node: RNode) -> Any:
        if node.unresolved is not None:
            self.builder.map("/metrics", node.pointer)
            self.builder.skip(node, "/metrics", f"{node.unresolved.reason}; the metrics were "
                                                "not checked (PL401-PL406)")
            return []
        if not isinstance(node.value, list):
            return self.builder.plain(node, "/metrics")
        self.builder.map("/metrics", node.pointer)
        out: list[Any] = []
        for item in node.value:
            at = join_pointer("/metrics", len(out))
            if not isinstance(item.value, dict):
                out.append(self.builder.plain(item, at))
                continue
            members = self.members(item, at, METRIC, "a MetricAttribute")
            bad = next((m for m in members.values() if m.unresolved is not None), None)
            if bad is not None:
                assert bad.unresolved is not None
                self.builder.skip(bad, at, f"{bad.unresolved.reason}; {METRIC_CHECKS}")
                continue
            out.append({api: self.builder.plain(m, join_pointer(at, api))
                        for api, m in members.items()})
        return out

    def output(self, node: RNode, name: str) -> Any:
        at = "/metricsOutputConfig"
        if node.unresolved is not None or not isinstance(node.value, dict):
            return self.required(node, at, {}, f"{ROLE_CHECKS}; {S3_CHECKS}")
        members = self.members(node, at, OUTPUT, "MetricsOutputConfig")
        out: dict[str, Any] = {}
        if "roleArn" in members:
            out["roleArn"] = self.required(
                members["roleArn"], f"{at}/roleArn",
                f"arn:{self.partition}:iam::{self.account}:role/{name}", ROLE_CHECKS)
        dest = members.get("s3DataDestination")
        if dest is not None:
            at = f"{at}/s3DataDestination"
            if dest.unresolved is not None:
                self.builder.map(at, dest.pointer)
                self.builder.skip(dest, at, f"{dest.unresolved.reason}; {S3_CHECKS}")
                return out
            fields = self.members(dest, at, DESTINATION, "S3DataDestination")
            path = fields.get("path")
            if path is not None and path.unresolved is not None:
                # Without the path there is no output to check: the key goes with it.
                lost = f"{S3_CHECKS}; {KMS_CHECKS}" if "kmsKeyArn" in fields else S3_CHECKS
                self.builder.skip(path, f"{at}/path", f"{path.unresolved.reason}; {lost}")
                return out
            built = {}
            for api, child in fields.items():
                if child.unresolved is not None:
                    self.builder.skip(child, f"{at}/{api}", f"{child.unresolved.reason}; "
                                                            f"{KMS_CHECKS}")
                    continue
                built[api] = self.builder.plain(child, f"{at}/{api}")
            out["s3DataDestination"] = built
        return out


def translate(template: Template, logical_id: str, properties: RNode,
              pseudo: Mapping[str, str]) -> Translated:
    """The CreateMetricAttribution request a MetricAttribution resource stands for."""
    translator = _Translator(template, logical_id, pseudo)
    request = translator.translate(properties)
    translator.builder.map("", properties.pointer)
    view = translator.builder.view(request, "metric-attribution", "create")
    return Translated(view, translator.builder.unknown, translator.problems)
