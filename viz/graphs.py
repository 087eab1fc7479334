"""Store -> networkx: the graphs behind the four views, carrying meaning only (no colours).

Every function reads the store with SPARQL (values bound as terms, never pasted) and returns an
``nx.DiGraph`` whose nodes have a ``type`` (``document``, ``task``, ``body``, ``cluster``) and the
facts a tooltip shows, and whose edges have a ``relation``. ``graph.graph`` holds the page: ``view``,
``title``, ``subtitle``, ``explain_vi``, ``explain_en``, ``notes`` and ``layout``. Looks come later,
from :mod:`luocdo.viz.style`, and :mod:`luocdo.viz.render` hands the result to pyvis.

>>> from luocdo.kg.store import Store
>>> corpus_graph(Store.open("memory:")).number_of_nodes()
0
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pyoxigraph as ox

from ..kg.errors import IdentityError
from ..kg.iri import LO
from ..kg.trace import trace_task
from . import style

_PREFIXES = f"""PREFIX lo: <{LO}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

#: Documents shown around one document before the view says it stopped (nearest first).
DOC_VIEW_CAP = 300
#: Tasks and documents shown around one body before the view says it stopped.
BODY_VIEW_CAP = 400

# -- reading the store -----------------------------------------------------------------------------
#
# The default graph is the union of the per-file graphs, and a body or a document cited from a
# thousand files has its facts a thousand times there: a query that joins several of its
# properties multiplies those copies. So facts are read one property at a time with DISTINCT
# (a scan of one predicate) and joined here, in Python.

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

#: Document facts read by property: name in the node -> predicate IRI.
_DOC_PROPERTIES = {
    "number": LO + "number", "title": LO + "title", "issuer_iri": LO + "issuedBy", "date": LO + "issuedOn",
    "year": LO + "year", "stub": LO + "stub", "source": LO + "sourceFile", "doc_label": _RDFS_LABEL,
}
_BODY_PROPERTIES = {"name": _RDFS_LABEL, "level": LO + "level", "parent": LO + "subOrganizationOf"}

# Oxigraph substitutes only variables that the query returns: hence ?p among the columns.
_PAIRS = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
_OF_SUBJECT = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
_PROMULGATED_BY = _PREFIXES + "SELECT DISTINCT ?doc ?decision WHERE { ?decision lo:promulgates ?doc }"

_RELATION_VALUES = " ".join(f"lo:{r}" for r in style.DOCUMENT_RELATIONS)
_DOCUMENT_EDGES = _PREFIXES + f"""
SELECT DISTINCT ?a ?p ?b WHERE {{ VALUES ?p {{ {_RELATION_VALUES} }} ?a ?p ?b }}
"""

_CITATION_EVIDENCE = _PREFIXES + """
SELECT ?a ?b (SAMPLE(?ev) AS ?evidence) WHERE {
  ?c a lo:Citation ; lo:citing ?a ; lo:cited ?b ; lo:evidence ?ev .
} GROUP BY ?a ?b
"""

_TASK = _PREFIXES + """
SELECT ?task (SAMPLE(?number) AS ?n) (SAMPLE(?title) AS ?t) (SAMPLE(?doc) AS ?d) (SAMPLE(?ev) AS ?e) WHERE {
  ?task a lo:Task .
  OPTIONAL { ?task lo:taskNumber ?number }
  OPTIONAL { ?task lo:title ?title }
  OPTIONAL { ?task lo:subTaskOf*/lo:taskOf ?doc }
  OPTIONAL { ?task lo:evidence ?ev }
} GROUP BY ?task
"""

# The upward closure of one task: every lo:derivedFrom edge reachable from it, with the
# qualified Derivation's score, method, evidence and the stubs it passed (lo:via) when stored.
_DERIVATIONS = _PREFIXES + """
SELECT ?task ?child ?parent (MAX(?sc) AS ?score) (SAMPLE(?m) AS ?method) (SAMPLE(?ev) AS ?evidence)
       (GROUP_CONCAT(DISTINCT STR(?v); separator=" ") AS ?via) WHERE {
  ?task lo:derivedFrom* ?child .
  ?child lo:derivedFrom ?parent .
  OPTIONAL { ?d lo:derived ?child ; lo:source ?parent .
             OPTIONAL { ?d lo:score ?sc } OPTIONAL { ?d lo:method ?m } OPTIONAL { ?d lo:evidence ?ev }
             OPTIONAL { ?d lo:via ?v } }
} GROUP BY ?task ?child ?parent
"""

_ISSUED = _PREFIXES + """
SELECT DISTINCT ?body ?doc WHERE { ?doc lo:issuedBy ?body }
"""

_ASSIGNED = _PREFIXES + """
SELECT DISTINCT ?body ?a ?role ?target (SAMPLE(?ev) AS ?evidence) WHERE {
  ?a a lo:Assignment ; lo:assignee ?body ; lo:role ?role ; lo:assignmentOf ?target .
  OPTIONAL { ?a lo:evidence ?ev }
} GROUP BY ?body ?a ?role ?target
"""

# Documents the body issued, and the other bodies their assignments name (for the document
# itself or for any of its tasks, however deep).
_PASSED_ON = _PREFIXES + """
SELECT DISTINCT ?body ?doc ?other ?role ?target WHERE {
  ?doc lo:issuedBy ?body .
  ?a a lo:Assignment ; lo:assignee ?other ; lo:role ?role ; lo:assignmentOf ?target .
  ?target (lo:subTaskOf*/lo:taskOf)? ?doc .
  FILTER(?other != ?body)
}
"""


def _v(term: Any) -> str | None:
    return None if term is None else term.value


def _local(iri: str | None) -> str | None:
    return iri.rsplit("#", 1)[-1] if iri else None


def _role(iri: str) -> str:
    """``lo:Lead`` -> ``lead``: the role names of the contract and of the style table."""
    name = _local(iri) or ""
    name = name[:1].lower() + name[1:]
    return name if name in style.ROLES else "assigned"


def _kind(types: Iterable[str]) -> str | None:
    """The most specific contract kind among a document's ``lo:`` types."""
    local = [t[len(LO):] for t in types if t.startswith(LO)]
    specific = sorted(k for k in local if k in style.KINDS and k != "Document")
    return specific[0] if specific else None


def _year(value: str | None) -> int | None:
    return int(value[:4]) if value and value[:4].isdigit() else None


def _pairs(store, predicate: str) -> list[tuple[str, str]]:
    """Every distinct (subject, object) of one predicate, as strings."""
    rows = store.query(_PAIRS, {"p": ox.NamedNode(predicate)}).rows
    return [(s.value, o.value) for s, _p, o in rows]


def _facts_of(store, subjects: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """subject -> predicate -> distinct objects, one bound scan per subject (for a few dozen nodes)."""
    out: dict[str, dict[str, list[str]]] = {}
    for subject in dict.fromkeys(subjects):
        props: dict[str, list[str]] = defaultdict(list)
        for _s, p, o in store.query(_OF_SUBJECT, {"s": ox.NamedNode(subject)}).rows:
            props[p.value].append(o.value)
        out[subject] = props
    return out


def _first(values: list[str] | None) -> str | None:
    return sorted(values)[0] if values else None  # sorted: the same page for the same store


def document_facts(store, iris: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """IRI -> the facts of a document node (``type`` document, kind, number, issuer, level, stub, ...).

    With ``iris`` only those documents are read (one bound scan each); without, all of them (one
    scan per property).

    >>> from luocdo.kg.store import Store
    >>> document_facts(Store.open("memory:"))
    {}
    """
    if iris is None:
        by_doc: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for s, o in _pairs(store, _RDF_TYPE):
            if o.startswith(LO):
                by_doc[s][_RDF_TYPE].append(o)
        docs = {d for d, props in by_doc.items() if LO + "Document" in props[_RDF_TYPE]}
        for predicate in _DOC_PROPERTIES.values():
            for s, o in _pairs(store, predicate):
                if s in docs:
                    by_doc[s][predicate].append(o)
        promulgated = [(doc, dec) for doc, dec in
                       ((r[0].value, r[1].value) for r in store.query(_PROMULGATED_BY).rows) if doc in docs]
        bodies = body_facts(store)
    else:
        wanted = list(dict.fromkeys(iris))
        by_doc = _facts_of(store, wanted)
        docs = {d for d in wanted if LO + "Document" in by_doc[d].get(_RDF_TYPE, ())}
        promulgated = [(d, r[1].value) for d in docs
                       for r in store.query(_PROMULGATED_BY, {"doc": ox.NamedNode(d)}).rows]
        issuers = {i for d in docs for i in by_doc[d].get(LO + "issuedBy", ())}
        bodies = {b: _body_node(b, props) for b, props in _facts_of(store, issuers).items()}
    decision_numbers = {dec: _first(props.get(LO + "number")) for dec, props in
                        _facts_of(store, {dec for _d, dec in promulgated}).items()}
    attached: dict[str, str] = {}
    for doc, dec in sorted(promulgated):
        if decision_numbers.get(dec):
            attached.setdefault(doc, decision_numbers[dec])
    out: dict[str, dict[str, Any]] = {}
    for doc in sorted(docs):
        props = by_doc[doc]
        fact = {name: _first(props.get(p)) for name, p in _DOC_PROPERTIES.items()}
        issuer = bodies.get(fact["issuer_iri"] or "", {})
        out[doc] = {
            "type": "document", "iri": doc, "kind": _kind(props.get(_RDF_TYPE, ())), "number": fact["number"],
            "title": fact["title"], "issuer": issuer.get("name"), "issuer_iri": fact["issuer_iri"],
            "level": issuer.get("level"), "date": fact["date"], "year": _year(fact["year"]),
            # Before the store derived the flags, a document without a source file is a stub all the same.
            "stub": fact["stub"] == "true" if fact["stub"] is not None else fact["source"] is None,
            "doc_label": fact["doc_label"],
            # A plan issued with a decision (ban hành kèm theo) has no number of its own.
            "attached_to": attached.get(doc),
        }
    return out


def _body_node(body: str, props: dict[str, list[str]]) -> dict[str, Any]:
    return {"type": "body", "iri": body, "name": _first(props.get(_RDFS_LABEL)) or body.rsplit("/", 1)[-1],
            "level": _local(_first(props.get(LO + "level"))), "parent": _first(props.get(LO + "subOrganizationOf"))}


def document_edges(store) -> dict[tuple[str, str], dict[str, Any]]:
    """(citing, cited) -> ``{"relation", "evidence"}``: the strongest relation of each pair.

    The store keeps every relation together with its super-properties (``lo:basedOn`` is also
    ``lo:cites``), so a pair has several; the view draws the one that says the most.

    >>> from luocdo.kg.store import Store
    >>> document_edges(Store.open("memory:"))
    {}
    """
    rank = {r: i for i, r in enumerate(style.DOCUMENT_RELATIONS)}
    best: dict[tuple[str, str], str] = {}
    for a, p, b in store.query(_DOCUMENT_EDGES).rows:
        if a.value == b.value:
            continue
        rel = p.value[len(LO):]
        key = (a.value, b.value)
        if key not in best or rank[rel] < rank[best[key]]:
            best[key] = rel
    evidence = {(a.value, b.value): _v(ev) for a, b, ev in store.query(_CITATION_EVIDENCE).rows if a is not None}
    return {key: {"relation": rel, "evidence": evidence.get(key)} for key, rel in best.items()}


def body_facts(store) -> dict[str, dict[str, Any]]:
    """IRI -> ``{"type": "body", "name", "level", "parent"}`` of every body.

    >>> from luocdo.kg.store import Store
    >>> body_facts(Store.open("memory:"))
    {}
    """
    bodies = {s for s, o in _pairs(store, _RDF_TYPE) if o == LO + "Body"}
    props: dict[str, dict[str, list[str]]] = {b: defaultdict(list) for b in bodies}
    for predicate in _BODY_PROPERTIES.values():
        for s, o in _pairs(store, predicate):
            if s in props:
                props[s][predicate].append(o)
    return {b: _body_node(b, props[b]) for b in sorted(bodies)}


def task_facts(store, task_iri: str) -> dict[str, Any] | None:
    """The facts of one task node (number, title, its document's IRI, evidence), or None if absent.

    >>> from luocdo.kg.store import Store
    >>> task_facts(Store.open("memory:"), "https://w3id.org/luocdo/id/doc/x/task/1") is None
    True
    """
    rows = store.query(_TASK, {"task": ox.NamedNode(task_iri)}).rows
    if not rows or rows[0][0] is None:
        return None
    _task, number, title, doc, evidence = rows[0]
    return {"type": "task", "iri": task_iri, "number": _v(number), "title": _v(title),
            "doc_iri": _v(doc), "evidence": _v(evidence)}


# -- the document view ---------------------------------------------------------------------------------


def _parent_child(a: str, b: str, relation: str) -> tuple[str, str]:
    """(higher, lower) of an edge: the cited document is the higher one, except that a decision
    is above the plan it promulgates (ban hành kèm theo)."""
    return (a, b) if relation == "promulgates" else (b, a)


def document_graph(store, doc_iri: str, depth: int = 2, cap: int = DOC_VIEW_CAP) -> nx.DiGraph:
    """The relation map (lược đồ) of one document: sources on one side, what follows on the other.

    Up to ``depth`` steps upstream (what it is based on, implements, cites; the decision that
    promulgates it) and downstream (what cites or implements it; what it promulgates). A decision
    and the plan it promulgates are one act, so each stays beside the other at no cost of depth.
    Node ``rank`` is the side and distance (negative upstream, 0 the document, positive downstream).

    >>> from luocdo.kg.store import Store
    >>> document_graph(Store.open("memory:"), "https://w3id.org/luocdo/id/doc/x")
    Traceback (most recent call last):
    ...
    luocdo.kg.errors.IdentityError: no document 'https://w3id.org/luocdo/id/doc/x' in the store
    """
    center = document_facts(store, [doc_iri])
    if doc_iri not in center:
        raise IdentityError(f"no document {doc_iri!r} in the store")
    edges = document_edges(store)
    parents: dict[str, set[str]] = defaultdict(set)
    children: dict[str, set[str]] = defaultdict(set)
    attached: dict[str, set[str]] = defaultdict(set)
    for (a, b), attrs in edges.items():
        hi, lo = _parent_child(a, b, attrs["relation"])
        parents[lo].add(hi)
        children[hi].add(lo)
        if attrs["relation"] == "promulgates":
            attached[a].add(b)
            attached[b].add(a)

    rank: dict[str, int] = {doc_iri: 0}
    truncated = False
    for sign, links in ((-1, parents), (1, children)):
        queue = deque([(doc_iri, 0)])
        while queue:
            node, dist = queue.popleft()
            if dist >= depth:
                continue
            for nxt in sorted(links.get(node, ())):
                if nxt in rank:
                    continue
                if len(rank) >= cap:
                    truncated = True
                    break
                rank[nxt] = sign * (dist + 1)
                queue.append((nxt, dist + 1))
                # The other half of a decision + plan pair goes beside it (added next, so that the
                # layout keeps the two together), and its sources or followers count as its own.
                for other in sorted(attached.get(nxt, ())):
                    if other not in rank and len(rank) < cap:
                        rank[other] = sign * (dist + 1)
                        queue.append((other, dist + 1))

    facts = document_facts(store, rank)
    info = facts[doc_iri]
    g = nx.DiGraph()
    for node, r in rank.items():
        g.add_node(node, **facts.get(node, {"type": "document", "iri": node, "stub": True}), rank=r,
                   focus=node == doc_iri)
    for (a, b), attrs in edges.items():
        if a in rank and b in rank:
            g.add_edge(a, b, **attrs)
    name = style.label_of(info)
    notes = []
    if truncated:
        notes.append(f"Chỉ hiện {cap} văn bản gần nhất. / Only the nearest {cap} documents are shown.")
    if g.number_of_nodes() == 1:
        notes.append("Kho chưa có quan hệ nào của văn bản này. / The store holds no relation of this document.")
    g.graph.update(
        view="doc", layout="LR", notes=notes,
        title=f"Lược đồ văn bản {name}", subtitle=f"Relation map of {name}",
        explain_vi=("Văn bản ở giữa; bên trái là những văn bản nó căn cứ, thực hiện, trích dẫn; bên phải là "
                    "những văn bản căn cứ, thực hiện, trích dẫn nó hoặc được ban hành kèm theo nó. "
                    f"Độ sâu {depth}."),
        explain_en=("The document is in the middle; on the left what it is based on, implements or cites; "
                    "on the right what is based on it, implements or cites it, or is issued with it. "
                    f"Depth {depth}."),
    )
    return g


# -- the trace view -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Link:
    child: str
    parent: str
    score: float | None
    method: str | None
    evidence: str | None
    via: tuple[str, ...] = ()


def _links_from_store(store, task_iri: str) -> list[_Link]:
    out = []
    for _task, child, parent, score, method, evidence, via in store.query(
            _DERIVATIONS, {"task": ox.NamedNode(task_iri)}).rows:
        if child is None:
            continue
        s = _v(score)
        out.append(_Link(child.value, parent.value, float(s) if s else None, _v(method), _v(evidence),
                         tuple((_v(via) or "").split())))
    return out


def _links_from_trace(store, task_iri: str) -> tuple[list[_Link], dict[str, Any]]:
    """The chain of :func:`luocdo.kg.trace.trace_task` as links, and the DocInfo of each step's document.

    ``trace.chain`` lists the parents nearest first; a step's score and evidence (the citation
    that links the two documents, and the titles compared) belong to the link from the step below.
    """
    try:
        trace = trace_task(store, task_iri)
    except IdentityError:
        return [], {}  # a task the trace cannot place (nested deeper than it looks): the store's links stand
    docs: dict[str, Any] = {}
    links = []
    below = trace.task.iri
    for step in trace.chain:
        docs[step.document.iri] = step.document
        for v in step.via:
            docs[v.iri] = v
        links.append(_Link(below, step.iri, step.score, None, step.evidence, tuple(v.iri for v in step.via)))
        below = step.iri
    return links, docs


def _docinfo_facts(info: Any) -> dict[str, Any]:
    """Node facts of a document from a :class:`~luocdo.kg.lookup.DocInfo` (the trace API's)."""
    return {"type": "document", "iri": info.iri, "kind": info.kind, "number": info.number, "title": info.title,
            "issuer": info.issuer, "level": None, "date": info.date, "year": info.year, "stub": info.stub,
            "doc_label": info.label}


def trace_graph(store, task_iri: str) -> nx.DiGraph:
    """The origin tree of one task: its parents up ``lo:derivedFrom`` and the documents that hold them.

    The links are every ``lo:derivedFrom`` reachable from the task (a task may carry down two
    parents: the tree shows both), merged with the chain of :func:`luocdo.kg.trace.trace_task`,
    whose evidence also names the citation between the documents. Task ``rank`` is the longest
    number of steps above the task (0 is the task itself).

    >>> from luocdo.kg.store import Store
    >>> trace_graph(Store.open("memory:"), "https://w3id.org/luocdo/id/doc/x/task/1")
    Traceback (most recent call last):
    ...
    luocdo.kg.errors.IdentityError: no task 'https://w3id.org/luocdo/id/doc/x/task/1' in the store
    """
    start = task_facts(store, task_iri)
    if start is None:
        raise IdentityError(f"no task {task_iri!r} in the store")
    links = {(link.child, link.parent): link for link in _links_from_store(store, task_iri)}
    chain, chain_docs = _links_from_trace(store, task_iri)
    for link in chain:
        known = links.get((link.child, link.parent))
        # The trace's evidence names the citation too, so it wins; the store keeps the method.
        links[(link.child, link.parent)] = link if known is None else _Link(
            known.child, known.parent, known.score if known.score is not None else link.score, known.method,
            link.evidence or known.evidence, link.via or known.via)

    # rank = the longest number of steps from the task, so that every arrow points upward.
    up: dict[str, list[str]] = defaultdict(list)
    for child, parent in links:
        up[child].append(parent)
    rank = {task_iri: 0}
    order = deque([task_iri])
    while order:
        node = order.popleft()
        for parent in up.get(node, ()):
            if rank.get(parent, -1) < rank[node] + 1 and rank[node] < 50:  # 50: a cycle must end
                rank[parent] = rank[node] + 1
                order.append(parent)

    g = nx.DiGraph()
    tasks = {task_iri: start}
    for iri in rank:
        if iri not in tasks:
            tasks[iri] = task_facts(store, iri) or {"type": "task", "iri": iri}
    via_iris = [v for link in links.values() for v in link.via]
    docs = document_facts(store, [*(t["doc_iri"] for t in tasks.values() if t.get("doc_iri")), *via_iris])
    for iri, info in chain_docs.items():
        docs.setdefault(iri, _docinfo_facts(info))
    for iri, t in tasks.items():
        doc = docs.get(t.get("doc_iri") or "")
        t = {**t, "rank": rank[iri], "focus": iri == task_iri,
             "level": doc["level"] if doc else None, "document": doc}
        g.add_node(iri, **t)
        if doc is not None:
            if doc["iri"] not in g:
                g.add_node(doc["iri"], **doc, rank=rank[iri])
            g.add_edge(iri, doc["iri"], relation="taskOf")
    for (child, parent), link in links.items():
        if child in g and parent in g:
            via = [docs.get(v, {"iri": v}) for v in link.via]
            g.add_edge(child, parent, relation="derivedFrom", score=link.score, method=link.method,
                       evidence=link.evidence, via=via,
                       label=f"{link.score:.2f}" if link.score is not None else None)

    number = start.get("number") or "?"
    doc = docs.get(start.get("doc_iri") or "")
    where = style.label_of(doc) if doc else "?"
    notes = []
    if not links:
        notes.append("Kho chưa có liên kết dẫn xuất (lo:derivedFrom) nào cho nhiệm vụ này. / "
                     "The store holds no derivation (lo:derivedFrom) for this task.")
    g.graph.update(
        view="trace", layout="DU", notes=notes,
        title=f"Nguồn gốc nhiệm vụ {number} của {where}", subtitle=f"Where task {number} of {where} comes from",
        explain_vi=("Nhiệm vụ ở dưới cùng; mỗi mũi tên đi lên nhiệm vụ cấp trên mà nó cụ thể hóa, kèm điểm "
                    "tương đồng; rê chuột lên mũi tên để xem căn cứ."),
        explain_en=("The task is at the bottom; each arrow goes up to the higher-level task it carries down, "
                    "with its similarity score; hover over an arrow for the evidence."),
    )
    return g


# -- the body view ------------------------------------------------------------------------------------


def body_graph(store, body_iri: str, cap: int = BODY_VIEW_CAP) -> nx.DiGraph:
    """What a body issued, what it is assigned (by role), and to whom it passes tasks on.

    Ranks, left to right: documents that assign it tasks (-2), those tasks (-1), the body (0),
    documents it issued (1), the bodies those documents assign (2).

    >>> from luocdo.kg.store import Store
    >>> body_graph(Store.open("memory:"), "https://w3id.org/luocdo/id/body/x")
    Traceback (most recent call last):
    ...
    luocdo.kg.errors.IdentityError: no body 'https://w3id.org/luocdo/id/body/x' in the store
    """
    bodies = body_facts(store)
    if body_iri not in bodies:
        raise IdentityError(f"no body {body_iri!r} in the store")
    me = ox.NamedNode(body_iri)
    issued = sorted(r[1].value for r in store.query(_ISSUED, {"body": me}).rows)
    assigned = store.query(_ASSIGNED, {"body": me}).rows
    passed = store.query(_PASSED_ON, {"body": me}).rows

    g = nx.DiGraph()
    g.add_node(body_iri, **bodies[body_iri], rank=0, focus=True)
    truncated = False

    def room() -> bool:
        nonlocal truncated
        if g.number_of_nodes() >= cap:
            truncated = True
            return False
        return True

    wanted_docs: dict[str, int] = {}
    targets: dict[str, dict[str, Any]] = {}
    roles: dict[tuple[str, str], list[tuple[str, str | None]]] = defaultdict(list)
    for _body, _a, role, target, evidence in assigned:
        t = target.value
        if t not in targets:
            targets[t] = task_facts(store, t) or {"type": "document", "iri": t}
        roles[(t, body_iri)].append((_role(role.value), _v(evidence)))
    for t, facts in sorted(targets.items()):
        if facts["type"] == "task":
            if not room():
                break
            g.add_node(t, **facts, rank=-1)
            if facts.get("doc_iri"):
                wanted_docs.setdefault(facts["doc_iri"], -2)
        else:
            wanted_docs.setdefault(t, -1)
    for d in issued:
        wanted_docs[d] = 1
    passed_to: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for _body, doc, other, role, target in passed:
        passed_to[(doc.value, other.value)].append((_role(role.value), target.value))

    docs = document_facts(store, wanted_docs)
    for d, r in wanted_docs.items():
        if d in g or not room():
            continue
        g.add_node(d, **docs.get(d, {"type": "document", "iri": d, "stub": True}), rank=r)
    for t in targets:
        facts = g.nodes.get(t)
        if facts and facts.get("type") == "task":
            g.nodes[t]["level"] = docs.get(facts.get("doc_iri") or "", {}).get("level")
            if facts.get("doc_iri") in g:
                g.add_edge(t, facts["doc_iri"], relation="taskOf")
    for (t, b), given in roles.items():
        if t in g:
            _role_edge(g, t, b, given)
    for d in issued:
        if d in g:
            g.add_edge(body_iri, d, relation="issuedBy")
    for (doc, other), given in sorted(passed_to.items()):
        if doc not in g:
            continue
        if other not in g:
            if not room():
                continue
            g.add_node(other, **bodies.get(other, {"type": "body", "iri": other, "name": other}), rank=2)
        _role_edge(g, doc, other, [(role, None) for role, _t in given], tasks=len({t for _r, t in given}))

    name = bodies[body_iri]["name"]
    notes = []
    if truncated:
        notes.append(f"Chỉ hiện {cap} nút đầu tiên. / Only the first {cap} nodes are shown.")
    if g.number_of_nodes() == 1:
        notes.append("Kho chưa có văn bản hay nhiệm vụ nào của cơ quan này. / "
                     "The store holds no document or task of this body.")
    g.graph.update(
        view="body", layout="LR", notes=notes,
        title=f"Cơ quan: {name}", subtitle=f"Body: {name}",
        explain_vi=("Bên trái: nhiệm vụ được giao cho cơ quan (chủ trì, phối hợp, ...) và văn bản giao; bên phải: "
                    "văn bản cơ quan ban hành và các cơ quan được các văn bản ấy giao nhiệm vụ."),
        explain_en=("On the left: the tasks this body is assigned (lead, cooperate, ...) and the documents that "
                    "assign them; on the right: the documents it issued and the bodies they pass tasks on to."),
    )
    return g


def _role_edge(g: nx.DiGraph, source: str, target: str, given: list[tuple[str, str | None]],
               tasks: int | None = None) -> None:
    """One edge per pair, coloured by its strongest role and labelled with every role on it."""
    names = [r for r, _ev in given]
    ordered = sorted(set(names), key=lambda r: style.ROLES.index(r) if r in style.ROLES else len(style.ROLES))
    counts = Counter(names)
    label = ", ".join(style.RELATIONS.get(r, style.RELATIONS["assigned"]).vi
                      + (f" ×{counts[r]}" if counts[r] > 1 else "") for r in ordered)
    evidence = next((ev for _r, ev in given if ev), None)
    g.add_edge(source, target, relation=ordered[0] if ordered[0] in style.RELATIONS else "assigned",
               roles=ordered, label=label, evidence=evidence, tasks=tasks)


# -- the corpus overview --------------------------------------------------------------------------


def _province_of(body: str | None, bodies: dict[str, dict[str, Any]]) -> tuple[str, str | None]:
    """(cluster key name, level) of a body's province: up ``lo:subOrganizationOf`` to a provincial body."""
    seen = set()
    node = body
    while node and node in bodies and node not in seen:
        seen.add(node)
        facts = bodies[node]
        if facts.get("level") == "Central":
            return "Trung ương", "Central"
        if facts.get("level") == "Provincial" and not (facts.get("parent") and
                                                      bodies.get(facts["parent"], {}).get("level") == "Provincial"):
            return facts["name"], "Provincial"
        node = facts.get("parent")
    return "Không rõ tỉnh", None


def corpus_graph(store, max_nodes: int = 1500) -> nx.DiGraph:
    """Everything ingested: documents (by level and issuer) and citations; clustered above ``max_nodes``.

    Up to ``max_nodes`` documents each get a node. Above it, one node stands for each issuer
    (sized by its documents), and if there are still too many, one for each province; edges
    then carry the number of citations between the groups. The page says which.

    >>> from luocdo.kg.store import Store
    >>> corpus_graph(Store.open("memory:")).graph["clustered"]
    False
    """
    docs = document_facts(store)
    # A relation to something that is not a document (a stray triple) has no place on the map.
    edges = {k: a for k, a in document_edges(store).items() if k[0] in docs and k[1] in docs}
    g = nx.DiGraph()
    stats = f"{len(docs)} văn bản, {sum(not d['stub'] for d in docs.values())} đã nạp, {len(edges)} trích dẫn"
    stats_en = f"{len(docs)} documents, {sum(not d['stub'] for d in docs.values())} ingested, {len(edges)} citations"
    notes: list[str] = []
    clustered = len(docs) > max_nodes
    if not clustered:
        for iri, facts in docs.items():
            g.add_node(iri, **facts)
        for (a, b), attrs in edges.items():
            g.add_edge(a, b, **attrs)
    else:
        bodies = body_facts(store)

        def by_issuer(d: dict[str, Any]) -> tuple[str, str, str | None]:
            if d.get("issuer_iri"):
                return d["issuer_iri"], d.get("issuer") or d["issuer_iri"], d.get("level")
            return "unknown", "Không rõ cơ quan ban hành", None

        def by_province(d: dict[str, Any]) -> tuple[str, str, str | None]:
            name, level = _province_of(d.get("issuer_iri"), bodies)
            return name, name, level

        # One node per issuer; if that is still above the cap, one per province.
        how_vi, how_en = "cơ quan ban hành", "issuer"
        groups = {iri: by_issuer(d) for iri, d in docs.items()}
        if len({k for k, _n, _l in groups.values()}) > max_nodes:
            how_vi, how_en = "tỉnh (hoặc Trung ương)", "province (or central)"
            groups = {iri: by_province(d) for iri, d in docs.items()}
        members: dict[str, list[str]] = defaultdict(list)
        names: dict[str, tuple[str, str | None]] = {}
        for iri, (key, name, level) in groups.items():
            members[key].append(iri)
            names[key] = (name, level)
        # Still too many groups (only a store of more provinces than the cap): the largest ones
        # keep their node, the rest share one.
        kept = sorted(members, key=lambda k: (-len(members[k]), k))
        if len(kept) > max_nodes:
            rest = kept[max_nodes - 1:]
            other = [i for k in rest for i in members.pop(k)]
            members["other"] = other
            names["other"] = ("Các nhóm khác", None)
            for k in rest:
                for i in groups:
                    if groups[i][0] == k:
                        groups[i] = ("other", "Các nhóm khác", None)
        for key, iris in members.items():
            name, level = names[key]
            sample = sorted(iris, key=lambda i: (docs[i]["stub"], i))[:12]
            g.add_node(f"cluster:{key}", type="cluster", name=name, level=level, count=len(iris),
                       ingested=sum(not docs[i]["stub"] for i in iris),
                       members=[style.label_of(docs[i]) for i in sample])
        between: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for (a, b), attrs in edges.items():
            ka, kb = f"cluster:{groups[a][0]}", f"cluster:{groups[b][0]}"
            if ka != kb:
                between[(ka, kb)][attrs["relation"]] += 1
        for (ka, kb), counts in between.items():
            relation = counts.most_common(1)[0][0]
            g.add_edge(ka, kb, relation=relation, count=sum(counts.values()), counts=dict(counts))
        notes.append(f"Kho có {len(docs)} văn bản, vượt ngưỡng {max_nodes} nút: đã gom nhóm, mỗi nút là một "
                     f"{how_vi} ({g.number_of_nodes()} nhóm), to nhỏ theo số văn bản. / "
                     f"The store has {len(docs)} documents, more than the {max_nodes}-node cap: clustered, one "
                     f"node per {how_en} ({g.number_of_nodes()} clusters), sized by its documents.")
    g.graph.update(
        view="corpus", layout="physics", notes=notes, clustered=clustered,
        title="Toàn cảnh kho văn bản", subtitle="Corpus overview",
        explain_vi=f"Mọi văn bản trong kho ({stats}), màu theo cấp cơ quan ban hành, mũi tên là trích dẫn.",
        explain_en=f"Every document in the store ({stats_en}), coloured by the issuer's tier; arrows are citations.",
    )
    return g
