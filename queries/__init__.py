"""The query library: one SPARQL query per ``.rq`` file, each with a ``#+`` header.

A header says what the query is for, which parameters it takes (name, type, example) and which
columns it returns; full PREFIX lines follow::

    #+ summary: Documents issued by a body, newest first.
    #+ params: issuer: body e.g. "Bộ Giáo dục và Đào tạo"
    #+ params: year: year optional e.g. 2023
    #+ columns: doc, kind, number, date, title

Repeat ``#+ params:`` for each parameter; ``optional`` after the type lets the caller leave it out.
The types are those of :mod:`luocdo.queries.params`: plain ones (``string``, ``integer``, ``year``,
``iri``, ...) and friendly ones (``doc``, ``body``, ``task``) that the store resolves from a name.
Parameters are bound as RDF terms (see :meth:`Query.bind`), never pasted into the text.

How a query uses a parameter, so that it means the same on every store: the local store binds
with Oxigraph's substitutions (SEP-0007: the variable is replaced by the term wherever it occurs,
and must be in the SELECT list), a remote one with a ``VALUES`` block at the top of the WHERE
clause. Both agree when the variable is projected and occurs in a triple pattern or in a FILTER of
the outermost group, never under ``BOUND()`` and never only inside an OPTIONAL. An optional
parameter is tested with ``COALESCE(?param, ...)``, which holds for an unbound one.
The tests run every query both ways.

>>> q = load("documents-by-issuer")
>>> (q.params[0].name, q.params[0].type, q.optional)
('issuer', 'body', ('year', 'kind'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from luocdo.kg.errors import QueryError, UsageError

from .params import FRIENDLY, TYPES, Resolver, to_term

__all__ = ["FRIENDLY", "TYPES", "Param", "Query", "Resolver", "load", "names", "parse", "to_term"]

# "#+ key: value" at the start of a line; the header is the run of such lines (and blank comments).
_HEADER_LINE = re.compile(r"^#\+\s*(?P<key>[A-Za-z_-]+)\s*:\s*(?P<value>.*?)\s*$")
# "issuer: body optional e.g. "Bộ Giáo dục và Đào tạo"" -> name, type, optional, example (quotes optional).
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>[a-z]+)(?:\s+(?P<optional>optional))?"
                    r"(?:\s+e\.g\.\s*(?P<example>.*))?$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Param(NamedTuple):
    """One declared parameter: name, type (one of :data:`TYPES`), example value (or ``None``)."""

    name: str
    type: str
    example: str | None


@dataclass(frozen=True, slots=True)
class Query:
    """A query of the library (or any ``.rq`` file) with its parsed header.

    ``optional`` names the parameters the caller may leave out (``#+ params: year: year optional``).
    """

    name: str
    path: str
    summary: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str
    optional: tuple[str, ...] = ()

    def bind(self, values: dict[str, str], resolver: Resolver | None = None) -> dict[str, Any]:
        """Turn ``name -> text`` (from the command line) into ``name -> RDF term`` for the store.

        A declared type decides the term; an undeclared parameter is guessed: ``<...>`` or
        ``http(s)://...`` an IRI, an integer an ``xsd:integer``, anything else a plain string.
        ``resolver`` looks up the friendly types (``doc``, ``body``, ``task``) by name
        (``luocdo.kg.params.bind`` passes one over the store); without it they take IRIs only.
        Raises :class:`~luocdo.kg.errors.UsageError` for a missing, unknown or ill-typed value.

        >>> load("plans-for-school-year").bind({"school_year": "2023-2024"})["school_year"].value
        '2023-2024'
        """
        self.check(values)
        declared = {p.name: p for p in self.params}
        return {name: to_term(value, declared[name].type if name in declared else None, name, resolver)
                for name, value in values.items()}

    def check(self, values: dict[str, str]) -> None:
        """Raise :class:`~luocdo.kg.errors.UsageError` for an unknown or missing parameter, or a
        value that cannot have its type; names for the friendly types are left to the store.

        >>> load("documents-by-issuer").check({"issuer": "Bộ Y tế", "year": "23"})
        Traceback (most recent call last):
        ...
        luocdo.kg.errors.UsageError: --param year='23': expected a year yyyy
        """
        declared = {p.name: p for p in self.params}
        if declared:
            unknown = sorted(set(values) - set(declared))
            if unknown:
                raise UsageError(f"query {self.name!r} has no parameter {unknown[0]!r} "
                                 f"(it takes: {', '.join(declared)})")
            missing = [p for p in self.params if p.name not in values and p.name not in self.optional]
            if missing:
                p = missing[0]
                example = f" (e.g. --param {p.name}={p.example})" if p.example else ""
                raise UsageError(f"query {self.name!r} needs --param {p.name}=...{example}")
        for name, value in values.items():
            type_ = declared[name].type if name in declared else None
            if type_ not in FRIENDLY:
                to_term(value, type_, name)

    @property
    def param_names(self) -> tuple[str, ...]:
        """The declared parameter names, in header order.

        >>> load("cited-by").param_names
        ('doc',)
        """
        return tuple(p.name for p in self.params)


def parse(text: str, name: str, path: str = "") -> Query:
    """Parse a query's text and ``#+`` header.

    >>> q = parse('#+ summary: All.\\n#+ columns: s\\nSELECT ?s WHERE { ?s ?p ?o }', "all")
    >>> (q.summary, q.params, q.columns)
    ('All.', (), ('s',))
    """
    summary: list[str] = []
    params: list[Param] = []
    optional: list[str] = []
    columns: tuple[str, ...] = ()
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _HEADER_LINE.match(line)
        if not m:
            continue
        key, value = m["key"].lower(), m["value"]
        where = f"{path or name}:{lineno}"
        if key == "summary":
            summary.append(value)
        elif key in ("params", "param"):
            if not value:
                continue
            p = _PARAM.match(value)
            if not p:
                raise QueryError(f"{where}: parameter {value!r} is not 'name: type e.g. example'")
            if p["type"] not in TYPES:
                raise QueryError(f"{where}: parameter type {p['type']!r} is not one of {', '.join(TYPES)}")
            example = p["example"]
            if example and len(example) >= 2 and example[0] == example[-1] == '"':
                example = example[1:-1]
            params.append(Param(p["name"], p["type"], example or None))
            if p["optional"]:
                optional.append(p["name"])
        elif key == "columns":
            columns = tuple(c.strip() for c in value.split(",") if c.strip())
    return Query(name=name, path=path, summary=" ".join(summary), params=tuple(params),
                 columns=columns, text=text, optional=tuple(optional))


def names() -> list[str]:
    """Names of the queries of the library, sorted.

    >>> "cited-by" in names()
    True
    """
    return sorted(f.name[:-3] for f in resources.files(__name__).iterdir() if f.name.endswith(".rq"))


def load(name: str) -> Query:
    """A query of the library by name (``queries/NAME.rq``), or any ``.rq`` file by path.

    >>> load("cited-by").params[0].name
    'doc'
    """
    if name.endswith(".rq") or "/" in name or "\\" in name:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise QueryError(f"cannot read the query {name!r}: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise QueryError(f"the query {name!r} is not UTF-8 text") from None
        return parse(text, path.stem, str(path))
    if not _NAME.match(name):
        raise QueryError(f"{name!r} is not a query name (lower-case words joined by '-')")
    resource = resources.files(__name__).joinpath(f"{name}.rq")
    if not resource.is_file():
        raise QueryError(f"no query named {name!r} (known: {', '.join(names())})")
    return parse(resource.read_text(encoding="utf-8"), name, str(resource))
