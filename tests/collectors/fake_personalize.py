"""A local Amazon Personalize endpoint for the operations moto 5 does not implement.

It speaks the real wire protocol (JSON 1.1 over HTTP, ``X-Amz-Target``), answers from data
the tests put in (by account and region: the region comes from the SigV4 credential scope,
the account from the access key), paginates with ``nextToken``, and checks every request and
response against botocore's service model, recording any mismatch in ``violations``.
Schema operations, which moto implements, are proxied to moto_server. Faults can be
injected per operation and region: AccessDenied, throttling, 500s, slow answers, a region
that is not enabled.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

import botocore.session
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters

DEFAULT_ACCOUNT = "123456789012"
MOTO_OPERATIONS = frozenset({"CreateSchema", "DescribeSchema", "ListSchemas", "DeleteSchema"})
CREDENTIAL = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/")
FAULTS = {
    "denied": (400, "AccessDeniedException", "User: arn:aws:sts::{account}:assumed-role/"
               "auditor/test is not authorized to perform: personalize:{op}"),
    "throttle": (400, "ThrottlingException", "Rate exceeded"),
    "server": (500, "InternalFailure", "We encountered an internal error. Please try again."),
    "not-enabled": (400, "UnrecognizedClientException",
                    "The security token included in the request is invalid."),
}


@dataclass
class RegionData:
    dataset_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    attributions: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    import_jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    trackers: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Fault:
    operation: str
    kind: str  # denied | throttle | server | not-enabled | slow
    region: str | None = None
    times: int | None = None  # None: every time
    delay: float = 0.0


class FakePersonalize:
    def __init__(self, moto_url: str, page_size: int = 2, latency: float = 0.0) -> None:
        self.moto = urlparse(moto_url)
        self.page_size = page_size
        self.latency = latency  # seconds added to every answer (the benchmark's round trip)
        self.model = botocore.session.get_session().get_service_model("personalize")
        self.data: dict[tuple[str, str], RegionData] = {}
        self.keys: dict[str, str] = {}
        self.assumed_account: str | None = None
        self.faults: list[Fault] = []
        self.calls: Counter[tuple[str, str]] = Counter()
        self.violations: list[str] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakePersonalize:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.data.clear()
            self.keys.clear()
            self.assumed_account = None
            self.faults.clear()
            self.calls.clear()
            self.violations.clear()

    def region(self, account: str, region: str) -> RegionData:
        with self._lock:
            return self.data.setdefault((account, region), RegionData())

    def fail(self, operation: str, kind: str, *, region: str | None = None,
             times: int | None = None, delay: float = 0.0) -> None:
        with self._lock:
            self.faults.append(Fault(operation, kind, region, times, delay))

    # --- serving ------------------------------------------------------------------------

    def account_of(self, access_key: str) -> str:
        if access_key in self.keys:
            return self.keys[access_key]
        if access_key.startswith("ASIA") and self.assumed_account:
            return self.assumed_account
        return DEFAULT_ACCOUNT

    def fault_for(self, operation: str, region: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.operation == operation and fault.region in (None, region):
                    if fault.times is not None:
                        if fault.times <= 0:
                            continue
                        fault.times -= 1
                    return fault
        return None

    def answer(self, operation: str, account: str, region: str, params: dict[str, Any]
               ) -> dict[str, Any]:
        op_model = self.model.operation_model(operation)
        try:
            validate_parameters(params, op_model.input_shape)
        except ParamValidationError as exc:
            self.violations.append(f"request {operation}: {exc}")
            raise
        method = getattr(self, "_" + re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower(), None)
        if method is None:
            raise NotImplementedError(operation)
        response = method(self.region(account, region), params)
        try:
            validate_parameters(response, op_model.output_shape)
        except ParamValidationError as exc:
            self.violations.append(f"response {operation}: {exc}")
        return response

    def _page(self, items: list[dict[str, Any]], key: str, params: dict[str, Any]
              ) -> dict[str, Any]:
        start = int(params.get("nextToken") or 0)
        size = int(params.get("maxResults") or self.page_size)
        page: dict[str, Any] = {key: items[start:start + size]}
        if start + size < len(items):
            page["nextToken"] = str(start + size)
        return page

    @staticmethod
    def _summary(item: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        return {k: item[k] for k in keys if k in item}

    def _not_found(self, arn: str) -> None:
        raise LookupError(f"{arn} does not exist")

    def _list_metric_attributions(self, data: RegionData, p: dict[str, Any]) -> dict[str, Any]:
        group = p.get("datasetGroupArn")
        items = [self._summary(a, ("name", "metricAttributionArn", "status", "creationDateTime",
                                   "lastUpdatedDateTime"))
                 for a in data.attributions.values()
                 if group is None or a["datasetGroupArn"] == group]
        return self._page(items, "metricAttributions", p)

    def _describe_metric_attribution(self, data: RegionData, p: dict[str, Any]
                                     ) -> dict[str, Any]:
        found = data.attributions.get(p["metricAttributionArn"])
        if found is None:
            self._not_found(p["metricAttributionArn"])
        return {"metricAttribution": found}

    def _list_metric_attribution_metrics(self, data: RegionData, p: dict[str, Any]
                                         ) -> dict[str, Any]:
        return self._page(data.metrics.get(p["metricAttributionArn"], []), "metrics", p)

    def _describe_dataset_group(self, data: RegionData, p: dict[str, Any]) -> dict[str, Any]:
        found = data.dataset_groups.get(p["datasetGroupArn"])
        if found is None:
            self._not_found(p["datasetGroupArn"])
        return {"datasetGroup": found}

    def _list_datasets(self, data: RegionData, p: dict[str, Any]) -> dict[str, Any]:
        items = [self._summary(d, ("name", "datasetArn", "datasetType", "status",
                                   "creationDateTime", "lastUpdatedDateTime"))
                 for d in data.datasets.values() if d["datasetGroupArn"] == p["datasetGroupArn"]]
        return self._page(items, "datasets", p)

    def _describe_dataset(self, data: RegionData, p: dict[str, Any]) -> dict[str, Any]:
        found = data.datasets.get(p["datasetArn"])
        if found is None:
            self._not_found(p["datasetArn"])
        return {"dataset": found}

    def _list_dataset_import_jobs(self, data: RegionData, p: dict[str, Any]) -> dict[str, Any]:
        items = [self._summary(j, ("datasetImportJobArn", "jobName", "status",
                                   "creationDateTime", "lastUpdatedDateTime", "importMode"))
                 for j in data.import_jobs.values()
                 if p.get("datasetArn") in (None, j["datasetArn"])]
        return self._page(items, "datasetImportJobs", p)

    def _describe_dataset_import_job(self, data: RegionData, p: dict[str, Any]
                                     ) -> dict[str, Any]:
        found = data.import_jobs.get(p["datasetImportJobArn"])
        if found is None:
            self._not_found(p["datasetImportJobArn"])
        return {"datasetImportJob": found}

    def _list_event_trackers(self, data: RegionData, p: dict[str, Any]) -> dict[str, Any]:
        items = [self._summary(t, ("name", "eventTrackerArn", "status", "creationDateTime",
                                   "lastUpdatedDateTime"))
                 for t in data.trackers.values()
                 if p.get("datasetGroupArn") in (None, t["datasetGroupArn"])]
        return self._page(items, "eventTrackers", p)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()  # the JSON protocol's timestamps are epoch seconds
    raise TypeError(type(value))


def _handler(fake: FakePersonalize) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One buffered write per answer, and no Nagle: split header/body writes otherwise
        # meet the client's delayed ACK and cost ~40 ms a call.
        wbufsize = -1
        disable_nagle_algorithm = True

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            operation = str(self.headers.get("X-Amz-Target", "")).rpartition(".")[2]
            found = CREDENTIAL.search(self.headers.get("Authorization", ""))
            access_key, region = (found.group(1), found.group(2)) if found else ("", "us-east-1")
            account = fake.account_of(access_key)
            with fake._lock:
                fake.calls[(operation, region)] += 1
            if fake.latency:
                time.sleep(fake.latency)
            fault = fake.fault_for(operation, region)
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
            elif fault is not None:
                status, code, message = FAULTS[fault.kind]
                return self._send(status, {"__type": code, "message": message.format(
                    account=account, op=operation)})
            if operation in MOTO_OPERATIONS:
                return self._proxy(raw)
            try:
                params = json.loads(raw or b"{}")
                body = fake.answer(operation, account, region, params)
            except ParamValidationError as exc:
                return self._send(400, {"__type": "ValidationException", "message": str(exc)})
            except LookupError as exc:
                return self._send(400, {"__type": "ResourceNotFoundException",
                                        "message": str(exc)})
            except NotImplementedError:
                return self._send(400, {"__type": "UnknownOperationException",
                                        "message": operation})
            self._send(200, body)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, default=_json_default).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("x-amzn-RequestId", "fake-personalize")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a read timeout test)

        def _proxy(self, raw: bytes) -> None:
            connection = http.client.HTTPConnection(fake.moto.hostname, fake.moto.port,
                                                    timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            connection.request("POST", "/", body=raw, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            connection.close()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
