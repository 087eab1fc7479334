"""The query library: one SPARQL query per ``.rq`` file, each with a ``#+`` header.

A header says what the query is for, which parameters it takes (name, type, example) and which
columns it returns; full PREFIX lines follow::

    #+ summary: Documents issued by a body, newest first.
    #+ params: issuer: string e.g. "Bộ Giáo dục và Đào tạo"
    #+ columns: doc, kind, number, date, title

Repeat ``#+ params:`` for each parameter. Parameters are bound as RDF terms (see :meth:`Query.bind`),
never pasted into the text; Oxigraph asks that each one appear in the SELECT list.

>>> q = load("documents-by-issuer")
>>> (q.params[0].name, q.params[0].type, q.columns[:2])
('issuer', 'string', ('doc', 'kind'))
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from luocdo.kg.errors import QueryError, UsageError

#: Parameter types a header may name, and what each becomes.
TYPES = ("string", "iri", "integer", "decimal", "date", "year", "boolean")

_XSD = "http://www.w3.org/2001/XMLSchema#"
# "#+ key: value" at the start of a line; the header is the run of such lines (and blank comments).
_HEADER_LINE = re.compile(r"^#\+\s*(?P<key>[A-Za-z_-]+)\s*:\s*(?P<value>.*?)\s*$")
# "issuer: string e.g. "Bộ Giáo dục và Đào tạo"" -> name, type, example (quotes optional).
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>[a-z]+)(?:\s+e\.g\.\s*(?P<example>.*))?$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)$")


class Param(NamedTuple):
    """One declared parameter: name, type (one of :data:`TYPES`), example value (or ``None``)."""

    name: str
    type: str
    example: str | None


@dataclass(frozen=True, slots=True)
class Query:
    """A query of the library (or any ``.rq`` file) with its parsed header."""

    name: str
    path: str
    summary: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str

    def bind(self, values: dict[str, str]) -> dict[str, Any]:
        """Turn ``name -> text`` (from the command line) into ``name -> RDF term`` for the store.

        A declared type decides the term; an undeclared parameter is guessed: ``<...>`` or
        ``http(s)://...`` an IRI, an integer an ``xsd:integer``, anything else a plain string.
        Raises :class:`~luocdo.kg.errors.UsageError` for a missing, unknown or ill-typed value.

        >>> load("cited-by").bind({"doc_number": "2457/QĐ-BGDĐT"})["doc_number"].value
        '2457/QĐ-BGDĐT'
        """
        declared = {p.name: p for p in self.params}
        if declared:
            unknown = sorted(set(values) - set(declared))
            if unknown:
                raise UsageError(f"query {self.name!r} has no parameter {unknown[0]!r} "
                                 f"(it takes: {', '.join(declared)})")
            missing = [p for p in self.params if p.name not in values]
            if missing:
                p = missing[0]
                example = f" (e.g. --param {p.name}={p.example})" if p.example else ""
                raise UsageError(f"query {self.name!r} needs --param {p.name}=...{example}")
        return {name: to_term(value, declared[name].type if name in declared else None, name)
                for name, value in values.items()}


def to_term(value: str, type_: str | None = None, name: str = "value") -> Any:
    """The RDF term for one parameter value, by declared type or, without one, by its look.

    >>> to_term("<https://w3id.org/luocdo/id/body/so-y-te>").value
    'https://w3id.org/luocdo/id/body/so-y-te'
    >>> str(to_term("2023"))
    '"2023"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> str(to_term('" } ; DROP ALL #'))
    '"\\\\" } ; DROP ALL #"'
    """
    from pyoxigraph import Literal, NamedNode

    def bad(expected: str) -> UsageError:
        return UsageError(f"--param {name}={value!r}: expected {expected}")

    if type_ is None:
        if (value.startswith("<") and value.endswith(">")) or re.match(r"^https?://\S+$", value):
            type_ = "iri"
        elif _INTEGER.match(value):
            type_ = "integer"
        else:
            type_ = "string"
    if type_ == "string":
        return Literal(value)
    if type_ == "iri":
        text = value[1:-1] if value.startswith("<") and value.endswith(">") else value
        try:
            return NamedNode(text)
        except ValueError:
            raise bad("an IRI") from None
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


def parse(text: str, name: str, path: str = "") -> Query:
    """Parse a query's text and ``#+`` header.

    >>> q = parse('#+ summary: All.\\n#+ columns: s\\nSELECT ?s WHERE { ?s ?p ?o }', "all")
    >>> (q.summary, q.params, q.columns)
    ('All.', (), ('s',))
    """
    summary: list[str] = []
    params: list[Param] = []
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
        elif key == "columns":
            columns = tuple(c.strip() for c in value.split(",") if c.strip())
    return Query(name=name, path=path, summary=" ".join(summary), params=tuple(params),
                 columns=columns, text=text)


def names() -> list[str]:
    """Names of the queries of the library, sorted.

    >>> "cited-by" in names()
    True
    """
    return sorted(f.name[:-3] for f in resources.files(__name__).iterdir() if f.name.endswith(".rq"))


def load(name: str) -> Query:
    """A query of the library by name (``queries/NAME.rq``), or any ``.rq`` file by path.

    >>> load("cited-by").params[0].name
    'doc_number'
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
