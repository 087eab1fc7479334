"""Tests of the store: atomic graph replacement, derived stubs, parameter binding, export, locking."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
import textwrap

import pyoxigraph as ox
import pytest
import rdflib
from luocdo.kg import iri
from luocdo.kg import store as store_module
from luocdo.kg.errors import LuocdoError, QueryError, StoreError
from luocdo.kg.model import Extraction
from luocdo.kg.store import ingest_extraction, ingest_file, open_store

LO = "https://w3id.org/luocdo/ontology#"
G = "https://w3id.org/luocdo/id/source/test-0"


def quad(s: str, p: str, o: ox.NamedNode | ox.Literal, g: str = G) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(g))


def graph_quads(store, g: str) -> set[ox.Quad]:
    return set(store.backend.quads_for_pattern(None, None, None, ox.NamedNode(g)))


def stub_flags(store, doc_iri: str) -> list[str]:
    rows = store.query(f"SELECT ?stub WHERE {{ <{doc_iri}> <{LO}stub> ?stub }}").rows
    return sorted(r[0].value for r in rows)


# -- replacing a graph -------------------------------------------------------------------------------


def test_replace_graph_leaves_exactly_the_new_quads(memory_store):
    old = [quad("https://x/a", "https://x/p", ox.Literal(str(i))) for i in range(5)]
    new = [quad("https://x/b", "https://x/p", ox.Literal("Sở \"Y tế\" }\n DROP ALL ;")),
           quad("https://x/b", "https://x/q", ox.Literal("1", language="vi"))]
    other = quad("https://x/z", "https://x/p", ox.Literal("other"), "https://x/other")
    memory_store.replace_graph("https://x/other", [other])
    memory_store.replace_graph(G, old)
    assert graph_quads(memory_store, G) == set(old)
    memory_store.replace_graph(G, new)
    assert graph_quads(memory_store, G) == set(new)
    assert graph_quads(memory_store, "https://x/other") == {other}
    memory_store.replace_graph(G, [])
    assert graph_quads(memory_store, G) == set()


def test_a_failed_update_leaves_the_old_graph(memory_store):
    old = [quad("https://x/a", "https://x/p", ox.Literal("old"))]
    memory_store.replace_graph(G, old)
    with pytest.raises(StoreError):
        memory_store._update(f"DROP SILENT GRAPH <{G}> ; INSERT DATA {{ GRAPH <{G}> {{ <https://x/a> }} }}")
    assert graph_quads(memory_store, G) == set(old)


def test_reingesting_a_file_replaces_its_graph_and_twice_changes_nothing(memory_store, make):
    first = Extraction("a.txt", "", (make.doc(),), citations=(make.cite(),))
    memory_store.load_ontology()
    ingest_extraction(memory_store, first, "corpus/a.txt")
    memory_store.update_derived()
    count = memory_store.quad_count()
    ingest_extraction(memory_store, first, "corpus/a.txt")
    memory_store.update_derived()
    assert memory_store.quad_count() == count

    # A new version of the file: the old citation is gone, nothing of it is left behind.
    second = Extraction("a.txt", "", (make.doc(),))
    ingest_extraction(memory_store, second, "corpus/a.txt")
    memory_store.update_derived()
    from luocdo.kg.triples import to_triples

    expected = set(to_triples(second, "corpus/a.txt"))
    assert graph_quads(memory_store, iri.source_graph("corpus/a.txt")) == expected
    assert memory_store.stats()["citations"] == 0


def test_ingesting_the_same_files_again_on_disk_changes_no_count(tmp_path, seeds):
    with open_store(tmp_path / "store") as store:
        store.load_ontology()
        for f in sorted(seeds.iterdir()):
            ingest_file(store, f)
        store.update_derived()
        count, graphs = store.quad_count(), store.graphs()
    with open_store(tmp_path / "store") as store:
        store.load_ontology()
        for f in sorted(seeds.iterdir()):
            ingest_file(store, f)
        store.update_derived()
        assert (store.quad_count(), store.graphs()) == (count, graphs)


# -- stubs ------------------------------------------------------------------------------------------


def test_a_stub_turns_off_when_its_text_is_ingested(memory_store, make):
    cited = iri.document("Decision", "2457/QĐ-BGDĐT", None, "Bộ Giáo dục và Đào tạo", 2023)
    ingest_extraction(memory_store, Extraction("a.txt", "", (make.doc(),), citations=(make.cite(),)), "a.txt")
    memory_store.update_derived()
    assert stub_flags(memory_store, cited) == ["true"]

    decision = make.doc("d1", "Decision", "2457/QĐ-BGDĐT", issuer="Bộ Giáo dục và Đào tạo", date="2023-08-23")
    ingest_extraction(memory_store, Extraction("b.txt", "", (decision,)), "b.txt")
    memory_store.update_derived()
    assert stub_flags(memory_store, cited) == ["false"]
    stats = memory_store.stats()
    assert (stats["documents"], stats["ingested"], stats["stubs"]) == (2, 2, 0)

    memory_store.remove_graph(iri.source_graph("b.txt"))
    assert stub_flags(memory_store, cited) == ["true"]


def test_the_ontology_is_not_taken_for_documents(memory_store):
    memory_store.load_ontology()
    memory_store.update_derived()
    assert memory_store.stats()["stubs"] == 0
    assert iri.ONTOLOGY_GRAPH in memory_store.graphs()
    rows = memory_store.query(f'SELECT ?l WHERE {{ <{LO}Plan> <http://www.w3.org/2000/01/rdf-schema#label> '
                              '?l FILTER(LANG(?l) = "vi") }').rows
    assert [r[0].value for r in rows] == ["Kế hoạch"]


# -- queries ----------------------------------------------------------------------------------------


def test_bindings_are_terms_and_an_injection_payload_finds_nothing(memory_store, make):
    ingest_extraction(memory_store, Extraction("a.txt", "", (make.doc(),)), "a.txt")
    q = ("PREFIX lo: <https://w3id.org/luocdo/ontology#> "
         "SELECT ?n ?doc WHERE { ?doc lo:number ?n }")
    assert len(memory_store.query(q, {"n": ox.Literal("171/KH-PGDĐT")}).rows) == 1
    count = memory_store.quad_count()
    assert memory_store.query(q, {"n": ox.Literal('" } ; DROP ALL #')}).rows == []
    assert memory_store.quad_count() == count


def test_query_errors_are_query_errors(memory_store):
    with pytest.raises(QueryError, match="does not parse"):
        memory_store.query("SELECT ?x WHERE {")
    with pytest.raises(QueryError):
        memory_store.query("SELECT ?x WHERE { ?x ?p ?o }", {"y": ox.Literal("1")})
    with pytest.raises(QueryError):
        memory_store.query("DROP ALL")


def test_ask_and_construct(memory_store):
    memory_store.replace_graph(G, [quad("https://x/a", "https://x/p", ox.Literal("1"))])
    assert memory_store.query("ASK { ?s ?p ?o }").rows[0][0].value == "true"
    result = memory_store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert result.columns == ("subject", "predicate", "object") and len(result.rows) == 1


# -- export -----------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own parsers, not ours
@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("nt", "nt"), ("nq", "nquads"),
                                                    ("jsonld", "json-ld")])
def test_export_round_trips(memory_store, make, tmp_path, fmt, rdflib_format):
    ingest_extraction(memory_store, Extraction("a.txt", "", (make.doc(),), citations=(make.cite(),)), "a.txt")
    ingest_extraction(memory_store, Extraction("b.txt", "", (make.doc(number="9/KH-X"),)), "b.txt")
    memory_store.update_derived()
    out = tmp_path / f"all.{fmt}"
    assert memory_store.export(fmt, out) is None
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind
    union = len(memory_store.union_triples())
    if fmt in ("nq", "jsonld"):
        ds = rdflib.Dataset()
        ds.parse(out, format=rdflib_format)
        assert len(list(ds.quads((None, None, None, None)))) == memory_store.quad_count()
    else:
        assert len(rdflib.Graph().parse(out, format=rdflib_format)) == union
    if fmt == "jsonld":
        json.loads(out.read_text("utf-8"))


def test_export_unknown_format(memory_store):
    with pytest.raises(StoreError, match="'rdf'"):
        memory_store.export("rdf")


# -- opening and locking ----------------------------------------------------------------------------


def test_a_second_process_gets_a_clear_error(tmp_path):
    path = tmp_path / "store"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from luocdo.kg.store import open_store
            s = open_store({str(path)!r})
            print("open", flush=True)
            sys.stdin.readline()
            s.close()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match=rf"^the store is in use by process {holder.pid}\b"):
            open_store(path)
    finally:
        holder.communicate("\n", timeout=30)
    assert holder.returncode == 0
    with open_store(path) as store:  # released: the next process gets it
        assert store.quad_count() == 0


def test_the_lock_is_released_on_close(tmp_path):
    store = open_store(tmp_path / "s")
    with pytest.raises(StoreError, match=r"in use by process \d+"):
        open_store(tmp_path / "s")
    store.close()
    open_store(tmp_path / "s").close()


def test_a_foreign_directory_is_not_turned_into_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(StoreError, match="holds no luocdo store"):
        open_store(tmp_path)
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_path / "absent", create=False)
    with pytest.raises(StoreError, match="unknown store"):
        open_store("sparql://example.org/")


# -- validation -------------------------------------------------------------------------------------


def test_validate_reports_findings_as_data(memory_store, make, tmp_path):
    ingest_extraction(memory_store, Extraction("a.txt", "", (make.doc(),)), "a.txt")
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(textwrap.dedent(f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix lo: <{LO}> .
        lo:NeedsSigner a sh:NodeShape ; sh:targetClass lo:Plan ;
            sh:property [ sh:path lo:signer ; sh:minCount 1 ; sh:message "a plan names its signer" ] .
    """), "utf-8")
    findings = memory_store.validate(shapes)
    assert [(f.severity, f.path, f.message) for f in findings] == [
        ("Violation", LO + "signer", "a plan names its signer")]
    assert findings[0].focus.startswith("https://w3id.org/luocdo/id/doc/")


def test_doctests():
    import luocdo.queries

    for module in (store_module, luocdo.queries):
        assert doctest.testmod(module).failed == 0, module.__name__


# -- the query library (queries/*.rq) against a tiny fixture graph ------------------------------------


@pytest.fixture
def chain(memory_store, make):
    """Three files: a district plan implements a provincial plan, based on the ministry's decision."""
    moet = "Bộ Giáo dục và Đào tạo"
    so = "Sở Giáo dục và Đào tạo tỉnh Hải Dương"
    district = make.doc("d1", "Plan", "171/KH-PGDĐT", title="Kế hoạch năm học")
    province = make.doc("d1", "Plan", "1587/SGDĐT-VP", issuer=so, date="2023-09-11", title="Kế hoạch của Sở")
    ministry = make.doc("d1", "Decision", "2457/QĐ-BGDĐT", issuer=moet, date="2023-08-23",
                        title="Quyết định ban hành kế hoạch")
    memory_store.load_ontology()
    to_province = make.cite("d1", "Plan", "1587/SGDĐT-VP", issuer=so, date="2023-09-11",
                            relation="implements")
    ingest_extraction(memory_store, Extraction("a.txt", "", (district,), citations=(to_province,)), "a.txt")
    ingest_extraction(memory_store, Extraction("b.txt", "", (province,), citations=(
        make.cite("d1", relation="basedOn"),)), "b.txt")
    ingest_extraction(memory_store, Extraction("c.txt", "", (ministry,)), "c.txt")
    memory_store.update_derived()
    return memory_store


def run_library_query(store, name: str, **values: str) -> list[tuple[str | None, ...]]:
    from luocdo.queries import load

    q = load(name)
    result = store.query(q.text, q.bind(values))
    keep = [i for i, c in enumerate(result.columns) if c not in values]
    assert [result.columns[i] for i in keep] == list(q.columns), "the #+ columns header tells the truth"
    return sorted(tuple(row[i].value if row[i] is not None else None for i in keep) for row in result.rows)


def test_documents_by_issuer(chain):
    # Friendly parameters (a body by name) are resolved in the store: luocdo.kg.params.run.
    from luocdo.kg.params import run
    from luocdo.queries import load

    doc_iri = iri.document("Decision", "2457/QĐ-BGDĐT", None, "Bộ Giáo dục và Đào tạo", 2023)
    rows = run(chain, load("documents-by-issuer"), {"issuer": "Bộ Giáo dục và Đào tạo"}).rows
    assert {r[0].value for r in rows} == {doc_iri}
    with pytest.raises(LuocdoError, match="no body"):
        run(chain, load("documents-by-issuer"), {"issuer": "Bộ Y tế"})


def test_query_header_and_parameter_types():
    from luocdo.kg.errors import UsageError
    from luocdo.queries import parse, to_term

    q = parse('#+ summary: One.\n#+ summary: Two.\n#+ params: n: integer e.g. 3\n'
              '#+ params: when: date e.g. "2023-09-14"\n#+ columns: a, b\nSELECT ?n ?when ?a ?b {}', "x")
    assert (q.summary, [tuple(p) for p in q.params], q.columns) == (
        "One. Two.", [("n", "integer", "3"), ("when", "date", "2023-09-14")], ("a", "b"))
    assert str(q.bind({"n": "7", "when": "2023-09-14"})["when"]) == \
        '"2023-09-14"^^<http://www.w3.org/2001/XMLSchema#date>'
    with pytest.raises(UsageError, match="expected an integer"):
        q.bind({"n": "seven", "when": "2023-09-14"})
    with pytest.raises(QueryError, match="not one of"):
        parse("#+ params: n: number e.g. 3\nSELECT ?n {}", "x")
    assert isinstance(to_term("https://w3id.org/luocdo/id/body/x"), ox.NamedNode)
    assert to_term("12/KH").value == "12/KH"
    with pytest.raises(UsageError, match="an IRI"):
        to_term("<not an iri>")


# -- the default graph is the merge of the named graphs -------------------------------------------------

_OBJECTS = "SELECT ?o WHERE { <https://x/a> <https://x/p> ?o }"


def _objects(store) -> list[str]:
    return sorted(r[0].value for r in store.query(_OBJECTS).rows)


def test_a_fact_two_files_state_is_one_answer_and_two_quads():
    s = open_store("memory:")
    for g in ("https://w3id.org/luocdo/id/source/one", "https://w3id.org/luocdo/id/source/two"):
        s.replace_graph(g, [quad("https://x/a", "https://x/p", ox.Literal("1"), g)])
    assert _objects(s) == ["1"]
    assert s.quad_count() == 2


def _default_is_the_merge(store) -> bool:
    b, default = store.backend, ox.DefaultGraph()
    merged = {(q.subject, q.predicate, q.object) for q in b.quads_for_pattern(None, None, None, None)
              if q.graph_name != default}
    return merged == {(q.subject, q.predicate, q.object) for q in b.quads_for_pattern(None, None, None, default)}


@pytest.mark.parametrize("path", ["difference", "whole"])
def test_replacing_a_graph_takes_out_only_what_no_other_graph_states(monkeypatch, path):
    # A graph that exists is replaced by writing what changed (no blank nodes), or whole (blank nodes).
    if path == "whole":
        monkeypatch.setattr(store_module.Store, "_replace_by_difference", lambda self, g, quads: False)
    one, two = "https://w3id.org/luocdo/id/source/one", "https://w3id.org/luocdo/id/source/two"
    s = open_store("memory:")
    s.replace_graph(one, [quad("https://x/a", "https://x/p", ox.Literal("shared"), one),
                          quad("https://x/a", "https://x/p", ox.Literal("only one"), one)])
    s.replace_graph(two, [quad("https://x/a", "https://x/p", ox.Literal("shared"), two)])
    s.replace_graph(one, [quad("https://x/a", "https://x/p", ox.Literal("new"), one)])
    assert _objects(s) == ["new", "shared"] and _default_is_the_merge(s)
    s.remove_graph(two)
    assert _objects(s) == ["new"]
    s.remove_graph(one)
    assert _objects(s) == [] and s.quad_count() == 0


def test_a_graph_is_replaced_by_what_changed_and_with_blank_nodes_whole(monkeypatch):
    s = open_store("memory:")
    kept = quad("https://x/a", "https://x/p", ox.Literal('kept "quoted"\nline', language="vi"))
    s.replace_graph(G, [kept, quad("https://x/a", "https://x/p", ox.Literal("old"))])
    sent: list[str] = []
    real = store_module.Store._update
    monkeypatch.setattr(store_module.Store, "_update", lambda self, text: (sent.append(text), real(self, text)))
    s.replace_graph(G, [kept, quad("https://x/a", "https://x/p", ox.Literal("new"))])
    assert len(sent) == 1 and '"old"' in sent[0] and '"new"' in sent[0] and "kept" not in sent[0]
    assert sorted(_objects(s)) == sorted(['kept "quoted"\nline', "new"]) and _default_is_the_merge(s)
    s.replace_graph(G, [kept, quad("https://x/a", "https://x/p", ox.Literal("new"))])
    assert len(sent) == 1  # nothing changed, nothing sent
    s.replace_graph(G, [ox.Quad(ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p"), ox.BlankNode())])
    assert "DROP SILENT GRAPH" in sent[-1] and len(_objects(s)) == 1 and _default_is_the_merge(s)


def test_a_large_new_graph_goes_to_the_bulk_loader_in_parts(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "BULK_GRAPH", 2)
    calls: list[int] = []
    real = store_module.Store.bulk_load
    monkeypatch.setattr(store_module.Store, "bulk_load", lambda self, data: (calls.append(data.count(b"\n")),
                                                                             real(self, data)))
    quads = [quad("https://x/a", "https://x/p", ox.Literal(str(i))) for i in range(5)]
    with open_store(tmp_path / "s") as s:
        s.replace_graph(G, quads)
        assert calls == [4, 4, 2]  # three parts of at most two quads, each with its merge
        assert sorted(_objects(s)) == [str(i) for i in range(5)] and _default_is_the_merge(s)
        assert set(s.backend.quads_for_pattern(None, None, None, ox.NamedNode(G))) == set(quads)


def test_a_large_graph_the_store_holds_is_replaced_by_what_changed(tmp_path, monkeypatch):
    # The derivations graph after a later ingest: compared part by part on disk, one update sent.
    monkeypatch.setattr(store_module, "BULK_GRAPH", 2)
    monkeypatch.setattr(store_module, "_DIFF_PARTS", 3)
    other = "https://w3id.org/luocdo/id/source/other"
    lit = [ox.Literal(v) for v in ("0", "1", 'two "quoted"\nline', "3", "shared")]
    with open_store(tmp_path / "s") as s:
        s.replace_graph(G, [quad("https://x/a", "https://x/p", o) for o in lit])
        s.replace_graph(other, [quad("https://x/a", "https://x/p", lit[4], other)])
        sent: list[str] = []
        real = store_module.Store._update
        monkeypatch.setattr(store_module.Store, "_update", lambda self, text: (sent.append(text), real(self, text)))
        new = [quad("https://x/a", "https://x/p", ox.Literal(v)) for v in ("1", 'two "quoted"\nline', "5", "6")]
        s.replace_graph(G, iter(new + new[:1]))
        assert len(sent) == 1 and '"0"' in sent[0] and '"5"' in sent[0] and '"1"' not in sent[0]
        assert graph_quads(s, G) == set(new) and _default_is_the_merge(s)
        assert sorted(_objects(s)) == ["1", "5", "6", "shared", 'two "quoted"\nline']  # other still says it
        s.replace_graph(G, iter(new))
        assert len(sent) == 1  # nothing changed, nothing sent
        assert not list(tmp_path.glob("**/luocdo-replace-*"))


def test_a_large_graph_with_blank_nodes_is_replaced_whole_or_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "BULK_GRAPH", 2)
    a, p = ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p")
    with open_store(tmp_path / "s") as s:
        s.replace_graph(G, [quad("https://x/a", "https://x/p", ox.Literal(str(i))) for i in range(3)]
                        + [ox.Quad(a, p, ox.BlankNode(), ox.NamedNode(G))])
        assert len(graph_quads(s, G)) == 4
        # Old blank nodes: the graph is dropped and loaded anew.
        new = [quad("https://x/a", "https://x/p", ox.Literal(f"n{i}")) for i in range(3)]
        s.replace_graph(G, new)
        assert graph_quads(s, G) == set(new) and _default_is_the_merge(s)
        # New blank nodes cannot be compared: refused, and the graph is as it was.
        with pytest.raises(StoreError, match=r"blank nodes.*nothing was written"):
            s.replace_graph(G, [*new, ox.Quad(a, p, ox.BlankNode(), ox.NamedNode(G))])
        assert graph_quads(s, G) == set(new) and _default_is_the_merge(s)


@pytest.mark.parametrize("blank", [False, True])
def test_a_large_graph_is_removed_in_parts(monkeypatch, blank):
    # The one derivations graph of an earlier version's store: not one transaction of millions.
    monkeypatch.setattr(store_module, "BULK_GRAPH", 2)
    other = "https://w3id.org/luocdo/id/source/other"
    s = open_store("memory:")
    quads = [quad("https://x/a", "https://x/p", ox.Literal(str(i))) for i in range(5)]
    if blank:
        quads.append(ox.Quad(ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p"), ox.BlankNode(), ox.NamedNode(G)))
    s.replace_graph(G, quads)
    s.replace_graph(other, [quad("https://x/a", "https://x/p", ox.Literal("3"), other)])
    sent: list[str] = []
    real = store_module.Store._update
    monkeypatch.setattr(store_module.Store, "_update", lambda self, text: (sent.append(text), real(self, text)))
    s.remove_graph(G)
    assert len(sent) >= (2 if blank else 3)  # parts of a few quads (blank nodes: the rest at once), the stubs
    assert G not in s.graphs() and _objects(s) == ["3"] and _default_is_the_merge(s)


def test_a_large_new_graph_is_taken_from_its_iterator_part_by_part(tmp_path, monkeypatch):
    # The derivations graph comes as a generator: the whole of it is never held as quad objects.
    monkeypatch.setattr(store_module, "BULK_GRAPH", 2)
    made: list[int] = []
    real = store_module.Store.bulk_load
    monkeypatch.setattr(store_module.Store, "bulk_load", lambda self, data: (made.append(len(taken)), real(self, data)))
    taken: list[int] = []

    def quads():
        for i in range(7):
            taken.append(i)
            yield quad("https://x/a", "https://x/p", ox.Literal(str(i)))

    with open_store(tmp_path / "s") as s:
        s.replace_graph(G, quads())
        assert made == [3, 4, 6, 7]  # each part loaded before the next is made (one ahead at first)
        assert sorted(_objects(s)) == [str(i) for i in range(7)] and _default_is_the_merge(s)


def test_a_store_written_before_the_merge_gets_it_when_opened(tmp_path):
    path = tmp_path / "old"
    with open_store(path) as s:  # as an older luocdo left it: named graphs, no default graph
        s.backend.add(quad("https://x/a", "https://x/p", ox.Literal("1")))
        assert _objects(s) == []
    with open_store(path, create=False) as s:
        assert _objects(s) == ["1"]
        assert s.quad_count() == 1


def test_an_export_loads_back_with_its_merge():
    s = open_store("memory:")
    s.replace_graph(G, [quad("https://x/a", "https://x/p", ox.Literal("1"))])
    copy = open_store("memory:")
    copy.load_dataset(s.export("nq"))
    assert _objects(copy) == ["1"] and copy.quad_count() == 1
    assert b"<https://x/a> <https://x/p> \"1\" ." not in s.export("nq")  # no default-graph lines


def test_a_dataset_that_does_not_parse_is_one_store_error():
    with pytest.raises(StoreError) as e:
        open_store("memory:").load_dataset(b"<https://x/a> <https://x/p> .\n")
    assert "cannot load a 'nq' dataset" in str(e.value) and "\n" not in str(e.value)
