"""Where a task came from: derivations over the whole store, trace chains, delegation, coverage.

:func:`build_derivations` reads every document and task from the store, asks :mod:`.derive` which
task each local task carries down, and writes the answer into derived graphs, one per province
(``graph/derivations/{province}``), as ``lo:derivedFrom`` plus a qualified ``lo:Derivation``. The trace then
walks ``lo:derivedFrom`` upwards (cycles are reported, never followed twice).

>>> from luocdo.kg.store import Store
>>> build_derivations(Store.open("memory:"))
0
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import derive
from .errors import IdentityError
from .iri import BASE, LO, slug
from .lookup import DocInfo, document_info
from .progress import Laps, Report
from .store import BULK_GRAPH, merged_nquads

DERIVATIONS_GRAPH = BASE + "graph/derivations"
_PROV = "http://www.w3.org/ns/prov#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_LEVELS = {"central": 0, "provincial": 1, "district": 2, "commune": 3, "institution": 4}

_P = f"""PREFIX lo: <{LO}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# The records of derivation are read a property at a time (Store.pairs: straight from an index,
# one triple at a time, of the merge that holds each triple once) and joined here: a joined
# query multiplies a document's facts (issuer x label x title x ...), and its joins and DISTINCT
# are held whole in Oxigraph's memory (the citations' four-way join was 7.6 s at 10k files).
# Triples come in index order, so "the first value of a document" is the same on every run.
_HAS_TASKS_Q = _P + "SELECT DISTINCT ?doc WHERE { ?task lo:taskOf ?doc ; lo:taskNumber ?number }"
# lo:taskOf is a task's alone (its domain): no `a lo:Task`, which Oxigraph took as the place to
# start (every task of the store) before the VALUES of documents.
_UNIT_TASKS_Q = _P + ("SELECT ?task ?doc ?number WHERE {{ VALUES ?doc {{ {docs} }} "
                      "?task lo:taskOf ?doc ; lo:taskNumber ?number }}")
_UNIT_TEXT_Q = _P + "SELECT ?task ?text WHERE {{ VALUES ?doc {{ {docs} }} ?task lo:taskOf ?doc ; {prop} ?text }}"


def _v(term) -> str | None:
    return None if term is None else term.value


def _registry():
    from .bodies import registry

    return registry()


def _sector(*texts: str | None) -> str | None:
    folded = derive.fold(" ".join(t for t in texts if t))
    if re.search(r"giao duc|nam hoc|truong (?:mam non|tieu hoc|thcs|thpt)|dao tao", folded):
        return "education"
    return None


def _first_values(store, prop: str, of: dict[str, str], labels: dict[str, str] | None = None) -> dict[str, str]:
    """Document IRI (a key of ``of``) -> the value of its first ``prop`` triple; with ``labels``
    (node -> its first ``rdfs:label``), the label of the first node it reaches that has one. Only
    documents' are kept: tasks have titles too, ten for each document."""
    out: dict[str, str] = {}
    for doc, value in store.pairs(prop):
        key = of.get(doc)
        if key is None or key in out:
            continue
        if labels is None:
            out[key] = value.value
        elif value.value in labels:
            out[key] = labels[value.value]
    return out


def _citations(store, one) -> list[tuple[str, int, str, str]]:
    """(citing document, start of the evidence or -1, cited document, relation) of every citation
    but a news article's report, in the order they stand in each document (a citation without a
    span first, as an unbound value sorts in SPARQL). Each IRI is ``one``'s single copy."""
    citing: dict[str, str] = {}
    for c, doc in store.pairs(LO + "citing"):
        citing.setdefault(c, one(doc.value))
    read = {"cited": one, "relation": str, "charStart": lambda v: int(v) if v.isdigit() else -1}
    facts: dict[str, dict[str, list]] = {prop: {} for prop in read}
    for prop, values in facts.items():
        for c, value in store.pairs(LO + prop):
            if c in citing:
                values.setdefault(c, []).append(read[prop](value.value))
    rows = [(doc, start, cited, rel) for c, doc in citing.items()
            for cited in facts["cited"].get(c, ()) for rel in facts["relation"].get(c, ())
            if not rel.endswith("#reportsOn") for start in facts["charStart"].get(c) or (-1,)]
    rows.sort()
    return rows


def collect(store) -> tuple[dict[str, derive.DocRec], list[derive.TaskRec]]:
    """Documents and top-level tasks of the store as derivation records."""
    docs = collect_documents(store)
    return docs, tasks_of(store, documents_with_tasks(store))


def documents_with_tasks(store) -> list[str]:
    """The documents that have top-level tasks, in IRI order."""
    return sorted({d.value for (d,) in store.query(_HAS_TASKS_Q).rows})


#: Documents per query of :func:`tasks_of` (the VALUES block of their IRIs).
TASKS_CHUNK = 2000


def tasks_of(store, doc_iris) -> list[derive.TaskRec]:
    """The top-level tasks of some documents as derivation records, one per title and body a task
    has (a task read with two titles is two records). Three plain joins from the documents, no
    OPTIONAL: Oxigraph built an OPTIONAL's whole right side (every title of the store) per call."""
    iris = sorted(doc_iris)
    out: list[derive.TaskRec] = []
    for i in range(0, len(iris), TASKS_CHUNK):
        values = " ".join(str(_iri(d)) for d in iris[i:i + TASKS_CHUNK])
        numbered = store.query(_UNIT_TASKS_Q.format(docs=values)).rows
        texts: dict[str, dict[str, list[str]]] = {"title": {}, "body": {}}
        for key, prop in (("title", "lo:title"), ("body", "lo:evidence")):
            for t, text in store.query(_UNIT_TEXT_Q.format(docs=values, prop=prop)).rows:
                texts[key].setdefault(t.value, []).append(text.value)
        for t, d, n in numbered:
            for title in texts["title"].get(t.value) or [""]:
                for body in texts["body"].get(t.value) or [""]:
                    out.append(derive.TaskRec(t.value, d.value, n.value, title, body[:derive.BODY_CHARS]))
    return out


def collect_documents(store) -> dict[str, derive.DocRec]:
    """The documents of the store as derivation records, read from the whole store (see
    :func:`document_records` for the records an ingest keeps)."""
    return _with_attached(_raw_records(store), store)


@dataclass(frozen=True, slots=True)
class _Raw:
    """What derivation reads of one document, from its own triples alone: a :class:`derive.DocRec`
    before the plans its decisions promulgate are followed (:func:`_with_attached`), and whether it
    has tasks. Kept in the store as JSON (``lo:derivationRecord``)."""

    level: int | None
    province: str | None
    period: str | None
    sector: str | None
    stub: bool
    parents: tuple[str, ...]
    implements: tuple[str, ...]
    title: str
    tasks: bool

    def to_json(self) -> str:
        return json.dumps([self.level, self.province, self.period, self.sector, self.stub,
                           self.parents, self.implements, self.title, self.tasks], ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, held: dict[str, str] | None = None) -> _Raw:
        """The record of :meth:`to_json`; with ``held``, each IRI it names is the one copy kept
        there (a province's plan is named by thousands of records)."""
        level, province, period, sector, stub, parents, implements, title, tasks = json.loads(text)
        if held is not None:
            parents, implements = ([held.setdefault(x, x) for x in xs] for xs in (parents, implements))
        return cls(level, province, period, sector, stub, tuple(parents), tuple(implements), title, tasks)


def _fields(reg, iss: str | None, j: str, sy: str | None, year: str | None, title: str | None
            ) -> tuple[int | None, str | None, str | None, str | None]:
    """Level, province, period and sector of a document from its issuer's and jurisdiction's
    labels, school year, year and title."""
    level = _LEVELS.get(reg.level(iss) or "") if iss else None
    # A school is named after a person or a place, not its province (its jurisdiction says).
    province = reg.find_province(iss) if iss and level != _LEVELS["institution"] else None
    if province is None and j and j != "national":
        province = reg.find_province(j.rsplit(",", 1)[-1])
    if level is None and j:
        if j == "national":
            level = 0
        else:
            province = province or reg.find_province(j)
            level = 2 if re.match(r"(huyện|thị xã|quận)\b", j) else (1 if province else None)
    period = sy or (year[:4] if year else None)
    return level, province, period, "education" if sy else _sector(title, iss)


def _raw_records(store) -> dict[str, _Raw]:
    """Every document's :class:`_Raw`, read a property at a time from the whole store.

    Every IRI is held once (``held`` maps each to the one string kept): the citations name each
    plan of a province thousands of times, and their copies would be most of this function's
    memory at 100k files. Rows are read one at a time, never as lists.
    """
    reg = _registry()
    documents: dict[str, str] = {}
    for doc, _type in store.pairs(_RDF_TYPE, ox.NamedNode(LO + "Document")):
        documents.setdefault(doc, doc)
    held = dict(documents)

    def one(value: str) -> str:
        return held.setdefault(value, value)

    parents: dict[str, list[str]] = {}
    implements: dict[str, list[str]] = {}
    for d, _start, c, rel in _citations(store, one):
        parents.setdefault(d, []).append(c)
        if rel.endswith(("#implements", "#basedOn")):
            implements.setdefault(d, []).append(c)
    labels: dict[str, str] = {}
    for node, label in store.pairs(_RDFS_LABEL):
        labels.setdefault(node, label.value)
    issuer_of = _first_values(store, LO + "issuedBy", documents, labels)
    jur_of = _first_values(store, LO + "jurisdiction", documents, labels)
    sy_of, year_of = _first_values(store, LO + "schoolYear", documents), _first_values(store, LO + "year", documents)
    stub_of, title_of = _first_values(store, LO + "stub", documents), _first_values(store, LO + "title", documents)
    has_tasks = set(documents_with_tasks(store))
    out: dict[str, _Raw] = {}
    for iri in documents.values():
        title = title_of.get(iri)
        fields = _fields(reg, issuer_of.get(iri), jur_of.get(iri) or "", sy_of.get(iri), year_of.get(iri), title)
        out[iri] = _Raw(*fields, stub_of.get(iri) == "true", tuple(parents.get(iri, ())),
                        tuple(implements.get(iri, ())), title or "", iri in has_tasks)
    return out


def _raw_record(store, doc: str) -> _Raw | None:
    """One document's :class:`_Raw`, read from its own triples (index look-ups, no pass over the
    store): what :func:`_raw_records` gives for it. ``None`` if it is no document (any more)."""
    if not any(o.value == LO + "Document" for o in store.objects(doc, _RDF_TYPE)):
        return None

    def first(prop: str, labelled: bool = False) -> str | None:
        for o in store.objects(doc, prop):
            if not labelled:
                return o.value
            if not isinstance(o, ox.Literal) and (label := store.objects(o.value, _RDFS_LABEL)):
                return label[0].value
        return None

    rows = []
    for c, _doc in store.pairs(LO + "citing", ox.NamedNode(doc)):
        if store.objects(c, LO + "citing")[0].value != doc:
            continue  # a citation of two documents is its first one's, as in _citations
        starts = [int(v.value) if v.value.isdigit() else -1 for v in store.objects(c, LO + "charStart")]
        rows += [(start, cited.value, rel.value) for cited in store.objects(c, LO + "cited")
                 for rel in store.objects(c, LO + "relation") if not rel.value.endswith("#reportsOn")
                 for start in starts or (-1,)]
    rows.sort()
    title = first(LO + "title")
    fields = _fields(_registry(), first(LO + "issuedBy", True), first(LO + "jurisdiction", True) or "",
                     first(LO + "schoolYear"), first(LO + "year"), title)
    tasks = any(store.objects(t, LO + "taskNumber") for t, _d in store.pairs(LO + "taskOf", ox.NamedNode(doc)))
    return _Raw(*fields, first(LO + "stub") == "true", tuple(c for _s, c, _r in rows),
                tuple(c for _s, c, r in rows if r.endswith(("#implements", "#basedOn"))), title or "", tasks)


def _with_attached(raw: dict[str, _Raw], store) -> dict[str, derive.DocRec]:
    """The derivation records of documents from their :class:`_Raw`: an attached plan carries down
    what its decision implements, and a document citing the decision carries down the plan."""
    parents = {d: list(r.parents) for d, r in raw.items() if r.parents}
    implements = {d: list(r.implements) for d, r in raw.items() if r.implements}
    # An attached plan carries down what its decision implements.
    attached: dict[str, list[str]] = {}
    for decision, doc in store.pairs(LO + "promulgates"):
        doc_iri = doc.value
        parents.setdefault(doc_iri, []).extend(parents.get(decision, []))
        implements.setdefault(doc_iri, []).extend(implements.get(decision, []))
        attached.setdefault(decision, []).append(doc_iri)
    # And a document citing the decision ("Thực hiện Quyết định số 1925/QĐ-UBND ... ban hành Kế
    # hoạch ...") carries down the plan it promulgates: the tasks are the plan's. Without this a
    # school citing its province's decision found no plan and fell back to every commune plan of
    # the province (wrong, and quadratic: 13 candidate pools per school at 1k files).
    for table in (parents, implements):
        for doc, cited in table.items():
            if any(c in attached for c in cited):
                table[doc] = [x for c in cited for x in (c, *(a for a in attached.get(c, ()) if a != doc))]
    return {iri: derive.DocRec(iri, r.level, r.province, r.period, r.sector, r.stub,
                               tuple(dict.fromkeys(parents.get(iri, []))),
                               tuple(dict.fromkeys(implements.get(iri, []))), r.title)
            for iri, r in raw.items()}


RECORDS_GRAPH = BASE + "graph/records"
_RECORD = LO + "derivationRecord"
_INPUT_DIGEST = LO + "inputDigest"


@functools.cache
def records_version() -> str:
    """What the kept records were computed with: their format and the bodies' data (a level or a
    province comes from the registry). Records of another version are computed again, all."""
    from importlib import resources

    h = hashlib.sha1(b"records/v1")
    data = resources.files("luocdo.kg.data")
    for name in sorted(x.name for x in data.iterdir() if x.name.endswith(".json")):
        h.update(name.encode() + data.joinpath(name).read_bytes())
    return h.hexdigest()


def records_whole(store) -> bool:
    """Does the store keep every document's record, of this version (:func:`document_records`)?"""
    return {d: v.value for d, v in store.pairs(_INPUT_DIGEST)}.get(RECORDS_GRAPH) == records_version()


def forget_records(store) -> None:
    """Take away the mark that the kept records are whole (``lo:inputDigest`` of
    :data:`RECORDS_GRAPH`): before an ingest writes a graph, so that one stopped before its end
    leaves records that the next one computes again, all, instead of trusting them."""
    store.set_values(RECORDS_GRAPH, _INPUT_DIGEST, {RECORDS_GRAPH: None})


def document_records(store, changed: Collection[str] | None = None) -> tuple[dict[str, derive.DocRec], list[str]]:
    """The documents' derivation records and those with tasks (in IRI order), as
    :func:`collect_documents` and :func:`documents_with_tasks` give them, from the records the
    store keeps (:data:`RECORDS_GRAPH`, one ``lo:derivationRecord`` per document): only those of
    ``changed`` (documents, and the bodies and units whose labels an ingest wrote) are read
    again from their triples, and written back. The caller vouches that the records were whole
    before it wrote those (:func:`records_whole`, then :func:`forget_records`). Without
    ``changed`` every document's is read from the whole store and all are written: a first ingest.
    At 100k files reading them from the whole store was 3 minutes after every ingest.
    """
    if changed is None:
        raw = _raw_records(store)
        g, p = _iri(RECORDS_GRAPH), _iri(_RECORD)
        store.replace_graph(RECORDS_GRAPH, itertools.chain(
            (ox.Quad(_iri(d), p, ox.Literal(r.to_json()), g) for d, r in raw.items()),
            [ox.Quad(g, _iri(_RDF_TYPE), _iri(LO + "DerivedGraph"), g),
             ox.Quad(g, _iri(_INPUT_DIGEST), ox.Literal(records_version()), g)]), derived=True)
    else:
        held: dict[str, str] = {}
        raw = {held.setdefault(d, d): _Raw.from_json(v.value, held) for d, v in store.pairs(_RECORD)}
        again = set(changed)
        for node in changed:  # a body's or a unit's label reaches the documents it issued or governs
            again.update(d for prop in ("issuedBy", "jurisdiction") for d, _o in store.pairs(LO + prop, _iri(node)))
        written: dict[str, ox.Literal | None] = {}
        for d in sorted(again):
            r = _raw_record(store, d)
            if r != raw.get(d):
                written[d] = None if r is None else ox.Literal(r.to_json())
                if r is None:
                    raw.pop(d, None)
                else:
                    raw[d] = r
        store.set_values(RECORDS_GRAPH, _RECORD, written)
        store.set_values(RECORDS_GRAPH, _INPUT_DIGEST, {RECORDS_GRAPH: ox.Literal(records_version())})
    return _with_attached(raw, store), sorted(d for d, r in raw.items() if r.tasks)


def _iri(s: str) -> ox.NamedNode:
    return ox.NamedNode(s)


def derivation_quads(derivations: Iterable[derive.Derivation], graph: str = DERIVATIONS_GRAPH) -> Iterator[ox.Quad]:
    """The triples of a derivations graph (with the closure: lo:derivedFrom is a prov:wasDerivedFrom),
    made as they are written: a million quads at 10k files."""
    g = _iri(graph)
    out: list[ox.Quad] = []

    def add(s, p, o):
        out.append(ox.Quad(_iri(s), _iri(p), o if isinstance(o, ox.Literal | ox.NamedNode) else _iri(o), g))

    for d in derivations:
        node = BASE + "derivation/" + hashlib.sha1(f"{d.derived} {d.source}".encode()).hexdigest()[:16]
        add(d.derived, LO + "derivedFrom", d.source)
        add(d.derived, _PROV + "wasDerivedFrom", d.source)
        add(node, _RDF_TYPE, LO + "Derivation")
        add(node, _RDF_TYPE, _PROV + "Derivation")
        add(node, _RDF_TYPE, _PROV + "Influence")
        add(node, LO + "derived", d.derived)
        add(node, LO + "source", d.source)
        add(node, LO + "score", ox.Literal(f"{d.score:.4f}", datatype=_iri(_XSD + "decimal")))
        add(node, LO + "method", ox.Literal(d.method))
        add(node, LO + "evidence", ox.Literal(f"«{d.derived_text}» ~ «{d.source_text}»"))
        for v in d.via:
            add(node, LO + "via", v)
        yield from out
        out.clear()


def unit_nquads(plans: list[derive.Plan], found: dict[str, list[derive.Derivation]], graph: str,
                digest: str, plan_digests: Sequence[str] = ()) -> list[bytes]:
    """The derivations graph of one province as N-Quads with their merge (the input of
    :meth:`~luocdo.kg.store.Store.add_graph_nquads`), in parts of at most ``BULK_GRAPH`` of the
    graph's quads, its ``lo:inputDigest`` last: made by the process that matched them, so that the
    one that writes the store only loads. In the order of ``plans``; with ``plan_digests`` (one
    per plan), each document's ``lo:planDigest`` (:func:`_unit_work`).

    >>> parts = unit_nquads([], {}, unit_graph("Huế"), "d1")
    >>> len(parts), len(parts[0].splitlines()), parts[0].rstrip().endswith(b'"d1" .')
    (1, 4, True)
    """
    made = (x for d_iri, _cands, _via in plans for x in found.get(d_iri, ()))
    g = _iri(graph)
    marks = [ox.Quad(_iri(d_iri), _iri(_PLAN_DIGEST), ox.Literal(x), g)
             for (d_iri, _c, _v), x in zip(plans, plan_digests, strict=False)]
    marks += [ox.Quad(g, _iri(_RDF_TYPE), _iri(LO + "DerivedGraph"), g),
              ox.Quad(g, _iri(LO + "inputDigest"), ox.Literal(digest), g)]
    quads = itertools.chain(derivation_quads(made, graph), marks)
    parts = []
    while chunk := list(itertools.islice(quads, BULK_GRAPH)):
        parts.append(merged_nquads(chunk))
    return parts


def _write_unit(store, graph: str, parts: list[bytes]) -> None:
    """Write one province's derivations (:func:`unit_nquads`): loaded as they are into a graph the
    store does not hold, else only what changed."""
    if not store.add_graph_nquads(graph, parts):
        g = _iri(graph)
        store.replace_graph(graph, (q for part in parts for q in ox.parse(part, format=ox.RdfFormat.N_QUADS)
                                    if q.graph_name == g), derived=True)


_PLAN_DIGEST = LO + "planDigest"
_PLAN_DIGESTS_Q = "SELECT ?d ?x WHERE {{ GRAPH {graph} {{ ?d <" + _PLAN_DIGEST + "> ?x }} }}"


@dataclass
class _UnitWork:
    """What one province's graph needs: the plans to match, what the worker makes of their
    derivations (``then``), and how it is written (:meth:`write`). ``keep`` is ``None`` when the
    graph is written whole; else the documents whose derivations stay as the graph has them."""

    graph: str
    plans: list[derive.Plan]
    then: Callable[..., list[bytes]]
    keep: set[str] | None = None

    def write(self, store, parts: list[bytes]) -> None:
        if self.keep is None:
            _write_unit(store, self.graph, parts)
            return
        # The graph's own lines of the parts (not their merge), as N-Triples.
        tail = b" " + str(_iri(self.graph)).encode() + b" ."
        came = [line[:-len(tail)] + b" ." for part in parts for line in part.splitlines() if line.endswith(tail)]
        store.rewrite_graph(self.graph, functools.partial(_kept_lines, graph=self.graph, keep=self.keep, came=came))


def _unit_work(store, graph: str, plans: list[derive.Plan], digest: str, threshold: float,
               changed: Collection[str] | None) -> _UnitWork:
    """A province's work: with ``changed`` (the documents an ingest wrote) and a graph that holds
    each document's ``lo:planDigest``, only the documents whose plan changed or that involve one
    of ``changed`` are matched again (a document's derivations depend on nothing but its plan and
    the tasks in it, :func:`~luocdo.kg.derive.fingerprint`); the others' stay. One more school in
    a province of 3,000 documents matched them all again: 80 s at 100k files."""
    digests = [derive.fingerprint([p], threshold) for p in plans]
    whole = _UnitWork(graph, plans, functools.partial(unit_nquads, graph=graph, digest=digest, plan_digests=digests))
    if changed is None:
        return whole
    stored = {d.value: x.value for d, x in store.query(_PLAN_DIGESTS_Q.format(graph=_iri(graph))).rows}
    fresh = [i for i, (d, cands, _via) in enumerate(plans)
             if stored.get(d) != digests[i] or d in changed or any(c in changed for c in cands)]
    if not stored or len(fresh) == len(plans):
        return whole
    keep = {plans[i][0] for i in range(len(plans))} - {plans[i][0] for i in fresh}
    return _UnitWork(graph, [plans[i] for i in fresh],
                     functools.partial(unit_nquads, graph=graph, digest=digest,
                                       plan_digests=[digests[i] for i in fresh]), keep)


def _kept_lines(old: list[bytes], graph: str, keep: set[str], came: list[bytes]) -> list[bytes]:
    """A province's graph of which only some documents were matched again: its lines (``old``)
    of the documents in ``keep`` (a derivation is its task's document's: a task's IRI is its
    document's and ``/task/...``), then ``came`` (the new ones', and the graph's marks).

    >>> t = b"<https://x/d/task/1>"
    >>> _kept_lines([t + b" <p> <s> .", b"<https://g> <m> <1> ."], "https://g", {"https://x/d"}, [b"n"])
    [b'<https://x/d/task/1> <p> <s> .', b'n']
    """
    derived = f"<{LO}derived>".encode()
    owner: dict[bytes, str] = {}  # a derivation node -> its task's document
    for line in old:
        s, p, o = line.split(b" ", 2)
        if p == derived:
            owner[s] = o[1:].split(b" ", 1)[0][:-1].decode().rsplit("/task/", 1)[0]
    own = str(_iri(graph)).encode()

    def kept(line: bytes) -> bool:
        s = line.split(b" ", 1)[0]
        if s == own:
            return False  # the marks come again with ``came``
        return (owner.get(s) or s[1:-1].decode().rsplit("/task/", 1)[0]) in keep

    return [line for line in old if kept(line)] + came


def unit_graph(unit: str) -> str:
    """The derivations graph of one province's documents (``""``: those of no province).

    >>> unit_graph("Hải Dương")
    'https://w3id.org/luocdo/id/graph/derivations/hai-duong'
    """
    return f"{DERIVATIONS_GRAPH}/{slug(unit) or 'none'}"


_DIGESTS_Q = f"SELECT ?g ?digest WHERE {{ GRAPH ?g {{ ?g <{LO}inputDigest> ?digest }} }}"
_COUNT_Q = f"SELECT (COUNT(?d) AS ?n) WHERE {{ ?d a <{LO}Derivation> }}"


def build_derivations(store, threshold: float = derive.THRESHOLD, jobs: int = 1,
                      changed: Collection[str] | None = None, report: Report | None = None,
                      recorded: Collection[str] | None = None) -> int:
    """Recompute the derivations from everything in the store; returns how many it holds.

    They live in one graph per province (:func:`unit_graph`), each with the digest of what it was
    computed from (``lo:inputDigest``, :func:`~luocdo.kg.derive.fingerprint`). With ``changed``
    (the documents an ingest wrote) only the provinces whose digest differs or that involve one of
    those documents are matched and written again: one more file in a store of 100k matches one
    province, not 34. Without it, all are. A large store is matched in ``jobs`` processes, and
    each province's graph, serialised by the process that matched it, is written as soon as its
    matching ends, while the next is matched.
    ``report`` is told each stage as it ends (:class:`~luocdo.kg.progress.Laps`).
    ``recorded`` (the documents, bodies and units of the graphs an ingest replaced) says which
    documents' kept records to read again (:func:`document_records`); without it, all are.
    """
    laps = Laps(report)
    docs, with_tasks = document_records(store, recorded)
    laps.lap(f"read {len(docs)} documents' records")
    plans = derive.unit_plans(docs, with_tasks)
    graphs = set(store.graphs())
    if DERIVATIONS_GRAPH in graphs:  # a store from before the graphs were per province: all new
        changed = None
    stored = {g.value: d.value for g, d in store.query(_DIGESTS_Q).rows}
    todo: dict[str, tuple[list[derive.Plan], str]] = {}
    for unit, unit_plans in plans.items():
        digest = derive.fingerprint(unit_plans, threshold)
        g = unit_graph(unit)
        if changed is None or stored.get(g) != digest or any(
                d in changed or any(c in changed for c in cands) for d, cands, _via in unit_plans):
            todo[g] = (unit_plans, digest)
    laps.lap(f"planned the derivations of {sum(map(len, plans.values()))} documents in {len(plans)} provinces")
    work = [_unit_work(store, g, unit_plans, digest, threshold, changed if g in graphs else None)
            for g, (unit_plans, digest) in todo.items()]
    for i, parts in derive.matched_units([w.plans for w in work], lambda needed: tasks_of(store, needed),
                                         threshold, jobs, then=[w.then for w in work]):
        work[i].write(store, parts)
    matched = sum(len(w.plans) for w in work)
    laps.lap(f"matched and wrote the derivations of {matched} documents in {len(todo)} provinces")
    wanted = {unit_graph(u) for u in plans}
    for g in sorted(graphs):
        # A province whose documents have gone; the one graph of earlier versions, once its
        # triples are in the provinces' graphs (so that the merge keeps what they still state).
        if (g.startswith(DERIVATIONS_GRAPH + "/") and g not in wanted) or g == DERIVATIONS_GRAPH:
            store.remove_graph(g)
    return int(store.query(_COUNT_Q).rows[0][0].value)


# -- tracing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One task of a trace, with the document that holds it and why it is linked to the step below."""

    iri: str
    document: DocInfo
    number: str
    title: str | None
    score: float | None = None
    via: tuple[DocInfo, ...] = ()
    evidence: str | None = None

    def to_json(self) -> dict:
        """A STEP of ``luocdo trace --format json``."""
        return {"iri": self.iri, "document": self.document.to_json(),
                "task": {"number": self.number, "title": self.title}, "score": self.score,
                "via": [v.to_json() for v in self.via], "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class Trace:
    """A task and the chain of tasks it carries down, up to its top origin."""

    task: Step
    chain: tuple[Step, ...] = ()
    cycle: tuple[str, ...] = ()

    @property
    def origin(self) -> Step | None:
        """The top of the chain, or None when the task has no higher origin."""
        return self.chain[-1] if self.chain else None

    def to_json(self) -> dict:
        """``{"task": STEP, "chain": [STEP, ...], "origin": STEP or null}``."""
        return {"task": self.task.to_json(), "chain": [s.to_json() for s in self.chain],
                "origin": self.origin.to_json() if self.origin else None,
                **({"cycle": list(self.cycle)} if self.cycle else {})}


# These run with ?task (?d, ?citing ...) substituted, and Oxigraph orders the joins before it knows
# the value: a type pattern (?d a lo:Derivation) looks as selective as any other and would be
# scanned first, every derivation of the store for one step. The type is checked in FILTER
# EXISTS, after the bound patterns (30 ms -> under 1 ms a query on a 200-file store).
# And the sub-task path starts with one plain step: Oxigraph evaluates ``?task lo:subTaskOf+`` over
# every task of the store even with ?task bound (39 ms -> 0.6 ms a trace step at 1,000 files).
_TASK_Q = _P + """
SELECT ?task ?doc ?number ?title WHERE {
  ?task lo:taskNumber ?number .
  FILTER EXISTS { ?task a lo:Task }
  { ?task lo:taskOf ?doc } UNION { ?task lo:subTaskOf ?up . ?up lo:subTaskOf*/lo:taskOf ?doc }
  OPTIONAL { ?task lo:title ?title }
}
"""
_UP_Q = _P + """
SELECT ?task ?parent ?d ?score ?evidence WHERE {
  ?task lo:derivedFrom ?parent .
  ?d lo:derived ?task ; lo:source ?parent .
  FILTER EXISTS { ?d a lo:Derivation }
  OPTIONAL { ?d lo:score ?score }
  OPTIONAL { ?d lo:evidence ?evidence }
}
"""
_VIA_Q = _P + "SELECT ?d ?via WHERE { ?d lo:via ?via . FILTER EXISTS { ?d a lo:Derivation } }"
_CITATION_EVIDENCE_Q = _P + """
SELECT ?citing ?cited ?evidence WHERE {
  ?c lo:citing ?citing ; lo:cited ?cited ; lo:evidence ?evidence .
  FILTER EXISTS { ?c a lo:Citation }
}
"""


def _task_row(store, task_iri: str) -> tuple[str, str, str | None]:
    rows = store.query(_TASK_Q, {"task": _iri(task_iri)}).rows
    if not rows:
        raise IdentityError(f"no task {task_iri!r} in the store")
    _t, doc, number, title = rows[0]
    return doc.value, number.value, _v(title)


_PROMULGATED_BY_Q = _P + "SELECT ?doc ?decision WHERE { ?decision lo:promulgates ?doc }"


def _citation_evidence(store, citing: str, cited: str) -> str | None:
    """The citation sentence linking two documents; a plan attached to a decision is cited through it."""
    targets = [cited] + [r[1].value for r in store.query(_PROMULGATED_BY_Q, {"doc": _iri(cited)}).rows]
    for target in targets:
        rows = store.query(_CITATION_EVIDENCE_Q, {"citing": _iri(citing), "cited": _iri(target)}).rows
        if rows:
            return " ".join(rows[0][2].value.split())
    return None


def trace_task(store, task_iri: str, max_depth: int = 12) -> Trace:
    """The chain from ``task_iri`` up ``lo:derivedFrom`` to its top origin, with evidence at every step."""
    doc_iri, number, title = _task_row(store, task_iri)
    start = Step(task_iri, document_info(store, doc_iri), number, title)
    # The tasks walked so far, in order: each has one parent, so a parent already on the path
    # closes a cycle, which runs from the current task back round to it (what networkx's
    # find_cycle from the current task gave; importing networkx cost the CLI 0.3 s).
    path = [task_iri]
    current, chain, below = task_iri, [], start
    cycle: tuple[str, ...] = ()
    for _ in range(max_depth):
        rows = store.query(_UP_Q, {"task": _iri(current)}).rows
        if not rows:
            break
        _t, parent, dnode, score, evidence = rows[0]
        if parent.value in path:
            cycle = (current, *path[path.index(parent.value):-1])
            break
        path.append(parent.value)
        p_doc, p_number, p_title = _task_row(store, parent.value)
        via_iris = [r[1].value for r in store.query(_VIA_Q, {"d": dnode}).rows]
        via = tuple(document_info(store, v) for v in via_iris)
        link = via_iris[0] if via_iris else p_doc
        why = _citation_evidence(store, below.document.iri, link)
        parts = [f"cites: “{why}”"] if why else []
        if _v(evidence):
            parts.append(f"titles: {evidence.value}")
        step = Step(parent.value, document_info(store, p_doc), p_number, p_title,
                    float(score.value) if score is not None else None, via, "; ".join(parts) or None)
        chain.append(step)
        below, current = step, parent.value
    return Trace(start, tuple(chain), cycle)


# -- delegation ------------------------------------------------------------------------------------

_ASSIGNED_Q = _P + """
SELECT ?of ?a ?body ?role ?evidence WHERE {
  ?a a lo:Assignment ; lo:assignmentOf ?of ; lo:assignee/rdfs:label ?body ; lo:role ?role .
  OPTIONAL { ?a lo:evidence ?evidence }
}
"""


@dataclass(frozen=True, slots=True)
class Level:
    """One level of a delegation chain: a document (and task), its issuer, the bodies assigned."""

    document: DocInfo
    task: str | None
    issuer: str | None
    assigned: tuple[tuple[str, str, str | None], ...] = field(default=())


def _assigned(store, of: str) -> list[tuple[str, str, str | None]]:
    rows = store.query(_ASSIGNED_Q, {"of": _iri(of)}).rows
    order = {"Lead": 0, "Cooperate": 1, "Responsible": 2, "Advise": 3, "Report": 4}
    out = sorted({(r[3].value.rsplit("#", 1)[-1], r[2].value, _v(r[4])) for r in rows},
                 key=lambda x: (order.get(x[0], 9), x[1]))
    return [(role.lower(), body, ev) for role, body, ev in out]


def delegation(store, trace: Trace) -> list[Level]:
    """From the top origin down to the task: who issued each level and who was assigned, in which role.

    Stubs passed through (a provincial plan whose text is not ingested) are levels of their own,
    with their issuer and no assignments.
    """
    levels: list[Level] = []
    steps = [*reversed(trace.chain), trace.task]
    for i, step in enumerate(steps):
        assigned = _assigned(store, step.iri) or _assigned(store, step.document.iri)
        levels.append(Level(step.document, step.number, step.document.issuer, tuple(assigned)))
        # The step below this one reached it through these stubs (top-down: the far ones first).
        if i + 1 < len(steps):
            below = steps[i + 1]
            link = next((s for s in trace.chain if s.iri == step.iri), None)
            if link is not None and below is not None:
                for v in reversed(link.via):
                    levels.append(Level(v, None, v.issuer, ()))
    return levels


# -- coverage --------------------------------------------------------------------------------------

_DERIVED_IN_DOC_Q = _P + """
SELECT ?doc ?task ?parent ?score WHERE {
  ?task lo:taskOf ?doc ; lo:derivedFrom ?parent .
  ?d lo:derived ?task ; lo:source ?parent ; lo:score ?score .
  FILTER EXISTS { ?d a lo:Derivation }
}
"""


@dataclass(frozen=True, slots=True)
class Coverage:
    """How a plan carries down the plan(s) above it."""

    document: DocInfo
    parents: tuple[DocInfo, ...]
    kept: tuple[tuple[str, str | None, str, str | None, float], ...]  # parent no, title, own no, title, score
    dropped: tuple[tuple[str, str, str | None], ...]  # parent doc number/label, parent task no, title
    added: tuple[tuple[str, str | None], ...]  # own task no, title


def coverage(store, doc_iri: str) -> Coverage:
    """Which parent tasks a document keeps (with its task), which it drops, which tasks it adds."""
    import networkx as nx

    from .lookup import tasks_of

    doc = document_info(store, doc_iri)
    own = tasks_of(store, doc_iri)
    top_own = [t for t in own if "." not in t[1]]
    rows = store.query(_DERIVED_IN_DOC_Q, {"doc": _iri(doc_iri)}).rows
    parent_of = {r[1].value: (r[2].value, float(r[3].value)) for r in rows}
    parent_docs: dict[str, DocInfo] = {}
    for p, _s in parent_of.values():
        pdoc, _n, _t = _task_row(store, p)
        parent_docs.setdefault(pdoc, document_info(store, pdoc))
    g = nx.DiGraph()
    for t, (p, s) in parent_of.items():
        g.add_edge(t, p, score=s)
    titles = {t[0]: (t[1], t[2]) for t in own}
    kept, matched = [], set()
    for pdoc in parent_docs:
        for p_iri, p_no, p_title in tasks_of(store, pdoc):
            if "." in p_no:
                continue
            children = [u for u in (g.predecessors(p_iri) if p_iri in g else [])]
            for c in children:
                matched.add(c)
                kept.append((p_no, p_title, titles[c][0], titles[c][1], g.edges[c, p_iri]["score"]))
    dropped = []
    for pdoc, info in parent_docs.items():
        for p_iri, p_no, p_title in tasks_of(store, pdoc):
            if "." not in p_no and not (p_iri in g and any(True for _ in g.predecessors(p_iri))):
                dropped.append((info.number or info.label or info.iri, p_no, p_title))
    added = [(n, ti) for iri, n, ti in top_own if iri not in parent_of]
    return Coverage(doc, tuple(parent_docs.values()), tuple(kept), tuple(dropped), tuple(added))
