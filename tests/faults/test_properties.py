"""What must hold for every input (hypothesis): no crash, honest spans, stable numbers, stable ingest.

The texts are built from fragments of real document structure (issuer block, number, date line,
title, citation sentences, numbered tasks, an assignment), then dirtied the way real sources are:
zero-width characters, soft hyphens and markdown ``**`` anywhere, NBSP and table pipes for spaces,
en dashes for hyphens, and lines in NFD. Cleaning must undo all of it: the dirty text means what
the clean one means.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from luocdo.kg import iri
from luocdo.kg.ingest import Ingester
from luocdo.kg.parse import extract_text
from luocdo.kg.parse import numbers as parse_numbers
from luocdo.kg.parse.clean import clean
from luocdo.kg.store import Store
from pyoxigraph import DefaultGraph

ISSUERS = [
    ("ỦY BAN NHÂN DÂN TỈNH SƠN LA", "UBND", "Sơn La"),
    ("UBND HUYỆN GIA LỘC\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "PGDĐT", "Gia Lộc"),
    ("UBND TỈNH HẢI DƯƠNG\nSỞ GIÁO DỤC VÀ ĐÀO TẠO", "SGDĐT", "Hải Dương"),
    ("BỘ GIÁO DỤC VÀ ĐÀO TẠO", "BGDĐT", "Hà Nội"),
]
KINDS = [("KẾ HOẠCH", "KH"), ("QUYẾT ĐỊNH", "QĐ"), ("HƯỚNG DẪN", "HD"), ("BÁO CÁO", "BC")]
CITED = [("Quyết định", "QĐ", "Bộ Giáo dục và Đào tạo", "BGDĐT"), ("Kế hoạch", "KH", "Ủy ban nhân dân tỉnh", "UBND"),
         ("Nghị quyết", "NQ", "Hội đồng nhân dân tỉnh", "HĐND"), ("Công văn", "", "Sở Giáo dục và Đào tạo", "SGDĐT-VP")]
CUES = ["Căn cứ", "Thực hiện", "Theo"]
TASKS = ["Đẩy mạnh chuyển đổi số trong quản lý và dạy học", "Nâng cao chất lượng đội ngũ nhà giáo",
         "Tăng cường cơ sở vật chất trường học", "Đổi mới kiểm tra, đánh giá học sinh",
         "Xây dựng văn hóa ứng xử trong trường học"]
BODIES = ["Sở Tài chính", "Ủy ban nhân dân các huyện", "Phòng Giáo dục và Đào tạo", "Sở Y tế"]


@st.composite
def documents(draw) -> str:
    """A plausible official document, clean."""
    units, code, place = draw(st.sampled_from(ISSUERS))
    kind_head, kind_code = draw(st.sampled_from(KINDS))
    seq = draw(st.integers(1, 99999))
    day, month, year = draw(st.integers(1, 28)), draw(st.integers(1, 12)), draw(st.integers(2015, 2025))
    lines = [units, f"Số: {seq}/{kind_code}-{code}", f"{place}, ngày {day} tháng {month} năm {year}", "",
             kind_head, draw(st.sampled_from(TASKS))]
    for _ in range(draw(st.integers(0, 4))):
        word, ccode, who, icode = draw(st.sampled_from(CITED))
        n = draw(st.integers(1, 9999))
        number = f"{n}/{ccode}-{icode}" if ccode else f"{n}/{icode}"
        dated = draw(st.booleans())
        y = draw(st.integers(2010, 2025))
        lines.append(f"{draw(st.sampled_from(CUES))} {word} số {number}"
                     + (f" ngày {draw(st.integers(1, 28))}/{draw(st.integers(1, 12))}/{y}" if dated else "")
                     + f" của {who};")
    tasks = draw(st.lists(st.sampled_from(TASKS), max_size=5))
    if tasks:
        lines.append("II. NHIỆM VỤ VÀ GIẢI PHÁP")
        lines += [f"{k}. {t}." for k, t in enumerate(tasks, 1)]
    if draw(st.booleans()):
        lead, partner = draw(st.sampled_from(BODIES)), draw(st.sampled_from(BODIES))
        lines += ["III. TỔ CHỨC THỰC HIỆN", f"{lead} chủ trì, phối hợp với {partner} triển khai thực hiện."]
    return "\n".join(lines) + "\n"


# Characters that cleaning deletes wherever they stand (U+200B becomes a space between a word and a
# number, so it is inserted only where that cannot happen).
INVISIBLE = ["\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "*", "**"]


@st.composite
def dirtied(draw, text: str) -> str:
    """``text`` dirtied without changing what it says."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 12))):
        i = draw(st.integers(0, len(chars)))
        chars.insert(i, draw(st.sampled_from([*INVISIBLE, "\u200b"])))
    out = "".join(chars)
    # A zero-width space between a word and a number stands for a space: keep it out of there.
    out = re.sub(r"(?<=[^\W\d_])\u200b(?=\d)", "", out)
    spaces = draw(st.sampled_from(["", "\u00a0", "|", "\t"]))
    if spaces:
        out = re.sub(r"(?<=\S) (?=\S)", lambda m: spaces if draw(st.booleans()) else " ", out, count=8)
    if draw(st.booleans()):
        out = out.replace("-", "\u2013", 1)
    if draw(st.booleans()):
        lines = out.split("\n")
        k = draw(st.integers(0, len(lines) - 1))
        lines[k] = unicodedata.normalize("NFD", lines[k])
        out = "\n".join(lines)
    return out


def _meaning(ex):
    return (
        [(d.kind, d.number, d.title, d.issuer, d.date, d.school_year) for d in ex.documents],
        [(c.kind, c.number, c.issuer, c.date, c.relation) for c in ex.citations],
        [(t.number, t.title, t.parent) for t in ex.tasks],
        [(a.task, a.assignee, a.role, clean(a.text).text.strip()) for a in ex.assignments],
    )


def _key(s: str) -> str:
    return re.sub(r"[\W_]+", "", iri.fold(clean(s).text)).lower()


def _honest_spans(text: str, ex) -> None:
    for item in (*ex.documents, *ex.citations, *ex.tasks, *ex.assignments, *ex.initiatives):
        s, e = item.span
        assert 0 <= s <= e <= len(text), item
    for item in (*ex.citations, *ex.assignments):
        assert text[item.span[0]:item.span[1]] == item.text
    for c in ex.citations:  # the evidence is where the citation was read: its number is in it
        if c.number and c.relation != "reportsOn":
            assert _key(c.number) in _key(c.text), (c.number, c.text)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_dirty_text_means_what_the_clean_text_means(data):
    text = data.draw(documents())
    dirty = data.draw(dirtied(text))
    clean_ex, dirty_ex = extract_text(text, "a.txt"), extract_text(dirty, "a.txt")
    _honest_spans(text, clean_ex)
    _honest_spans(dirty, dirty_ex)
    assert _meaning(dirty_ex) == _meaning(clean_ex)
    header = re.search(r"Số: (\S+)", text).group(1)
    assert clean_ex.documents[0].number == parse_numbers.canonical_number(header)


_FRAGMENTS = ["Số: ", "171", "/", "KH", "-", "PGDĐT", " ", "\n", "ngày ", "14 tháng 9 năm 2023", "Căn cứ ",
              "Quyết định số ", "2457/QĐ-BGDĐT", " của ", "Bộ Giáo dục và Đào tạo", ";", "1. ", "II. NHIỆM VỤ",
              "chủ trì", ", phối hợp với ", "Sở Y tế", "**", "|", "\u200b", "\u00ad", "\u00a0", "(", ")", "“", "”",
              "e\u0302\u0301", "QĐ-TTG", "72-QĐ/TW", "&", "."]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=80).map("".join) | st.text(max_size=300))
def test_fragments_in_any_order_crash_nothing_and_spans_stay_honest(text):
    _honest_spans(text, extract_text(text, "h.txt"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["171", "/", "-", " ", "KH", "QĐ", "TTG", "BGD&ĐT", "2023", "&", ".", "Đ",
                                 "e\u0302", "\u0301", "\u00a0", "ttg", "CTR"]), max_size=12).map("".join)
       | st.text(max_size=40))
def test_canonical_numbers_are_idempotent(raw):
    for canonical in (parse_numbers.canonical_number, iri.canonical_number):
        once = canonical(raw)
        assert canonical(once) == once, (canonical.__module__, raw, once)
        assert unicodedata.is_normalized("NFC", once)


def _dataset_hash(store) -> str:
    onto = iri.ONTOLOGY_GRAPH
    # Named graphs only: the default graph is their merge (and holds the ontology's blank nodes).
    lines = sorted(f"{q} ." for q in store.backend
                   if not isinstance(q.graph_name, DefaultGraph) and q.graph_name.value != onto)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _ingest(paths) -> Store:
    store = Store.open("memory:")
    Ingester(store).ingest_all(paths)
    return store


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents(), min_size=1, max_size=4))
def test_ingesting_the_same_files_twice_gives_the_same_dataset(texts):
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, text in enumerate(texts):
            p = Path(folder) / f"f{i}.txt"
            p.write_text(text, "utf-8")
            paths.append(str(p))
        store = _ingest(paths)
        first = _dataset_hash(store)
        Ingester(store).ingest_all(paths)
        assert _dataset_hash(store) == first
        assert _dataset_hash(_ingest(paths)) == first
        assert _dataset_hash(_ingest(list(reversed(paths)))) == first, "the order of the files changed the graph"
        assert os.listdir(folder)  # the files were there for the re-reads of finish()
