"""Reading an HTML report back, for the tests: it is polyglot markup, so the standard
library's XML parser reads it (and fails on anything that is not well-formed)."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser
from typing import Any

XHTML = "{http://www.w3.org/1999/xhtml}"


def parse_page(text: str) -> ET.Element:
    return ET.fromstring(text)


def page_text(element: ET.Element | None) -> str:
    """The text a reader sees in an element (``<br/>`` read as a line break)."""
    if element is None:
        return ""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        if node.tag == f"{XHTML}br":
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return "".join(parts)


def finding_items(page: ET.Element) -> list[dict[str, Any]]:
    """Every finding on the page: its rule, fingerprint, visible text and element."""
    return [{"rule": li.get("data-rule"), "level": li.get("data-level"),
             "fingerprint": li.get("data-fingerprint"), "text": page_text(li), "element": li}
            for li in page.iter(f"{XHTML}li") if li.get("class") == "finding"]


def location_text(finding: dict[str, Any]) -> str:
    """How the page shows a JSON finding's place: path:line:col, or the ARN and region."""
    if finding["path"]:
        where = finding["path"]
        if finding["line"] is not None:
            where += f":{finding['line']}:{finding['column']}"
        return where
    if finding["arn"]:
        return f"{finding['arn']} ({finding['region']})" if finding["region"] else finding["arn"]
    return "<config>"


# Elements HTML closes by itself; everything else must be closed explicitly on our pages.
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})


class BalancedTags(HTMLParser):
    """Tokenises HTML as a browser does and fails on any tag left open, closed twice or
    closed out of order, on a self-closed non-void element, and on a stray "<" or "&"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[tuple[str, tuple[int, int]]] = []
        self.problems: list[str] = []
        self.started = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.started += 1
        if tag not in VOID:
            self.open.append((tag, self.getpos()))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.started += 1
        # SVG children may self-close in XML fashion; HTML elements only when void.
        in_svg = any(t == "svg" for t, _ in self.open)
        if tag not in VOID and not in_svg:
            self.problems.append(f"<{tag}/> at {self.getpos()} is not a void element")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            expected = self.open[-1] if self.open else None
            self.problems.append(f"</{tag}> at {self.getpos()}, expected close of {expected}")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:
            self.problems.append(f"raw '<' in text at {self.getpos()}: {data[:40]!r}")

    def handle_entityref(self, name: str) -> None:
        if name not in ("amp", "lt", "gt", "quot"):
            self.problems.append(f"&{name}; at {self.getpos()} is not an XML entity")


def tag_problems(text: str) -> list[str]:
    checker = BalancedTags()
    checker.feed(text)
    checker.close()
    problems = list(checker.problems)
    problems += [f"<{tag}> opened at {pos} is never closed" for tag, pos in checker.open]
    if not checker.started:
        problems.append("no tags at all")
    return problems


def png_pixels(data: bytes) -> tuple[int, int, list[bytes], int]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes): width, height, rows, channels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows, channels
