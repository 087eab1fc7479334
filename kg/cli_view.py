"""``luocdo view``: write HTML views of the graph, one self-contained page each (opens offline).

    $ luocdo view doc 171/KH-PGDĐT -o 171.html
    171.html

Subcommands: ``doc`` (a document's relation map), ``trace`` (a task's origin tree), ``body``
(what a body issued, is assigned and passes on), ``corpus`` (an overview of the whole store).
Each prints the path it wrote. The graphs come from :mod:`luocdo.viz.graphs`, the pages from
:mod:`luocdo.viz.render`; both are imported inside the commands, so the CLI starts fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import nfc, open_store

_OUTPUT = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                       help="The HTML file to write (atomically; its folder must exist).")
_ISSUER = click.option("--issuer", help="The issuing body, when the number names several documents.")
_YEAR = click.option("--year", type=int, help="The year of issue, when the number names several documents.")


@click.group("view")
def view() -> None:
    """Write an HTML view of the graph (one page, no network needed to open it)."""


def _write(graph, output: Path) -> None:
    from ..viz.render import write_view

    click.echo(str(write_view(graph, output)))


@view.command("doc")
@click.argument("doc")
@_OUTPUT
@click.option("--depth", type=click.IntRange(1, 6), default=2, show_default=True,
              help="How many steps to follow on each side.")
@_ISSUER
@_YEAR
@click.pass_context
def view_doc(ctx: click.Context, doc: str, output: Path, depth: int, issuer: str | None, year: int | None) -> None:
    """The relation map (lược đồ) of DOC, a number (171/KH-PGDĐT) or an IRI."""
    from ..viz.graphs import document_graph
    from .lookup import resolve_document

    with open_store(ctx) as store:
        info = resolve_document(store, nfc(doc), nfc(issuer), year)
        graph = document_graph(store, info.iri, depth=depth)
    _write(graph, output)


@view.command("trace")
@click.argument("doc")
@click.argument("task")
@_OUTPUT
@_ISSUER
@_YEAR
@click.pass_context
def view_trace(ctx: click.Context, doc: str, task: str, output: Path, issuer: str | None, year: int | None) -> None:
    """The origin tree of task TASK (its number, e.g. 6) of document DOC."""
    from ..viz.graphs import trace_graph
    from .lookup import resolve_task

    with open_store(ctx) as store:
        task_iri = resolve_task(store, nfc(doc), nfc(task), nfc(issuer), year)
        graph = trace_graph(store, task_iri)
    _write(graph, output)


@view.command("body")
@click.argument("body")
@_OUTPUT
@click.pass_context
def view_body(ctx: click.Context, body: str, output: Path) -> None:
    """What BODY (a name in any spelling, or an IRI) issued, is assigned, and passes on."""
    from ..viz.graphs import body_graph
    from .lookup import resolve_body

    with open_store(ctx) as store:
        body_iri = resolve_body(store, nfc(body))
        graph = body_graph(store, body_iri)
    _write(graph, output)


@view.command("corpus")
@_OUTPUT
@click.option("--max-nodes", type=click.IntRange(10, None), default=1500, show_default=True,
              help="Above this many documents the overview clusters them (by issuer, then by province).")
@click.pass_context
def view_corpus(ctx: click.Context, output: Path, max_nodes: int) -> None:
    """An overview of everything ingested: documents by tier and issuer, and their citations."""
    from ..viz.graphs import corpus_graph

    with open_store(ctx) as store:
        graph = corpus_graph(store, max_nodes=max_nodes)
    _write(graph, output)


def register(main: click.Group) -> None:
    """Add the ``view`` group to the ``luocdo`` command (called once, from the bottom of kg/cli.py).

    >>> group = click.Group("luocdo"); register(group); sorted(group.commands)
    ['view']
    """
    main.add_command(view)
