"""``luocdo serve``: the SPARQL 1.1 Protocol over the seeds, its refusals, time limit and row cap.

Two servers run for the module: one over the ingested seeds on disk (the real read-only path,
a row cap of 50), and one over an in-memory copy with a time limit of half a second and a
single worker, to show that a query cut off does not stop the server.
"""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from luocdo.kg.cli import main
from luocdo.kg.serve import MAX_ROWS_HEADER, TRUNCATED_HEADER, check_query, make_server, negotiate
from luocdo.kg.store import open_store
from luocdo.queries import names

MAX_ROWS = 50
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# Three copies of the graph joined with nothing in common: ~3 * 10^10 rows, never done in 0.5 s.
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PAYLOAD = '" } ; DROP ALL #'


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> Response:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return Response(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, e.headers, e.read())


def get(base: str, path: str, accept: str = "application/sparql-results+json", **params: str) -> Response:
    query = urllib.parse.urlencode(params)
    return http(f"{base}{path}{'?' + query if query else ''}", headers={"Accept": accept})


def post_form(base: str, path: str, accept: str = "application/sparql-results+json", **fields: str) -> Response:
    return http(base + path, urllib.parse.urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})


def bindings(response: Response) -> list[dict]:
    assert response.status == 200, response.text
    return response.json()["results"]["bindings"]


def start(store, **options):
    server = make_server(store, host="127.0.0.1", port=0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop(server, thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture(scope="module")
def seeds_dir(tmp_path_factory, seeds) -> str:
    path = tmp_path_factory.mktemp("serve") / "store"
    result = CliRunner().invoke(main, ["--store", str(path), "ingest", str(seeds)])
    assert result.exit_code == 0, result.output
    return str(path)


@pytest.fixture(scope="module")
def seeds_data(seeds_dir) -> tuple[bytes, int]:
    """The seeds as N-Quads and their triple count, read before a server takes the store's lock."""
    with open_store(seeds_dir, create=False) as store:
        return store.export("nq"), int(store.query(COUNT_ALL).rows[0][0].value)


@pytest.fixture(scope="module")
def expected_count(seeds_data) -> int:
    return seeds_data[1]


@pytest.fixture(scope="module")
def base(seeds_dir, seeds_data):
    server, thread = start(seeds_dir, timeout=20.0, max_rows=MAX_ROWS, workers=2)
    yield server.url
    stop(server, thread)


@pytest.fixture(scope="module")
def quick(seeds_data):
    """A second server, over an in-memory copy: 0.5 s per query, one worker."""
    memory = open_store("memory:")
    memory.load_dataset(seeds_data[0])
    server, thread = start(memory, timeout=0.5, max_rows=MAX_ROWS, workers=1)
    yield server.url
    stop(server, thread)


def count(base_url: str) -> int:
    return int(bindings(get(base_url, "/sparql", query=COUNT_ALL))[0]["n"]["value"])


# -- the protocol ---------------------------------------------------------------------------------


def test_get_post_and_body_give_the_same_json(base, expected_count):
    assert count(base) == expected_count
    by_form = bindings(post_form(base, "/sparql", query=COUNT_ALL))
    by_body = bindings(http(base + "/query", COUNT_ALL.encode(), {"Content-Type": "application/sparql-query",
                                                                  "Accept": "application/sparql-results+json"}))
    assert by_form == by_body == [{"n": {"type": "literal", "value": str(expected_count),
                                         "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]


def test_results_in_every_format(base):
    q = ("PREFIX lo: <https://w3id.org/luocdo/ontology#> SELECT ?doc ?n WHERE { ?doc lo:number ?n } "
         "ORDER BY ?n LIMIT 5")
    as_json = [(b["doc"]["value"], b["n"]["value"]) for b in bindings(get(base, "/sparql", query=q))]
    assert len(as_json) == 5

    xml = get(base, "/sparql", "application/sparql-results+xml", query=q)
    assert xml.headers["Content-Type"].startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    results = ET.fromstring(xml.body).findall(".//r:result", ns)
    assert [(r.find("r:binding[@name='doc']/r:uri", ns).text, r.find("r:binding[@name='n']/r:literal", ns).text)
            for r in results] == as_json

    as_csv = get(base, "/sparql", "text/csv", query=q)
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert [tuple(r) for r in csv.reader(io.StringIO(as_csv.text))][1:] == as_json

    tsv = get(base, "/sparql", "text/tab-separated-values", query=q)
    parsed = ox.parse_query_results(tsv.body, format=ox.QueryResultsFormat.TSV)
    assert [(s["doc"].value, s["n"].value) for s in parsed] == as_json

    ask = get(base, "/sparql", query="ASK { ?s ?p ?o }")
    assert ask.json() == {"head": {}, "boolean": True}

    construct = get(base, "/sparql", "text/turtle",
                    query="CONSTRUCT { ?d <urn:x:n> ?n } WHERE { ?d <https://w3id.org/luocdo/ontology#number> ?n }")
    assert construct.headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(construct.body, format=ox.RdfFormat.TURTLE))
    assert len(triples) >= 5 and all(t.predicate.value == "urn:x:n" for t in triples)

    assert get(base, "/sparql", "image/png", query=q).status == 406
    assert get(base, "/sparql", "*/*", query=q).headers["Content-Type"].startswith("application/sparql-results+json")


def test_sparqlwrapper_and_rdflib_sparqlstore_can_use_it(base, expected_count):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(COUNT_ALL)
    client.setReturnFormat(JSON)
    assert client.query().convert()["results"]["bindings"][0]["n"]["value"] == str(expected_count)

    graph = Graph(store=SPARQLStore(base + "/sparql"))
    rows = list(graph.query("PREFIX lo: <https://w3id.org/luocdo/ontology#> "
                            "SELECT ?n WHERE { ?d lo:number ?n FILTER(?n = \"171/KH-PGDĐT\") }"))
    assert [str(r[0]) for r in rows] == ["171/KH-PGDĐT"]


def test_cors_and_options(base):
    response = http(base + "/sparql", method="OPTIONS", headers={"Origin": "https://yasgui.triply.cc",
                                                                 "Access-Control-Request-Method": "POST"})
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    assert get(base, "/sparql", query="ASK {}").headers["Access-Control-Allow-Origin"] == "*"
    assert TRUNCATED_HEADER in get(base, "/sparql", query="ASK {}").headers["Access-Control-Expose-Headers"]


# -- what is refused --------------------------------------------------------------------------------


@pytest.fixture
def listener():
    """A port of our own that nothing should connect to (instead of port 9, where something might be)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.5)
    yield sock
    sock.close()


def assert_nobody_connected(sock: socket.socket) -> None:
    with pytest.raises(TimeoutError):
        sock.accept()


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }} }} }}",
    "ASK {{ FILTER EXISTS {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }} }}",
])
def test_service_is_refused_and_nothing_connects(base, listener, template):
    port = listener.getsockname()[1]
    response = post_form(base, "/sparql", query=template.format(port=port))
    assert response.status == 400
    assert "SERVICE is refused" in response.text
    assert_nobody_connected(listener)


def test_load_and_updates_are_refused(base, listener, expected_count):
    port = listener.getsockname()[1]
    load = f"LOAD <http://127.0.0.1:{port}/data.ttl>"
    for response in (
        post_form(base, "/sparql", query=load),
        post_form(base, "/sparql", update=load),
        http(base + "/sparql", load.encode(), {"Content-Type": "application/sparql-update"}),
        post_form(base, "/sparql", query="DROP ALL"),
        get(base, "/sparql", query="INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
    ):
        assert response.status == 400 and "updates are refused" in response.text, response.text
    assert_nobody_connected(listener)
    assert http(base + "/sparql", b"x", {"Content-Type": "text/plain"}, method="PUT").status == 405
    assert count(base) == expected_count


def test_dataset_clauses_are_refused(base):
    for query in ("SELECT * FROM <https://w3id.org/luocdo/ontology> WHERE { ?s ?p ?o }",
                  "SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }"):
        response = get(base, "/sparql", query=query)
        assert response.status == 400 and "FROM and FROM NAMED are refused" in response.text
    response = get(base, "/sparql", query="ASK {}", **{"default-graph-uri": "urn:g"})
    assert response.status == 400 and "default-graph-uri" in response.text


def test_the_check_reads_the_parsed_query_not_its_text():
    # The words in a string or a comment are not syntax: these are plain queries.
    assert check_query('SELECT ("SERVICE <http://127.0.0.1:9/> FROM <urn:x>" AS ?x) WHERE {}') == "select"
    assert check_query("# SERVICE <http://127.0.0.1:9/>\nASK { ?s ?p ?o }") == "ask"
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }") == "construct"
    for bad, message in (("SELECT * WHERE { ?s ?p }", "does not parse"), ("ASK {} ; DROP ALL", "does not parse")):
        with pytest.raises(Exception, match=message):
            check_query(bad)


def test_negotiation():
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", "select") == "xml"
    assert negotiate("application/json;q=0, text/csv", "select") == "csv"
    assert negotiate(None, "describe") == "ttl"
    assert negotiate("application/sparql-results+json", "select", "xml") == "xml"
    assert negotiate("image/png", "select") is None


# -- limits ---------------------------------------------------------------------------------------


def test_a_query_over_the_time_limit_is_cut_off_and_the_server_keeps_answering(quick, expected_count):
    began = time.monotonic()
    response = post_form(quick, "/sparql", query=CROSS_PRODUCT)
    took = time.monotonic() - began
    assert response.status == 503 and "time limit of 0.5 s" in response.text
    assert took < 5, took
    # The one worker was killed; a new one takes its place and the next query is answered.
    assert count(quick) == expected_count
    assert post_form(quick, "/sparql", query=CROSS_PRODUCT).status == 503
    assert count(quick) == expected_count


def test_the_row_cap_truncates_and_says_so(base, expected_count):
    assert expected_count > MAX_ROWS
    response = get(base, "/sparql", query="SELECT * WHERE { ?s ?p ?o }")
    assert len(bindings(response)) == MAX_ROWS
    assert response.headers[TRUNCATED_HEADER] == "true"
    assert response.headers[MAX_ROWS_HEADER] == str(MAX_ROWS)
    assert response.json()["luocdo"] == {"truncated": True, "max_rows": MAX_ROWS}
    as_csv = get(base, "/sparql", "text/csv", query="SELECT * WHERE { ?s ?p ?o }")
    assert len(as_csv.text.strip().splitlines()) == MAX_ROWS + 1 and as_csv.headers[TRUNCATED_HEADER] == "true"
    small = get(base, "/sparql", query=f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}")
    assert len(bindings(small)) == MAX_ROWS
    assert TRUNCATED_HEADER not in small.headers and "luocdo" not in small.json()


# -- the query library ------------------------------------------------------------------------------


def test_named_queries_resolve_their_parameters(base):
    found = bindings(get(base, "/queries/cited-by", doc="2457/QĐ-BGDĐT"))
    labels = [b["label"]["value"] for b in found]
    assert any("sơn la" in label.lower() for label in labels), labels
    library = get(base, "/queries", "application/json").json()
    assert [q["name"] for q in library] == names()
    assert get(base, "/queries/no-such-query").status == 404
    missing = get(base, "/queries/cited-by")
    assert missing.status == 400 and "needs --param doc=" in missing.text
    task = bindings(get(base, "/queries/trace-task-origin", task="171/KH-PGDĐT#7"))
    assert task and task[0]["depth"]["value"] == "1"


def test_an_injection_payload_in_a_parameter_is_data(base, expected_count):
    response = get(base, "/queries/plans-for-school-year", school_year=PAYLOAD)
    assert bindings(response) == []
    response = get(base, "/queries/initiative-mentions", words=PAYLOAD)
    assert bindings(response) == []
    unknown = get(base, "/queries/cited-by", doc=PAYLOAD)
    assert unknown.status == 400 and "no document" in unknown.text
    assert count(base) == expected_count


def test_pages_escape_everything(base):
    home = http(base + "/", headers={"Accept": "text/html"})
    assert home.status == 200 and home.headers["Content-Type"].startswith("text/html")
    for name in names():
        assert f'action="/queries/{name}"' in home.text
    assert "<script" not in home.text
    page = get(base, "/sparql", "text/html", query='SELECT ("<script>alert(1)</script>" AS ?x) WHERE {}')
    assert page.status == 200 and "<script>" not in page.text
    # Three times, escaped: in the query shown, in the cell and in its title attribute.
    assert page.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3
    table = get(base, "/queries/cited-by", "text/html", doc="2457/QĐ-BGDĐT")
    assert "<th>doc</th>" not in table.text and "<th>citing</th>" in table.text
    assert re.search(r"2 rows|\d+ rows", table.text)


def test_views_are_served(base):
    view = get(base, "/views/doc", "text/html", doc="171/KH-PGDĐT")
    assert view.status == 200 and view.headers["Content-Type"].startswith("text/html")
    assert "171/KH-PGDĐT" in view.text
    assert get(base, "/views/doc", "text/html").status == 400
    assert get(base, "/views/nothing", "text/html").status == 404


# -- the command ----------------------------------------------------------------------------------


def test_luocdo_serve_command(tmp_path, seeds, luocdo_bin, clean_env):
    store = tmp_path / "store"
    one = sorted(seeds.iterdir())[1]
    assert CliRunner().invoke(main, ["--store", str(store), "ingest", str(one)]).exit_code == 0
    # Started with SIGINT ignored, as a background job of a script is: Ctrl-C must still stop it.
    process = subprocess.Popen([luocdo_bin, "--store", str(store), "serve", "--port", "0", "--quiet",
                                "--workers", "1"], stderr=subprocess.PIPE, text=True, env=clean_env,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        line = process.stderr.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
        assert match, line
        assert count(match.group(1)) > 0
        # The server holds the store: a writer is told, not let in under its readers.
        busy = CliRunner().invoke(main, ["--store", str(store), "ingest", str(one)])
        assert busy.exit_code == 1 and "in use by process" in busy.output
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(20)
    assert process.returncode == 0
    assert CliRunner().invoke(main, ["--store", str(store), "ingest", str(one)]).exit_code == 0


def test_serve_refuses_an_empty_memory_store():
    result = CliRunner().invoke(main, ["--store", "memory:", "serve", "--port", "0"])
    assert result.exit_code == 1 and "empty store" in result.output
