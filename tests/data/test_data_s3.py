"""s3:// interactions data read where it lies: moto_server on 127.0.0.1, dummy credentials."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("polars")
pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")

from moto_server import moto_server, reset, use_s3  # noqa: E402
from personalize_lint.data import sources  # noqa: E402
from personalize_lint.data.engine import ScanOptions, scan  # noqa: E402

AS_OF = datetime(2026, 11, 30, tzinfo=timezone.utc)
RECENT = int(AS_OF.timestamp()) - 3600
HEADER = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_ATTRIBUTION_SOURCE"


@pytest.fixture(scope="module")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


@pytest.fixture
def s3(moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    reset(moto_url)
    use_s3(moto_url, tmp_path, monkeypatch)
    client = boto3.client("s3")
    client.create_bucket(Bucket="data")
    return client


def put(client: Any, key: str, text: str, *, gz: bool = False) -> None:
    body = gzip.compress(text.encode()) if gz else text.encode()
    client.put_object(Bucket="data", Key=key, Body=body)


def run(*locations: str) -> Any:
    return scan(list(locations), fields=None, as_of=AS_OF, options=ScanOptions(progress=False))


def fill(client: Any) -> None:
    put(
        client,
        "imports/2026/a.csv",
        f"{HEADER}\nu1,i1,{RECENT},click,home\nu1,i1,{RECENT},click,home\n",
    )
    put(client, "imports/2026/b.csv.gz", f"{HEADER}\nu2,i2,{RECENT * 1000},buy,\n", gz=True)
    put(client, "imports/2026/readme.txt", "not data")
    put(client, "imports/2026/older/c.csv", f"{HEADER}\nu3,i3,{RECENT},click,x\n")


def test_prefix_reads_the_folder_where_it_lies(s3: Any) -> None:
    fill(s3)
    r = run("s3://data/imports/2026/")
    assert [f.uri for f in r.files] == [
        "s3://data/imports/2026/a.csv",
        "s3://data/imports/2026/b.csv.gz",
    ]
    assert r.complete and r.rows == 3 and r.duplicates == 1
    assert r.files[1].compressed
    assert set(r.format_errors) == {"TIMESTAMP is in milliseconds, not Unix epoch seconds"}
    assert r.event_types == {"click", "buy"}
    assert r.bytes_read == sum(f.size or 0 for f in r.files)


def test_single_object_and_glob(s3: Any) -> None:
    fill(s3)
    assert [f.uri for f in run("s3://data/imports/2026/a.csv").files] == [
        "s3://data/imports/2026/a.csv"
    ]
    r = run("s3://data/imports/*/*.csv*")
    assert [f.uri.rsplit("/", 1)[-1] for f in r.files] == ["a.csv", "b.csv.gz"]
    # A prefix is one folder; ``**`` takes the sub-folders too (README "Large data").
    r = run("s3://data/imports/**/*.csv*")
    assert [f.uri.split("imports/")[1] for f in r.files] == [
        "2026/a.csv", "2026/b.csv.gz", "2026/older/c.csv"]


def test_missing_prefix_and_bucket_are_problems(s3: Any) -> None:
    r = run("s3://data/nothing-here/", "s3://no-such-bucket/x/")
    assert [p.kind for p in r.problems] == ["missing", "unreadable"]
    assert "NoSuchBucket" in r.problems[1].message
    assert not r.complete


def test_pyarrow_filesystem_when_boto3_is_absent(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyarrow.fs")
    fill(s3)
    monkeypatch.setattr(sources, "_have_boto3", lambda: False)
    r = run("s3://data/imports/2026/")
    assert [f.uri.rsplit("/", 1)[-1] for f in r.files] == ["a.csv", "b.csv.gz"]
    assert r.rows == 3 and r.duplicates == 1 and not r.problems
    assert os.environ["AWS_ENDPOINT_URL_S3"].startswith("http://127.0.0.1")


def test_one_s3_client_serves_every_object(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Making a boto3 client costs ~0.1-0.2 CPU-s: one per object would be minutes of a
    10,000-object prefix (twice on a Dask worker: header, then the file). One client per
    process and AWS environment reads them all; another endpoint gets its own."""
    for i in range(6):
        put(s3, f"many/{i}.csv", f"{HEADER}\nu{i},i1,{RECENT},click,home\n")
    made: list[str | None] = []
    real = boto3.session.Session.client

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(os.environ.get("AWS_ENDPOINT_URL_S3"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(boto3.session.Session, "client", counting)
    assert run("s3://data/many/").rows == 6
    assert run("s3://data/many/").rows == 6
    assert len(made) == 1
    url = os.environ["AWS_ENDPOINT_URL_S3"]
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", url + "/")  # the same server, another spelling
    assert run("s3://data/many/").rows == 6
    assert made[1:] == [url + "/"]
