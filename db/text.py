"""Cleaning text that arrives from feeds and spreadsheets: HTML, whitespace, postcodes."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
}
_SKIP_TAGS = {"script", "style", "template", "head"}
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


class _TextExtractor(HTMLParser):
    """Standard-library HTML parser: fast enough for 100,000 descriptions, no dependency."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(value: str | None) -> str:
    """Plain text from a feed's HTML: paragraphs kept as blank-line breaks, tags and entities gone."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return clean_text(value, keep_lines=True)
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    return clean_text(unescape("".join(parser.parts)), keep_lines=True)


def clean_text(value: object, keep_lines: bool = False) -> str:
    """Trim, collapse runs of spaces, drop control characters; optionally keep paragraph breaks."""
    if value is None:
        return ""
    text = str(value)
    if not keep_lines and text.isprintable() and "  " not in text and text == text.strip():
        return text  # already clean: most values in a feed are
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    if not text.replace("\n", "").replace("\t", "").isprintable():  # rare: the slow path only then
        text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    if not keep_lines:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def normalise_postcode(value: str | None) -> str:
    """'le1 1aa' -> 'LE1 1AA'; a bare district 'le4' -> 'LE4'; anything else -> ''."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if match := _POSTCODE.match(compact):
        return f"{match.group(1)} {match.group(2)}"
    if _DISTRICT.match(compact):
        return compact
    return ""


def postcode_district(postcode: str) -> str:
    """'LE1 1AA' -> 'LE1'."""
    return normalise_postcode(postcode).split(" ")[0] if postcode else ""
