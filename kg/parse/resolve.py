"""The resolver handed to the parser: what a body mention or a number's code means in context.

Extraction never looks anything up itself; it asks a resolver, so that a test can pass a dict-like
stand-in. :func:`default_resolver` wraps the body registry (``kg/bodies.py``).

>>> r = default_resolver()
>>> r.canonical("UBND tỉnh", Context(province="Sơn La", province_type="tỉnh"))
'Ủy ban nhân dân tỉnh Sơn La'
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

from ..bodies import Context, registry

__all__ = ["Context", "Resolver", "default_resolver"]


class Resolver(Protocol):
    """What the parser needs to know about bodies."""

    def canonical(self, mention: str, ctx: Context | None = None) -> str | None: ...

    def issuer_for_code(self, code: str, ctx: Context | None = None) -> str | None: ...

    def unnamed_tier(self, text: str) -> int | None: ...

    def find_province(self, text: str, date: str | None = None) -> str | None: ...

    def province_type(self, name: str, date: str | None = None) -> str | None: ...


@cache
def default_resolver() -> Resolver:
    """The registry-backed resolver (cached: the registry is loaded once per process)."""
    return registry()
