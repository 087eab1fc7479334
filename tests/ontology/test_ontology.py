"""Tests of the ontology, its loader, HermiT's verdict on it, and the SHACL shapes.

The contract (ontology-core.md) lives in the shared folder beside the repository; the term and
alignment tests read it, so a renamed term or a dropped alignment fails here.
"""

from __future__ import annotations

import doctest
import re
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import luocdo.ontology as ontology
import owlready2
import pyshacl
import pytest
from luocdo.ontology import (
    LO,
    ONTOLOGY_PATH,
    SHAPES_PATH,
    VERSION_IRI,
    InconsistentOntologyError,
    OntologyError,
    check_consistency,
    hierarchy,
    load_owlready,
)
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SH

CONTRACT = Path(__file__).resolve().parents[2].parent / "shared" / "contracts" / "ontology-core.md"

PREFIXES = {
    "lo": LO,
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
}
L = Namespace(LO)
ID = Namespace("https://w3id.org/luocdo/id/")
ELI = Namespace(PREFIXES["eli"])
PROV = Namespace(PREFIXES["prov"])
SKOS = Namespace(PREFIXES["skos"])
# A plain Namespace: rdflib's XSD object warns when pytest probes module attributes.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

# The datatypes HermiT (and OWL 2 DL) accept, from https://www.w3.org/TR/owl2-syntax/#Datatype_Maps.
OWL2_DATATYPES = {
    str(RDF.PlainLiteral), str(RDF.XMLLiteral), str(RDFS.Literal), str(OWL.real), str(OWL.rational),
    *(str(XSD[name]) for name in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int "
        "short byte unsignedLong unsignedInt unsignedShort unsignedByte double float string "
        "normalizedString token language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI "
        "dateTime dateTimeStamp"
    ).split()),
}


def expand(curie: str) -> str:
    prefix, name = curie.split(":", 1)
    return PREFIXES[prefix] + name


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_PATH, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_PATH, format="turtle")


# --- the contract, read from its markdown -------------------------------------------------------

def contract_text() -> str:
    if not CONTRACT.is_file():
        pytest.fail(f"the ontology contract is missing: {CONTRACT}")
    return CONTRACT.read_text(encoding="utf-8")


def contract_terms() -> list[str]:
    """Every `lo:Name` inside a backticked span of the contract (also `?d lo:basedOn ?x`)."""
    spans = re.findall(r"`([^`\n]+)`", contract_text())
    return sorted({term for span in spans for term in re.findall(r"\blo:[A-Za-z]\w*", span)})


def contract_alignments() -> list[tuple[str, str]]:
    """(term, super-term) pairs from the 'aligned to' column of the contract's two tables.

    A row names one or more terms in its first cell and its alignments in its last. Equal counts
    pair up in order (`lo:hasTask` / `lo:taskOf` -> `eli:has_part` / `eli:is_part_of`); otherwise
    every term takes every alignment (the 22 document kinds -> `lo:LegalDocument`).
    """
    pairs = []
    for line in contract_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3:
            continue
        terms = re.findall(r"`(\w+:\w+)`", cells[0])
        supers = re.findall(r"`(\w+:\w+)`", cells[-1])
        if len(terms) == len(supers) > 1:
            pairs += zip(terms, supers, strict=True)
        else:
            pairs += [(term, sup) for term in terms for sup in supers]
    return sorted(set(pairs))


def test_contract_is_parsed_into_enough_terms_and_alignments():
    # Guards the two parsers above: a change of the markdown layout must not make the
    # parametrized tests below vacuous.
    terms = contract_terms()
    assert {"lo:Document", "lo:Plan", "lo:basedOn", "lo:Lead", "lo:Institution", "lo:stub"} <= set(terms)
    assert len(terms) > 80
    assert ("lo:basedOn", "eli:based_on") in contract_alignments()
    assert ("lo:taskOf", "eli:is_part_of") in contract_alignments()
    assert len(contract_alignments()) > 40


@pytest.mark.parametrize("curie", contract_terms())
def test_contract_term_is_declared_with_labels_and_comment(onto, curie):
    term = URIRef(expand(curie))
    assert set(onto.objects(term, RDF.type)) & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                                                OWL.NamedIndividual}, f"{curie} is not declared"
    languages = {label.language for label in onto.objects(term, RDFS.label)}
    assert {"vi", "en"} <= languages, f"{curie} lacks a Vietnamese or English rdfs:label"
    assert any(c.language == "en" for c in onto.objects(term, RDFS.comment)), f"{curie} lacks a comment"


@pytest.mark.parametrize(("curie", "super_curie"), contract_alignments())
def test_contract_alignment_holds_in_hierarchy(curie, super_curie):
    classes, properties = hierarchy()
    term, sup = expand(curie), expand(super_curie)
    table = classes if term in classes else properties
    assert term in table, f"{curie} is neither a class nor a property of the ontology"
    assert sup in table[term], f"{curie} is not aligned to {super_curie}"


# --- the ontology's own discipline -------------------------------------------------------------

def lo_terms(onto: Graph) -> list[URIRef]:
    return sorted({s for s in onto.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(LO)})


def test_every_lo_term_has_vi_and_en_labels_and_a_comment(onto):
    missing = []
    for term in lo_terms(onto):
        languages = {label.language for label in onto.objects(term, RDFS.label)}
        if not {"vi", "en"} <= languages or (term, RDFS.comment, None) not in onto:
            missing.append(term)
    assert missing == []


@pytest.mark.parametrize(
    "curie",
    ["lo:schoolYear", "lo:place", "lo:recipient", "lo:publisher", "lo:succeededBy", "lo:validFrom",
     "lo:validUntil", "lo:candidate", "lo:resolved", "lo:initiativeKind", "lo:Level",
     "lo:AdministrativeUnit"],
)
def test_extra_terms_are_declared(onto, curie):
    assert (URIRef(expand(curie)), RDFS.label, None) in onto


def test_header_has_version_and_imports_nothing(onto):
    header = URIRef("https://w3id.org/luocdo/ontology")
    assert (header, RDF.type, OWL.Ontology) in onto
    assert (header, OWL.versionIRI, URIRef(VERSION_IRI)) in onto
    assert (header, OWL.versionInfo, None) in onto
    dcterms = Namespace(PREFIXES["dcterms"])
    for annotation in (dcterms.title, dcterms.description):
        assert {v.language for v in onto.objects(header, annotation)} == {"vi", "en"}
    assert (None, OWL.imports, None) not in onto


@pytest.mark.parametrize(
    ("curie", "expected"),
    [
        ("lo:basedOn", {"lo:cites", "eli:based_on", "eli:cites"}),
        ("lo:implements", {"lo:cites", "eli:applies", "eli:cites"}),
        ("lo:promulgates", {"lo:cites", "eli:cites"}),
        ("lo:reportsOn", {"lo:cites", "eli:cites"}),
        ("lo:amends", {"lo:cites", "eli:amends", "eli:cites"}),
        ("lo:replaces", {"lo:cites", "eli:repeals", "eli:cites"}),
        ("lo:repeals", {"lo:cites", "eli:repeals", "eli:cites"}),
        ("lo:guides", {"lo:cites", "eli:ensures_implementation_of", "eli:cites"}),
        ("lo:cites", {"eli:cites"}),
        ("lo:evidence", {"prov:value"}),
        ("lo:subTaskOf", {"eli:is_part_of"}),
    ],
)
def test_property_supers_are_exactly_the_closure(curie, expected):
    _, properties = hierarchy()
    assert properties[expand(curie)] == {expand(c) for c in expected}


@pytest.mark.parametrize(
    ("curie", "expected"),
    [
        ("lo:Plan", {"lo:LegalDocument", "lo:Document", "eli:LegalResource", "prov:Entity"}),
        ("lo:Report", {"lo:LegalDocument", "lo:Document", "eli:LegalResource", "prov:Entity"}),
        ("lo:NewsArticle", {"lo:Document", "prov:Entity"}),
        ("lo:Document", {"prov:Entity"}),
        ("lo:Role", {"prov:Role", "skos:Concept"}),
        ("lo:Task", {"eli:LegalResourceSubdivision"}),
        ("lo:Body", {"org:Organization"}),
        ("prov:Entity", set()),
    ],
)
def test_class_supers_are_exactly_the_closure(curie, expected):
    classes, _ = hierarchy()
    assert classes[expand(curie)] == {expand(c) for c in expected}


def test_hierarchy_hands_out_copies():
    classes, properties = hierarchy()
    classes[LO + "Plan"] = frozenset()
    del properties[LO + "basedOn"]
    again_classes, again_properties = hierarchy()
    assert LO + "LegalDocument" in again_classes[LO + "Plan"]
    assert LO + "basedOn" in again_properties


def test_datatype_ranges_stay_in_the_owl2_datatype_map(onto):
    # xsd:date and xsd:gYear make HermiT refuse the whole ontology (see test_hermit_refuses_*).
    for prop in onto.subjects(RDF.type, OWL.DatatypeProperty):
        for datatype in onto.objects(prop, RDFS.range):
            assert str(datatype) in OWL2_DATATYPES, f"{prop} has range {datatype}"


def test_lo_properties_have_domains_and_ranges_except_where_documented(onto):
    no_domain = {L.sourceFile, L.charStart, L.charEnd}  # carried by any node standing on text
    no_range = {L.relation}  # its values are properties, which no OWL 2 DL class can hold
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in onto.subjects(RDF.type, kind):
            if not prop.startswith(LO):
                continue
            assert (prop in no_domain) != ((prop, RDFS.domain, None) in onto), prop
            assert (prop in no_range) != ((prop, RDFS.range, None) in onto), prop


@pytest.mark.parametrize(
    ("curie", "cls", "vi"),
    [
        ("lo:Lead", "lo:Role", "chủ trì"),
        ("lo:Cooperate", "lo:Role", "phối hợp"),
        ("lo:Responsible", "lo:Role", "có trách nhiệm"),
        ("lo:Advise", "lo:Role", "tham mưu"),
        ("lo:Report", "lo:Role", "báo cáo"),
        ("lo:Central", "lo:Level", "trung ương"),
        ("lo:Provincial", "lo:Level", "cấp tỉnh"),
        ("lo:District", "lo:Level", "cấp huyện"),
        ("lo:Commune", "lo:Level", "cấp xã"),
        ("lo:Institution", "lo:Level", "cơ sở"),
    ],
)
def test_role_and_level_individuals(onto, curie, cls, vi):
    term = URIRef(expand(curie))
    assert (term, RDF.type, URIRef(expand(cls))) in onto
    assert (term, RDF.type, OWL.NamedIndividual) in onto
    labels = set(onto.objects(term, RDFS.label)) | set(onto.objects(term, SKOS.prefLabel))
    assert Literal(vi, lang="vi") in labels
    assert any(label.language == "en" for label in labels)


def test_main_classes_are_pairwise_disjoint(onto):
    members = set()
    for axiom in onto.subjects(RDF.type, OWL.AllDisjointClasses):
        members |= set(onto.items(onto.value(axiom, OWL.members)))
    assert {L.Document, L.Body, L.Task, L.Citation, L.Assignment, L.Derivation, L.Role} <= members


def test_packaged_paths_point_to_the_files():
    assert ONTOLOGY_PATH.name == "luocdo.ttl" and ONTOLOGY_PATH.is_file()
    assert SHAPES_PATH.name == "shapes.ttl" and SHAPES_PATH.is_file()
    assert VERSION_IRI == "https://w3id.org/luocdo/ontology/0.1.0"


def test_docstring_examples():
    # The examples include check_consistency(), which runs Java.
    result = doctest.testmod(ontology, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# --- owlready2 and HermiT ----------------------------------------------------------------------

@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def hermit_runs(monkeypatch) -> list[list[str]]:
    """Records the commands owlready2 runs, to prove that HermiT itself was started."""
    runs: list[list[str]] = []
    real = subprocess.check_output

    def spy(command, *args, **kwargs):
        runs.append(list(command))
        return real(command, *args, **kwargs)

    monkeypatch.setattr(owlready2.reasoning.subprocess, "check_output", spy)
    return runs


def write_turtle(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.ttl"
    path.write_text("@prefix lo: <https://w3id.org/luocdo/ontology#> .\n" + text, encoding="utf-8")
    return path


def test_owlready_loads_offline(no_network):
    world = load_owlready()
    plan = world[LO + "Plan"]
    assert plan is not None and "Kế hoạch" in plan.label.vi
    assert world[LO + "LegalDocument"] in plan.ancestors()
    assert world[LO + "basedOn"] is not None


def test_owlready_reports_an_unreadable_file(tmp_path):
    with pytest.raises(OntologyError, match="cannot read"):
        load_owlready(data=[write_turtle(tmp_path, "broken", "lo:x lo:y")])


def test_hermit_finds_the_ontology_consistent(no_network, hermit_runs):
    check_consistency()
    assert len(hermit_runs) == 1
    command = hermit_runs[0]
    assert "org.semanticweb.HermiT.cli.CommandLine" in command
    assert "--ignoreUnsupportedDatatypes" not in command  # the ontology itself must be strictly DL


VALID_DATA = """
@prefix id: <https://w3id.org/luocdo/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
id:d1 a lo:Plan , lo:LegalDocument , lo:Document ;
    rdfs:label "Kế hoạch 171/KH-PGDĐT (14/9/2023)" ;
    lo:number "171/KH-PGDĐT" ; lo:issuedOn "2023-09-14"^^xsd:date ; lo:year "2023"^^xsd:gYear ;
    lo:schoolYear "2023-2024" ; lo:sourceFile "171-kh-pgddt.txt" ; lo:issuedBy id:b1 ;
    lo:implements id:d2 ; lo:cites id:d2 ; lo:hasTask id:t1 .
id:d2 a lo:Plan , lo:LegalDocument , lo:Document ; lo:number "1587/SGDĐT-VP" ; lo:stub true .
id:c1 a lo:Citation ; lo:citing id:d1 ; lo:cited id:d2 ; lo:relation lo:implements ;
    lo:evidence "kế hoạch số 1587/SGDĐT-VP ngày 11/9/2023" ; lo:charStart 123 ; lo:charEnd 201 ;
    lo:resolved true .
id:t1 a lo:Task ; lo:taskOf id:d1 ; lo:taskNumber "7" ;
    lo:title "Đẩy mạnh chuyển đổi số, cải cách hành chính trong toàn ngành" .
id:t2 a lo:Task ; lo:subTaskOf id:t1 ; lo:taskNumber "a" ; lo:title "Chuyển đổi số" .
id:t0 a lo:Task ; lo:taskOf id:d2 ; lo:taskNumber "3" ; lo:title "Chuyển đổi số" .
id:a1 a lo:Assignment ; lo:assignee id:b2 ; lo:role lo:Responsible ; lo:assignmentOf id:t1 ;
    lo:evidence "Hiệu trưởng các nhà trường có trách nhiệm quán triệt Kế hoạch này" .
id:a2 a lo:Assignment ; lo:assignee id:b2 ; lo:role lo:Report ; lo:assignmentOf id:d1 ;
    lo:evidence "báo cáo về Phòng GDĐT" .
id:v1 a lo:Derivation ; lo:derived id:t2 ; lo:source id:t0 ; lo:score 0.8 ; lo:method "similarity" .
id:b1 a lo:Body ; rdfs:label "Phòng Giáo dục và Đào tạo huyện Gia Lộc" ; lo:level lo:District ;
    lo:subOrganizationOf id:b3 .
id:b2 a lo:Body ; rdfs:label "Hiệu trưởng các nhà trường" ; lo:level lo:Institution .
id:b3 a lo:Body ; rdfs:label "Ủy ban nhân dân huyện Gia Lộc" ; lo:level lo:District .
"""


def test_hermit_accepts_valid_data_and_leaves_the_world_unchanged(tmp_path, hermit_runs):
    world = load_owlready(data=[write_turtle(tmp_path, "valid", VALID_DATA)])
    before = set(world.as_rdflib_graph())
    # Twice: owlready2 garbles punned terms (lo:Report, lo:implements as a value) when it writes
    # HermiT's answers back, which made a second run find the world inconsistent.
    check_consistency(world, ignore_unsupported_datatypes=True)
    check_consistency(world, ignore_unsupported_datatypes=True)
    assert len(hermit_runs) == 2
    assert set(world.as_rdflib_graph()) == before


def test_hermit_refuses_datatypes_outside_the_owl2_map(tmp_path):
    # Why lo:year and lo:issuedOn have the range rdfs:Literal: HermiT rejects xsd:gYear outright.
    world = load_owlready(data=[write_turtle(tmp_path, "valid", VALID_DATA)])
    with pytest.raises(OntologyError, match=r"gYear|date") as caught:
        check_consistency(world)
    assert not isinstance(caught.value, InconsistentOntologyError)


INCONSISTENT = [
    # (defect, instance data that contradicts the ontology)
    ("document-typed-as-body", "<https://w3id.org/luocdo/id/x> a lo:Plan , lo:Body ."),
    ("task-typed-as-citation", "<https://w3id.org/luocdo/id/t> a lo:Task , lo:Citation ."),
    ("role-outside-the-role-class",
     "<https://w3id.org/luocdo/id/a> lo:role <https://w3id.org/luocdo/id/b> .\n"
     "<https://w3id.org/luocdo/id/b> a lo:Body ."),
    ("two-roles-for-one-assignment", "<https://w3id.org/luocdo/id/a> lo:role lo:Lead , lo:Cooperate ."),
]


@pytest.mark.parametrize(("defect", "text"), [pytest.param(*case, id=case[0]) for case in INCONSISTENT])
def test_hermit_reports_an_inconsistent_variant(tmp_path, hermit_runs, defect, text):
    world = load_owlready(data=[write_turtle(tmp_path, defect, text)])
    with pytest.raises(InconsistentOntologyError, match="inconsistent"):
        check_consistency(world)
    assert hermit_runs, "HermiT did not run"


def test_hermit_reports_an_unsatisfiable_class(tmp_path):
    text = (
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "lo:Odd a owl:Class ; rdfs:subClassOf lo:Decision , lo:Assignment ."
    )
    world = load_owlready(data=[write_turtle(tmp_path, "unsatisfiable", text)])
    with pytest.raises(InconsistentOntologyError, match="unsatisfiable") as caught:
        check_consistency(world)
    assert caught.value.unsatisfiable == (LO + "Odd",)


# --- SHACL shapes ------------------------------------------------------------------------------

def valid_graph() -> Graph:
    return Graph().parse(data="@prefix lo: <https://w3id.org/luocdo/ontology#> .\n" + VALID_DATA,
                         format="turtle")


def drop(s, p, o=None) -> Callable[[Graph], None]:
    return lambda g: g.remove((s, p, o))


def add(s, p, o) -> Callable[[Graph], None]:
    return lambda g: g.add((s, p, o))


def replace(s, p, o) -> Callable[[Graph], None]:
    return lambda g: g.set((s, p, o))


def violations(graph: Graph, shapes: Graph) -> set[tuple[URIRef, URIRef | None]]:
    """(focus node, result path) of every result; the path is None for node-level constraints."""
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes)
    results = set(report.subjects(RDF.type, SH.ValidationResult))
    assert conforms == (not results)
    return {(report.value(r, SH.focusNode), report.value(r, SH.resultPath)) for r in results}


def test_valid_graph_conforms(shapes):
    assert violations(valid_graph(), shapes) == set()


DEFECTS = [
    # (defect, change to the valid graph, focus node, path of the violated constraint or None)
    ("document-without-kind", drop(ID.d2, RDF.type), ID.d2, RDF.type),
    ("document-without-source-file", drop(ID.d1, L.sourceFile), ID.d1, None),
    ("document-stub-false-without-source-file",
     replace(ID.d2, L.stub, Literal(False)), ID.d2, None),
    ("document-year-as-integer",
     replace(ID.d1, L.year, Literal(2023)), ID.d1, L.year),
    ("citation-without-citing", drop(ID.c1, L.citing), ID.c1, L.citing),
    ("citation-without-cited", drop(ID.c1, L.cited), ID.c1, L.cited),
    ("citation-with-two-cited", add(ID.c1, L.cited, ID.d1), ID.c1, L.cited),
    ("citation-without-relation", drop(ID.c1, L.relation), ID.c1, L.relation),
    ("citation-relation-not-a-citation",
     replace(ID.c1, L.relation, L.hasTask),
     ID.c1, L.relation),
    ("citation-without-evidence", drop(ID.c1, L.evidence), ID.c1, L.evidence),
    ("citation-untyped", drop(ID.c1, RDF.type), ID.c1, RDF.type),
    ("task-without-parent", lambda g: (drop(ID.t1, L.taskOf)(g), drop(ID.d1, L.hasTask)(g)), ID.t1, None),
    ("task-without-number", drop(ID.t1, L.taskNumber), ID.t1, L.taskNumber),
    ("task-without-title", drop(ID.t2, L.title), ID.t2, L.title),
    ("assignment-without-assignee", drop(ID.a1, L.assignee), ID.a1, L.assignee),
    ("assignment-without-role", drop(ID.a1, L.role), ID.a1, L.role),
    ("assignment-role-not-a-role",
     replace(ID.a1, L.role, L.Central), ID.a1, L.role),
    ("assignment-without-evidence", drop(ID.a2, L.evidence), ID.a2, L.evidence),
    ("assignment-without-target", drop(ID.a1, L.assignmentOf), ID.a1, L.assignmentOf),
    ("assignee-not-a-body", drop(ID.b2, RDF.type), ID.a1, L.assignee),
    ("derivation-without-source", drop(ID.v1, L.source), ID.v1, L.source),
    ("derivation-score-above-one",
     replace(ID.v1, L.score, Literal("1.5", datatype=XSD.decimal)),
     ID.v1, L.score),
    ("body-without-label", drop(ID.b3, RDFS.label), ID.b3, RDFS.label),
]


@pytest.mark.parametrize(("change", "focus", "path"), [pytest.param(*c[1:], id=c[0]) for c in DEFECTS])
def test_graph_with_a_defect_does_not_conform(shapes, change, focus, path):
    graph = valid_graph()
    change(graph)
    assert (focus, path) in violations(graph, shapes)


def test_every_shape_is_labelled_and_every_constraint_has_a_message(shapes):
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert any(label.language == "en" for label in shapes.objects(shape, RDFS.label)), shape
        for prop in shapes.objects(shape, SH.property):
            assert isinstance(prop, BNode) and (prop, SH.message, None) in shapes, (shape, prop)
