"""Assignments: which body is to lead (chủ trì), cooperate (phối hợp), answer for (có trách nhiệm),
advise (tham mưu) or report (báo cáo), found clause by clause; and initiatives quoted by title.

>>> class R:
...     def canonical(self, m, ctx=None): return None
>>> [(a.assignee, a.role) for a in find_assignments(
...     "Hiệu trưởng các nhà trường có trách nhiệm quán triệt Kế hoạch này.", 0, 70, R(), None)]
[('Hiệu trưởng các nhà trường', 'responsible')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Why: a clause is a body (the subject) followed by what it must do; these words open a body name.
_HEADS = (
    r"Sở|Phòng|UBND|Ủy\s+ban|Uỷ\s+ban|Bộ|Ban|Hiệu\s+trưởng|Thủ\s+trưởng|Giám\s+đốc|Chủ\s+tịch|Trưởng|"
    r"Các|các|Trường|Trung\s+tâm|Cục|Vụ|Tổng\s+cục|Hội\s+đồng|HĐND|Công\s+an|Bộ\s+Chỉ\s+huy|Liên\s+đoàn|"
    r"Đoàn|Hội|Mặt\s+trận|MTTQ|Văn\s+phòng|Thanh\s+tra|Kho\s+bạc|Ngân\s+hàng|Đài|Báo|Cơ\s+quan|cơ\s+quan|"
    r"Đảng\s+ủy|Đảng\s+uỷ|Tỉnh\s+ủy|Tỉnh\s+uỷ|Huyện\s+ủy|Thành\s+ủy|Ngành|Tổ|Giáo\s+viên|Phó|Người\s+đứng\s+đầu|"
    r"Lãnh\s+đạo|Chi\s+cục|Kiểm\s+toán|Tòa\s+án|Viện\s+kiểm\s+sát|Bảo\s+hiểm|Đơn\s+vị|đơn\s+vị|Thuế|Chính\s+phủ|"
    r"Thủ\s+tướng|Quân\s+khu|Bộ\s+đội|Hải\s+quan|Cảnh\s+sát|Tập\s+đoàn|Tổng\s+công\s+ty|Đại\s+học|Học\s+viện|"
    r"Viện|Nhà\s+trường|nhà\s+trường|Cán\s+bộ|Công\s+chức|Ủy\s+ban\s+Mặt\s+trận"
)
HEAD_RE = re.compile(rf"^(?:{_HEADS})(?=[\s,:])")
# Heads strong enough to start a new body inside an enumeration ("..., UBND các huyện").
_SPLIT_HEADS = "|".join(h for h in _HEADS.split("|") if h[:1].isupper()) + "|các"
# Bounded runs of spaces: an unbounded \s* before the separator is quadratic on a long run of blanks.
_SPLIT_RE = re.compile(rf"[ \t]{{0,3}}[;,]\s{{1,3}}(?=(?:{_SPLIT_HEADS})\s)|\s{{1,3}}và\s{{1,3}}(?=(?:Sở|Bộ|UBND|Ủy\s+ban|Uỷ\s+ban|Phòng|Ban|Hiệu\s+trưởng|"
                       r"Thủ\s+trưởng|Giám\s+đốc|Chủ\s+tịch|Trường|Cục|Vụ)\s)")
_ROLE_CUES = (
    ("lead", re.compile(r"\bchủ\s+trì\b", re.I)),
    ("cooperate", re.compile(r"\bphối\s+hợp\b", re.I)),
    ("responsible", re.compile(r"\b(?:có|chịu)\s+trách\s+nhiệm\b|\bcó\s+nhiệm\s+vụ\b|\bđược\s+giao\b|\bchỉ\s+đạo\b|"
                               r"\btổ\s+chức\s+(?:triển\s+khai|thực\s+hiện)\b|\btriển\s+khai\s+thực\s+hiện\b|"
                               r"\bthực\s+hiện\b|\bcăn\s+cứ\b|\bquán\s+triệt\b", re.I)),
    ("advise", re.compile(r"\btham\s+mưu\b", re.I)),
    ("report", re.compile(r"\bbáo\s+cáo\b", re.I)),
)
_ANY_CUE_RE = re.compile("|".join(f"(?P<{r}>{rx.pattern})" for r, rx in _ROLE_CUES), re.I)
# Why: "Đề nghị Ủy ban Mặt trận ...", "Yêu cầu các sở ...", "Giao Sở Tài chính ..." put the body after.
_PREFIX_RE = re.compile(r"^(?:Đề\s+nghị|Yêu\s+cầu|Giao(?:\s+cho)?)\s+", re.I)
_MID_PREFIX_RE = re.compile(r"\s(?:yêu\s+cầu|đề\s+nghị|giao(?:\s+cho)?)\s+(?=(?:" + _HEADS + r")\s)", re.I)
# Where the name of a body that follows "phối hợp với" / "đề nghị" stops: at the next verb.
_OBJECT_STOP_RE = re.compile(
    r"(?<!các)(?<!và)\s(?:vận\s+động|hưởng\s+ứng|tham\s+gia|phối\s+hợp|chỉ\s+đạo|tổ\s+chức|triển\s+khai|thực\s+hiện|tuyên\s+truyền|"
    r"hướng\s+dẫn|kiểm\s+tra|giám\s+sát|quan\s+tâm|tạo\s+điều\s+kiện|xem\s+xét|bố\s+trí|cân\s+đối|hỗ\s+trợ|rà\s+soát|"
    r"xây\s+dựng|ban\s+hành|báo\s+cáo|tham\s+mưu|chủ\s+động|khẩn\s+trương|tăng\s+cường|đẩy\s+mạnh|nghiên\s+cứu|"
    r"theo\s+dõi|đôn\s+đốc|căn\s+cứ|có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|trong|để|nhằm|theo|về|đảm\s+bảo|"
    r"bảo\s+đảm|thống\s+nhất|quản\s+lý|cung\s+cấp|chuẩn\s+bị|lập|trình|đề\s+xuất)\b|[.;:(\n]",
    re.I,
)
_SUBJECT_CUT_RE = re.compile(r"\s(?:theo\s+chức\s+năng|căn\s+cứ|trong\s+phạm\s+vi|trên\s+cơ\s+sở|với\s+vai\s+trò|khi)\b",
                             re.I)
_LIST_MARK_RE = re.compile(r"\s*(?:[-+•]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|Điều\s+\d+\.?)?\s*")
# A full stop after an item number ("1. Thủ trưởng ...", "II. ") does not end a clause.
_CLAUSE_END_RE = re.compile(r"(?<![\n ]\d)(?<![\n ]\d\d)(?<![\n ][IVX])(?<![\n ][IVX][IVX])[.!?](?=\s|$)|;\s|\n(?=\s*(?:[-+•]|\d{1,2}[.)]|[a-zđ]\)|Điều\s))|\n\s*\n")


@dataclass(frozen=True, slots=True)
class FoundAssignment:
    """An assignment in the cleaned text (offsets cleaned)."""

    assignee: str
    role: str
    start: int
    end: int


def clauses(text: str, start: int, end: int):
    """(start, end) of each clause of ``text[start:end]``."""
    pos = start
    for m in _CLAUSE_END_RE.finditer(text, start, end):
        if m.end() - pos > 2:
            yield pos, m.start() + (1 if text[m.start()] in ".!?" else 0)
        pos = m.end()
    if end - pos > 2:
        yield pos, end


def split_bodies(phrase: str) -> list[str]:
    """One name per body of an enumeration; "Các Sở: Tài chính, Nội vụ" names each Sở in full.

    >>> split_bodies("Các Sở: Kế hoạch và Đầu tư, Tài chính, Nội vụ")
    ['Sở Kế hoạch và Đầu tư', 'Sở Tài chính', 'Sở Nội vụ']
    """
    phrase = " ".join(phrase.split()).strip(" ,;:-")
    m = re.match(r"^(?:Các|các)\s+(Sở|Bộ|Phòng|Ban|Cục|Vụ)\s*:\s*(.+)$", phrase)
    if m:
        head, rest = m.group(1), m.group(2)
        items = [i.strip(" ,;") for i in re.split(r"[,;]\s*", rest) if i.strip(" ,;")]
        return [f"{head} {i}" for i in items]
    parts = [p.strip(" ,;") for p in _SPLIT_RE.split(phrase) if p and p.strip(" ,;")]
    return parts


def _fix_bare_territory(name: str, ctx) -> str:
    """"Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh" inside a Sơn La plan -> "... tỉnh Sơn La"."""
    if ctx is None:
        return name
    if " các " in f" {name} ":
        return name
    if getattr(ctx, "province", None) and re.search(r"\s(?:tỉnh|thành\s+phố)$", name):
        return f"{name} {ctx.province}"
    if getattr(ctx, "district", None) and re.search(r"\s(?:huyện|thị\s+xã|quận)$", name):
        return f"{name} {ctx.district}"
    return name


def _canon(name: str, resolver, ctx) -> str:
    got = resolver.canonical(name, ctx)
    return got or _fix_bare_territory(name, ctx)


def _bodies(phrase: str, resolver, ctx) -> list[str]:
    out = []
    for p in split_bodies(phrase):
        if 2 <= len(p) <= 200 and len(p.split()) <= 25:
            out.append(_canon(p, resolver, ctx))
    return out


def _object_phrase(text: str, s: int, e: int) -> str:
    stop = _OBJECT_STOP_RE.search(text, s, e)
    return text[s:stop.start() if stop else e]


def find_assignments(text: str, start: int, end: int, resolver, ctx, weak: bool = True) -> list[FoundAssignment]:
    """Assignments in ``text[start:end]``; ``weak`` also takes a body followed by any duty verb."""
    out: list[FoundAssignment] = []
    carried: list[str] = []
    for cs, ce in clauses(text, start, end):
        lm = _LIST_MARK_RE.match(text, cs, ce)
        s = lm.end() if lm else cs
        clause = text[s:ce]
        pm = _PREFIX_RE.match(clause)
        if pm:
            obj = _object_phrase(text, s + pm.end(), ce)
            for b in _bodies(obj, resolver, ctx):
                out.append(FoundAssignment(b, "responsible", cs, ce))
            carried = []
            continue
        if not HEAD_RE.match(clause):
            carried = []
            continue
        cue = _ANY_CUE_RE.search(text, s, ce)
        if not cue:
            # "Sở Giáo dục và Đào tạo; UBND các huyện ... chủ trì": a bare body joins the next clause.
            if len(clause.split()) <= 12:
                carried.append(clause)
            continue
        role = cue.lastgroup
        subject = text[s:cue.start()]
        cut = _SUBJECT_CUT_RE.search(subject)
        if cut:
            subject = subject[:cut.start()]
        mid = _MID_PREFIX_RE.search(subject)
        if mid:
            # "Chủ tịch UBND tỉnh yêu cầu các sở, ban, ngành ... thực hiện": the bodies after are assigned.
            obj = _object_phrase(text, s + mid.end(), ce)
            for b in _bodies(obj, resolver, ctx):
                out.append(FoundAssignment(b, "responsible", cs, ce))
            carried = []
            continue
        if role == "responsible" and not weak and not re.match(r"(?:có|chịu)\s+trách|có\s+nhiệm|được\s+giao",
                                                               cue.group(0), re.I):
            carried = []
            continue
        roles = [role]
        after = text[cue.end():min(ce, cue.end() + 40)]
        if re.match(r"(?:có|chịu)\s+trách\s+nhiệm|có\s+nhiệm\s+vụ", cue.group(0), re.I):
            follow = _ANY_CUE_RE.match(after.lstrip(" ,"))
            if follow and follow.lastgroup in ("lead", "cooperate"):
                roles = [follow.lastgroup]
            elif follow and follow.lastgroup in ("advise", "report"):
                roles = ["responsible", follow.lastgroup]
        if re.search(r"\d", subject) or len(subject.split()) > 30:
            # "UBND tỉnh ban hành Kế hoạch số 167/KH-UBND về ... thực hiện": a document, not a duty.
            carried = []
            continue
        subjects = [*carried, subject]
        carried = []
        for subj in subjects:
            for b in _bodies(subj, resolver, ctx):
                for r in roles:
                    out.append(FoundAssignment(b, r, cs, ce))
        if "lead" in roles:
            wm = re.search(r"phối\s+hợp(?:\s+chặt\s+chẽ)?\s+với\s+", text[cue.end():ce], re.I)
            if wm:
                o = cue.end() + wm.end()
                for b in _bodies(_object_phrase(text, o, ce), resolver, ctx):
                    out.append(FoundAssignment(b, "cooperate", cs, ce))
    return out


# Why: initiatives are quoted after the word that names them:
# chuyên đề “Xây dựng trường mầm non lấy trẻ làm trung tâm giai đoạn 2021 - 2025”.
_INITIATIVE_RE = re.compile(
    r"(?P<k>Đề\s+án|Chương\s+trình|chuyên\s+đề|Chuyên\s+đề|phong\s+trào\s+thi\s+đua|Phong\s+trào\s+thi\s+đua|"
    r"phong\s+trào|Phong\s+trào|cuộc\s+vận\s+động|Cuộc\s+vận\s+động)(?:\s+[^\s“”\"]{1,12}){0,3}?\s{0,2}[“\"]"
    r"(?P<t>[^“”\"\n]{5,300})[”\"]"
)
_INITIATIVE_KIND = {"đề án": "Scheme", "chương trình": "Programme", "chuyên đề": "Topic",
                    "phong trào thi đua": "Campaign", "phong trào": "Campaign", "cuộc vận động": "Campaign"}


def find_initiatives(text: str, start: int, end: int) -> list[tuple[str, str, int, int]]:
    """(kind, title, start, end) of each initiative quoted in ``text[start:end]``."""
    out = []
    seen = set()
    for m in _INITIATIVE_RE.finditer(text, start, end):
        title = " ".join(m.group("t").split()).strip(" .,;")
        key = title.lower()
        if key in seen:
            continue
        seen.add(key)
        kind = _INITIATIVE_KIND[" ".join(m.group("k").lower().split())]
        out.append((kind, title, m.start(), m.end()))
    return out
