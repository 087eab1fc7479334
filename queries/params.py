"""Parameter types of the query library: text from a command line or a URL -> one RDF term.

A query's ``#+ params:`` header names a type for each parameter. Plain types become literals or
IRIs here, without a store. The friendly types name something in the graph by what people call it:

* ``doc``: a document by its number (``2457/QĐ-BGDĐT``) or its IRI;
* ``body``: a body by any spelling (``UBND tỉnh Sơn La``) or its IRI;
* ``task``: a task as ``DOCUMENT#NUMBER`` or ``DOCUMENT NUMBER`` (``171/KH-PGDĐT#7``) or its IRI.

Turning a name into an IRI needs the store, so it is done by a *resolver* passed in
(``luocdo.kg.params.StoreResolver``); without one, only IRIs are taken. ``kind`` names a document
class (``Plan``, ``lo:Plan`` or ``Kế hoạch``) and needs no store.

The value always ends up as one term that the store binds: nothing here is ever formatted into
query text, so a value like ``" } ; DROP ALL #`` is just a string that matches nothing.

>>> str(to_term("2023", "year"))
'"2023"^^<http://www.w3.org/2001/XMLSchema#gYear>'
>>> to_term("Kế hoạch", "kind").value
'https://w3id.org/luocdo/ontology#Plan'
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import Any, Protocol

from luocdo.kg.errors import QueryError, UsageError

#: Parameter types a header may name.
TYPES = ("string", "iri", "integer", "decimal", "date", "year", "boolean", "doc", "body", "task", "kind")
#: The types that name a thing of the graph and need the store to become an IRI.
FRIENDLY = ("doc", "body", "task")

_LO = "https://w3id.org/luocdo/ontology#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)$")
# An IRI as people paste it: "<...>" or a bare http(s) address without spaces. "<not an iri>"
# counts too, so that it is refused as a bad IRI rather than taken for a string.
_IRI_TEXT = re.compile(r"^(<.*>|https?://\S+)$", re.S)


class Resolver(Protocol):
    """What the friendly types need: IRIs for a document, a body and a task named by people."""

    def document(self, ref: str) -> str: ...

    def body(self, name: str) -> str: ...

    def task(self, ref: str) -> str: ...


def looks_like_iri(value: str) -> bool:
    """True for ``<...>`` or a bare ``http(s)://`` address, the two ways an IRI is typed.

    >>> looks_like_iri("https://w3id.org/luocdo/id/body/bo-y-te"), looks_like_iri("Bộ Y tế")
    (True, False)
    """
    return bool(_IRI_TEXT.match(value))


def _iri(text: str, bad: UsageError) -> Any:
    from pyoxigraph import NamedNode

    inner = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    try:
        return NamedNode(inner)
    except ValueError:
        raise bad from None


def kind_iri(value: str) -> str:
    """The class IRI of a document kind given as ``Plan``, ``lo:Plan``, its IRI or its Vietnamese name.

    >>> kind_iri("lo:Decision") == kind_iri("quyết định") == _LO + "Decision"
    True
    """
    from luocdo.kg.iri import fold
    from luocdo.kg.triples import kind_labels

    labels = kind_labels()
    text = value.strip()
    local = text[len(_LO):] if text.startswith(_LO) else text.removeprefix("lo:")
    for kind, label in labels.items():
        if local.lower() == kind.lower() or fold(local) == fold(label):
            return _LO + kind
    raise UsageError(f"{value!r} is not a document kind (one of {', '.join(sorted(labels))})")


def to_term(value: str, type_: str | None = None, name: str = "value", resolver: Resolver | None = None) -> Any:
    """The RDF term for one parameter value, by declared type or, without one, by its look.

    ``resolver`` turns the friendly types (``doc``, ``body``, ``task``) from names into IRIs;
    without one they must be given as IRIs.

    >>> to_term("<https://w3id.org/luocdo/id/body/so-y-te>").value
    'https://w3id.org/luocdo/id/body/so-y-te'
    >>> str(to_term("2023"))
    '"2023"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> str(to_term('" } ; DROP ALL #'))
    '"\\\\" } ; DROP ALL #"'
    """
    from pyoxigraph import Literal, NamedNode

    value = unicodedata.normalize("NFC", value)

    def bad(expected: str) -> UsageError:
        return UsageError(f"--param {name}={value!r}: expected {expected}")

    if type_ is None:
        if looks_like_iri(value):
            type_ = "iri"
        elif _INTEGER.match(value):
            type_ = "integer"
        else:
            type_ = "string"
    if type_ == "string":
        return Literal(value)
    if type_ == "iri":
        return _iri(value, bad("an IRI"))
    if type_ in FRIENDLY:
        text = value.strip()
        if looks_like_iri(text):
            return _iri(text, bad(f"a {type_} IRI"))
        if resolver is None:
            raise bad(f"the IRI of a {type_} (a {type_} by name needs the store to look it up)")
        if not text:
            raise bad(f"a {type_}")
        found = {"doc": resolver.document, "body": resolver.body, "task": resolver.task}[type_](text)
        return NamedNode(found)
    if type_ == "kind":
        if looks_like_iri(value):
            return _iri(value, bad("a class IRI"))
        return NamedNode(kind_iri(value))
    if type_ == "integer":
        if not _INTEGER.match(value):
            raise bad("an integer")
        return Literal(str(int(value)), datatype=NamedNode(_XSD + "integer"))
    if type_ == "decimal":
        if not _DECIMAL.match(value):
            raise bad("a decimal number")
        return Literal(value, datatype=NamedNode(_XSD + "decimal"))
    if type_ == "date":
        try:
            return Literal(_dt.date.fromisoformat(value).isoformat(), datatype=NamedNode(_XSD + "date"))
        except ValueError:
            raise bad("a date yyyy-mm-dd") from None
    if type_ == "year":
        if not re.match(r"^\d{4}$", value):
            raise bad("a year yyyy")
        return Literal(value, datatype=NamedNode(_XSD + "gYear"))
    if type_ == "boolean":
        if value not in ("true", "false"):
            raise bad("true or false")
        return Literal(value, datatype=NamedNode(_XSD + "boolean"))
    raise QueryError(f"parameter {name!r} has the unknown type {type_!r} "
                     f"(expected one of {', '.join(TYPES)})")


def split_task(ref: str) -> tuple[str, str | None]:
    """A task reference -> (document reference, task number); a task IRI comes back whole.

    >>> split_task("171/KH-PGDĐT#7"), split_task("171/KH-PGDĐT II.7")
    (('171/KH-PGDĐT', '7'), ('171/KH-PGDĐT', 'II.7'))
    """
    text = ref.strip()
    if "#" in text:
        doc, _sep, number = text.rpartition("#")
        return doc.strip(), number.strip() or None
    doc, sep, number = text.rpartition(" ")
    if sep and doc.strip():
        return doc.strip(), number
    return text, None
