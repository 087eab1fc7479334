"""Vocabularies read from data files: document kinds, their Vietnamese names and number codes.

>>> kind_for_code("KH"), kind_for_name("Quyết định"), label_for_kind("Plan")
('Plan', 'Decision', 'Kế hoạch')
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def _kinds() -> list[dict]:
    data = json.loads(resources.files("luocdo.kg.data").joinpath("kinds.json").read_text(encoding="utf-8"))
    return data["kinds"]


@cache
def kind_codes() -> dict[str, str]:
    """Number code -> kind (``QĐ`` -> ``Decision``); upper-cased keys too."""
    out: dict[str, str] = {}
    for k in _kinds():
        for c in k["codes"]:
            out[c] = k["kind"]
            out[c.upper()] = k["kind"]
    return out


@cache
def kind_names() -> list[tuple[str, str]]:
    """(Vietnamese name, kind), longest name first so "Thông tư liên tịch" wins over "Thông tư"."""
    pairs = [(n, k["kind"]) for k in _kinds() for n in k["names"]]
    return sorted(pairs, key=lambda p: -len(p[0]))


@cache
def kind_abbreviations() -> list[tuple[str, str]]:
    """(abbreviation, kind): "QĐ" stands for Quyết định in "QĐ số 2457/QĐ-BGDĐT"."""
    return sorted(((a, k["kind"]) for k in _kinds() for a in k.get("abbreviations", [])), key=lambda p: -len(p[0]))


def kind_for_code(code: str | None) -> str | None:
    """The kind a number's code names, if any."""
    if not code:
        return None
    return kind_codes().get(code) or kind_codes().get(code.upper())


def kind_for_name(name: str) -> str | None:
    """The kind a Vietnamese name (any case) introduces: ``KẾ HOẠCH`` -> ``Plan``."""
    low = name.strip().lower()
    for n, k in kind_names():
        if low == n.lower():
            return k
    return None


@cache
def label_for_kind(kind: str) -> str:
    """Vietnamese label of a kind (``Plan`` -> ``Kế hoạch``)."""
    for k in _kinds():
        if k["kind"] == kind:
            return k["label"]
    return "Văn bản"


def kind_examples() -> list[tuple[str, str]]:
    """(example phrase, kind) pairs from the data file, for tests."""
    return [(e, k["kind"]) for k in _kinds() for e in k["examples"]]
