"""Document numbers (số ký hiệu) and dates as printed in Vietnamese administrative text.

>>> canonical_number("171 /KH - PGDĐT")
'171/KH-PGDĐT'
>>> canonical_number("4725/QĐ-BGD&ĐT")
'4725/QĐ-BGDĐT'
>>> [m.number for m in find_numbers("theo Quyết định số 72-QĐ/TW và Nghị định số 71/2020/NĐ-CP.")]
['72-QĐ/TW', '71/2020/NĐ-CP']
>>> parse_date_phrase("ngày 14 tháng 9 năm 2023")
'2023-09-14'
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass

_UP = "A-ZĐÀ-ỸẠ-Ỹ"  # upper-case letters, Vietnamese included (the range covers the precomposed block)
_CODE = r"[A-ZĐ][A-Za-zĐ0-9&.]{0,20}"
# Why: the two shapes of a số ký hiệu. State bodies write NUMBER[/YEAR]/CODE[-CODE...]
# ("30/2021/QĐ-TTg", "1587/SGDĐT-VP", "364/TTr-BNG-\nNVVH" broken across a line); Party bodies
# write NUMBER-KIND/ISSUER ("72-QĐ/TW", "49-CT /TW"). Headers put spaces around the separators
# ("171 /KH - PGDĐT"). Every repetition is bounded, so matching stays linear.
NUMBER_RE = re.compile(
    rf"""(?<![\w/.-])
    (?P<seq>\d{{1,6}}[a-z]?)
    (?:
      [ ]?-[ ]?(?P<pk>[A-ZĐ][A-Za-zĐ]{{0,6}})[ ]?/[ ]?(?P<pi>[A-ZĐ][A-Za-zĐ0-9&.]{{0,30}}(?:-[A-ZĐ][A-Za-zĐ0-9&.]{{0,20}})?)
    |
      (?:[ ]{{0,2}}/[ ]{{0,2}}(?P<year>(?:19|20)\d{{2}}))?
      [ ]{{0,2}}/[ ]{{0,2}}
      (?P<code>{_CODE}(?:(?:[ ]{{0,2}}-[ ]{{0,2}}|-[ ]{{0,3}}\n[ ]{{0,3}}){_CODE}){{0,4}})
    )""",
    re.X,
)

# Known codes whose printed case varies ("QĐ-TTG" in a title in capitals is "QĐ-TTg").
_CASE_FIX = {"TTG": "TTg", "CTR": "CTr", "QYĐ": "QyĐ"}


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """A số ký hiệu found in text: canonical form, its parts and where it stands (cleaned offsets)."""

    number: str
    seq: str
    year: int | None
    kind_code: str | None
    issuer_code: str
    start: int
    end: int


def _segment_ok(seg: str) -> bool:
    letters = [c for c in seg if c.isalpha()]
    if not letters:
        return seg.isdigit() is False and bool(seg)
    upper = sum(1 for c in letters if c.isupper())
    return upper * 2 > len(letters) or seg in _CASE_FIX.values()


def canonical_number(raw: str) -> str:
    """The canonical số ký hiệu: NFC, no spaces, ``&`` dropped, known codes in their usual case."""
    s = unicodedata.normalize("NFC", raw)
    s = re.sub(r"\s+", "", s).replace("&", "").rstrip(".")
    parts = re.split(r"([/-])", s)
    # NFC last: dropping "&" or a space can bring a letter and a combining mark together.
    return unicodedata.normalize("NFC", "".join(_CASE_FIX.get(p.upper(), p) if p not in "/-" else p for p in parts))


def _kind_codes() -> frozenset[str]:
    from .vocab import kind_codes

    return frozenset(kind_codes())


def find_numbers(text: str, start: int = 0, end: int | None = None) -> list[NumberMatch]:
    """Every số ký hiệu in ``text[start:end]``, validated segment by segment."""
    end = len(text) if end is None else end
    kinds = _kind_codes()
    out: list[NumberMatch] = []
    for m in NUMBER_RE.finditer(text, start, end):
        seq = m.group("seq")
        if m.group("pk"):
            pk, pi = m.group("pk"), m.group("pi").rstrip(".")
            if not (_segment_ok(pk) and _segment_ok(pi)):
                continue
            stop = m.start("pi") + len(pi)
            raw = text[m.start():stop]
            out.append(NumberMatch(canonical_number(raw), seq, None, pk, pi, m.start(), stop))
            continue
        code = m.group("code")
        # Keep the segments up to the first one that is not a code ("242/Ngày" is a page header).
        segs = re.split(r"(\s{0,3}-\s{0,3})", code)
        kept: list[str] = []
        stop = m.start("code")
        for i in range(0, len(segs), 2):
            seg = segs[i].rstrip(".") if i == len(segs) - 1 else segs[i]
            spaced = i > 0 and segs[i - 1].strip() != segs[i - 1]
            if not _segment_ok(seg) or (spaced and (len(seg) < 2 or not seg.isupper())):
                break
            if i > 0:
                stop += len(segs[i - 1])
            kept.append(seg)
            stop += len(seg)
        if not kept:
            continue
        code_text = "-".join(kept)
        nxt = text[stop:stop + 1]
        if nxt and nxt.isalpha():
            continue
        year = int(m.group("year")) if m.group("year") else None
        first = kept[0]
        kind_code = first if first.upper() in kinds or first in kinds else None
        issuer = "-".join(kept[1:]) if kind_code else code_text
        if kind_code is None and re.fullmatch(r"QH\d*", first):
            kind_code, issuer = "QH", first
        raw = text[m.start():stop]
        out.append(NumberMatch(canonical_number(raw), seq, year, kind_code, canonical_number(issuer),
                               m.start(), stop))
    return out


_VN_DATE_RE = re.compile(
    r"ngày\s{1,4}(\d{1,2})\s{0,3}(?:tháng\s{1,4}(\d{1,2})\s{1,4}năm\s{1,4}(\d{4})|[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4}))",
    re.I,
)
_NUMERIC_DATE_RE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d{2})(?!\d)")


def iso_date(day: int, month: int, year: int) -> str | None:
    """``YYYY-MM-DD`` when the three make a real date."""
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def date_match(text: str, pos: int = 0, endpos: int | None = None) -> re.Match | None:
    """The first ``ngày D tháng M năm Y`` or ``ngày D/M/Y`` at or after ``pos``."""
    return _VN_DATE_RE.search(text, pos, len(text) if endpos is None else endpos)


def match_to_iso(m: re.Match) -> str | None:
    """The ISO date of a :func:`date_match` match."""
    d = int(m.group(1))
    if m.group(2):
        return iso_date(d, int(m.group(2)), int(m.group(3)))
    return iso_date(d, int(m.group(4)), int(m.group(5)))


def parse_date_phrase(s: str) -> str | None:
    """The ISO date of the first date phrase in ``s``."""
    m = date_match(s)
    return match_to_iso(m) if m else None


def numeric_dates(text: str, pos: int = 0, endpos: int | None = None):
    """``dd/mm/yyyy`` dates (news sites print them bare): yields (iso, start, end)."""
    for m in _NUMERIC_DATE_RE.finditer(text, pos, len(text) if endpos is None else endpos):
        iso = iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            yield iso, m.start(), m.end()
