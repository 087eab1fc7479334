"""A store on a remote SPARQL 1.1 endpoint, so that a team can share one graph.

``open_store("http://127.0.0.1:7878")`` (an Oxigraph server's base URL: its ``/query`` and ``/update``
are used) or ``open_store("http://host:3030/ds/query")`` (a query endpoint; the update endpoint is the
same path ending in ``/update``) gives a :class:`RemoteStore`, which has the interface of
:class:`luocdo.kg.store.Store`. An update endpoint elsewhere is named after ``#update=``:
``http://host/sparql#update=http://host/sparql/statements`` (a fragment never reaches the server).

Writing: :meth:`RemoteStore.replace_graph` sends ``DROP SILENT GRAPH <g> ; INSERT DATA {...}`` as
ONE update request, which SPARQL 1.1 runs as one unit, so readers never see half a file. Terms are
written in N-Triples syntax by pyoxigraph (``str(term)`` escapes quotes, backslashes and newlines).

Reading: queries see the merge of all named graphs as their default graph, as on the local store,
because every write keeps the endpoint's default graph that merge (the updates of
:meth:`Store.replace_graph`), so queries are sent as they are, with no dataset parameters.
Endpoints have no Oxigraph substitutions, so bindings travel as a ``VALUES`` block of serialised
terms put at the top of the WHERE clause (:func:`with_values`), never as pasted text.

>>> import pyoxigraph as ox
>>> with_values("SELECT ?doc WHERE { ?doc ?p ?o }", {"doc": ox.NamedNode("https://x/d")})
'SELECT ?doc WHERE { VALUES (?doc) { (<https://x/d>) } ?doc ?p ?o }'
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from . import iri
from .errors import QueryError, StoreError
from .store import FORMATS, PREFIXES, QueryResult, Store, _atomic_write

#: Seconds to wait for the endpoint before giving up on a request.
DEFAULT_TIMEOUT = 120.0

_JSON = "application/sparql-results+json"
_ACCEPT = f"{_JSON}, application/n-triples;q=0.9, text/turtle;q=0.8"
_XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")

# One token of SPARQL text, enough to find the WHERE clause's brace: comments, strings (long ones
# first) and IRIs are skipped whole, so a "{" or a "SELECT" inside them is never taken for syntax.
# An IRI has no spaces, which tells "<http://x>" from the "<" of "?a < ?b".
_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<word>[?$]?[A-Za-z_][\w-]*(?::[\w.-]*)?)
  | (?P<space>\s+)
  | (?P<other>.)
''', re.X | re.S)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def _tokens(sparql: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of every significant token (no spaces, no comments)."""
    out = []
    for m in _TOKEN.finditer(sparql):
        kind = m.lastgroup or "other"
        if kind not in ("space", "comment"):
            out.append((kind, m.group(), m.start()))
    return out


def _where_brace(sparql: str) -> int | None:
    """Offset just after the ``{`` that opens the query's WHERE clause, or None when a VALUES block
    cannot go there (``CONSTRUCT WHERE``, whose group is also the template, or a WHERE clause that is
    one sub-select)."""
    toks = _tokens(sparql)
    i = next((k for k, t in enumerate(toks) if t[0] == "word" and t[1].upper() in _FORMS), None)
    if i is None:
        return None
    form = toks[i][1].upper()
    i += 1
    if form == "CONSTRUCT":
        if i < len(toks) and toks[i][0] == "word" and toks[i][1].upper() == "WHERE":
            return None
        if i < len(toks) and toks[i][0] == "open":  # the template: skip to its closing brace
            depth = 0
            for k in range(i, len(toks)):
                depth += {"open": 1, "close": -1}.get(toks[k][0], 0)
                if depth == 0:
                    i = k + 1
                    break
    for k in range(i, len(toks)):
        if toks[k][0] == "open":
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if nxt is not None and nxt[0] == "word" and nxt[1].upper() == "SELECT":
                return None
            return toks[k][2] + 1
    return None


def values_block(bindings: Mapping[str, Any]) -> str:
    """``VALUES (?a ?b) { (t1 t2) }`` from terms, each in its N-Triples form.

    >>> values_block({"n": ox.Literal('" } ; DROP ALL #')})
    'VALUES (?n) { ("\\\\" } ; DROP ALL #") }'
    """
    names, terms = [], []
    for name, term in bindings.items():
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise QueryError(f"{name!r} is not a variable name")
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise QueryError(f"?{name}: only IRIs and literals can be bound on a remote store, not {term!r}")
        names.append(f"?{name}")
        terms.append(str(term))  # N-Triples syntax, quotes and newlines escaped by pyoxigraph
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def with_values(sparql: str, bindings: Mapping[str, Any] | None) -> str:
    """The query with ``bindings`` joined in as a VALUES block at the top of its WHERE clause.

    There the values reach every FILTER of the outermost group, as Oxigraph's substitutions do;
    where a VALUES block cannot stand (``CONSTRUCT WHERE``, a WHERE that is one sub-select) it is
    appended after the query, which SPARQL joins with the whole result.

    >>> with_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": ox.NamedNode("https://x/s")})
    'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<https://x/s>) } ?s ?p ?o }'
    """
    if not bindings:
        return sparql
    block = values_block(bindings)
    at = _where_brace(sparql)
    if at is None:
        return f"{sparql}\n{block}\n"
    return f"{sparql[:at]} {block}{sparql[at:]}"


def endpoints(url: str) -> tuple[str, str]:
    """(query URL, update URL) from what ``--store`` names.

    >>> endpoints("http://127.0.0.1:7878")
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update')
    >>> endpoints("http://h:3030/ds/query")
    ('http://h:3030/ds/query', 'http://h:3030/ds/update')
    >>> endpoints("http://h/sparql#update=http://h/sparql/statements")
    ('http://h/sparql', 'http://h/sparql/statements')
    """
    base, _sep, fragment = url.partition("#")
    explicit = urllib.parse.parse_qs(fragment).get("update", [None])[0] if fragment else None
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreError(f"store {url!r} is not an http(s) URL")
    path = parts.path.rstrip("/")
    if not path:
        query, update = f"{base.rstrip('/')}/query", f"{base.rstrip('/')}/update"
    elif path.endswith("/query"):
        query = base
        update = urllib.parse.urlunsplit(parts._replace(path=path[: -len("query")] + "update"))
    else:
        query = update = base  # SPARQL 1.1 lets one URL take both, told apart by the content type
    return query, explicit or update


class RemoteStore:
    """The store interface over HTTP (SPARQL 1.1 Protocol); see the module docstring.

    The operations built only on the primitives (``replace_graph``, ``remove_graph``,
    ``update_derived``, ``load_ontology``, ``stats``, ``validate``) are the very functions of
    :class:`~luocdo.kg.store.Store`, so that the two stores cannot drift apart; this class supplies
    the primitives: ``_update``, ``query``, ``graphs``, ``quad_count``, ``union_triples``, ``export``.
    """

    replace_graph = Store.replace_graph
    remove_graph = Store.remove_graph
    update_derived = Store.update_derived
    set_values = Store.set_values
    rewrite_graph = Store.rewrite_graph
    _apply_difference = Store._apply_difference
    load_ontology = Store.load_ontology
    stats = Store.stats
    validate = Store.validate

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT):
        self.url = url
        self.query_url, self.update_url = endpoints(url)
        self.timeout = timeout

    @classmethod
    def open(cls, url: str, create: bool = True) -> RemoteStore:
        """Connect to the endpoint and check that it answers (``create`` has nothing to make here).

        Raises :class:`~luocdo.kg.errors.StoreError` when nothing answers at ``url``.

        >>> RemoteStore.open("http://127.0.0.1:1")
        Traceback (most recent call last):
        ...
        luocdo.kg.errors.StoreError: cannot reach the store 'http://127.0.0.1:1': [Errno 111] Connection refused
        """
        store = cls(url)
        store._request(store.query_url, {"query": "ASK {}"}, _JSON)
        return store

    def _add_new_graph(self, g: ox.NamedNode, quads: list[ox.Quad]) -> bool:
        """Over HTTP every write is a SPARQL update: :meth:`Store.replace_graph` sends one."""
        return False

    def _replace_by_difference(self, g: ox.NamedNode, quads: list[ox.Quad]) -> bool:
        """Reading the graph back to compare would cost what it saves: the whole update is sent."""
        return False

    def _remove_in_parts(self, g: ox.NamedNode) -> bool:
        """Over HTTP a graph is removed by one update, whatever its size."""
        return False

    def _bulk_new_graph(self, g: ox.NamedNode, head: list[ox.Quad], rest: Iterator[ox.Quad]) -> bool:
        """No bulk loader over HTTP: a large graph is one update, like any other."""
        return False

    def add_graph_nquads(self, graph_iri: str, parts: list[bytes]) -> bool:
        """No bulk loader over HTTP: the caller replaces the graph by an update instead."""
        return False

    def _replace_large_by_difference(self, g: ox.NamedNode, head: list[ox.Quad], rest: Iterator[ox.Quad]) -> bool:
        """As :meth:`_replace_by_difference`: the whole update is sent."""
        return False

    def close(self) -> None:
        """Nothing to release: every request is its own connection.

        >>> RemoteStore("http://127.0.0.1:7878").close()
        """

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP ---------------------------------------------------------------------------------
    def _request(self, url: str, form: Mapping[str, str | list[str]] | None, accept: str,
                 body: bytes | None = None, content_type: str | None = None) -> tuple[bytes, str]:
        """POST a form (or a body) and return (bytes, content type); errors become luocdo errors."""
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode("utf-8")
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": content_type or "", "Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read(), response.headers.get("Content-Type") or ""
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace").strip()[:500]
            if e.code in (400, 422):
                raise QueryError(f"the endpoint refused the request: {detail or e.reason}") from None
            raise StoreError(f"the store {self.url!r} answered {e.code} {e.reason}: {detail}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise StoreError(f"cannot reach the store {self.url!r}: {reason}") from None

    def _update(self, sparql: str) -> None:
        self._request(self.update_url, None, "*/*", sparql.encode("utf-8"), "application/sparql-update")

    def _run(self, sparql: str) -> Any:
        """Send a query; a SELECT or ASK comes back as pyoxigraph results, a CONSTRUCT as triples."""
        form: dict[str, Any] = {"query": sparql}
        data, content_type = self._request(self.query_url, form, _ACCEPT)
        media = content_type.split(";")[0].strip().lower()
        try:
            results_format = ox.QueryResultsFormat.from_media_type(media)
            if results_format is not None:
                return ox.parse_query_results(data, format=results_format)
            rdf_format = ox.RdfFormat.from_media_type(media)
            if rdf_format is not None:
                return list(ox.parse(data, format=rdf_format))
        except SyntaxError as e:
            raise StoreError(f"the store {self.url!r} sent results that do not parse: {e}") from None
        raise StoreError(f"the store {self.url!r} sent {media or 'no content type'!r}, not SPARQL results")

    # -- the store interface -------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> QueryResult:
        """Run a query over the merge of all graphs; ``bindings`` travel as a VALUES block of terms.

        On an Oxigraph server holding the seeds (not run here)::

            store.query("SELECT ?doc ?n WHERE { ?doc lo:number ?n }", {"n": ox.Literal("171/KH-PGDĐT")})
            # QueryResult(columns=('doc', 'n'), rows=[(<NamedNode ...171-kh-pgddt>, <Literal ...>)])
        """
        result = self._run(with_values(sparql, bindings))
        if isinstance(result, ox.QuerySolutions):
            columns = tuple(v.value for v in result.variables)
            return QueryResult(columns, [tuple(solution[v] for v in result.variables) for solution in result])
        if isinstance(result, ox.QueryBoolean):
            answer = ox.Literal("true" if bool(result) else "false", datatype=_XSD_BOOLEAN)
            return QueryResult(("ask",), [(answer,)])
        return QueryResult(("subject", "predicate", "object"), [(t.subject, t.predicate, t.object) for t in result])

    def solutions(self, sparql: str) -> Iterator[tuple[Any, ...]]:
        """The rows of a SELECT query one at a time (:meth:`Store.solutions`), parsed as they come."""
        result = self._run(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("the query is not a SELECT query")
        variables = result.variables
        for solution in result:
            yield tuple(solution[v] for v in variables)

    def pairs(self, predicate: str, obj: ox.NamedNode | None = None) -> Iterator[tuple[str, Any]]:
        """(subject, object) of the triples with ``predicate`` (and ``obj``), like :meth:`Store.pairs`,
        asked as one single-pattern query of the endpoint's default graph."""
        if obj is None:
            for s, o in self.solutions(f"SELECT ?s ?o WHERE {{ ?s {ox.NamedNode(predicate)} ?o }}"):
                yield s.value, o
        else:
            for (s,) in self.solutions(f"SELECT ?s WHERE {{ ?s {ox.NamedNode(predicate)} {obj} }}"):
                yield s.value, obj

    def objects(self, subject: str, predicate: str) -> list[Any]:
        """The objects of ``subject``'s ``predicate`` triples, like :meth:`Store.objects` (in the
        endpoint's order)."""
        return [o for (o,) in self.solutions(
            f"SELECT ?o WHERE {{ {ox.NamedNode(subject)} {ox.NamedNode(predicate)} ?o }}")]

    def graph_lines(self, graph_iri: str) -> list[bytes]:
        """The N-Triples lines of one named graph, like :meth:`Store.graph_lines`."""
        rows = self.solutions(f"SELECT ?s ?p ?o WHERE {{ GRAPH {ox.NamedNode(graph_iri)} {{ ?s ?p ?o }} }}")
        return [f"{s} {p} {o} .".encode() for s, p, o in rows]

    def graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted (like :meth:`Store.graphs`), e.g.
        ``['https://w3id.org/luocdo/id/graph/derivations', ...]``."""
        result = self._run("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(s["g"].value for s in result if isinstance(s["g"], ox.NamedNode))

    def quad_count(self) -> int:
        """Number of quads in the named graphs (the default graph is their merge), e.g. ``3301`` for the seeds."""
        q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        return int(next(iter(self._run(q)))["n"].value)

    def _quads(self) -> list[ox.Quad]:
        q = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        return [ox.Quad(s["s"], s["p"], s["o"], s["g"]) for s in self._run(q)]

    def union_triples(self) -> list[ox.Triple]:
        """Every triple of every graph, once (the union graph): what ``validate`` checks."""
        return list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in self._quads()))

    def export(self, fmt: str, out_path: str | os.PathLike[str] | None = None,
               with_ontology: bool = False) -> bytes | None:
        """Serialise the remote graph like :meth:`Store.export` (``with_ontology``: the packaged one),
        e.g. ``store.export("nq", "shared.nq", with_ontology=True)``."""
        try:
            rdf_format = FORMATS[fmt]
        except KeyError:
            raise StoreError(f"unknown export format {fmt!r} (expected {', '.join(FORMATS)})") from None
        quads = self._quads()
        if with_ontology:
            from ..ontology import ONTOLOGY_PATH

            graph = ox.NamedNode(iri.ONTOLOGY_GRAPH)
            ontology = [ox.Quad(t.subject, t.predicate, t.object, graph)
                        for t in ox.parse(path=ONTOLOGY_PATH, format=ox.RdfFormat.TURTLE)]
            quads = ontology + [q for q in quads if q.graph_name != graph]
        prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        try:
            if rdf_format.supports_datasets:
                data = ox.serialize(quads, format=rdf_format, prefixes=prefixes)
            else:
                triples = dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
                data = ox.serialize(list(triples), format=rdf_format, prefixes=prefixes)
        except (OSError, ValueError) as e:
            raise StoreError(f"cannot export the store {self.url!r}: {e}") from None
        if out_path is None:
            return data
        try:
            _atomic_write(out_path, data)
        except OSError as e:
            raise StoreError(f"cannot write {os.fspath(out_path)!r}: {e.strerror or e}") from None
        return None
