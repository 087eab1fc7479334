"""The query library: every query parses, declares what it binds, and answers right.

Each query runs on a small fixture graph written here in TriG (one named graph per "file", the
ontology loaded, super-properties and super-classes added as the ingest adds them), twice: bound
by Oxigraph's substitutions (the local store) and by a VALUES block (what the remote store sends);
both must give the same rows. Then each runs on the ingested seeds against a known answer.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from luocdo.kg.cli import main
from luocdo.kg.errors import IdentityError, QueryError, UsageError
from luocdo.kg.params import StoreResolver, bind, run
from luocdo.kg.remote import with_values
from luocdo.kg.store import open_store
from luocdo.queries import load, names, parse
from luocdo.queries.params import kind_iri, split_task, to_term

LO = "https://w3id.org/luocdo/ontology#"
ID = "https://w3id.org/luocdo/id/"
D, B, T, X, INI = ID + "doc/", ID + "body/", ID + "task/", ID, ID + "initiative/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: Every query the issue asks for.
LIBRARY = {"trace-citation-chain", "cited-by", "trace-task-origin", "task-descendants", "delegation-chain",
           "tasks-of-body", "documents-by-issuer", "plans-for-school-year", "initiative-mentions",
           "unresolved-citations", "stub-documents", "citation-stats"}

# A school plan implements a district plan, which implements a provincial plan and cites the
# ministry's decision; the decision and the law above it are stubs, and so on up to a sixth level,
# so that the four-hop bound shows. Tasks carry each other down five times for the same reason.
FIXTURE = """
@prefix lo: <https://w3id.org/luocdo/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix d: <https://w3id.org/luocdo/id/doc/> .
@prefix b: <https://w3id.org/luocdo/id/body/> .
@prefix t: <https://w3id.org/luocdo/id/task/> .
@prefix i: <https://w3id.org/luocdo/id/initiative/> .
@prefix x: <https://w3id.org/luocdo/id/> .
@prefix g: <https://w3id.org/luocdo/id/source/> .

g:moet {
  b:moet a lo:Body ; rdfs:label "Bộ Giáo dục và Đào tạo"@vi ; lo:level lo:Central .
  b:qh a lo:Body ; rdfs:label "Quốc hội"@vi ; lo:level lo:Central .
  d:plan23 a lo:Plan ; lo:number "1/KH-BGDĐT" ; lo:issuedBy b:moet ; lo:year "2023"^^xsd:gYear ;
      lo:issuedOn "2023-08-01"^^xsd:date ; lo:title "Kế hoạch năm học 2023 – 2024" ;
      rdfs:label "Kế hoạch 1/KH-BGDĐT (1/8/2023)"@vi ; lo:sourceFile "moet.txt" ; lo:hasTask t:T1 .
  t:T1 a lo:Task ; lo:taskOf d:plan23 ; lo:taskNumber "1" ; lo:title "Chuyển đổi số" .
  d:guide a lo:Guidance ; lo:issuedBy b:moet ; lo:title "Hướng dẫn" ; rdfs:label "Hướng dẫn"@vi ;
      lo:sourceFile "moet.txt" .
  d:dec lo:basedOn d:law .
  d:law lo:basedOn d:const .
  d:const a lo:Constitution ; rdfs:label "Hiến pháp (2013)"@vi ; lo:cites d:c2 .
  d:c2 a lo:Law ; rdfs:label "Luật X (2000)"@vi .
  t:T0 a lo:Task ; lo:taskOf d:law ; lo:taskNumber "3" ; lo:title "Giáo dục số" .
  t:Tm1 a lo:Task ; lo:taskOf d:const ; lo:taskNumber "1" ; lo:title "Quyền học tập" .
}

g:prov {
  b:so a lo:Body ; rdfs:label "Sở Giáo dục và Đào tạo tỉnh Hải Dương"@vi ; lo:level lo:Provincial .
  b:tc a lo:Body ; rdfs:label "Sở Tài chính tỉnh Hải Dương"@vi ; lo:level lo:Provincial .
  d:prov a lo:Plan ; lo:number "1587/SGDĐT-VP" ; lo:issuedBy b:so ; lo:year "2023"^^xsd:gYear ;
      lo:issuedOn "2023-09-11"^^xsd:date ; lo:schoolYear "2022-2023" ; lo:title "Kế hoạch năm học 2023-2024" ;
      rdfs:label "Kế hoạch 1587/SGDĐT-VP (11/9/2023)"@vi ; lo:sourceFile "prov.txt" ; lo:hasTask t:P2 ;
      lo:implements d:dec ; lo:basedOn d:dec2 ; lo:cites d:law .
  t:P2 a lo:Task ; lo:taskOf d:prov ; lo:taskNumber "2" ; lo:title "Đẩy mạnh chuyển đổi số" ; lo:mentions i:cds .
  d:dec a lo:Decision ; lo:number "2457/QĐ-BGDĐT" ; lo:issuedBy b:moet ; lo:year "2023"^^xsd:gYear ;
      lo:title "Về kế hoạch năm học" ; rdfs:label "Quyết định 2457/QĐ-BGDĐT (2023)"@vi .
  d:dec2 a lo:Decision ; lo:number "9/QĐ-BGDĐT" ; lo:issuedBy b:moet ; lo:year "2022"^^xsd:gYear ;
      rdfs:label "Quyết định 9/QĐ-BGDĐT (2022)"@vi .
  d:law a lo:Law ; lo:title "Luật Giáo dục" ; lo:issuedBy b:qh ; lo:year "2019"^^xsd:gYear ;
      rdfs:label "Luật Giáo dục (2019)"@vi .
  i:cds a lo:Initiative ; lo:title "Chuyển đổi số trong giáo dục" ; lo:initiativeKind "Scheme" .
  x:a4 a lo:Assignment ; lo:assignee b:so ; lo:role lo:Lead ; lo:assignmentOf t:P2 ; lo:evidence "Sở chủ trì" .
  x:a5 a lo:Assignment ; lo:assignee b:tc ; lo:role lo:Cooperate ; lo:assignmentOf t:P2 ;
      lo:evidence "Sở Tài chính phối hợp" .
  x:a6 a lo:Assignment ; lo:assignee b:tc ; lo:role lo:Report ; lo:assignmentOf d:prov ; lo:evidence "báo cáo" .
}

g:dist {
  b:pgd a lo:Body ; rdfs:label "Phòng Giáo dục và Đào tạo huyện Gia Lộc"@vi ; lo:level lo:District .
  b:ht a lo:Body ; rdfs:label "Hiệu trưởng các trường"@vi .
  b:yt a lo:Body ; rdfs:label "Trạm Y tế"@vi .
  b:moet a lo:Body ; rdfs:label "Bộ Giáo dục và Đào tạo"@vi ; lo:level lo:Central .
  d:dist a lo:Plan ; lo:number "171/KH-PGDĐT" ; lo:issuedBy b:pgd ; lo:year "2023"^^xsd:gYear ;
      lo:issuedOn "2023-09-14"^^xsd:date ; lo:schoolYear "2023-2024" ;
      rdfs:label "Kế hoạch 171/KH-PGDĐT (14/9/2023)"@vi ; lo:sourceFile "dist.txt" ; lo:hasTask t:D7 ;
      lo:implements d:prov ; lo:cites d:dec , d:k12a ; lo:mentions i:cds .
  t:D7 a lo:Task ; lo:taskOf d:dist ; lo:taskNumber "7" ; lo:title "Chuyển đổi số" .
  t:D7a a lo:Task ; lo:subTaskOf t:D7 ; lo:taskNumber "a" ; lo:title "Số hóa hồ sơ" .
  d:prov a lo:Plan ; lo:number "1587/SGDĐT-VP" ; rdfs:label "Kế hoạch 1587/SGDĐT-VP (11/9/2023)"@vi .
  d:dec a lo:Decision ; lo:number "2457/QĐ-BGDĐT" ; lo:issuedBy b:moet ; lo:year "2023"^^xsd:gYear ;
      lo:issuedOn "2023-08-23"^^xsd:date ; lo:title "Ban hành kế hoạch năm học" ;
      rdfs:label "Quyết định 2457/QĐ-BGDĐT (23/8/2023)"@vi .
  d:k12a a lo:Plan ; lo:number "12/KH-UBND" ; rdfs:label "Kế hoạch 12/KH-UBND (2021)"@vi .
  d:k12b a lo:Plan ; lo:number "12/KH-UBND" ; rdfs:label "Kế hoạch 12/KH-UBND (2022)"@vi .
  x:c12 a lo:Citation ; lo:citing d:dist ; lo:cited d:k12a ; lo:relation lo:cites ; lo:resolved false ;
      lo:candidate d:k12a , d:k12b ; lo:evidence "Kế hoạch số 12/KH-UBND" ; lo:sourceFile "dist.txt" .
  x:cdec a lo:Citation ; lo:citing d:dist ; lo:cited d:dec ; lo:relation lo:cites ;
      lo:evidence "Quyết định số 2457/QĐ-BGDĐT" ; lo:sourceFile "dist.txt" .
  x:a1 a lo:Assignment ; lo:assignee b:ht ; lo:role lo:Responsible ; lo:assignmentOf d:dist ;
      lo:evidence "Hiệu trưởng các trường có trách nhiệm" .
  x:a2 a lo:Assignment ; lo:assignee b:pgd ; lo:role lo:Lead ; lo:assignmentOf t:D7 ; lo:evidence "Phòng chủ trì" .
  x:a3 a lo:Assignment ; lo:assignee b:yt ; lo:role lo:Cooperate ; lo:assignmentOf t:D7a ;
      lo:evidence "Trạm Y tế phối hợp" .
}

g:school {
  b:thcs a lo:Body ; rdfs:label "Trường THCS Gia Lộc"@vi ; lo:level lo:Institution .
  d:school a lo:Plan ; lo:number "45/KH-THCS" ; lo:issuedBy b:thcs ; lo:year "2023"^^xsd:gYear ;
      lo:title "Kế hoạch năm học 2023 - 2024" ; rdfs:label "Kế hoạch 45/KH-THCS (2023)"@vi ;
      lo:sourceFile "school.txt" ; lo:hasTask t:S6 ; lo:implements d:dist ; lo:mentions i:skhd .
  t:S6 a lo:Task ; lo:taskOf d:school ; lo:taskNumber "6" ; lo:title "Chuyển đổi số trong nhà trường" .
  i:skhd a lo:Initiative ; lo:title "Sức khỏe học đường" ; lo:initiativeKind "Programme" .
  x:a7 a lo:Assignment ; lo:assignee b:thcs ; lo:role lo:Responsible ; lo:assignmentOf d:school ;
      lo:evidence "Nhà trường thực hiện" .
}

<https://w3id.org/luocdo/id/graph/derivations> {
  t:S6 lo:derivedFrom t:D7 . t:D7 lo:derivedFrom t:P2 . t:P2 lo:derivedFrom t:T1 .
  t:T1 lo:derivedFrom t:T0 . t:T0 lo:derivedFrom t:Tm1 .
  x:dv1 a lo:Derivation ; lo:derived t:S6 ; lo:source t:D7 ; lo:score 0.81 ; lo:method "m" ; lo:evidence "e1" .
  x:dv2 a lo:Derivation ; lo:derived t:D7 ; lo:source t:P2 ; lo:score 0.5 ; lo:method "m" ; lo:evidence "e2" .
  x:dv3 a lo:Derivation ; lo:derived t:P2 ; lo:source t:T1 ; lo:score 0.4 ; lo:method "m" ; lo:evidence "e3" .
  x:dv5 a lo:Derivation ; lo:derived t:T0 ; lo:source t:Tm1 ; lo:score 0.3 ; lo:method "m" ; lo:evidence "e5" .
  # A chain of five, every step with its record, for the four-hop limit of task-descendants.
  t:H1 lo:derivedFrom t:H0 . t:H2 lo:derivedFrom t:H1 . t:H3 lo:derivedFrom t:H2 . t:H4 lo:derivedFrom t:H3 .
  t:H5 lo:derivedFrom t:H4 .
  x:h1 a lo:Derivation ; lo:derived t:H1 ; lo:source t:H0 ; lo:score 0.9 .
  x:h2 a lo:Derivation ; lo:derived t:H2 ; lo:source t:H1 ; lo:score 0.9 .
  x:h3 a lo:Derivation ; lo:derived t:H3 ; lo:source t:H2 ; lo:score 0.9 .
  x:h4 a lo:Derivation ; lo:derived t:H4 ; lo:source t:H3 ; lo:score 0.9 .
  x:h5 a lo:Derivation ; lo:derived t:H5 ; lo:source t:H4 ; lo:score 0.9 .
}
"""


def with_closure(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Add super-properties and super-classes, as kg/triples.py does at ingest."""
    from luocdo.ontology import hierarchy

    superclasses, superproperties = hierarchy()
    out = dict.fromkeys(quads)
    for q in quads:
        if q.predicate.value == RDF_TYPE:
            supers = [ox.Quad(q.subject, q.predicate, ox.NamedNode(c), q.graph_name)
                      for c in sorted(superclasses.get(q.object.value, ()))]
        else:
            supers = [ox.Quad(q.subject, ox.NamedNode(p), q.object, q.graph_name)
                      for p in sorted(superproperties.get(q.predicate.value, ()))]
        out.update(dict.fromkeys(supers))
    return list(out)


@pytest.fixture(scope="module")
def fixture_store():
    store = open_store("memory:")
    store.load_ontology()
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in with_closure(list(ox.parse(FIXTURE, format=ox.RdfFormat.TRIG))):
        by_graph[q.graph_name.value].append(q)
    for graph, quads in by_graph.items():
        store.replace_graph(graph, quads)
    store.update_derived()
    yield store
    store.close()


@pytest.fixture(scope="module")
def seeds_path(tmp_path_factory, seeds) -> str:
    """The seeds, ingested through the CLI into an on-disk store (closed: the CLI tests open it)."""
    path = tmp_path_factory.mktemp("seeds") / "store"
    result = CliRunner().invoke(main, ["--store", str(path), "ingest", str(seeds)])
    assert result.exit_code == 0, result.output
    return str(path)


@pytest.fixture(scope="module")
def seeds_store(seeds_path):
    """An in-memory copy of the ingested seeds."""
    with open_store(seeds_path, create=False) as disk:
        data = disk.export("nq")
    store = open_store("memory:")
    store.load_dataset(data)
    yield store
    store.close()


def values(row) -> tuple:
    return tuple(t.value if t is not None else None for t in row)


def rows(store, name: str, **params: str) -> list[tuple]:
    """The rows of a library query (header columns only), sorted, checked to be the same whether
    bound by substitution or by a VALUES block."""
    q = load(name)
    bindings = bind(store, q, params)
    substituted = store.query(q.text, bindings)
    by_values = store.query(with_values(q.text, bindings))
    hidden = set(q.param_names)
    keep = [i for i, c in enumerate(substituted.columns) if c not in hidden]
    assert tuple(substituted.columns[i] for i in keep) == q.columns, "the #+ columns header tells the truth"
    assert by_values.columns == substituted.columns
    a = sorted((values(r) for r in substituted.rows), key=repr)
    b = sorted((values(r) for r in by_values.rows), key=repr)
    assert a == b, f"{name}: substitution and VALUES disagree"
    return sorted((tuple(r[i] for i in keep) for r in a), key=repr)


def expected(*table: tuple) -> list[tuple]:
    return sorted(table, key=repr)


def lo(name: str) -> str:
    return LO + name


# -- the library's shape ----------------------------------------------------------------------------


def test_the_library_has_every_query():
    assert LIBRARY <= set(names())


def _algebra_variables(text: str) -> tuple[set[str], set[str], set[str]]:
    """(projected, bound by a pattern/BIND/VALUES anywhere, mentioned anywhere) from rdflib's algebra."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    algebra = translateQuery(parseQuery(text)).algebra
    mentioned: set[str] = set()
    bound: set[str] = set()
    stack = [algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, Variable):
            mentioned.add(str(node))
        elif isinstance(node, CompValue):
            if node.name == "BGP":
                for triple in node.get("triples") or []:
                    bound.update(str(x) for x in triple if isinstance(x, Variable))
            elif node.name == "Extend":
                bound.add(str(node["var"]))
            elif node.name == "values":
                for row in node.get("res") or []:
                    bound.update(str(k) for k in row)
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend([*node.keys(), *node.values()])
        elif isinstance(node, list | tuple | set | frozenset):
            stack.extend(node)
    return {str(v) for v in algebra["PV"]}, bound, mentioned


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_query_header_and_parameters(name):
    q = load(name)
    assert q.summary and q.columns
    for prefix in ("PREFIX lo: <https://w3id.org/luocdo/ontology#>",):
        assert prefix in q.text
    for p in q.params:
        assert p.example is not None, p
    assert set(q.optional) <= set(q.param_names)
    # rdflib parses it (the endpoint's refusal check uses the same parser), so does pyoxigraph.
    projected, bound, mentioned = _algebra_variables(q.text)
    ox.Store().query(q.text)
    declared = set(q.param_names)
    # A projected variable nothing in the query binds can only come from the caller: declared.
    assert projected - bound <= declared, f"undeclared parameters {projected - bound - declared}"
    # Every declared parameter is used, and projected (Oxigraph substitutes only projected ones).
    assert declared <= mentioned and declared <= projected, declared - (mentioned & projected)
    # The columns of the header are the projection less the parameters.
    assert set(q.columns) == projected - declared


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_with_values_keeps_every_query_valid(name, fixture_store):
    q = load(name)
    bindings = {p.name: ox.NamedNode("https://x/nothing") if p.type in ("doc", "body", "task", "iri", "kind")
                else to_term(p.example, p.type) for p in q.params}
    text = with_values(q.text, bindings)
    assert text != q.text if bindings else text == q.text
    fixture_store.query(text)  # parses and runs


# -- each query on the fixture graph ----------------------------------------------------------------


def test_trace_citation_chain(fixture_store):
    dist, prov, dec, dec2, law = "Kế hoạch 171/KH-PGDĐT (14/9/2023)", "Kế hoạch 1587/SGDĐT-VP (11/9/2023)", \
        "Quyết định 2457/QĐ-BGDĐT (2023)", "Quyết định 9/QĐ-BGDĐT (2022)", "Luật Giáo dục (2019)"
    assert rows(fixture_store, "trace-citation-chain", doc="45/KH-THCS") == expected(
        ("1", D + "school", lo("implements"), D + "dist", dist, "false"),
        ("2", D + "dist", lo("implements"), D + "prov", prov, "false"),
        ("2", D + "dist", lo("cites"), D + "dec", dec, "true"),
        ("2", D + "dist", lo("cites"), D + "k12a", "Kế hoạch 12/KH-UBND (2021)", "true"),
        ("3", D + "prov", lo("implements"), D + "dec", dec, "true"),
        ("3", D + "prov", lo("basedOn"), D + "dec2", dec2, "true"),
        ("3", D + "prov", lo("cites"), D + "law", law, "true"),
        # Reached at depth 4 through the province too: the shortest depth is kept.
        ("3", D + "dec", lo("basedOn"), D + "law", law, "true"),
        ("4", D + "law", lo("basedOn"), D + "const", "Hiến pháp (2013)", "true"),
        # const -> c2 is a fifth hop: beyond the bound.
    )


def test_cited_by(fixture_store):
    assert rows(fixture_store, "cited-by", doc="2457/QĐ-BGDĐT") == expected(
        ("1", D + "dist", lo("cites"), D + "dec", "Kế hoạch 171/KH-PGDĐT (14/9/2023)", "false"),
        ("1", D + "prov", lo("implements"), D + "dec", "Kế hoạch 1587/SGDĐT-VP (11/9/2023)", "false"),
        ("2", D + "dist", lo("implements"), D + "prov", "Kế hoạch 171/KH-PGDĐT (14/9/2023)", "false"),
        ("2", D + "school", lo("implements"), D + "dist", "Kế hoạch 45/KH-THCS (2023)", "false"),
    )
    assert rows(fixture_store, "cited-by", doc="45/KH-THCS") == []


def test_trace_task_origin(fixture_store):
    assert rows(fixture_store, "trace-task-origin", task="45/KH-THCS#6") == expected(
        ("1", T + "S6", T + "D7", "7", "Chuyển đổi số", D + "dist", "Kế hoạch 171/KH-PGDĐT (14/9/2023)",
         "0.81", "m", "e1"),
        ("2", T + "D7", T + "P2", "2", "Đẩy mạnh chuyển đổi số", D + "prov", "Kế hoạch 1587/SGDĐT-VP (11/9/2023)",
         "0.5", "m", "e2"),
        ("3", T + "P2", T + "T1", "1", "Chuyển đổi số", D + "plan23", "Kế hoạch 1/KH-BGDĐT (1/8/2023)",
         "0.4", "m", "e3"),
        # No qualified lo:Derivation for this one: its score, method and evidence stay empty.
        ("4", T + "T1", T + "T0", "3", "Giáo dục số", D + "law", "Luật Giáo dục (2019)", None, None, None),
    )
    # The task IRI works as well as DOCUMENT#NUMBER, and so does "DOCUMENT NUMBER".
    assert rows(fixture_store, "trace-task-origin", task=T + "S6") == \
        rows(fixture_store, "trace-task-origin", task="45/KH-THCS 6")
    assert rows(fixture_store, "trace-task-origin", task=T + "Tm1") == []


def test_task_descendants(fixture_store):
    assert rows(fixture_store, "task-descendants", task=T + "T1") == expected(
        ("1", T + "P2", T + "T1", "2", "Đẩy mạnh chuyển đổi số", D + "prov", "Kế hoạch 1587/SGDĐT-VP (11/9/2023)",
         "Sở Giáo dục và Đào tạo tỉnh Hải Dương", "0.4"),
        ("2", T + "D7", T + "P2", "7", "Chuyển đổi số", D + "dist", "Kế hoạch 171/KH-PGDĐT (14/9/2023)",
         "Phòng Giáo dục và Đào tạo huyện Gia Lộc", "0.5"),
        ("3", T + "S6", T + "D7", "6", "Chuyển đổi số trong nhà trường", D + "school", "Kế hoạch 45/KH-THCS (2023)",
         "Trường THCS Gia Lộc", "0.81"),
    )
    # Four hops down: the fifth task of a chain is not reached.
    assert {(r[0], r[1]) for r in rows(fixture_store, "task-descendants", task=T + "H0")} == {
        ("1", T + "H1"), ("2", T + "H2"), ("3", T + "H3"), ("4", T + "H4")}
    # It follows the qualified derivations: T1 lo:derivedFrom T0 has no lo:Derivation (luocdo
    # writes both, always), so from Tm1 the walk stops at T0.
    assert [(r[0], r[1]) for r in rows(fixture_store, "task-descendants", task=T + "Tm1")] == [("1", T + "T0")]


def test_delegation_chain(fixture_store):
    school, pgd, ht = "Trường THCS Gia Lộc", "Phòng Giáo dục và Đào tạo huyện Gia Lộc", "Hiệu trưởng các trường"
    assert rows(fixture_store, "delegation-chain", task="45/KH-THCS#6") == expected(
        ("0", T + "S6", "6", D + "school", "document", B + "thcs", school, lo("Responsible"), "Nhà trường thực hiện"),
        ("1", T + "D7", "7", D + "dist", "task", B + "pgd", pgd, lo("Lead"), "Phòng chủ trì"),
        ("1", T + "D7", "7", D + "dist", "document", B + "ht", ht, lo("Responsible"),
         "Hiệu trưởng các trường có trách nhiệm"),
        ("2", T + "P2", "2", D + "prov", "task", B + "so", "Sở Giáo dục và Đào tạo tỉnh Hải Dương", lo("Lead"),
         "Sở chủ trì"),
        ("2", T + "P2", "2", D + "prov", "task", B + "tc", "Sở Tài chính tỉnh Hải Dương", lo("Cooperate"),
         "Sở Tài chính phối hợp"),
        ("2", T + "P2", "2", D + "prov", "document", B + "tc", "Sở Tài chính tỉnh Hải Dương", lo("Report"), "báo cáo"),
    )
    # A sub-task: its own assignment, its enclosing task's and its document's.
    assert rows(fixture_store, "delegation-chain", task="171/KH-PGDĐT#a") == expected(
        ("0", T + "D7a", "a", D + "dist", "task", B + "yt", "Trạm Y tế", lo("Cooperate"), "Trạm Y tế phối hợp"),
        ("0", T + "D7a", "a", D + "dist", "enclosing task", B + "pgd", pgd, lo("Lead"), "Phòng chủ trì"),
        ("0", T + "D7a", "a", D + "dist", "document", B + "ht", ht, lo("Responsible"),
         "Hiệu trưởng các trường có trách nhiệm"),
    )


def test_tasks_of_body(fixture_store):
    prov = "Kế hoạch 1587/SGDĐT-VP (11/9/2023)"
    assert rows(fixture_store, "tasks-of-body", body="Sở Tài chính tỉnh Hải Dương") == expected(
        (lo("Cooperate"), D + "prov", prov, T + "P2", "2", "Đẩy mạnh chuyển đổi số", "Sở Tài chính phối hợp"),
        (lo("Report"), D + "prov", prov, None, None, None, "báo cáo"),
    )
    # A sub-task reaches its document through the task that encloses it.
    assert rows(fixture_store, "tasks-of-body", body="Trạm Y tế") == [
        (lo("Cooperate"), D + "dist", "Kế hoạch 171/KH-PGDĐT (14/9/2023)", T + "D7a", "a", "Số hóa hồ sơ",
         "Trạm Y tế phối hợp")]


def test_documents_by_issuer(fixture_store):
    moet = "Bộ Giáo dục và Đào tạo"
    plan23 = (D + "plan23", lo("Plan"), "1/KH-BGDĐT", "2023-08-01", "Kế hoạch năm học 2023 – 2024", "false")
    guide = (D + "guide", lo("Guidance"), None, None, "Hướng dẫn", "false")
    # Two files give it two titles: still one row.
    dec = (D + "dec", lo("Decision"), "2457/QĐ-BGDĐT", "2023-08-23", "Ban hành kế hoạch năm học", "true")
    dec2 = (D + "dec2", lo("Decision"), "9/QĐ-BGDĐT", None, None, "true")
    assert rows(fixture_store, "documents-by-issuer", issuer=moet) == expected(plan23, guide, dec, dec2)
    # The optional filters; a document of unknown year goes when a year is asked for.
    assert rows(fixture_store, "documents-by-issuer", issuer=moet, year="2023") == expected(plan23, dec)
    assert rows(fixture_store, "documents-by-issuer", issuer=moet, kind="Decision") == expected(dec, dec2)
    assert rows(fixture_store, "documents-by-issuer", issuer=moet, kind="quyết định", year="2022") == [dec2]
    assert rows(fixture_store, "documents-by-issuer", issuer=moet, kind="Kế hoạch", year="2022") == []
    assert rows(fixture_store, "documents-by-issuer", issuer="Quốc hội") == [
        (D + "law", lo("Law"), None, None, "Luật Giáo dục", "true")]


def test_plans_for_school_year(fixture_store):
    want = expected(
        (D + "plan23", "Kế hoạch 1/KH-BGDĐT (1/8/2023)", "Bộ Giáo dục và Đào tạo", lo("Central"), "1/KH-BGDĐT",
         "2023-08-01", "false", "1"),
        (D + "dist", "Kế hoạch 171/KH-PGDĐT (14/9/2023)", "Phòng Giáo dục và Đào tạo huyện Gia Lộc", lo("District"),
         "171/KH-PGDĐT", "2023-09-14", "false", "1"),
        (D + "school", "Kế hoạch 45/KH-THCS (2023)", "Trường THCS Gia Lộc", lo("Institution"), "45/KH-THCS",
         None, "false", "1"),
        # prov's title says 2023-2024, but it states 2022-2023: the stated year wins.
    )
    assert rows(fixture_store, "plans-for-school-year", school_year="2023-2024") == want
    assert rows(fixture_store, "plans-for-school-year", school_year="2023 – 2024") == want
    assert [r[0] for r in rows(fixture_store, "plans-for-school-year", school_year="2022-2023")] == [D + "prov"]
    # From the top of the hierarchy down.
    ordered = fixture_store.query(load("plans-for-school-year").text,
                                  {"school_year": ox.Literal("2023-2024")}).rows
    assert [r[1].value for r in ordered] == [D + "plan23", D + "dist", D + "school"]


def test_initiative_mentions(fixture_store):
    cds = (INI + "cds", "Chuyển đổi số trong giáo dục", "Scheme")
    assert rows(fixture_store, "initiative-mentions", words="CHUYỂN ĐỔI") == expected(
        (*cds, D + "dist", "Kế hoạch 171/KH-PGDĐT (14/9/2023)", None),
        (*cds, D + "prov", "Kế hoạch 1587/SGDĐT-VP (11/9/2023)", T + "P2"),
    )
    assert len(rows(fixture_store, "initiative-mentions")) == 3
    assert rows(fixture_store, "initiative-mentions", words="không có") == []


def test_unresolved_citations(fixture_store):
    head = (X + "c12", D + "dist", "Kế hoạch 171/KH-PGDĐT (14/9/2023)", "Kế hoạch số 12/KH-UBND", "dist.txt",
            D + "k12a")
    assert rows(fixture_store, "unresolved-citations") == expected(
        (*head, D + "k12a", "Kế hoạch 12/KH-UBND (2021)"),
        (*head, D + "k12b", "Kế hoạch 12/KH-UBND (2022)"),
    )


def test_stub_documents(fixture_store):
    assert rows(fixture_store, "stub-documents") == expected(
        (D + "dec", "Quyết định 2457/QĐ-BGDĐT (2023)", "2457/QĐ-BGDĐT", "Bộ Giáo dục và Đào tạo", "2023", "2"),
        (D + "law", "Luật Giáo dục (2019)", None, "Quốc hội", "2019", "2"),
        (D + "dec2", "Quyết định 9/QĐ-BGDĐT (2022)", "9/QĐ-BGDĐT", "Bộ Giáo dục và Đào tạo", "2022", "1"),
        (D + "const", "Hiến pháp (2013)", None, None, None, "1"),
        (D + "c2", "Luật X (2000)", None, None, None, "1"),
        (D + "k12a", "Kế hoạch 12/KH-UBND (2021)", "12/KH-UBND", None, None, "1"),
        # k12b is only a candidate: nothing cites it.
    )
    # Most cited first, then by label.
    ordered = [r[0].value for r in fixture_store.query(load("stub-documents").text).rows]
    assert ordered[:3] == [D + "law", D + "dec", D + "const"]


def test_citation_stats(fixture_store):
    dec, law = "Quyết định 2457/QĐ-BGDĐT (2023)", "Luật Giáo dục (2019)"
    assert rows(fixture_store, "citation-stats") == expected(
        (D + "dec", dec, "true", lo("cites"), "1", "2"),
        (D + "dec", dec, "true", lo("implements"), "1", "2"),
        (D + "law", law, "true", lo("cites"), "1", "2"),
        (D + "law", law, "true", lo("basedOn"), "1", "2"),
        (D + "dist", "Kế hoạch 171/KH-PGDĐT (14/9/2023)", "false", lo("implements"), "1", "1"),
        (D + "prov", "Kế hoạch 1587/SGDĐT-VP (11/9/2023)", "false", lo("implements"), "1", "1"),
        (D + "dec2", "Quyết định 9/QĐ-BGDĐT (2022)", "true", lo("basedOn"), "1", "1"),
        (D + "const", "Hiến pháp (2013)", "true", lo("basedOn"), "1", "1"),
        (D + "c2", "Luật X (2000)", "true", lo("cites"), "1", "1"),
        (D + "k12a", "Kế hoạch 12/KH-UBND (2021)", "true", lo("cites"), "1", "1"),
    )
    totals = [int(r[5].value) for r in fixture_store.query(load("citation-stats").text).rows]
    assert totals == sorted(totals, reverse=True)


def test_an_injection_payload_is_data(fixture_store):
    count = fixture_store.quad_count()
    payload = '" } ; DROP ALL #'
    assert rows(fixture_store, "plans-for-school-year", school_year=payload) == []
    assert rows(fixture_store, "initiative-mentions", words=payload) == []
    with pytest.raises(IdentityError):
        rows(fixture_store, "cited-by", doc=payload)
    assert fixture_store.quad_count() == count


# -- the ingested seeds: known answers ---------------------------------------------------------------


def seed_rows(store, name: str, **params: str) -> list[dict[str, str | None]]:
    q = load(name)
    result = run(store, q, params)
    return [dict(zip(result.columns, values(r), strict=True)) for r in result.rows]


def test_seeds_trace_citation_chain_reaches_the_provincial_plan(seeds_store):
    found = seed_rows(seeds_store, "trace-citation-chain", doc="171/KH-PGDĐT")
    hits = [r for r in found if r["label"].startswith("Kế hoạch 1587/SGDĐT-VP")]
    assert [(r["depth"], r["relation"]) for r in hits] == [("1", lo("implements"))]


def test_seeds_cited_by_lists_the_son_la_plan(seeds_store):
    found = seed_rows(seeds_store, "cited-by", doc="2457/QĐ-BGDĐT")
    son_la = [r for r in found if "sơn la" in r["label"].lower() and r["citing"].startswith(D + "uy-ban-nhan-dan-tinh-son-la/")]
    assert any(r["depth"] == "1" and r["relation"] == lo("implements") and r["label"].startswith("Kế hoạch")
               for r in son_la), found


def test_seeds_trace_task_origin_of_task_7(seeds_store):
    # Depends on the derivations graph (kg/trace.py build_derivations, run by `luocdo ingest`).
    found = seed_rows(seeds_store, "trace-task-origin", task="171/KH-PGDĐT#7")
    first = [r for r in found if r["depth"] == "1"]
    assert len(first) == 1, found
    assert float(first[0]["score"]) > 0 and "chuyển đổi số" in first[0]["title"].lower()
    # And down again from that source task, 171's task 7 is among what carries it down.
    down = seed_rows(seeds_store, "task-descendants", task=first[0]["source"])
    assert first[0]["derived"] in {r["derived"] for r in down if r["depth"] == "1"}


def test_seeds_delegation_chain_of_task_7(seeds_store):
    found = seed_rows(seeds_store, "delegation-chain", task="171/KH-PGDĐT#7")
    assert ("0", "document", "Hiệu trưởng các nhà trường", lo("Responsible")) in {
        (r["depth"], r["scope"], r["name"], r["role"]) for r in found}


def test_seeds_tasks_of_body(seeds_store):
    found = seed_rows(seeds_store, "tasks-of-body", body="Sở Giáo dục và Đào tạo tỉnh Sơn La")
    assert any(r["role"] == lo("Lead") and "sơn la" in r["label"].lower() for r in found), found


def test_seeds_documents_by_issuer(seeds_store):
    numbers = {r["number"] for r in seed_rows(seeds_store, "documents-by-issuer", issuer="Bộ Giáo dục và Đào tạo")}
    assert {"2457/QĐ-BGDĐT", "4725/QĐ-BGDĐT", "2171/QĐ-BGDĐT"} <= numbers
    of_2022 = seed_rows(seeds_store, "documents-by-issuer", issuer="Bộ Giáo dục và Đào tạo", year="2022")
    assert [r["number"] for r in of_2022] == ["4725/QĐ-BGDĐT"]


def test_seeds_plans_for_school_year(seeds_store):
    numbers = {r["number"] for r in seed_rows(seeds_store, "plans-for-school-year", school_year="2023-2024")}
    assert {"171/KH-PGDĐT", "167/KH-UBND"} <= numbers


def test_seeds_initiative_mentions(seeds_store):
    found = seed_rows(seeds_store, "initiative-mentions", words="chuyển đổi số")
    assert found and all("chuyển đổi số" in r["title"].lower() for r in found)
    assert any(r["title"].startswith("Tăng cường ứng dụng công nghệ thông tin") and "sơn la" in r["label"].lower()
               for r in found)


def test_seeds_have_no_unresolved_citation(seeds_store):
    # Every citation in the seeds names its document fully (number, issuer, year): none may be
    # left ambiguous. One that the ingest starts to doubt would show up here.
    assert seed_rows(seeds_store, "unresolved-citations") == []


def test_seeds_stub_documents(seeds_store):
    found = seed_rows(seeds_store, "stub-documents")
    numbers = {r["number"]: int(r["cited_by"]) for r in found}
    assert numbers.get("1587/SGDĐT-VP", 0) >= 1
    assert "171/KH-PGDĐT" not in numbers  # its text is ingested


def test_seeds_citation_stats(seeds_store):
    found = seed_rows(seeds_store, "citation-stats")
    assert any(r["label"].startswith("Quyết định 2457/QĐ-BGDĐT") and r["relation"] == lo("implements")
               and r["citations"] == "1" for r in found)
    totals = [int(r["total"]) for r in found]
    assert totals == sorted(totals, reverse=True)


# -- the command line ----------------------------------------------------------------------------


def test_luocdo_queries_lists_the_library():
    result = CliRunner().invoke(main, ["queries"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.stdout.splitlines() if line and not line.startswith(" ")}
    assert listed == set(names())
    assert "--param doc=2457/QĐ-BGDĐT" in result.stdout
    shown = CliRunner().invoke(main, ["queries", "cited-by", "--format", "json"])
    data = json.loads(shown.stdout)
    assert data[0]["params"] == [{"name": "doc", "type": "doc", "example": "2457/QĐ-BGDĐT", "optional": False}]
    assert "SELECT" in data[0]["text"]


def test_luocdo_query_resolves_friendly_parameters(seeds_path):
    def cli(*args: str):
        return CliRunner().invoke(main, ["--store", seeds_path, "query", *args])

    result = cli("cited-by", "--param", "doc=2457/QĐ-BGDĐT", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert any("sơn la" in r["label"].lower() for r in data)
    assert "doc" not in data[0]  # the bound parameter's column is not shown
    bad = cli("cited-by", "--param", "doc=9999/XX")
    assert bad.exit_code == 1 and "no document '9999/XX'" in bad.output
    task = cli("trace-task-origin", "--param", "task=171/KH-PGDĐT#7")
    assert task.exit_code == 0 and "tfidf" in task.stdout
    # An optional parameter left out: no empty column for it either.
    plain = cli("documents-by-issuer", "--param", "issuer=Bộ Giáo dục và Đào tạo", "--format", "csv")
    assert plain.stdout.splitlines()[0] == "doc,class,number,date,title,stub"


# -- parameter types ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "type_", "expected_term"), [
    ("2023", "year", '"2023"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
    ("7", "integer", '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("Sở Y tế", "string", '"Sở Y tế"'),
    ('" } ; DROP ALL #', "string", '"\\" } ; DROP ALL #"'),
    ("Plan", "kind", f"<{LO}Plan>"),
    ("lo:JointCircular", "kind", f"<{LO}JointCircular>"),
    ("thông tư liên tịch", "kind", f"<{LO}JointCircular>"),
    ("https://w3id.org/luocdo/id/doc/x", "doc", "<https://w3id.org/luocdo/id/doc/x>"),
    ("<https://w3id.org/luocdo/id/body/x>", "body", "<https://w3id.org/luocdo/id/body/x>"),
    ("true", "boolean", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
])
def test_parameter_types(value, type_, expected_term):
    assert str(to_term(value, type_, "p")) == expected_term


@pytest.mark.parametrize(("value", "type_", "message"), [
    ("23", "year", "a year"),
    ("Plan9", "kind", "not a document kind"),
    ("2457/QĐ-BGDĐT", "doc", "needs the store"),
    ("Sở Y tế", "body", "needs the store"),
    ("<not an iri>", "doc", "IRI"),
])
def test_bad_parameters_are_usage_errors(value, type_, message):
    with pytest.raises(UsageError, match=message):
        to_term(value, type_, "p")


def test_friendly_types_go_through_the_resolver():
    class Fake:
        def document(self, ref):
            return f"https://x/doc/{len(ref)}"

        def body(self, name):
            return "https://x/body"

        def task(self, ref):
            return "https://x/task/" + split_task(ref)[1]

    assert to_term("2457/QĐ-BGDĐT", "doc", resolver=Fake()).value == "https://x/doc/13"
    assert to_term("171/KH-PGDĐT#II.7", "task", resolver=Fake()).value == "https://x/task/II.7"
    assert split_task("https://w3id.org/luocdo/id/doc/a/2023/t-1 7") == ("https://w3id.org/luocdo/id/doc/a/2023/t-1", "7")
    assert kind_iri("Kế hoạch") == LO + "Plan"


def test_store_resolver_names_the_candidates_of_an_ambiguous_number(fixture_store):
    with pytest.raises(IdentityError, match=r"names 2 documents.*<https://w3id.org/luocdo/id/doc/k12a>"):
        StoreResolver(fixture_store).document("12/KH-UBND")
    with pytest.raises(IdentityError, match="expected DOCUMENT#NUMBER"):
        StoreResolver(fixture_store).task("171/KH-PGDĐT")


def test_header_optional_parameters_and_missing_ones():
    q = parse("#+ summary: S.\n#+ params: a: string e.g. x\n#+ params: b: year optional e.g. 2023\n"
              "#+ columns: c\nSELECT ?a ?b ?c WHERE { ?c ?p ?a }", "t")
    assert q.optional == ("b",) and q.param_names == ("a", "b")
    assert set(q.bind({"a": "1"})) == {"a"}
    with pytest.raises(UsageError, match="needs --param a="):
        q.bind({"b": "2023"})
    with pytest.raises(QueryError, match="not one of"):
        parse("#+ params: n: number e.g. 3\nSELECT ?n {}", "x")


def test_every_documented_example_resolves_on_the_seeds(seeds_store):
    # Every friendly example of the library names something the seeds hold (or is an IRI).
    for name in sorted(LIBRARY):
        q = load(name)
        example = {p.name: p.example for p in q.params if p.name not in q.optional}
        bind(seeds_store, q, example)


def test_doctests():
    import doctest

    import luocdo.kg.params
    import luocdo.kg.remote
    import luocdo.kg.serve
    import luocdo.queries
    import luocdo.queries.params

    for module in (luocdo.queries, luocdo.queries.params, luocdo.kg.params, luocdo.kg.remote, luocdo.kg.serve):
        assert doctest.testmod(module).failed == 0, module.__name__
