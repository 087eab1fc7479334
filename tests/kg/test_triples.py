"""Tests of identity (kg/iri.py) and of the model -> triples step (kg/triples.py)."""

from __future__ import annotations

import doctest
import hashlib
import os
import unicodedata

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given
from hypothesis import strategies as st
from luocdo.kg import iri, triples
from luocdo.kg.errors import IdentityError
from luocdo.kg.model import Extraction, Signer
from luocdo.kg.triples import BodyFacts, to_triples
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

LO = "https://w3id.org/luocdo/ontology#"
ELI = "http://data.europa.eu/eli/ontology#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ID = "https://w3id.org/luocdo/id/"


def sha1(text: str, n: int) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def as_rdflib(quads: list[ox.Quad]) -> rdflib.Graph:
    """The quads' triples as an rdflib graph (through N-Triples, so no term is converted by hand)."""
    data = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                        format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def assert_isomorphic(actual: rdflib.Graph, expected: rdflib.Graph) -> None:
    if not isomorphic(actual, expected):
        _both, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        pytest.fail("graphs differ\nonly in actual:\n" + only_actual.serialize(format="nt")
                    + "\nonly in expected:\n" + only_expected.serialize(format="nt"))


def triples_of(quads: list[ox.Quad]) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value, q.object.value) for q in quads}


#: A tiny hierarchy, so that the expected graph below spells out every closure triple it implies.
SMALL_HIERARCHY = (
    {LO + "Plan": {LO + "Document"}, LO + "Decision": {LO + "Document"}, LO + "Document": set(),
     LO + "Body": {ORG + "Organization"}, LO + "Task": set(), LO + "Citation": set(),
     LO + "Assignment": {PROV + "Association"}, LO + "Initiative": {SKOS + "Concept"}},
    {LO + "implements": {LO + "cites"}, LO + "title": {ELI + "title"}},
)


def small_registry(name: str) -> BodyFacts:
    if name == "Sở Y tế tỉnh Sơn La":
        return BodyFacts(level="Provincial", parent="Ủy ban nhân dân tỉnh Sơn La", alt_labels=("Sở Y tế",))
    return BodyFacts()


# -- the whole graph of a small extraction ------------------------------------------------------


def test_triples_of_a_hand_built_extraction_are_the_expected_graph(make):
    plan = make.doc(title="Kế hoạch nhiệm vụ năm học", signer=Signer("Đỗ Thế Ngọc", "Trưởng phòng"))
    extraction = Extraction(
        source="kh.txt", text="x" * 100, documents=(plan,),
        citations=(make.cite(),),
        tasks=(make.task("I", "Nhiệm vụ chung", span=(40, 90)),
               make.task("1", "Đổi mới", parent="I", span=(45, 60), body="Đổi mới quản lý.")),
        assignments=(make.assign("Sở Y tế tỉnh Sơn La", "lead", task="1", text="Sở Y tế chủ trì",
                                 span=(50, 58)),),
        initiatives=(make.initiative(),),
    )
    quads = to_triples(extraction, "corpus/kh.txt", hierarchy=SMALL_HIERARCHY, body_facts=small_registry)

    d = f"{ID}doc/phong-giao-duc-va-dao-tao-huyen-gia-loc/2023/171-kh-pgddt"
    cited = f"{ID}doc/bo-giao-duc-va-dao-tao/2023/2457-qd-bgddt"
    citation = f"{ID}citation/{sha1(d + ' ' + cited, 16)}"
    t1, t2 = f"{d}/task/i", f"{d}/task/i-1"
    so = f"{ID}body/so-y-te-tinh-son-la"
    assignment = f"{ID}assignment/" + sha1("\n".join((d, t2, "Sở Y tế tỉnh Sơn La", "lead", "50-58")), 16)
    init = f"{ID}initiative/{sha1('xay dung van hoa ung xu trong truong hoc', 12)}"
    expected = rdflib.Graph().parse(format="turtle", data=f"""
        @prefix lo: <{LO}> . @prefix eli: <{ELI}> . @prefix prov: <{PROV}> . @prefix org: <{ORG}> .
        @prefix skos: <{SKOS}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <{d}> a lo:Plan , lo:Document ;
            lo:number "171/KH-PGDĐT" ;
            lo:title "Kế hoạch nhiệm vụ năm học" ; eli:title "Kế hoạch nhiệm vụ năm học" ;
            lo:issuedBy <{ID}body/phong-giao-duc-va-dao-tao-huyen-gia-loc> ;
            lo:issuedOn "2023-09-14"^^xsd:date ; lo:year "2023"^^xsd:gYear ;
            rdfs:label "Kế hoạch 171/KH-PGDĐT (14/9/2023)"@vi ;
            lo:signer "Đỗ Thế Ngọc" ; lo:signerTitle "Trưởng phòng" ;
            lo:sourceFile "corpus/kh.txt" ; lo:charStart 0 ; lo:charEnd 100 ;
            lo:implements <{cited}> ; lo:cites <{cited}> ;
            lo:hasTask <{t1}> ;
            lo:mentions <{init}> .
        <{ID}body/phong-giao-duc-va-dao-tao-huyen-gia-loc> a lo:Body , org:Organization ;
            rdfs:label "Phòng Giáo dục và Đào tạo huyện Gia Lộc"@vi .
        <{cited}> a lo:Decision , lo:Document ;
            lo:number "2457/QĐ-BGDĐT" ;
            lo:issuedBy <{ID}body/bo-giao-duc-va-dao-tao> ;
            lo:issuedOn "2023-08-23"^^xsd:date ; lo:year "2023"^^xsd:gYear ;
            rdfs:label "Quyết định 2457/QĐ-BGDĐT (23/8/2023)"@vi .
        <{ID}body/bo-giao-duc-va-dao-tao> a lo:Body , org:Organization ;
            rdfs:label "Bộ Giáo dục và Đào tạo"@vi .
        <{citation}> a lo:Citation ;
            lo:citing <{d}> ; lo:cited <{cited}> ; lo:relation lo:implements ;
            lo:evidence "Quyết định số 2457/QĐ-BGDĐT" ;
            lo:sourceFile "corpus/kh.txt" ; lo:charStart 10 ; lo:charEnd 37 .
        <{t1}> a lo:Task ; lo:taskNumber "I" ;
            lo:title "Nhiệm vụ chung" ; eli:title "Nhiệm vụ chung" ;
            lo:taskOf <{d}> ;
            lo:sourceFile "corpus/kh.txt" ; lo:charStart 40 ; lo:charEnd 90 .
        <{t2}> a lo:Task ; lo:taskNumber "1" ;
            lo:title "Đổi mới" ; eli:title "Đổi mới" ;
            lo:evidence "Đổi mới quản lý." ;
            lo:subTaskOf <{t1}> ;
            lo:assignedTo <{so}> ;
            lo:sourceFile "corpus/kh.txt" ; lo:charStart 45 ; lo:charEnd 60 .
        <{so}> a lo:Body , org:Organization ;
            rdfs:label "Sở Y tế tỉnh Sơn La"@vi ; skos:altLabel "Sở Y tế"@vi ;
            lo:level lo:Provincial ;
            lo:subOrganizationOf <{ID}body/uy-ban-nhan-dan-tinh-son-la> .
        <{ID}body/uy-ban-nhan-dan-tinh-son-la> a lo:Body , org:Organization ;
            rdfs:label "Ủy ban nhân dân tỉnh Sơn La"@vi .
        <{assignment}> a lo:Assignment , prov:Association ;
            lo:assignee <{so}> ; lo:role lo:Lead ; lo:assignmentOf <{t2}> ;
            lo:evidence "Sở Y tế chủ trì" ;
            lo:sourceFile "corpus/kh.txt" ; lo:charStart 50 ; lo:charEnd 58 .
        <{init}> a lo:Initiative , skos:Concept ;
            lo:title "Xây dựng văn hóa ứng xử trong trường học" ;
            eli:title "Xây dựng văn hóa ứng xử trong trường học" ;
            rdfs:label "Xây dựng văn hóa ứng xử trong trường học"@vi ;
            lo:initiativeKind "Scheme" .
    """)
    assert_isomorphic(as_rdflib(quads), expected)
    assert {q.graph_name for q in quads} == {ox.NamedNode(iri.source_graph("corpus/kh.txt"))}


# -- closure, with the real ontology -------------------------------------------------------------


def test_closure_of_the_ontology_is_materialised(make):
    extraction = Extraction("kh.txt", "", (make.doc(),), citations=(make.cite(relation="basedOn"),))
    quads = to_triples(extraction, "kh.txt", body_facts=None)
    got = triples_of(quads)
    d = iri.document("Plan", "171/KH-PGDĐT", None, "Phòng Giáo dục và Đào tạo huyện Gia Lộc", 2023)
    cited = iri.document("Decision", "2457/QĐ-BGDĐT", None, "Bộ Giáo dục và Đào tạo", 2023)
    for prop in (LO + "basedOn", LO + "cites", ELI + "based_on", ELI + "cites"):
        assert (d, prop, cited) in got
    for cls in (LO + "Plan", LO + "LegalDocument", LO + "Document", ELI + "LegalResource", PROV + "Entity"):
        assert (d, RDF_TYPE, cls) in got

    # And in general: every super-term of every stored term is stored too.
    from luocdo.ontology import hierarchy

    superclasses, superproperties = hierarchy()
    for s, p, o in got:
        for sup in superproperties.get(p, ()):
            assert (s, sup, o) in got, (s, p, o, sup)
        if p == RDF_TYPE:
            for sup in superclasses.get(o, ()):
                assert (s, RDF_TYPE, sup) in got, (s, o, sup)


def test_every_contract_kind_and_relation_is_in_the_ontology():
    from luocdo.kg.model import RELATIONS
    from luocdo.ontology import hierarchy

    superclasses, superproperties = hierarchy()
    for kind in triples.kind_labels():
        assert iri.kind_class(kind) in superclasses, kind
    for relation in RELATIONS:
        prop = iri.relation_property(relation)
        assert prop == LO + "cites" or LO + "cites" in superproperties[prop], relation


# -- identity ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Ủy ban nhân dân tỉnh Sơn La", "uy-ban-nhan-dan-tinh-son-la"),
    ("Đỗ Thế Ngọc", "do-the-ngoc"),
    (unicodedata.normalize("NFD", "Quyết định"), "quyet-dinh"),
    ("II.7.a", "ii-7-a"),
    ("171 /KH - PGDĐT", "171-kh-pgddt"),
    ("  --  ", ""),
])
def test_slug(text, expected):
    assert iri.slug(text) == expected


@pytest.mark.parametrize("spelling", ["4725/QĐ-BGD&ĐT", "4725/QĐ-BGDĐT", "4725 /QĐ-BGD&ĐT",
                                      unicodedata.normalize("NFD", "4725/QĐ-BGDĐT")])
def test_number_spellings_give_one_iri(spelling, make):
    expected = f"{ID}doc/bo-giao-duc-va-dao-tao/2009/4725-qd-bgddt"
    assert iri.document("Decision", spelling, None, "Bộ Giáo dục và Đào tạo", 2009) == expected
    quads = to_triples(Extraction("a.txt", "", (make.doc(number=spelling, issuer="Bộ Giáo dục và Đào tạo",
                                                   kind="Decision", date=None, year=2009),)), "a.txt")
    assert {q.subject.value for q in quads if q.predicate.value == LO + "number"} == {expected}
    assert {q.object.value for q in quads if q.predicate.value == LO + "number"} == {"4725/QĐ-BGDĐT"}


def test_document_without_number_is_named_by_kind_and_title():
    got = iri.document("Law", None, "Luật  Giáo dục", None, 2019)
    assert got == f"{ID}doc/unknown/2019/t-{sha1('law luat giao duc', 12)}"
    assert iri.document("Law", None, "LUẬT GIÁO DỤC", None, 2019) == got
    assert iri.document("Law", None, "Luật Giáo dục", None, None).startswith(f"{ID}doc/unknown/undated/t-")
    with pytest.raises(IdentityError, match="neither number nor title"):
        iri.document("Plan", None, None, None, None)


def test_source_graph_depends_on_the_absolute_path(tmp_path, monkeypatch):
    f = tmp_path / "Kế hoạch 171.txt"
    monkeypatch.chdir(tmp_path)
    expected = f"{ID}source/ke-hoach-171-txt-{sha1(unicodedata.normalize('NFC', str(f)), 10)}"
    assert iri.source_graph(f) == expected
    assert iri.source_graph("Kế hoạch 171.txt") == expected
    assert iri.source_graph(tmp_path / "other" / f.name) != expected


def test_roles_and_hash_iris():
    assert [iri.role(r) for r in ("lead", "cooperate", "responsible", "advise", "report")] == [
        LO + "Lead", LO + "Cooperate", LO + "Responsible", LO + "Advise", LO + "Report"]
    with pytest.raises(IdentityError, match="'chair'"):
        iri.role("chair")
    c = iri.citation(ID + "doc/a", ID + "doc/b")
    assert c == f"{ID}citation/{sha1(ID + 'doc/a ' + ID + 'doc/b', 16)}"
    assert iri.initiative("Xây dựng “văn hóa”") != iri.initiative("Xây dựng")


def test_same_input_gives_the_same_quads(make):
    extraction = Extraction("kh.txt", "", (make.doc(),), citations=(make.cite(),), tasks=(make.task("1"),),
                            assignments=(make.assign(),), initiatives=(make.initiative(),))
    first = to_triples(extraction, "corpus/kh.txt", body_facts=None)
    second = to_triples(extraction, "corpus/kh.txt", body_facts=None)
    assert first == second
    assert len(set(first)) == len(first)  # no duplicates


# -- documents, stubs, source files ----------------------------------------------------------------


def test_only_documents_the_file_holds_carry_a_source_file_and_no_stub_is_written(make):
    extraction = Extraction("kh.txt", "", (make.doc(),), citations=(make.cite(),))
    quads = to_triples(extraction, "kh.txt", body_facts=None)
    with_file = {q.subject.value for q in quads if q.predicate.value == LO + "sourceFile"}
    held = iri.document("Plan", "171/KH-PGDĐT", None, "Phòng Giáo dục và Đào tạo huyện Gia Lộc", 2023)
    cited = iri.document("Decision", "2457/QĐ-BGDĐT", None, "Bộ Giáo dục và Đào tạo", 2023)
    assert held in with_file
    assert cited not in with_file
    assert (cited, RDF_TYPE, LO + "Decision") in triples_of(quads)
    assert not [q for q in quads if q.predicate.value == LO + "stub"]


def test_labels():
    labels = triples.kind_labels()
    assert triples.document_label("Plan", "171/KH-PGDĐT", None, "2023-09-14", 2023, labels) == \
        "Kế hoạch 171/KH-PGDĐT (14/9/2023)"
    assert triples.document_label("Decision", "1/QĐ-UBND", None, None, 2022, labels) == \
        "Quyết định 1/QĐ-UBND (2022)"
    assert triples.document_label("Law", None, "Luật Giáo dục", "2019-06-14", 2019, labels) == \
        "Luật Giáo dục (14/6/2019)"
    assert triples.document_label("Document", None, None, None, None, labels) == "Văn bản"


def test_strings_are_nfc(make):
    nfd = unicodedata.normalize("NFD", "Kế hoạch nhiệm vụ")
    path = unicodedata.normalize("NFD", "tệp.txt")
    quads = to_triples(Extraction("a.txt", "", (make.doc(title=nfd),)), path)
    for q in quads:
        if isinstance(q.object, ox.Literal):
            assert unicodedata.is_normalized("NFC", q.object.value), q


def test_jurisdiction_is_an_administrative_unit(make):
    extraction = Extraction("a.txt", "", (make.doc(jurisdiction="tỉnh Sơn La"),))
    quads = to_triples(extraction, "a.txt", body_facts=None)
    got = triples_of(quads)
    unit = f"{ID}unit/tinh-son-la"
    d = iri.document("Plan", "171/KH-PGDĐT", None, "Phòng Giáo dục và Đào tạo huyện Gia Lộc", 2023)
    assert (d, LO + "jurisdiction", unit) in got
    assert (unit, RDF_TYPE, LO + "AdministrativeUnit") in got


# -- promulgation ----------------------------------------------------------------------------------


def test_a_decision_promulgates_its_attached_plan(make):
    ubnd = "Ủy ban nhân dân tỉnh Sơn La"
    decision = make.doc("d1", "Decision", "1646/QĐ-UBND", issuer=ubnd, date="2023-08-31")
    plan = make.doc("d2", "Plan", None, title="Kế hoạch nhiệm vụ năm học 2023 - 2024",
               issuer="Ủy ban nhân dân tỉnh Sơn La", date=None, promulgated_by="d1")
    # The plan's heading "(Ban hành kèm theo Quyết định số 1646/QĐ-UBND ...)", as the parser reports it.
    back = make.cite("d2", "Decision", "1646/QĐ-UBND", issuer="Chủ tịch UBND tỉnh Sơn La", date="2023-08-31",
                relation="promulgates", text="Ban hành kèm theo Quyết định số: 1646/QĐ-UBND")
    extraction = Extraction("sl.txt", "", (decision, plan), citations=(back,))
    quads = to_triples(extraction, "sl.txt", body_facts=None)
    got = triples_of(quads)
    dec_iri = iri.document("Decision", "1646/QĐ-UBND", None, "Ủy ban nhân dân tỉnh Sơn La", 2023)
    plan_iri = iri.document("Plan", None, "Kế hoạch nhiệm vụ năm học 2023 - 2024", ubnd, 2023)
    assert (dec_iri, LO + "promulgates", plan_iri) in got
    assert (dec_iri, LO + "cites", plan_iri) in got
    assert (plan_iri, LO + "promulgates", dec_iri) not in got
    node = iri.citation(dec_iri, plan_iri)
    assert {(node, LO + "citing", dec_iri), (node, LO + "cited", plan_iri),
            (node, LO + "relation", LO + "promulgates")} <= got
    # The issuer as the citation spells it ("Chủ tịch UBND") minted no second decision.
    assert len({s for s, p, o in got if p == LO + "number" and o == "1646/QĐ-UBND"}) == 1


def test_a_plan_citing_an_outside_decision_that_promulgates_it(make):
    plan = make.doc("d1", "Plan", "1/KH-SGDĐT", issuer="Sở Giáo dục và Đào tạo tỉnh Sơn La")
    c = make.cite("d1", "Decision", "9/QĐ-UBND", issuer="Ủy ban nhân dân tỉnh Sơn La", relation="promulgates")
    got = triples_of(to_triples(Extraction("a.txt", "", (plan,), citations=(c,)), "a.txt", body_facts=None))
    plan_iri = iri.document("Plan", "1/KH-SGDĐT", None, "Sở Giáo dục và Đào tạo tỉnh Sơn La", 2023)
    dec_iri = iri.document("Decision", "9/QĐ-UBND", None, "Ủy ban nhân dân tỉnh Sơn La", 2023)
    assert (dec_iri, LO + "promulgates", plan_iri) in got
    assert (plan_iri, LO + "promulgates", dec_iri) not in got


# -- tasks and assignments -----------------------------------------------------------------------


def test_nested_tasks_keep_their_path_and_repeated_numbers_find_their_parent(make):
    tasks = (
        make.task("I", span=(0, 50)),
        make.task("1", parent="I", span=(5, 20)),
        make.task("a", parent="1", span=(10, 15)),
        make.task("II", span=(50, 100)),
        make.task("1", parent="II", span=(55, 70)),
        make.task("II.2", parent="II", span=(70, 90)),
    )
    extraction = Extraction("a.txt", "", (make.doc(),), tasks=tasks,
                            assignments=(make.assign(task="1", span=(60, 65)),))
    got = triples_of(to_triples(extraction, "a.txt", body_facts=None))
    d = iri.document("Plan", "171/KH-PGDĐT", None, "Phòng Giáo dục và Đào tạo huyện Gia Lộc", 2023)
    t = {path: f"{d}/task/{path}" for path in ("i", "i-1", "i-1-a", "ii", "ii-1", "ii-2")}
    assert {o for s, p, o in got if p == LO + "hasTask"} == {t["i"], t["ii"]}
    assert (t["i-1"], LO + "subTaskOf", t["i"]) in got
    assert (t["i-1-a"], LO + "subTaskOf", t["i-1"]) in got
    assert (t["ii-1"], LO + "subTaskOf", t["ii"]) in got
    assert (t["ii-2"], LO + "subTaskOf", t["ii"]) in got
    assert (t["ii-2"], LO + "taskNumber", "II.2") in got
    # The assignment at 60-65 stands inside II.1, not I.1.
    assert (t["ii-1"], LO + "assignedTo", iri.body("Sở Y tế")) in got
    assert (t["i-1"], LO + "assignedTo", iri.body("Sở Y tế")) not in got


def test_an_assignment_of_the_whole_document(make):
    extraction = Extraction("a.txt", "", (make.doc(),), assignments=(make.assign(role="cooperate"),))
    got = triples_of(to_triples(extraction, "a.txt", body_facts=None))
    d = iri.document("Plan", "171/KH-PGDĐT", None, "Phòng Giáo dục và Đào tạo huyện Gia Lộc", 2023)
    node = iri.assignment(d, None, "Sở Y tế", "cooperate", (70, 85))
    assert {(node, LO + "assignmentOf", d), (node, LO + "role", LO + "Cooperate"),
            (d, LO + "assignedTo", iri.body("Sở Y tế"))} <= got


def test_an_unknown_document_key_names_the_file(make):
    extraction = Extraction("a.txt", "", (make.doc(),), tasks=(make.task("1", doc="d9"),))
    with pytest.raises(IdentityError, match=r"^corpus/a\.txt: .*'d9'"):
        to_triples(extraction, "corpus/a.txt", body_facts=None)


def test_an_unknown_kind_is_refused(make):
    with pytest.raises(IdentityError, match="'Memo'"):
        to_triples(Extraction("a.txt", "", (make.doc(kind="Memo"),)), "a.txt", body_facts=None)


# -- properties that hold for every input -------------------------------------------------------------

LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyÁÀẢÃẠẾỀỂỄỆĐđ0123456789 /-&.\u0301"
vietnamese = st.text(alphabet=st.sampled_from(LETTERS),
                     max_size=30)


@given(vietnamese)
def test_canonical_number_is_idempotent(s):
    assert iri.canonical_number(iri.canonical_number(s)) == iri.canonical_number(s)


@given(vietnamese)
def test_slug_is_lower_ascii_words(s):
    out = iri.slug(s)
    assert out == "" or all(part and part.isascii() and part.isalnum() and part == part.lower()
                            for part in out.split("-"))
    assert iri.slug(out) == out


@given(title=vietnamese, number=st.none() | vietnamese)
def test_to_triples_never_crashes_on_odd_titles(title, number, make):
    extraction = Extraction("a.txt", "", (make.doc(number=number, title=title or "x"),))
    quads = to_triples(extraction, "a.txt", body_facts=None)
    assert all(isinstance(q.subject, ox.NamedNode) for q in quads)  # no blank nodes


def test_doctests():
    for module in (iri, triples):
        assert doctest.testmod(module).failed == 0


def test_default_registry_is_optional():
    facts = triples.default_body_facts()
    assert facts is None or isinstance(facts("Bộ Giáo dục và Đào tạo"), BodyFacts)
    assert os.path.basename(iri.source_graph("a.txt")).startswith("a-txt-")
