"""Cut a CSV byte stream into record-aligned chunks, and read its header.

The engine parses each chunk with a columnar CSV reader, so a chunk must end exactly at the
end of a record. A line break ends a record only outside quotes; with RFC 4180 quoting
(``""`` inside a quoted value) that is exactly when the number of ``"`` bytes before it is
even, so the cut is found with ``bytes.rfind``/``bytes.count`` (C speed, no per-row Python).
Each chunk carries its first physical line number and its counts of line breaks, quotes and
commas, from which the engine derives exact line numbers and spots rows with the wrong
number of fields without parsing anything twice, and whether it holds a NUL byte (one
``memchr``, ~0.2 ms per 16 MiB), so only such chunks are searched for the values that hold
one.

A local uncompressed file is read by position (``pread``): each chunk is one read of
``chunk_size`` bytes handed to the parser as is, without a copy. The partial record at its
end (when it has no quote) stays in the buffer: the parser reads it as one short last row,
which the engine drops, and the next chunk reads it again from the file. Streams (gzip,
S3) keep the carried-over partial record and join it to the next block: one copy.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

BOM = b"\xef\xbb\xbf"
WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 LE/BE (and UTF-32 LE: ff fe 00 00)
NOT_UTF8 = "the file is not UTF-8 text (Personalize reads CSV as UTF-8)"
HEADER_READ = 64 << 10  # bytes read first for the header (more when it is longer)
# The csv module's default field limit. The engine's slow path raises that process-wide
# limit to max-csv-record-bytes for data rows; a header name is held to the default
# whatever ran before, so its verdict does not depend on which files were read first.
HEADER_NAME_LIMIT = 128 << 10


class Readable(Protocol):
    def read(self, n: int) -> bytes: ...


class CsvSyntaxError(Exception):
    """The stream cannot be cut into records (a quote never closes, no line break at all)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Header:
    names: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    lines: int = 1  # physical lines the header record takes
    bom: bool = False


@dataclass
class Chunk:
    data: bytes  # the parser's input: the records, maybe followed by a partial record
    end: int  # the records are ``data[:end]``; ``data[end:]`` is read again by the next chunk
    first_line: int  # physical line of the chunk's first record
    newlines: int  # counts below are of the records (``data[:end]``)
    quotes: int
    commas: int
    final: bool  # the last chunk of the file (may lack a trailing line break)
    nul: bool = False  # a NUL byte somewhere in the records (text never holds one)

    @property
    def records(self) -> bytes:
        return self.data if self.end == len(self.data) else self.data[: self.end]

    @property
    def partial(self) -> bool:
        """``data`` ends with a partial record (no quote, no line break): parsed as one
        extra last row, which is not a record of this chunk."""
        return self.end < len(self.data)


def last_record_end(buf: bytes) -> int:
    """Offset just past the last line break of ``buf`` that ends a record, 0 if none.

    ``buf`` starts at a record boundary. Walks back over line breaks keeping the count of
    quotes after each; usually the first try succeeds (no quotes at all, or balanced).
    """
    if b'"' not in buf:  # memchr: no quotes, so every line break ends a record
        return buf.rfind(b"\n") + 1
    total = buf.count(b'"')
    end = len(buf)
    after = 0
    while True:
        i = buf.rfind(b"\n", 0, end)
        if i < 0:
            return 0
        if total:
            after += buf.count(b'"', i, end)
            if (total - after) % 2:
                end = i
                continue
        return i + 1


def first_record_end(buf: bytes) -> int:
    """Offset just past the first line break that ends a record, -1 if none."""
    pos = 0
    quotes = 0
    while True:
        i = buf.find(b"\n", pos)
        if i < 0:
            return -1
        quotes += buf.count(b'"', pos, i)
        if quotes % 2 == 0:
            return i + 1
        pos = i + 1


def parse_header(raw: bytes) -> Header:
    """Column names of a header record (quotes removed) and which were written quoted."""
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    try:
        names = next(csv.reader(io.StringIO(text, newline="")), [])
        # A second split that keeps quote characters tells which names were written quoted.
        raw_fields = next(csv.reader([text.replace("\n", " ")], quoting=csv.QUOTE_NONE), [])
    except csv.Error as exc:  # e.g. a name past the csv module's field limit (128 KiB)
        raise CsvSyntaxError(f"the header cannot be read: {exc}", 1) from exc
    if any(len(f) > HEADER_NAME_LIMIT for f in (*names, *raw_fields)):  # as csv says it
        raise CsvSyntaxError(
            f"the header cannot be read: field larger than field limit ({HEADER_NAME_LIMIT})", 1
        )
    quoted: list[str] = []
    if len(raw_fields) == len(names):
        quoted = [n for n, r in zip(names, raw_fields, strict=True) if r.strip().startswith('"')]
    else:  # a quoted name holding a comma: fall back to "any quote at all"
        quoted = list(names) if '"' in text else []
    return Header(names=names, quoted=quoted, lines=max(raw.count(b"\n"), 1))


class ChunkReader:
    """Iterate ``Chunk``s of about ``chunk_size`` bytes after reading the header."""

    def __init__(self, stream: Readable, *, chunk_size: int, max_record: int) -> None:
        self.stream = stream
        self.chunk_size = chunk_size
        self.max_record = max_record
        self.header = Header(lines=0)
        self._carry = b""
        self._eof = False
        self._line = 1
        self._offset = 0  # where the first record starts in the stream

    def _read(self, n: int = 0) -> bytes:
        if self._eof:
            return b""
        block = self.stream.read(n or self.chunk_size)
        if not block:
            self._eof = True
        return block

    def read_header(self) -> Header:
        # A small first read: a positional reader reads the records again from the file.
        buf = self._read(min(HEADER_READ, self.chunk_size))
        while True:
            end = first_record_end(buf)
            if end < 0 and b"\r" in buf.rstrip(b"\r"):  # lines, but no LF: CR-only ends
                raise CsvSyntaxError(
                    "the lines end with CR alone (classic Mac OS): Personalize reads records "
                    "ended by LF or CRLF",
                    1,
                )
            if end >= 0 or self._eof:
                break
            if len(buf) > self.max_record:
                raise CsvSyntaxError("the header does not end within the first bytes read", 1)
            buf += self._read(max(len(buf), 1))
        # UTF-16/32 text (Excel's "Unicode text"): as UTF-8, a header of names full of NUL
        # bytes and a finding per column; one line instead, and the file is not read.
        if buf.startswith(WIDE_BOMS):
            raise CsvSyntaxError(
                f"the header holds a UTF-16 or UTF-32 byte order mark: {NOT_UTF8}", 1
            )
        if b"\x00" in (buf[:end] if end >= 0 else buf):
            raise CsvSyntaxError(f"the header holds NUL bytes: {NOT_UTF8}", 1)
        bom = buf.startswith(BOM)
        if bom:
            buf = buf[len(BOM) :]
            end = first_record_end(buf)
            self._offset = len(BOM)
        if end < 0:  # a file of one line without a line break (or empty)
            end = len(buf)
        header = parse_header(buf[:end]) if buf else Header(lines=0)
        header.bom = bom
        self.header = header
        self._carry = buf[end:]
        self._offset += end
        self._line = 1 + header.lines
        return header

    def __iter__(self) -> Iterator[Chunk]:
        pread = getattr(self.stream, "pread", None)
        if pread is not None:
            return self._by_position(pread)
        return self._by_stream()

    def _by_position(self, pread: Callable[[int, int], bytes]) -> Iterator[Chunk]:
        offset = self._offset
        size = self.chunk_size
        while True:
            data = pread(size, offset)
            if not data:
                return
            quoted = data.find(b'"') >= 0  # one scan for quotes per read (memchr)
            if len(data) < size:  # the rest of the file
                yield self._make(data, len(data), final=True, quoted=quoted)
                return
            cut = last_record_end(data) if quoted else data.rfind(b"\n") + 1
            if not cut:  # a record longer than a chunk: read more at once
                if len(data) > self.max_record:
                    raise self._too_long()
                size = min(size * 2, self.max_record + 1)
                continue
            if cut < len(data) and quoted:
                data = data[:cut]  # a quote in the partial record could confuse the parser
            yield self._make(data, cut, final=False, quoted=quoted)
            offset += cut
            size = self.chunk_size

    def _by_stream(self) -> Iterator[Chunk]:
        carry = self._carry
        while True:
            block = self._read()
            if not block:
                if carry:
                    yield self._chunk((carry,), final=True)
                return
            if b'"' not in block and b'"' not in carry:
                # The usual case: no quotes, cut at the last line break without copying.
                cut = block.rfind(b"\n") + 1
                if cut:
                    yield self._chunk((carry, memoryview(block)[:cut]), final=False, quoted=False)
                    carry = block[cut:]
                    continue
                buf = carry + block
            else:
                buf = carry + block
                cut = last_record_end(buf)
                if cut:
                    yield self._chunk((memoryview(buf)[:cut],), final=False)
                    carry = buf[cut:]
                    continue
            if len(buf) > self.max_record:
                raise self._too_long()
            carry = buf

    def _too_long(self) -> CsvSyntaxError:
        return CsvSyntaxError(
            f"a record starting at line {self._line} runs past "
            f"{self.max_record:,} bytes (max-csv-record-bytes): an unclosed quote, or line "
            "breaks that are not \\n (old Mac CR-only files)",
            self._line,
        )

    def _chunk(
        self, parts: tuple[bytes | memoryview, ...], *, final: bool, quoted: bool = True
    ) -> Chunk:
        data = parts[0] if len(parts) == 1 and isinstance(parts[0], bytes) else b"".join(parts)
        return self._make(data, len(data), final=final, quoted=quoted)

    def _make(self, data: bytes, end: int, *, final: bool, quoted: bool = True) -> Chunk:
        """``quoted=False``: the caller saw no quote in ``data`` (no need to look again)."""
        quotes = data.count(b'"', 0, end) if quoted and data.find(b'"', 0, end) >= 0 else 0
        newlines, commas = count_bytes(data, end)
        chunk = Chunk(
            data=data,
            end=end,
            first_line=self._line,
            newlines=newlines,
            quotes=quotes,
            commas=commas,
            final=final,
            nul=data.find(b"\x00", 0, end) >= 0,
        )
        self._line += newlines
        return chunk


COUNT_BLOCK = 1 << 18  # bytes compared at a time: the scratch mask stays in the CPU cache


def count_bytes(data: bytes, end: int) -> tuple[int, int]:
    """Line breaks and commas in ``data[:end]``.

    numpy compares 3-4x faster than ``bytes.count`` (which showed up as 16% of a scan's
    CPU time); comparing a block at a time into one small mask halves that again, as no
    chunk-sized temporary array is allocated (and zeroed by the kernel).
    """
    import numpy as np

    view = np.frombuffer(data, dtype=np.uint8, count=end)
    mask = np.empty(min(end, COUNT_BLOCK), dtype=bool)
    newlines = commas = 0
    for start in range(0, end, COUNT_BLOCK):
        block = view[start : start + COUNT_BLOCK]
        out = mask[: len(block)]
        newlines += int(np.count_nonzero(np.equal(block, 10, out=out)))
        commas += int(np.count_nonzero(np.equal(block, 44, out=out)))
    return newlines, commas
