"""What every command module of the CLI shares (kg/cli.py and kg/cli_*.py)."""

from __future__ import annotations

import unicodedata

import click


def open_store(ctx: click.Context, create: bool = False):
    """The store named by ``--store`` (pyoxigraph is imported only by commands that need it)."""
    from .store import open_store as _open_store

    return _open_store(ctx.find_root().obj["store"], create=create)


def nfc(value: str | None) -> str | None:
    """CLI parameters arrive in whatever form the terminal typed: NFC them at the boundary."""
    return None if value is None else unicodedata.normalize("NFC", value)
