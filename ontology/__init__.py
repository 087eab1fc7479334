"""The luocdo ontology: its packaged files, its term hierarchy, and an offline HermiT check.

``luocdo.ttl`` is the one hand-edited OWL source and ``shapes.ttl`` the SHACL shapes an ingested
graph must satisfy; callers that need the triples read :data:`ONTOLOGY_PATH` (Turtle) themselves.
Nothing here touches the network: the ontology imports nothing, and the loader drops any
``owl:imports`` before owlready2 can follow it.

>>> from luocdo.ontology import LO, hierarchy
>>> classes, properties = hierarchy()
>>> LO + "cites" in properties[LO + "basedOn"]
True
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:  # owlready2 is slow to import and only the reasoner functions need it
    import owlready2

__all__ = [
    "LO",
    "ONTOLOGY_IRI",
    "ONTOLOGY_PATH",
    "SHAPES_PATH",
    "VERSION_IRI",
    "InconsistentOntologyError",
    "OntologyError",
    "check_consistency",
    "hierarchy",
    "load_owlready",
]

LO = "https://w3id.org/luocdo/ontology#"
ONTOLOGY_IRI = "https://w3id.org/luocdo/ontology"
VERSION_IRI = "https://w3id.org/luocdo/ontology/0.1.0"

_FILES = importlib.resources.files(__name__)
ONTOLOGY_PATH = Path(str(_FILES.joinpath("luocdo.ttl")))
SHAPES_PATH = Path(str(_FILES.joinpath("shapes.ttl")))

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_RDF_TYPE = ox.NamedNode(_RDF + "type")
_SUBCLASS_OF = ox.NamedNode(_RDFS + "subClassOf")
_SUBPROPERTY_OF = ox.NamedNode(_RDFS + "subPropertyOf")
_OWL_IMPORTS = ox.NamedNode(_OWL + "imports")
_CLASS_TYPES = frozenset({_OWL + "Class", _RDFS + "Class"})
_PROPERTY_TYPES = frozenset(
    {_OWL + "ObjectProperty", _OWL + "DatatypeProperty", _OWL + "AnnotationProperty", _RDF + "Property"}
)


class OntologyError(Exception):
    """The ontology (or a graph checked against it) cannot be loaded or reasoned over."""


class InconsistentOntologyError(OntologyError):
    """HermiT found the ontology inconsistent, or some of its classes unsatisfiable.

    ``unsatisfiable`` holds the IRIs of classes equivalent to owl:Nothing (empty when the whole
    ontology is inconsistent, since then HermiT names no class).
    """

    def __init__(self, message: str, unsatisfiable: Iterable[str] = ()):
        super().__init__(message)
        self.unsatisfiable = tuple(unsatisfiable)


def _closure(edges: Mapping[str, set[str]], terms: Iterable[str]) -> dict[str, frozenset[str]]:
    """Transitive closure of ``edges`` for each term, the term itself excluded (even on a cycle)."""
    closed: dict[str, frozenset[str]] = {}
    for term in terms:
        seen: set[str] = set()
        stack = list(edges.get(term, ()))
        while stack:
            parent = stack.pop()
            if parent not in seen:
                seen.add(parent)
                stack.extend(edges.get(parent, ()))
        seen.discard(term)
        closed[term] = frozenset(seen)
    return closed


@functools.cache
def _hierarchy() -> tuple[Mapping[str, frozenset[str]], Mapping[str, frozenset[str]]]:
    classes: set[str] = set()
    properties: set[str] = set()
    class_edges: dict[str, set[str]] = {}
    property_edges: dict[str, set[str]] = {}
    for triple in ox.parse(path=ONTOLOGY_PATH, format=ox.RdfFormat.TURTLE):
        s, p, o = triple.subject, triple.predicate, triple.object
        if not isinstance(s, ox.NamedNode):
            continue  # anonymous classes (unions, restrictions) are not terms of the vocabulary
        if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
            if o.value in _CLASS_TYPES:
                classes.add(s.value)
            elif o.value in _PROPERTY_TYPES:
                properties.add(s.value)
        elif p == _SUBCLASS_OF and isinstance(o, ox.NamedNode):
            class_edges.setdefault(s.value, set()).add(o.value)
            classes.update((s.value, o.value))
        elif p == _SUBPROPERTY_OF and isinstance(o, ox.NamedNode):
            property_edges.setdefault(s.value, set()).add(o.value)
            properties.update((s.value, o.value))
    return _closure(class_edges, sorted(classes)), _closure(property_edges, sorted(properties))


def hierarchy() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """Super-classes and super-properties of every class and property IRI of the ontology.

    Returns ``(classes, properties)``: each maps a term's IRI to the transitive closure of its
    ``rdfs:subClassOf`` (resp. ``rdfs:subPropertyOf``) super-terms, the term itself excluded;
    external terms (``eli:``, ``prov:``, ...) are keys too, usually with no supers. The parse is
    cached; each call returns fresh dicts, so a caller may change them safely.

    >>> classes, properties = hierarchy()
    >>> sorted(properties[LO + "basedOn"])  # doctest: +NORMALIZE_WHITESPACE
    ['http://data.europa.eu/eli/ontology#based_on', 'http://data.europa.eu/eli/ontology#cites',
     'https://w3id.org/luocdo/ontology#cites']
    """
    classes, properties = _hierarchy()
    return dict(classes), dict(properties)


def _ntriples(path: Path) -> bytes:
    """The file at ``path`` (any format pyoxigraph knows by its extension) as N-Triples, imports dropped.

    owlready2 parses N-Triples and RDF/XML but not Turtle; dropping ``owl:imports`` here is what
    guarantees that loading never reaches for the network.
    """
    out = io.BytesIO()
    triples = (t for t in ox.parse(path=path) if t.predicate != _OWL_IMPORTS)
    ox.serialize(triples, out, format=ox.RdfFormat.N_TRIPLES)
    return out.getvalue()


def load_owlready(
    world: owlready2.World | None = None, data: Iterable[str | os.PathLike[str]] = ()
) -> owlready2.World:
    """Load luocdo.ttl, and optionally instance data, into an owlready2 World from local files only.

    ``world`` defaults to a new World (never owlready2's global default world). Each file of
    ``data`` (Turtle, N-Triples, RDF/XML, ...: the format follows the extension) is loaded as an
    ontology of its own, named after its path, so that HermiT can check it against the ontology.

    >>> world = load_owlready()
    >>> world[LO + "Plan"].label.en
    ['plan']
    """
    import owlready2

    if world is None:
        world = owlready2.World()
    sources = [(ONTOLOGY_IRI, ONTOLOGY_PATH)] + [(Path(p).resolve().as_uri(), Path(p)) for p in data]
    for iri, path in sources:
        try:
            ntriples = _ntriples(path)
        except (OSError, SyntaxError, ValueError) as error:  # ValueError: unknown file extension
            raise OntologyError(f"cannot read {str(path)!r}: {error}") from error
        # A fileobj makes owlready2 parse what it is given instead of resolving the IRI.
        world.get_ontology(iri).load(fileobj=io.BytesIO(ntriples), format="ntriples")
    return world


def check_consistency(
    world: owlready2.World | None = None, *, ignore_unsupported_datatypes: bool = False
) -> None:
    """Run HermiT (through owlready2, with Java) over ``world`` and fail if it is inconsistent.

    ``world`` defaults to a World holding only the ontology (see :func:`load_owlready`). HermiT
    reasons over a copy, so ``world`` is left exactly as it was: owlready2 writes HermiT's answers
    back into the world it reasons over, and it garbles the terms OWL 2 puns (``lo:Report`` is both
    a document class and a role; the values of ``lo:relation`` are properties), which would make a
    second run fail. Raises :class:`InconsistentOntologyError` when HermiT finds the world
    inconsistent or a named class unsatisfiable, and :class:`OntologyError` when Java or HermiT
    cannot run, or meets a datatype outside the OWL 2 datatype map (``xsd:date``, ``xsd:gYear``)
    while ``ignore_unsupported_datatypes`` is false. Instance data carries such literals
    (``lo:issuedOn``, ``lo:year``): check it with ``ignore_unsupported_datatypes=True``.

    >>> check_consistency()  # runs Java; takes a second or two
    """
    import owlready2

    if world is None:
        world = load_owlready()
    if shutil.which(owlready2.JAVA_EXE) is None:
        raise OntologyError(f"HermiT needs Java, and {owlready2.JAVA_EXE!r} is not on the PATH")
    copy = io.BytesIO()
    world.save(copy, format="ntriples")
    scratch = owlready2.World()
    scratch.get_ontology("urn:luocdo:consistency-check").load(
        fileobj=io.BytesIO(copy.getvalue()), format="ntriples"
    )
    try:
        # infer_property_values=False: only consistency and the class hierarchy are wanted, and
        # property inference is by far the slowest part of HermiT's run.
        owlready2.sync_reasoner(
            scratch,
            infer_property_values=False,
            debug=0,
            ignore_unsupported_datatypes=ignore_unsupported_datatypes,
        )
    except owlready2.OwlReadyInconsistentOntologyError as error:
        raise InconsistentOntologyError("HermiT found the ontology inconsistent") from error
    except owlready2.OwlReadyJavaError as error:
        raise OntologyError(f"HermiT failed: {error}") from error
    # The storid gives the true IRI: the copy merges several ontologies into one, which can leave
    # owlready2 guessing an entity's namespace (and so its .iri) wrongly.
    unsatisfiable = sorted(
        iri
        for iri in (scratch._unabbreviate(c.storid) for c in scratch.inconsistent_classes())
        if iri != _OWL + "Nothing"
    )
    if unsatisfiable:
        raise InconsistentOntologyError(
            f"HermiT found unsatisfiable classes: {', '.join(unsatisfiable)}", unsatisfiable
        )
