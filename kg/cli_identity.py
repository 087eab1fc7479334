"""``luocdo show``, ``luocdo bodies`` and ``luocdo unresolved``: identities in the store.

    $ luocdo show 2457/QĐ-BGDĐT
    Decision 2457/QĐ-BGDĐT of Bộ Giáo dục và Đào tạo (2023-08-23) — text not ingested
"""

from __future__ import annotations

import json

import click

from .cli_common import nfc, open_store

_P = """PREFIX lo: <https://w3id.org/luocdo/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
_CITES_Q = _P + """
SELECT ?doc ?rel ?other ?evidence WHERE {
  ?c a lo:Citation ; lo:citing ?doc ; lo:cited ?other ; lo:relation ?rel .
  OPTIONAL { ?c lo:evidence ?evidence }
}"""
_CITED_BY_Q = _P + """
SELECT ?doc ?rel ?other ?evidence WHERE {
  ?c a lo:Citation ; lo:cited ?doc ; lo:citing ?other ; lo:relation ?rel .
  OPTIONAL { ?c lo:evidence ?evidence }
}"""
_UNRESOLVED_Q = _P + """
SELECT ?c ?citing ?cited ?evidence ?src ?candidate WHERE {
  ?c a lo:Citation ; lo:resolved false ; lo:citing ?citing ; lo:cited ?cited ; lo:candidate ?candidate .
  OPTIONAL { ?c lo:evidence ?evidence }
  OPTIONAL { ?c lo:sourceFile ?src }
}"""


def _rel(term) -> str:
    return term.value.rsplit("#", 1)[-1]


@click.command()
@click.argument("doc")
@click.option("--issuer", help="The issuing body, when several documents share the number.")
@click.option("--year", type=int, help="The year, when several documents share the number.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def show(ctx: click.Context, doc: str, issuer: str | None, year: int | None, fmt: str) -> None:
    """A document: its metadata, what it cites, what cites it, its tasks."""
    import pyoxigraph as ox

    from .lookup import document_info, resolve_document, tasks_of

    with open_store(ctx) as store:
        d = resolve_document(store, nfc(doc), nfc(issuer), year)
        node = ox.NamedNode(d.iri)
        cites = [(_rel(r[1]), document_info(store, r[2].value), r[3].value if r[3] else None)
                 for r in store.query(_CITES_Q, {"doc": node}).rows]
        cited_by = [(_rel(r[1]), document_info(store, r[2].value), r[3].value if r[3] else None)
                    for r in store.query(_CITED_BY_Q, {"doc": node}).rows]
        tasks = tasks_of(store, d.iri)
    if fmt == "json":
        click.echo(json.dumps({
            "document": {**d.to_json(), "title": d.title, "year": d.year},
            "cites": [{"relation": r, "document": o.to_json(), "evidence": e} for r, o, e in cites],
            "cited_by": [{"relation": r, "document": o.to_json(), "evidence": e} for r, o, e in cited_by],
            "tasks": [{"iri": i, "number": n, "title": t} for i, n, t in tasks]}, ensure_ascii=False, indent=2))
        return
    click.echo(d.short() + (" — text not ingested" if d.stub else ""))
    if d.title:
        click.echo(f"  title: {d.title}")
    click.echo(f"  iri:   {d.iri}")
    click.echo(f"cites ({len(cites)}):")
    for r, o, _e in sorted(cites, key=lambda x: (x[0], x[1].iri)):
        click.echo(f"  {r:<11} {o.short()}{' (stub)' if o.stub else ''}")
    click.echo(f"cited by ({len(cited_by)}):")
    for r, o, _e in sorted(cited_by, key=lambda x: (x[0], x[1].iri)):
        click.echo(f"  {r:<11} {o.short()}")
    click.echo(f"tasks ({len(tasks)}):")
    for _i, n, t in tasks:
        click.echo(f"  {n:<6} {t or ''}")


@click.command()
@click.argument("words", nargs=-1)
@click.option("--limit", type=int, default=30, show_default=True)
@click.pass_context
def bodies(ctx: click.Context, words: tuple[str, ...], limit: int) -> None:
    """Search bodies in the registry and the graph (accents and case ignored): `luocdo bodies so gddt son la`."""
    from .bodies import registry
    from .lookup import find_bodies

    q = nfc(" ".join(words)) or ""
    reg = registry()
    found: dict[str, str] = {}
    for name in reg.search(q, limit=limit) if q else []:
        found.setdefault(name, "registry")
    try:
        with open_store(ctx) as store:
            for _iri, label in find_bodies(store, q):
                found[label] = "graph" if found.get(label) is None else "registry, graph"
    except Exception as e:  # no store yet: the registry alone still answers
        from .errors import StoreError

        if not isinstance(e, StoreError):
            raise
    if not found:
        click.echo(f"no body matches {q!r}")
        return
    for name, where in list(found.items())[:limit]:
        level = reg.level(name) or "-"
        click.echo(f"{name}  [{level}; {where}]")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def unresolved(ctx: click.Context, fmt: str) -> None:
    """Citations that could not be pinned to one document, with the candidates."""
    from .lookup import document_info

    with open_store(ctx) as store:
        groups: dict[str, dict] = {}
        for c, citing, cited, evidence, src, cand in store.query(_UNRESOLVED_Q).rows:
            g = groups.setdefault(c.value, {"citing": document_info(store, citing.value),
                                            "cited": document_info(store, cited.value),
                                            "evidence": evidence.value if evidence else None,
                                            "source": src.value if src else None, "candidates": []})
            g["candidates"].append(document_info(store, cand.value))
    if fmt == "json":
        click.echo(json.dumps([{"citation": k, "citing": g["citing"].to_json(), "cited": g["cited"].to_json(),
                                "evidence": g["evidence"], "source": g["source"],
                                "candidates": [c.to_json() for c in g["candidates"]]}
                               for k, g in groups.items()], ensure_ascii=False, indent=2))
        return
    if not groups:
        click.echo("every citation names one document")
        return
    for g in groups.values():
        click.echo(f"{g['source'] or g['citing'].short()}: “{g['evidence']}” fits {len(g['candidates'])} documents:")
        for cand in g["candidates"]:
            click.echo(f"    {cand.short()}")


def register(main: click.Group) -> None:
    """Add the identity commands to the ``luocdo`` group."""
    for cmd in (show, bodies, unresolved):
        main.add_command(cmd)
