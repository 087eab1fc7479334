"""``luocdo rebuild``: recreate the store from the source files it records (``lo:sourceFile``).

    $ luocdo rebuild
    luocdo: corpus/old-plan.txt: missing from disk, left out of the rebuilt store
    rebuilt ./luocdo-data from 59 of 60 files: 59 documents, 118 citations, ...

The new store is built in a folder beside the old one (``.NAME.rebuild-PID``) while the old one
stays open and locked, so no other process writes to it meanwhile; then the two folders are
swapped (one ``renameat2(RENAME_EXCHANGE)`` where Linux has it, else two renames) and the old store
is deleted. Until the swap the old store is untouched: an error or Ctrl-C leaves it as it was.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import click

from .cli_common import open_store

_SOURCES_Q = """SELECT DISTINCT ?g ?src WHERE {
  GRAPH ?g { ?s <https://w3id.org/luocdo/ontology#sourceFile> ?src }
}"""


def _directory(url: str) -> Path:
    """The folder of an on-disk store URL (what ``Store.open`` opens)."""
    from .errors import UsageError

    if url == "memory:" or url.startswith(("http://", "https://")):
        raise UsageError(f"rebuild needs a store directory, not {url!r}")
    return Path(url[len("file:"):] if url.startswith("file:") else url).expanduser().absolute()


def recorded_sources(store) -> list[str]:
    """The source files the store's per-file graphs record, sorted."""
    from . import iri

    found = {src.value for g, src in store.query(_SOURCES_Q).rows if g.value.startswith(iri.SOURCE_PREFIX)}
    return sorted(found)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directory entries in one step (Linux ``renameat2``); ``False`` where that is not offered."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(new: Path, target: Path) -> Path:
    """Put ``new`` where ``target`` is; returns where the old ``target`` now is (to be deleted)."""
    if _exchange(new, target):
        return new
    aside = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(aside, target)
        raise
    return aside


@click.command()
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Extract in this many processes (one process writes the store).")
@click.pass_context
def rebuild(ctx: click.Context, jobs: int) -> None:
    """Recreate the store from the source files it records, and swap it in.

    Every file is read again from where it was ingested (a relative path from the current
    folder). A file missing from disk is reported and left out; the exit code is then 1.
    """
    from .cli import reader_limits
    from .errors import StoreError
    from .ingest import Ingester, extract_many, on_disk
    from .store import Store

    url = ctx.find_root().obj["store"]
    target = _directory(url)
    limits = reader_limits()
    with open_store(ctx) as old:  # held, and so locked, until the new store is in place
        sources = recorded_sources(old)
        on_file: dict[str, str] = {}
        missing = []
        for src in sources:
            found = on_disk(src)
            if found is None:
                missing.append(src)
            else:
                on_file[found] = src
        for src in missing:
            click.echo(f"luocdo: {src}: missing from disk, left out of the rebuilt store", err=True)
        building = target.with_name(f".{target.name}.rebuild-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        try:
            with Store.open(building) as new:
                ingester = Ingester(new, limits=limits, jobs=jobs)
                for path, got in extract_many(list(on_file), jobs, limits=limits, nquads=ingester.prepares):
                    before = len(ingester.result.failures)
                    ingester.add(on_file[path], got)  # recorded as before: same graph, same lo:sourceFile
                    for message in ingester.result.failures[before:]:
                        click.echo(f"luocdo: {message}", err=True)
                r = ingester.finish()
            old.close(keep_lock=True)  # RocksDB writes by path: closed before its folder moves
            try:
                previous = _swap_in(building, target)
            except OSError as e:
                raise StoreError(f"cannot put the rebuilt store in place of {url!r}: {e.strerror or e}") from None
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
    shutil.rmtree(previous, ignore_errors=True)  # the old store, once its lock is given back
    failed = len(r.failures) + len(missing)
    click.echo(f"rebuilt {url} from {r.files} of {len(sources)} files: {r.documents} documents, "
               f"{r.citations} citations, {r.tasks} tasks, {r.assignments} assignments; "
               f"{r.derivations} task derivations"
               + (f"; {len(missing)} missing" if missing else "")
               + (f"; {len(r.failures)} failed" if r.failures else ""))
    if failed:
        ctx.exit(1)


def register(main: click.Group) -> None:
    """Add ``rebuild`` to the ``luocdo`` group (called once, from the bottom of kg/cli.py).

    >>> group = click.Group("luocdo"); register(group); sorted(group.commands)
    ['rebuild']
    """
    main.add_command(rebuild)
