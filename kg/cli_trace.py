"""``luocdo trace``, ``luocdo delegation`` and ``luocdo coverage``: where a task came from.

    $ luocdo trace 171/KH-PGDĐT 7
    Task 7 of Plan 171/KH-PGDĐT of Phòng Giáo dục và Đào tạo huyện Gia Lộc (2023-09-14)
      "Đẩy mạnh chuyển đổi số, cải cách hành chính trong toàn ngành"
      ↑ carries down task 8 of ... (score 0.77)
"""

from __future__ import annotations

import json

import click

from .cli_common import nfc, open_store


def _resolve(store, doc: str, task: str | None, issuer: str | None, year: int | None) -> str:
    from .lookup import resolve_task

    return resolve_task(store, nfc(doc), nfc(task), nfc(issuer), year)


def _doc_line(d) -> str:
    return d.short() + (" — text not ingested" if d.stub else "")


def _print_trace(t) -> None:
    click.echo(f"Task {t.task.number} of {_doc_line(t.task.document)}")
    click.echo(f"  “{t.task.title}”")
    if not t.chain:
        click.echo("  no higher origin: no task of a higher-level document matches it")
        return
    for step in t.chain:
        for v in step.via:
            click.echo(f"  ↑ via {v.number or v.label} of {v.issuer or 'unknown issuer'}, text not ingested")
        score = f" (score {step.score:.2f})" if step.score is not None else ""
        click.echo(f"  ↑ carries down task {step.number} of {_doc_line(step.document)}{score}")
        click.echo(f"    “{step.title}”")
        if step.evidence:
            click.echo(f"    evidence: {step.evidence}")
    if t.cycle:
        click.echo(f"  ! derivation cycle, not followed further: {' -> '.join(t.cycle)}")
    click.echo(f"origin: task {t.origin.number} of {_doc_line(t.origin.document)}")


def _print_delegation(levels) -> None:
    click.echo("delegation, from the top origin down:")
    for lv in levels:
        where = f", task {lv.task}" if lv.task else (" (text not ingested)" if lv.document.stub else "")
        click.echo(f"  {lv.issuer or 'issuer not stated'} — {lv.document.short()}{where}")
        for role, body, _ev in lv.assigned:
            click.echo(f"      {role:<11} {body}")


@click.command()
@click.argument("doc")
@click.argument("task", required=False)
@click.option("--issuer", help="The issuing body, when several documents share the number.")
@click.option("--year", type=int, help="The year, when several documents share the number.")
@click.option("--delegation", "with_delegation", is_flag=True, help="Also show who was assigned at each level.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def trace(ctx: click.Context, doc: str, task: str | None, issuer: str | None, year: int | None,
          with_delegation: bool, fmt: str) -> None:
    """Trace a task up to its origin: DOC is a document number (or a task IRI), TASK its task number."""
    from . import trace as tr

    with open_store(ctx) as store:
        t = tr.trace_task(store, _resolve(store, doc, task, issuer, year))
        levels = tr.delegation(store, t) if with_delegation else None
    if fmt == "json":
        out = t.to_json()
        if levels is not None:
            out["delegation"] = [{"document": lv.document.to_json(), "task": lv.task, "issuer": lv.issuer,
                                  "assigned": [{"role": r, "body": b, "evidence": e} for r, b, e in lv.assigned]}
                                 for lv in levels]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    _print_trace(t)
    if levels is not None:
        _print_delegation(levels)


@click.command()
@click.argument("doc")
@click.argument("task", required=False)
@click.option("--issuer")
@click.option("--year", type=int)
@click.pass_context
def delegation(ctx: click.Context, doc: str, task: str | None, issuer: str | None, year: int | None) -> None:
    """Who was assigned the task at each level of its chain, and in which role."""
    from . import trace as tr

    with open_store(ctx) as store:
        levels = tr.delegation(store, tr.trace_task(store, _resolve(store, doc, task, issuer, year)))
    _print_delegation(levels)


@click.command()
@click.argument("doc")
@click.option("--issuer")
@click.option("--year", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def coverage(ctx: click.Context, doc: str, issuer: str | None, year: int | None, fmt: str) -> None:
    """Against the plan(s) it carries down: which tasks DOC keeps, drops and adds."""
    from . import trace as tr
    from .lookup import resolve_document

    with open_store(ctx) as store:
        d = resolve_document(store, nfc(doc), nfc(issuer), year)
        cov = tr.coverage(store, d.iri)
    if fmt == "json":
        click.echo(json.dumps({
            "document": cov.document.to_json(), "parents": [p.to_json() for p in cov.parents],
            "kept": [{"parent_task": a, "parent_title": b, "task": c, "title": e, "score": s}
                     for a, b, c, e, s in cov.kept],
            "dropped": [{"parent": a, "task": b, "title": c} for a, b, c in cov.dropped],
            "added": [{"task": a, "title": b} for a, b in cov.added]}, ensure_ascii=False, indent=2))
        return
    click.echo(f"coverage of {_doc_line(cov.document)}")
    if not cov.parents:
        click.echo("  no higher-level plan with tasks is in the store for it")
        return
    click.echo("  against " + "; ".join(_doc_line(p) for p in cov.parents))
    click.echo(f"  keeps {len(cov.kept)}:")
    for p_no, p_title, no, title, s in cov.kept:
        click.echo(f"    {p_no} “{p_title}” -> {no} “{title}” ({s:.2f})")
    click.echo(f"  drops {len(cov.dropped)}:")
    for parent, p_no, p_title in cov.dropped:
        click.echo(f"    {p_no} “{p_title}” (of {parent})")
    click.echo(f"  adds {len(cov.added)}:")
    for no, title in cov.added:
        click.echo(f"    {no} “{title}”")


def register(main: click.Group) -> None:
    """Add the tracing commands to the ``luocdo`` group."""
    for cmd in (trace, delegation, coverage):
        main.add_command(cmd)
