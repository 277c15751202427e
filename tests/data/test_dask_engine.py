"""The Dask engine gives the local engine's report, finding for finding.

Every case runs ``personalize-lint check --format json`` twice, with the local engine and
with ``--scheduler`` pointing at a real Dask ``LocalCluster`` of two workers (one per
module), and compares the whole JSON documents; the expected findings are asserted too, so
a case cannot pass by both engines finding nothing. Engine-level cases compare every field
of the two ``ScanResult``s, with chunks small enough that files span many chunks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("polars")
distributed = pytest.importorskip("distributed")

from helpers import write  # noqa: E402
from interactions_csv import AS_OF, HEADER, OLD, RECENT, SCHEMA, csv, row  # noqa: E402
from personalize_lint.cli import main  # noqa: E402
from personalize_lint.data import engines  # noqa: E402
from personalize_lint.data.engine import ScanOptions, scan, schema_fields  # noqa: E402
from personalize_lint.data.engine_choice import EngineChoice  # noqa: E402
from personalize_lint.data.result import ScanResult  # noqa: E402

METRIC_ATTRIBUTION = {
    "name": "ma",
    "datasetGroupArn": "arn:aws:personalize:us-east-1:111122223333:dataset-group/d",
    "metrics": [
        {"eventType": "click", "metricName": "CLICKS", "expression": "SAMPLECOUNT()"},
        {"eventType": "purchase", "metricName": "BUYS", "expression": "SAMPLECOUNT()"},
    ],
    "metricsOutputConfig": {"roleArn": "arn:aws:iam::111122223333:role/r"},
}
# No dashboard and no fixed HTTP port (None still binds 8787, and warns when it is taken).
NO_DASHBOARD = "127.0.0.1:0"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A real two-worker Dask cluster, in-process threads to keep the suite fast."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=NO_DASHBOARD
    ) as cluster:
        yield cluster.scheduler_address


def generated_rows(n: int, seed: int, *, dup_every: int = 7) -> list[str]:
    """Rows with repeats inside the file and (same pool, other seeds) across files."""
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(n):
        if i and i % dup_every == 0:
            out.append(out[rng.randrange(len(out))])
            continue
        user = f"u{rng.randrange(400)}"
        ts = rng.choice([RECENT, RECENT - 60, OLD, OLD - 3600, RECENT * 1000])
        src = rng.choice(["home", "email", "", "", "search"])
        rec = rng.choice(["", "", f"RID-{rng.randrange(50)}"])
        out.append(row(user=user, item=f"i{rng.randrange(40)}", ts=ts, rec=rec, src=src))
    return out


def setup_config(data: list[str], *, schema: bool = True, attribution: bool = True) -> str:
    lines = ['as-of = "2026-11-30T00:00:00Z"', "[[setup]]", 'name = "shop"']
    if schema:
        lines.append('interactions-schema = "schema.json"')
    if attribution:
        lines.append('metric-attribution = "ma.json"')
    lines.append(f"interactions-data = {json.dumps(data)}")
    return "\n".join(lines) + "\n"


def project(root: Path, data: list[str], **kwargs: bool) -> Path:
    write(root / "personalize-lint.toml", setup_config(data, **kwargs))
    write(root / "schema.json", json.dumps(SCHEMA))
    write(root / "ma.json", json.dumps(METRIC_ATTRIBUTION))
    return root


def check(
    root: Path, *args: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any], str]:
    """``personalize-lint check --format json ARGS`` in ``root``: exit code, report, stderr."""
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = main(["check", "--format", "json", "--quiet", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else {}, captured.err


def both(
    root: Path,
    scheduler: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> list[dict[str, Any]]:
    """Both engines' reports must be identical; returns the findings."""
    code_local, local, err_local = check(root, *args, monkeypatch=monkeypatch, capsys=capsys)
    code_dask, dask, err_dask = check(
        root, "--scheduler", scheduler, *args, monkeypatch=monkeypatch, capsys=capsys
    )
    assert (err_local, err_dask) == ("", "")
    assert code_dask == code_local
    assert dask == local
    findings: list[dict[str, Any]] = local["findings"]
    return findings


def by_rule(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        out.setdefault(f["rule_id"], []).append(f)
    return out


# --- the whole report, both engines ------------------------------------------------------


def test_duplicates_across_files_and_partitions(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    project(tmp_path, ["data/*.csv"])
    first = [row(user=f"first-{j}", ts=RECENT - j) for j in range(200)]  # no repeats inside
    write(tmp_path / "data" / "part-0.csv", csv(*first))
    for i in range(1, 4):  # each later file repeats rows of the first and of itself
        rows = first[i * 40 : i * 40 + 60] + generated_rows(300, seed=10 + i)
        write(tmp_path / "data" / f"part-{i}.csv", csv(*rows))
    found = by_rule(both(tmp_path, scheduler, monkeypatch, capsys))
    (pl603,) = found["PL603"]
    assert "first at lines data/part-1.csv:2 (= data/part-0.csv:42), " in pl603["message"]
    assert {"PL604", "PL606", "PL607", "PL608", "PL406", "PL409"} <= set(found)


def test_headers_differing_between_files(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row(), row(user="b")))
    # Same columns in another order: rows still compare equal across the two files.
    reordered = "ITEM_ID,USER_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,RECOMMENDATION_ID," \
                "EVENT_ATTRIBUTION_SOURCE"
    write(tmp_path / "data" / "b.csv", csv(f"i1,u1,{RECENT},click,1.0,,home", header=reordered))
    write(tmp_path / "data" / "c.csv", csv(f"u1,i1,{RECENT}", header="USER_ID,ITEM_ID,TIMESTAMP"))
    write(tmp_path / "data" / "d.csv", csv(row(), header=HEADER.replace("USER_ID", '"USER_ID"')))
    found = by_rule(both(tmp_path, scheduler, monkeypatch, capsys))
    assert {f["path"] for f in found["PL601"]} == {"data/c.csv"}
    assert "PL602" in found and "PL603" in found


def test_gzip_bad_rows_and_a_file_that_fails_to_parse(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    project(tmp_path, ["data/*.csv", "data/*.csv.gz"])
    write(
        tmp_path / "data" / "a.csv",
        csv(
            row(),
            row(user="m", ts=RECENT * 1000),
            row(user="d", ts="2026-11-29"),
            row(user="v", value="cheap"),
            ",,,,,,",
            "",
            f'u2,i2,{RECENT},click,1.0,,"two\nlines"',
            "u3,i3",
            row(src="caf\u00e9"),
        ),
    )
    write(
        tmp_path / "data" / "b.csv.gz",
        csv(row(), row(user="z", ts=OLD), row(user="y", src="")),
        gz=True,
    )
    write(tmp_path / "data" / "broken.csv", csv(row(user="q"), f'u9,i9,{RECENT},click,1.0,,"open'))
    write(
        tmp_path / "data" / "latin1.csv",
        csv(row(user="w"), row(user="caf\u00e9")).encode("latin-1"),
    )
    found = by_rule(both(tmp_path, scheduler, monkeypatch, capsys))
    pl001 = " ".join(f["message"] for f in found["PL001"])
    assert "data/broken.csv:3" in pl001 and "data/latin1.csv:3" in pl001
    assert "line 3 of data/b.csv.gz" in found["PL604"][0]["message"]
    assert {"PL603", "PL606", "PL608", "PL609"} <= set(found)


def test_missing_locations_and_an_unterminated_quote(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    project(tmp_path, ["data/*.csv", "nothing/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row(), row()))
    # A quote that never closes: the file cannot be cut into records past line 3.
    write(tmp_path / "data" / "b.csv", csv(row(user="x"), 'u,i,1,"' + "x" * 100))
    findings = both(tmp_path, scheduler, monkeypatch, capsys, "--fail-on", "never")
    found = by_rule(findings)
    assert any("nothing/*.csv" in f["message"] for f in found["PL003"])
    assert "data/b.csv:3" in found["PL001"][0]["message"]


def test_many_sources_and_event_types_for_pl406_pl409(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    project(tmp_path, ["data/"])
    for i in range(3):
        rows = [row(user=f"u{j}", src=f"src-{i}-{j}", etype="view") for j in range(50)]
        write(tmp_path / "data" / f"{i}.csv", csv(*rows))
    found = by_rule(both(tmp_path, scheduler, monkeypatch, capsys))
    assert "PL605" in found  # 150 sources > 100
    assert any("'click'" in f["message"] for f in found["PL406"])


def test_standalone_csv(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    write(tmp_path / "alone.csv", csv(row(), row(), row(user="b", ts=RECENT * 1000, src="")))
    found = by_rule(both(tmp_path, scheduler, monkeypatch, capsys, "alone.csv", "--as-of",
                         "2026-11-30T00:00:00Z"))
    assert {"PL603", "PL606", "PL608"} <= set(found)


def test_engine_chosen_in_the_configuration(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    project(tmp_path, ["data/*.csv"])
    config = tmp_path / "personalize-lint.toml"
    config.write_text(f'[data]\nengine = "dask"\nscheduler = "{scheduler}"\n\n'
                      + config.read_text())
    write(tmp_path / "data" / "a.csv", csv(row(), row(), row(user="b", ts=OLD)))
    code_dask, dask, _ = check(tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    # --engine local wins over the configuration.
    code_local, local, _ = check(tmp_path, "--engine", "local", monkeypatch=monkeypatch,
                                 capsys=capsys)
    assert (code_dask, dask) == (code_local, local)
    assert {"PL603", "PL604"} <= {f["rule_id"] for f in local["findings"]}
    # The configured scheduler really was used: pointing it nowhere fails the run.
    config.write_text(config.read_text().replace(scheduler, "tcp://127.0.0.1:9"))
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "1s")
    import dask as dask_module

    dask_module.config.refresh()
    try:
        code, _, err = check(tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    finally:
        monkeypatch.delenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT")
        dask_module.config.refresh()
    assert code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err


def test_s3_prefix_read_by_the_workers(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    from moto_server import moto_server, use_s3

    with moto_server(tmp_path / "moto.log") as url:
        use_s3(url, tmp_path, monkeypatch)
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="data")
        s3.put_object(Bucket="data", Key="in/a.csv", Body=csv(row(), row(), row(user="b")))
        s3.put_object(
            Bucket="data",
            Key="in/b.csv.gz",
            Body=gzip.compress(csv(row(), row(user="c", ts=RECENT * 1000)).encode()),
        )
        s3.put_object(Bucket="data", Key="in/c.csv", Body=csv(row(user="d"), 'x,y,1,"open'))
        project(tmp_path / "p", ["s3://data/in/"])
        found = by_rule(both(tmp_path / "p", scheduler, monkeypatch, capsys))
    (pl603,) = found["PL603"]
    assert "s3://data/in/b.csv.gz:2 (= s3://data/in/a.csv:2)" in pl603["message"]
    assert "s3://data/in/c.csv:3" in found["PL001"][0]["message"]


# --- edge cases of the format, one table: same report from both engines -------------------

UTF8_BOM = "\ufeff"
CRLF_ROWS = [row(), row(), row(user="o", ts=OLD), f'u2,i2,{RECENT},click,1.0,,"a\r\nb"', row()]
MANY = [row(user=f"m{j}", src=f"s{j % 3}") for j in range(30)]

# name: ({file under data/: text or bytes (".gz": compressed)}, [limits] lines, rules expected)
EDGE_CASES: dict[str, tuple[dict[str, str | bytes], str, set[str]]] = {
    "crlf line ends, a quoted CRLF inside a value": (
        {"a.csv": csv(*CRLF_ROWS).replace("\n", "\r\n").replace("\r\r\n", "\r\n"),
         "b.csv": csv(*CRLF_ROWS[:3])},
        "",
        {"PL603", "PL604", "PL608", "PL609"},
    ),
    "quoted line breaks move the lines of later rows and files": (
        {"a.csv": csv(row(), f'u2,i2,{RECENT},click,1.0,,"x\ny\nz"', row(user="n", src=""),
                      row(user="n", src="")),
         "b.csv": csv(row(user="n", src=""), f'"multi\nline user",i,{OLD},click,1.0,,home')},
        "",
        {"PL603", "PL604", "PL606", "PL608", "PL609"},
    ),
    "byte order marks, in one file of three and in a gzip": (
        {"a.csv": UTF8_BOM + csv(row(), row(user="b")),
         "b.csv": csv(row(), row(user="c")),
         "c.csv.gz": UTF8_BOM + csv(row(user="b"), row(user="d", ts=OLD))},
        "",
        {"PL603", "PL604"},
    ),
    "gzip files only, rows repeated between them": (
        {f"{i}.csv.gz": csv(*MANY[i * 5 : i * 5 + 15]) for i in range(4)},
        "",
        {"PL603"},
    ),
    "one header of six files differs": (
        {**{f"{i}.csv": csv(*MANY[i * 5 : i * 5 + 5]) for i in range(5)},
         "5.csv": csv(*MANY[:3], header=HEADER.replace("ITEM_ID", "ITEMID"))},
        "",
        {"PL602"},
    ),
    "empty files, a header-only file, an empty gzip": (
        {"a.csv": "", "b.csv": HEADER + "\n", "c.csv": csv(row(), row()),
         "d.csv.gz": "", "e.csv": HEADER, "f.csv": "\n\n"},
        "",
        {"PL602", "PL603"},
    ),
    "NUL bytes in text values": (
        {"a.csv": csv(row(), row(item="i\x001"), row(user="u\x00"), row(etype="cl\x00ick")),
         "b.csv": csv(row(item="i\x001"), row(src="h\x00me"))},
        "",
        {"PL603", "PL608", "PL609"},
    ),
    "a line past max-csv-record-bytes, in the middle of a file": (
        {"a.csv": csv(row(), row(user="x" * 5000), row(user="c"), row()),
         "b.csv": csv(row(user="c"), f'u,i,{RECENT},click,1.0,,"{"y" * 3000}"', row())},
        "[limits]\nmax-csv-record-bytes = 1024\n",
        {"PL001", "PL603", "PL608", "PL609"},
    ),
    "wrong encodings: latin-1, UTF-16, CR-only line ends": (
        {"latin1.csv": csv(row(), row(user="caf\u00e9"), row()).encode("latin-1"),
         "utf16.csv": csv(row(), row(user="b")).encode("utf-16"),
         "mac.csv": csv(row(), row()).replace("\n", "\r"),
         "ok.csv": csv(row())},
        "",
        {"PL001", "PL003", "PL603"},
    ),
    "ragged rows, blank lines, no final line break": (
        {"a.csv": csv(row(), "u,i", "", row(), f"{row()},extra", ",,,,,,") + row(user="z"),
         "b.csv": csv(row(user="z"), "") + row(user="z")},
        "",
        {"PL603", "PL606", "PL608"},
    ),
}


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_edge_cases_give_the_same_report(
    case: str, tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    files, limits, expected = EDGE_CASES[case]
    project(tmp_path, ["data/"])
    if limits:
        config = tmp_path / "personalize-lint.toml"
        config.write_text(config.read_text() + limits)
    for name, text in files.items():
        write(tmp_path / "data" / name, text, gz=name.endswith(".gz"))
    found = by_rule(both(tmp_path, scheduler, monkeypatch, capsys, "--fail-on", "never"))
    assert expected <= set(found), sorted(found)


def test_many_s3_objects_are_read_by_the_workers_not_the_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """24 objects under one prefix (.csv and .csv.gz, files that are not data; a sub-folder,
    not read: a prefix is one folder, as locally), worker processes of their own: the
    client only lists the prefix (its S3 calls are recorded), the objects are fetched by
    the workers (moto_server's log of requests)."""
    pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    from moto_server import moto_server, use_s3
    from personalize_lint.data import sources

    client_calls: list[str] = []
    real_client = sources._boto3_client

    def recording_client() -> Any:
        client = real_client()
        client.meta.events.register(
            "before-call.s3.*", lambda model, **_: client_calls.append(model.name))
        return client

    log = tmp_path / "moto.log"
    with moto_server(log) as url:
        use_s3(url, tmp_path, monkeypatch)
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="data")
        shared = [row(user=f"s{j}") for j in range(5)]  # in every object: repeats across
        data_keys: set[str] = set()
        for i in range(28):
            key = f"in/{'sub/' if i >= 24 else ''}part-{i:02d}.csv"
            body = csv(*shared, *generated_rows(40, seed=100 + i)).encode()
            if i % 3 == 0:
                key, body = key + ".gz", gzip.compress(body)
            s3.put_object(Bucket="data", Key=key, Body=body)
            if i < 24:
                data_keys.add(key)
        s3.put_object(Bucket="data", Key="in/_SUCCESS", Body=b"")
        s3.put_object(Bucket="data", Key="in/manifest.json", Body=b"{}")
        root = project(tmp_path / "p", ["s3://data/in/"])
        code_local, local, _ = check(root, monkeypatch=monkeypatch, capsys=capsys)
        logged_before = len(log.read_text().splitlines())
        monkeypatch.setattr(sources, "_boto3_client", recording_client)
        # Worker processes inherit this environment (moto_server's endpoint).
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=NO_DASHBOARD) as cluster:
            code_dask, dask, err = check(root, "--scheduler", cluster.scheduler_address,
                                         monkeypatch=monkeypatch, capsys=capsys)
        requests = log.read_text().splitlines()[logged_before:]
    assert err == "" and (code_dask, dask) == (code_local, local)
    assert client_calls == ["ListObjectsV2"]
    fetched = {line.split('"GET /data/')[1].split()[0] for line in requests
               if '"GET /data/in/' in line}
    assert fetched == data_keys
    (pl603,) = by_rule(local["findings"])["PL603"]
    assert pl603["message"].startswith("236 of 1,080 rows (22%) duplicate earlier rows")


# --- every field of the scan, files spanning many chunks ----------------------------------


def comparable(result: ScanResult) -> dict[str, Any]:
    out = dataclasses.asdict(result)
    out.pop("seconds")
    out.pop("spilled_bytes")  # where fingerprints wait differs: the local index, or the shuffle
    return out


@pytest.mark.parametrize("memory_limit", [256 << 20, 1 << 16])
def test_scan_results_are_identical_field_by_field(
    tmp_path: Path, scheduler: str, memory_limit: int
) -> None:
    rows = generated_rows(3000, seed=3, dup_every=5)
    for i in range(5):
        part = rows[i * 500 : i * 500 + 1000]
        text = csv(*part) if i != 2 else csv(*part[:400], '"a\nb",' + part[400][1:], *part[401:])
        write(tmp_path / "d" / f"{i}.csv{'.gz' if i == 3 else ''}", text, gz=i == 3)
    options = ScanOptions(progress=False, chunk_size=16 << 10, memory_limit=memory_limit,
                          root=tmp_path)
    fields = schema_fields(SCHEMA)
    local = scan([str(tmp_path / "d")], fields=fields, as_of=AS_OF, options=options)
    with engines.using(EngineChoice("dask", scheduler=scheduler)) as session:
        assert session is not None
        remote = scan([str(tmp_path / "d")], fields=fields, as_of=AS_OF, options=options)
    assert local.duplicates > 500 and len(local.files) == 5 and local.complete
    assert comparable(remote) == comparable(local)


# --- what users see on stderr -----------------------------------------------------------


def run_cli(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``personalize-lint ARGS`` in a fresh process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "personalize_lint", *args], cwd=cwd, capture_output=True,
        text=True, env={**os.environ, "NO_COLOR": "1", **(env or {})}, timeout=180, check=False)


def test_own_local_cluster_prints_nothing_on_stderr_even_with_port_8787_taken(
    tmp_path: Path,
) -> None:
    """Without --scheduler, a LocalCluster is started for the run: it must not hold a fixed
    port (another cluster, a dashboard, a second run may have it) nor warn about it."""
    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row(), row(), row(user="b", ts=OLD)))
    with socket.socket() as taken:
        with contextlib.suppress(OSError):  # already taken by someone else: the same case
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        proc = run_cli(tmp_path, "check", "--engine", "dask", "--dask-workers", "1",
                       "--format", "json")
    assert proc.stderr == ""
    assert proc.returncode == 1
    assert {"PL603", "PL604"} <= {f["rule_id"] for f in json.loads(proc.stdout)["findings"]}


DIE_ON_FILE_TASK = """
import os
from distributed import WorkerPlugin

class DieOnFileTask(WorkerPlugin):
    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and "-file-" in str(key):
            os._exit(1)

async def dask_setup(worker):
    await worker.plugin_add(DieOnFileTask(), name="die-on-file-task")
"""


def test_own_local_cluster_losing_a_worker_is_one_line_on_stderr(tmp_path: Path) -> None:
    """A worker of the run's own LocalCluster dies (as when the nanny kills it past its
    memory limit): exit 2 and our one line, not the cluster's log of restarts."""
    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row(), row()))
    preload = write(tmp_path / "die_on_file_task.py", DIE_ON_FILE_TASK)
    proc = run_cli(tmp_path, "check", "--engine", "dask", "--dask-workers", "1",
                   "--format", "json",
                   env={"DASK_DISTRIBUTED__WORKER__PRELOAD": json.dumps([str(preload)]),
                        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"})
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(
        "personalize-lint: error: the Dask engine failed: a Dask worker died while checking "
        "data/a.csv"), lines[0]
    # Its workers' stderr is kept from the user's, so the line points at no log.
    assert lines[0].endswith("; the usual cause: a worker past 95% of its memory limit is "
                             "restarted (see [data] worker-memory)"), lines[0]


NOISY_WORKER = """
import logging, sys

async def dask_setup(worker):
    # What a restarted worker or one closing after its nanny went away writes (seen under
    # load): Dask's INFO log before any plugin runs, multiprocessing's traceback.
    logging.getLogger("distributed.worker").error("Starting Worker plugin shuffle")
    sys.stderr.write("Process Dask Worker process (from Nanny):\\nTraceback (most recent...\\n")
    sys.stderr.flush()
"""


def test_own_local_cluster_workers_write_nothing_to_the_users_stderr(tmp_path: Path) -> None:
    """Whatever the run's own worker processes write to stderr stays off the user's: a
    clean run prints its report and nothing else."""
    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row(), row(), row(user="b", ts=OLD)))
    preload = write(tmp_path / "noisy_worker.py", NOISY_WORKER)
    proc = run_cli(tmp_path, "check", "--engine", "dask", "--dask-workers", "1",
                   "--format", "json",
                   env={"DASK_DISTRIBUTED__WORKER__PRELOAD": json.dumps([str(preload)])})
    assert proc.stderr == ""
    assert proc.returncode == 1
    assert {"PL603", "PL604"} <= {f["rule_id"] for f in json.loads(proc.stdout)["findings"]}


RECORD_WORKER = """
import os

async def dask_setup(worker):
    with open(os.path.join(os.environ["RECORD_WORKERS"], str(os.getpid())), "w") as out:
        out.write(f"{worker.memory_manager.memory_limit} {worker.state.nthreads}")
"""


def test_own_local_cluster_takes_workers_threads_and_memory_from_the_configuration(
    tmp_path: Path,
) -> None:
    """[data] workers, threads-per-worker and worker-memory size the run's own cluster: the
    bound on each worker's memory is the one the user stated (the workers record theirs)."""
    project(tmp_path, ["data/*.csv"])
    config = tmp_path / "personalize-lint.toml"
    config.write_text('[data]\nengine = "dask"\nworkers = 2\nthreads-per-worker = 2\n'
                      'worker-memory = "700MiB"\n\n' + config.read_text())
    write(tmp_path / "data" / "a.csv", csv(row(), row(), row(user="b", ts=OLD)))
    preload = write(tmp_path / "record_worker.py", RECORD_WORKER)
    record = tmp_path / "workers"
    record.mkdir()
    proc = run_cli(tmp_path, "check", "--format", "json",
                   env={"DASK_DISTRIBUTED__WORKER__PRELOAD": json.dumps([str(preload)]),
                        "RECORD_WORKERS": str(record)})
    assert (proc.returncode, proc.stderr) == (1, "")
    assert {"PL603", "PL604"} <= {f["rule_id"] for f in json.loads(proc.stdout)["findings"]}
    workers = sorted(p.read_text() for p in record.iterdir())
    assert workers == [f"{700 << 20} 2"] * 2


# --- the engine failing is exit 2 with one line -------------------------------------------


def test_a_scheduler_that_never_answers_is_exit_2_with_one_line(tmp_path: Path) -> None:
    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row()))
    with socket.socket() as sock:  # accepts connections, never speaks Dask's protocol
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        # Dask's own setting for how long to try (its default is 30 s).
        proc = run_cli(tmp_path, "check", "--engine", "dask", "--scheduler",
                       f"tcp://127.0.0.1:{port}", "--format", "json",
                       env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        f"personalize-lint: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: "
        f"TimeoutError: no answer from tcp://127.0.0.1:{port} after 2 s"
    ], proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("tcp://127.0.0.1:1", "connection refused (no scheduler listens there)"),
        ("tcp://no-such-host.invalid:8786", "unknown host no-such-host.invalid"),
    ],
)
def test_a_scheduler_address_that_cannot_work_fails_at_once(
    address: str, why: str, tmp_path: Path
) -> None:
    """A refused connection or a host that does not resolve will not get better by waiting
    Dask's connect timeout (30 s): one line at once."""
    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row()))
    started = time.monotonic()
    proc = run_cli(tmp_path, "check", "--scheduler", address, "--format", "json")
    assert time.monotonic() - started < 15
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        f"personalize-lint: error: cannot reach the Dask scheduler at {address}: {why}\n")



def test_cluster_without_workers_is_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import dask

    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row()))
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), distributed.LocalCluster(
        n_workers=0, processes=False, dashboard_address=NO_DASHBOARD
    ) as cluster:
        code, report, err = check(
            tmp_path, "--scheduler", cluster.scheduler_address,
            monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and report == {}
    assert err.startswith(
        f"personalize-lint: error: the Dask scheduler at {cluster.scheduler_address} has no "
        "workers: "  # then Dask's words: (WorkerStart)TimeoutError: Only 0/1 workers arrived
    ) and "Only 0/1 workers arrived after 1" in err and err.count("\n") == 1, err


def test_worker_lost_mid_scan_is_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import dask

    class DieOnFileTask(distributed.WorkerPlugin):
        """Kills its worker process when a file task starts: a real worker loss. (Defined
        here so that it is pickled by value: the worker cannot import this test module.)"""

        def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
            if finish == "executing" and "-file-" in str(key):
                os._exit(1)

    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row()))
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=NO_DASHBOARD
    ) as cluster, distributed.Client(cluster) as client:
        client.register_plugin(DieOnFileTask())
        code, report, err = check(
            tmp_path, "--scheduler", cluster.scheduler_address,
            monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and report == {}
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0] == (
        "personalize-lint: error: the Dask engine failed: a Dask worker died while checking "
        "data/a.csv (on 1 worker); the workers' logs say why: a worker past 95% of its memory "
        "limit is restarted (see [data] worker-memory)")


KILL_SCHEDULER_ON_FILE_TASK = """
import os, signal
from distributed import WorkerPlugin

class KillScheduler(WorkerPlugin):
    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and "-file-" in str(key):
            os.kill(int(os.environ["SCHEDULER_PID"]), signal.SIGKILL)

async def dask_setup(worker):
    await worker.plugin_add(KillScheduler(), name="kill-scheduler")
"""


def test_scheduler_lost_mid_run_is_one_line_without_traceback(tmp_path: Path) -> None:
    """A real `dask scheduler` and `dask worker`; the scheduler dies while a file is being
    checked. Dask's client logs the lost connection with a traceback: not to our users."""
    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row(), row()))
    preload = write(tmp_path / "kill_scheduler.py", KILL_SCHEDULER_ON_FILE_TASK)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dask_cli = str(Path(sys.executable).parent / "dask")
    log = (tmp_path / "cluster.log").open("w")
    scheduler = subprocess.Popen(
        [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port),
         "--dashboard-address", NO_DASHBOARD], stdout=log, stderr=log)
    worker = subprocess.Popen(
        [dask_cli, "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
         "--preload", str(preload), "--no-dashboard"],
        stdout=log, stderr=log, env={**os.environ, "SCHEDULER_PID": str(scheduler.pid)})
    try:
        with distributed.Client(f"tcp://127.0.0.1:{port}", timeout=60) as client:
            client.wait_for_workers(1, timeout=120)  # the run waits 2 s for its worker
        proc = run_cli(tmp_path, "check", "--scheduler", f"tcp://127.0.0.1:{port}",
                       "--format", "json",
                       env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    finally:
        for p in (worker, scheduler):
            p.kill()
            p.wait(timeout=30)
        log.close()
    assert (proc.returncode, proc.stdout) == (2, ""), proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(
        "personalize-lint: error: the Dask engine failed: lost the Dask scheduler at "
        f"tcp://127.0.0.1:{port} while checking data/a.csv"), lines[0]


@pytest.mark.parametrize("where", ["file task", "duplicates task"])
def test_a_task_out_of_memory_is_exit_2_with_one_line(
    where: str, tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A MemoryError on a worker is the cluster's sizing, not a finding about the data."""
    from personalize_lint.data import dask_engine
    from personalize_lint.data import engine as local_engine

    def out_of_memory(*args: Any, **kwargs: Any) -> None:
        raise MemoryError

    # The cluster runs in this process (threads): the workers see these patches.
    if where == "file task":
        monkeypatch.setattr(local_engine.Scanner, "read_into", out_of_memory)
    else:
        monkeypatch.setattr(dask_engine, "_read_piece", out_of_memory)
    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row(), row()))
    code, report, err = check(tmp_path, "--scheduler", scheduler,
                              monkeypatch=monkeypatch, capsys=capsys)
    assert (code, report) == (2, {})
    assert err.count("\n") == 1 and err.startswith(
        "personalize-lint: error: the Dask engine failed: a Dask worker ran out of memory "
        "while "), err


def test_a_worker_without_the_extra_is_exit_2_with_one_line(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # The cluster runs in this process: its workers cannot import polars now.
    monkeypatch.setitem(sys.modules, "polars", None)
    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row()))
    code, report, err = check(tmp_path, "--scheduler", scheduler,
                              monkeypatch=monkeypatch, capsys=capsys)
    assert (code, report) == (2, {})
    assert err == (
        "personalize-lint: error: the Dask engine failed: a worker cannot import what the "
        "checks need (install 'personalize-lint[dask]' on every worker): ModuleNotFoundError: "
        "import of polars halted; None in sys.modules\n"), err



@pytest.mark.parametrize("missing", ["dask", "distributed"])
def test_engine_dask_without_dask_installed_is_exit_2_with_one_line(
    missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # As if the extra were not installed: the import of the module fails.
    monkeypatch.setitem(sys.modules, missing, None)
    monkeypatch.delitem(sys.modules, "personalize_lint.data.dask_engine", raising=False)
    project(tmp_path, ["data/*.csv"])
    write(tmp_path / "data" / "a.csv", csv(row()))
    code, report, err = check(tmp_path, "--engine", "dask",
                              monkeypatch=monkeypatch, capsys=capsys)
    assert (code, report) == (2, {})
    assert err == (
        "personalize-lint: error: the Dask engine needs the 'dask' extra on this machine and "
        "on every worker (pip install 'personalize-lint[dask]'): "
        f"import of {missing} halted; None in sys.modules\n"
    )



def test_progress_bar_moves_as_files_finish_on_the_cluster(
    tmp_path: Path, scheduler: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(3):
        write(tmp_path / "d" / f"{i}.csv", csv(*generated_rows(200, seed=i)))
    options = ScanOptions(progress=True, label="shop: data", root=tmp_path)
    capsys.readouterr()
    with engines.using(EngineChoice("dask", scheduler=scheduler)):
        result = scan([str(tmp_path / "d")], fields=None, as_of=AS_OF, options=options)
    err = capsys.readouterr().err
    assert result.rows == 600
    # The last redraw shows every byte and row (then the line is cleared).
    total = sum(f.size or 0 for f in result.files)
    assert f"shop: data: [########################] {total / 1e6:,.0f}/" in err
    assert "600 rows" in err and err.endswith("\r\x1b[K")


def test_progress_bar_moves_while_a_file_is_checked_on_a_worker(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One big file is one task: the bar must not wait for its end. The workers report
    bytes and rows as they go (every half second; here at once, and the chunks slowed
    down: the cluster runs in this process, so the workers see these patches)."""
    import time as time_module

    from personalize_lint.data import dask_engine
    from personalize_lint.data import engine as local_engine

    monkeypatch.setattr(dask_engine, "PROGRESS_INTERVAL", 0.0)
    real_chunk = local_engine.Scanner._chunk

    def slow_chunk(self: Any, *args: Any) -> Any:
        time_module.sleep(0.15)
        return real_chunk(self, *args)

    monkeypatch.setattr(local_engine.Scanner, "_chunk", slow_chunk)
    write(tmp_path / "d" / "big.csv", csv(*generated_rows(3000, seed=1)))
    options = ScanOptions(progress=True, label="big", chunk_size=16 << 10, root=tmp_path)
    capsys.readouterr()
    with engines.using(EngineChoice("dask", scheduler=scheduler)):
        result = scan([str(tmp_path / "d")], fields=None, as_of=AS_OF, options=options)
    err = capsys.readouterr().err
    assert result.rows == 3000
    drawn = [line.split(" rows")[0].rsplit(" ", 1)[1] for line in err.split("\r")
             if " rows" in line]  # "300", "1.2k" ...
    rows = [float(n[:-1]) * 1000 if n.endswith("k") else float(n) for n in drawn]
    assert any(0 < n < 3000 for n in rows), err
    assert rows[-1] == 3000


def test_partition_pieces_group_slices_by_worker_up_to_piece_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A partition task pulls its fingerprints a piece at a time: one request per piece of
    at most PIECE_ROWS, slices of several files of one worker in a piece."""
    import numpy as np

    from personalize_lint.data import dask_engine
    from personalize_lint.data.dask_engine import FilePart

    monkeypatch.setattr(dask_engine, "PIECE_ROWS", 10)
    parts = [
        FilePart(ScanResult(), "w1", "f0", np.array([25, 0])),
        FilePart(ScanResult(), "w2", "f1", np.array([7, 3])),
        FilePart(ScanResult(), "w1", "f2", np.array([8, 0])),
    ]
    assert list(dask_engine._pieces(parts, 2)) == [
        [
            ("w1", [("f0-000.bin", 0, 10)]),
            ("w1", [("f0-000.bin", 10, 10)]),
            ("w1", [("f0-000.bin", 20, 5), ("f2-000.bin", 0, 5)]),
            ("w1", [("f2-000.bin", 5, 3)]),
            ("w2", [("f1-000.bin", 0, 7)]),
        ],
        [("w2", [("f1-001.bin", 0, 3)])],
    ]
