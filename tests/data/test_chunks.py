"""Record-aligned chunking and header reading (checker/data/chunks.py)."""

from __future__ import annotations

import csv
import io

import pytest

from personalize_lint.data.chunks import (
    ChunkReader,
    CsvSyntaxError,
    first_record_end,
    last_record_end,
    parse_header,
)


@pytest.mark.parametrize(
    ("buf", "end"),
    [
        (b"a,b\nc,d\n", 8),
        (b"a,b\nc,d", 4),
        (b'a,"b\nc",d\ne', 10),  # the first \n is inside quotes
        (b'a,"b\nc', 0),  # no record ends yet
        (b'a,"x""y"\n"open', 9),  # escaped quote keeps the count even
        (b"no line break", 0),
    ],
)
def test_last_record_end(buf: bytes, end: int) -> None:
    assert last_record_end(buf) == end


def test_first_record_end_skips_quoted_line_breaks() -> None:
    assert first_record_end(b'"A\nB",C\nx') == 8
    assert first_record_end(b"A,B") == -1


def test_parse_header_names_and_quotes() -> None:
    h = parse_header(b'"USER_ID",ITEM_ID,"TIMESTAMP"\r\n')
    assert h.names == ["USER_ID", "ITEM_ID", "TIMESTAMP"]
    assert h.quoted == ["USER_ID", "TIMESTAMP"]
    assert h.lines == 1
    assert parse_header(b"USER_ID,ITEM_ID\n").quoted == []


class Stream:
    """A byte stream that hands out at most ``step`` bytes a read (like a slow socket)."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        self.data = data
        self.pos = 0
        self.step = step

    def read(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + min(n, self.step)]
        self.pos += len(out)
        return out


class FileLike(Stream):
    """A local file: also read by position (``pread``), as the engine reads local files."""

    def pread(self, n: int, offset: int) -> bytes:
        return self.data[offset : offset + n]


def chunks_of(
    data: bytes, chunk_size: int, kind: type[Stream] = Stream
) -> tuple[list[str], list[tuple[int, str]]]:
    reader = ChunkReader(kind(data, step=chunk_size), chunk_size=chunk_size, max_record=1 << 16)
    header = reader.read_header()
    records: list[tuple[int, str]] = []
    for chunk in reader:
        body = chunk.records.decode()
        line = chunk.first_line
        for rec_text in _split_records(body):
            records.append((line, rec_text))
            line += rec_text.count("\n")
    return header.names, records


def _split_records(body: str) -> list[str]:
    out: list[str] = []
    start = 0
    quotes = 0
    for i, ch in enumerate(body):
        if ch == '"':
            quotes += 1
        elif ch == "\n" and quotes % 2 == 0:
            out.append(body[start : i + 1])
            start = i + 1
    if start < len(body):
        out.append(body[start:])
    return out


DATA = (
    b"\xef\xbb\xbfUSER_ID,ITEM_ID,NOTE\r\n"
    b'u1,i1,"a, b"\r\n'
    b'u2,i2,"line one\r\nline two"\r\n'
    b"u3,i3,plain\r\n"
    b'u4,i4,"say ""hi"""\r\n'
    b"u5,i5,last"
)


@pytest.mark.parametrize("kind", [Stream, FileLike])
@pytest.mark.parametrize("chunk_size", [1, 5, 16, 64, 1 << 20])
def test_chunks_cut_at_record_ends_with_exact_lines(chunk_size: int, kind: type[Stream]) -> None:
    names, records = chunks_of(DATA, chunk_size, kind)
    assert names == ["USER_ID", "ITEM_ID", "NOTE"]
    lines = [line for line, _ in records]
    assert lines == [2, 3, 5, 6, 7]  # the quoted line break moves u3 to line 5
    parsed = [next(csv.reader(io.StringIO(text, newline=""))) for _, text in records]
    assert [p[0] for p in parsed] == ["u1", "u2", "u3", "u4", "u5"]
    assert parsed[1][2] == "line one\r\nline two"
    assert parsed[3][2] == 'say "hi"'


def test_bom_is_noted_and_removed() -> None:
    reader = ChunkReader(Stream(DATA), chunk_size=64, max_record=1 << 16)
    header = reader.read_header()
    assert header.bom and header.names[0] == "USER_ID"


def test_unclosed_quote_past_the_record_limit_is_a_syntax_error() -> None:
    data = b'A,B\n1,"never closed\n' + b"x,y\n" * 100
    reader = ChunkReader(Stream(data, step=16), chunk_size=16, max_record=64)
    reader.read_header()
    with pytest.raises(CsvSyntaxError) as info:
        list(reader)
    assert info.value.line == 2


def test_counts_are_of_the_records() -> None:
    reader = ChunkReader(Stream(b"A,B\n1,2\n3,4\n", step=100), chunk_size=100, max_record=1 << 10)
    reader.read_header()
    (chunk,) = list(reader)
    assert chunk.newlines == 2 and chunk.commas == 2 and chunk.quotes == 0
    assert chunk.records == b"1,2\n3,4\n" and not chunk.partial


@pytest.mark.parametrize("kind", [Stream, FileLike])
def test_a_chunk_says_whether_its_records_hold_a_nul_byte(kind: type[Stream]) -> None:
    data = b"A,B\n" + b"1,2\n" * 4 + b"3,\x004\n" + b"1,2\n" * 4 + b"5,\x00"
    reader = ChunkReader(kind(data, step=8), chunk_size=8, max_record=1 << 10)
    reader.read_header()
    with_nul = [c.records for c in reader if c.nul]
    # Only the chunks whose records hold one, not a chunk that merely reads past it again.
    assert with_nul and all(b"\x00" in r for r in with_nul)
    assert b"".join(with_nul).count(b"\x00") == 2


def test_positional_chunk_keeps_a_partial_record_without_quotes() -> None:
    data = b"A,B\n" + b"1,2\n" * 5 + b"3,4"
    reader = ChunkReader(FileLike(data), chunk_size=10, max_record=1 << 10)
    reader.read_header()
    chunks = list(reader)
    first = chunks[0]
    # One read of 10 bytes: two records, then "1," which the next chunk reads again.
    assert first.data == b"1,2\n1,2\n1," and first.partial and first.records == b"1,2\n1,2\n"
    assert first.newlines == 2 and first.commas == 2
    assert b"".join(c.records for c in chunks) == data[4:]
    assert chunks[-1].final and not chunks[-1].partial


def test_positional_chunk_copies_records_when_the_tail_has_a_quote() -> None:
    data = b'A,B\n1,2\n3,"x\ny"\n'
    reader = ChunkReader(FileLike(data), chunk_size=8, max_record=1 << 10)
    reader.read_header()
    chunks = list(reader)
    assert not any(c.partial for c in chunks)
    assert b"".join(c.records for c in chunks) == data[4:]


def test_positional_record_longer_than_a_chunk_is_read_whole_or_refused() -> None:
    data = b"A,B\n1," + b"x" * 100 + b"\n2,3\n"
    reader = ChunkReader(FileLike(data), chunk_size=8, max_record=1 << 10)
    reader.read_header()
    assert b"".join(c.records for c in reader) == data[4:]
    reader = ChunkReader(FileLike(data), chunk_size=8, max_record=64)
    reader.read_header()
    with pytest.raises(CsvSyntaxError) as info:
        list(reader)
    assert info.value.line == 2


@pytest.mark.parametrize("kind", [Stream, FileLike])
def test_header_longer_than_the_first_read(kind: type[Stream]) -> None:
    names = [f"C{i}_" + "n" * 200 for i in range(400)]  # 80 KB, past the first 64 KiB read
    data = (",".join(names) + "\n" + ",".join("x" * 400) + "\n").encode()
    reader = ChunkReader(kind(data, step=1 << 30), chunk_size=1 << 20, max_record=1 << 20)
    assert reader.read_header().names == names
    assert [c.records for c in reader] == [data[data.index(b"\n") + 1 :]]


def test_header_name_past_the_csv_field_limit_is_a_syntax_error() -> None:
    data = ("USER_ID," + "N" * (200 << 10) + "\nu1,x\n").encode()
    reader = ChunkReader(Stream(data, step=1 << 30), chunk_size=1 << 20, max_record=1 << 20)
    with pytest.raises(CsvSyntaxError) as info:
        reader.read_header()
    assert info.value.line == 1 and "field limit" in str(info.value)


def test_header_name_limit_does_not_depend_on_an_earlier_scan() -> None:
    """The engine's slow path raises the csv module's process-wide field limit to
    max-csv-record-bytes; a header read after that (the next file, or the next test in
    this process) gets the same verdict as before it."""
    data = ("USER_ID," + "N" * (200 << 10) + "\nu1,x\n").encode()
    before = csv.field_size_limit(1 << 20)  # as engine.Scanner._slow leaves it
    try:
        reader = ChunkReader(Stream(data, step=1 << 30), chunk_size=1 << 20, max_record=1 << 20)
        with pytest.raises(CsvSyntaxError) as info:
            reader.read_header()
    finally:
        csv.field_size_limit(before)
    assert info.value.line == 1 and "field limit" in str(info.value)
    assert parse_header(("USER_ID," + "N" * (128 << 10)).encode()).names[1] == "N" * (128 << 10)
