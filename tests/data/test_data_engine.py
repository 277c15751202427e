"""The one-pass data scan (checker/data/engine.py) on small files written by the tests."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

pytest.importorskip("polars")
pytest.importorskip("numpy")

from helpers import write
from interactions_csv import AS_OF, HEADER, NOW, OLD, RECENT, SCHEMA, row
from personalize_lint.data.engine import ScanOptions, SchemaField, scan, schema_fields
from personalize_lint.data.result import Position, ScanResult


def run(
    *paths: Path | str,
    fields: list[SchemaField] | None = None,
    chunk_size: int = 1 << 20,
    memory_limit: int = 256 << 20,
) -> ScanResult:
    options = ScanOptions(progress=False, chunk_size=chunk_size, memory_limit=memory_limit)
    if paths and isinstance(paths[0], Path):
        options.root = paths[0].parent
    return scan([str(p) for p in paths], fields=fields, as_of=AS_OF, options=options)


def lines(result: ScanResult, positions: list[Position]) -> list[int]:
    return [p.line for p in positions]


def test_clean_file_has_nothing_to_report(tmp_path: Path) -> None:
    body = "\n".join([HEADER] + [row(user=f"u{i}") for i in range(20)]) + "\n"
    r = run(write(tmp_path / "i.csv", body), fields=schema_fields(SCHEMA))
    assert r.complete and r.rows == 20 and not r.problems
    assert r.duplicates == 0 and r.old.count == 0 and not r.format_errors
    assert r.sources == {"home"} and r.no_source.count == 0 and r.both.count == 0
    assert r.event_types == {"click"}
    assert r.files[0].header == HEADER.split(",")


def test_duplicates_count_and_first_lines(tmp_path: Path) -> None:
    rows = [
        row(user="a"),
        row(user="b"),
        row(user="a"),
        row(user="c"),
        row(user="b"),
        row(user="a"),
    ]
    r = run(write(tmp_path / "i.csv", "\n".join([HEADER, *rows]) + "\n"))
    # a on lines 2, 4, 7; b on 3, 6: three rows repeat an earlier one.
    assert r.duplicates == 3 and r.duplicate_groups == 2
    assert [(d.at.line, d.same_as.line) for d in r.duplicate_examples] == [(4, 2), (6, 3), (7, 2)]


def test_duplicates_across_files_and_column_order(tmp_path: Path) -> None:
    a = write(
        tmp_path / "d" / "a.csv", f"USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,{RECENT}\nu2,i2,{RECENT}\n"
    )
    write(tmp_path / "d" / "b.csv", f"ITEM_ID,USER_ID,TIMESTAMP\ni1,u1,{RECENT}\n")
    r = run(tmp_path / "d")
    assert [f.display.rsplit("/", 1)[-1] for f in r.files] == ["a.csv", "b.csv"]
    assert r.duplicates == 1
    (d,) = r.duplicate_examples
    assert (d.at, d.same_as) == (Position(1, 2), Position(0, 2))
    assert a.exists()


def test_blank_lines_are_format_errors_not_duplicates(tmp_path: Path) -> None:
    body = f"{HEADER}\n{row()}\n,,,,,,\n\n{row(user='u2')}\n"
    r = run(write(tmp_path / "i.csv", body))
    assert r.duplicates == 0
    assert lines(r, r.format_errors["blank line"].examples) == [3, 4]


def test_old_records_with_oldest(tmp_path: Path) -> None:
    rows = [
        row(ts=RECENT),
        row(user="b", ts=OLD),
        row(user="c", ts=OLD - 100),
        row(ts=NOW - 14 * 86_400),
    ]
    r = run(write(tmp_path / "i.csv", "\n".join([HEADER, *rows]) + "\n"))
    assert r.old.count == 3  # exactly 14 days counts as old
    assert lines(r, r.old.examples) == [3, 4, 5]
    assert r.oldest == OLD - 100 and r.oldest_at == Position(0, 4)


@pytest.mark.parametrize(
    ("ts", "kind"),
    [
        (str(RECENT * 1000), "TIMESTAMP is in milliseconds, not Unix epoch seconds"),
        ("2026-11-29T10:00:00Z", "TIMESTAMP is a date string, not Unix epoch seconds"),
        ("2026-11-29", "TIMESTAMP is a date string, not Unix epoch seconds"),
        ("", "TIMESTAMP is blank"),
        ("  ", "TIMESTAMP is blank"),
        ("1700000000.5", "TIMESTAMP is not an integer"),
        ("soon", "TIMESTAMP is not an integer"),
    ],
)
def test_timestamp_format_errors(tmp_path: Path, ts: str, kind: str) -> None:
    body = f"{HEADER}\n{row()}\n{row(user='x', ts=ts)}\n"
    r = run(write(tmp_path / "i.csv", body))
    assert set(r.format_errors) == {kind}
    assert lines(r, r.format_errors[kind].examples) == [3]
    assert r.old.count == 0  # a malformed timestamp is not aged


def test_schema_types_required_fields_and_id_length(tmp_path: Path) -> None:
    header = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,PRICE,QTY,FLAG"
    schema = {
        "type": "record",
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "EVENT_TYPE", "type": "string"},
            {"name": "PRICE", "type": ["null", "double"]},
            {"name": "QTY", "type": "int"},
            {"name": "FLAG", "type": ["boolean", "null"]},
        ],
    }
    rows = [
        f"u1,i1,{RECENT},click,1.5,2,true",  # fine
        f"u1,i2,{RECENT},click,cheap,2,",  # PRICE not a double
        f"u1,i3,{RECENT},click,,99999999999,FALSE",  # QTY does not fit an int
        f"u1,i4,{RECENT},click,,,maybe",  # QTY required, FLAG not a boolean
        f",{'x' * 257},{RECENT},click,,1,",  # USER_ID empty, ITEM_ID too long
    ]
    r = run(
        write(tmp_path / "i.csv", "\n".join([header, *rows]) + "\n"), fields=schema_fields(schema)
    )
    got = {k: lines(r, t.examples) for k, t in r.format_errors.items()}
    assert got == {
        "PRICE is not a valid double": [3],
        "QTY is not a valid int": [4],
        "QTY is empty but the schema requires it": [5],
        "FLAG is not a valid boolean": [5],
        "USER_ID is empty but the schema requires it": [6],
        "ITEM_ID is longer than 256 characters": [6],
    }


NUL = "\x00"
NUL_KIND = "{} holds a NUL byte (0x00), which text never does"


@pytest.mark.parametrize(
    ("changed", "kinds"),
    [
        ({"user": f"u{NUL}1"}, {NUL_KIND.format("USER_ID")}),
        ({"item": f"{NUL}i1"}, {NUL_KIND.format("ITEM_ID")}),
        ({"item": f'"i{NUL},1"'}, {NUL_KIND.format("ITEM_ID")}),  # quoted, with a comma
        ({"user": NUL * 3, "item": f"i{NUL}"},
         {NUL_KIND.format("USER_ID"), NUL_KIND.format("ITEM_ID")}),
        ({"etype": f"click{NUL}"}, {NUL_KIND.format("EVENT_TYPE")}),
        ({"rec": f"r{NUL}"}, {NUL_KIND.format("RECOMMENDATION_ID")}),
        # Where another check already says the value is wrong, it says so once.
        ({"ts": f"{RECENT}{NUL}"}, {"TIMESTAMP is not an integer"}),
        ({"value": f"1{NUL}"}, {"EVENT_VALUE is not a valid float"}),
        ({"src": f"home{NUL}"}, set()),  # PL609: not printable ASCII
        ({}, set()),
    ],
)
def test_nul_bytes_in_text_values(tmp_path: Path, changed: dict[str, str],
                                  kinds: set[str]) -> None:
    body = f"{HEADER}\n{row()}\n{row(**changed)}\n{row(user='u3')}\n"
    r = run(write(tmp_path / "i.csv", body), fields=schema_fields(SCHEMA))
    assert {k: lines(r, t.examples) for k, t in r.format_errors.items()} == {
        k: [3] for k in kinds}
    assert r.rows == 3 and not r.problems
    if "src" in changed:
        assert lines(r, r.bad_sources["not printable ASCII"].examples) == [3]


# NUL bytes on every path: unquoted and quoted values, a chunk read again after a partial
# record, the csv module's slow path (a ragged row in the chunk), CRLF, gzip.
WITH_NUL = (
    "\r\n".join(
        [HEADER]
        + [row(user=f"u{i}") for i in range(12)]
        + [row(user=f"u{NUL}x"), row(item=f'"i{NUL}, q"')]
        + [row(user=f"v{i}") for i in range(9)]
        + ["u9,i9,1", row(user=f"{NUL}{NUL}", item=f"i{NUL}")]
        + [row(user=f"w{i}") for i in range(10)]
    )
    + "\r\n"
)


@pytest.mark.parametrize("chunk_size", [8, 61, 333, 1 << 20])
def test_nul_bytes_are_found_on_every_path(tmp_path: Path, chunk_size: int) -> None:
    plain = run(write(tmp_path / "p" / "i.csv", WITH_NUL), chunk_size=chunk_size)
    streamed = run(write(tmp_path / "g" / "i.csv.gz", WITH_NUL, gz=True), chunk_size=chunk_size)
    assert _summary(plain) == _summary(streamed)
    found = _summary(plain)["format"]
    assert found[NUL_KIND.format("USER_ID")] == (2, [14, 26])  # type: ignore[index]
    assert found[NUL_KIND.format("ITEM_ID")] == (2, [15, 26])  # type: ignore[index]


def test_only_chunks_holding_a_nul_byte_are_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from personalize_lint.data import engine

    searched: list[int] = []
    real = engine.Scanner._nul_bytes

    def counting(self: engine.Scanner, index: int, plan: object, df: object,
                 out: ScanResult) -> None:
        searched.append(index)
        real(self, index, plan, df, out)  # type: ignore[arg-type]

    monkeypatch.setattr(engine.Scanner, "_nul_bytes", counting)
    clean = "\n".join([HEADER] + [row(user=f"u{i}") for i in range(200)]) + "\n"
    run(write(tmp_path / "clean.csv", clean), chunk_size=256)
    assert searched == []
    dirty = clean + row(user=f"u{NUL}") + "\n"
    r = run(write(tmp_path / "dirty.csv", dirty), chunk_size=256)
    assert len(searched) == 1  # the last chunk, of many
    assert lines(r, r.format_errors[NUL_KIND.format("USER_ID")].examples) == [202]


def test_sources_neither_both_and_bad_values(tmp_path: Path) -> None:
    rows = [
        row(src="home"),
        row(user="b", src="", rec=""),  # neither
        row(user="c", src="email", rec="RID-1"),  # both
        row(user="d", src="", rec="RID-2"),  # recommendation only
        row(user="e", src="   "),  # blank
        row(user="f", src="caf\u00e9"),  # not ASCII
        row(user="g", src="s" * 1025),  # too long
    ]
    r = run(write(tmp_path / "i.csv", "\n".join([HEADER, *rows]) + "\n"))
    assert r.no_source.count == 1 and lines(r, r.no_source.examples) == [3]
    assert r.both.count == 1 and lines(r, r.both.examples) == [4]
    assert r.sources == {"home", "email", "   ", "caf\u00e9", "s" * 1025}
    assert lines(r, r.bad_sources["blank"].examples) == [6]
    assert lines(r, r.bad_sources["not printable ASCII"].examples) == [7]
    assert lines(r, r.bad_sources["longer than 1,024 characters"].examples) == [8]
    assert r.bad_source_values["blank"] == ["   "]


def test_bad_source_values_are_listed_in_row_order(tmp_path: Path) -> None:
    # Several offending values in one chunk: the examples are the first ones in the file,
    # the same on every run (a hash-ordered distinct would shuffle them).
    bad = [f"caf\u00e9-{i}" for i in (5, 3, 9, 1, 7, 2, 8)]
    rows = [row(user=f"u{i}", src=value) for i, value in enumerate(bad)]
    for _ in range(3):
        r = run(write(tmp_path / "i.csv", "\n".join([HEADER, *rows]) + "\n"))
        assert r.bad_source_values["not printable ASCII"] == bad[:5]


def test_missing_source_columns_count_as_neither(tmp_path: Path) -> None:
    r = run(write(tmp_path / "i.csv", f"USER_ID,ITEM_ID,TIMESTAMP\nu,i,{RECENT}\nv,i,{RECENT}\n"))
    assert r.no_source.count == 2 and r.sources == set() and r.event_types == set()


def test_quoted_commas_and_line_breaks_keep_lines_exact(tmp_path: Path) -> None:
    body = (
        "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,NOTE\n"
        f'u1,i1,{RECENT},click,"a, b"\n'
        f'u2,i2,{RECENT},click,"one\ntwo\nthree"\n'
        f"u3,i3,{RECENT * 1000},click,x\n"
        f'u1,i1,{RECENT},click,"a, b"\n'
    )
    for chunk_size in (16, 1 << 20):
        r = run(write(tmp_path / "i.csv", body), chunk_size=chunk_size)
        assert r.rows == 4
        ms = r.format_errors["TIMESTAMP is in milliseconds, not Unix epoch seconds"]
        assert lines(r, ms.examples) == [6]  # after the three-line record starting at 3
        spans = r.format_errors["record spans several lines (a quoted value holds a line break)"]
        assert lines(r, spans.examples) == [3]
        assert [(d.at.line, d.same_as.line) for d in r.duplicate_examples] == [(7, 2)]


def test_bom_crlf_and_quoted_header(tmp_path: Path) -> None:
    body = (
        '\ufeff"USER_ID","ITEM_ID",TIMESTAMP,EVENT_TYPE\r\n'
        f"u1,i1,{RECENT},click\r\nu1,i1,{RECENT},click\r\nu2,i2,{OLD},buy\r\n"
    )
    r = run(write(tmp_path / "i.csv", body))
    f = r.files[0]
    assert f.bom and f.header == ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]
    assert f.quoted_header == ["USER_ID", "ITEM_ID"]
    assert r.rows == 3 and r.duplicates == 1 and lines(r, r.old.examples) == [4]
    assert r.event_types == {"click", "buy"} and not r.format_errors


def test_gzip_gives_the_same_result_as_plain(tmp_path: Path) -> None:
    body = "\n".join([HEADER, row(), row(), row(user="z", ts=str(RECENT * 1000))]) + "\n"
    plain = run(write(tmp_path / "p" / "i.csv", body))
    gz = run(write(tmp_path / "g" / "i.csv.gz", body, gz=True))
    assert gz.files[0].compressed and not plain.files[0].compressed
    for r in (plain, gz):
        assert r.rows == 3 and r.duplicates == 1
        assert set(r.format_errors) == {"TIMESTAMP is in milliseconds, not Unix epoch seconds"}


def test_gzip_recognised_by_content_and_multi_member(tmp_path: Path) -> None:
    first = gzip.compress(f"{HEADER}\n{row()}\n".encode())
    second = gzip.compress(f"{row(user='u2')}\n".encode())
    r = run(write(tmp_path / "named-plain.csv", first + second))
    assert r.files[0].compressed and r.rows == 2


def test_truncated_gzip_is_unreadable(tmp_path: Path) -> None:
    data = gzip.compress(("\n".join([HEADER] + [row(user=f"u{i}") for i in range(500)])).encode())
    r = run(write(tmp_path / "cut.csv.gz", data[: len(data) // 2]))
    assert not r.complete
    assert [p.kind for p in r.problems] == ["unreadable"]


def test_folder_glob_and_missing_locations(tmp_path: Path) -> None:
    write(tmp_path / "d" / "a.csv", f"{HEADER}\n{row()}\n")
    write(tmp_path / "d" / "b.csv.gz", f"{HEADER}\n{row(user='b')}\n", gz=True)
    write(tmp_path / "d" / "notes.txt", "not data")
    r = run(tmp_path / "d", str(tmp_path / "d" / "*.csv"), str(tmp_path / "nope" / "*.csv"))
    assert sorted(f.display.rsplit("/", 1)[-1] for f in r.files) == ["a.csv", "b.csv.gz"]
    assert r.rows == 2  # a.csv named twice is read once
    assert [p.kind for p in r.problems] == ["missing"]
    assert not r.complete


def test_ragged_rows_are_found_on_the_slow_path(tmp_path: Path) -> None:
    body = f"{HEADER}\n{row()}\nu2,i2,{RECENT}\n{row(user='u3')},extra\n{row(user='u4')}\n"
    r = run(write(tmp_path / "i.csv", body))
    key = "row has a different number of fields than the header (7)"
    assert lines(r, r.format_errors[key].examples) == [3, 4]
    assert r.rows == 4


def test_broken_quoting_and_invalid_utf8_are_reported_and_skipped_over(tmp_path: Path) -> None:
    body = (
        f"{HEADER}\n{row()}\n".encode()
        + f'u2,"i"2",{RECENT},click,1,,home\n'.encode()
        + b"u3,i\xff,1700000000,click,1,,home\n"
        + f"{row(user='u4')}\n".encode()
    )
    r = run(write(tmp_path / "i.csv", body))
    assert r.rows == 4
    assert r.syntax_errors.count == 2
    assert sorted(lines(r, r.syntax_errors.examples)) == [3, 4]
    assert any("UTF-8" in m for m in r.syntax_messages)


@pytest.mark.parametrize("chunk_size", [8, 64, 333, 1 << 20])
def test_results_do_not_depend_on_chunk_size(tmp_path: Path, chunk_size: int) -> None:
    rows = [
        row(user=f"u{i % 7}", ts=OLD if i % 3 else RECENT, src="" if i % 4 else f"s{i % 5}")
        for i in range(300)
    ]
    path = write(tmp_path / "i.csv", "\n".join([HEADER, *rows]) + "\n")
    small = run(path, chunk_size=chunk_size)
    big = run(path)
    for attr in (
        "rows",
        "duplicates",
        "duplicate_groups",
        "duplicate_examples",
        "oldest",
        "sources",
    ):
        assert getattr(small, attr) == getattr(big, attr), attr
    assert small.old == big.old and small.no_source == big.no_source


def _summary(r: ScanResult) -> dict[str, object]:
    """Everything a rule reads from a scan, examples and line numbers included."""
    return {
        "rows": r.rows,
        "duplicates": (r.duplicates, r.duplicate_groups, r.duplicate_examples),
        "old": (r.old, r.oldest, r.oldest_at),
        "sources": (r.sources, r.no_source, r.both, r.bad_sources),
        "event_types": r.event_types,
        "format": {k: (t.count, lines(r, t.examples)) for k, t in r.format_errors.items()},
        "syntax": (r.syntax_errors.count, lines(r, r.syntax_errors.examples)),
    }


# Quote-free stretches (read by position, partial records re-read) between quoted
# records with commas and line breaks, a blank line, a short and a long row, CRLF.
MIXED = (
    "\r\n".join(
        [HEADER]
        + [
            row(user=f"u{i % 9}", ts=OLD if i % 3 else RECENT, src="" if i % 4 else "s1")
            for i in range(40)
        ]
        + ['u1,i1,1700000000,click,1,,"a, b"', 'u2,"i\r\n2",1700000000,click,1,,home', ""]
        + [row(user=f"u{i % 5}", ts=NOW * 1000 if i == 7 else RECENT) for i in range(40)]
        + ["u9,i9,1", "u9,i9,1,click,1,,home,extra"]
        + [row(user=f"u{i % 4}") for i in range(30)]
    )
    + "\r\n"
)


@pytest.mark.parametrize("chunk_size", [8, 61, 333, 1 << 20])
def test_positional_reads_and_streams_agree(tmp_path: Path, chunk_size: int) -> None:
    plain = run(write(tmp_path / "p" / "i.csv", MIXED), chunk_size=chunk_size)
    streamed = run(write(tmp_path / "g" / "i.csv.gz", MIXED, gz=True), chunk_size=chunk_size)
    whole = run(write(tmp_path / "w" / "i.csv", MIXED))
    assert _summary(plain) == _summary(streamed) == _summary(whole)
    assert plain.rows == 115 and plain.duplicates > 0
    # Partial records read again are not counted twice (progress, bytes per file).
    assert plain.bytes_read == plain.files[0].bytes_read == len(MIXED.encode())
    ragged = "row has a different number of fields than the header (7)"
    assert _summary(plain)["format"][ragged] == (2, [86, 87])  # type: ignore[index]


def test_every_chunk_boundary_gives_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A positional read may end anywhere: inside a value, after a comma, between the CR
    and the LF of a CRLF line break. The partial record is dropped and read again, on the
    fast path (the csv module's slow path would hide a mistake there)."""
    from personalize_lint.data import engine

    def no_slow_path(*args: object) -> None:
        raise AssertionError("a clean file took the slow path")

    monkeypatch.setattr(engine.Scanner, "_slow", no_slow_path)
    body = "\r\n".join([HEADER] + [row(user=f"u{i % 3}", item=f"item{i}") for i in range(6)])
    path = write(tmp_path / "i.csv", body + "\r\n")
    first = run(path)
    assert not first.problems and first.rows == 6
    whole = _summary(first)
    for chunk_size in range(1, len(body) // 2):
        result = run(path, chunk_size=chunk_size)
        assert not result.problems and _summary(result) == whole, chunk_size


def test_spilling_duplicate_index_agrees_with_memory(tmp_path: Path) -> None:
    rows = [row(user=f"u{i % 1000}", item=f"i{i % 5}") for i in range(9000)]
    path = write(tmp_path / "i.csv", "\n".join([HEADER, *rows]) + "\n")
    in_memory = run(path)
    spilled = run(path, memory_limit=1, chunk_size=4096)
    assert spilled.spilled_bytes > 0 and in_memory.spilled_bytes == 0
    assert spilled.duplicates == in_memory.duplicates == 8000
    assert spilled.duplicate_examples == in_memory.duplicate_examples


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    r = run(write(tmp_path / "e.csv", ""), write(tmp_path / "h.csv", HEADER + "\n"))
    assert r.rows == 0 and r.files[0].header == [] and r.files[1].header == HEADER.split(",")
    assert r.complete


def test_schema_fields_reads_unions_and_ignores_junk() -> None:
    fields = schema_fields(SCHEMA)
    assert fields is not None
    assert SchemaField("EVENT_VALUE", "float", True) in fields
    assert SchemaField("USER_ID", "string", False) in fields
    assert schema_fields({"type": "record"}) is None
    assert schema_fields("nope") is None


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16", True), ("utf-16-le", False), ("utf-16-be", False), ("utf-32", True)],
)
def test_utf16_or_utf32_data_is_one_pl001_not_a_header_of_nul_bytes(
    tmp_path: Path, encoding: str, bom: bool
) -> None:
    """Excel's "Unicode text" export: every character takes two (or four) bytes. Read as
    UTF-8 it would be a header of names full of NUL bytes and a finding per column."""
    text = "\n".join([HEADER, row(), row(user="b")]) + "\n"
    r = run(write(tmp_path / "wide.csv", text.encode(encoding)), write(tmp_path / "ok.csv", text))
    (problem,) = r.problems
    assert (problem.kind, problem.file, problem.line) == ("syntax", 0, 1)
    what = "a UTF-16 or UTF-32 byte order mark" if bom else "NUL bytes"
    assert problem.message == (
        f"cannot read wide.csv: the header holds {what}: the file is not UTF-8 text "
        "(Personalize reads CSV as UTF-8)"
    )
    assert r.files[0].header == [] and r.rows == 2  # the other file is still checked


def test_cr_only_line_ends_are_one_pl001_that_says_so(tmp_path: Path) -> None:
    """Classic Mac OS line ends: the whole file is one line without a record end."""
    text = "\r".join([HEADER, row(), row(user="b")]) + "\r"
    r = run(write(tmp_path / "mac.csv", text))
    (problem,) = r.problems
    assert (problem.kind, problem.line) == ("syntax", 1)
    assert problem.message == (
        "cannot read mac.csv: the lines end with CR alone (classic Mac OS): Personalize "
        "reads records ended by LF or CRLF")
