"""Bytes to text: size bound, byte-order marks, UTF-8 validation, binary detection.

AWS takes policies, schemas and requests as UTF-8. UTF-16/UTF-32 files (with a BOM) are still
decoded, because Windows editors produce them and the user deserves findings on the content;
``Decoded.encoding`` tells the caller, which may report the encoding separately.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .errors import ParseError

# Longest BOMs first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of binary formats users point the linter at by mistake, for a clearer message.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip-compressed"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"\x7fELF", "an executable"),
)


@dataclass(frozen=True)
class Decoded:
    """Decoded text (BOM removed), the encoding it was read with, and whether it had a BOM."""

    text: str
    encoding: str  # "utf-8", "utf-16-le", "utf-16-be", "utf-32-le" or "utf-32-be"
    had_bom: bool


def decode(raw: bytes, *, max_bytes: int) -> Decoded:
    """Decode a file's bytes, or raise ParseError pointing at the first undecodable byte."""
    if len(raw) > max_bytes:
        raise ParseError(
            f"file is {len(raw):,} bytes, over the {max_bytes:,}-byte limit (max-bytes)",
            1,
            1,
            limit="max-bytes",
        )
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _decode_with_bom(raw[len(bom) :], encoding)
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise ParseError(f"binary file ({what}), not text", 1, 1)
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _byte_position(raw, nul)
        raise ParseError(f"binary file: NUL byte at offset {nul}{_utf16_hint(raw)}", line, column)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(raw, exc.start)
        raise ParseError(
            f"invalid UTF-8: byte 0x{raw[exc.start]:02X} at offset {exc.start} "
            f"({exc.reason}); save the file as UTF-8",
            line,
            column,
        ) from None
    return Decoded(text, "utf-8", False)


def _decode_with_bom(body: bytes, encoding: str) -> Decoded:
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        # Position in characters: decode the good prefix to count lines and columns.
        prefix = body[: exc.start].decode(encoding, errors="replace")
        line, column = _text_position(prefix, len(prefix))
        raise ParseError(
            f"invalid {encoding.upper()}: {exc.reason} at byte offset {exc.start}", line, column
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _text_position(text, nul)
        raise ParseError("binary file: NUL character in text", line, column)
    # UTF-8 with a BOM is still UTF-8; the flag lets the caller mention the BOM if it cares.
    return Decoded(text, encoding, True)


def _utf16_hint(raw: bytes) -> str:
    """Text saved as UTF-16 without a BOM has a NUL in every other byte of ASCII text."""
    head = raw[:64]
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and (odd.count(0) == len(odd) or even.count(0) == len(even)):
        return " (this looks like UTF-16 without a byte-order mark; save the file as UTF-8)"
    return ""


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset (the bytes before it may be bad)."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def _text_position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1
