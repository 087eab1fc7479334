"""The header of an administrative document: number, place and date, issuer block, title, signer,
recipients (Nơi nhận); and the split of a file into the documents it holds.

All offsets here are into the cleaned text (see :mod:`.clean`).

>>> h = parse_header("UBND HUYỆN GIA LỘC\\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO\\nSố: 171 /KH - PGDĐT\\n"
...                  "Gia Lộc, ngày 14 tháng 9 năm 2023\\nKẾ HOẠCH\\nNHIỆM VỤ NĂM HỌC 2023 - 2024\\n")
>>> h.number, h.place, h.date, h.kind
('171/KH-PGDĐT', 'Gia Lộc', '2023-09-14', 'Plan')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import NUMBER_RE, date_match, find_numbers, match_to_iso, numeric_dates
from .vocab import kind_for_code, kind_for_name, kind_names

HEADER_WINDOW = 3500  # the header of a document sits in its first few thousand characters

# Why: "Số: 171 /KH - PGDĐT", "Số:  100/NQ-CP", "Số 05/2025/TT-BGDĐT" open the number line.
_SO_RE = re.compile(r"(?<![\w/])Số\s{0,3}:?\s{0,4}(?=\d)")
# Why: "Gia Lộc, ngày 14 tháng 9 năm 2023", "*Hà Nội, ngày 01\ntháng 12 năm 2025*" — a place name
# of capitalised words, a comma, then the date.
_PLACE_DATE_RE = re.compile(
    r"(?:^|(?<=[\s(]))(?P<place>[A-ZĐÀ-Ỹ][^\s,;:()\d]{0,12}(?:[ ][^\s,;:()\d]{1,12}){0,5}),\s{0,3}"
    r"(?=ngày\s)"
)
_MOTTO_RE = re.compile(
    r"CỘNG\s+HÒA\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM|CỘNG\s+HOÀ\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM|"
    r"Độc\s+lập\s*-\s*Tự\s+do\s*-\s*Hạnh\s+phúc|ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM|-{3,}|_{3,}",
    re.I,
)
# Why: lines that open the body of a document end its title block.
_TITLE_STOP_RE = re.compile(
    r"^(?:Căn cứ|Thực hiện|Theo|Xét|Để|Năm học|Nhằm|Triển khai|Kính gửi|Điều\s+\d|[IVX]+\.|\d+\.|[a-z]\)|-|\(Ban hành|"
    r"QUYẾT ĐỊNH:|QUYẾT NGHỊ:|CHỈ THỊ:|CHỦ TỊCH|BỘ TRƯỞNG|THỦ TƯỚNG|GIÁM ĐỐC|TRƯỞNG BAN|CHÍNH PHỦ$|"
    r"ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|HỘI ĐỒNG NHÂN DÂN|BAN CHẤP HÀNH|BAN THƯỜNG VỤ)",
)
_KIND_HEAD_WORDS = sorted({n.upper() for n, _ in kind_names()} | {"QUY CHẾ", "THÔNG BÁO KẾT LUẬN"},
                          key=len, reverse=True)
_KIND_HEAD_RE = re.compile(r"^\s*(" + "|".join(re.escape(w) for w in _KIND_HEAD_WORDS) + r")\b")
_SIGNER_TITLE_RE = re.compile(
    r"^[ \t]*(?:(?:KT|TM|TL|TUQ|Q|K/T|T/M)\.?[ \t]+)?(?P<t>(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|GIÁM\s+ĐỐC|TRƯỞNG\s+PHÒNG|BỘ\s+TRƯỞNG|"
    r"THỨ\s+TRƯỞNG|THỦ\s+TƯỚNG|HIỆU\s+TRƯỞNG|TRƯỞNG\s+BAN|CHÁNH\s+VĂN\s+PHÒNG|BÍ\s+THƯ|TỔNG\s+CỤC\s+TRƯỞNG|"
    r"CỤC\s+TRƯỞNG|VỤ\s+TRƯỞNG|CHI\s+CỤC\s+TRƯỞNG|TRƯỞNG\s+ĐOÀN|TỔNG\s+GIÁM\s+ĐỐC|CHÁNH\s+THANH\s+TRA|"
    r"TRƯỞNG\s+BAN\s+CHỈ\s+ĐẠO|PHÓ\s+TRƯỞNG\s+BAN|TRƯỞNG\s+CƠ\s+QUAN)[^\n]{0,60})[ \t]*$",
    re.M,
)
# [ \t]* not \s*: at every line start \s* would run through all the blank lines below (quadratic).
_NAME_RE = re.compile(r"^[ \t]*(?P<n>[A-ZĐÀ-Ỹ][a-zà-ỹđ]+(?:[ \t]+[A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,4})[ \t]*$", re.M)
_RECIPIENTS_RE = re.compile(r"Nơi\s+nhận\s*:?", re.I)
_ATTACH_RE = re.compile(
    r"\(\s{0,3}(?:Ban\s+hành|Kèm\s+theo|Ban\s+hành\s+kèm\s+theo)\s+kèm\s+theo\s+|\(\s{0,3}Ban\s+hành\s+kèm\s+theo\s+|"
    r"\(\s{0,3}Kèm\s+theo\s+",
    re.I,
)
_SCHOOL_YEAR_RE = re.compile(r"năm\s+học\s+((?:19|20)\d{2})\s{0,2}-\s{0,2}((?:19|20)\d{2})", re.I)


@dataclass(frozen=True, slots=True)
class Header:
    """What the header says (cleaned offsets); every part may be missing."""

    number: str | None = None
    number_span: tuple[int, int] | None = None
    issuer_code: str | None = None
    kind_code: str | None = None
    year_in_number: int | None = None
    place: str | None = None
    date: str | None = None
    issuer_lines: tuple[str, ...] = ()
    title: str | None = None
    kind: str | None = None
    title_end: int = 0


def sentence_case(s: str) -> str:
    """``KẾ HOẠCH NHIỆM VỤ`` -> ``Kế hoạch nhiệm vụ`` (text in capitals only)."""
    s = " ".join(s.split())
    letters = [c for c in s if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters):
        s = s.lower()
        return s[:1].upper() + s[1:]
    return s


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def _lines(text: str, start: int, end: int):
    """(line, start offset) of each line in text[start:end]."""
    pos = start
    for line in text[start:end].split("\n"):
        yield line, pos
        pos += len(line) + 1


def issuer_block(text: str, end: int) -> tuple[str, ...]:
    """The issuing body lines above the number (the national motto and rules removed)."""
    head = _MOTTO_RE.sub("\n", text[:end])
    units: list[str] = []
    for raw in head.split("\n"):
        line = " ".join(raw.split()).strip(" -*_")
        if not line or not _is_caps(line) or len(line) > 160:
            continue
        # A line that does not open with a body word continues the previous unit
        # ("ỦY BAN NHÂN DÂN" / "TỈNH BẮC NINH"; "BAN CHẤP HÀNH" / "TRUNG ƯƠNG").
        if units and re.match(r"^(?:TỈNH|THÀNH PHỐ|TP\.?|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|TRUNG ƯƠNG|ĐẶC KHU)\b", line):
            units[-1] = units[-1] + " " + line
        else:
            # One table cell may hold two units: "UBND HUYỆN GIA LỘC PHÒNG GIÁO DỤC VÀ ĐÀO TẠO".
            # Not inside a name: "TRƯỜNG TRUNG HỌC CƠ SỞ NGUYỄN DU", "TRƯỜNG THCS VÕ TRƯỜNG TOẢN".
            parts = re.split(r"(?<!CƠ)(?<!TRƯỜNG THCS)(?<!TỔNG)(?<!CHI)\s(?=(?:SỞ|PHÒNG|TRƯỜNG|TỔNG CỤC|CỤC|CHI CỤC|VĂN PHÒNG)\s(?!TOẢN))", line) \
                if not line.startswith("TRƯỜNG") else [line]
            units.extend(p.strip() for p in parts if p.strip())
    return tuple(units)


def parse_header(text: str, start: int = 0, end: int | None = None) -> Header:
    """Parse the header of the document that begins at ``start``."""
    end = len(text) if end is None else end
    win_end = min(end, start + HEADER_WINDOW)
    number = number_span = issuer_code = kind_code = None
    year_in_number = None
    m = _SO_RE.search(text, start, win_end)
    if m:
        nums = find_numbers(text, m.end(), min(win_end, m.end() + 60))
        if nums and nums[0].start == m.end():
            n = nums[0]
            number, number_span = n.number, (n.start, n.end)
            issuer_code, kind_code, year_in_number = n.issuer_code, n.kind_code, n.year
    place = date = None
    pd_from = number_span[1] if number_span else start
    for pm in _PLACE_DATE_RE.finditer(text, start, win_end):
        dm = date_match(text, pm.end(), min(win_end, pm.end() + 60))
        if not dm or dm.start() != pm.end():
            continue
        cand = pm.group("place").strip()
        if cand.lower().startswith(("số", "căn cứ", "theo")):
            continue
        place, date = cand, match_to_iso(dm)
        pd_from = max(pd_from, dm.end())
        break
    lines_end = m.start() if m else start
    issuer_lines = issuer_block(text[:lines_end], lines_end) if m else ()
    title, kind, title_end = find_title(text, pd_from, win_end)
    if title is None and number_span:
        # An official letter's subject may sit beside its number: "Số: 1414/TCT-CS V/v hỗ trợ ...".
        vm = re.compile(r"[ \t]{1,8}(?:V/v|Về việc)[ \t]+([^\n]{5,250})").match(text, number_span[1], win_end)
        if vm:
            subject = re.split(r"\s{2,}|\.\s|\s(?=[A-ZĐÀ-Ỹ][^\s,]*(?:\s[^\s,]+){0,3},\s*ngày\s)", vm.group(1))[0]
            title = sentence_case(subject.strip(" .;"))
            kind = kind or "OfficialLetter"
    if kind is None and kind_code:
        kind = kind_for_code(kind_code)
    return Header(number, number_span, issuer_code, kind_code, year_in_number, place, date,
                  issuer_lines, title, kind, title_end)


def find_title(text: str, start: int, end: int) -> tuple[str | None, str | None, int]:
    """The title block after ``start``: a kind heading in capitals and the lines that follow it.

    Returns (title, kind, end offset of the title block).
    """
    lines = list(_lines(text, start, end))
    for i, (line, pos) in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        hm = _KIND_HEAD_RE.match(s)
        subject = re.match(r"^(?:V/v|Về việc|Về)\s", s)
        if not hm and not subject:
            if _TITLE_STOP_RE.match(s) and not _is_caps(s):
                break
            continue
        if subject and not hm:
            title_lines = [s]
            stop = pos + len(line)
            for line2, pos2 in lines[i + 1:i + 4]:
                s2 = line2.strip()
                if not s2 or _TITLE_STOP_RE.match(s2) or re.match(r"^[A-ZĐÀ-Ỹ].*,\s*ngày\s", s2):
                    break
                title_lines.append(s2)
                stop = pos2 + len(line2)
            return sentence_case(" ".join(title_lines)), "OfficialLetter", stop
        kind = kind_for_name(hm.group(1)) or ("Regulation" if hm.group(1) == "QUY CHẾ" else None)
        if hm.group(1) == "THÔNG BÁO KẾT LUẬN":
            kind = "Notice"
        if not _is_caps(hm.group(1)):
            continue
        title_lines = [s]
        stop = pos + len(line)
        for line2, pos2 in lines[i + 1:i + 8]:
            s2 = line2.strip()
            if not s2:
                if len(title_lines) > 1:
                    break
                continue
            if _TITLE_STOP_RE.match(s2) and not (len(title_lines) == 1 and _is_caps(s2)
                                                   and not re.match(r"^(?:CHỦ TỊCH|BỘ TRƯỞNG|THỦ TƯỚNG|"
                                                                    r"GIÁM ĐỐC|TRƯỞNG BAN|ỦY BAN|UỶ BAN|"
                                                                    r"HỘI ĐỒNG|CHÍNH PHỦ|QUYẾT)", s2)):
                break
            if not (_is_caps(s2) or re.match(r"^(?:Về|V/v|Ban hành|Phê duyệt|Quy định|Sửa đổi|Bãi bỏ|Thực hiện|Triển khai)\b", s2)
                    or (len(title_lines) > 1 and not _is_caps(title_lines[-1]))):
                break
            if len(s2) > 250:
                break
            title_lines.append(s2)
            stop = pos2 + len(line2)
        return _title_text(title_lines), kind, stop
    return None, None, start


def _title_text(lines: list[str]) -> str:
    """One title from its lines: "QUYẾT ĐỊNH" + "Ban hành Kế hoạch ..." -> "Quyết định ban hành Kế hoạch ..."."""
    if all(_is_caps(x) for x in lines):
        return sentence_case(" ".join(lines))
    out = [sentence_case(lines[0])]
    for x in lines[1:]:
        x = sentence_case(x).lower() if _is_caps(x) else x
        out.append(x[:1].lower() + x[1:] if re.match(r"(?:Về|V/v|Ban hành|Phê duyệt|Quy định|Sửa đổi|Bãi bỏ|"
                                                      r"Thực hiện|Triển khai)\b", x) else x)
    return " ".join(" ".join(out).split())


def school_year(s: str | None) -> str | None:
    """``2023-2024`` from "năm học 2023 - 2024"."""
    if not s:
        return None
    m = _SCHOOL_YEAR_RE.search(s)
    return f"{m.group(1)}-{m.group(2)}" if m else None


def find_signer(text: str, start: int, end: int) -> tuple[str | None, str | None]:
    """(name, title) of the signer: the last signature title line of the span and the name under it."""
    last = None
    for m in _SIGNER_TITLE_RE.finditer(text, start, end):
        last = m
    if not last:
        return None, None
    title = sentence_case(last.group("t"))
    # The position line below "KT. GIÁM ĐỐC" is the signer's own title ("PHÓ GIÁM ĐỐC").
    nxt = _SIGNER_TITLE_RE.match(text, last.end() + 1, end) if last.end() + 1 < end else None
    if nxt:
        title, last = sentence_case(nxt.group("t")), nxt
    name = None
    tail = text[last.end():min(end, last.end() + 200)]
    for nm in _NAME_RE.finditer(tail):
        cand = nm.group("n")
        if not _is_caps(cand) and "Đã ký" not in cand and "Nơi" not in cand:
            name = cand
            break
    return name, title


def find_recipients(text: str, start: int, end: int) -> tuple[str, ...]:
    """The "Nơi nhận:" list of the span (one entry per "- ...;" line)."""
    m = None
    for m2 in _RECIPIENTS_RE.finditer(text, start, end):
        m = m2
    if not m:
        return ()
    out = []
    for line, _ in _lines(text, m.end(), min(end, m.end() + 1500)):
        s = line.strip()
        if not s:
            if out:
                break
            continue
        if not s.startswith(("-", "+", "•")):
            if out:
                break
            continue
        item = s.lstrip("-+• ").rstrip(";,. ")
        if item.lower().startswith("lưu"):
            break
        out.append(item)
    return tuple(out)


def find_attachments(text: str, start: int = 0) -> list[tuple[int, int, str, str | None, int, int]]:
    """Attached documents: ``(Ban hành kèm theo Quyết định số 1646/QĐ-UBND ngày ... của ...)``.

    Returns (title start, paren start, decision number, decision kind, paren end, number end) per
    attachment, the title start being the kind heading above the parenthesis.
    """
    out = []
    seen = set()
    for m in _ATTACH_RE.finditer(text, start):
        close = text.find(")", m.end(), m.end() + 400)
        if close < 0:
            continue
        nums = find_numbers(text, m.end(), close)
        if not nums:
            continue
        n = nums[0]
        between = text[m.end():n.start]
        kind = None
        for name, k in kind_names():
            if name.lower() in between.lower():
                kind = k
                break
        if n.number in seen:
            continue
        # The heading of the attached document: caps lines right above the parenthesis.
        title_start = m.start()
        back = text.rfind("\n", 0, m.start())
        cursor = back
        heading_found = False
        for _ in range(8):
            prev = text.rfind("\n", 0, max(cursor, 0))
            line = text[prev + 1:cursor].strip() if cursor > 0 else ""
            if cursor <= 0:
                break
            if not line:
                cursor = prev
                continue
            if _is_caps(line):
                title_start = prev + 1
                if _KIND_HEAD_RE.match(line):
                    heading_found = True
                    break
                cursor = prev
                continue
            break
        if not heading_found:
            # Not a heading parenthesis: "(kèm theo Quyết định ...)" in running text is a citation.
            continue
        seen.add(n.number)
        out.append((title_start, m.start(), n.number, kind, close + 1, n.end))
    return out


def news_date(text: str, end: int) -> str | None:
    """The date of a news page: "08/09/2023 16:15", "Cập nhật: 11/08/2023", else the first bare date."""
    first = None
    for iso, s, e in numeric_dates(text, 0, end):
        after = text[e:e + 8]
        before = text[max(0, s - 20):s].lower()
        if re.match(r",?\s{0,3}\d{1,2}:\d{2}", after) or "cập nhật" in before or "ngày đăng" in before:
            return iso
        first = first or iso
    return first


__all__ = ["NUMBER_RE", "Header", "find_attachments", "find_recipients", "find_signer", "find_title",
           "issuer_block", "news_date", "parse_header", "school_year", "sentence_case"]
