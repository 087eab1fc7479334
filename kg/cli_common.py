"""What every command module of the CLI shares (kg/cli.py and kg/cli_*.py)."""

from __future__ import annotations

import unicodedata

import click


def open_store(ctx: click.Context, create: bool = False):
    """The store named by ``--store`` (pyoxigraph is imported only by commands that need it)."""
    from .store import open_store as _open_store

    return _open_store(ctx.find_root().obj["store"], create=create)


# Invisible characters a copy from a PDF or a web page brings along ("100/KH-\u00adPGDĐT").
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def nfc(value: str | None) -> str | None:
    """CLI parameters arrive in whatever form the terminal typed: NFC, invisible characters dropped.

    >>> nfc("171/KH-\u00adPGDĐT") == "171/KH-PGDĐT"
    True
    """
    return None if value is None else unicodedata.normalize("NFC", value.translate(_INVISIBLE))
