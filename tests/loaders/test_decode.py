"""decode(): bytes to text within the size bound, with BOMs, UTF-16/32 and clear errors.

(Named test_decode.py, not test_text.py: tests/reporters/test_text.py exists, and test
folders have no __init__.py, so two test modules may not share a name.)
"""

from __future__ import annotations

import codecs
import pickle

import pytest

from personalize_lint.loaders.errors import ParseError
from personalize_lint.loaders.text import Decoded, decode

LIMIT = 1024 * 1024
POLICY = '{\n  "Sid": "Ünïcode ✓"\n}\n'


def fails(raw: bytes, max_bytes: int = LIMIT) -> ParseError:
    with pytest.raises(ParseError) as info:
        decode(raw, max_bytes=max_bytes)
    return info.value


@pytest.mark.parametrize(
    ("raw", "encoding", "had_bom"),
    [
        (POLICY.encode("utf-8"), "utf-8", False),
        (codecs.BOM_UTF8 + POLICY.encode("utf-8"), "utf-8", True),
        (codecs.BOM_UTF16_LE + POLICY.encode("utf-16-le"), "utf-16-le", True),
        (codecs.BOM_UTF16_BE + POLICY.encode("utf-16-be"), "utf-16-be", True),
        (codecs.BOM_UTF32_LE + POLICY.encode("utf-32-le"), "utf-32-le", True),
        (codecs.BOM_UTF32_BE + POLICY.encode("utf-32-be"), "utf-32-be", True),
        (
            POLICY.encode("utf-16"),
            "utf-16-le" if codecs.BOM_UTF16 == codecs.BOM_UTF16_LE else "utf-16-be",
            True,
        ),  # what Windows "Unicode" editors write
    ],
)
def test_decodes_and_reports_the_encoding(raw: bytes, encoding: str, had_bom: bool) -> None:
    assert decode(raw, max_bytes=LIMIT) == Decoded(POLICY, encoding, had_bom)


def test_the_bom_is_removed_not_kept_as_text() -> None:
    assert not decode(codecs.BOM_UTF8 + b"{}", max_bytes=LIMIT).text.startswith("\ufeff")


def test_empty_file_decodes_to_empty_text() -> None:
    assert decode(b"", max_bytes=LIMIT) == Decoded("", "utf-8", False)


# -- the size bound ----------------------------------------------------------------------------


def test_size_exactly_at_the_limit_is_read() -> None:
    assert decode(b"x" * 100, max_bytes=100).text == "x" * 100


def test_one_byte_over_the_limit_is_refused() -> None:
    exc = fails(b"x" * 101, max_bytes=100)
    assert (exc.line, exc.column, exc.limit) == (1, 1, "max-bytes")
    assert "101 bytes, over the 100-byte limit" in exc.message


# -- undecodable and binary content ----------------------------------------------------------

# raw bytes, words the message contains, line, column (columns count characters)
ERRORS = [
    (b'{"a": "\xff"}', "invalid UTF-8: byte 0xFF at offset 7", 1, 8),
    ('{\n  "é": "'.encode() + b"\xe9t\xe9" + b'"\n}', "byte 0xE9 at offset 11", 2, 9),
    ("ü\nab".encode() + b"\xc3", "unexpected end of data", 2, 3),  # truncated sequence
    (b"\xed\xa0\x80", "invalid UTF-8: byte 0xED", 1, 1),  # an encoded surrogate
    (b'{"a": 1}\x00\x00', "binary file: NUL byte at offset 8", 1, 9),
    (b"\x1f\x8b\x08\x00rest", "binary file (gzip-compressed)", 1, 1),
    (b"PK\x03\x04rest", "binary file (a zip archive)", 1, 1),
    ('{"a": 1}'.encode("utf-16-le"), "looks like UTF-16 without a byte-order mark", 1, 2),
    (codecs.BOM_UTF16_LE + b"{\x00\x00", "invalid UTF-16-LE: truncated data", 1, 2),
    (codecs.BOM_UTF16_LE + "a\n\x00".encode("utf-16-le"), "binary file: NUL character", 2, 1),
    (codecs.BOM_UTF16_LE + b"\x00\xd8a\x00", "invalid UTF-16-LE", 1, 1),  # lone surrogate
]


@pytest.mark.parametrize(("raw", "message", "line", "column"), ERRORS)
def test_errors(raw: bytes, message: str, line: int, column: int) -> None:
    exc = fails(raw)
    assert message in exc.message
    assert (exc.line, exc.column) == (line, column)
    assert exc.limit is None


# -- ParseError itself -------------------------------------------------------------------------


def test_parse_error_fields_and_text() -> None:
    exc = ParseError("nesting deeper than 64 levels", 3, 7, limit="max-depth")
    assert (exc.message, exc.line, exc.column, exc.limit) == (
        "nesting deeper than 64 levels",
        3,
        7,
        "max-depth",
    )
    assert str(exc) == "3:7: nesting deeper than 64 levels"
    assert "limit='max-depth'" in repr(exc)


def test_parse_error_survives_pickling() -> None:
    """Files may be parsed in worker processes; their errors must cross back intact."""
    exc = pickle.loads(pickle.dumps(ParseError("bad", 2, 5, "max-bytes")))
    assert (exc.message, exc.line, exc.column, exc.limit) == ("bad", 2, 5, "max-bytes")
