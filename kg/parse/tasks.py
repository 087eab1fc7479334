"""Numbered tasks (nhiệm vụ, giải pháp) and the sections that hold them.

A plan puts its tasks under a Roman-numbered section ("II. CÁC NHIỆM VỤ VÀ GIẢI PHÁP TRỌNG TÂM"),
one arabic item each, with lettered sub-items; news lists them "1. ..." or inline "(1) ...; (2) ...".

>>> ts = find_tasks("I. MỤC ĐÍCH\\n1. Quán triệt\\nII. NHIỆM VỤ\\n1. Đổi mới quản lý\\nNội dung.\\n"
...                 "2. Chuyển đổi số\\nIII. TỔ CHỨC THỰC HIỆN\\n1. Sở chủ trì\\n", 0, 200)
>>> [(t.number, t.title) for t in ts]
[('1', 'Đổi mới quản lý'), ('2', 'Chuyển đổi số')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import fold

# Why: section headings: "II. CÁC NHIỆM VỤ VÀ GIẢI PHÁP TRỌNG TÂM", "B. NHIỆM VỤ CỤ THỂ".
SECTION_RE = re.compile(r"^[ ]{0,4}(?P<r>[IVX]{1,5}|[A-H])[ ]{0,2}[.)][ ]{1,3}(?P<t>[^\n]{2,200})$", re.M)
# Why: one task item per line start: "7. Đẩy mạnh chuyển đổi số ...", "1.2. ...", "3) ...".
ITEM_RE = re.compile(r"^[ ]{0,6}(?P<n>\d{1,2}(?:\.\d{1,2}){0,2})[ ]{0,2}[.)]?[ ]{1,4}(?P<rest>[^\s\d][^\n]*)$", re.M)
SUBITEM_RE = re.compile(r"^[ ]{0,6}(?P<n>[a-zđ])[ ]{0,2}\)[ ]{1,4}(?P<rest>\S[^\n]*)$", re.M)
# Why: news write a list inline: "gồm: (1) Hoàn thiện thể chế ...; (2) Thực hiện hiệu quả ...".
INLINE_RE = re.compile(r"\((?P<n>\d{1,2})\)[ ]{0,3}(?=\S)")


@dataclass(frozen=True, slots=True)
class FoundTask:
    """A task in the cleaned text (offsets cleaned)."""

    number: str
    title: str
    parent: str | None
    start: int
    end: int
    title_end: int


def sections(text: str, start: int, end: int) -> list[tuple[str, str, int, int, int]]:
    """Roman/letter sections in capitals: (mark, heading, heading start, body start, end)."""
    heads = []
    for m in SECTION_RE.finditer(text, start, end):
        t = m.group("t").strip()
        letters = [c for c in t if c.isalpha()]
        if not letters or sum(c.isupper() for c in letters) < 0.8 * len(letters):
            continue
        heads.append((m.group("r"), t, m.start(), m.end()))
    out = []
    for i, (r, t, hs, he) in enumerate(heads):
        e = heads[i + 1][2] if i + 1 < len(heads) else end
        out.append((r, t, hs, he, e))
    return out


def is_task_heading(heading: str) -> bool:
    """Does a section heading announce tasks?"""
    f = fold(heading)
    if any(w in f for w in ("muc dich", "to chuc thuc hien", "kinh phi", "trach nhiem", "phan cong",
                            "che do bao cao", "dieu khoan")):
        return False
    return any(w in f for w in ("nhiem vu", "giai phap", "noi dung", "chuong trinh hanh dong"))


def is_organisation_heading(heading: str) -> bool:
    """Does a section heading announce who does what (Tổ chức thực hiện, Trách nhiệm, Phân công)?"""
    f = fold(heading)
    return any(w in f for w in ("to chuc thuc hien", "trach nhiem", "phan cong"))


def _title(text: str, start: int, limit: int) -> tuple[str, int]:
    """A task title from ``start``: its heading line, or the first sentence of a one-paragraph task."""
    pos = start
    parts = []
    while pos < limit:
        nl = text.find("\n", pos, limit)
        line_end = nl if nl >= 0 else limit
        line = text[pos:line_end]
        sm = re.search(r"[.!?:](?=\s)|[.!?:]$", line)
        if sm:
            parts.append(line[:sm.start()])
            return " ".join(" ".join(parts).split()).strip(" ;,"), pos + sm.start()
        parts.append(line)
        if nl < 0:
            break
        nxt = text[nl + 1:min(limit, nl + 3)]
        # A title wraps onto the next line only when that line goes on in lower case.
        if not nxt or not nxt[:1].islower():
            return " ".join(" ".join(parts).split()).strip(" ;,"), line_end
        pos = nl + 1
        if sum(len(p) for p in parts) > 400:
            break
    return " ".join(" ".join(parts).split()).strip(" ;,"), min(pos, limit)


def _items(text: str, start: int, end: int) -> list[re.Match]:
    return [m for m in ITEM_RE.finditer(text, start, end)]


def _top_run(items: list[re.Match]) -> list[re.Match]:
    """The longest run 1, 2, 3, ... of top-level items (no dotted numbers)."""
    best: list[re.Match] = []
    run: list[re.Match] = []
    for m in items:
        n = m.group("n")
        if "." in n:
            continue
        k = int(n)
        if k == 1:
            if len(run) > len(best):
                best = run
            run = [m]
        elif run and k == int(run[-1].group("n")) + 1:
            run.append(m)
    if len(run) > len(best):
        best = run
    return best


def _tasks_from_items(text: str, items: list[re.Match], end: int, prefix: str = "") -> list[FoundTask]:
    out: list[FoundTask] = []
    for i, m in enumerate(items):
        s = m.start()
        e = items[i + 1].start() if i + 1 < len(items) else end
        title, tend = _title(text, m.start("rest"), e)
        if not title:
            continue
        number = prefix + m.group("n")
        out.append(FoundTask(number, title, None, s, e, tend))
        # Sub-items: "a) ...", or dotted numbers "7.1. ..." inside the task.
        subs = [sm for sm in SUBITEM_RE.finditer(text, tend, e)]
        dotted = [dm for dm in ITEM_RE.finditer(text, tend, e) if dm.group("n").startswith(m.group("n") + ".")]
        for group, mk in ((subs, lambda x: x.group("n")), (dotted, lambda x: x.group("n").split(".")[-1])):
            for j, sm in enumerate(group):
                se = group[j + 1].start() if j + 1 < len(group) else e
                st, stend = _title(text, sm.start("rest"), se)
                if st:
                    out.append(FoundTask(f"{number}.{mk(sm)}", st, number, sm.start(), se, stend))
            if group:
                break
    return out


def _roman_tasks(text: str, letter: tuple, romans: list[tuple]) -> list[FoundTask]:
    """Tasks that are Roman sections of a task part ("B. NHIỆM VỤ, GIẢI PHÁP" / "I. CÔNG TÁC ...")."""
    from .header import sentence_case

    out: list[FoundTask] = []
    for r, t, hs, he, se in romans:
        if not is_task_heading(t) and any(w in fold(t) for w in ("muc dich", "to chuc thuc hien", "kinh phi")):
            continue
        out.append(FoundTask(r, sentence_case(t), None, hs, se, he))
        run = _top_run(_items(text, he, se))
        for j, m in enumerate(run):
            e = run[j + 1].start() if j + 1 < len(run) else se
            st, stend = _title(text, m.start("rest"), e)
            if st:
                out.append(FoundTask(f"{r}.{m.group('n')}", st, r, m.start(), e, stend))
    return out


def find_tasks(text: str, start: int, end: int) -> list[FoundTask]:
    """The tasks of the document spanning ``text[start:end]``."""
    secs = sections(text, start, end)
    letters = [s for s in secs if not re.fullmatch(r"[IVX]+", s[0])]
    if letters and len(letters) < len(secs):
        # Two levels: letter parts hold Roman sections. A task part's Roman sections are its tasks.
        out = []
        for i, letter in enumerate(letters):
            if not is_task_heading(letter[1]):
                continue
            nxt = letters[i + 1][2] if i + 1 < len(letters) else end
            romans = [s for s in secs if re.fullmatch(r"[IVX]+", s[0]) and letter[2] < s[2] < nxt]
            romans = [(r, t, hs, he, min(se, nxt)) for r, t, hs, he, se in romans]
            if romans:
                out.extend(_roman_tasks(text, letter, romans))
        if out:
            return out
    task_secs = [s for s in secs if is_task_heading(s[1])]
    if task_secs:
        out: list[FoundTask] = []
        for r, _t, _hs, he, se in task_secs:
            run = _top_run(_items(text, he, se))
            prefix = f"{r}." if len(task_secs) > 1 else ""
            out.extend(_tasks_from_items(text, run, se, prefix))
        if out:
            return out
    # No task section: skip the purpose and organisation sections, take the longest numbered run.
    skip = [(hs, se) for _r, t, hs, _he, se in secs if not is_task_heading(t)]
    items = [m for m in _items(text, start, end) if not any(a <= m.start() < b for a, b in skip)]
    run = _top_run(items)
    if len(run) >= 3:
        last_end = end
        for a, _b in skip:
            if a > run[-1].start():
                last_end = min(last_end, a)
        return _tasks_from_items(text, run, last_end)
    return inline_tasks(text, start, end)


def inline_tasks(text: str, start: int, end: int) -> list[FoundTask]:
    """Tasks listed inline: "(1) ...; (2) ...; (3) ..." (at least three, numbered from 1)."""
    ms = list(INLINE_RE.finditer(text, start, end))
    best: list[re.Match] = []
    run: list[re.Match] = []
    for m in ms:
        k = int(m.group("n"))
        if k == 1:
            if len(run) > len(best):
                best = run
            run = [m]
        elif run and k == int(run[-1].group("n")) + 1 and m.start() - run[-1].end() < 600:
            run.append(m)
    if len(run) > len(best):
        best = run
    if len(best) < 3:
        return []
    out = []
    for i, m in enumerate(best):
        e = best[i + 1].start() if i + 1 < len(best) else end
        seg_end = e
        # Items run to the next marker; the last one ends with its sentence.
        if i + 1 == len(best):
            stop = re.search(r"[.](?=\s|$)|\n", text[m.end():e])
            if stop:
                seg_end = m.end() + stop.start()
        title = " ".join(text[m.end():seg_end].split()).strip(" ;,.")
        if title:
            out.append(FoundTask(m.group("n"), title, None, m.start(), seg_end, seg_end))
    return out
