"""Citations: every document a document refers to, with its kind, date, issuer and relation.

The finder works on cleaned text; it looks around each số ký hiệu for the kind word before it
("Quyết định số"), the date and issuer after it ("ngày 11/9/2023 của Sở ..."), and the cue that
sets the relation ("Căn cứ", "Thực hiện", "bãi bỏ", ...). Laws are also cited by title and year.

>>> from .resolve import Context
>>> class R:
...     def canonical(self, m, ctx=None): return "Chính phủ" if m.startswith("Chính phủ") else None
...     def issuer_for_code(self, c, ctx=None): return None
...     def unnamed_tier(self, t): return None
>>> [(c.number, c.date, c.issuer, c.relation) for c in find_citations(
...     "Căn cứ Nghị định số 86/2022/NĐ-CP ngày 24/10/2022 của Chính phủ;", 0, 66, R(), Context())]
[('86/2022/NĐ-CP', '2022-10-24', 'Chính phủ', 'basedOn')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .numbers import date_match, find_numbers, match_to_iso
from .vocab import kind_abbreviations, kind_for_code, kind_names

# Why: the kind word, an optional "số"/"số:" and the number: "Quyết định số 2457/QĐ-BGDĐT",
# "Kế hoạch số: 1587/...", "Nghị quyết 71-NQ/TW" (news drop "số"), "văn bản số 364/TTr-...".
_KIND_BEFORE_RE = re.compile(
    r"(?P<kind>" + "|".join(re.escape(n) for n, _ in kind_names()) + r")"
    r"(?:\s{1,3}(?:của\s[^\n;]{1,60}?\s)?(?:hợp\s+nhất\s+)?)?(?:\s{0,3}(?:các\s+)?số\s{0,3}:?)?\s{0,3}$",
    re.I,
)
# Why: "QĐ số 2457/QĐ-BGDĐT", "KH số 1587/SGDĐT-VP": an abbreviation stands for the kind before "số".
_ABBREV_BEFORE_RE = re.compile(r"(?<![\w/-])(?P<abbr>" + "|".join(re.escape(a) for a, _ in kind_abbreviations())
                               + r")\s{1,3}số\s{0,3}:?\s{0,3}$")
_ISSUER_STOP_RE = re.compile(
    r"\s(?:về|ban\s+hành|quy\s+định|phê\s+duyệt|hướng\s+dẫn|triển\s+khai|thực\s+hiện|tại|đối\s+với|trong|theo|"
    r"gọi\s+tắt|v/v|sửa\s+đổi|bãi\s+bỏ|thay\s+thế|để|nhằm|về\s+việc|năm\s+học|giai\s+đoạn|đã|có)\b|[,;:.()“”\"]|\n\s*\n|$",
    re.I,
)
_CUE_RES = (
    ("basedOn", re.compile(r"\b(?:căn\s+cứ|can\s+cu)\b", re.I)),
    ("implements", re.compile(r"\b(?:thực\s+hiện|triển\s+khai|thi\s+hành|cụ\s+thể\s+hóa|cụ\s+thể\s+hoá|"
                              r"quán\s+triệt)\b", re.I)),
)
# Why: these verbs name the relation only when they govern the cited document directly:
# "bãi bỏ Quyết định số 636/QĐ-UBND", "sửa đổi, bổ sung một số điều của Quyết định số ...".
_DIRECT_CUES = (
    ("amends", re.compile(r"sửa\s+đổi(?:,\s*bổ\s+sung)?(?:\s+một\s+số\s+(?:điều|nội\s+dung)(?:\s+của)?)?\s*$", re.I)),
    ("repeals", re.compile(r"(?:bãi\s+bỏ|hủy\s+bỏ|huỷ\s+bỏ|hết\s+hiệu\s+lực)(?:\s+(?:toàn\s+bộ|một\s+phần))?\s*$", re.I)),
    ("replaces", re.compile(r"thay\s+thế(?:\s+cho)?\s*$", re.I)),
    ("guides", re.compile(r"hướng\s+dẫn(?:\s+thi\s+hành|\s+thực\s+hiện)?(?:\s+một\s+số\s+điều\s+của)?\s*$", re.I)),
)
# Why: a clause ends at a full stop or at a line that starts a new item; semicolons do not end it
# ("tiếp tục thực hiện Nghị quyết ...; Quyết định số 2171...; Quyết định số 2457..." all implement).
_CLAUSE_START_RE = re.compile(r"(?:[.!?]\s|;\s*\n|\n\s*(?:[-+•]|\d+\.|[a-zđ]\)|[IVX]+\.|Căn\s+cứ|Thực\s+hiện|Triển\s+khai|Theo)|\n\s*\n)")
# Why: laws are cited by title and year: "Luật Giáo dục quốc phòng và an ninh năm 2013",
# "Luật Tổ chức chính quyền địa phương ngày 19/6/2015", "Bộ luật Lao động năm 2019".
_LAW_RE = re.compile(
    r"(?<![\w])(?P<kind>Hiến\s+pháp|Bộ\s+luật|Luật|Pháp\s+lệnh)(?P<rest>(?:\s+[^\s;:.()“”\"]{1,15}){0,22}?)"
    r"\s{1,3}(?:(?P<nam>năm\s+(?P<y>(?:19|20)\d{2}))(?!\s*-)|(?=ngày\s))"
)


# Words that open the name of a body the registry may not know ("Ban Chỉ đạo ...", "Công ty ...").
_RAW_BODY_RE = re.compile(r"(?:Ban|Bộ|Ủy\s+ban|Uỷ\s+ban|Hội\s+đồng|Hội|Sở|Phòng|Cục|Tổng\s+cục|Công\s+ty|CÔNG\s+TY|"
                          r"Tập\s+đoàn|Tổng\s+công\s+ty|Ngân\s+hàng|Trường|Viện|Học\s+viện|Đại\s+học|Văn\s+phòng|"
                          r"Liên\s+đoàn|Đoàn|Trung\s+tâm|Kho\s+bạc|Thanh\s+tra|Kiểm\s+toán)\s+\S")


@dataclass(frozen=True, slots=True)
class FoundCitation:
    """A citation found in the cleaned text (offsets cleaned)."""

    kind: str
    number: str | None
    title: str | None
    issuer: str | None
    date: str | None
    year: int | None
    relation: str
    start: int
    end: int
    issuer_code: str | None = None


def _clause_start(text: str, pos: int, floor: int) -> int:
    """Where the clause holding ``pos`` begins (a full stop or a new item line before it)."""
    best = max(floor, pos - 600)
    for m in _CLAUSE_START_RE.finditer(text, best, pos):
        best = m.start() + 1
    return best


def code_part(number: str, seq: str) -> str:
    """The part of a number after its sequence and year: ``30/2021/QĐ-TTg`` -> ``QĐ-TTg``."""
    rest = number[len(seq):].lstrip("/-")
    return re.sub(r"^(?:19|20)\d{2}/", "", rest)


def relation_for(text: str, clause_start: int, kind_start: int) -> str:
    """The relation a citation stands in, from the words before its kind word in its clause."""
    before = text[max(clause_start, kind_start - 80):kind_start]
    for rel, rx in _DIRECT_CUES:
        if rx.search(before):
            return rel
    clause = text[clause_start:kind_start]
    starts_based = re.match(r"\s*[-+•]?\s*(?:\d+\.\s*)?(?:căn\s+cứ)\b", clause, re.I)
    # "theo quy định tại Nghị định số ...", "tại Công văn số ...": a plain reference.
    if not starts_based and re.search(r"(?:\btheo|\btại|\bvà)\s*(?:quy\s+định\s+(?:tại|của)\s*)?$", before[-30:], re.I) \
            and not re.search(r"kèm\s+theo\s*$", before, re.I):
        if not re.search(r"\bvà\s*$", before[-30:]):
            return "cites"
    if re.match(r"\s*[-+•]?\s*(?:\d+\.\s*)?(?:căn\s+cứ)\b", clause, re.I):
        return "basedOn"
    best, best_pos = "cites", -1
    for rel, rx in _CUE_RES:
        for m in rx.finditer(clause):
            # "làm căn cứ để" is a noun use, not the preamble cue.
            if rel == "basedOn" and re.search(r"(?:làm|là)\s+$", clause[:m.start()], re.I):
                continue
            if m.start() > best_pos:
                best, best_pos = rel, m.start()
    if best == "cites" and re.search(r"\bkèm\s+theo\s*$", before, re.I):
        return "cites"
    return best


def _issuer_phrase(text: str, pos: int, limit: int) -> tuple[str | None, int]:
    """The words after "của" at ``pos`` up to where a body name must end."""
    # A line may wrap anywhere (PDF text): "của Bộ\nChính trị" names one body.
    m = re.match(r"[\s,]{0,8}(?:của|do)\s+", text[pos:limit])
    if not m:
        return None, pos
    s = pos + m.end()
    stop = _ISSUER_STOP_RE.search(text, s, min(limit, s + 160))
    e = stop.start() if stop else min(limit, s + 160)
    return text[s:e].strip(), e


def resolve_issuer(phrase: str | None, resolver, ctx) -> str | None:
    """The longest prefix of ``phrase`` (up to 16 words) that the resolver knows as a body."""
    if not phrase:
        return None
    words = phrase.split()[:16]
    for n in range(len(words), 0, -1):
        got = resolver.canonical(" ".join(words[:n]), ctx)
        if got:
            return got
    return None


def find_citations(text: str, start: int, end: int, resolver, ctx, own_numbers=frozenset()) -> list[FoundCitation]:
    """Citations in ``text[start:end]`` (one per occurrence; :func:`dedupe` keeps one per document)."""
    out: list[FoundCitation] = []
    for n in find_numbers(text, start, end):
        if n.number in own_numbers:
            continue
        look = text[max(start, n.start - 90):n.start]
        km = _KIND_BEFORE_RE.search(look)
        kind_start = n.start
        kind = None
        am = None if km else _ABBREV_BEFORE_RE.search(look)
        if am:
            kind_start = max(start, n.start - 90) + am.start()
            kind = dict(kind_abbreviations()).get(am.group("abbr"))
        if km:
            kind_start = max(start, n.start - 90) + km.start()
            word = km.group("kind").lower()
            kind = next((k for nm, k in kind_names() if nm.lower() == word), None)
            if word == "văn bản" and n.kind_code:
                kind = kind_for_code(n.kind_code) or kind
        if kind is None and not am:
            kind = kind_for_code(n.kind_code) or "OfficialLetter"
            # A bare number with no kind word and no kind code is rarely a document in running text
            # unless "số" introduces it ("tại văn bản số ..." is caught above).
            if not n.kind_code and not re.search(r"số\s{0,3}:?\s{0,3}$", look):
                continue
        after = n.end
        date = None
        dm = date_match(text, after, min(end, after + 40))
        if dm and re.fullmatch(r"[\s,]*", text[after:dm.start()]):
            date = match_to_iso(dm)
            after = dm.end()
        phrase, pend = _issuer_phrase(text, after, end)
        # "UBND xã" (a tier below the province, no territory) is the context's committee of that
        # tier or none: when the document's own territory does not say which, the number's code
        # ("KH-UBND") must not make it the province's committee, another document (a school's
        # commune plan read as a provincial plan of the same number). Left without issuer, the
        # citation is completed by number and year.
        tier = resolver.unnamed_tier(phrase) if phrase else None
        issuer = resolver.canonical(phrase[:tier], ctx) if tier else resolve_issuer(phrase, resolver, ctx)
        unnamed_local = tier is not None and issuer is None
        if issuer is not None:
            after = pend  # the evidence reads on to the issuer: "... ngày 11/9/2023 của Sở ..."
        if issuer is None:
            # "chỉ đạo của Chủ tịch UBND tỉnh tại Công văn số ..." names the issuer before the number.
            pm = re.search(r"của\s+((?:(?!của\s)[^,;.\n]){3,80}?)\s+(?:tại|theo)\s*$", text[max(start, kind_start - 120):kind_start])
            if pm:
                issuer = resolve_issuer(pm.group(1), resolver, ctx)
        if issuer is None and not unnamed_local:
            issuer = resolver.issuer_for_code(code_part(n.number, n.seq), ctx)
        if issuer is None and not unnamed_local and phrase and _RAW_BODY_RE.match(phrase) and len(phrase.split()) <= 14:
            # A body the registry does not know (a steering committee, a company): as printed.
            issuer = " ".join(phrase.split())
            after = max(after, pend)
        # The year printed in the number ("30/2021/QĐ-TTg") is part of its identity; a date typo
        # ("ngày 04 tháng 8 năm 2028" for a 2025 decree) must not split the document.
        year = n.year or (int(date[:4]) if date else None)
        if year is None and dm is None:
            ym = re.match(r"[\s,]{0,3}năm\s+((?:19|20)\d{2})", text[n.end:n.end + 20])
            if ym:
                year = int(ym.group(1))
        title = None
        # Why: the subject follows the issuer: "... của Bộ trưởng Bộ GD&ĐT ban hành Kế hoạch nhiệm vụ ...",
        # "... về việc phê duyệt Đề án ..."; it ends at the clause, or where a new body starts ", Phòng ...".
        tm = re.match(r"[\s,]{0,3}((?:về\s+việc|về|V/v|ban\s+hành|phê\s+duyệt|quy\s+định)\s+[^;\n]{5,220}?)"
                      r"(?=[;.]\s|[;\n]|,\s+(?:[A-ZĐ]|với\s)|$)", text[pend:min(end, pend + 260)])
        if tm:
            title = " ".join(tm.group(1).split()).strip(" ,“”\"")
            title = re.sub(r"^(?:về\s+việc|về|V/v)\s+", "", title)
        clause = _clause_start(text, kind_start, start)
        rel = relation_for(text, clause, kind_start)
        out.append(FoundCitation(kind, n.number, title, issuer, date, year, rel, kind_start,
                                 max(n.end, after), n.issuer_code))
    out.extend(_find_laws(text, start, end, out, resolver, ctx))
    return out


class _Spans:
    """Spans (start, end) of a text, asked which cover an offset or start in a range: by bisection,
    not a walk over all of them for each "Luật" (quadratic in a long text full of citations).

    >>> spans = _Spans([(10, 20), (0, 30), (40, 45)])
    >>> spans.covers(25), spans.covers(30), spans.starts_within(35, 41), spans.starts_within(41, 50)
    (True, False, True, False)
    """

    def __init__(self, spans) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _e in ordered]
        self.reach: list[int] = []  # the furthest end of the spans up to each one
        for _s, e in ordered:
            self.reach.append(max(e, self.reach[-1]) if self.reach else e)

    def covers(self, offset: int) -> bool:
        """Does a span hold ``offset`` (start <= offset < end)?"""
        i = bisect.bisect_right(self.starts, offset)
        return i > 0 and self.reach[i - 1] > offset

    def starts_within(self, lo: int, hi: int) -> bool:
        """Does a span start at or after ``lo`` and before ``hi``?"""
        i = bisect.bisect_left(self.starts, lo)
        return i < len(self.starts) and self.starts[i] < hi


def _find_laws(text, start, end, numbered, resolver, ctx) -> list[FoundCitation]:
    taken = _Spans((c.start, c.end) for c in numbered)
    out = []
    last_end = -1
    for m in _LAW_RE.finditer(text, start, end):
        if m.start() < last_end:
            continue
        # "Luật" inside a numbered citation's span or a generic use ("quy định của Luật") is not a title.
        rest = m.group("rest").strip()
        if not rest or not rest[0].isupper():
            continue
        if taken.covers(m.start()):
            continue
        # "Luật Đấu thầu số 22/2023/QH15" is the numbered citation already found: not a second one.
        if re.search(r"\bsố\s{0,3}\d", rest) or taken.starts_within(m.start(), m.end() + 3):
            continue
        title = " ".join((m.group("kind") + " " + rest).split())
        date = None
        year = int(m.group("y")) if m.group("y") else None
        tail_end = m.end()
        if not m.group("nam"):
            dm = date_match(text, m.end(), min(end, m.end() + 40))
            if not dm or dm.start() != m.end():
                continue
            date = match_to_iso(dm)
            year = int(date[:4]) if date else None
            tail_end = dm.end()
        else:
            title = title + " " + m.group("nam")
        if year is None:
            continue
        kind = {"hiến pháp": "Constitution", "bộ luật": "Code", "luật": "Law", "pháp lệnh": "Ordinance"}[
            " ".join(m.group("kind").lower().split())]
        clause = _clause_start(text, m.start(), start)
        rel = relation_for(text, clause, m.start())
        issuer = "Quốc hội" if kind in ("Law", "Code", "Constitution") else "Ủy ban Thường vụ Quốc hội"
        out.append(FoundCitation(kind, None, title, issuer, date, year, rel, m.start(), tail_end))
        last_end = tail_end
    return out


def strength(rel: str) -> int:
    """Lower is stronger (contract order: basedOn > promulgates > implements > ... > cites)."""
    from ..model import RELATION_RANK

    return RELATION_RANK.get(rel, 9)


def dedupe(found: list[FoundCitation]) -> list[FoundCitation]:
    """One citation per distinct document: the strongest relation, the first span, the fullest facts."""
    groups: dict[tuple, list[FoundCitation]] = {}
    order: list[tuple] = []
    for c in found:
        if c.number:
            key = ("n", c.number.replace("Đ", "D").upper().lstrip("0"), c.year)
            # A citation without a year joins the one with a year of the same number.
            if c.year is None:
                for k in order:
                    if k[0] == "n" and k[1] == key[1]:
                        key = k
                        break
            else:
                for k in list(order):
                    if k[0] == "n" and k[1] == key[1] and k[2] is None:
                        groups[key] = groups.pop(k)
                        order[order.index(k)] = key
        else:
            key = ("t", " ".join((c.title or "").lower().split()), c.year)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(c)
    out = []
    for k in order:
        cs = sorted(groups[k], key=lambda c: c.start)
        first = cs[0]
        best_rel = min((c.relation for c in cs), key=strength)
        date = next((c.date for c in cs if c.date), None)
        issuer = next((c.issuer for c in cs if c.issuer), None)
        title = next((c.title for c in cs if c.title), None)
        year = next((c.year for c in cs if c.year), None)
        out.append(FoundCitation(first.kind, first.number, title, issuer, date, year, best_rel,
                                 first.start, first.end, first.issuer_code))
    return out
