"""Query parameters that need the store: a document, body or task named the way people name them.

:func:`bind` turns ``--param doc=2457/QĐ-BGDĐT`` into the document's IRI through
:mod:`luocdo.kg.lookup`, and every other declared type into its term
(:mod:`luocdo.queries.params`); :func:`run` binds and runs a query of the library. Values are
bound as terms by the store, never formatted into the query.

>>> from luocdo.kg.store import Store
>>> from luocdo.queries import load
>>> bind(Store.open("memory:"), load("plans-for-school-year"), {"school_year": "2023-2024"})
{'school_year': <Literal value=2023-2024 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>}
"""

from __future__ import annotations

import unicodedata
from typing import Any

from .errors import IdentityError


class StoreResolver:
    """Names -> IRIs over one store (the :class:`~luocdo.queries.params.Resolver` of the library).

    >>> from luocdo.kg.store import Store
    >>> StoreResolver(Store.open("memory:")).body("https://w3id.org/luocdo/id/body/bo-y-te")
    'https://w3id.org/luocdo/id/body/bo-y-te'
    """

    def __init__(self, store: Any):
        self.store = store

    def document(self, ref: str) -> str:
        """The IRI of the one document with this number (an ingested one wins over stubs)."""
        from .lookup import find_documents, resolve_document

        try:
            return resolve_document(self.store, ref).iri
        except IdentityError as e:
            found = find_documents(self.store, ref)
            if len(found) < 2:
                raise
            # lookup's message suggests --issuer/--year, which a query parameter does not have.
            listed = "; ".join(f"{d.short()} <{d.iri}>" for d in found[:8])
            raise IdentityError(f"{ref!r} names {len(found)} documents ({listed}); give the IRI") from e

    def body(self, name: str) -> str:
        """The IRI of the body with this name or spelling."""
        from .lookup import resolve_body

        return resolve_body(self.store, name)

    def task(self, ref: str) -> str:
        """The IRI of a task given as ``DOCUMENT#NUMBER`` or ``DOCUMENT NUMBER``."""
        from luocdo.queries.params import split_task

        from .lookup import resolve_task

        doc_ref, number = split_task(ref)
        if number is None:
            raise IdentityError(f"task {ref!r}: expected DOCUMENT#NUMBER (e.g. 171/KH-PGDĐT#7) or a task IRI")
        return resolve_task(self.store, self.document(doc_ref), number)


def bind(store: Any, query: Any, values: dict[str, str]) -> dict[str, Any]:
    """Terms for ``values`` by the types ``query`` declares, friendly names looked up in ``store``.

    Text is NFC-normalised first: a terminal or a browser may send Vietnamese decomposed.
    """
    normal = {name: unicodedata.normalize("NFC", value) for name, value in values.items()}
    return query.bind(normal, resolver=StoreResolver(store))


def run(store: Any, query: Any, values: dict[str, str]) -> Any:
    """Bind ``values`` and run ``query``; the result keeps only the columns of its header.

    The parameters themselves are projected (Oxigraph substitutes only projected variables), but the
    caller knows them: they are dropped, bound or not.

    >>> from luocdo.kg.store import Store
    >>> from luocdo.queries import load
    >>> run(Store.open("memory:"), load("stub-documents"), {}).columns
    ('doc', 'label', 'number', 'issuer', 'year', 'cited_by')
    """
    from .store import QueryResult

    bindings = bind(store, query, values)
    result = store.query(query.text, bindings)
    hidden = set(bindings) | set(query.param_names)
    keep = [i for i, c in enumerate(result.columns) if c not in hidden]
    return QueryResult(tuple(result.columns[i] for i in keep), [tuple(row[i] for i in keep) for row in result.rows])
