"""``luocdo queries``: the query library, each query with its summary and parameters.

    $ luocdo queries
    cited-by  What cites, implements or is based on a document, transitively ...
        --param doc=2457/QĐ-BGDĐT  (doc)
    ...
    $ luocdo queries cited-by      # the full text, to copy into a SPARQL editor
"""

from __future__ import annotations

import json
import textwrap

import click


def _params_line(q) -> str:
    parts = []
    for p in q.params:
        example = p.example if p.example is not None else "..."
        optional = ", optional" if p.name in q.optional else ""
        parts.append(f"--param {p.name}={example}  ({p.type}{optional})")
    return "; ".join(parts)


@click.command("queries")
@click.argument("name", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def queries_command(name: str | None, fmt: str) -> None:
    """List the query library (NAME: show that query's header and SPARQL text)."""
    from ..queries import load, names

    chosen = [load(name)] if name else [load(n) for n in names()]
    if fmt == "json":
        click.echo(json.dumps([{"name": q.name, "summary": q.summary, "columns": list(q.columns),
                                "params": [{"name": p.name, "type": p.type, "example": p.example,
                                            "optional": p.name in q.optional} for p in q.params],
                                **({"text": q.text} if name else {})} for q in chosen],
                              ensure_ascii=False, indent=2))
        return
    if name:
        click.echo(chosen[0].text, nl=not chosen[0].text.endswith("\n"))
        return
    width = max(len(q.name) for q in chosen)
    for q in chosen:
        summary = textwrap.shorten(q.summary, 100 - width, placeholder=" …")
        click.echo(f"{q.name.ljust(width)}  {summary}")
        if q.params:
            click.echo(f"{'':{width}}    {_params_line(q)}")
    click.echo(f"({len(chosen)} queries; run one with: luocdo query NAME --param ...)", err=True)


def register(main: click.Group) -> None:
    """Add ``luocdo queries`` to the command group."""
    main.add_command(queries_command)
