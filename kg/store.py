"""The store: one small interface over pyoxigraph, on disk or in memory.

``open_store(url)`` picks the backend from a URL-like string: ``memory:`` for an in-memory store
(tests), anything else (optionally ``file:``-prefixed) a directory holding an on-disk Oxigraph
store. Each source file is one named graph (``iri.source_graph``), replaced atomically; the
ontology lives in ``iri.ONTOLOGY_GRAPH`` and the derived ``lo:stub`` flags in ``iri.DERIVED_GRAPH``.

Queries see the RDF merge of all named graphs as their default graph, and the store keeps that
merge as its real default graph, written in the same transaction as the named graph it follows
(:func:`_unmerge` / :func:`_merge`). It cannot be Oxigraph's union default graph: that repeats a
triple once per graph holding it, and every file repeats the facts of the bodies and documents it
names, so a query joining five facts of the ministry's plan, cited by N files, met N^5 rows.

>>> from pyoxigraph import Literal, NamedNode, Quad
>>> store = open_store("memory:")
>>> g = "https://w3id.org/luocdo/id/source/a-txt-0"
>>> store.replace_graph(g, [Quad(NamedNode("https://x/a"), NamedNode("https://x/p"), Literal("1"))])
>>> store.replace_graph(g + "b", [Quad(NamedNode("https://x/a"), NamedNode("https://x/p"), Literal("1"))])
>>> [row[0].value for row in store.query("SELECT ?o WHERE { ?s ?p ?o }").rows]
['1']
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import iri
from .errors import LuocdoError, ParseError, QueryError, ReadError, StoreError

try:  # advisory locks are POSIX; elsewhere RocksDB's own lock still refuses a second writer
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: The default on-disk store of the CLI.
DEFAULT_URL = "./luocdo-data"
#: The lock file inside an on-disk store: it holds the pid of the process that has the store open.
LOCK_NAME = "luocdo.lock"

#: Export formats -> pyoxigraph formats. ttl and nt hold the union graph; nq, trig and jsonld keep graphs.
FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}

#: Prefixes written into Turtle exports.
PREFIXES: dict[str, str] = {
    "lo": iri.LO,
    "id": iri.BASE,
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_DEFAULT = ox.DefaultGraph()
#: A new graph of more quads than this is written by the bulk loader (see Store._add_new_graph).
BULK_GRAPH = 50_000


def _unmerge(g: ox.NamedNode) -> str:
    """Update text: take out of the default graph the triples only ``g`` holds (before ``g`` changes)."""
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }}\n"
            f"  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {g}) }} }}")


def _merge(g: ox.NamedNode) -> str:
    """Update text: put ``g``'s triples into the default graph (after ``g`` changed)."""
    return f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}"


def merged_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """N-Quads of ``quads`` (all in named graphs, as :func:`~luocdo.kg.triples.to_triples` gives)
    and, once each, their triples in the default graph: the input of :meth:`Store.bulk_load`.

    Made from the text, not from term objects (a third of a first ingest's writing time went to
    building the merge's quads in Python): a line ends with its graph's IRI, which holds no space,
    so the line without its last term is the triple. Ingest workers call it beside the parser.

    >>> a, p, g = ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p"), ox.NamedNode("https://x/g")
    >>> print(merged_nquads([ox.Quad(a, p, ox.Literal("x y"), g)]).decode(), end="")
    <https://x/a> <https://x/p> "x y" <https://x/g> .
    <https://x/a> <https://x/p> "x y" .
    """
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return data + b"".join(t + b"\n" for t in dict.fromkeys(_triple_lines(data)))


def _triple_lines(nquads: bytes) -> list[bytes]:
    """The N-Triples lines (``s p o .``) of N-Quads lines that all name a graph."""
    return [line.rsplit(b" ", 2)[0] + b" ." for line in nquads.splitlines()]


def _difference(old: Iterable[bytes], new: Iterable[bytes]) -> tuple[list[str], list[str]]:
    """The lines of ``old`` not in ``new`` and those of ``new`` not in ``old`` (once each, in order).

    >>> _difference([b"a", b"b"], [b"b", b"c", b"c"])
    (['a'], ['c'])
    """
    new = list(new)
    old_set, new_set = set(old), set(new)
    gone = [line.decode() for line in dict.fromkeys(old) if line not in new_set]
    came = [line.decode() for line in dict.fromkeys(new) if line not in old_set]
    return gone, came


#: How many temporary files the lines of a large graph are spread over to be compared.
_DIFF_PARTS = 64


class _Spread:
    """N-Triples lines written to it (in pieces that may cut a line), spread by their hash over
    :data:`_DIFF_PARTS` files, so that equal lines of two spreads land in files of the same number;
    ``blank`` tells whether a line held a blank node (or the text `` _:``, which is safe: the caller
    then takes the slow path)."""

    def __init__(self, folder: Path, name: str):
        self.paths = [folder / f"{name}-{k}.nt" for k in range(_DIFF_PARTS)]
        self.files: list = []
        self.tail = b""
        self.blank = False

    def __enter__(self) -> _Spread:
        self.files = [path.open("wb") for path in self.paths]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.tail:
            self._line(self.tail)
        for f in self.files:
            f.close()

    def write(self, data: bytes) -> int:
        lines = (self.tail + bytes(data)).split(b"\n")
        self.tail = lines.pop()
        for line in lines:
            if line:
                self._line(line)
        return len(data)

    def flush(self) -> None:
        """Nothing to do: the files are flushed when closed (the store's dump asks for it)."""

    def _line(self, line: bytes) -> None:
        if not self.blank and (line.startswith(b"_:") or b" _:" in line):
            self.blank = True
        self.files[hash(line) % _DIFF_PARTS].write(line + b"\n")

    def read(self) -> Iterator[list[bytes]]:
        """The lines of each file in turn."""
        for path in self.paths:
            yield path.read_bytes().splitlines()


def _parts(items: Iterable, size: int) -> Iterator[list]:
    """``items`` in lists of at most ``size``."""
    stream = iter(items)
    while part := list(itertools.islice(stream, size)):
        yield part


def _in_graph(g: ox.NamedNode, quads: list[ox.Quad | ox.Triple]) -> list[ox.Quad]:
    """``quads`` as quads of graph ``g`` (new objects only for those in another graph, or triples)."""
    if all(isinstance(q, ox.Quad) and q.graph_name == g for q in quads):
        return quads
    return [ox.Quad(q.subject, q.predicate, q.object, g) for q in quads]


# One update, so one transaction: readers see either the old flags or the new ones. Only per-file
# graphs are looked at, so that the ontology's own triples can never be taken for documents.
# Full IRIs, no PREFIX: Oxigraph takes a prologue only at the start of a request, and this text
# also follows a DROP in remove_graph.
_DERIVED = ox.NamedNode(iri.DERIVED_GRAPH)
_DERIVE_STUBS = f"""{_unmerge(_DERIVED)} ;
DROP SILENT GRAPH <{iri.DERIVED_GRAPH}> ;
INSERT {{ GRAPH <{iri.DERIVED_GRAPH}> {{ ?doc <{iri.LO}stub> ?stub }} }}
WHERE {{
  {{ SELECT DISTINCT ?doc WHERE {{
      GRAPH ?g {{ ?doc a <{iri.LO}Document> }}
      FILTER(STRSTARTS(STR(?g), "{iri.SOURCE_PREFIX}"))
  }} }}
  BIND(NOT EXISTS {{ GRAPH ?file {{ ?doc <{iri.LO}sourceFile> ?path }} }} AS ?stub)
}} ;
{_merge(_DERIVED)}
"""

# The stub flags of some documents ({DOCS}: a VALUES block of their IRIs), as _DERIVE_STUBS gives
# them (a document no per-file graph types has none): after an ingest into a store with data.
_STUB_FLAGS_Q = (
    f"SELECT ?doc ?stub WHERE {{ VALUES ?doc {{ {{DOCS}} }}\n"
    f"  FILTER EXISTS {{ GRAPH ?g {{ ?doc a <{iri.LO}Document> }}\n"
    f"                  FILTER(STRSTARTS(STR(?g), \"{iri.SOURCE_PREFIX}\")) }}\n"
    f"  BIND(NOT EXISTS {{ GRAPH ?file {{ ?doc <{iri.LO}sourceFile> ?path }} }} AS ?stub) }}"
)
#: Subjects per update of Store.set_values (and so of Store.update_derived(documents)).
_VALUES_CHUNK = 2000

_COUNTS = f"""
PREFIX lo: <{iri.LO}>
SELECT
  (COUNT(DISTINCT ?doc) AS ?documents) (COUNT(DISTINCT ?ingested) AS ?ingested)
  (COUNT(DISTINCT ?stub) AS ?stubs) (COUNT(DISTINCT ?citation) AS ?citations)
  (COUNT(DISTINCT ?task) AS ?tasks) (COUNT(DISTINCT ?assignment) AS ?assignments)
  (COUNT(DISTINCT ?body) AS ?bodies)
WHERE {{
  {{ ?doc a lo:Document }}
  UNION {{ ?ingested a lo:Document ; lo:stub false }}
  UNION {{ ?stub a lo:Document ; lo:stub true }}
  UNION {{ ?citation a lo:Citation }}
  UNION {{ ?task a lo:Task }}
  UNION {{ ?assignment a lo:Assignment }}
  UNION {{ ?body a lo:Body }}
}}
"""


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Rows of a query: ``columns`` are variable names, each row a tuple of terms (``None`` if unbound).

    An ASK query gives one column ``ask``; a CONSTRUCT gives ``subject``, ``predicate``, ``object``.
    """

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Finding:
    """One SHACL result: severity (``Violation``, ``Warning``, ``Info``), focus node, path, message."""

    severity: str
    focus: str
    path: str | None
    message: str
    shape: str | None = None


@dataclass(frozen=True, slots=True)
class IngestCounts:
    """What one ingest added: source files, documents held, citations, tasks, assignments."""

    files: int = 0
    documents: int = 0
    citations: int = 0
    tasks: int = 0
    assignments: int = 0

    def __add__(self, other: IngestCounts) -> IngestCounts:
        return IngestCounts(self.files + other.files, self.documents + other.documents,
                            self.citations + other.citations, self.tasks + other.tasks,
                            self.assignments + other.assignments)


def _ntriples_body(quads: Iterable[ox.Quad | ox.Triple]) -> str:
    # str() of a pyoxigraph term is its N-Triples form, with quotes, backslashes and newlines
    # escaped: the text of a document can never end the INSERT DATA block.
    return "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)


def _disk_full(e: OSError) -> bool:
    """Is this error a full disk (RocksDB reports it as text, without an errno)?"""
    return e.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(e)


def _atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and ``os.replace``."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class _DirectoryLock:
    """An exclusive ``flock`` on ``DIR/luocdo.lock`` holding the owner's pid.

    RocksDB locks its directory too, but its error names no process and arrives as a bare
    OSError; this lock is taken first so that a second process gets a sentence it can act on.
    Every open of an on-disk store takes it, readers too: pyoxigraph documents a read-only open
    beside a writer as undefined behaviour.
    """

    def __init__(self, directory: Path):
        self.path = directory / LOCK_NAME
        self.fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None:  # pragma: no cover - Windows
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StoreError(f"cannot open the store {str(self.path.parent)!r}: {e.strerror or e}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                owner = os.read(fd, 32).decode("ascii", "replace").strip()
            finally:
                os.close(fd)
            who = f"process {owner}" if owner.isdigit() else "another process"
            raise StoreError(f"the store is in use by {who} ({str(self.path.parent)!r})") from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        except OSError:
            pass  # a full disk: the lock is held all the same; the pid only names us in messages
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            try:
                os.ftruncate(self.fd, 0)  # a stale pid would mislead the next error message
            finally:
                os.close(self.fd)  # closing releases the flock
                self.fd = None


class Store:
    """The graph store; use :func:`open_store` (or ``Store.open``) and close it (or use ``with``).

    >>> with Store.open("memory:") as store:
    ...     store.quad_count()
    0
    """

    def __init__(self, backend: ox.Store, url: str, lock: _DirectoryLock | None = None,
                 read_only: bool = False):
        self._store = backend
        self.url = url
        self._lock = lock
        #: Opened read-only because the disk is full: queries work, writes raise StoreError.
        self.read_only = read_only

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | os.PathLike[str] = DEFAULT_URL, create: bool = True) -> Store:
        """Open the store named by ``url``: ``memory:`` or a directory (made if ``create``).

        >>> Store.open("memory:").url
        'memory:'
        """
        url = os.fspath(url)
        if url == "memory:":
            return cls(ox.Store(), url)
        path_text = url[len("file:"):] if url.startswith("file:") else url
        scheme, sep, _rest = path_text.partition(":")
        if sep and len(scheme) > 1 and "/" not in scheme and os.sep not in scheme:
            raise StoreError(f"unknown store {url!r} (expected 'memory:' or a directory)")
        directory = Path(path_text).expanduser()
        if directory.exists() and not directory.is_dir():
            raise StoreError(f"store {url!r} is not a directory")
        if not create and not directory.exists():
            raise StoreError(f"there is no store at {url!r} (run 'luocdo ingest' first)")
        if directory.is_dir() and any(directory.iterdir()) and not (
                (directory / "CURRENT").exists() or (directory / LOCK_NAME).exists()):
            # Refuse to scatter RocksDB files over a folder that holds something else ("--store .").
            raise StoreError(f"store {url!r} is a non-empty directory that holds no luocdo store")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the store {url!r}: {e.strerror}") from None
        lock = _DirectoryLock(directory)
        lock.acquire()
        try:
            backend = ox.Store(str(directory))
        except OSError as e:
            backend = None
            if not create and _disk_full(e):
                # Opening replays the write-ahead log into new files; on a full disk that fails,
                # but a read-only open replays it in memory. The lock keeps every writer out.
                try:
                    backend = ox.Store.read_only(str(directory))
                except OSError:
                    backend = None
            if backend is None:
                lock.release()
                raise StoreError(f"cannot open the store {url!r}: {e}") from None
            return cls(backend, url, lock, read_only=True)
        store = cls(backend, url, lock)
        store._merge_if_missing()
        return store

    def load_dataset(self, data: bytes, fmt: str = "nq") -> None:
        """Add the graphs of an export (``luocdo export --format nq`` or ``trig``) in one update,
        and their merge to the default graph.

        >>> s = Store.open("memory:")
        >>> s.load_dataset(b'<https://x/a> <https://x/p> "1" <https://x/g> .')
        >>> [r[0].value for r in s.query("SELECT ?o WHERE { ?s ?p ?o }").rows]
        ['1']
        """
        try:
            quads = list(ox.parse(data, format=FORMATS[fmt]))
        except (KeyError, SyntaxError) as e:
            raise StoreError(f"cannot load a {fmt!r} dataset: {e}") from None
        self._load(merged_nquads(q for q in quads if q.graph_name != _DEFAULT))

    def _merge_if_missing(self) -> None:
        """A store written before the default graph held the merge (named graphs, no default
        graph) gets it now, once, in one update."""
        b = self.backend
        if (next(iter(b.quads_for_pattern(None, None, None, _DEFAULT)), None) is None
                and next(iter(b.named_graphs()), None) is not None):
            self._update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")

    def close(self, keep_lock: bool = False) -> None:
        """Flush and release the store (and its lock); the object cannot be used afterwards.

        With ``keep_lock`` the directory stays locked until the next ``close()``: ``luocdo rebuild``
        moves the folder of a closed store (RocksDB writes by path, so it must be closed first)
        while no other process may open it.
        """
        if self._store is None:
            if self._lock is not None and not keep_lock:
                self._lock.release()
            return
        try:
            if self._lock is not None and not self.read_only:
                self._store.flush()
        except OSError as e:  # a full disk at the last write: what was committed is in the log
            raise StoreError(f"cannot write the store {self.url!r}: {e}") from None
        finally:
            self._store = None  # drops RocksDB's handle before the lock is given back
            if self._lock is not None and not keep_lock:
                self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            self.close()
        except StoreError:
            if exc_type is None:
                raise  # otherwise the error already on its way is the one to report

    @property
    def backend(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"the store {self.url!r} is closed")
        return self._store

    # -- writing ---------------------------------------------------------------------------
    def replace_graph(self, graph_iri: str, quads: Iterable[ox.Quad | ox.Triple], *, derived: bool = False) -> None:
        """Replace the named graph ``graph_iri`` by ``quads`` (their own graph names are ignored).

        One SPARQL update does both the drop and the insert, and pyoxigraph runs an update as one
        transaction: a reader never sees the graph half-written, and a failure leaves the old one.
        A new graph of more than :data:`BULK_GRAPH` quads, or any new ``derived`` one (computed
        from the others, so written again if a kill leaves part of it), goes to the bulk loader.

        >>> s = Store.open("memory:")
        >>> q = ox.Quad(ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p"), ox.Literal('"} DROP ALL'))
        >>> s.replace_graph("https://x/g", [q]); s.replace_graph("https://x/g", [q]); s.quad_count()
        1
        """
        g = ox.NamedNode(graph_iri)
        stream = iter(quads)
        head = list(itertools.islice(stream, BULK_GRAPH + 1))
        large = len(head) > BULK_GRAPH
        if (large or (derived and head)) and self._bulk_new_graph(g, head, stream):
            return
        if large and self._replace_large_by_difference(g, head, stream):
            return
        quads = head + list(stream)
        if self._add_new_graph(g, quads) or self._replace_by_difference(g, quads):
            return
        self._update(f"{_unmerge(g)} ;\nDROP SILENT GRAPH {g} ;\n"
                     f"INSERT DATA {{ GRAPH {g} {{\n{_ntriples_body(quads)}\n}} }} ;\n{_merge(g)}")

    def _add_new_graph(self, g: ox.NamedNode, quads: list[ox.Quad | ox.Triple]) -> bool:
        """Add ``quads`` as graph ``g`` if the store does not hold ``g`` yet; ``False`` if it does.

        Most files of an ingest are new: there is nothing to drop, and pyoxigraph's ``load()`` of
        their N-Quads (with the merge, :func:`merged_nquads`) is one transaction too, without the
        SPARQL update's unmerge, drop and merge. A remote store has no such primitive.
        """
        if self.read_only or self.backend.contains_named_graph(g):
            return False
        self._load(merged_nquads(_in_graph(g, quads)))
        return True

    def _bulk_new_graph(self, g: ox.NamedNode, head: list[ox.Quad | ox.Triple],
                        rest: Iterator[ox.Quad | ox.Triple]) -> bool:
        """Add a new graph of more than :data:`BULK_GRAPH` quads (the derivations graph of a first
        ingest: a million quads at 10k files, 125 s as one transaction) through the bulk loader, in
        calls of at most :data:`BULK_GRAPH` quads, each whole or absent, taken from ``rest`` as they
        come (the whole graph's quads were a third of the ingest's peak memory at 10k files); a
        process killed between two calls leaves part of the graph, which the next write of it
        replaces. ``False`` (nothing done) if the store holds ``g`` or is not an on-disk store.
        """
        chunks = _parts(itertools.chain(head, rest), BULK_GRAPH)
        # The parts are made one at a time, and only once add_graph_nquads has said yes.
        return self.add_graph_nquads(g.value, (merged_nquads(_in_graph(g, chunk)) for chunk in chunks))

    def add_graph_nquads(self, graph_iri: str, parts: Iterable[bytes]) -> bool:
        """Add a graph the store does not hold from N-Quads already made by :func:`merged_nquads`
        (the graph's lines and their merge), through the bulk loader, one call per part, each whole
        or absent: the derivations of a province, serialised by the process that matched them.
        ``False`` (nothing done) if the store holds the graph or is not an on-disk store.

        >>> Store.open("memory:").add_graph_nquads("https://x/g", [b""])
        False
        """
        g = ox.NamedNode(graph_iri)
        if self.read_only or self._lock is None or self.backend.contains_named_graph(g):
            return False
        for part in parts:
            self.bulk_load(part)
        return True

    def _replace_by_difference(self, g: ox.NamedNode, quads: list[ox.Quad | ox.Triple]) -> bool:
        """Replace graph ``g`` by writing only what changed, in one update; ``False`` (nothing done)
        when ``g`` or ``quads`` hold blank nodes, whose labels differ from one load to the next.

        The derivations graph is rewritten after every ingest, and one new file changes few of its
        million triples; dropping and inserting it whole took minutes at 10k files.
        """
        old = self.backend.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g).splitlines()
        new = _triple_lines(ox.serialize(_in_graph(g, quads), format=ox.RdfFormat.N_QUADS))
        if any(line.startswith(b"_:") or b" _:" in line for lines in (old, new) for line in lines):
            return False
        self._apply_difference(g, *_difference(old, new))
        return True

    def _replace_large_by_difference(self, g: ox.NamedNode, head: list[ox.Quad | ox.Triple],
                                     rest: Iterator[ox.Quad | ox.Triple]) -> bool:
        """Replace a graph the store holds by more than :data:`BULK_GRAPH` new quads (the
        derivations graph after a later ingest: nine million at 100k files), writing only what
        changed, with memory that does not grow with the graph: the old graph's lines (streamed out
        of the store) and the new ones (serialised part by part as ``rest`` gives them) are spread
        by hash over :data:`_DIFF_PARTS` temporary files, and each pair is compared on its own.

        Blank nodes cannot be compared from one load to the next: an old graph that holds some is
        dropped and written anew by the bulk loader; new quads with one raise
        :class:`StoreError`, before anything is written. ``False`` (nothing done) if the store does
        not hold ``g`` or is not an on-disk store open for writing.
        """
        if self.read_only or self._lock is None or not self.backend.contains_named_graph(g):
            return False
        with tempfile.TemporaryDirectory(prefix="luocdo-replace-") as tmp:
            old, new = _Spread(Path(tmp), "old"), _Spread(Path(tmp), "new")
            with old:
                self.backend.dump(old, format=ox.RdfFormat.N_TRIPLES, from_graph=g)
            if old.blank:
                self._update(f"{_unmerge(g)} ;\nDROP SILENT GRAPH {g}")
                return self._bulk_new_graph(g, head, rest)
            with new:
                for part in _parts(itertools.chain(head, rest), BULK_GRAPH):
                    triples = [q.triple if isinstance(q, ox.Quad) else q for q in part]
                    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                           for t in triples):
                        raise StoreError(f"the graph <{g.value}> is too large to replace with blank nodes"
                                         f" in it (more than {BULK_GRAPH} quads): nothing was written")
                    new.write(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
            gone: list[str] = []
            came: list[str] = []
            for old_lines, new_lines in zip(old.read(), new.read(), strict=True):
                g_part, c_part = _difference(old_lines, new_lines)
                gone += g_part
                came += c_part
        self._apply_difference(g, gone, came)
        return True

    def graph_lines(self, graph_iri: str) -> list[bytes]:
        """The N-Triples lines of one named graph (a province's derivations, to be patched).

        >>> s = Store.open("memory:")
        >>> a, p = ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p")
        >>> s.replace_graph("https://x/g", [ox.Quad(a, p, ox.Literal("1"))])
        >>> s.graph_lines("https://x/g")
        [b'<https://x/a> <https://x/p> "1" .']
        """
        with self._reading():
            return self.backend.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph_iri)).splitlines()

    def rewrite_graph(self, graph_iri: str, rewrite: Callable[[list[bytes]], list[bytes]]) -> None:
        """Replace a graph by ``rewrite(its N-Triples lines)``, writing only the difference (and the
        merge's), in one update: a province's derivations of which a few documents' changed, read
        once, without the new graph made as quads.

        >>> s = Store.open("memory:")
        >>> a, p = ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p")
        >>> s.replace_graph("https://x/g", [ox.Quad(a, p, ox.Literal("1"))])
        >>> s.rewrite_graph("https://x/g", lambda old: [b'<https://x/a> <https://x/p> "2" .'])
        >>> [o.value for o in s.objects("https://x/a", "https://x/p")]
        ['2']
        """
        old = self.graph_lines(graph_iri)
        self._apply_difference(ox.NamedNode(graph_iri), *_difference(old, rewrite(old)))

    def _apply_difference(self, g: ox.NamedNode, gone: list[str], came: list[str]) -> None:
        """Take the N-Triples lines ``gone`` out of graph ``g`` and put ``came`` in, in one update."""
        if not gone and not came:
            return
        gone_rows = "\n".join(f"({line[:-2]})" for line in gone)
        gone_text = "\n".join(gone)
        came_text = "\n".join(came)
        # Out of the default graph go the triples no named graph holds any more; in go the new ones.
        self._update(f"DELETE DATA {{ GRAPH {g} {{\n{gone_text}\n}} }} ;\n"
                     f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES (?s ?p ?o) {{\n{gone_rows}\n}}\n"
                     f"  FILTER NOT EXISTS {{ GRAPH ?any {{ ?s ?p ?o }} }} }} ;\n"
                     f"INSERT DATA {{ GRAPH {g} {{\n{came_text}\n}}\n{came_text}\n}}")

    def _load(self, nquads: bytes) -> None:
        """Add N-Quads made by :func:`merged_nquads` in one transaction (pyoxigraph's ``load``)."""
        def load() -> None:
            try:
                self.backend.load(nquads, format=ox.RdfFormat.N_QUADS)
            except SyntaxError as e:  # only a bug of ours can get here
                raise StoreError(f"cannot write into {self.url!r}: {e}") from None

        self._write(load)

    def bulk_loadable(self) -> bool:
        """Is this an on-disk store that holds nothing yet, so that :meth:`bulk_load` may fill it?

        >>> Store.open("memory:").bulk_loadable()
        False
        """
        return (self._lock is not None and not self.read_only
                and next(iter(self.backend.quads_for_pattern(None, None, None, None)), None) is None)

    def bulk_load(self, nquads: bytes) -> None:
        """Add N-Quads made by :func:`merged_nquads` (named graphs and their merge) the fast way, for
        graphs the store does not hold.

        pyoxigraph's bulk loader parses the text in Rust, writes sorted files and hands them to
        RocksDB in one ingestion, several times faster than transactions; it promises no
        transaction, but a call of fewer than a million quads is one batch of the loader, ingested
        whole or not at all. It adds, it never replaces: :class:`~luocdo.kg.ingest.Ingester` uses it
        only on a store that was empty, and :meth:`replace_graph` for every graph already there.

        >>> s = Store.open("memory:")
        >>> g = ox.NamedNode("https://x/g")
        >>> q = ox.Quad(ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p"), ox.Literal("1"), g)
        >>> s.bulk_load(merged_nquads([q]))
        >>> s.graphs(), len(s.backend)
        (['https://x/g'], 2)
        """
        def load() -> None:
            try:  # our own serialisation: its IRIs need no second validation
                self.backend.bulk_load(nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
            except SyntaxError as e:  # only a bug of ours can get here
                raise StoreError(f"cannot bulk-load into {self.url!r}: {e}") from None

        self._write(load)

    def remove_graph(self, graph_iri: str) -> None:
        """Remove one named graph (a source file taken out of the corpus) and re-derive the stubs.

        >>> s = Store.open("memory:"); s.remove_graph("https://x/none"); s.quad_count()
        0
        """
        g = ox.NamedNode(graph_iri)
        if self._remove_in_parts(g):
            self._update(f"DROP SILENT GRAPH {g} ;\n{_DERIVE_STUBS}")  # empty now
            return
        self._update(f"{_unmerge(g)} ;\nDROP SILENT GRAPH {g} ;\n{_DERIVE_STUBS}")

    def _remove_in_parts(self, g: ox.NamedNode) -> bool:
        """Empty a graph of more than :data:`BULK_GRAPH` quads (the one derivations graph of a
        store from an earlier version: nine million quads at 100k files, whose removal in one
        transaction held them all) in updates of that many quads, each taking out of the default
        graph what no other graph states; ``False`` (nothing done) for a smaller graph. Quads with
        blank nodes, which an update cannot name, go with the rest of the graph in one update."""
        def part(n: int) -> list[ox.Quad]:
            return list(itertools.islice(self.backend.quads_for_pattern(None, None, None, g), n))

        def blank(quads: list[ox.Quad]) -> bool:
            return any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in quads)

        quads = [] if self.read_only else part(BULK_GRAPH + 1)
        if len(quads) <= BULK_GRAPH:
            return False
        while quads:
            if blank(quads):
                self._update(f"{_unmerge(g)} ;\nDROP SILENT GRAPH {g}")
                break
            lines = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES).decode()
            self._apply_difference(g, lines.splitlines(), [])
            quads = part(BULK_GRAPH)
        return True

    def update_derived(self, documents: Iterable[str] | None = None) -> None:
        """Recompute the derived graph: ``lo:stub true`` for every document no source file holds.

        With ``documents``, the flags of those documents only (each one set, changed or taken
        away, as the whole recompute would leave it): what an ingest into a store with data
        passes, the documents of the graphs it wrote and replaced. The whole store's took 79 s
        after one more file into a store of 100k.

        >>> s = Store.open("memory:"); s.update_derived(); s.update_derived(["https://x/d"]); s.graphs()
        []
        """
        if documents is None:
            self._update(_DERIVE_STUBS)
            return
        for part in _parts(sorted(set(documents)), _VALUES_CHUNK):
            flags: dict[str, ox.Literal | None] = dict.fromkeys(part)
            values = " ".join(str(ox.NamedNode(d)) for d in part)
            flags.update((doc.value, stub) for doc, stub in self.query(_STUB_FLAGS_Q.replace("{DOCS}", values)).rows)
            self.set_values(iri.DERIVED_GRAPH, iri.LO + "stub", flags)

    def load_ontology(self) -> None:
        """Put the packaged ontology into ``iri.ONTOLOGY_GRAPH``, so that queries can read its labels.

        >>> s = Store.open("memory:"); s.load_ontology(); s.graphs() == [iri.ONTOLOGY_GRAPH]
        True
        """
        from ..ontology import ONTOLOGY_PATH

        try:
            triples = list(ox.parse(path=ONTOLOGY_PATH, format=ox.RdfFormat.TURTLE))
        except (OSError, SyntaxError) as e:
            raise StoreError(f"cannot read the ontology {str(ONTOLOGY_PATH)!r}: {e}") from None
        self.replace_graph(iri.ONTOLOGY_GRAPH, triples)

    def _write(self, write: Any) -> None:
        """Run ``write()`` against the backend, its failures as :class:`StoreError` (as :meth:`_update`)."""
        if self.read_only:
            raise StoreError(f"cannot write the store {self.url!r}: it is open read-only (the disk is full)")
        try:
            write()
        except OSError as e:
            raise StoreError(f"cannot write the store {self.url!r}: {e}") from None

    def _update(self, sparql: str) -> None:
        def run() -> None:
            try:
                self.backend.update(sparql)
            except SyntaxError as e:  # only a bug of ours can get here: terms are serialised, not pasted
                raise StoreError(f"internal update does not parse: {e}") from None

        self._write(run)

    # -- reading ---------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> QueryResult:
        """Run a SPARQL query over the union of all graphs; ``bindings`` pre-bind variables to terms.

        Values are substituted as RDF terms (pyoxigraph's ``substitutions``), never pasted into
        the text. Oxigraph asks that a substituted variable be in the SELECT list.

        >>> s = Store.open("memory:")
        >>> s.query("SELECT ?x WHERE {}", {"x": ox.Literal("Sở Y tế")}).rows[0][0].value
        'Sở Y tế'
        """
        substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
        with self._reading():
            result = self.backend.query(sparql, substitutions=substitutions or None)
            if isinstance(result, ox.QuerySolutions):
                columns = tuple(v.value for v in result.variables)
                rows = [tuple(solution[v] for v in result.variables) for solution in result]
                return QueryResult(columns, rows)
            if isinstance(result, ox.QueryBoolean):
                answer = ox.Literal("true" if bool(result) else "false", datatype=_XSD_BOOLEAN)
                return QueryResult(("ask",), [(answer,)])
            return QueryResult(("subject", "predicate", "object"),
                               [(t.subject, t.predicate, t.object) for t in result])

    def solutions(self, sparql: str) -> Iterator[tuple[Any, ...]]:
        """The rows of a SELECT query one at a time, for a query over the whole store whose rows
        are too many to hold as a list (every citation of 100k files); errors as :meth:`query`.

        >>> s = Store.open("memory:")
        >>> [r[0].value for r in s.solutions("SELECT ?x WHERE { VALUES ?x { 1 2 } }")]
        ['1', '2']
        """
        with self._reading():
            result = self.backend.query(sparql)
            if not isinstance(result, ox.QuerySolutions):
                raise QueryError("the query is not a SELECT query")
            variables = result.variables
            for solution in result:
                yield tuple(solution[v] for v in variables)

    def pairs(self, predicate: str, obj: ox.NamedNode | None = None) -> Iterator[tuple[str, Any]]:
        """(subject, object) of every triple of the default graph (the merge) with ``predicate``
        (and ``obj``), one at a time, straight from an index: the reading of a whole-store pass
        (:func:`~luocdo.kg.trace.collect_documents`) without a query's joins or DISTINCT, which
        Oxigraph holds in memory (hundreds of MB at 100k files). The merge holds each triple once.

        >>> s = Store.open("memory:")
        >>> a, p = ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p")
        >>> s.replace_graph("https://x/g", [ox.Quad(a, p, ox.Literal("1"))])
        >>> [(a, b.value) for a, b in s.pairs("https://x/p")]
        [('https://x/a', '1')]
        """
        with self._reading():
            for q in self.backend.quads_for_pattern(None, ox.NamedNode(predicate), obj, _DEFAULT):
                yield q.subject.value, q.object

    def objects(self, subject: str, predicate: str) -> list[Any]:
        """The objects of ``subject``'s ``predicate`` triples in the default graph (the merge), in
        the index's order: the order :meth:`pairs` gives one subject's, so that "the first value"
        of a document is the same read either way.

        >>> s = Store.open("memory:")
        >>> a, p = ox.NamedNode("https://x/a"), ox.NamedNode("https://x/p")
        >>> s.replace_graph("https://x/g", [ox.Quad(a, p, ox.Literal("1"))])
        >>> [o.value for o in s.objects("https://x/a", "https://x/p")], s.objects("https://x/b", "https://x/p")
        (['1'], [])
        """
        with self._reading():
            return [q.object for q in self.backend.quads_for_pattern(
                ox.NamedNode(subject), ox.NamedNode(predicate), None, _DEFAULT)]

    def set_values(self, graph_iri: str, predicate: str, values: Mapping[str, ox.Literal | None]) -> None:
        """In graph ``graph_iri`` (and the merge), give each subject of ``values`` that one
        ``predicate`` value, or none (``None``): the records of derivation, a few documents' at a
        time. Updates of a few thousand subjects each; one that fails leaves its subjects as they were.

        >>> s = Store.open("memory:")
        >>> s.set_values("https://x/g", "https://x/p", {"https://x/a": ox.Literal("1")})
        >>> s.set_values("https://x/g", "https://x/p", {"https://x/a": ox.Literal("2"), "https://x/b": None})
        >>> [o.value for o in s.objects("https://x/a", "https://x/p")], s.quad_count()
        (['2'], 1)
        """
        g, p = ox.NamedNode(graph_iri), ox.NamedNode(predicate)
        for part in _parts(sorted(values), _VALUES_CHUNK):
            subjects = " ".join(str(ox.NamedNode(x)) for x in part)
            came = "\n".join(f"{ox.NamedNode(x)} {p} {values[x]} ." for x in part if values[x] is not None)
            self._update(
                f"DELETE {{ ?s {p} ?o }} WHERE {{ VALUES ?s {{ {subjects} }} GRAPH {g} {{ ?s {p} ?o }}\n"
                f"  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s {p} ?o }} FILTER(?other != {g}) }} }} ;\n"
                f"DELETE {{ GRAPH {g} {{ ?s {p} ?o }} }}\n"
                f"WHERE {{ VALUES ?s {{ {subjects} }} GRAPH {g} {{ ?s {p} ?o }} }} ;\n"
                f"INSERT DATA {{ GRAPH {g} {{\n{came}\n}}\n{came}\n}}")

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Oxigraph's errors of a query (also while its rows are read) as luocdo's."""
        try:
            yield
        except SyntaxError as e:
            raise QueryError(f"the query does not parse: {e}") from None
        except RuntimeError as e:
            raise QueryError(f"the query cannot run: {e}") from None
        except OSError as e:
            raise StoreError(f"cannot read the store {self.url!r}: {e}") from None

    def quad_count(self) -> int:
        """Number of quads in the named graphs (the default graph is their merge, not more data).

        >>> Store.open("memory:").quad_count()
        0
        """
        merged = next(iter(self.backend.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"]
        return len(self.backend) - int(merged.value)

    def graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted.

        >>> Store.open("memory:").graphs()
        []
        """
        return sorted(g.value for g in self.backend.named_graphs() if isinstance(g, ox.NamedNode))

    def stats(self) -> dict[str, int]:
        """Counts: quads, graphs, source files, documents (ingested and stubs), citations, tasks, ...

        >>> Store.open("memory:").stats()["documents"]
        0
        """
        graphs = self.graphs()
        row = self.query(_COUNTS).rows[0]
        counts = dict(zip(_COUNTS_COLUMNS, (int(t.value) if t is not None else 0 for t in row), strict=True))
        return {"quads": self.quad_count(), "graphs": len(graphs),
                "files": sum(g.startswith(iri.SOURCE_PREFIX) for g in graphs), **counts}

    def union_triples(self) -> list[ox.Triple]:
        """Every triple of every graph, once (the union graph)."""
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in self.backend.quads_for_pattern(None, None, None, _DEFAULT)]

    def export(self, fmt: str, out_path: str | os.PathLike[str] | None = None,
               with_ontology: bool = False) -> bytes | None:
        """Serialise the store: ``ttl``/``nt`` the union graph, ``nq``/``trig``/``jsonld`` with its graphs.

        ``with_ontology`` puts the packaged ontology in (in ``iri.ONTOLOGY_GRAPH`` for the dataset
        formats, in place of whatever copy the store holds), so that one file carries the classes
        and the data for Protégé or another triple store.
        With ``out_path`` the file is written atomically (a temporary file, then ``os.replace``) and
        ``None`` returned; without it the bytes are returned.

        >>> Store.open("memory:").export("nq")
        b''
        >>> b"owl:Ontology" in Store.open("memory:").export("ttl", with_ontology=True)
        True
        """
        try:
            rdf_format = FORMATS[fmt]
        except KeyError:
            raise StoreError(f"unknown export format {fmt!r} (expected {', '.join(FORMATS)})") from None
        prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        try:
            if with_ontology:
                from ..ontology import ONTOLOGY_PATH

                graph = ox.NamedNode(iri.ONTOLOGY_GRAPH)
                # The ontology first: a reader of the file meets the classes before their instances.
                quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
                         for t in ox.parse(path=ONTOLOGY_PATH, format=ox.RdfFormat.TURTLE)]
                quads += [q for q in self.backend.quads_for_pattern(None, None, None)
                          if q.graph_name != graph and q.graph_name != _DEFAULT]
                if not rdf_format.supports_datasets:
                    quads = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
                data = ox.serialize(quads, format=rdf_format, prefixes=prefixes)
            elif rdf_format.supports_datasets:  # the named graphs: the default graph is their merge
                data = ox.serialize((q for q in self.backend.quads_for_pattern(None, None, None)
                                     if q.graph_name != _DEFAULT), format=rdf_format, prefixes=prefixes)
            else:
                data = ox.serialize(self.union_triples(), format=rdf_format, prefixes=PREFIXES)
        except (OSError, ValueError, SyntaxError) as e:
            raise StoreError(f"cannot export the store {self.url!r}: {e}") from None
        if out_path is None:
            return data
        try:
            _atomic_write(out_path, data)
        except OSError as e:
            raise StoreError(f"cannot write {os.fspath(out_path)!r}: {e.strerror or e}") from None
        return None

    def validate(self, shapes_path: str | os.PathLike[str] | None = None) -> list[Finding]:
        """Check the union of the store's graphs and the ontology against the SHACL shapes.

        Returns the findings as data, most severe first; an empty list means the graph conforms.

        >>> Store.open("memory:").validate()
        []
        """
        import pyshacl
        import rdflib

        from ..ontology import ONTOLOGY_PATH, SHAPES_PATH

        data = rdflib.Graph()
        data.parse(data=ox.serialize(self.union_triples(), format=ox.RdfFormat.N_TRIPLES), format="nt")
        if iri.ONTOLOGY_GRAPH not in self.graphs():
            data.parse(ONTOLOGY_PATH, format="turtle")
        shapes = rdflib.Graph()
        shapes_file = Path(shapes_path) if shapes_path is not None else SHAPES_PATH
        try:
            shapes.parse(shapes_file, format="turtle")
        except (OSError, SyntaxError, ValueError) as e:
            raise StoreError(f"cannot read the shapes {str(shapes_file)!r}: {e}") from None
        # The closure is already materialised, so no inference: validation sees what queries see.
        _conforms, results, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                                     allow_warnings=True, allow_infos=True)
        return _findings(results)


_XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_COUNTS_COLUMNS = ("documents", "ingested", "stubs", "citations", "tasks", "assignments", "bodies")


_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def _findings(results: Any) -> list[Finding]:
    """SHACL results graph -> findings, sorted (severity, focus, path, message)."""
    from rdflib.namespace import SH

    findings = []
    for result in results.subjects(SH.resultSeverity, None):
        severity = str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        shape = results.value(result, SH.sourceShape)
        findings.append(Finding(
            severity=severity, focus=str(results.value(result, SH.focusNode)),
            path=str(path) if path is not None else None,
            message=str(message) if message is not None else "",
            shape=str(shape) if shape is not None else None,
        ))
    return sorted(findings,
                  key=lambda f: (_SEVERITY_ORDER.get(f.severity, 3), f.focus, f.path or "", f.message))


def open_store(url: str | os.PathLike[str] = DEFAULT_URL, create: bool = True) -> Store:
    """Open the store named by ``url`` (see :meth:`Store.open`); an ``http(s)://`` URL is a remote
    SPARQL endpoint (:class:`luocdo.kg.remote.RemoteStore`, with the same interface).

    >>> open_store("memory:").graphs()
    []
    """
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        from .remote import RemoteStore

        return RemoteStore.open(url, create=create)  # type: ignore[return-value]
    return Store.open(url, create=create)


def ingest_extraction(store: Store, extraction: Any, source_path: str | os.PathLike[str]) -> IngestCounts:
    """Replace the graph of ``source_path`` with the triples of ``extraction`` (stubs not re-derived).

    >>> from luocdo.kg.model import Document, Extraction
    >>> doc = Document("d1", "Plan", "1/KH-X", None, None, None, 2023, None, None, None, (0, 1))
    >>> ingest_extraction(open_store("memory:"), Extraction("a.txt", "x", (doc,)), "a.txt").documents
    1
    """
    from .triples import to_triples

    quads = to_triples(extraction, source_path)
    store.replace_graph(iri.source_graph(source_path), quads)
    return IngestCounts(1, len(extraction.documents), len(extraction.citations),
                        len(extraction.tasks), len(extraction.assignments))


def ingest_file(store: Store, path: str | os.PathLike[str]) -> IngestCounts:
    """Read, extract and store one source file; raises :class:`~luocdo.kg.errors.ReadError` if unreadable.

    Call :meth:`Store.update_derived` once the batch is in (the CLI does, after every ingest).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"; _ = p.write_text("Kế hoạch", "utf-8")
    >>> ingest_file(open_store("memory:"), p).files
    1
    """
    from .parse import extract_text
    from .reader import read_text

    name = os.fspath(path)
    try:
        text = read_text(path)  # ReadError names the path already
    except LuocdoError:
        raise
    except Exception as e:  # a decoder slip on one odd file must not stop the batch either
        raise ReadError(name, f"cannot be decoded: {type(e).__name__}: {e}") from e
    try:
        extraction = extract_text(text, os.path.basename(name))
        return ingest_extraction(store, extraction, path)
    except ReadError:
        raise
    except StoreError:
        raise  # about the store, not this file
    except LuocdoError as e:
        if str(e).startswith(name):
            raise
        raise type(e)(f"{name}: {e}") from e
    except Exception as e:  # a parser crash on one file must not stop the batch: say which file
        raise ParseError(f"{name}: the parser failed: {type(e).__name__}: {e}") from e
