"""NFC at every boundary, and invisible characters that change nothing.

Vietnamese arrives precomposed (NFC) and with combining marks (NFD): file names typed on a Mac,
text pasted from a browser, arguments typed in a terminal. The store holds NFC only, and every
way in finds it. Zero-width characters, soft hyphens, NBSP and markdown ``**`` / ``|`` inside
numbers and article headings are cleaned away without changing what is extracted or its identity.
"""

from __future__ import annotations

import unicodedata

import pytest
from click.testing import CliRunner
from luocdo.kg import iri
from luocdo.kg.cli import main
from luocdo.kg.ingest import Ingester
from luocdo.kg.parse import extract_text
from luocdo.kg.parse.clean import clean
from luocdo.kg.store import Store, open_store


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


DECISION = """ỦY BAN NHÂN DÂN TỈNH SƠN LA
Số: 986/QĐ-UBND
Sơn La, ngày 5 tháng 5 năm 2023
QUYẾT ĐỊNH
Về việc ban hành Kế hoạch chuyển đổi số ngành giáo dục năm 2023
CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH
Căn cứ Quyết định số 2457/QĐ-BGDĐT ngày 23/8/2023 của Bộ Giáo dục và Đào tạo;
Thực hiện Kế hoạch số 1587/SGDĐT-VP ngày 11/9/2023 của Sở Giáo dục và Đào tạo;
Căn cứ Công văn số 171/KH-PGDĐT ngày 14/9/2023 của Phòng Giáo dục và Đào tạo huyện Mường La;
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch chuyển đổi số ngành giáo dục năm 2023.
Điều 2. Sở Giáo dục và Đào tạo chủ trì, phối hợp với Sở Tài chính tổ chức thực hiện Kế hoạch.
Điều 3. Sở Nội vụ chủ trì, phối hợp với Sở Y tế kiểm tra việc thực hiện.
Điều 4. Quyết định này có hiệu lực kể từ ngày ký.
"""

DIRTY = {
    "zero-width space in an article heading": ("Điều 3.", "Điều\u200b3."),
    "zero-width space beside the space": ("Điều 2.", "Điều \u200b2."),
    "soft hyphen in a number": ("171/KH-PGDĐT", "171/KH-\u00adPGDĐT"),
    "markdown bold inside a number": ("1587/SGDĐT-VP", "1587/SGD**ĐT**-VP"),
    "bold around a whole number": ("986/QĐ-UBND", "**986/QĐ-UBND**"),
    "zero-width space in a number": ("2457/QĐ-BGDĐT", "2457/\u200bQĐ-BGDĐT"),
    "zero-width joiner in a number": ("986/QĐ-UBND", "986\u200d/QĐ-UBND"),
    "byte-order mark before a number": ("Số: 986", "Số: \ufeff986"),
    "NBSP after Số and in a heading": ("Số: 986/QĐ-UBND", "Số:\u00a0986/QĐ-UBND"),
    "table pipes around the number line": ("Số: 986/QĐ-UBND", "| Số: 986/QĐ-UBND |"),
    "soft hyphen in an article heading": ("Điều 3.", "Điều\u00ad 3."),
    "the whole text in NFD": None,
}


def _meaning(ex):
    """What an extraction says, without where it says it (offsets move with every added character)."""
    def doc_iri(kind, number, title, issuer, year):
        return iri.document(kind, number, title, issuer, year)

    return {
        "documents": [(d.kind, d.number, d.title, d.issuer, d.date, doc_iri(d.kind, d.number, d.title, d.issuer, d.year))
                      for d in ex.documents],
        "citations": [(c.kind, c.number, c.issuer, c.date, c.relation,
                       doc_iri(c.kind, c.number, c.title, c.issuer, c.year)) for c in ex.citations],
        "tasks": [(t.number, t.title) for t in ex.tasks],
        "assignments": [(a.task, a.assignee, a.role, clean(a.text).text.strip()) for a in ex.assignments],
    }


@pytest.mark.parametrize("case", DIRTY, ids=str)
def test_invisible_characters_change_neither_extraction_nor_identity(case):
    edit = DIRTY[case]
    dirty = nfd(DECISION) if edit is None else DECISION.replace(*edit)
    assert dirty != DECISION
    clean_meaning = _meaning(extract_text(DECISION, "a.txt"))
    assert len(clean_meaning["citations"]) == 3 and len(clean_meaning["assignments"]) == 4
    ex = extract_text(dirty, "a.txt")
    assert _meaning(ex) == clean_meaning
    for c in ex.citations:  # evidence still points into the text as given
        assert dirty[c.span[0]:c.span[1]] == c.text


# -- file names ------------------------------------------------------------------------------------

PLAN = ("UBND TỈNH SƠN LA\nSỞ GIÁO DỤC VÀ ĐÀO TẠO\nSố: 500/KH-SGDĐT\nSơn La, ngày 05 tháng 9 năm 2023\n"
        "KẾ HOẠCH\nNHIỆM VỤ NĂM HỌC 2023 - 2024\nCăn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;\n")
NEWS = ("Tin giáo dục\n10/09/2023 08:00\nCác trường đã xây dựng kế hoạch năm học.\n"
        "Nhiều nơi thực hiện Kế hoạch số 500/KH-SGDĐT về nhiệm vụ năm học.\n")


def test_a_file_named_in_nfd_is_recorded_in_nfc(tmp_path):
    name = "kế-hoạch-năm-học.txt"
    path = tmp_path / nfd(name)
    path.write_text(PLAN, "utf-8")
    assert path.name != name and not (tmp_path / name).exists()  # two names to the file system
    store = str(tmp_path / "store")
    result = CliRunner().invoke(main, ["--store", store, "ingest", str(path)])
    assert result.exit_code == 0, result.output
    with open_store(store, create=False) as s:
        rows = s.query("SELECT DISTINCT ?g ?f WHERE { GRAPH ?g { ?d <https://w3id.org/luocdo/ontology#sourceFile> ?f } }").rows
    assert [(g.value, f.value) for g, f in rows] == [(iri.source_graph(str(tmp_path / name)), str(tmp_path / name))]
    assert iri.source_graph(str(path)) == iri.source_graph(str(tmp_path / name))
    extracted = CliRunner().invoke(main, ["extract", str(path)])
    assert f'"source": "{name}"' in extracted.stdout


def test_an_nfd_named_file_is_completed_by_the_batch_like_any_other(tmp_path):
    """The batch re-reads a file whose citation a later file completes; it finds it by its NFC name."""
    def ingest(news_name: str):
        folder = tmp_path / news_name.encode("unicode_escape").decode("ascii").replace("\\", "_")
        folder.mkdir()
        (folder / news_name).write_text(NEWS, "utf-8")
        (folder / "z-kế-hoạch.txt").write_text(PLAN, "utf-8")
        store = Store.open("memory:")
        result = Ingester(store).ingest_all(sorted(folder.iterdir()))
        q = ("SELECT ?cited WHERE { ?c a <https://w3id.org/luocdo/ontology#Citation> ; "
             "<https://w3id.org/luocdo/ontology#cited> ?cited }")
        return result.reingested, [r[0].value for r in store.query(q).rows if r[0].value.endswith("/500-kh-sgddt")]

    plan_iri = iri.document("Plan", "500/KH-SGDĐT", None, "Sở Giáo dục và Đào tạo tỉnh Sơn La", 2023)
    assert ingest("bản-tin.txt") == (1, [plan_iri])
    assert ingest(nfd("bản-tin.txt")) == (1, [plan_iri])


# -- command-line arguments -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("_faults_conftest", Path(__file__).with_name("conftest.py"))
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    root = tmp_path_factory.mktemp("nfc")
    corpus = helpers.write_corpus(root / "corpus", 4)
    url = str(root / "store")
    assert CliRunner().invoke(main, ["--store", url, "ingest", *map(str, corpus)]).exit_code == 0
    return url


GIA_LOC = "Phòng Giáo dục và Đào tạo huyện Gia Lộc"
SON_LA = "Sở Giáo dục và Đào tạo tỉnh Sơn La"


@pytest.mark.parametrize("args", [
    ("show", "100/KH-PGDĐT", "--issuer", GIA_LOC),
    ("trace", "101/KH-SGDĐT", "1", "--issuer", SON_LA),
    ("coverage", "101/KH-SGDĐT", "--issuer", SON_LA),
    ("bodies", "Sở", "Giáo", "dục", "Sơn", "La"),
    ("query", "documents-by-issuer", "--param", f"issuer={SON_LA}", "--format", "json"),
    ("query", "tasks-of-body", "--param", f"body={SON_LA}", "--format", "json"),
    ("query", "plans-for-school-year", "--param", "school_year=2023-2024", "--format", "json"),
], ids=lambda a: a[0] + " " + a[1])
def test_arguments_typed_in_nfd_find_the_nfc_data(store, args):
    typed = CliRunner().invoke(main, ["--store", store, *args])
    decomposed = [nfd(a) for a in args]
    assert decomposed != list(args) or (args[0] == "query" and "school_year" in args[3])
    got = CliRunner().invoke(main, ["--store", store, *decomposed])
    assert typed.exit_code == 0, typed.output
    assert got.exit_code == 0, got.output
    assert got.stdout == typed.stdout
    assert got.stdout.strip() not in ("", "[]")
