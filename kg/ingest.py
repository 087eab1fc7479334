"""Ingest with identity: citations are resolved against what the store and the batch already know.

A citation that names a document without its year or issuer ("theo Quyết định số 72-QĐ/TW")
takes them from the one known document with that number; when two known documents fit, the
citation stays as it was written and is recorded as unresolved, with the candidates
(``lo:resolved false``, ``lo:candidate``), instead of guessing. A file ingested before the
document that completes its citations is re-ingested at the end of the batch, so the order of
files does not change the graph.

>>> from luocdo.kg.store import Store
>>> Ingester(Store.open("memory:")).finish().derivations
0
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import pyoxigraph as ox

from . import iri
from .errors import LuocdoError, ParseError, ReadError, StoreError
from .lookup import number_key
from .model import Citation, Extraction
from .progress import Laps, Report
from .triples import Scope

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_P = f"PREFIX lo: <{iri.LO}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
# The default graph is the union of the per-file graphs, and it repeats a triple once for every
# graph that holds it: a decision cited by 200 plans has its number, issuer and year 200 times
# each. Joined directly they would give 200 x 200 x 200 rows; DISTINCT sub-selects keep one each.
_KNOWN_Q = _P + """
SELECT ?doc ?number ?issuer ?year ?body WHERE {
  { SELECT DISTINCT ?doc ?number WHERE { ?doc lo:number ?number } }
  OPTIONAL { { SELECT DISTINCT ?doc ?body WHERE { ?doc lo:issuedBy ?body } }
             { SELECT DISTINCT ?body ?issuer WHERE { ?body rdfs:label ?issuer } } }
  OPTIONAL { SELECT DISTINCT ?doc ?year WHERE { ?doc lo:year ?year } }
}
"""
# Of some documents (VALUES), those known without their year or issuer, and the files citing them:
# their citations may complete now that the batch knows a document with that number in full.
_PARTIAL_Q = _P + """
SELECT DISTINCT ?src ?number WHERE {{
  VALUES ?doc {{ {docs} }}
  ?doc lo:number ?number .
  FILTER (NOT EXISTS {{ ?doc lo:year ?y }} || NOT EXISTS {{ ?doc lo:issuedBy ?b }})
  ?c lo:cited ?doc ; a lo:Citation ; lo:sourceFile ?src .
}}
"""
# The documents and the labelled nodes (bodies, units) of one graph.
_GRAPH_NODES_Q = _P + ("SELECT DISTINCT ?x ?kind WHERE {{ GRAPH {graph} {{ "
                       "{{ ?x a lo:Document BIND('document' AS ?kind) }} "
                       "UNION {{ ?x rdfs:label ?label BIND('labelled' AS ?kind) }} }} }}")
_TYPE, _DOCUMENT = ox.NamedNode(_RDF_TYPE), ox.NamedNode(iri.LO + "Document")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
#: Documents per query of _PARTIAL_Q (the VALUES block of their IRIs).
_PARTIAL_CHUNK = 2000

# Documents of earlier ingests still unplaced, with the local documents they cite: ingested again
# when the batch has made one of those known where it stands (Ingester.finish).
_UNPLACED_Q = _P + """
SELECT DISTINCT ?src ?number ?issuer WHERE {
  ?d lo:unplaced true ; lo:sourceFile ?src ; lo:cites ?x .
  ?x lo:number ?number ; lo:issuedBy ?b .
  ?b rdfs:label ?issuer .
}
"""


@dataclass(frozen=True, slots=True)
class Known:
    """A document known by number, issuer and year (both needed for its identity), and the province
    its issuer is identified within when that tier's names repeat (``triples.Scope``)."""

    iri: str
    issuer: str | None
    year: int | None
    within: str | None = None


def _province_by_slug() -> dict[str, str]:
    """Province slug (as in ``body/can-tho/...``) -> the province's name, from the body registry."""
    try:
        from .bodies import registry
    except ImportError:
        return {}
    return {iri.slug(name): name for name in registry().province_names()}


def _within_of(body_iri: str, names: dict[str, str]) -> str | None:
    """The province a body IRI was minted within (``body/can-tho/truong-thpt-...``), if any."""
    head = iri.BASE + "body/"
    rest = body_iri[len(head):] if body_iri.startswith(head) else ""
    return names.get(rest.split("/", 1)[0]) if "/" in rest else None


@dataclass
class Result:
    """What an ingest did."""

    files: int = 0
    documents: int = 0
    citations: int = 0
    tasks: int = 0
    assignments: int = 0
    unresolved: int = 0
    reingested: int = 0
    derivations: int = 0
    failures: list[str] = field(default_factory=list)


class DocumentIndex:
    """Number key -> the documents known with that number (from the store and the batch)."""

    def __init__(self) -> None:
        self.by_number: dict[str, dict[str, Known]] = {}
        #: Number keys under which a document became known in full (number, issuer and year) since
        #: the index was read from the store: only citations with those numbers can complete now.
        self.learned: set[str] = set()
        #: Number keys under which a document became known where it stands (``within`` a
        #: province) since then: only files citing those can be placed now (Ingester._placed_since).
        self.placed: set[str] = set()

    @classmethod
    def from_store(cls, store) -> DocumentIndex:
        """Everything the store already knows by number."""
        index = cls()
        names = _province_by_slug()
        for doc, number, issuer, year, body in store.query(_KNOWN_Q).rows:
            y = year.value[:4] if year is not None else None
            index._add(number.value, doc.value, issuer.value if issuer is not None else None,
                       int(y) if y and y.isdigit() else None, _within_of(body.value, names) if body else None)
        index.learned.clear()
        index.placed.clear()
        return index

    def _add(self, number: str, doc_iri: str, issuer: str | None, year: int | None,
             within: str | None = None) -> None:
        key = number_key(number)
        known = self.by_number.setdefault(key, {})
        before = known.get(doc_iri)
        if issuer and year and (before is None or before.issuer is None or before.year is None):
            self.learned.add(key)
        if within and (before is None or before.within != within):
            self.placed.add(key)
        known[doc_iri] = Known(doc_iri, issuer, year, within)

    def add_extraction(self, ex: Extraction, scope: Scope | None = None) -> None:
        """Learn the documents a file holds and the fully identified documents it cites."""
        scope = scope or Scope.default(ex)
        for d in ex.documents:
            if d.number:
                self._add(d.number, scope.document_iri(d), d.issuer, d.year, scope.within(d.issuer, d.key))
        for c in ex.citations:
            if c.number and c.issuer and c.year:
                self._add(c.number, scope.cited_iri(c), c.issuer, c.year, scope.within(c.issuer, c.citing))
            elif c.number and (cited := scope.cited_iri(c)) not in self.by_number.get(number_key(c.number), {}):
                # Known without its year or issuer, as from_store knows such a document: a later
                # number of the batch may complete it (Ingester._completable). Never a candidate.
                self._add(c.number, cited, c.issuer, c.year, None)

    def place(self, citations: tuple[Citation, ...], scope: Scope) -> Scope:
        """``scope`` with its unplaced documents (:meth:`Scope.unplaced`) placed where what they cite
        is known to stand: a school plan whose header names only "Phòng GD&ĐT Gia Lộc" and that
        carries down 171/KH-PGDĐT of the Phòng stands where that plan does, if in one province."""
        placed: dict[str, str] = {}
        for key in scope.unplaced(citations):
            seen: set[str] = set()
            for c in citations:
                if c.citing != key or not c.number or not scope.local(c.issuer):
                    continue
                for k in self.by_number.get(number_key(c.number), {}).values():
                    if k.within and k.issuer == c.issuer and (not c.year or k.year == c.year):
                        seen.add(k.within)
            if len(seen) == 1:
                placed[key] = seen.pop()
        return scope.placed(placed) if placed else scope

    def candidates(self, c: Citation, scope: Scope | None = None) -> list[Known]:
        """Fully identified documents this citation may mean: those it would be, completed with their
        issuer and year. A school's or a commune's document (its issuer identified within a province,
        ``triples.Scope``) is so only for a citing document of the same province."""
        if not c.number:
            return []
        scope = scope or Scope(None, {})
        out = []
        for k in self.by_number.get(number_key(c.number), {}).values():
            if k.issuer is None or k.year is None:
                continue
            if c.issuer and k.issuer != c.issuer:
                continue
            if c.year and k.year != c.year:
                continue
            if scope.cited_iri(replace(c, issuer=k.issuer, year=k.year)) != k.iri:
                continue
            out.append(k)
        return out

    def resolve(self, ex: Extraction, scope: Scope | None = None
                ) -> tuple[Extraction, list[tuple[Citation, list[Known]]]]:
        """The extraction with incomplete citations completed, and the ambiguous ones with candidates."""
        scope = scope or Scope.default(ex)
        fixed: list[Citation] = []
        ambiguous: list[tuple[Citation, list[Known]]] = []
        for c in ex.citations:
            if c.number and not (c.issuer and c.year):
                cands = self.candidates(c, scope)
                if len(cands) == 1:
                    k = cands[0]
                    c = replace(c, issuer=k.issuer, year=k.year)
                elif len(cands) > 1:
                    ambiguous.append((c, cands))
            fixed.append(c)
        return replace(ex, citations=tuple(fixed)), ambiguous


def unresolved_quads(quads: list[ox.Quad], ambiguous: list[tuple[Citation, list[Known]]],
                     scope: Scope | None = None) -> list[ox.Quad]:
    """``lo:resolved false`` and ``lo:candidate`` on the citation nodes of ambiguous citations."""
    if not ambiguous or not quads:
        return []
    graph = quads[0].graph_name
    cited_of: dict[str, str] = {}
    for q in quads:
        if q.predicate.value == iri.LO + "cited":
            cited_of[q.subject.value] = q.object.value
    out = []
    for c, cands in ambiguous:
        cited = (scope or Scope(None, {})).cited_iri(c)
        for node, target in cited_of.items():
            if target != cited:
                continue
            out.append(ox.Quad(ox.NamedNode(node), ox.NamedNode(iri.LO + "resolved"),
                               ox.Literal("false", datatype=_XSD_BOOLEAN), graph))
            out.extend(ox.Quad(ox.NamedNode(node), ox.NamedNode(iri.LO + "candidate"), ox.NamedNode(k.iri), graph)
                       for k in cands)
    return out


@dataclass(frozen=True, slots=True)
class Prepared:
    """A file's extraction and, made beside it in an extraction worker, its graph as N-Quads for the
    bulk loader (:func:`~luocdo.kg.store.merged_nquads`), so that the one writer only indexes and
    loads. Made only for an extraction that needs nothing from the index (:func:`self_contained`):
    resolving it changes nothing, so its graph is the one the writer would make, for ``path``."""

    extraction: Extraction
    path: str
    nquads: bytes


def self_contained(ex: Extraction) -> bool:
    """Does every citation with a number also have its issuer and year, and every document citing a
    local body's document stand in a known province (so resolution and placement are no-ops)?"""
    return not any(c.number and not (c.issuer and c.year) for c in ex.citations) \
        and not Scope.default(ex).unplaced(ex.citations)


def _prepared(ex: Extraction, path: str) -> Extraction | Prepared:
    """``ex`` with its graph's N-Quads when it is self-contained; the writer makes the others'."""
    from .store import merged_nquads
    from .triples import to_triples

    if not self_contained(ex):
        return ex
    try:
        return Prepared(ex, path, merged_nquads(to_triples(ex, path)))
    except LuocdoError:  # an identity error: the writer meets it again and reports it, as before
        return ex


def on_disk(recorded: str | os.PathLike[str]) -> str | None:
    """The file a recorded ``lo:sourceFile`` names, or ``None`` if there is none.

    The store records paths in NFC; the file system keeps names as they were typed, and a name
    typed with combining marks (NFD) is another name to it. Each part of the path that does not
    exist as written is looked up among its folder's entries by its NFC form.

    >>> on_disk("/no/such/file.txt") is None
    True
    """
    path = os.fspath(recorded)
    if os.path.exists(path):
        return path
    head, parts = path, []
    while head and not os.path.exists(head):
        head, tail = os.path.split(head)
        if not tail:
            return None
        parts.append(tail)
    current = head
    for part in reversed(parts):
        want = iri.nfc(part)
        try:
            entries = os.listdir(current or ".")
        except OSError:
            return None
        match = next((e for e in sorted(entries) if iri.nfc(e) == want), None)
        if match is None:
            return None
        current = os.path.join(current, match)
    return current


def extract_path(path: str | os.PathLike[str], limits=None) -> Extraction:
    """Read and extract one file (within the reader's ``limits``); errors name the file."""
    from .parse import extract_text
    from .reader import read_text

    name = os.fspath(path)
    try:
        text = read_text(path, limits)
    except LuocdoError:
        raise
    except Exception as e:  # a decoder slip on one odd file must not stop the batch
        raise ReadError(name, f"cannot be decoded: {type(e).__name__}: {e}") from e
    try:
        return extract_text(text, os.path.basename(name))
    except LuocdoError as e:
        raise type(e)(e if str(e).startswith(name) else f"{name}: {e}") from e
    except Exception as e:  # a parser crash on one file: say which file, go on with the others
        raise ParseError(f"{name}: the parser failed: {type(e).__name__}: {e}") from e


def _extract_or_error(path: str, limits=None) -> tuple[str, Extraction | LuocdoError]:
    try:
        return path, extract_path(path, limits)
    except LuocdoError as e:
        return path, e


def _extract_in_worker(path: str, limits=None, nquads: bool = False
                       ) -> tuple[str, Extraction | Prepared | tuple[str, ...]]:
    # Results travel pickled, and an exception is rebuilt from its args: ReadError(path, problem)
    # has one arg, its message, so it would not unpickle and the pool's result thread would die.
    # Errors cross as plain tuples instead (see _rebuilt_error).
    path, got = _extract_or_error(path, limits)
    if isinstance(got, ReadError):
        return path, ("ReadError", got.path, got.problem)
    if isinstance(got, LuocdoError):
        return path, (type(got).__name__, str(got))
    return path, (_prepared(got, path) if nquads else got)


def _rebuilt_error(sent: tuple[str, ...]) -> LuocdoError:
    if sent[0] == "ReadError":
        return ReadError(sent[1], sent[2])
    kinds = {k.__name__: k for k in (ParseError, StoreError)}
    return kinds.get(sent[0], LuocdoError)(sent[1])


def _ignore_interrupts() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: Files an extraction worker may be ahead of the writer by: results wait in the writer's memory
#: until it takes them, so without a bound a writer slower than its workers would hold the corpus.
AHEAD = 64


def extract_many(paths: Iterable[str | os.PathLike[str]], jobs: int = 1, limits=None, nquads: bool = False):
    """(path, extraction or error) for each path, in order; ``jobs`` > 1 extracts in worker processes.

    Parsing is pure CPU work with no shared state, so it spreads over processes; the store has one
    writer (the caller), which keeps every file's graph one transaction. Ctrl-C is for the caller:
    the workers ignore it, and closing this generator (or an exception in it) terminates them.
    With ``nquads`` (:attr:`Ingester.prepares`), workers give a :class:`Prepared` where they can.
    """
    names = [os.fspath(p) for p in paths]
    if jobs <= 1 or len(names) < 2:
        for n in names:
            yield _extract_or_error(n, limits)
        return
    import functools
    import multiprocessing
    import signal
    import threading

    ctx = multiprocessing.get_context("spawn")  # no fork of a process that holds the store open
    # A terminal sends Ctrl-C to the workers too; ignored from their first instruction on (the
    # disposition is inherited), they print no traceback while the caller stops them.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        pool = ctx.Pool(processes=jobs, initializer=_ignore_interrupts)
    finally:
        if main:
            signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
    room = threading.Semaphore(jobs * AHEAD)
    stop = threading.Event()

    def fed():  # runs in the pool's task thread: waits while the workers are AHEAD per job ahead
        for n in names:
            while not room.acquire(timeout=0.1):
                if stop.is_set():
                    return
            yield n

    work = functools.partial(_extract_in_worker, limits=limits, nquads=nquads)
    with pool:
        try:
            for path, got in pool.imap(work, fed(), chunksize=8):
                room.release()
                yield path, (_rebuilt_error(got) if isinstance(got, tuple) else got)
        finally:
            stop.set()


#: A bulk batch is written once it holds this many N-Quads lines, the merge included (about 110
#: files of the benchmark corpus): well under the loader's million, so that each batch is one
#: ingestion, whole or absent.
BULK_QUADS = 100_000
#: Early in an ingest a batch is also written once it has waited this long, so that an ingest
#: stopped early (Ctrl-C) has stored what it read; after BULK_EARLY_FILES only the size counts,
#: because every batch adds a set of files RocksDB must later compact.
BULK_WAIT = 0.2
BULK_EARLY_FILES = 1000


class Ingester:
    """Ingest files one by one into a store, resolving citations as it goes; :meth:`finish` once.

    Into a store that holds nothing yet (a first ingest, ``luocdo rebuild``) files are written in
    batches by the bulk loader (:meth:`Store.bulk_load`): there is no earlier graph to replace,
    and each batch lands whole or not at all, so a killed ingest still leaves every file's graph
    whole or absent. ``result.files`` counts the files written so far. Into a store with data,
    each file is one transaction that replaces its graph (:meth:`Store.replace_graph`).
    """

    def __init__(self, store, limits=None, jobs: int = 1) -> None:
        self.store = store
        #: The reader's limits (``reader.Limits``) for the files this ingester reads itself.
        self.limits = limits
        #: Processes for the derivations of :meth:`finish` (the extraction's are extract_many's).
        self.jobs = jobs
        loadable = getattr(store, "bulk_loadable", None)
        self._bulk = bool(loadable and loadable())  # asked before the ontology goes in
        self._pending: list[tuple[str, bytes, tuple[int, ...]]] = []  # (path, N-Quads, counts)
        self._pending_quads = 0
        self._pending_since = 0.0
        self._bulked: set[str] = set()
        #: Files with documents not yet placed in a province (path -> scope, their citations).
        self._unplaced: dict[str, tuple[Scope, tuple[Citation, ...]]] = {}
        #: The documents this batch wrote: only the provinces that involve them are matched again.
        self._written: set[str] = set()
        #: Every document (cited ones too) of the graphs this batch replaced, before and after:
        #: with the nodes relabelled, the only stub flags and derivation records
        #: (trace.document_records) an ingest into a store with data can change.
        self._touched: set[str] = set()
        #: Labelled nodes of those graphs -> their first label before this batch wrote.
        self._labels_before: dict[str, str | None] = {}
        store.load_ontology()
        from .trace import records_whole

        #: Does the store keep whole derivation records (trace.records_whole), to be mended by
        #: halves? Their mark goes at this batch's first write (:meth:`ingest_extraction`).
        self._records_whole = records_whole(store)
        self._records_forgotten = False
        self.index = DocumentIndex.from_store(store)
        self.result = Result()
        self.seen: set[str] = set()
        self._counted: dict[str, tuple[int, ...]] = {}  # path -> what its graph holds (documents, ...)

    @property
    def prepares(self) -> bool:
        """Should extraction workers make graphs too (``extract_many(..., nquads=...)``)? Only the
        bulk loader takes them; a store with data replaces graphs one transaction at a time."""
        return self._bulk

    def ingest_extraction(self, ex: Extraction, path: str | os.PathLike[str], nquads: bytes | None = None) -> None:
        """Store one extraction as the graph of ``path`` (replacing what that file gave before).

        ``nquads`` is the graph a worker made of it (a :class:`Prepared`), used when it can go to
        the bulk loader; otherwise the graph is made here.
        """
        scope = self.index.place(ex.citations, Scope.default(ex))
        self.index.add_extraction(ex, scope)
        graph = iri.source_graph(path)
        self._written.update(scope.document_iri(d, fallback=f"{graph} {d.key}") for d in ex.documents)
        unplaced = scope.unplaced(ex.citations)
        if unplaced:  # finish() looks again, once the batch knows more
            self._unplaced[iri.nfc(os.fspath(path))] = (scope, tuple(c for c in ex.citations if c.citing in unplaced))
        else:
            self._unplaced.pop(iri.nfc(os.fspath(path)), None)
        if self._bulk and graph not in self._bulked:
            if nquads is None:
                from .store import merged_nquads

                quads, ambiguous = self._graph(ex, path, scope)
                nquads = merged_nquads(quads)
            else:
                ambiguous = []
            self._bulked.add(graph)
            if not self._pending:
                self._pending_since = time.monotonic()
            self._pending.append((os.fspath(path), nquads, self._counts(ex, ambiguous)))
            self._pending_quads += nquads.count(b"\n")
            if self._pending_quads >= BULK_QUADS or (
                    self.result.files < BULK_EARLY_FILES and time.monotonic() - self._pending_since >= BULK_WAIT):
                self.flush()
            return
        quads, ambiguous = self._graph(ex, path, scope)
        self.flush()  # the same file twice in one batch: its first graph is in the store to replace
        if self._records_whole and not self._records_forgotten:  # not whole until finish() mends them
            from .trace import forget_records

            forget_records(self.store)
            self._records_forgotten = True
        self._note(graph, quads)
        self.store.replace_graph(graph, quads)
        self._count(path, self._counts(ex, ambiguous))

    def _note(self, graph: str, quads: list[ox.Quad]) -> None:
        """Before ``graph`` is replaced by ``quads``: note its documents, old and new, and the
        first label of its labelled nodes (bodies, units) as it is before this batch wrote."""
        labelled = set()
        for x, kind in self.store.query(_GRAPH_NODES_Q.format(graph=ox.NamedNode(graph))).rows:
            (self._touched if kind.value == "document" else labelled).add(x.value)
        for q in quads:
            if q.predicate == _TYPE and q.object == _DOCUMENT:
                self._touched.add(q.subject.value)
            elif q.predicate == _LABEL:
                labelled.add(q.subject.value)
        for x in labelled:
            if x not in self._labels_before:
                self._labels_before[x] = self._first_label(x)

    def _first_label(self, node: str) -> str | None:
        labels = self.store.objects(node, _LABEL.value)
        return labels[0].value if labels else None

    def _graph(self, ex: Extraction, path: str | os.PathLike[str], scope: Scope) -> tuple[list[ox.Quad], list]:
        """The quads of ``ex`` resolved against the index, and its ambiguous citations."""
        from .triples import to_triples

        resolved, ambiguous = self.index.resolve(ex, scope)
        quads = to_triples(resolved, path, scope=scope)
        quads += unresolved_quads(quads, ambiguous, scope)
        return quads, ambiguous

    @staticmethod
    def _counts(ex: Extraction, ambiguous: list) -> tuple[int, ...]:
        return len(ex.documents), len(ex.citations), len(ex.tasks), len(ex.assignments), len(ambiguous)

    def flush(self) -> None:
        """Write the files waiting for the bulk loader (one batch); a no-op when none wait."""
        if not self._pending:
            return
        pending, self._pending, self._pending_quads = self._pending, [], 0
        self.store.bulk_load(b"".join(nquads for _path, nquads, _counts in pending))
        for path, _nquads, counts in pending:
            self._count(path, counts)

    def _count(self, path: str | os.PathLike[str], counts: tuple[int, ...]) -> None:
        """Count a file written; one written again (a re-ingest) counts what it holds now, once."""
        key = iri.nfc(os.fspath(path))
        before = self._counted.get(key)
        if before is None:
            self.result.files += 1
        else:
            self._tally(before, -1)
        self._tally(counts, 1)
        self._counted[key] = counts
        self.seen.add(key)

    def _uncount(self, path: str | os.PathLike[str]) -> None:
        """Take a file out of the counts (one of an earlier ingest, re-ingested by :meth:`finish`)."""
        counts = self._counted.pop(iri.nfc(os.fspath(path)), None)
        if counts is not None:
            self.result.files -= 1
            self._tally(counts, -1)

    def _tally(self, counts: tuple[int, ...], sign: int) -> None:
        r = self.result
        r.documents += sign * counts[0]
        r.citations += sign * counts[1]
        r.tasks += sign * counts[2]
        r.assignments += sign * counts[3]
        r.unresolved += sign * counts[4]

    def ingest_path(self, path: str | os.PathLike[str]) -> None:
        """Read, extract and store one file; a file that fails is recorded, not raised."""
        try:
            self.ingest_extraction(extract_path(path, self.limits), path)
        except StoreError:
            raise  # the store itself failed: every other file would fail alike
        except LuocdoError as e:
            message = str(e)
            self.result.failures.append(message if message.startswith(os.fspath(path)) else f"{path}: {message}")

    def ingest_all(self, paths: Iterable[str | os.PathLike[str]], jobs: int = 1) -> Result:
        """Ingest every path (extracting in ``jobs`` processes; this one writes), then :meth:`finish`."""
        self.jobs = jobs
        for path, got in extract_many(paths, jobs, self.limits, nquads=self.prepares):
            self.add(path, got)
        return self.finish()

    def add(self, path: str | os.PathLike[str], got: Extraction | Prepared | LuocdoError) -> None:
        """Store what :func:`extract_many` gave for one path (an extraction, or the error to record).

        ``path`` is the file as recorded (``luocdo rebuild`` reads it under another name); a graph
        a worker made for another path is not used.
        """
        if isinstance(got, LuocdoError):
            message = str(got)
            self.result.failures.append(message if message.startswith(os.fspath(path)) else f"{path}: {message}")
            return
        if isinstance(got, Prepared):
            self.ingest_extraction(got.extraction, path, got.nquads if got.path == os.fspath(path) else None)
            return
        self.ingest_extraction(got, path)

    def _completable(self) -> Iterator[tuple[str, Extraction]]:
        """Files of the store (this batch's and earlier ones) that cite, without its year or issuer,
        a document whose number the batch has made known in full, and whose citation of it now
        completes (one candidate, as :meth:`DocumentIndex.resolve` decides): with their extraction,
        to be ingested again. A file whose citation still has none or several candidates would be
        written as it is, so it is not (22 files were, on each ingest into a store of 100k)."""
        learned = self.index.learned
        if not learned:
            return
        # The index knows every numbered document of the store (from_store) and of the batch, those
        # without year or issuer too: no pass over the store's numbers.
        docs = sorted({k.iri for key in learned for k in self.index.by_number.get(key, {}).values()
                       if k.issuer is None or k.year is None})
        cited: dict[str, set[str]] = {}  # file -> the number keys of its partial citations
        for i in range(0, len(docs), _PARTIAL_CHUNK):
            values = " ".join(str(ox.NamedNode(d)) for d in docs[i:i + _PARTIAL_CHUNK])
            for src, number in self.store.query(_PARTIAL_Q.format(docs=values)).rows:
                cited.setdefault(src.value, set()).add(number_key(number.value))
        for src, keys in cited.items():
            ex = self._reread(src)
            if ex is None:
                continue
            scope = self.index.place(ex.citations, Scope.default(ex))
            if any(c.number and not (c.issuer and c.year) and number_key(c.number) in keys
                   and len(self.index.candidates(c, scope)) == 1 for c in ex.citations):
                yield src, ex

    def _reread(self, src: str) -> Extraction | None:
        """The extraction of a file of the store as it is on disk now; ``None`` if it is gone or
        unreadable (its earlier graph stays)."""
        path = on_disk(src)
        if path is None:
            return None
        try:
            return extract_path(path, self.limits)
        except LuocdoError:
            return None

    def _placed_since(self) -> Iterator[tuple[str, Extraction]]:
        """Files of earlier ingests whose unplaced documents (``lo:unplaced``) the index now places:
        one of the local documents they cite is known in a province, and the batch made it known
        there (``DocumentIndex.placed``: 906 files of the 100k store were read again after every
        ingest, never placed). Read again to be sure; with their extraction."""
        maybe: dict[str, None] = {}
        placed = self.index.placed
        if not placed:
            return
        for src, number, issuer in self.store.query(_UNPLACED_Q).rows:
            if src.value in self._unplaced or src.value in maybe or number_key(number.value) not in placed:
                continue  # this batch's own files are looked at above; nothing new where it stands
            known = self.index.by_number.get(number_key(number.value), {}).values()
            if any(k.within and k.issuer == issuer.value for k in known):
                maybe[src.value] = None
        for src in maybe:
            ex = self._reread(src)
            if ex is None:
                continue
            scope = Scope.default(ex)
            if self.index.place(ex.citations, scope) is not scope:
                yield src, ex

    def finish(self, report: Report | None = None) -> Result:
        """Re-ingest files whose citations the batch has since completed; derive stubs and derivations.
        ``report`` is told each stage as it ends (:class:`~luocdo.kg.progress.Laps`)."""
        from .trace import build_derivations

        laps = Laps(report)
        self.flush()
        laps.lap("stored the last files")
        again: dict[str, Extraction | None] = dict(self._completable())
        # A school plan ingested before the Phòng's plan it cites: placed now, its IRIs change.
        for src, (scope, citations) in list(self._unplaced.items()):
            if self.index.place(citations, scope) is not scope and on_disk(src) is not None:
                again.setdefault(src, None)
        for src, ex in self._placed_since():
            again.setdefault(src, ex)
        earlier = [src for src in again if iri.nfc(src) not in self._counted]  # of an earlier ingest
        for src, ex in again.items():
            try:
                # The file as it is named on disk; its graph and lo:sourceFile as recorded.
                self.ingest_extraction(ex or extract_path(on_disk(src) or src, self.limits), src)
            except LuocdoError:
                continue  # it was readable a moment ago; if not now, its earlier graph stays
            self.result.reingested += 1
        for src in earlier:  # not this batch's files: counted as re-ingested only
            self._uncount(src)
        laps.lap(f"re-ingested {self.result.reingested} files whose citations were completed")
        # A first ingest (the bulk loader's) wrote every graph: all flags and records at once.
        # A body or unit whose first label changed reaches the records of the documents it issued.
        relabelled = {x for x, label in self._labels_before.items() if self._first_label(x) != label}
        touched = None if self._bulk or not self._records_whole else self._touched | relabelled
        self.store.update_derived(touched)
        laps.lap("marked the documents known only from citations")
        self.result.derivations = build_derivations(self.store, jobs=self.jobs, changed=self._written, report=report,
                                                    recorded=touched)
        return self.result
