"""``luocdo serve``: a read-only SPARQL 1.1 Protocol endpoint over the store, with the query library.

Routes (all answer ``OPTIONS`` and carry ``Access-Control-Allow-Origin: *``, so that a YASGUI page
or any browser tool on another origin can use them):

* ``/sparql`` (also ``/query``): the SPARQL 1.1 Protocol, GET ``?query=``, POST form ``query=`` or a
  POST body of type ``application/sparql-query``. Results as SPARQL JSON, XML, CSV or TSV (a
  CONSTRUCT as Turtle, N-Triples, RDF/XML or JSON-LD) by the ``Accept`` header or a ``format=``
  parameter, or an HTML table for a browser;
* ``/queries`` (JSON: the library) and ``/queries/NAME?param=...``: a query of the library, its
  parameters resolved by their declared type (``doc=2457/QĐ-BGDĐT``) and bound as terms;
* ``/views/doc?doc=...``, ``/views/trace?task=...``, ``/views/body?body=...``, ``/views/corpus``:
  the pages of :mod:`luocdo.viz`;
* ``/``: a small page with a SPARQL form, a form per library query and links to the views.

What is refused, with a 400 and one sentence, before anything is evaluated: updates (they do not
parse as queries), ``SERVICE`` (the server must not be made to fetch other addresses), ``FROM`` /
``FROM NAMED`` and the protocol's ``default-graph-uri`` / ``named-graph-uri`` (queries always see the
union of the store's graphs). The check walks rdflib's parse tree of the query, not its text, so a
keyword in a string or a comment cannot fool it either way.

Limits: every query (and view) runs in a worker process with a time limit (``--timeout``); one that
overruns is killed and the worker replaced, so the server keeps answering. pyoxigraph cannot be
interrupted inside a thread: a cross product or a sort runs in Rust until it is done, holding its
thread, so only a process can be cut off. A SELECT gives at most ``--max-rows`` rows; a cut result
says so in the ``Luocdo-Result-Truncated`` header (and in a ``luocdo`` member of SPARQL JSON).

Why Python's ``http.server`` over pyoxigraph rather than the ``oxigraph serve`` binary: the named
queries, the friendly parameters (looked up in the store by :mod:`luocdo.kg.lookup`), the refusal
rules, the row cap and the views are luocdo's, and they live in Python; ``oxigraph serve`` would
also open an update endpoint and run ``SERVICE`` calls. The standard library's threading server
adds no dependency; the heavy work is in the worker processes anyway.

The store is opened read-only (pyoxigraph refuses every write on such a handle) and its lock is
held, so ``luocdo ingest`` waits for the server to stop instead of writing under its readers. A
team that must write while others read shares an Oxigraph server instead (``--store http://...``),
and ``luocdo serve`` can front that one too.

>>> check_query("SELECT * WHERE { ?s ?p ?o }")
'select'
>>> check_query('SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }')
Traceback (most recent call last):
...
luocdo.kg.serve.Refused: SERVICE is refused: this endpoint does not query other endpoints
"""

from __future__ import annotations

import html
import itertools
import json
import multiprocessing
import os
import queue
import signal
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import LuocdoError, QueryError, StoreError

#: Defaults of ``luocdo serve``.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 2
#: Longest request body taken, in bytes (a query, or a form holding one).
MAX_BODY = 1_000_000
#: Seconds a worker may take to start (import pyoxigraph, open the store).
WORKER_START_TIMEOUT = 60.0

#: Response headers that say a result was cut at the row cap.
TRUNCATED_HEADER = "Luocdo-Result-Truncated"
MAX_ROWS_HEADER = "Luocdo-Max-Rows"

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RESULTS = {  # key -> (media type, pyoxigraph format); html is rendered here from JSON
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv; charset=utf-8", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values; charset=utf-8", ox.QueryResultsFormat.TSV),
    "html": ("text/html; charset=utf-8", None),
}
_GRAPHS = {
    "ttl": ("text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "html": ("text/html; charset=utf-8", None),
}
# Media types a client may ask for -> format key, per kind of result.
_RESULT_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                 "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
                 "text/csv": "csv", "text/tab-separated-values": "tsv", "text/html": "html",
                 "application/xhtml+xml": "html"}
_GRAPH_TYPES = {"text/turtle": "ttl", "application/x-turtle": "ttl", "application/n-triples": "nt",
                "text/plain": "nt", "application/rdf+xml": "rdfxml", "application/xml": "rdfxml",
                "application/ld+json": "jsonld", "application/json": "jsonld", "text/html": "html",
                "application/xhtml+xml": "html"}
# ?format= values some clients send (SPARQLWrapper sends format=json, output=json).
_FORMAT_PARAMS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "html": "html",
                  "turtle": "ttl", "ttl": "ttl", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
                  "rdfxml": "rdfxml", "rdf": "rdfxml", "json-ld": "jsonld", "jsonld": "jsonld"}


class Refused(QueryError):
    """A request the endpoint will not run (an update, SERVICE, FROM, ...): HTTP 400."""


class TimedOut(LuocdoError):
    """The query ran past the time limit and its worker was stopped: HTTP 503."""


class Busy(LuocdoError):
    """No worker became free in time: HTTP 503."""


# -- the refusal rules -----------------------------------------------------------------------------

_PARSE_LOCK = threading.Lock()  # pyparsing's packrat cache is shared by all threads


def _names(tree: Any) -> set[str]:
    """Names of every node of an rdflib parse tree (``SelectQuery``, ``ServiceGraphPattern``, ...)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            found.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple) or hasattr(node, "asList"):
            stack.extend(node)
    return found


def check_query(text: str) -> str:
    """The form of a query the endpoint may run (``select``, ``ask``, ``construct``, ``describe``).

    Raises :class:`Refused` for an update, ``SERVICE``, ``FROM``/``FROM NAMED``, or text that is not
    one SPARQL query.

    >>> check_query("DROP ALL")
    Traceback (most recent call last):
    ...
    luocdo.kg.serve.Refused: updates are refused: this endpoint is read-only
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    with _PARSE_LOCK:
        try:
            tree = parseQuery(text)
        except ParseException as e:
            try:
                parseUpdate(text)
            except ParseException:
                raise Refused(f"the query does not parse: {e}") from None
            raise Refused("updates are refused: this endpoint is read-only") from None
        except Exception as e:  # rdflib raises others for bad IRIs or prefixes
            raise Refused(f"the query does not parse: {e}") from None
    names = _names(tree)
    if "ServiceGraphPattern" in names:
        raise Refused("SERVICE is refused: this endpoint does not query other endpoints")
    if "DatasetClause" in names:
        raise Refused("FROM and FROM NAMED are refused: queries see the union of the store's graphs")
    form = tree[1].name
    return {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct",
            "DescribeQuery": "describe"}.get(form, "select")


# -- content negotiation ---------------------------------------------------------------------------


def _accepted(accept: str) -> list[str]:
    """Media types of an Accept header, most wanted first (q=0 dropped; ties keep their order)."""
    ranked = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, i, media))
    return [media for _q, _i, media in sorted(ranked)]


def negotiate(accept: str | None, form: str, format_param: str | None = None) -> str | None:
    """The format key for a result of ``form`` (``select``...), or None if nothing fits (406).

    >>> negotiate("application/sparql-results+xml", "select"), negotiate("*/*", "construct")
    ('xml', 'ttl')
    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", "ask")
    'html'
    """
    graph = form in ("construct", "describe")
    table, default = (_GRAPH_TYPES, "ttl") if graph else (_RESULT_TYPES, "json")
    valid = _GRAPHS if graph else _RESULTS
    if format_param:
        key = _FORMAT_PARAMS.get(format_param.lower())
        if key in valid:
            return key
    if not accept:
        return default
    for media in _accepted(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
    return None


# -- encoding results ------------------------------------------------------------------------------


def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def results_json(variables: list[str], rows: Iterable[tuple[Any, ...]], truncated: bool = False,
                 max_rows: int | None = None) -> bytes:
    """SPARQL 1.1 JSON results; a cut result opens with ``"luocdo": {"truncated": true, ...}``.

    The extra member comes first: SPARQL JSON readers skip members they do not know, and
    pyoxigraph's reader only before ``results``.

    >>> results_json(["n"], [(ox.Literal("1"),)])
    b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}}]}}'
    """
    bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
    doc: dict[str, Any] = {}
    if truncated:
        doc["luocdo"] = {"truncated": True, "max_rows": max_rows}
    doc["head"] = {"vars": variables}
    doc["results"] = {"bindings": bindings}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Answer:
    """What a worker sends back: the body, its media type, and whether the rows were cut."""

    body: bytes
    media_type: str
    truncated: bool = False
    rows: int | None = None


def encode_solutions(variables: list[str], rows: Iterable[tuple[Any, ...]], fmt: str, max_rows: int) -> Answer:
    """Rows (at most ``max_rows`` of them are taken) -> an :class:`Answer` in format ``fmt``.

    ``rows`` may be a lazy iterator: only ``max_rows + 1`` are read, the last one to learn that
    there were more.

    >>> a = encode_solutions(["n"], iter([(ox.Literal("1"),), (ox.Literal("2"),)]), "csv", max_rows=1)
    >>> (a.body, a.truncated)
    (b'n\\r\\n1\\r\\n', True)
    """
    taken = list(itertools.islice(rows, max_rows + 1))
    truncated = len(taken) > max_rows
    taken = taken[:max_rows]
    media, results_format = _RESULTS[fmt]
    if results_format is None or results_format == ox.QueryResultsFormat.JSON:  # html is built from JSON
        body = results_json(variables, taken, truncated, max_rows)
        return Answer(body, _RESULTS["json"][0] if fmt == "html" else media, truncated, len(taken))
    parsed = ox.parse_query_results(results_json(variables, taken), format=ox.QueryResultsFormat.JSON)
    return Answer(parsed.serialize(format=results_format), media, truncated, len(taken))


def encode_boolean(value: bool, fmt: str) -> Answer:
    """An ASK answer in format ``fmt`` (html: as JSON, for the page to render).

    >>> encode_boolean(True, "json").body
    b'{"head": {}, "boolean": true}'
    """
    key = "json" if fmt == "html" else fmt
    media, results_format = _RESULTS[key]
    body = json.dumps({"head": {}, "boolean": bool(value)}).encode("utf-8")
    if results_format != ox.QueryResultsFormat.JSON:
        body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=results_format)
    return Answer(body, media)


def encode_triples(triples: Iterable[ox.Triple], fmt: str, max_rows: int) -> Answer:
    """CONSTRUCT / DESCRIBE triples (at most ``max_rows``) in format ``fmt`` (html: as JSON rows).

    >>> t = ox.Triple(ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p"), ox.Literal("1"))
    >>> encode_triples([t, t], "nt", max_rows=1).body
    b'<https://x/a> <https://x/p> "1" .\\n'
    """
    from .store import PREFIXES

    taken = list(itertools.islice(triples, max_rows + 1))
    truncated = len(taken) > max_rows
    taken = taken[:max_rows]
    if fmt == "html":
        rows = [(t.subject, t.predicate, t.object) for t in taken]
        return Answer(results_json(["subject", "predicate", "object"], rows, truncated, max_rows),
                      _RESULTS["json"][0], truncated, len(taken))
    media, rdf_format = _GRAPHS[fmt]
    prefixes = PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None
    return Answer(ox.serialize(taken, format=rdf_format, prefixes=prefixes), media, truncated, len(taken))


def execute(store: Any, job: dict[str, Any]) -> Answer:
    """Run one job on ``store``: a raw ``pyoxigraph.Store`` (rows streamed) or any luocdo store.

    ``job``: ``{"op": "query", "text", "bindings", "format", "max_rows"}`` or
    ``{"op": "view", "view", "args"}``.

    >>> job = {"op": "query", "text": "SELECT ?x WHERE {}", "bindings": {"x": ox.Literal("1")},
    ...        "format": "tsv", "max_rows": 10}
    >>> execute(ox.Store(), job).body
    b'?x\\n"1"\\n'
    """
    if job["op"] == "view":
        return _view(store, job["view"], job["args"])
    text, bindings, fmt, max_rows = job["text"], job.get("bindings") or {}, job["format"], job["max_rows"]
    if isinstance(store, ox.Store):
        try:
            result = store.query(text,
                                 substitutions={ox.Variable(k): v for k, v in bindings.items()} or None)
        except (SyntaxError, RuntimeError) as e:
            raise QueryError(str(e)) from None
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            variables = list(result.variables)
            rows = (tuple(s[v] for v in variables) for s in result)
            return encode_solutions(names, rows, fmt, max_rows)
        if isinstance(result, ox.QueryBoolean):
            return encode_boolean(bool(result), fmt)
        return encode_triples(result, fmt, max_rows)
    answer = store.query(text, bindings)  # a luocdo store (remote): rows come whole
    if answer.columns == ("ask",):
        return encode_boolean(answer.rows[0][0].value == "true", fmt)
    if answer.columns == ("subject", "predicate", "object") and fmt in _GRAPHS and fmt != "html":
        return encode_triples((ox.Triple(*row) for row in answer.rows), fmt, max_rows)
    return encode_solutions(list(answer.columns), iter(answer.rows), fmt, max_rows)


# -- views -----------------------------------------------------------------------------------------

#: View name -> (parameter name, parameter type) it needs, or None for the corpus overview.
VIEWS: dict[str, tuple[str, str] | None] = {"doc": ("doc", "doc"), "trace": ("task", "task"),
                                            "body": ("body", "body"), "corpus": None}
_VIEW_EXAMPLES = {"doc": "171/KH-PGDĐT", "task": "171/KH-PGDĐT#7", "body": "Sở Giáo dục và Đào tạo tỉnh Sơn La"}


def views_available() -> bool:
    """True when :mod:`luocdo.viz` (and its page renderer) can be imported.

    >>> isinstance(views_available(), bool)
    True
    """
    try:
        from ..viz import graphs, render  # noqa: F401
    except ImportError:
        return False
    return True


def _view(store: Any, view: str, args: dict[str, Any]) -> Answer:
    from ..viz import graphs, render
    from .store import Store

    luocdo_store = Store(store, "worker:") if isinstance(store, ox.Store) else store
    if view == "doc":
        graph = graphs.document_graph(luocdo_store, args["iri"])
    elif view == "trace":
        graph = graphs.trace_graph(luocdo_store, args["iri"])
    elif view == "body":
        graph = graphs.body_graph(luocdo_store, args["iri"])
    else:
        graph = graphs.corpus_graph(luocdo_store)
    return Answer(render.render_html(graph).encode("utf-8"), "text/html; charset=utf-8")


# -- workers ---------------------------------------------------------------------------------------


def _open_source(source: tuple[str, Any]) -> Any:
    kind, value = source
    if kind == "path":
        return ox.Store.read_only(value)
    store = ox.Store()
    store.load(value, format=ox.RdfFormat.N_QUADS)
    return store


def _worker_main(conn: Any, source: tuple[str, Any]) -> None:
    """A worker process: open the store once, then answer jobs until told to stop (``None``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops the workers
    try:
        store = _open_source(source)
    except (OSError, ValueError, SyntaxError) as e:
        conn.send(("error", f"cannot open the store: {e}"))
        return
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send(("ok", execute(store, job)))
        except LuocdoError as e:
            conn.send(("error", 400, str(e)))
        except Exception as e:  # one bad job must not take the worker down
            conn.send(("error", 500, f"{type(e).__name__}: {e}"))


class _Worker:
    def __init__(self, ctx: Any, source: tuple[str, Any]):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, source), daemon=True,
                                   name="luocdo-serve-worker")
        self.process.start()
        child.close()
        if not self.conn.poll(WORKER_START_TIMEOUT):
            self.kill()
            raise StoreError("a query worker did not start in time")
        try:
            hello = self.conn.recv()
        except EOFError:
            self.kill()
            raise StoreError("a query worker died while opening the store") from None
        if hello[0] != "ready":
            self.kill()
            raise StoreError(hello[1])

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(2)
        self.kill()


class ProcessRunner:
    """A pool of worker processes, each with the store open read-only; a job that overruns its time
    limit has its worker killed and replaced (pyoxigraph cannot be interrupted in a thread)."""

    def __init__(self, source: tuple[str, Any], size: int = DEFAULT_WORKERS):
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._source = source
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(max(1, size)):
            self._add(_Worker(self._ctx, source))

    def _add(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

        def start() -> None:
            try:
                self._add(_Worker(self._ctx, self._source))
            except StoreError:
                pass  # the next request waits for a free worker and says so if none comes

        threading.Thread(target=start, name="luocdo-serve-respawn", daemon=True).start()

    def run(self, job: dict[str, Any], timeout: float) -> Answer:
        """Run ``job`` on a free worker within ``timeout`` seconds."""
        try:
            worker = self._idle.get(timeout=timeout + WORKER_START_TIMEOUT)
        except queue.Empty:
            raise Busy("every query worker is busy; try again") from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout):
                self._replace(worker)
                raise TimedOut(f"the query ran past the time limit of {timeout:g} s and was stopped")
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            raise StoreError("the query worker died (out of memory?); it has been replaced") from None
        self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        status, message = reply[1], reply[2]
        raise (QueryError(message) if status == 400 else StoreError(message))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


class ThreadRunner:
    """Jobs on a remote store: the work happens on the endpoint, so a thread can wait for it and
    give up at the time limit (the request then ends at the store's own HTTP timeout)."""

    def __init__(self, store: Any, size: int = DEFAULT_WORKERS):
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=max(1, size), thread_name_prefix="luocdo-serve")

    def run(self, job: dict[str, Any], timeout: float) -> Answer:
        future = self._pool.submit(execute, self._store, job)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            raise TimedOut(f"the query ran past the time limit of {timeout:g} s") from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# -- the endpoint ----------------------------------------------------------------------------------


@dataclass
class Endpoint:
    """What the request handlers share: the store (for lookups), the runner, the limits."""

    store: Any
    runner: Any
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    on_close: Callable[[], None] | None = None

    @classmethod
    def open(cls, store: Any, timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
             workers: int = DEFAULT_WORKERS) -> Endpoint:
        """An endpoint over ``store``: a URL (a store directory, or ``http(s)://`` for a remote one)
        or an open in-memory :class:`~luocdo.kg.store.Store` (its quads are copied to the workers).

        For example (it starts worker processes, so it is not run here)::

            endpoint = Endpoint.open("./luocdo-data", timeout=10, max_rows=10_000)
            endpoint.run_query("ASK { ?s ?p ?o }", "json").body   # b'{"head": {}, "boolean": true}'
            endpoint.close()
        """
        from .store import Store, _DirectoryLock

        if isinstance(store, str) and store.startswith(("http://", "https://")):
            from .remote import RemoteStore

            remote = RemoteStore.open(store)
            remote.timeout = timeout + 5  # a given-up request still ends soon after the limit
            return cls(remote, ThreadRunner(remote, workers), timeout, max_rows)
        if isinstance(store, Store):
            if store.url != "memory:":
                raise StoreError("serve an on-disk store by its URL, so that it can be opened read-only")
            data = store.backend.dump(format=ox.RdfFormat.N_QUADS)
            return cls(store, ProcessRunner(("nquads", data), workers), timeout, max_rows)
        url = os.fspath(store)
        if url == "memory:":
            raise StoreError("'memory:' is an empty store: serve a store directory (luocdo ingest first)")
        directory = Path(url[len("file:"):] if url.startswith("file:") else url).expanduser()
        if not (directory / "CURRENT").exists():
            raise StoreError(f"there is no store at {url!r} (run 'luocdo ingest' first)")
        lock = _DirectoryLock(directory)
        lock.acquire()  # no writer may run under the readers: pyoxigraph leaves that undefined
        try:
            lookups = Store(ox.Store.read_only(str(directory)), url)
            runner = ProcessRunner(("path", str(directory)), workers)
        except (OSError, StoreError) as e:
            lock.release()
            raise StoreError(f"cannot open the store {url!r} read-only: {e}") from None

        def release() -> None:
            lookups.close()  # drop the read-only handle before the lock is given back
            lock.release()

        return cls(lookups, runner, timeout, max_rows, on_close=release)

    def close(self) -> None:
        """Stop the workers and release the store."""
        self.runner.close()
        if self.on_close is not None:
            self.on_close()
            self.on_close = None

    def run_query(self, text: str, fmt: str, bindings: dict[str, Any] | None = None) -> Answer:
        """Run a checked query (or a library query with its bound terms) under the limits."""
        return self.runner.run({"op": "query", "text": text, "bindings": bindings or {}, "format": fmt,
                                "max_rows": self.max_rows}, self.timeout)

    def run_view(self, view: str, values: dict[str, str]) -> Answer:
        """A page of :mod:`luocdo.viz`, its parameter resolved like a query's."""
        from luocdo.queries.params import to_term

        from .params import StoreResolver

        needs = VIEWS[view]
        args: dict[str, Any] = {}
        if needs is not None:
            name, type_ = needs
            if not values.get(name):
                raise Refused(f"the {view} view needs ?{name}=...")
            args["iri"] = to_term(values[name], type_, name, StoreResolver(self.store)).value
        return self.runner.run({"op": "view", "view": view, "args": args}, self.timeout)


# -- HTML ------------------------------------------------------------------------------------------

_STYLE = """body{font-family:system-ui,sans-serif;margin:1.5em;max-width:90em}pre{white-space:pre-wrap}
textarea{width:100%;font-family:monospace}table{border-collapse:collapse;font-size:90%}
td,th{border:1px solid #ccc;padding:.2em .4em;vertical-align:top;text-align:left}
form.q{margin:.6em 0;padding:.4em;border-left:3px solid #ddd}code{background:#f4f4f4}"""

_EXAMPLE = """PREFIX lo: <https://w3id.org/luocdo/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?doc ?label WHERE { ?doc a lo:Plan ; rdfs:label ?label } LIMIT 20"""


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>{body}</body></html>\n").encode()


def _short(term: Any) -> str:
    from .store import PREFIXES

    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{prefix}:{term.value[len(ns):]}"
        return term.value
    return term.value if isinstance(term, ox.Literal | ox.BlankNode) else str(term)


def results_page(title: str, query_text: str, answer: Answer, hide: Iterable[str] = ()) -> bytes:
    """An HTML table of a JSON answer; every value is escaped."""
    parsed = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if isinstance(parsed, ox.QueryBoolean):
        parts.append(f"<p>Answer: <b>{'true' if bool(parsed) else 'false'}</b></p>")
    else:
        hidden = set(hide)
        variables = [v for v in parsed.variables if v.value not in hidden]
        rows = [[s[v] for v in variables] for s in parsed]
        head = "".join(f"<th>{html.escape(v.value)}</th>" for v in variables)
        body = "".join("<tr>" + "".join(
            f'<td title="{html.escape(getattr(t, "value", ""), quote=True)}">'
            f"{html.escape(_short(t)) if t is not None else ''}</td>" for t in row) + "</tr>" for row in rows)
        note = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
        if answer.truncated:
            note += " — cut at the row limit"
        parts.append(f"<p>{note}</p><table><tr>{head}</tr>{body}</table>")
    parts.append(f"<details><summary>SPARQL</summary><pre>{html.escape(query_text)}</pre></details>")
    parts.append('<p><a href="/">← luocdo</a></p>')
    return _page(title, "".join(parts))


def home_page() -> bytes:
    """``/``: a SPARQL form, a form per library query, and the views; every text escaped."""
    from luocdo.queries import load, names

    e = html.escape
    parts = ["<h1>luocdo SPARQL endpoint</h1>",
             "<p>Read-only. SPARQL 1.1 Protocol at <code>/sparql</code>; the query library at "
             "<code>/queries</code>. Queries see the merge of all graphs.</p>",
             '<form action="/sparql" method="get"><textarea name="query" rows="8">'
             f'{e(_EXAMPLE)}</textarea><br><button>Run</button></form>', "<h2>Query library</h2>"]
    for name in names():
        q = load(name)
        inputs = "".join(
            f'<label>{e(p.name)} ({e(p.type)}{", optional" if p.name in q.optional else ""}) '
            f'<input name="{e(p.name, quote=True)}" placeholder="{e(p.example or "", quote=True)}"'
            f'{"" if p.name in q.optional else " required"}></label> ' for p in q.params)
        parts.append(f'<form class="q" action="/queries/{e(name, quote=True)}" method="get">'
                     f"<b>{e(name)}</b>: {e(q.summary)}<br>{inputs}<button>Run</button></form>")
    if views_available():
        parts.append("<h2>Views</h2>")
        for view, needs in VIEWS.items():
            field = (f'<input name="{e(needs[0], quote=True)}" placeholder="{e(_VIEW_EXAMPLES[needs[1]], quote=True)}"'
                     " required> " if needs else "")
            parts.append(f'<form class="q" action="/views/{e(view, quote=True)}" method="get">'
                         f"<b>{e(view)}</b> {field}<button>Open</button></form>")
    return _page("luocdo", "".join(parts))


# -- HTTP ------------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    """One request: route it, apply the rules, answer (errors as one line of text)."""

    server: LuocdoServer
    protocol_version = "HTTP/1.1"
    server_version = "luocdo-serve"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(format % args)

    # -- responses --------------------------------------------------------------------------
    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", f"{TRUNCATED_HEADER}, {MAX_ROWS_HEADER}")

    def _send(self, status: int, body: bytes, media_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self._cors()
        if media_type.startswith("text/html"):
            # Our own pages need no script; a view page sets its own policy in a meta tag.
            self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(status, f"luocdo: {message}\n".encode(), "text/plain; charset=utf-8")

    def _answer(self, answer: Answer, fmt: str, title: str, query_text: str, hide: Iterable[str] = ()) -> None:
        headers = {MAX_ROWS_HEADER: str(self.server.endpoint.max_rows)}
        if answer.truncated:
            headers[TRUNCATED_HEADER] = "true"
        if fmt == "html" and answer.media_type.startswith(_RESULTS["json"][0]):
            self._send(200, results_page(title, query_text, answer, hide), _RESULTS["html"][0], headers)
        else:
            self._send(200, answer.body, answer.media_type, headers)

    # -- methods ----------------------------------------------------------------------------
    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Allow", "GET, POST, OPTIONS")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._route(None)

    def do_HEAD(self) -> None:
        self._route(None)

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length")
        try:
            size = int(length) if length is not None else -1
        except ValueError:
            size = -1
        if size < 0:
            self.close_connection = True
            self._error(411, "a POST needs a Content-Length")
            return
        if size > MAX_BODY:
            self.close_connection = True  # the body is left unread: this connection cannot go on
            self._error(413, f"the request body is over {MAX_BODY} bytes")
            return
        self._route(self.rfile.read(size))

    def _not_allowed(self) -> None:
        self._error(405, "this endpoint is read-only: GET, POST (queries) and OPTIONS only")

    do_PUT = do_DELETE = do_PATCH = _not_allowed

    # -- routing ----------------------------------------------------------------------------
    def _route(self, body: bytes | None) -> None:
        # http.server reads the request line as Latin-1; a client that sends UTF-8 unescaped
        # ("?doc=2457/QĐ-BGDĐT" from curl) gets its text back this way.
        path = self.path.encode("latin-1", "replace").decode("utf-8", "replace")
        url = urllib.parse.urlsplit(path)
        try:
            params = urllib.parse.parse_qs(url.query, keep_blank_values=True, max_num_fields=200)
            path = url.path.rstrip("/") or "/"
            if path == "/":
                self._send(200, home_page(), _RESULTS["html"][0])
            elif path in ("/sparql", "/query"):
                self._sparql(params, body)
            elif path == "/queries":
                self._library()
            elif path.startswith("/queries/"):
                self._named(path[len("/queries/"):], params, body)
            elif path.startswith("/views/"):
                self._view(path[len("/views/"):], params)
            else:
                self._error(404, f"no such page {url.path!r} (try /, /sparql or /queries)")
        except Refused as e:
            self._error(400, str(e))
        except (TimedOut, Busy) as e:
            self._error(503, str(e))
        except (QueryError, LuocdoError) as e:
            status = 500 if isinstance(e, StoreError) else 400
            self._error(status, str(e))
        except ValueError as e:  # a malformed query string or form
            self._error(400, f"bad request: {e}")

    def _form(self, body: bytes | None) -> dict[str, list[str]]:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body is None or ctype != "application/x-www-form-urlencoded":
            return {}
        return urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200)

    def _sparql(self, params: dict[str, list[str]], body: bytes | None) -> None:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        fields = {**params}
        if body is not None:
            if ctype == "application/sparql-update":
                raise Refused("updates are refused: this endpoint is read-only")
            if ctype == "application/sparql-query":
                fields["query"] = [*fields.get("query", []), body.decode("utf-8")]
            elif ctype == "application/x-www-form-urlencoded":
                for k, v in self._form(body).items():
                    fields[k] = [*fields.get(k, []), *v]
            else:
                self._error(415, f"POST a query as application/sparql-query or a form, not {ctype!r}")
                return
        if "update" in fields:
            raise Refused("updates are refused: this endpoint is read-only")
        if "default-graph-uri" in fields or "named-graph-uri" in fields:
            raise Refused("default-graph-uri and named-graph-uri are refused: queries see the union "
                          "of the store's graphs")
        texts = fields.get("query", [])
        if len(texts) != 1 or not texts[0].strip():
            raise Refused("give exactly one query (query=... or a POST body)")
        text = texts[0]
        form = check_query(text)
        fmt = negotiate(self.headers.get("Accept"), form, (fields.get("format") or fields.get("output") or [None])[0])
        if fmt is None:
            self._error(406, f"cannot answer a {form.upper()} as {self.headers.get('Accept')!r}")
            return
        self._answer(self.server.endpoint.run_query(text, fmt), fmt, "SPARQL", text)

    def _library(self) -> None:
        from luocdo.queries import load, names

        out = []
        for name in names():
            q = load(name)
            out.append({"name": name, "summary": q.summary, "url": f"/queries/{name}", "columns": list(q.columns),
                        "params": [{"name": p.name, "type": p.type, "example": p.example,
                                    "optional": p.name in q.optional} for p in q.params]})
        self._send(200, json.dumps(out, ensure_ascii=False, indent=2).encode("utf-8"),
                   "application/json; charset=utf-8")

    def _named(self, name: str, params: dict[str, list[str]], body: bytes | None) -> None:
        from luocdo.queries import load, names

        from .params import bind

        if name not in names():
            self._error(404, f"no query named {name!r} (see /queries)")
            return
        q = load(name)
        fields = {**params}
        for k, v in self._form(body).items():
            fields[k] = [*fields.get(k, []), *v]
        fmt = negotiate(self.headers.get("Accept"), "select", (fields.pop("format", None) or [None])[0])
        fields.pop("output", None)
        if fmt is None:
            self._error(406, f"cannot answer as {self.headers.get('Accept')!r}")
            return
        values = {}
        for k, v in fields.items():
            if len(v) != 1:
                raise Refused(f"give ?{k}= once")
            if v[0] != "" or k not in q.optional:  # an empty optional field of the form means "any"
                values[k] = v[0]
        bindings = bind(self.server.endpoint.store, q, values)
        answer = self.server.endpoint.run_query(q.text, fmt, bindings)
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        self._answer(answer, fmt, f"{name}({shown})", q.text, hide=q.param_names)

    def _view(self, view: str, params: dict[str, list[str]]) -> None:
        if view not in VIEWS or not views_available():
            self._error(404, f"no view {view!r} (views: {', '.join(VIEWS)})")
            return
        answer = self.server.endpoint.run_view(view, {k: v[0] for k, v in params.items() if v})
        self._send(200, answer.body, answer.media_type)


class LuocdoServer(ThreadingHTTPServer):
    """The HTTP server; ``endpoint`` holds the store and the workers. Close it after ``shutdown()``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], endpoint: Endpoint, log: Callable[[str], None] | None = None):
        super().__init__(address, Handler)
        self.endpoint = endpoint
        self.log = log

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8000``."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def server_close(self) -> None:
        super().server_close()
        self.endpoint.close()


def make_server(store: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, timeout: float = DEFAULT_TIMEOUT,
                max_rows: int = DEFAULT_MAX_ROWS, workers: int = DEFAULT_WORKERS,
                log: Callable[[str], None] | None = None) -> LuocdoServer:
    """A server over ``store`` (see :meth:`Endpoint.open`) bound to ``host:port`` (0: any free port).

    Call ``serve_forever()``, then ``shutdown()`` and ``server_close()``; for example (not run here,
    it starts worker processes)::

        server = make_server("./luocdo-data", port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        urllib.request.urlopen(server.url + "/sparql?query=ASK%7B%7D").read()
        server.shutdown(); server.server_close()
    """
    endpoint = Endpoint.open(store, timeout=timeout, max_rows=max_rows, workers=workers)
    try:
        return LuocdoServer((host, port), endpoint, log)
    except OSError as e:
        endpoint.close()
        raise StoreError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


__all__ = ["Answer", "Endpoint", "LuocdoServer", "Refused", "check_query", "make_server", "negotiate"]
