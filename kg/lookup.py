"""Friendly names -> IRIs: a document by its number (with issuer and year when ambiguous), a task by
its document and number, a body by any spelling. Used by the CLI, the query parameters and views.

Every value from the user is bound as an RDF term; nothing is formatted into query text.

>>> from luocdo.kg.store import Store
>>> find_documents(Store.open("memory:"), "171/KH-PGDĐT")
[]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import IdentityError
from .iri import LO, canonical_number, fold

_PREFIXES = f"""PREFIX lo: <{LO}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@dataclass(frozen=True, slots=True)
class DocInfo:
    """What a trace or a view shows of a document."""

    iri: str
    kind: str | None
    number: str | None
    issuer: str | None
    date: str | None
    year: int | None
    stub: bool
    title: str | None = None
    label: str | None = None

    def to_json(self) -> dict:
        """The document part of a trace step (``luocdo trace --format json``)."""
        return {"iri": self.iri, "kind": self.kind, "number": self.number, "issuer": self.issuer,
                "date": self.date, "stub": self.stub}

    def short(self) -> str:
        """``Plan 171/KH-PGDĐT of Phòng Giáo dục và Đào tạo huyện Gia Lộc (2023-09-14)``."""
        what = self.number or (f"“{self.title}”" if self.title else self.iri.rsplit("/", 1)[-1])
        who = f" of {self.issuer}" if self.issuer else ""
        when = f" ({self.date or self.year})" if (self.date or self.year) else ""
        return f"{self.kind or 'Document'} {what}{who}{when}"


def _value(term) -> str | None:
    return None if term is None else term.value


def _kind_of(types: list[str]) -> str | None:
    local = [t[len(LO):] for t in types if t.startswith(LO)]
    generic = {"Document", "LegalDocument"}
    specific = [k for k in local if k not in generic]
    return sorted(specific)[0] if specific else (local[0] if local else None)


# Only the facts a DocInfo holds, and the issuer's label as "issuer": a plan's other facts (its
# tasks, citations, their eli: mirrors) were most of what `?doc ?p ?o` read, in every step of a trace.
_FACTS_Q = _PREFIXES + """SELECT DISTINCT ?doc ?p ?o WHERE {
  { ?doc ?p ?o VALUES ?p { rdf:type lo:number lo:year lo:issuedOn lo:stub lo:title rdfs:label } }
  UNION { ?doc lo:issuedBy ?b . ?b rdfs:label ?o BIND("issuer" AS ?p) }
}"""
_BY_NUMBER_Q = _PREFIXES + "SELECT DISTINCT ?number ?doc WHERE { ?doc a lo:Document ; lo:number ?number }"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def document_info(store, iri: str) -> DocInfo:
    """The facts of one document IRI.

    One property at a time, joined here: the union of the per-file graphs repeats a document's
    facts once per file that mentions it, and a join of OPTIONALs in SPARQL multiplies the copies.
    """
    node = ox.NamedNode(iri)
    facts: dict[str, list[str]] = {}
    for _d, p, o in store.query(_FACTS_Q, {"doc": node}).rows:
        facts.setdefault(p.value, []).append(o.value)
    issuer = sorted(facts.get("issuer", []))
    if LO + "Document" not in facts.get(_RDF_TYPE, []):
        raise IdentityError(f"no document {iri!r} in the store")

    def one(prop: str) -> str | None:
        values = sorted(facts.get(LO + prop, []))
        return values[0] if values else None

    y = one("year")
    label = sorted(facts.get("http://www.w3.org/2000/01/rdf-schema#label", []))
    return DocInfo(iri, _kind_of(facts.get(_RDF_TYPE, [])), one("number"), issuer[0] if issuer else None,
                   one("issuedOn"), int(y[:4]) if y and y[:4].isdigit() else None, one("stub") == "true",
                   one("title"), label[0] if label else None)


def _docs_with_number(store, number: str) -> list[str]:
    return sorted({r[1].value for r in store.query(_BY_NUMBER_Q, {"number": ox.Literal(number)}).rows})


def _numbers_in_store(store) -> list[str]:
    q = _PREFIXES + "SELECT DISTINCT ?n WHERE { ?d lo:number ?n }"
    return [r[0].value for r in store.query(q).rows]


def number_key(number: str) -> str:
    """Comparison key of a number: canonical, upper case, Đ as D, no leading zeros (08/CT-TTg = 8/CT-TTg)."""
    n = canonical_number(unicodedata.normalize("NFC", number))
    return re.sub(r"^0+(?=\d)", "", n.replace("Đ", "D").replace("đ", "d").upper())


def find_documents(store, number: str, issuer: str | None = None, year: int | None = None) -> list[DocInfo]:
    """Documents with this number (any spelling: ``4725/QĐ-BGD&ĐT`` finds ``4725/QĐ-BGDĐT``)."""
    canonical = canonical_number(unicodedata.normalize("NFC", number.strip()))
    iris = _docs_with_number(store, canonical)
    if not iris:
        # Not as written: compare every number's key (case, Đ/D, leading zeros, '&').
        key = number_key(number)
        for n in _numbers_in_store(store):
            if number_key(n) == key:
                iris.extend(_docs_with_number(store, n))
    out = [document_info(store, i) for i in dict.fromkeys(iris)]
    if issuer:
        f = fold(issuer)
        out = [d for d in out if d.issuer and (f in fold(d.issuer) or fold(d.issuer) in f)]
    if year:
        out = [d for d in out if d.year == int(year)]
    return sorted(out, key=lambda d: (d.stub, d.iri))


def closest_numbers(store, number: str, n: int = 5) -> list[str]:
    """Numbers in the store that look most like ``number`` (for "did you mean")."""
    import difflib

    key = number_key(number)
    known = sorted(set(_numbers_in_store(store)))
    return difflib.get_close_matches(key, known, n=n, cutoff=0.4) or [k for k in known if key.split("/")[0] in k][:n]


def resolve_document(store, ref: str, issuer: str | None = None, year: int | None = None) -> DocInfo:
    """One document from an IRI or a number; ambiguity and absence are errors that list candidates."""
    ref = unicodedata.normalize("NFC", ref.strip())
    if ref.startswith(("http://", "https://")):
        return document_info(store, ref)
    found = find_documents(store, ref, issuer, year)
    ingested = [d for d in found if not d.stub]
    if len(found) > 1 and len(ingested) == 1:
        return ingested[0]
    if len(found) == 1:
        return found[0]
    if not found:
        near = closest_numbers(store, ref)
        hint = f"; closest: {', '.join(near)}" if near else ""
        raise IdentityError(f"no document {ref!r} in the store{hint}")
    listed = "; ".join(d.short() for d in found[:8])
    raise IdentityError(f"{ref!r} names {len(found)} documents ({listed}); give --issuer or --year")


_TASKS_QUERY = _PREFIXES + """
SELECT DISTINCT ?doc ?task ?number ?title WHERE {
  { ?task lo:taskOf ?doc } UNION { ?task lo:subTaskOf ?up . ?up lo:subTaskOf*/lo:taskOf ?doc }
  ?task lo:taskNumber ?number .
  OPTIONAL { ?task lo:title ?title }
}
"""


def tasks_of(store, doc_iri: str) -> list[tuple[str, str, str | None]]:
    """(task IRI, number, title) of a document's tasks, in number order ("2" before "10", "1.a" after "1")."""
    rows = store.query(_TASKS_QUERY, {"doc": ox.NamedNode(doc_iri)}).rows
    seen: dict[str, tuple[str, str, str | None]] = {}
    for _d, task, number, title in rows:
        seen.setdefault(task.value, (task.value, number.value, _value(title)))

    def order(t):
        return [p.zfill(6) if p.isdigit() else p for p in t[1].split(".")]

    return sorted(seen.values(), key=order)


def resolve_task(store, doc_ref: str, number: str | None = None, issuer: str | None = None,
                 year: int | None = None) -> str:
    """A task IRI from ``(document, task number)`` or from a task IRI."""
    if number is None and doc_ref.startswith(("http://", "https://")):
        return doc_ref
    doc = resolve_document(store, doc_ref, issuer, year)
    tasks = tasks_of(store, doc.iri)
    want = unicodedata.normalize("NFC", (number or "").strip().rstrip("."))
    for iri, num, _title in tasks:
        if num == want or (num.split(".")[-1] == want and "." not in want and num.count(".") == 1 and \
                not any(n2 == want for _, n2, _ in tasks)):
            return iri
    listed = ", ".join(n for _, n, _ in tasks[:30]) or "none"
    raise IdentityError(f"{doc.short()} has no task {want!r} (its tasks: {listed})")


_BODIES_QUERY = _PREFIXES + """
SELECT ?body ?label (GROUP_CONCAT(?alt; separator="\\u001f") AS ?alts) WHERE {
  ?body a lo:Body ; rdfs:label ?label .
  OPTIONAL { ?body skos:altLabel ?alt }
} GROUP BY ?body ?label
"""


def find_bodies(store, query: str) -> list[tuple[str, str]]:
    """(IRI, label) of bodies in the store whose label or a spelling contains the query, accents ignored."""
    q = fold(query)
    out = []
    for body, label, alts in store.query(_BODIES_QUERY).rows:
        names = [label.value, *((_value(alts) or "").split("\u001f"))]
        if any(q and q in fold(n) for n in names if n):
            out.append((body.value, label.value))
    exact = [b for b in out if fold(b[1]) == q]
    return exact + sorted((b for b in out if b not in exact), key=lambda b: len(b[1]))


def resolve_body(store, name: str) -> str:
    """One body IRI from an IRI or a name (canonicalised through the registry first)."""
    name = unicodedata.normalize("NFC", name.strip())
    if name.startswith(("http://", "https://")):
        return name
    try:
        from .bodies import registry

        canonical = registry().canonical(name) or name
    except ImportError:  # pragma: no cover - the registry ships with the package
        canonical = name
    for cand in (canonical, name):
        found = find_bodies(store, cand)
        exact = [b for b in found if fold(b[1]) == fold(cand)]
        if len(exact) > 1:
            # A school or a commune of one name in several provinces: each is a body of its own.
            listed = ", ".join(f"<{b[0]}>" for b in exact[:8])
            raise IdentityError(f"{name!r} names {len(exact)} bodies ({listed}); give the IRI")
        if found:
            return found[0][0]
    raise IdentityError(f"no body {name!r} in the store (try: luocdo bodies {' '.join(name.split())!r})")
