"""Triples: one :class:`~luocdo.kg.model.Extraction` -> the quads of its source file's named graph.

Pure: nothing here reads a file or a store. The ontology's term hierarchy and the body registry
are passed in (tests pass small dicts); by default they come from ``luocdo.ontology.hierarchy()``
and, when it exists, ``luocdo.kg.bodies.registry()``.

Every ``rdf:type`` is stored with the closure of its super-classes and every project property
with the closure of its super-properties (``lo:basedOn`` also as ``lo:cites``, ``eli:based_on``,
``eli:cites``), because SPARQL engines do no inference. ``lo:stub`` is not written here: whether
a document is known only from citations depends on every file, so the store derives it.

>>> from luocdo.kg.model import Document, Extraction
>>> doc = Document("d1", "Plan", "171/KH-PGDĐT", None, None, "2023-09-14", 2023, None, None, None, (0, 9))
>>> quads = to_triples(Extraction("a.txt", "Kế hoạch.", (doc,)), "a.txt")
>>> sorted({q.object.value for q in quads if q.predicate.value.endswith("label")})
['Kế hoạch 171/KH-PGDĐT (14/9/2023)']
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from . import iri
from .errors import IdentityError
from .model import Assignment, Citation, Document, Extraction, Task

LO = iri.LO
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
XSD = "http://www.w3.org/2001/XMLSchema#"

_XSD_INTEGER = NamedNode(XSD + "integer")
_XSD_DATE = NamedNode(XSD + "date")
_XSD_GYEAR = NamedNode(XSD + "gYear")
_TRUE = Literal("true", datatype=NamedNode(XSD + "boolean"))

#: ``(superclasses, superproperties)``: each IRI -> the transitive closure of its super-terms.
Hierarchy = tuple[Mapping[str, Iterable[str]], Mapping[str, Iterable[str]]]

#: The tiers ``lo:level`` points at.
LEVELS = ("Central", "Provincial", "District", "Commune", "Institution")

#: Vietnamese kind names for labels when kg/data/kinds.json cannot be read (same words as the contract).
_KIND_LABELS_FALLBACK = {
    "Constitution": "Hiến pháp", "Law": "Luật", "Code": "Bộ luật", "Ordinance": "Pháp lệnh",
    "Resolution": "Nghị quyết", "Decree": "Nghị định", "Decision": "Quyết định", "Directive": "Chỉ thị",
    "Circular": "Thông tư", "JointCircular": "Thông tư liên tịch", "Plan": "Kế hoạch",
    "OfficialLetter": "Công văn", "Dispatch": "Công điện", "Notice": "Thông báo", "Conclusion": "Kết luận",
    "Regulation": "Quy định", "Guidance": "Hướng dẫn", "Report": "Báo cáo", "Scheme": "Đề án",
    "Programme": "Chương trình", "Strategy": "Chiến lược", "Submission": "Tờ trình",
    "NewsArticle": "Bài báo", "Document": "Văn bản",
}


def kind_labels() -> dict[str, str]:
    """Vietnamese name of each contract kind, as used in document labels.

    >>> kind_labels()["Plan"]
    'Kế hoạch'
    """
    return dict(_kind_labels())


@functools.cache
def _kind_labels() -> dict[str, str]:
    labels = dict(_KIND_LABELS_FALLBACK)
    try:
        data = json.loads(resources.files("luocdo.kg.data").joinpath("kinds.json").read_text("utf-8"))
        labels.update({k["kind"]: k["label"] for k in data["kinds"] if k.get("label")})
    except (OSError, ValueError, KeyError, TypeError):
        pass  # the fallback table says the same words; labels must not fail an ingest
    # "Document" is the contract's "kind unknown"; kinds.json names it after the VBHN code
    # (văn bản hợp nhất, a consolidated text), which would mislabel every unclassified document.
    labels["Document"] = "Văn bản"
    return labels


def document_label(kind: str, number: str | None, title: str | None, date: str | None,
                   year: int | None, labels: Mapping[str, str] | None = None) -> str:
    """The ``rdfs:label`` of a document: Vietnamese kind, number, and d/m/yyyy (or the year).

    Without a number the title stands for it.

    >>> document_label("Plan", "171/KH-PGDĐT", None, "2023-09-14", 2023)
    'Kế hoạch 171/KH-PGDĐT (14/9/2023)'
    >>> document_label("Law", None, "Luật Giáo dục", None, 2019)
    'Luật Giáo dục (2019)'
    """
    labels = kind_labels() if labels is None else labels
    kind_vi = labels.get(kind, kind)
    if number:
        head = f"{kind_vi} {iri.canonical_number(number)}"
    elif title:
        head = iri.nfc(" ".join(title.split()))
    else:
        head = kind_vi
    day = _date(date)
    if day is not None:
        return f"{head} ({day.day}/{day.month}/{day.year})"
    if year is not None:
        return f"{head} ({year})"
    return head


def _date(value: str | None) -> _dt.date | None:
    if not value:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        return None  # a date the parser could not complete keeps only its year


@dataclass(frozen=True, slots=True)
class BodyFacts:
    """What the body registry knows of one body; every part may be missing."""

    level: str | None = None
    parent: str | None = None
    successor: str | None = None
    alt_labels: tuple[str, ...] = ()
    valid_until: str | None = None  # ISO date: the first day the body no longer exists as named


def registry_facts(registry: Any) -> Callable[[str], BodyFacts]:
    """Adapt a body registry (``level``, ``parent``, ``alt_labels``, ``successor``) to :class:`BodyFacts`.

    A method the registry lacks, or that fails for an unknown name, gives nothing: the body
    still gets its label.

    >>> class R:
    ...     def level(self, name): return "Provincial"
    >>> registry_facts(R())("Sở Y tế tỉnh Sơn La").level
    'Provincial'
    """

    def ask(method: str, name: str) -> Any:
        fn = getattr(registry, method, None)
        if fn is None:
            return None
        try:
            return fn(name)
        except (LookupError, ValueError):
            return None

    def facts(name: str) -> BodyFacts:
        alt = ask("alt_labels", name) or ()
        if isinstance(alt, str):
            alt = (alt,)
        return BodyFacts(level=_text(ask("level", name)), parent=_text(ask("parent", name)),
                         successor=_text(ask("successor", name)),
                         alt_labels=tuple(a for a in alt if isinstance(a, str)),
                         valid_until=_text(ask("valid_until", name)))

    return facts


def _text(value: Any) -> str | None:
    """A registry answer as a string: a name, a level, or an object with ``name``/``value``."""
    if value is None or isinstance(value, str):
        return value or None
    for attr in ("name", "value", "canonical"):
        v = getattr(value, attr, None)
        if isinstance(v, str) and v:
            return v
    return None


def default_body_facts() -> Callable[[str], BodyFacts] | None:
    """Facts from ``luocdo.kg.bodies.registry()`` when that module exists, else ``None``.

    >>> default_body_facts() is None or callable(default_body_facts())
    True
    """
    try:
        from . import bodies  # type: ignore[attr-defined]  # written alongside; may be absent
    except ImportError:
        return None
    registry = getattr(bodies, "registry", None)
    if not callable(registry):
        return None
    reg = registry()
    global _MEMO
    if _MEMO is None or _MEMO[0] is not reg:
        # Every file names the ministry, its province's committee and department again: asking
        # the registry (five look-ups per name) for each was a third of to_triples at 10k files.
        # BodyFacts are frozen, so one answer per name serves every file.
        _MEMO = (reg, functools.lru_cache(maxsize=1 << 14)(registry_facts(reg)))
    return _MEMO[1]


_MEMO: tuple[Any, Callable[[str], BodyFacts]] | None = None
_PLACES: tuple[Any, Callable[[str, str | None], str | None]] | None = None

#: Tiers whose bodies' names are not unique in the country: a Trường THPT Hoàng Hoa Thám, an Ủy
#: ban nhân dân xã Hòa Bình, a Phòng Giáo dục và Đào tạo huyện Châu Thành stand in several
#: provinces, and each issues its 41/KH-THPT. Such a body is identified within the province of
#: the document that names it (``iri.body(name, within=...)``).
LOCAL_LEVELS = frozenset({"district", "commune", "institution"})


def default_province_of() -> Callable[[str, str | None], str | None] | None:
    """``(jurisdiction, date) -> province`` from the body registry when it exists, else ``None``.

    The jurisdiction's last part names the province ("huyện Gia Lộc, tỉnh Hải Dương"); a
    national one has none.

    >>> f = default_province_of()
    >>> f is None or (f("huyện Gia Lộc, tỉnh Hải Dương", "2023-09-14"), f("national", None))
    ('Hải Dương', None)
    """
    try:
        from . import bodies  # type: ignore[attr-defined]
    except ImportError:
        return None
    reg = bodies.registry()
    global _PLACES
    if _PLACES is None or _PLACES[0] is not reg:

        def province_of(jurisdiction: str, date: str | None) -> str | None:
            last = jurisdiction.rsplit(",", 1)[-1].strip()
            return None if not last or last == "national" else reg.find_province(last, date)

        _PLACES = (reg, functools.lru_cache(maxsize=1 << 12)(province_of))
    return _PLACES[1]


@dataclass(frozen=True, slots=True)
class Scope:
    """Where the bodies one file names stand: the province of each of its documents, and the
    registry's facts to tell which names need it. The document IRIs of the file and of what it
    cites are minted here, for the triples and for the ingest's index alike.

    >>> from luocdo.kg.model import Document
    >>> doc = Document("d1", "Plan", "41/KH-THPT", None, "Trường THPT Hoàng Hoa Thám", "2025-09-04",
    ...                2025, "Cần Thơ", None, "thành phố Cần Thơ", (0, 9))
    >>> scope = Scope.of(Extraction("a.txt", "", (doc,)), lambda name: BodyFacts(level="institution"),
    ...                  lambda jurisdiction, date: "Cần Thơ")
    >>> scope.document_iri(doc)
    'https://w3id.org/luocdo/id/doc/can-tho/truong-thpt-hoang-hoa-tham/2025/41-kh-thpt'
    """

    facts: Callable[[str], BodyFacts] | None
    provinces: Mapping[str, str | None]

    @classmethod
    def of(cls, extraction: Extraction, facts: Callable[[str], BodyFacts] | None,
           province_of: Callable[[str, str | None], str | None] | None) -> Scope:
        """A document stands in its jurisdiction's province; without one (a school's header names
        only its Phòng), in the one province whose bodies it cites ("Kế hoạch số 1587/SGDĐT-VP
        của Sở Giáo dục và Đào tạo tỉnh Hải Dương"), if there is one."""
        provinces: dict[str, str | None] = {}
        for d in extraction.documents:
            p = province_of(d.jurisdiction, d.date) if province_of and d.jurisdiction else None
            if p is None and province_of and facts:
                named = {province_of(c.issuer, c.date or d.date) for c in extraction.citations
                         if c.citing == d.key and c.issuer and facts(c.issuer).level == "provincial"}
                named.discard(None)
                p = named.pop() if len(named) == 1 else None
            provinces[d.key] = p
        return cls(facts, provinces)

    @classmethod
    def default(cls, extraction: Extraction) -> Scope:
        return cls.of(extraction, default_body_facts(), default_province_of())

    def local(self, name: str | None) -> bool:
        """Is ``name`` a body of a tier whose names repeat from province to province?"""
        return bool(name) and self.facts is not None and \
            self.facts(iri.nfc(" ".join(name.split()))).level in LOCAL_LEVELS

    def within(self, name: str | None, key: str | None) -> str | None:
        """The province that completes ``name`` as named in document ``key``, if its tier needs one."""
        province = self.provinces.get(key) if key is not None else None
        return province if province is not None and self.local(name) else None

    def unplaced(self, citations: Iterable[Citation]) -> list[str]:
        """Keys of the documents that stand in no known province yet cite a numbered document of
        a local body: what they cite is identified within a province they do not give, which only
        the documents known elsewhere can tell (``ingest.DocumentIndex.place``)."""
        return [k for k in dict.fromkeys(c.citing for c in citations if c.number and self.local(c.issuer))
                if k in self.provinces and self.provinces[k] is None]

    def placed(self, provinces: Mapping[str, str]) -> Scope:
        """This scope with some documents placed in a province."""
        return Scope(self.facts, {**self.provinces, **provinces})

    def document_iri(self, d: Document, fallback: str | None = None) -> str:
        return iri.document(d.kind, d.number, d.title, d.issuer, _year(d.date, d.year), fallback=fallback,
                            within=self.within(d.issuer, d.key))

    def cited_iri(self, c: Citation, fallback: str | None = None) -> str:
        """The IRI of the document a citation names, its issuer placed where the citing document stands."""
        return iri.document(c.kind, c.number, c.title, c.issuer, _year(c.date, c.year), fallback=fallback,
                            within=self.within(c.issuer, c.citing))


def default_hierarchy() -> Hierarchy:
    """The ontology's super-class and super-property closure.

    >>> LO + "Document" in default_hierarchy()[0][LO + "Plan"]
    True
    """
    from ..ontology import hierarchy

    return hierarchy()


class _Graph:
    """Quads of one named graph, deduplicated, in insertion order, with the closures added."""

    def __init__(self, graph: str, hierarchy: Hierarchy):
        self.graph = NamedNode(graph)
        self.superclasses, self.superproperties = hierarchy
        self.quads: dict[Quad, None] = {}
        self._type = NamedNode(RDF_TYPE)
        # A file adds a few hundred quads over a few dozen nodes and properties: each IRI becomes a
        # NamedNode once, each closure is sorted once (half of to_triples' time before).
        self._nodes: dict[str, NamedNode] = {}
        self._props: dict[str, tuple[NamedNode, ...]] = {}
        self._classes: dict[str, tuple[NamedNode, ...]] = {}

    def _node(self, value: str) -> NamedNode:
        node = self._nodes.get(value)
        if node is None:
            node = self._nodes[value] = NamedNode(value)
        return node

    def add(self, s: str, p: str, o: NamedNode | Literal | str | None) -> None:
        """Add ``s p o`` and ``s q o`` for every super-property ``q`` of ``p``; ``None`` adds nothing."""
        if o is None:
            return
        obj = self._node(o) if isinstance(o, str) else o
        subject = self._node(s)
        props = self._props.get(p)
        if props is None:
            props = self._props[p] = tuple(self._node(q) for q in (p, *sorted(self.superproperties.get(p, ()))))
        graph, quads = self.graph, self.quads
        for prop in props:
            quads[Quad(subject, prop, obj, graph)] = None

    def type(self, s: str, cls: str) -> None:
        """Type ``s`` with ``cls`` and every super-class of it."""
        subject = self._node(s)
        classes = self._classes.get(cls)
        if classes is None:
            classes = self._classes[cls] = tuple(self._node(c) for c in (cls, *sorted(self.superclasses.get(cls, ()))))
        for c in classes:
            self.quads[Quad(subject, self._type, c, self.graph)] = None

    def text(self, s: str, p: str, value: str | None) -> None:
        if value is not None and value.strip():
            self.add(s, p, Literal(iri.nfc(value)))

    def label(self, s: str, p: str, value: str | None) -> None:
        if value is not None and value.strip():
            self.add(s, p, Literal(iri.nfc(" ".join(value.split())), language="vi"))

    def integer(self, s: str, p: str, value: int) -> None:
        self.add(s, p, Literal(str(int(value)), datatype=_XSD_INTEGER))

    def span(self, s: str, source_file: str, span: tuple[int, int]) -> None:
        self.add(s, LO + "sourceFile", Literal(source_file))
        self.integer(s, LO + "charStart", span[0])
        self.integer(s, LO + "charEnd", span[1])


@dataclass(slots=True)
class _Builder:
    """The state of one :func:`to_triples` call."""

    g: _Graph
    extraction: Extraction
    source_file: str
    body_facts: Callable[[str], BodyFacts] | None
    labels: Mapping[str, str]
    doc_iris: dict[str, str]
    docs_by_key: dict[str, Document]
    bodies_seen: set[str]
    scope: Scope

    # -- bodies ---------------------------------------------------------------------------
    def body(self, name: str | None, key: str | None) -> str | None:
        """The IRI of a body named in document ``key``, its node written once per graph (with the
        registry's facts)."""
        if name is None or not iri.slug(name):
            return None  # no letters or digits: nothing to name a body by
        canonical = iri.nfc(" ".join(name.split()))
        body_iri = iri.body(canonical, within=self.scope.within(canonical, key))
        if body_iri in self.bodies_seen:
            return body_iri
        self.bodies_seen.add(body_iri)
        g = self.g
        g.type(body_iri, LO + "Body")
        g.label(body_iri, RDFS_LABEL, canonical)
        facts = self.body_facts(canonical) if self.body_facts else BodyFacts()
        for alt in facts.alt_labels:
            if iri.nfc(alt) != canonical:
                g.label(body_iri, SKOS_ALT_LABEL, alt)
        level = _level(facts.level)
        if level:
            g.add(body_iri, LO + "level", LO + level)
        for name_of, prop in ((facts.parent, "subOrganizationOf"), (facts.successor, "succeededBy")):
            if name_of and iri.slug(name_of):
                other = self.body(name_of, key)
                if other != body_iri:
                    g.add(body_iri, LO + prop, other)
        if facts.valid_until and _date(facts.valid_until):
            # The body (and its place under its parent) held until this day: 2025-07-01 for the
            # 63 provinces' and the districts' bodies.
            g.add(body_iri, LO + "validUntil", Literal(facts.valid_until, datatype=_XSD_DATE))
        return body_iri

    def unit(self, name: str | None) -> str | None:
        """An administrative unit (``lo:jurisdiction`` is an object property in the ontology)."""
        if name is None or not iri.slug(name):
            return None
        unit_iri = f"{iri.BASE}unit/{iri.slug(name)}"
        self.g.type(unit_iri, LO + "AdministrativeUnit")
        self.g.label(unit_iri, RDFS_LABEL, name)
        return unit_iri

    # -- documents ------------------------------------------------------------------------
    def document_node(self, doc_iri: str, kind: str, number: str | None, title: str | None,
                      issuer: str | None, date: str | None, year: int | None, key: str) -> None:
        """What a document and a citation of it both say: kind, number, issuer, date, label, title."""
        g = self.g
        g.type(doc_iri, self.kind_class(kind))
        g.type(doc_iri, LO + "Document")
        if number:
            g.text(doc_iri, LO + "number", iri.canonical_number(number))
        g.text(doc_iri, LO + "title", title)
        g.add(doc_iri, LO + "issuedBy", self.body(issuer, key))
        day = _date(date)
        if day is not None:
            g.add(doc_iri, LO + "issuedOn", Literal(day.isoformat(), datatype=_XSD_DATE))
        year = _year(date, year)
        if year is not None:
            g.add(doc_iri, LO + "year", Literal(f"{year:04d}", datatype=_XSD_GYEAR))
        g.label(doc_iri, RDFS_LABEL, document_label(kind, number, title, date, year, self.labels))

    def kind_class(self, kind: str) -> str:
        cls = iri.kind_class(kind)
        if self.g.superclasses and cls not in self.g.superclasses:
            raise IdentityError(f"document kind {kind!r} is not in the ontology")
        return cls

    def held_document(self, d: Document) -> None:
        doc_iri = self.doc_iris[d.key]
        g = self.g
        self.document_node(doc_iri, d.kind, d.number, d.title, d.issuer, d.date, d.year, d.key)
        if d.signer is not None:
            g.text(doc_iri, LO + "signer", d.signer.name)
            g.text(doc_iri, LO + "signerTitle", d.signer.title)
        g.text(doc_iri, LO + "place", d.place)
        g.add(doc_iri, LO + "jurisdiction", self.unit(d.jurisdiction))
        g.text(doc_iri, LO + "schoolYear", d.school_year)
        for recipient in d.recipients:
            g.text(doc_iri, LO + "recipient", recipient)
        g.text(doc_iri, LO + "publisher", d.publisher)
        # Only documents this file holds carry lo:sourceFile: the store derives lo:stub from it.
        g.span(doc_iri, self.source_file, d.span)
        if d.promulgated_by is not None:
            g.add(self.doc_iri(d.promulgated_by, "promulgatedBy"), LO + "promulgates", doc_iri)

    def doc_iri(self, key: str, field: str) -> str:
        try:
            return self.doc_iris[key]
        except KeyError:
            raise IdentityError(
                f"{field} {key!r} names no document of the file "
                f"(keys: {', '.join(self.doc_iris) or 'none'})") from None

    # -- citations ------------------------------------------------------------------------
    def held_by_number(self, c: Citation) -> Document | None:
        """The document of this file that a citation names, if any (a plan citing its own decision)."""
        if not c.number:
            return None
        number = iri.canonical_number(c.number)
        for d in self.extraction.documents:
            if d.number and iri.canonical_number(d.number) == number:
                # Sequence numbers restart every year; the issuer is not compared, since a citation
                # may name the signer's office ("Chủ tịch UBND tỉnh") for the body that issued it.
                cited_year, held_year = _year(c.date, c.year), _year(d.date, d.year)
                if cited_year is not None and held_year is not None and cited_year != held_year:
                    continue
                return d
        return None

    def citation(self, c: Citation) -> None:
        g = self.g
        citing_iri = self.doc_iri(c.citing, "citation from")
        citing_kind = self.docs_by_key[c.citing].kind
        held = self.held_by_number(c)
        if held is not None:
            cited_iri, cited_kind = self.doc_iris[held.key], held.kind
        else:
            cited_iri = self.scope.cited_iri(c, fallback=f"{citing_iri} {c.text}")
            cited_kind = c.kind
            self.document_node(cited_iri, c.kind, c.number, c.title, c.issuer, c.date, c.year, c.citing)
        relation = iri.relation_property(c.relation)
        source, target = citing_iri, cited_iri
        # "Ban hành kèm theo Quyết định số 1646/QĐ-UBND" in a plan: the parser reports that the
        # plan cites the decision; in the graph the decision promulgates the plan (domain Decision).
        if c.relation == "promulgates" and cited_kind == "Decision" and citing_kind != "Decision":
            source, target = cited_iri, citing_iri
        if source == target:
            return  # "Kế hoạch này": a document naming itself says nothing about citation
        node = iri.citation(source, target)
        g.type(node, LO + "Citation")
        g.add(node, LO + "citing", source)
        g.add(node, LO + "cited", target)
        g.add(node, LO + "relation", relation)
        g.text(node, LO + "evidence", c.text)
        g.span(node, self.source_file, c.span)
        g.add(source, relation, target)

    # -- tasks and assignments ----------------------------------------------------------------
    def tasks(self) -> dict[str, list[tuple[Task, str, str]]]:
        """Write the tasks; return, per document key, (task, number path, IRI) in text order."""
        g = self.g
        done: dict[str, list[tuple[Task, str, str]]] = {}
        for t in self.extraction.tasks:
            doc_iri = self.doc_iri(t.doc, "task of")
            earlier = done.setdefault(t.doc, [])
            parent = _enclosing(earlier, t.parent, t.span) if t.parent else None
            path = _task_path(t, parent)
            task_iri = iri.task(doc_iri, path)
            # The same path twice in one document (a parser slip, or two lists numbered alike):
            # "--n" cannot come out of slug(), so the second task cannot take a real task's IRI.
            taken = {e[2] for e in earlier}
            n = 1
            while task_iri in taken:
                n += 1
                task_iri = f"{iri.task(doc_iri, path)}--{n}"
            earlier.append((t, path, task_iri))
            g.type(task_iri, LO + "Task")
            g.text(task_iri, LO + "taskNumber", t.number)
            g.text(task_iri, LO + "title", t.title)
            g.text(task_iri, LO + "evidence", t.body)
            g.span(task_iri, self.source_file, t.span)
            if parent is not None:
                g.add(task_iri, LO + "subTaskOf", parent[2])
            else:
                g.add(task_iri, LO + "taskOf", doc_iri)
                g.add(doc_iri, LO + "hasTask", task_iri)
        return done

    def assignment(self, a: Assignment, tasks: Mapping[str, list[tuple[Task, str, str]]]) -> None:
        g = self.g
        doc_iri = self.doc_iri(a.doc, "assignment of")
        task = _enclosing(tasks.get(a.doc, []), a.task, a.span, before_only=False) if a.task else None
        # A task number the parser did not list as a task: the assignment still belongs to the document.
        target = task[2] if task is not None else doc_iri
        assignee = self.body(a.assignee, a.doc)
        if assignee is None:
            raise IdentityError(f"assignment at {a.span} names no assignee ({a.assignee!r})")
        node = iri.assignment(doc_iri, task[2] if task else None, a.assignee, a.role, a.span)
        g.type(node, LO + "Assignment")
        g.add(node, LO + "assignee", assignee)
        g.add(node, LO + "role", iri.role(a.role))
        g.add(node, LO + "assignmentOf", target)
        g.text(node, LO + "evidence", a.text)
        g.span(node, self.source_file, a.span)
        g.add(target, LO + "assignedTo", assignee)


def _year(date: str | None, year: int | None) -> int | None:
    if year is not None:
        return year
    day = _date(date)
    return day.year if day else None


def _level(value: str | None) -> str | None:
    if not value:
        return None
    name = value.rsplit("#", 1)[-1]
    name = name[:1].upper() + name[1:]
    return name if name in LEVELS else None


def _enclosing(earlier: list[tuple[Task, str, str]], number: str | None, span: tuple[int, int],
               before_only: bool = True) -> tuple[Task, str, str] | None:
    """The task named ``number`` (as printed, or as a full path) that encloses ``span``.

    Numbers repeat ("1." under I and under II), so among the tasks so named the innermost one whose
    span holds ``span`` wins, else the nearest one before it in the text.
    """
    if number is None:
        return None
    named = [e for e in earlier if number in (e[0].number, e[1])]
    holding = [e for e in named if e[0].span[0] <= span[0] and span[1] <= e[0].span[1] and e[0].span != span]
    if holding:
        return min(holding, key=lambda e: e[0].span[1] - e[0].span[0])
    before = [e for e in named if e[0].span[0] <= span[0]]
    if before:
        return max(before, key=lambda e: e[0].span[0])
    return None if before_only or not named else named[0]


def _task_path(t: Task, parent: tuple[Task, str, str] | None) -> str:
    """The full number of a task: "a" under "7" under "II" is "II.7.a"; "II.7" under "II" stays."""
    number = t.number.strip().rstrip(".")
    if parent is None:
        if t.parent and not number.startswith(t.parent.rstrip(".") + "."):
            return f"{t.parent.rstrip('.')}.{number}"  # the parent was never listed as a task
        return number
    parent_number, parent_path = parent[0].number.strip().rstrip("."), parent[1]
    if number.startswith(parent_path + "."):
        return number
    if number.startswith(parent_number + "."):
        return parent_path + number[len(parent_number):]
    return f"{parent_path}.{number}"


def to_triples(extraction: Extraction, source_path: str | os.PathLike[str], *,
               hierarchy: Hierarchy | None = None,
               body_facts: Callable[[str], BodyFacts] | bool | None = True,
               province_of: Callable[[str, str | None], str | None] | bool | None = True,
               scope: Scope | None = None) -> list[Quad]:
    """The quads of one source file, all in its named graph (``iri.source_graph(source_path)``).

    ``source_path`` is the path as given; ``lo:sourceFile`` holds it (NFC). ``hierarchy`` defaults
    to the ontology's; ``body_facts`` is ``True`` for the body registry when it exists, ``None`` (or
    ``False``) for none, or a function of a body name; ``province_of`` likewise gives the province of
    a jurisdiction (:class:`Scope`: a school or commune is identified within it), unless ``scope``
    gives where the file's documents stand (the ingest places some from other files). Raises
    :class:`IdentityError` when an entry names a document key the extraction does not have, or a
    kind or role outside the contract.

    >>> from luocdo.kg.model import Document, Extraction
    >>> doc = Document("d1", "Decision", "2457/QĐ-BGDĐT", None, "Bộ Giáo dục và Đào tạo",
    ...                "2023-08-23", 2023, None, None, None, (0, 4))
    >>> quads = to_triples(Extraction("q.txt", "text", (doc,)), "q.txt")
    >>> quads[0].subject.value
    'https://w3id.org/luocdo/id/doc/bo-giao-duc-va-dao-tao/2023/2457-qd-bgddt'
    """
    if hierarchy is None:
        hierarchy = default_hierarchy()
    if body_facts is True:
        body_facts = default_body_facts()
    elif body_facts is False:
        body_facts = None
    if province_of is True:
        province_of = default_province_of()
    elif province_of is False:
        province_of = None
    try:
        return _to_triples(extraction, source_path, hierarchy, body_facts,
                           scope or Scope.of(extraction, body_facts, province_of))
    except IdentityError as e:
        raise IdentityError(f"{os.fspath(source_path)}: {e}") from None


def _to_triples(extraction: Extraction, source_path: str | os.PathLike[str], hierarchy: Hierarchy,
                body_facts: Callable[[str], BodyFacts] | None, scope: Scope) -> list[Quad]:
    graph = iri.source_graph(source_path)
    source_file = iri.nfc(os.fspath(source_path))
    doc_iris: dict[str, str] = {}
    for d in extraction.documents:
        if d.key in doc_iris:
            raise IdentityError(f"two documents have the key {d.key!r}")
        doc_iris[d.key] = scope.document_iri(d, fallback=f"{graph} {d.key}")
    b = _Builder(g=_Graph(graph, hierarchy), extraction=extraction, source_file=source_file,
                 body_facts=body_facts, labels=kind_labels(), doc_iris=doc_iris,
                 docs_by_key={d.key: d for d in extraction.documents}, bodies_seen=set(), scope=scope)
    for d in extraction.documents:
        b.held_document(d)
    for key in scope.unplaced(extraction.citations):  # the ingest looks for its province again later
        b.g.add(doc_iris[key], LO + "unplaced", _TRUE)
    for c in extraction.citations:
        b.citation(c)
    tasks = b.tasks()
    for a in extraction.assignments:
        b.assignment(a, tasks)
    for i in extraction.initiatives:
        doc_iri = b.doc_iri(i.doc, "initiative of")
        if not iri.slug(i.title):
            continue
        node = iri.initiative(i.title)
        b.g.type(node, LO + "Initiative")
        b.g.text(node, LO + "title", i.title)
        b.g.label(node, RDFS_LABEL, i.title)
        b.g.text(node, LO + "initiativeKind", i.kind)
        b.g.add(doc_iri, LO + "mentions", node)
    return list(b.g.quads)
