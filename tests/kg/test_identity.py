"""Identity across documents and time, on the seeds and the corpus, and on small written cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from luocdo.kg import lookup
from luocdo.kg.cli import main
from luocdo.kg.ingest import Ingester
from luocdo.kg.store import Store

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
P = "PREFIX lo: <https://w3id.org/luocdo/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def _ingest(paths) -> Store:
    store = Store.open("memory:")
    Ingester(store).ingest_all(paths)
    return store


@pytest.fixture(scope="module")
def everything():
    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus").glob("*.txt"))
    return _ingest(files)


def test_no_two_document_iris_share_number_issuer_and_year(everything):
    q = P + """SELECT ?key (COUNT(DISTINCT ?d) AS ?n) WHERE {
      ?d a lo:Document ; lo:number ?num ; lo:issuedBy ?i ; lo:year ?y .
      BIND(CONCAT(UCASE(STR(?num)), "|", STR(?i), "|", STR(?y)) AS ?key)
    } GROUP BY ?key HAVING (COUNT(DISTINCT ?d) > 1)"""
    assert everything.query(q).rows == []


def test_72_qd_tw_is_one_node_cited_by_both_seed_files(everything):
    docs = lookup.find_documents(everything, "72-QĐ/TW")
    assert len(docs) == 1
    assert docs[0].issuer == "Bộ Chính trị" and docs[0].year == 2022
    q = P + "SELECT DISTINCT ?src WHERE { ?c lo:cited ?d ; lo:sourceFile ?src }"
    import pyoxigraph as ox

    srcs = {Path(r[0].value).name for r in everything.query(q.replace("?d ;", f"<{docs[0].iri}> ;")).rows}
    assert {"000_e5419caefa74c938.txt", "004_8c5d3e59b5ba5785.txt"} <= srcs
    assert ox  # the query above binds the IRI as a term written by pyoxigraph's own serialiser


def test_2457_is_one_node_of_the_ministry(everything):
    docs = lookup.find_documents(everything, "2457/QĐ-BGDĐT")
    assert [(d.issuer, d.date) for d in docs] == [("Bộ Giáo dục và Đào tạo", "2023-08-23")]


@pytest.mark.parametrize(("number", "issuer"), [
    ("27/2023/QĐ-UBND", "Ủy ban nhân dân tỉnh Hải Dương"),  # "của Ủy ban nhân dân tỉnh" in the Gia Lộc plan
    ("1827/UBND-VP", "Ủy ban nhân dân tỉnh Hải Dương"),  # "của Chủ tịch Ủy ban nhân dân tỉnh tại Công văn"
    ("89/KH-UBND", "Ủy ban nhân dân huyện Gia Lộc"),  # "của UBND huyện"
    ("348/QĐ-UBND", "Ủy ban nhân dân tỉnh Sơn La"),  # "của UBND tỉnh" in the Sơn La plan
    ("1491/QĐ-UBND", "Ủy ban nhân dân tỉnh Sơn La"),  # "của Chủ tịch UBND tỉnh"
])
def test_bare_ubnd_resolves_to_the_documents_own_territory(everything, number, issuer):
    assert [d.issuer for d in lookup.find_documents(everything, number)] == [issuer]


def test_hai_duong_bodies_have_a_successor_in_hai_phong(everything):
    q = P + """SELECT ?label ?next WHERE {
      ?b rdfs:label ?label ; lo:succeededBy/rdfs:label ?next . FILTER(CONTAINS(STR(?label), "Hải Dương")) }"""
    rows = {(r[0].value, r[1].value) for r in everything.query(q).rows}
    assert ("Sở Giáo dục và Đào tạo tỉnh Hải Dương", "Sở Giáo dục và Đào tạo thành phố Hải Phòng") in rows
    assert ("Ủy ban nhân dân tỉnh Hải Dương", "Ủy ban nhân dân thành phố Hải Phòng") in rows
    q = P + """SELECT ?until WHERE { ?b rdfs:label ?l ; lo:validUntil ?until .
      FILTER(STR(?l) = "Sở Giáo dục và Đào tạo tỉnh Hải Dương") }"""
    assert {r[0].value for r in everything.query(q).rows} == {"2025-07-01"}


def test_spellings_are_kept_as_alt_labels(everything):
    q = P + """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?alt WHERE { ?b rdfs:label ?l ; skos:altLabel ?alt . FILTER(STR(?l) = "Ủy ban nhân dân tỉnh Sơn La") }"""
    alts = {r[0].value for r in everything.query(q).rows}
    assert {"UBND tỉnh Sơn La", "UBND Tỉnh Sơn La"} & alts and "Ủy ban nhân dân tỉnh Sơn La" not in alts


PLAN = ("ỦY BAN NHÂN DÂN\nTỈNH {prov}\nSố: 167/KH-UBND\n{prov_t}, ngày 05 tháng 9 năm 2023\nKẾ HOẠCH\n"
        "NHIỆM VỤ NĂM HỌC 2023 - 2024\nCăn cứ Luật Giáo dục ngày 14 tháng 6 năm 2019;\n")
NEWS = ("Tin giáo dục\n10/09/2023 08:00\nCác địa phương đã ban hành kế hoạch năm học.\n"
        "Nhiều nơi thực hiện Kế hoạch số 167/KH-UBND về nhiệm vụ năm học.\n")


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_an_ambiguous_citation_is_kept_unresolved_with_its_candidates(tmp_path):
    a = _write(tmp_path, "a.txt", PLAN.format(prov="SƠN LA", prov_t="Sơn La"))
    b = _write(tmp_path, "b.txt", PLAN.format(prov="QUẢNG NGÃI", prov_t="Quảng Ngãi"))
    n = _write(tmp_path, "n.txt", NEWS)
    store = _ingest([a, b, n])
    q = P + "SELECT ?c ?cand WHERE { ?c lo:resolved false ; lo:candidate ?cand }"
    cands = {r[1].value for r in store.query(q).rows}
    assert {d.iri for d in lookup.find_documents(store, "167/KH-UBND") if not d.stub} == cands
    assert len(cands) == 2
    out = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "ingest", str(a), str(b), str(n)])
    assert "1 unresolved citation (luocdo unresolved)" in out.output
    out = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "unresolved"])
    assert out.exit_code == 0 and "fits 2 documents" in out.output and "Quảng Ngãi" in out.output


def test_a_unique_candidate_completes_an_undated_citation_whatever_the_order(tmp_path):
    a = _write(tmp_path, "a.txt", PLAN.format(prov="SƠN LA", prov_t="Sơn La"))
    n = _write(tmp_path, "n.txt", NEWS)
    forward, backward = _ingest([a, n]), _ingest([n, a])
    for store in (forward, backward):
        docs = lookup.find_documents(store, "167/KH-UBND")
        assert [(d.issuer, d.year, d.stub) for d in docs] == [("Ủy ban nhân dân tỉnh Sơn La", 2023, False)]
    def data(store):  # the ontology graph has blank nodes (owl:unionOf lists); compare the data
        return sorted(str(q) for q in store.backend  # named graphs: the default graph is their merge
                      if getattr(q.graph_name, "value", None) not in (None, "https://w3id.org/luocdo/ontology"))

    assert data(forward) == data(backward)


def test_ingesting_the_text_of_a_stub_turns_it_into_the_document(tmp_path):
    district = _write(tmp_path, "d.txt", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO\nSố: 12/KH-PGDĐT\nGia Lộc, ngày 20 tháng 9 năm 2023\n"
                      "KẾ HOẠCH\nNĂM HỌC 2023 - 2024\nThực hiện Kế hoạch số 167/KH-UBND ngày 05/9/2023 của UBND "
                      "tỉnh Sơn La.\n")
    store = _ingest([district])
    before = lookup.find_documents(store, "167/KH-UBND")
    assert [d.stub for d in before] == [True]
    Ingester(store).ingest_all([_write(tmp_path, "a.txt", PLAN.format(prov="SƠN LA", prov_t="Sơn La"))])
    after = lookup.find_documents(store, "167/KH-UBND")
    assert [(d.iri, d.stub) for d in after] == [(before[0].iri, False)]


def test_cli_show_bodies(tmp_path):
    store_dir = str(tmp_path / "s")
    r = CliRunner().invoke(main, ["--store", store_dir, "ingest", str(SHARED / "seeds")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["--store", store_dir, "show", "4725/QĐ-BGD&ĐT"])
    assert r.exit_code == 0 and "Bộ Giáo dục và Đào tạo" in r.output and "text not ingested" in r.output
    r = CliRunner().invoke(main, ["--store", store_dir, "show", "171/KH-PGDĐT"])
    assert "implements  Plan 1587/SGDĐT-VP" in r.output and "tasks (10)" in r.output
    r = CliRunner().invoke(main, ["--store", store_dir, "bodies", "so", "gddt", "son", "la"])
    assert r.output.splitlines()[0].startswith("Sở Giáo dục và Đào tạo tỉnh Sơn La")
    r = CliRunner().invoke(main, ["--store", store_dir, "show", "999/KH-XYZ"])
    assert r.exit_code == 1 and "no document '999/KH-XYZ'" in r.output


def test_cli_parameters_drop_invisible_characters(tmp_path):
    store_dir = str(tmp_path / "s")
    assert CliRunner().invoke(main, ["--store", store_dir, "ingest", str(SHARED / "seeds")]).exit_code == 0
    r = CliRunner().invoke(main, ["--store", store_dir, "show", "171/KH-\u00adPGD\u200bĐT"])
    assert r.exit_code == 0 and r.output.startswith("Plan 171/KH-PGDĐT")


# Two schools of one name in two provinces, each issuing a 41/KH-THPT in 2025 (the example is made
# up; such pairs are everywhere: every province has its Trường THPT Hoàng Hoa Thám).
SCHOOL = ("SỞ GIÁO DỤC VÀ ĐÀO TẠO {prov_up}\nTRƯỜNG THPT HOÀNG HOA THÁM\nSố: 41/KH-THPT\n"
          "{prov}, ngày 04 tháng 9 năm 2025\nKẾ HOẠCH\nTHỰC HIỆN NHIỆM VỤ NĂM HỌC 2025 - 2026\n"
          "I. NHIỆM VỤ\n1. {task}\nNhà trường tổ chức thực hiện.\n")
# A school whose header names only its Phòng (no province), carrying down that Phòng's plan.
DISTRICT = ("UBND HUYỆN GIA LỘC\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO\nSố: 171/KH-PGDĐT\n"
            "Gia Lộc, ngày 14 tháng 9 năm 2023\nKẾ HOẠCH\nNHIỆM VỤ NĂM HỌC 2023 - 2024\n"
            "Thực hiện Kế hoạch số 1587/SGDĐT-VP ngày 11/9/2023 của Sở Giáo dục và Đào tạo tỉnh Hải Dương,\n"
            "I. NHIỆM VỤ\n1. Đẩy mạnh chuyển đổi số trong quản lý\n")
PLACELESS_SCHOOL = ("PHÒNG GD&ĐT GIA LỘC\nTRƯỜNG THCS GIA TÂN\nSố: 45/KH-THCS\n"
                    "Gia Tân, ngày 25 tháng 9 năm 2023\nKẾ HOẠCH\nNĂM HỌC 2023 - 2024\n"
                    "Thực hiện Kế hoạch số 171/KH-PGDĐT ngày 14/9/2023 của Phòng Giáo dục và Đào tạo huyện Gia Lộc,\n"
                    "I. NHIỆM VỤ\n1. Đẩy mạnh chuyển đổi số trong dạy học\n")


def _schools(tmp_path):
    return (_write(tmp_path, "ct.txt", SCHOOL.format(prov_up="THÀNH PHỐ CẦN THƠ", prov="Cần Thơ",
                                                    task="Nâng cao chất lượng dạy học môn Toán")),
            _write(tmp_path, "tq.txt", SCHOOL.format(prov_up="TỈNH TUYÊN QUANG", prov="Tuyên Quang",
                                                    task="Phát triển đội ngũ nhà giáo")))


def test_same_named_schools_of_two_provinces_issue_two_documents(tmp_path):
    store = _ingest(_schools(tmp_path))
    docs = lookup.find_documents(store, "41/KH-THPT")
    assert len(docs) == 2 and {d.stub for d in docs} == {False}
    assert {d.iri.split("/doc/")[1].split("/")[0] for d in docs} == {"can-tho", "tuyen-quang"}
    # Each document has its own one task, and each school is a body of its own under one name.
    q = P + "SELECT ?d (COUNT(DISTINCT ?t) AS ?n) WHERE { ?d lo:hasTask ?t } GROUP BY ?d"
    assert sorted(int(r[1].value) for r in store.query(q).rows) == [1, 1]
    q = P + 'SELECT DISTINCT ?b WHERE { ?b rdfs:label "Trường Trung học phổ thông Hoàng Hoa Thám"@vi }'
    assert len(store.query(q).rows) == 2


def test_a_bare_number_resolves_only_to_the_school_of_its_own_province(tmp_path):
    ct, tq = _schools(tmp_path)
    note = _write(tmp_path, "note.txt", "SỞ GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ CẦN THƠ\nTRƯỜNG THPT HOÀNG HOA THÁM\n"
                  "Số: 42/KH-THPT\nCần Thơ, ngày 10 tháng 9 năm 2025\nKẾ HOẠCH\nTỔ CHỨC NGÀY HỘI\n"
                  "Căn cứ Kế hoạch số 41/KH-THPT của Trường THPT Hoàng Hoa Thám,\n")
    store = _ingest([ct, tq, note])
    q = P + "SELECT ?cited WHERE { ?c a lo:Citation ; lo:citing ?d ; lo:cited ?cited . ?d lo:number '42/KH-THPT' }"
    cited = {r[0].value for r in store.query(q).rows}
    assert cited == {d.iri for d in lookup.find_documents(store, "41/KH-THPT") if "/can-tho/" in d.iri}
    assert store.query(P + "ASK { ?c lo:resolved false }").rows[0][0].value == "false"


@pytest.mark.parametrize("order", ["district first", "school first"])
def test_a_school_without_province_is_placed_by_the_plan_it_carries_down(tmp_path, order):
    district, school = _write(tmp_path, "171.txt", DISTRICT), _write(tmp_path, "45.txt", PLACELESS_SCHOOL)
    store = _ingest([district, school] if order == "district first" else [school, district])
    # One 171/KH-PGDĐT, the Phòng's own (no stub beside it), and the school cites that one.
    docs = lookup.find_documents(store, "171/KH-PGDĐT")
    assert [d.stub for d in docs] == [False] and "/hai-duong/" in docs[0].iri
    q = P + "SELECT ?d WHERE { ?d lo:cites ?x ; lo:number '45/KH-THCS' }"
    school_docs = {r[0].value for r in store.query(q.replace("?x", f"<{docs[0].iri}>")).rows}
    assert len(school_docs) == 1 and "/hai-duong/" in school_docs.pop()
    q = P + "SELECT ?s WHERE { ?s lo:derivedFrom ?p }"
    assert len(store.query(q).rows) == 1  # the school's task carries down the Phòng's


def test_a_school_ingested_before_its_district_is_placed_by_a_later_ingest(tmp_path):
    district, school = _write(tmp_path, "171.txt", DISTRICT), _write(tmp_path, "45.txt", PLACELESS_SCHOOL)
    unplaced = P + "SELECT ?d WHERE { ?d lo:unplaced true }"
    store = Store.open("memory:")
    Ingester(store).ingest_all([school])
    (before,) = [r[0].value for r in store.query(unplaced).rows]
    assert "/hai-duong/" not in before  # the Phòng's plan is not known: the school stands nowhere yet
    assert store.validate() == []  # lo:unplaced is a term of the ontology, on a document
    assert Ingester(store).ingest_all([_write(tmp_path, "other.txt", "UBND TỈNH SƠN LA\nSố: 1/KH-UBND\n"
                                              "Sơn La, ngày 1 tháng 9 năm 2025\nKẾ HOẠCH\nVỀ VIỆC KHÁC\n")]
                                      ).reingested == 0  # nothing that places it: not read again
    assert [r[0].value for r in store.query(unplaced).rows] == [before]
    result = Ingester(store).ingest_all([district])
    assert result.reingested == 1 and result.files == 1  # the school's file, read again in its place
    assert store.query(unplaced).rows == []
    (school_doc,) = lookup.find_documents(store, "45/KH-THCS")
    assert "/hai-duong/" in school_doc.iri
    q = P + "SELECT ?s WHERE { ?s lo:derivedFrom ?p }"
    assert len(store.query(q).rows) == 1  # the school's task carries down the Phòng's, as in one batch


def test_a_file_ingested_again_at_the_end_is_counted_once(tmp_path):
    district, school = _write(tmp_path, "171.txt", DISTRICT), _write(tmp_path, "45.txt", PLACELESS_SCHOOL)
    result = Ingester(Store.open("memory:")).ingest_all([school, district])
    assert result.reingested == 1  # the school, placed once the Phòng's plan was known
    assert (result.files, result.documents, result.citations, result.tasks) == (2, 2, 2, 2)


def test_central_and_provincial_bodies_keep_their_names_as_identity(everything):
    q = P + "SELECT DISTINCT ?b WHERE { ?b rdfs:label ?l } VALUES ?l { 'Bộ Giáo dục và Đào tạo'@vi 'Sở Giáo dục và Đào tạo tỉnh Hải Dương'@vi }"
    assert sorted(r[0].value for r in everything.query(q).rows) == [
        "https://w3id.org/luocdo/id/body/bo-giao-duc-va-dao-tao",
        "https://w3id.org/luocdo/id/body/so-giao-duc-va-dao-tao-tinh-hai-duong"]
    q = P + "SELECT DISTINCT ?b WHERE { ?b rdfs:label 'Phòng Giáo dục và Đào tạo huyện Gia Lộc'@vi }"
    assert [r[0].value for r in everything.query(q).rows] == [
        "https://w3id.org/luocdo/id/body/hai-duong/phong-giao-duc-va-dao-tao-huyen-gia-loc"]


def test_a_body_name_of_two_provinces_asks_for_the_iri(tmp_path):
    store = _ingest(_schools(tmp_path))
    with pytest.raises(Exception, match=r"names 2 bodies .*can-tho/.*; give the IRI"):
        lookup.resolve_body(store, "Trường THPT Hoàng Hoa Thám")
    iri = "https://w3id.org/luocdo/id/body/can-tho/truong-trung-hoc-pho-thong-hoang-hoa-tham"
    assert lookup.resolve_body(store, iri) == iri
    out = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "ingest", *map(str, _schools(tmp_path))])
    assert out.exit_code == 0
    out = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "view", "body", "Trường THPT Hoàng Hoa Thám",
                                    "-o", str(tmp_path / "b.html")])
    assert out.exit_code == 1 and "give the IRI" in out.output and not (tmp_path / "b.html").exists()


def test_a_file_of_an_earlier_ingest_completed_now_counts_as_reingested_only(tmp_path):
    store = Store.open(tmp_path / "s")
    news = _write(tmp_path, "n.txt", NEWS)
    Ingester(store).ingest_all([news])
    result = Ingester(store).ingest_all([_write(tmp_path, "a.txt", PLAN.format(prov="SƠN LA", prov_t="Sơn La"))])
    assert result.reingested == 1  # the news, its 167/KH-UBND now known
    assert (result.files, result.documents) == (1, 1)
    store.close()


def test_a_citation_is_read_again_only_when_the_number_now_known_completes_it(tmp_path):
    # The news names Lai Châu's 167/KH-UBND without its date. Another province's 167/KH-UBND is not
    # it: the news is not ingested again for that (it was, on every later ingest), only for Lai Châu's.
    news = _write(tmp_path, "n.txt", NEWS.replace("Kế hoạch số 167/KH-UBND", "Kế hoạch số 167/KH-UBND của UBND tỉnh Lai Châu"))
    store = Store.open("memory:")
    first = Ingester(store).ingest_all([news, _write(tmp_path, "sl.txt", PLAN.format(prov="SƠN LA", prov_t="Sơn La"))])
    assert first.reingested == 0
    other = _write(tmp_path, "hg.txt", PLAN.format(prov="HÀ GIANG", prov_t="Hà Giang"))
    assert Ingester(store).ingest_all([other]).reingested == 0
    cited = P + "SELECT ?x WHERE { ?c a lo:Citation ; lo:cited ?x ; lo:sourceFile ?f . FILTER(STRENDS(?f, 'n.txt')) }"
    (before,) = [r[0].value for r in store.query(cited).rows]
    result = Ingester(store).ingest_all([_write(tmp_path, "lc.txt", PLAN.format(prov="LAI CHÂU", prov_t="Lai Châu"))])
    assert result.reingested == 1  # the news: its citation has the one document it means now
    (after,) = [r[0].value for r in store.query(cited).rows]
    lai_chau = [d.iri for d in lookup.find_documents(store, "167/KH-UBND") if "lai-chau" in d.iri]
    assert after != before and [after] == lai_chau


def test_an_unplaced_file_is_not_read_again_when_nothing_new_stands_where_it_cites(tmp_path, monkeypatch):
    from luocdo.kg import ingest

    # The school cites 171/KH-PGDĐT of 14/9/2023; the Phòng's 171/KH-PGDĐT known is of 2024: not it,
    # so the school stays unplaced, and no later ingest that makes nothing new known should read it.
    school = _write(tmp_path, "45.txt", PLACELESS_SCHOOL)
    later = _write(tmp_path, "171-2024.txt", DISTRICT.replace("năm 2023", "năm 2024").replace("/9/2023", "/9/2024"))
    store = Store.open("memory:")
    Ingester(store).ingest_all([school, later])
    assert store.query(P + "ASK { ?d lo:unplaced true }").rows[0][0].value == "true"
    read: list[str] = []
    real = ingest.extract_path
    monkeypatch.setattr(ingest, "extract_path", lambda path, *a: (read.append(str(path)), real(path, *a))[1])
    other = _write(tmp_path, "172.txt", DISTRICT.replace("171/KH-PGDĐT", "172/KH-PGDĐT"))
    assert Ingester(store).ingest_all([other]).reingested == 0
    assert str(school) not in read  # (it was read again after every ingest: 906 files at 100k)
    assert Ingester(store).ingest_all([_write(tmp_path, "171.txt", DISTRICT)]).reingested == 1
    assert str(school) in read
