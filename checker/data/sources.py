"""Where interactions data lives: expand locations into files and open them as byte streams.

A location is what a set-up's ``interactions-data`` lists: a file, a glob (``*``, ``?``,
``[...]``, ``**``), a folder (its ``.csv`` and ``.csv.gz`` files, not recursive, as a
Personalize folder import reads them), or ``s3://bucket/key``, ``s3://bucket/prefix/`` and
``s3://bucket/prefix/*.csv``. S3 objects are listed and streamed where they lie with boto3
(standard credential chain; ``AWS_ENDPOINT_URL_S3`` is honoured by botocore) or, when boto3
is not installed, pyarrow's built-in S3 filesystem. Both are imported only when an ``s3://``
location is met; nothing here downloads code or extensions.

``open_stream`` gives a file's bytes as a ``Stream``: gzip is inflated with zlib (which
releases the GIL, so the reader thread overlaps the parsing) and the bytes taken from the
source are counted for the progress bar.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import stat
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .result import DataProblem

CSV_SUFFIXES = (".csv", ".csv.gz")
GLOB_CHARS = frozenset("*?[")
_READ_BUFFER = 1 << 20


@dataclass(frozen=True)
class DataFile:
    """One file to scan."""

    uri: str  # absolute local path, or s3://bucket/key
    display: str  # repository-relative path or the s3:// URI
    location: str  # the interactions-data entry that named it
    size: int | None = None


class ByteCounter:
    """Bytes read so far from the sources (written by the reader thread, read for progress)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


def is_s3(location: str) -> bool:
    return location[:5].lower() == "s3://"


def is_csv_name(name: str) -> bool:
    return name.lower().endswith(CSV_SUFFIXES)


def display_path(path: Path, root: Path) -> str:
    """Repository-relative POSIX path when under ``root``, else the absolute path."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def expand(
    location: str, *, base_dirs: Iterable[Path], root: Path
) -> tuple[list[DataFile], list[DataProblem]]:
    """The files a location names, sorted; or a problem when it names none."""
    if is_s3(location):
        return _expand_s3(location)
    return _expand_local(location, list(base_dirs) or [Path.cwd()], root)


def _expand_local(
    location: str, base_dirs: list[Path], root: Path
) -> tuple[list[DataFile], list[DataProblem]]:
    raw = os.path.expanduser(location)
    candidates = [Path(raw)] if os.path.isabs(raw) else [base / raw for base in base_dirs]
    for cand in candidates:
        if GLOB_CHARS & set(raw):
            # Only the entry is a pattern: a project folder named "data[1]" or "*" is literal.
            depth = len(Path(raw).parts)
            top = Path(cand.anchor) if os.path.isabs(raw) else cand.parents[depth - 1]
            pattern = cand.relative_to(top).as_posix()
            matches = sorted(
                top / p
                for p in glob.glob(pattern, root_dir=top, recursive=True)
                if os.path.isfile(top / p)
            )
            if matches:
                return [_local(p, location, root) for p in matches], []
        elif cand.is_file():
            return [_local(cand, location, root)], []
        elif cand.is_dir():
            try:
                found = sorted(p for p in cand.iterdir() if p.is_file() and is_csv_name(p.name))
            except OSError as exc:
                return [], [DataProblem("unreadable", f"cannot list {location}: {exc}", location)]
            if not found:
                msg = f"folder {location} holds no .csv or .csv.gz files"
                return [], [DataProblem("missing", msg, location)]
            return [_local(p, location, root) for p in found], []
    where = " or ".join(str(c) for c in candidates)
    return [], [
        DataProblem("missing", f"{location} matches no file (looked for {where})", location)
    ]


def _local(path: Path, location: str, root: Path) -> DataFile:
    try:
        size: int | None = path.stat().st_size
    except OSError:
        size = None
    return DataFile(str(path.resolve()), display_path(path, root), location, size)


def split_s3(uri: str) -> tuple[str, str]:
    rest = uri[5:]
    bucket, _, key = rest.partition("/")
    return bucket, key


def _expand_s3(location: str) -> tuple[list[DataFile], list[DataProblem]]:
    bucket, key = split_s3(location)
    if not bucket:
        return [], [DataProblem("missing", f"{location} names no bucket", location)]
    try:
        if GLOB_CHARS & set(key):
            # List under the longest literal prefix, then match the pattern on full keys.
            literal = key[: min(key.index(c) for c in GLOB_CHARS if c in key)]
            objects = _list_s3(bucket, literal)
            found = [(k, s) for k, s in objects if glob_match(k, key)]
        else:
            exact = [] if key.endswith("/") or not key else _list_s3(bucket, key)
            found = [(k, s) for k, s in exact if k == key]
            if not found:
                prefix = key.rstrip("/") + "/" if key.rstrip("/") else ""
                found = [
                    (k, s)
                    for k, s in _list_s3(bucket, prefix)
                    if "/" not in k[len(prefix) :] and is_csv_name(k)
                ]
    except Exception as exc:  # botocore/pyarrow errors: AccessDenied, NoSuchBucket, no creds
        return [], [
            DataProblem("unreadable", f"cannot list {location}: {_describe(exc)}", location)
        ]
    if not found:
        msg = f"{location} matches no .csv or .csv.gz object"
        return [], [DataProblem("missing", msg, location)]
    return [DataFile(f"s3://{bucket}/{k}", f"s3://{bucket}/{k}", location, s) for k, s in found], []


def glob_match(key: str, pattern: str) -> bool:
    """Shell-style match of an S3 key: ``*``, ``?`` and ``[..]`` stay within one path
    segment, ``**`` spans any number of segments (as ``glob`` does for local paths)."""
    return _match(key.split("/"), pattern.split("/"))


def _match(parts: list[str], pats: list[str]) -> bool:
    if not pats:
        return not parts
    if pats[0] == "**":
        return any(_match(parts[i:], pats[1:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pats[0]) and _match(parts[1:], pats[1:])


def _describe(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        code, msg = err.get("Code"), err.get("Message")
        if code:
            return f"{code}: {msg}" if msg else str(code)
    return f"{type(exc).__name__}: {exc}"


# What decides the endpoint and credentials of a client made from the environment: one
# client per process and set of these (boto3 clients are thread-safe; making one costs
# ~0.1-0.2 CPU-s, minutes over a prefix of many objects if made per object).
CLIENT_ENVIRONMENT = (
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)
_clients: dict[tuple[str | None, ...], Any] = {}
_clients_lock = threading.Lock()


def _boto3_client() -> Any:
    key = tuple(os.environ.get(name) for name in CLIENT_ENVIRONMENT)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            import boto3  # lazily: only for s3:// locations

            client = _clients[key] = boto3.session.Session().client("s3")
    return client


def _pyarrow_fs() -> Any:
    from pyarrow import fs

    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    kwargs: dict[str, Any] = {}
    if endpoint:
        scheme, _, host = endpoint.partition("://")
        kwargs = {"endpoint_override": host or scheme, "scheme": scheme if host else "https"}
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        kwargs["region"] = region
    return fs.S3FileSystem(**kwargs)


def _have_boto3() -> bool:
    try:
        import boto3  # noqa: F401
    except ImportError:
        return False
    return True


def _list_s3(bucket: str, prefix: str) -> list[tuple[str, int | None]]:
    if _have_boto3():
        client = _boto3_client()
        out: list[tuple[str, int | None]] = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            out.extend((o["Key"], o.get("Size")) for o in page.get("Contents", []))
        return out
    from pyarrow import fs

    s3 = _pyarrow_fs()
    base = f"{bucket}/{prefix}"
    folder = base if base.endswith("/") else base.rsplit("/", 1)[0] + "/"
    infos = s3.get_file_info(
        fs.FileSelector(folder.rstrip("/"), recursive=True, allow_not_found=True)
    )
    return [
        (i.path[len(bucket) + 1 :], i.size)
        for i in infos
        if i.type == fs.FileType.File and i.path.startswith(base)
    ]


class Stream:
    """A readable byte stream: ``read(n)`` returns up to ``n`` bytes, b"" at the end.

    Counts the bytes taken from the source in ``counter`` (compressed bytes for gzip, so
    progress matches the sizes listed) and inflates gzip, recognised by its magic bytes
    rather than the file name. Concatenated gzip members (``cat a.gz b.gz``) are read on.
    """

    def __init__(
        self,
        read: Callable[[int], bytes],
        close: Callable[[], None],
        counter: ByteCounter,
        pread: Callable[[int, int], bytes] | None = None,
    ):
        self._source_read = read
        self._source_close = close
        self._source_pread = pread
        self._counter = counter
        self._pending = bytearray()
        self._eof = False
        self._consumed = 0  # bytes taken from the source, for the counter
        first = self._fill_raw()
        self._inflate: Any = None
        if first[:2] == b"\x1f\x8b":
            self._inflate = zlib.decompressobj(wbits=31)
            self._pending += self._decompress(first)
        else:
            self._pending += first

    @property
    def pread(self) -> Callable[[int, int], bytes] | None:
        """``pread(n, offset)`` for a plain local file (offsets in the file), else None."""
        if self._source_pread is None or self._inflate is not None:
            return None
        return self._positional

    def _positional(self, n: int, offset: int) -> bytes:
        assert self._source_pread is not None
        data = self._source_pread(n, offset)
        end = offset + len(data)
        if end > self._consumed:  # progress counts each byte of the file once
            self._counter.value += end - self._consumed
            self._consumed = end
        return data

    def _fill_raw(self) -> bytes:
        data = self._source_read(_READ_BUFFER)
        if not data:
            self._eof = True
        self._count(len(data))
        return bytes(data)

    def _count(self, n: int) -> None:
        self._counter.value += n
        self._consumed += n

    def _decompress(self, data: bytes) -> bytes:
        out = self._inflate.decompress(data)
        while self._inflate.eof and self._inflate.unused_data:
            rest = self._inflate.unused_data
            self._inflate = zlib.decompressobj(wbits=31)
            out += self._inflate.decompress(rest)
        return bytes(out)

    @property
    def compressed(self) -> bool:
        return self._inflate is not None

    def read(self, n: int) -> bytes:
        if self._inflate is None and not self._pending:
            # Plain data: hand the source's bytes over without another copy.
            if self._eof:
                return b""
            data = self._source_read(n)
            if not data:
                self._eof = True
            self._count(len(data))
            return bytes(data)
        while len(self._pending) < n and not self._eof:
            data = self._fill_raw()
            if self._inflate is None:
                self._pending += data
            elif data:
                self._pending += self._decompress(data)
            elif not self._inflate.eof:
                raise EOFError("the gzip stream ends before its end marker (truncated file)")
        out = bytes(self._pending[:n])
        del self._pending[:n]
        return out

    def close(self) -> None:
        self._source_close()


Raw = tuple[Callable[[int], bytes], Callable[[], None], Callable[[int, int], bytes] | None]


def open_raw(file: DataFile) -> Raw:
    """``read(n)``, ``close()`` and, for a local file, ``pread(n, offset)`` for the file's
    bytes as stored (no decompression)."""
    if is_s3(file.uri):
        bucket, key = split_s3(file.uri)
        if _have_boto3():
            body = _boto3_client().get_object(Bucket=bucket, Key=key)["Body"]
            return body.read, body.close, None
        stream = _pyarrow_fs().open_input_stream(f"{bucket}/{key}")
        return stream.read, stream.close, None
    fh = open(file.uri, "rb", buffering=0)  # noqa: SIM115 - closed through the Stream
    pread = None
    if hasattr(os, "pread") and stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
        fd = fh.fileno()

        def pread(n: int, offset: int) -> bytes:
            return os.pread(fd, n, offset)

    return fh.read, fh.close, pread


def open_stream(file: DataFile, counter: ByteCounter) -> Stream:
    """The file's bytes, inflated when gzip; ``counter`` advances by the bytes read."""
    read, close, pread = open_raw(file)
    try:
        return Stream(read, close, counter, pread)
    except BaseException:
        close()
        raise
