"""The ``luocdo`` command line: the only module that reads argv, prints, or exits.

Commands: ``extract`` (one file -> contract JSON), ``ingest`` (files and folders -> the store),
``query`` (a library query or a ``.rq`` file), ``export``, ``stats``, ``validate``. The store,
rdflib and pySHACL are imported inside the commands that use them, so that ``extract`` starts
fast and works without them.

    $ luocdo extract 171-kh-pgddt.txt | head -3
    {
      "source": "171-kh-pgddt.txt",
      "documents": [
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .errors import LuocdoError, UsageError


class _Main(click.Group):
    """The group that turns luocdo's errors into one line on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except LuocdoError as e:
            if debug:
                traceback.print_exc()
            click.echo(f"luocdo: {e}", err=True)
            ctx.exit(e.exit_code)
        except BrokenPipeError:
            # `luocdo export | head`: the reader left; nothing is wrong with the data.
            sys.stderr.close()
            ctx.exit(1)
        except KeyboardInterrupt:
            # Ctrl-C: every store write is one transaction, so there is nothing to undo.
            click.echo("luocdo: interrupted", err=True)
            ctx.exit(130)
        except Exception as e:
            if debug:
                raise
            click.echo(f"luocdo: unexpected error: {type(e).__name__}: {e} (--debug shows the traceback)",
                       err=True)
            ctx.exit(1)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store_url", default="./luocdo-data", envvar="LUOCDO_STORE", show_default=True,
              help="Where the graph lives: a directory, 'memory:' for a throw-away store, "
                   "or a SPARQL endpoint URL (http://...).")
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error.")
@click.version_option(package_name="luocdo")
@click.pass_context
def main(ctx: click.Context, store_url: str, debug: bool) -> None:
    """luocdo: a knowledge graph of Vietnamese legal and administrative documents and their tasks."""
    ctx.obj = {"store": store_url, "debug": debug}


def _open(ctx: click.Context, create: bool = False):
    from .store import open_store  # pyoxigraph is loaded only by the commands that need the store

    return open_store(ctx.obj["store"], create=create)


# -- extract -------------------------------------------------------------------------------------

#: Environment variables that set the reader's limits (docs/limits.md) -> the ``reader.Limits`` field.
LIMIT_VARIABLES = {
    "LUOCDO_MAX_FILE_BYTES": "max_file_bytes",
    "LUOCDO_MAX_TEXT_CHARS": "max_text_chars",
    "LUOCDO_MAX_DOCX_ENTRIES": "max_docx_entries",
    "LUOCDO_MAX_DOCX_BYTES": "max_docx_uncompressed",
    "LUOCDO_PDF_TIMEOUT": "pdf_timeout_s",
}


def reader_limits():
    """The reader's limits, each one overridable by its environment variable (``LIMIT_VARIABLES``)."""
    from .reader import Limits

    values: dict[str, float] = {}
    for variable, name in LIMIT_VARIABLES.items():
        raw = os.environ.get(variable, "").strip()
        if not raw:
            continue
        try:
            value = float(raw) if name == "pdf_timeout_s" else int(raw)
        except ValueError:
            raise UsageError(f"{variable}={raw!r}: expected a number") from None
        if value <= 0:
            raise UsageError(f"{variable}={raw!r}: expected a number above 0")
        values[name] = value
    return Limits(**values)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True,
              help="json: the extract contract; text: a short readable summary.")
@click.option("--text", "show_text", is_flag=True, help="Print the decoded text of the file instead.")
def extract(file: Path, fmt: str, show_text: bool) -> None:
    """Extract documents, citations, tasks and assignments from FILE (prints JSON)."""
    import unicodedata

    from .parse import extract_text
    from .reader import read_text

    text = read_text(file, reader_limits())
    if show_text:
        click.echo(text, nl=not text.endswith("\n"))
        return
    extraction = extract_text(text, unicodedata.normalize("NFC", file.name))
    if fmt == "json":
        click.echo(json.dumps(extraction.to_json(), ensure_ascii=False, indent=2))
        return
    for d in extraction.documents:
        click.echo(f"{d.key}  {d.kind}  {d.number or '-'}  {d.date or d.year or '-'}  {d.issuer or '-'}")
        if d.title:
            click.echo(f"    {d.title}")
    for c in extraction.citations:
        click.echo(f"  {c.citing} {c.relation} {c.kind} {c.number or c.title or '-'} {c.date or ''}".rstrip())
    for t in extraction.tasks:
        click.echo(f"  task {t.doc} {t.number}: {t.title}")
    for a in extraction.assignments:
        click.echo(f"  {a.role} {a.assignee}" + (f" (task {a.task})" if a.task else ""))
    for w in extraction.warnings:
        click.echo(f"luocdo: {file}: {w}", err=True)


# -- ingest --------------------------------------------------------------------------------------


def _source_files(paths: tuple[Path, ...]) -> Iterator[Path]:
    """Files named, and every file under folders named, in a stable order, each once."""
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            found = []
            for p in path.rglob("*"):
                rel = p.relative_to(path).parts
                # Hidden files (.DS_Store, .git/...) are not sources; a named file is taken as asked.
                if p.is_file() and not any(part.startswith(".") for part in rel):
                    found.append(p)
            candidates = sorted(found)
        else:
            candidates = [path]
        for p in candidates:
            key = os.path.abspath(p)
            if key not in seen:
                seen.add(key)
                yield p


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Extract in this many processes (one process writes the store).")
@click.option("--timings", is_flag=True,
              help="Say on stderr how long each stage took (shown anyway on a terminal).")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], jobs: int, timings: bool) -> None:
    """Ingest files and folders (recursively) into the store, one named graph per file.

    Re-ingesting a file replaces exactly its graph. A file that cannot be read is reported on
    stderr and skipped; the others are ingested, and the exit code is 1. Ctrl-C stops the ingest
    (exit code 130) with every file's graph whole or absent. After the last file come the stages
    that need the whole store (stub flags, which task carries down which): many minutes at 100k
    files, each told as it ends on a terminal or with --timings.
    """
    from .ingest import Ingester, extract_many

    files = list(_source_files(paths))
    limits = reader_limits()
    interactive = sys.stderr.isatty()
    interrupt = _Interrupt()
    started = time.perf_counter()

    def told(what: str, seconds: float) -> None:
        click.echo(f"luocdo: {what} ({seconds:.1f} s)", err=True)

    report = told if interactive or timings else None
    with _open(ctx, create=True) as store:
        ingester = results = None
        try:
            with interrupt:
                with interrupt.deferred():
                    ingester = Ingester(store, limits=limits, jobs=jobs)
                results = extract_many(files, jobs, limits=limits, nquads=ingester.prepares)
                bar_context = (click.progressbar(results, length=len(files), label="ingesting", file=sys.stderr,
                                                 show_pos=True, show_eta=True) if interactive else None)
                with bar_context or _plain(results) as bar:
                    for path, got in bar:
                        before = len(ingester.result.failures)
                        with interrupt.deferred():  # the file's graph and its count, or neither
                            ingester.add(path, got)
                        if not interactive:
                            for message in ingester.result.failures[before:]:
                                click.echo(f"luocdo: {message}", err=True)
                if report is not None:
                    report(f"read {_n(len(files), 'file')}", time.perf_counter() - started)
                r = ingester.finish(report)
        except KeyboardInterrupt:
            with _Interrupt(ignore=True):  # a second Ctrl-C must not cut the tidy-up short
                if results is not None:
                    results.close()  # stops the extraction workers
                done = ingester.result.files if ingester is not None else 0
                if ingester is not None:
                    store.update_derived()  # stub flags match the files stored so far (one transaction)
        else:
            done = None
    if done is not None:
        click.echo(f"luocdo: interrupted; {done} file{'s' if done != 1 else ''} ingested, "
                   "the store is consistent", err=True)
        ctx.exit(130)
    if interactive:  # with a progress bar on screen, errors wait until it is done
        for message in r.failures:
            click.echo(f"luocdo: {message}", err=True)
    failed = len(r.failures)
    click.echo(f"ingested {_n(r.files, 'file')}: {_n(r.documents, 'document')}, {_n(r.citations, 'citation')}, "
               f"{_n(r.tasks, 'task')}, {_n(r.assignments, 'assignment')}; {_n(r.derivations, 'task derivation')}"
               + (f"; {_n(r.unresolved, 'unresolved citation')} (luocdo unresolved)" if r.unresolved else "")
               + (f"; {_n(failed, 'file')} failed" if failed else ""))
    if failed:
        ctx.exit(1)


def _n(count: int, noun: str) -> str:
    """``count`` and ``noun``, in the plural unless one: ``_n(1, "file")`` is ``1 file``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


_UNSET = object()


class _Interrupt:
    """Ctrl-C during an ingest: taken at once, except while one file is being stored.

    Each file's graph is one transaction, so the store is whole whenever the signal lands; holding
    it back over :meth:`deferred` blocks also keeps the count of files ingested exact.
    """

    def __init__(self, ignore: bool = False) -> None:
        self.ignore = ignore
        self.busy = False
        self.pending = False
        self.previous: Any = _UNSET

    def __enter__(self) -> _Interrupt:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, signal.SIG_IGN if self.ignore else self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous is not _UNSET:
            signal.signal(signal.SIGINT, signal.SIG_DFL if self.previous is None else self.previous)
            self.previous = _UNSET

    def _handle(self, signum: int, frame: Any) -> None:
        if self.busy:
            self.pending = True
        else:
            raise KeyboardInterrupt

    def deferred(self) -> _Deferred:
        return _Deferred(self)


class _Deferred:
    def __init__(self, interrupt: _Interrupt):
        self.interrupt = interrupt

    def __enter__(self) -> None:
        self.interrupt.busy = True

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.interrupt.busy = False
        if self.interrupt.pending and exc_type is None:
            raise KeyboardInterrupt


class _plain:
    """A stand-in for click.progressbar when stderr is not a terminal (no bar in logs or pipes)."""

    def __init__(self, items: list[Path]):
        self.items = items

    def __enter__(self) -> list[Path]:
        return self.items

    def __exit__(self, *exc: object) -> None:
        return None


# -- query ---------------------------------------------------------------------------------------


def _term_text(term: Any, short: bool = False) -> str:
    """A result term as text: IRIs in full (or with a prefix for tables), literals by their value."""
    if term is None:
        return ""
    from pyoxigraph import NamedNode

    if isinstance(term, NamedNode):
        if short:
            from .store import PREFIXES

            for prefix, ns in PREFIXES.items():
                if term.value.startswith(ns) and len(term.value) > len(ns):
                    return f"{prefix}:{term.value[len(ns):]}"
        return term.value
    return getattr(term, "value", str(term))


def _term_json(term: Any) -> Any:
    if term is None:
        return None
    datatype = getattr(getattr(term, "datatype", None), "value", "")
    if datatype == "http://www.w3.org/2001/XMLSchema#integer":
        return int(term.value)
    if datatype == "http://www.w3.org/2001/XMLSchema#boolean":
        return term.value == "true"
    return _term_text(term)


@main.command()
@click.argument("query_name", metavar="FILE.rq|NAME")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable). Values are bound as RDF terms, never pasted.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.pass_context
def query(ctx: click.Context, query_name: str, params: tuple[str, ...], fmt: str) -> None:
    """Run a query of the library (NAME, e.g. documents-by-issuer) or a .rq file over the store."""
    from ..queries import load

    q = load(query_name)
    values: dict[str, str] = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {p!r}: expected NAME=VALUE")
        values[name.strip()] = value
    from .params import run

    q.check(values)  # a usage error is told before the store is opened
    with _open(ctx) as store:
        # Friendly values (doc=2457/QĐ-BGDĐT, body=UBND tỉnh Sơn La) are looked up in the store by
        # the type the query's header declares; the caller knows them, so their columns are dropped.
        result = run(store, q, values)
    columns = list(result.columns)
    rows = [list(row) for row in result.rows]
    if fmt == "json":
        click.echo(json.dumps([{c: _term_json(v) for c, v in zip(columns, row, strict=True)} for row in rows],
                              ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_term_text(v) for v in row] for row in rows])
        click.echo(out.getvalue(), nl=False)
    else:
        _table(columns, [[_term_text(v, short=True) for v in row] for row in rows])


def _table(columns: list[str], rows: list[list[str]], max_width: int = 60) -> None:
    cells = [[c.replace("\n", " ") for c in row] for row in rows]
    cells = [[c if len(c) <= max_width else c[:max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(col), *(len(r[i]) for r in cells)]) for i, col in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", err=True)


# -- export, stats, validate ------------------------------------------------------------------------


@main.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld"]), default="ttl",
              show_default=True,
              help="ttl and nt hold the union graph; nq, trig and jsonld keep the named graphs.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
@click.option("--with-ontology", is_flag=True,
              help="Include the packaged ontology: one file for Protégé or another triple store.")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None, with_ontology: bool) -> None:
    """Export the store as RDF (with --with-ontology, the ontology and the data in one file)."""
    with _open(ctx) as store:
        data = store.export(fmt, output, with_ontology=with_ontology)
    if data is not None:
        with click.open_file("-", "wb") as stdout:  # "-" is stdout, opened in binary mode
            stdout.write(data)
            stdout.flush()


@main.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Count what the store holds: quads, graphs, documents (ingested and stubs), citations, ..."""
    with _open(ctx) as store:
        counts = store.stats()
    for key in ("quads", "graphs", "files", "documents", "ingested", "stubs", "citations", "tasks",
                "assignments", "bodies"):
        click.echo(f"{key}: {counts[key]}")


@main.command()
@click.pass_context
def validate(ctx: click.Context) -> None:
    """Check the store against the SHACL shapes; exit 1 if there is any violation."""
    with _open(ctx) as store:
        findings = store.validate()
    for f in findings:
        where = f"{f.focus} {f.path}" if f.path else f.focus
        click.echo(f"{f.severity}: {where}: {f.message}")
    violations = sum(f.severity == "Violation" for f in findings)
    others = len(findings) - violations
    if findings:
        click.echo(f"{violations} violation{'s' if violations != 1 else ''}, {others} other finding"
                   f"{'s' if others != 1 else ''}", err=True)
    else:
        click.echo("the store conforms to the shapes", err=True)
    if violations:
        ctx.exit(1)


# -- feature commands: each lives in its own kg/cli_*.py and registers itself here ----------------
from .cli_identity import register as _r_identity  # noqa: E402
from .cli_queries import register as _r_queries  # noqa: E402
from .cli_serve import register as _r_serve  # noqa: E402
from .cli_trace import register as _r_trace  # noqa: E402
from .cli_view import register as _r_view  # noqa: E402

for _register in (_r_trace, _r_identity, _r_queries, _r_serve, _r_view):
    _register(main)
from .cli_rebuild import register as _r_rebuild; _r_rebuild(main)  # noqa: E402, E702, I001

if __name__ == "__main__":  # pragma: no cover
    main()
