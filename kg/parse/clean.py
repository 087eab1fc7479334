"""Cleaning that keeps offsets: the parser reads a cleaned copy, evidence points into the original.

Real sources carry markdown (``**`` even inside words, ``|`` table pipes, ``#`` headings),
zero-width characters, soft hyphens and NBSP. Cleaning deletes or replaces them one character at
a time and records, for every character of the cleaned text, where it stood in the original.

>>> c = clean("Số: 171/KH-\\u00adPGD**ĐT**")
>>> c.text
'Số: 171/KH-PGDĐT'
>>> c.original_span(4, 16)
(4, 19)
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
    """The cleaned text and, for each of its characters, where it stood in the original.

    ``index[i]`` is the offset in the original of cleaned character ``i``, and ``ends[i]`` the
    offset just after it: one character of the cleaned text may stand for several of the original
    when a letter came with combining marks ("e\\u0302\\u0301" is "ế").
    """

    text: str
    index: tuple[int, ...]
    original_length: int
    ends: tuple[int, ...] = ()

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the cleaned text back to the original text."""
        if not self.index:
            return (0, 0)
        start = max(0, min(start, len(self.index)))
        end = max(start, min(end, len(self.index)))
        if start == end:
            o = self.index[start] if start < len(self.index) else self.original_length
            return (o, o)
        return (self.index[start], self.ends[end - 1] if self.ends else self.index[end - 1] + 1)


def _nfc_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """The NFC form of ``text`` (not yet NFC), and for each of its characters the ``[start, end)``
    it comes from in ``text``.

    Composition happens within a segment (a character of combining class 0 and the marks after
    it), so each segment is normalised on its own; where that does not give the NFC of the
    whole text (Hangul jamo compose across such segments), every character of the NFC text is
    mapped to its own offset, as if the text had arrived in NFC.
    """
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        seg = unicodedata.normalize("NFC", text[i:j])
        pieces.append(seg)
        last = len(seg) - 1
        for k in range(len(seg)):
            starts.append(min(i + k, j - 1))
            ends.append(j if k == last else min(i + k + 1, j))
        i = j
    whole = unicodedata.normalize("NFC", text)
    if "".join(pieces) != whole:
        return whole, [min(k, n - 1) for k in range(len(whole))], [min(k + 1, n) for k in range(len(whole))]
    return whole, starts, ends


def clean(text: str) -> Cleaned:
    """Clean ``text`` for parsing (NFC first), keeping an offset map into ``text`` as given.

    >>> c = clean("Quye\\u0302\\u0301t đi\\u0323nh")
    >>> c.text, c.original_span(0, 5), c.original_span(6, 10)
    ('Quyết định', (0, 7), (8, 13))
    """
    if unicodedata.is_normalized("NFC", text):
        chars, starts, source_ends = text, range(len(text)), None
    else:
        chars, starts, source_ends = _nfc_with_offsets(text)
    out: list[str] = []
    index: list[int] = []
    ends: list[int] = []
    line_start = True
    last = len(chars) - 1
    for k, ch in enumerate(chars):
        nxt = chars[k + 1] if k < last else ""
        if ch == "\u200b" and k > 0 and nxt and _word_and_number(chars[k - 1], nxt):
            ch = " "  # "Điều\u200b5", "năm\u200b2023": here the zero-width space stood for a space
        elif ch in _DELETE:
            continue
        # Markdown headings ("### Nội dung chính") and escapes ("1\\. ") carry no meaning here.
        if line_start and ch == "#":
            continue
        if ch == "\\" and nxt and nxt in ".-*_()[]#|":
            continue
        ch = _REPLACE.get(ch, ch)
        out.append(ch)
        index.append(starts[k])
        if source_ends is not None:
            ends.append(source_ends[k])
        if ch == "\n":
            line_start = True
        elif ch != " ":
            line_start = False
    return Cleaned("".join(out), tuple(index), len(text), tuple(ends))


def _word_and_number(before: str, after: str) -> bool:
    # Only a word then a number: "15\u200ba/KH" keeps its letter suffix ("15a").
    return before.isalpha() and after.isdigit()


def fold(s: str) -> str:
    """Accent-insensitive, lower-case key (đ -> d, marks stripped, non-alphanumerics -> one space).

    >>> fold("Sở GD&ĐT Sơn La")
    'so gd dt son la'
    """
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    return " ".join("".join(c if c.isalnum() else " " for c in s).split())
