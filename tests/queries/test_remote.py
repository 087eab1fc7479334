"""The remote store: a real Oxigraph server (``pip install oxigraph``) on a loopback port.

The seeds go in through the CLI (``luocdo --store http://127.0.0.1:PORT ingest``) and every query
of the library must answer there exactly as on a local store holding the same seeds.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from luocdo.kg import iri
from luocdo.kg.cli import main
from luocdo.kg.errors import QueryError, StoreError
from luocdo.kg.params import run
from luocdo.kg.remote import RemoteStore, endpoints, with_values
from luocdo.kg.store import open_store
from luocdo.queries import load, names

PAYLOAD = '" } ; DROP ALL #\n'


def oxigraph_binary() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    assert found, "the oxigraph server is missing: pip install '.[test]' (it brings oxigraph>=0.4)"
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """An Oxigraph server with its own data folder; stopped at the end of the module."""
    port = free_port()
    data = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(data), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2).close()
            break
        except (urllib.error.URLError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"oxigraph did not start: {process.stderr.read().decode(errors='replace')}") from None
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@pytest.fixture(scope="module")
def remote(oxigraph, seeds):
    result = CliRunner().invoke(main, ["--store", oxigraph, "ingest", str(seeds)])
    assert result.exit_code == 0, result.output
    assert "ingested 5 files" in result.stdout
    return open_store(oxigraph)


@pytest.fixture(scope="module")
def local(tmp_path_factory, seeds):
    path = tmp_path_factory.mktemp("local") / "store"
    result = CliRunner().invoke(main, ["--store", str(path), "ingest", str(seeds)])
    assert result.exit_code == 0, result.output
    store = open_store(path, create=False)
    yield store
    store.close()


def sorted_rows(result) -> list[tuple]:
    return sorted((tuple(t.value if t is not None else None for t in r) for r in result.rows), key=repr)


# -- the same graph, the same answers ----------------------------------------------------------------


def test_open_store_dispatches_http_urls(remote, oxigraph):
    assert isinstance(remote, RemoteStore)
    assert (remote.query_url, remote.update_url) == (oxigraph + "/query", oxigraph + "/update")


def test_ingest_through_the_remote_store_gives_the_local_graph(remote, local):
    assert remote.graphs() == local.graphs()
    assert remote.quad_count() == local.quad_count()
    assert remote.stats() == local.stats()
    assert iri.ONTOLOGY_GRAPH in remote.graphs()


@pytest.mark.parametrize("name", sorted(names()))
def test_every_library_query_answers_as_on_the_local_store(remote, local, name):
    q = load(name)
    example = {p.name: p.example for p in q.params if p.name not in q.optional}
    there, here = run(remote, q, example), run(local, q, example)
    assert there.columns == here.columns == q.columns
    assert sorted_rows(there) == sorted_rows(here)
    if name in ("cited-by", "trace-citation-chain", "stub-documents", "documents-by-issuer"):
        assert there.rows, f"{name} finds something in the seeds"


def test_a_standard_endpoint_gets_the_union_as_an_explicit_dataset(remote, local):
    # Any endpoint but Oxigraph is asked with default-graph-uri/named-graph-uri for every graph.
    standard = RemoteStore(remote.url)
    standard._oxigraph = False
    q = load("cited-by")
    assert sorted_rows(run(standard, q, {"doc": "2457/QĐ-BGDĐT"})) == sorted_rows(run(local, q, {"doc": "2457/QĐ-BGDĐT"}))


# -- writing -----------------------------------------------------------------------------------------


def test_replace_graph_is_one_atomic_update(remote, monkeypatch):
    graph = "https://w3id.org/luocdo/id/source/test-remote"
    quad = ox.Quad(ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p"), ox.Literal(PAYLOAD))
    sent: list[tuple[str, bytes | None]] = []
    real = RemoteStore._request

    def spy(self, url, form, accept, body=None, content_type=None):
        sent.append((url, body))
        return real(self, url, form, accept, body, content_type)

    before = remote.quad_count()
    monkeypatch.setattr(RemoteStore, "_request", spy)
    remote.replace_graph(graph, [quad, quad])
    monkeypatch.undo()
    assert len(sent) == 1
    url, body = sent[0]
    assert url == remote.update_url
    # Out of the default graph (the merge) what only this graph held; the graph; back into the merge.
    text = body.decode()
    assert text.startswith(f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> ")
    assert f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{" in text
    assert text.endswith(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    # The payload is a literal, stored whole: nothing was dropped.
    assert remote.quad_count() == before + 1
    got = remote.query("SELECT ?o WHERE { <https://x/a> <https://x/p> ?o }").rows
    assert [r[0].value for r in got] == [PAYLOAD]
    remote.replace_graph(graph, [])
    assert remote.quad_count() == before
    assert remote.query("SELECT ?o WHERE { <https://x/a> <https://x/p> ?o }").rows == []


def test_a_large_graph_is_one_update_over_http(remote, monkeypatch):
    # No bulk loader and no reading back over HTTP: the derivations graph of a large store is sent whole.
    from luocdo.kg import store as store_module
    monkeypatch.setattr(store_module, "BULK_GRAPH", 2)
    graph = "https://w3id.org/luocdo/id/source/test-remote-large"
    before = remote.quad_count()
    for values in (["0", "1", "2"], ["1", "2", "3", "4"]):
        quads = [ox.Quad(ox.NamedNode("https://x/large"), ox.NamedNode("https://x/p"), ox.Literal(v),
                         ox.NamedNode(graph)) for v in values]
        remote.replace_graph(graph, iter(quads))
        got = remote.query("SELECT ?o WHERE { <https://x/large> <https://x/p> ?o }").rows
        assert sorted(r[0].value for r in got) == values
    remote.replace_graph(graph, [])
    assert remote.quad_count() == before


def test_bindings_travel_as_values_of_terms(remote):
    q = "PREFIX lo: <https://w3id.org/luocdo/ontology#> SELECT ?n ?doc WHERE { ?doc lo:number ?n }"
    assert len(remote.query(q, {"n": ox.Literal("171/KH-PGDĐT")}).rows) == 1
    count = remote.quad_count()
    assert remote.query(q, {"n": ox.Literal(PAYLOAD)}).rows == []
    assert remote.quad_count() == count
    with pytest.raises(QueryError):
        remote.query(q, {"n": ox.BlankNode()})


def test_errors_say_what_went_wrong(remote):
    with pytest.raises(QueryError, match="refused the request"):
        remote.query("SELECT ?x WHERE {")
    with pytest.raises(StoreError, match="cannot reach the store"):
        open_store(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match="not an http"):
        endpoints("http://")


# -- VALUES and endpoint URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT ?s WHERE { ?s ?p ?o }", "SELECT ?s WHERE { VALUES (?s) { (<https://x/s>) } ?s ?p ?o }"),
    ('SELECT ("{ SELECT" AS ?l) ?s { ?s ?p ?o }', 'SELECT ("{ SELECT" AS ?l) ?s { VALUES (?s) { (<https://x/s>) } ?s ?p ?o }'),
    ("# where { is not here\nASK { ?s ?p ?o }", "# where { is not here\nASK { VALUES (?s) { (<https://x/s>) } ?s ?p ?o }"),
    # A "#" in an IRI does not start a comment.
    ("PREFIX ex: <https://x/where#> SELECT ?s { ?s ex:p ?o }",
     "PREFIX ex: <https://x/where#> SELECT ?s { VALUES (?s) { (<https://x/s>) } ?s ex:p ?o }"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
     "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<https://x/s>) } ?s ?p ?o }"),
    # No room inside: the block follows the query.
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }\nVALUES (?s) { (<https://x/s>) }\n"),
    ("SELECT ?s WHERE { SELECT ?s { ?s ?p ?o } }",
     "SELECT ?s WHERE { SELECT ?s { ?s ?p ?o } }\nVALUES (?s) { (<https://x/s>) }\n"),
])
def test_with_values(query, expected):
    assert with_values(query, {"s": ox.NamedNode("https://x/s")}) == expected
    store = ox.Store()
    for s, p in (("https://x/s", "https://x/p"), ("https://x/t", "https://x/p"),
                 ("https://x/s", "https://x/where#p"), ("https://x/t", "https://x/where#p")):
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.Literal("1")))
    result = store.query(expected)
    if isinstance(result, ox.QueryBoolean):
        assert bool(result)
    elif isinstance(result, ox.QueryTriples):
        assert {t.subject.value for t in result} == {"https://x/s"}  # the binding took
    else:
        assert {row["s"].value for row in result} == {"https://x/s"}


def test_endpoint_urls():
    assert endpoints("https://h/ds/query") == ("https://h/ds/query", "https://h/ds/update")
    assert endpoints("http://h:3030/ds/sparql") == ("http://h:3030/ds/sparql", "http://h:3030/ds/sparql")
    assert endpoints("http://h/repo#update=http://h/repo/statements") == ("http://h/repo", "http://h/repo/statements")


# -- export -----------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own parsers, not ours
def test_export_with_ontology_from_either_store(remote, local, tmp_path):
    from luocdo.ontology import ONTOLOGY_PATH

    ontology = rdflib.Graph().parse(ONTOLOGY_PATH, format="turtle")
    both = []
    for store in (local, remote):
        out = tmp_path / f"{type(store).__name__}.ttl"
        assert store.export("ttl", out, with_ontology=True) is None
        graph = rdflib.Graph().parse(out, format="turtle")
        assert (None, rdflib.RDF.type, rdflib.OWL.Ontology) in graph
        assert len(graph) == len(rdflib.Graph().parse(data=store.export("ttl"), format="turtle"))
        both.append(graph)
    from rdflib.compare import isomorphic

    assert isomorphic(both[0], both[1])
    # In N-Quads the ontology has its own graph, once, as packaged.
    data = local.export("nq", with_ontology=True)
    ds = rdflib.Dataset()
    ds.parse(data=data, format="nquads")
    assert len(ds.graph(rdflib.URIRef(iri.ONTOLOGY_GRAPH))) == len(ontology)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cli_export_with_ontology(remote, oxigraph, tmp_path):
    out = tmp_path / "all.trig"
    result = CliRunner().invoke(main, ["--store", oxigraph, "export", "--format", "trig", "--with-ontology",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    ds = rdflib.Dataset()
    ds.parse(out, format="trig")
    graphs = {str(g.identifier) for g in ds.graphs()}
    assert iri.ONTOLOGY_GRAPH in graphs and set(remote.graphs()) <= graphs


# -- luocdo serve in front of the shared graph -------------------------------------------------------


def test_serve_over_the_remote_store(remote, oxigraph):
    import json

    from luocdo.kg.serve import make_server

    server = make_server(oxigraph, port=0, timeout=10, max_rows=20, workers=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = server.url + "/queries/cited-by?doc=" + urllib.request.quote("2457/QĐ-BGDĐT")
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}),
                                    timeout=30) as r:
            found = json.loads(r.read())["results"]["bindings"]
        assert any("sơn la" in b["label"]["value"].lower() for b in found)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_rows_one_at_a_time_are_the_local_rows(remote, local):
    from luocdo.kg.trace import collect_documents

    docs = collect_documents(remote)
    assert docs == collect_documents(local)
    assert any(d.parents for d in docs.values())  # the citations came through
    for store in (remote, local):
        with pytest.raises(QueryError, match="not a SELECT"):
            list(store.solutions("ASK { ?s ?p ?o }"))


# Last in the module: it writes to the stores the tests above read.
def test_a_later_ingest_mends_the_remote_store_as_the_local_one(remote, local, repo_root):
    from luocdo.kg import trace
    from luocdo.kg.ingest import Ingester

    files = sorted((repo_root / "examples" / "corpus").glob("*.txt"))
    for store in (remote, local):
        assert trace.records_whole(store)
        for batch in (files[:3], files[3:]):  # records, flags and derivations mended by halves
            assert not Ingester(store).ingest_all(batch).failures
        assert trace.records_whole(store)
    assert remote.stats() == local.stats()
    ontology = ox.NamedNode(iri.ONTOLOGY_GRAPH)  # its blank nodes have other labels there
    here = sorted(str(q) for q in local.backend.quads_for_pattern(None, None, None, None)
                  if q.graph_name not in (ox.DefaultGraph(), ontology))
    there = sorted(str(q) for q in remote._quads() if q.graph_name != ontology)
    assert there == here and any("/graph/records" in q for q in here) and any("planDigest" in q for q in here)
