"""Cleaning that keeps offsets: the parser reads a cleaned copy, evidence points into the original.

Real sources carry markdown (``**`` even inside words, ``|`` table pipes, ``#`` headings),
zero-width characters, soft hyphens and NBSP. Cleaning deletes or replaces them one character at
a time and records, for every character of the cleaned text, where it stood in the original.

>>> c = clean("Số: 171/KH-\\u00adPGD**ĐT**")
>>> c.text
'Số: 171/KH-PGDĐT'
>>> c.original_span(4, 16)
(4, 24)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Deleted outright: invisible characters and markdown emphasis. '*' and '_' pairs are emphasis
# in the markdown conversions of the portals ("**KẾ HOẠCH**", "Quy**ết** định").
_DELETE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\r*")
# Replaced one-for-one: spaces of every width become a plain space; table pipes become spaces so
# that "| Số: 986/QĐ-UBND | Tuyên Quang, ngày ..." reads as two fields; dashes become '-'.
_REPLACE = {
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\t": " ", "|": " ",
    "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2212": "-", "\uff0f": "/",
}


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The cleaned text and, for each of its characters, the offset in the original."""

    text: str
    index: tuple[int, ...]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the cleaned text back to the original text."""
        if not self.index:
            return (0, 0)
        start = max(0, min(start, len(self.index)))
        end = max(start, min(end, len(self.index)))
        if start == end:
            o = self.index[start] if start < len(self.index) else self.original_length
            return (o, o)
        return (self.index[start], self.index[end - 1] + 1)


def clean(text: str) -> Cleaned:
    """Clean ``text`` (already NFC) for parsing, keeping an offset map."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    index: list[int] = []
    line_start = True
    for i, ch in enumerate(text):
        if ch == "\u200b" and 0 < i < len(text) - 1 and _word_and_number(text[i - 1], text[i + 1]):
            ch = " "  # "Điều\u200b5", "năm\u200b2023": here the zero-width space stood for a space
        elif ch in _DELETE:
            continue
        # Markdown headings ("### Nội dung chính") and escapes ("1\\. ") carry no meaning here.
        if line_start and ch == "#":
            continue
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in ".-*_()[]#|":
            continue
        ch = _REPLACE.get(ch, ch)
        out.append(ch)
        index.append(i)
        if ch == "\n":
            line_start = True
        elif ch != " ":
            line_start = False
    return Cleaned("".join(out), tuple(index), len(text))


def _word_and_number(before: str, after: str) -> bool:
    return (before.isalpha() and after.isdigit()) or (before.isdigit() and after.isalpha())


def fold(s: str) -> str:
    """Accent-insensitive, lower-case key (đ -> d, marks stripped, non-alphanumerics -> one space).

    >>> fold("Sở GD&ĐT Sơn La")
    'so gd dt son la'
    """
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    return " ".join("".join(c if c.isalnum() else " " for c in s).split())
