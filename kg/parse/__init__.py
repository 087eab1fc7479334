"""Parsing: text -> model. Stages are pure functions: clean -> find -> extract -> resolve.

``extract_text(text, source)`` is the one entry point; it returns an :class:`~luocdo.kg.model.Extraction`
whose spans point into ``text`` as given.

>>> ex = extract_text("Số: 171/KH-PGDĐT\\nGia Lộc, ngày 14 tháng 9 năm 2023\\nKẾ HOẠCH\\nNĂM HỌC 2023-2024\\n"
...                   "Thực hiện Kế hoạch số 1587/SGDĐT-VP ngày 11/9/2023 của Sở Giáo dục và Đào tạo Hải Dương.", "a.txt")
>>> ex.documents[0].number, ex.citations[0].number, ex.citations[0].relation
('171/KH-PGDĐT', '1587/SGDĐT-VP', 'implements')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..model import Assignment, Citation, Document, Extraction, Initiative, Signer, Task
from .assignments import find_assignments, find_initiatives
from .citations import dedupe, find_citations, resolve_issuer
from .clean import Cleaned, clean
from .header import (
    find_attachments,
    find_recipients,
    find_signer,
    find_title,
    news_date,
    parse_header,
    school_year,
    sentence_case,
)
from .numbers import date_match, find_numbers, match_to_iso
from .resolve import Context, default_resolver
from .tasks import find_tasks, is_organisation_heading, sections
from .vocab import kind_for_code, kind_names

__all__ = ["extract_text"]

_PROVINCE_MENTION_RE = re.compile(
    r"(?:tỉnh|Tỉnh|TỈNH|thành\s+phố|Thành\s+phố|THÀNH\s+PHỐ|TP\.?)\s+"
    r"(?P<n>[A-ZĐÀ-Ỹ][^\s,;:.()]{0,10}(?:[ ](?:-[ ])?[A-ZĐÀ-Ỹ][^\s,;:.()]{0,10}){0,3})"
)
# Why: "huyện Gia Lộc", "Phòng GD&ĐT huyện Châu Thành, tỉnh ..." — the name ends at a comma, at the
# province that follows ("... tỉnh Hải Dương") or at the end; "Thành" inside a name is part of it.
_DISTRICT_RE = re.compile(r"(?i)\b(huyện|thị\s+xã|quận)\s+(\S+(?:\s+\S+){0,2}?)(?=$|[,;.]|\s(?:tỉnh|thành\s+phố)\s)")
# Why: "Ủy ban nhân dân xã An Hợp", "phường Bảo My" (never the "xã" of "thị xã"); read from canonical
# body names, so the name runs to the end or to the district or province that qualifies it.
_COMMUNE_RE = re.compile(r"(?i)(?<!thị\s)\b(xã|phường|thị\s+trấn|đặc\s+khu)\s+(\S+(?:\s+\S+){0,3}?)"
                         r"(?=$|[,;.]|\s(?:huyện|quận|thị\s+xã|tỉnh|thành\s+phố)\s)")
# The verb and kind of a news lead ("UBND tỉnh ban hành Kế hoạch số ..."); its subject is the up to
# 80 characters before it within the sentence (_news_lead). A lazy subject group in the pattern
# itself was tried at every position, 80 steps each: a second on one long line of spaces.
_NEWS_LEAD_RE = re.compile(
    r"\s(?:ban\s+hành|triển\s+khai|thông\s+qua|phê\s+duyệt)\s+(?P<kind>"
    + "|".join(re.escape(n) for n, _ in kind_names()) + r")\s+(?:số\s+)?(?=\d)",
    re.I,
)


def _news_lead(t: str, end: int) -> tuple[int, str, str, int] | None:
    """(start, subject, kind, end) of the first news lead in ``t[:end]``: the verb match and, before
    it, the subject back to the sentence's start or 80 characters."""
    m = _NEWS_LEAD_RE.search(t, 0, end)
    if m is None:
        return None
    start = max(0, m.start() - 80, t.rfind(".", 0, m.start()) + 1, t.rfind("\n", 0, m.start()) + 1)
    return start, t[start:m.start()], m.group("kind"), m.end()
_GUIDANCE_RE = re.compile(r"Theo\s+hướng\s+dẫn\s+của\s+(?P<b>[^,.;\n]{3,80})")


@dataclass
class _Doc:
    key: str
    kind: str
    start: int
    end: int
    number: str | None = None
    title: str | None = None
    issuer: str | None = None
    date: str | None = None
    year: int | None = None
    place: str | None = None
    signer: Signer | None = None
    jurisdiction: str | None = None
    recipients: tuple[str, ...] = ()
    school_year: str | None = None
    publisher: str | None = None
    promulgated_by: str | None = None
    ctx: Context = field(default_factory=Context)
    reported: bool = False


def _title_case(s: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split())


def _main_province(text: str, resolver, date: str | None) -> str | None:
    counts: Counter[str] = Counter()
    for m in _PROVINCE_MENTION_RE.finditer(text):
        p = resolver.find_province(m.group(0), date)
        if p:
            counts[p] += 1
    return counts.most_common(1)[0][0] if counts else None


def _context(issuer: str | None, place: str | None, text: str, resolver, date: str | None,
             hint_district: str | None = None, above: tuple[str, ...] = ()) -> Context:
    """The territory a document's own mentions leave out: its province, district and commune, from
    its issuer, the bodies above it in the header (``above``, canonical names) and its place line."""
    level = getattr(resolver, "level", None)
    # A school's name is a person's or a place's, not its province: "Trường THCS Thái Bình" in Hà Nội.
    named_after = bool(issuer and level and level(issuer) == "institution")
    province = resolver.find_province(issuer, date) if issuer and not named_after else None
    if province is None and place:
        province = resolver.find_province(place, date)
    if province is None:
        province = _main_province(text, resolver, date)
    district = district_type = None
    for src in (issuer, hint_district):
        if src:
            dm = _DISTRICT_RE.search(src)
            if dm:
                district_type, district = dm.group(1).lower(), _title_case(dm.group(2))
                break
    if issuer and level and level(issuer) == "central":
        # A ministry in Hà Nội speaks for the whole country, not for the city on its date line.
        return Context(date=date)
    if district is None and place and province and resolver.find_province(place, date) is None:
        if issuer is None or re.search(r"huyện|Phòng|PGD", issuer or ""):
            district, district_type = place, "huyện"
    ptype = resolver.province_type(province, date) if province else None
    commune = commune_type = None
    for src in (issuer, *above):
        cm = _COMMUNE_RE.search(src) if src else None
        if cm:
            commune_type, commune = " ".join(cm.group(1).lower().split()), cm.group(2)
            break
    return Context(province=province, province_type=ptype, district=district, district_type=district_type,
                   date=date, commune=commune, commune_type=commune_type)


def _jurisdiction(ctx: Context, issuer: str | None, resolver) -> str | None:
    if ctx.district and ctx.province:
        return f"{ctx.district_type or 'huyện'} {ctx.district}, {ctx.province_type or 'tỉnh'} {ctx.province}"
    if ctx.province:
        return f"{ctx.province_type or 'tỉnh'} {ctx.province}"
    level = getattr(resolver, "level", None)
    if issuer and level and level(issuer) == "central":
        return "national"
    return None


def _issuer_from_units(units: tuple[str, ...], resolver, date
                       ) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(canonical issuer, the unit chain as text, the bodies above the issuer) from the issuer block
    of a header. The units above the issuer name its territory, and their canonical names spell it
    out ("PHÒNG GD&ĐT GIA LỘC" is "Phòng Giáo dục và Đào tạo huyện Gia Lộc", "UBND XÃ AN HỢP" above
    a school is "Ủy ban nhân dân xã An Hợp")."""
    if not units:
        return None, None, ()
    chain = " ".join(units)
    above = tuple(resolver.canonical(u) or u for u in units[:-1])
    joined = " ".join(above) or None
    parent_ctx = _context(joined, None, "", resolver, date, hint_district=joined)
    if len(units) == 1:
        parent_ctx = _context(units[0], None, "", resolver, date, hint_district=units[0])
    for cand in (units[-1], chain):
        got = resolver.canonical(cand, parent_ctx)
        if got:
            return got, chain, above
    return None, chain, above


def _news(t: str, resolver) -> list[_Doc]:
    date = news_date(t, min(len(t), 20000))
    lines = [(m.group(0).strip(), m.start()) for m in re.finditer(r"[^\n]+", t[:3000])]
    title = None
    for i, (line, _pos) in enumerate(lines[:10]):
        if re.match(r"^\d{1,2}/\d{1,2}/\d{4}", line) and i > 0:
            title = next((ln for ln, _ in reversed(lines[:i]) if len(ln.split()) >= 4), None)
            break
    if title is None:
        title = next((ln for ln, _ in lines if len(ln.split()) >= 4), None)
    article = _Doc("d1", "NewsArticle", 0, len(t), title=title, date=date,
                   year=int(date[:4]) if date else None)
    docs = [article]
    province = _main_province(t, resolver, date)
    ctx = Context(province=province, province_type=resolver.province_type(province, date) if province else None,
                  date=date)
    article.ctx = ctx
    lead = _news_lead(t, min(len(t), 2500))
    if lead:
        lead_start, lead_subj, lead_kind, lead_end = lead
        nums = find_numbers(t, lead_end, lead_end + 40)
        if nums and nums[0].start == lead_end:
            n = nums[0]
            kind = next((k for nm, k in kind_names() if nm.lower() == lead_kind.lower()), None)
            subj = lead_subj.strip()
            issuer = resolve_issuer(subj.split(",")[-1].strip(), resolver, ctx) if subj else None
            if issuer is None:
                from .citations import code_part

                issuer = resolver.issuer_for_code(code_part(n.number, n.seq), ctx)
            dm = date_match(t, n.end, n.end + 40)
            d = match_to_iso(dm) if dm and dm.start() - n.end < 4 else None
            year = int(d[:4]) if d else (n.year or (int(date[:4]) if date else None))
            docs.append(_Doc("d2", kind or kind_for_code(n.kind_code) or "Document", lead_start, n.end,
                             number=n.number, issuer=issuer, date=d, year=year, ctx=ctx, reported=True))
            return docs
    g = _GUIDANCE_RE.search(t, 0, min(len(t), 2500))
    if g:
        issuer = resolve_issuer(g.group("b"), resolver, ctx)
        if issuer:
            docs.append(_Doc("d2", "Guidance", g.start(), g.end(), issuer=issuer,
                             year=int(date[:4]) if date else None, ctx=ctx, reported=True))
    return docs


def _is_news(t: str) -> bool:
    head = t[:4000]
    if re.search(r"(?<![\w/])Số\s{0,3}:?\s{0,4}\d{1,6}", head) and re.search(r"ngày\s+\d", head):
        return False
    if re.search(r"CỘNG\s+H[OÒ]À\s+XÃ\s+HỘI", head) or re.search(r"\(\s*Ban\s+hành\s+kèm\s+theo", head, re.I):
        return False
    return True


def _official(t: str, resolver) -> list[_Doc]:
    atts = find_attachments(t)
    h = parse_header(t, 0, atts[0][0] if atts else len(t))
    docs: list[_Doc] = []
    first_end = atts[0][0] if atts else len(t)
    if h.number or not atts or atts[0][0] > 200:
        issuer, chain, above = _issuer_from_units(h.issuer_lines, resolver, h.date)
        ctx = _context(issuer, h.place, t[:first_end], resolver, h.date, hint_district=chain, above=above)
        if issuer is None and h.issuer_code:
            code = h.number.split("/", 1)[1] if h.number and "/" in h.number else h.issuer_code
            if h.number and re.match(r"^\d+[a-z]?-", h.number):
                code = h.number.split("-", 1)[1]
            elif h.year_in_number:
                code = h.number.split(f"/{h.year_in_number}/", 1)[-1]
            issuer = resolver.issuer_for_code(code, ctx)
            if issuer:
                ctx = _context(issuer, h.place, t[:first_end], resolver, h.date, above=above)
        if issuer is None and h.issuer_lines:
            # A body the registry does not know ("BAN CHỈ ĐẠO QUỐC GIA ..."): its name as printed.
            issuer = sentence_case(h.issuer_lines[-1])
        kind = h.kind or "Document"
        if kind == "Document" and h.number and not h.kind_code:
            kind = "OfficialLetter"
        year = int(h.date[:4]) if h.date else h.year_in_number
        name, stitle = find_signer(t, 0, first_end)
        d = _Doc("d1", kind, 0, first_end, number=h.number, title=h.title, issuer=issuer, date=h.date,
                 year=year, place=h.place, signer=Signer(name, stitle) if (name or stitle) else None,
                 recipients=find_recipients(t, 0, first_end), ctx=ctx)
        docs.append(d)
    for i, (ts, ps, num, dkind, pe, _ne) in enumerate(atts):
        end = atts[i + 1][0] if i + 1 < len(atts) else len(t)
        paren = t[ps:pe]
        dm = date_match(paren)
        pdate = match_to_iso(dm) if dm else None
        base = docs[0] if docs and docs[0].number == num else None
        if base is None:
            # The decision is not in the file; the parenthesis tells what it is.
            m = re.search(r"\s(?:của)\s+([^)]{3,120})\)", paren)
            who = m.group(1).strip() if m else None
            ctx0 = _context(who, None, t[ts:end], resolver, pdate)
            issuer = resolve_issuer(who, resolver, ctx0) if who else None
            ctx0 = _context(issuer, None, t[ts:end], resolver, pdate)
            base = _Doc(f"d{len(docs) + 1}", dkind or kind_for_code(num.split("/")[-1].split("-")[0]) or "Decision",
                        ps, pe, number=num, issuer=issuer, date=pdate, year=int(pdate[:4]) if pdate else None,
                        signer=Signer(None, " ".join(who.split())) if who else None, ctx=ctx0)
            docs.append(base)
        title, kind, _te = find_title(t, ts, min(end, ts + 1500))
        date = pdate or base.date
        att = _Doc(f"d{len(docs) + 1}", kind or "Document", ts, end, title=title, issuer=base.issuer, date=date,
                   year=int(date[:4]) if date else base.year, place=base.place, ctx=base.ctx,
                   promulgated_by=base.key)
        docs.append(att)
    return docs


def extract_text(text: str, source: str, resolver=None) -> Extraction:
    """Extract documents, citations, tasks, assignments and initiatives from one file's text."""
    resolver = resolver or default_resolver()
    c = clean(text)
    t = c.text
    docs = _news(t, resolver) if _is_news(t) else _official(t, resolver)
    own = frozenset(d.number for d in docs if d.number)
    citations: list[Citation] = []
    tasks: list[Task] = []
    assignments: list[Assignment] = []
    initiatives: list[Initiative] = []
    article = docs[0] if docs and docs[0].kind == "NewsArticle" else None
    reported = next((d for d in docs if d.reported), None)
    for d in docs:
        if d.reported:
            continue
        if d.school_year is None:
            d.school_year = school_year(d.title) or (school_year(t[d.start:d.start + 1500]) if d.kind != "Decision" else None)
        d.jurisdiction = _jurisdiction(d.ctx, d.issuer, resolver)
        if d.kind == "NewsArticle" and d.jurisdiction is None and not d.ctx.province:
            d.jurisdiction = "national"  # a news page that names no province reports national news
        found = dedupe(find_citations(t, d.start, d.end, resolver, d.ctx, own))
        for f in found:
            citations.append(Citation(d.key, f.kind, f.number, f.title, f.issuer, f.date, f.year, f.relation,
                                      _evidence(c, text, f.start, f.end), c.original_span(f.start, f.end)))
        owner = reported.key if (article is d and reported) else d.key
        ftasks = find_tasks(t, d.start, d.end)
        for ft in ftasks:
            tasks.append(Task(owner, ft.number, ft.title, ft.parent, c.original_span(ft.start, ft.end),
                              " ".join(t[ft.title_end:ft.end].split())[:4000]))
        assignments.extend(_assignments(c, text, d, owner, ftasks, resolver))
        for kind, title, s, e in find_initiatives(t, d.start, d.end):
            initiatives.append(Initiative(d.key, kind, title, c.original_span(s, e)))
    if article and reported:
        reported.school_year = school_year(t[:3000])
        reported.jurisdiction = _jurisdiction(reported.ctx, reported.issuer, resolver)
        if reported.number:
            citations.insert(0, Citation(article.key, reported.kind, reported.number, None, reported.issuer,
                                         reported.date, reported.year, "reportsOn",
                                         _evidence(c, text, reported.start, reported.end),
                                         c.original_span(reported.start, reported.end)))
    documents = tuple(
        Document(d.key, d.kind, d.number, d.title, d.issuer, d.date, d.year, d.place, d.signer, d.jurisdiction,
                 c.original_span(d.start, d.end), d.recipients, d.school_year, d.publisher, d.promulgated_by)
        for d in docs
    )
    return Extraction(source, text, documents, tuple(citations), tuple(tasks), tuple(_dedupe_assignments(assignments)),
                      tuple(initiatives))


def _evidence(c: Cleaned, text: str, start: int, end: int) -> str:
    s, e = c.original_span(start, end)
    return text[s:e]


def _assignments(c: Cleaned, text: str, d: _Doc, owner: str, ftasks, resolver) -> list[Assignment]:
    t = c.text
    out: list[Assignment] = []
    org = [(he, se) for _r, h, _hs, he, se in sections(t, d.start, d.end) if is_organisation_heading(h)]
    scopes: list[tuple[int, int, str | None, bool]] = [(s, e, None, True) for s, e in org]
    top = [ft for ft in ftasks if ft.parent is None]
    for ft in top:
        scopes.append((ft.title_end, ft.end, ft.number, False))
    if not org:
        if d.kind in ("Decision", "Resolution", "Directive", "Circular", "Decree"):
            scopes.append((d.start, top[0].start if top else d.end, None, False))
        covered = [(ft.start, ft.end) for ft in top]
        pos = d.start
        for s, e in sorted(covered):
            if s > pos:
                scopes.append((pos, s, None, True))
            pos = max(pos, e)
        if pos < d.end:
            scopes.append((pos, d.end, None, True))
    for s, e, task, weak in scopes:
        for fa in find_assignments(t, s, e, resolver, d.ctx, weak=weak):
            out.append(Assignment(owner, task, fa.assignee, fa.role, _evidence(c, text, fa.start, fa.end),
                                  c.original_span(fa.start, fa.end)))
    return out


def _dedupe_assignments(items: list[Assignment]) -> list[Assignment]:
    seen = set()
    out = []
    for a in items:
        k = (a.doc, a.task, a.assignee, a.role)
        if k in seen:
            continue
        seen.add(k)
        out.append(a)
    return out
