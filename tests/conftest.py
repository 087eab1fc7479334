"""Shared fixtures: where things are, small factories for model objects, a store per test.

The suite runs in importlib mode (setup.cfg), where a conftest cannot be imported by name, so the
model factories reach tests as the session fixture ``make`` (``make.doc(...)``, ``make.cite(...)``).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from luocdo.kg.model import Assignment, Citation, Document, Initiative, Signer, Task

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The shared folder beside the repository (contracts, seeds); tests may read it.
SHARED = REPO_ROOT.parent / "shared"
SEEDS = SHARED / "seeds"


def luocdo_executable() -> str:
    """The installed console script: next to the running interpreter, else on the PATH."""
    beside = Path(sys.executable).with_name("luocdo")
    if beside.exists():
        return str(beside)
    found = shutil.which("luocdo")
    if found is None:
        raise RuntimeError("the luocdo console script is not installed (pip install -e .)")
    return found


@pytest.fixture
def luocdo_bin() -> str:
    return luocdo_executable()


@pytest.fixture
def clean_env() -> dict[str, str]:
    """The environment for subprocesses, without a store setting leaking in from the caller."""
    env = dict(os.environ)
    env.pop("LUOCDO_STORE", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture
def memory_store():
    from luocdo.kg.store import open_store

    store = open_store("memory:")
    yield store
    store.close()


# -- factories: every field has a plain default, a test names only what it is about -------------


def doc(key: str = "d1", kind: str = "Plan", number: str | None = "171/KH-PGDĐT", *,
        title: str | None = None, issuer: str | None = "Phòng Giáo dục và Đào tạo huyện Gia Lộc",
        date: str | None = "2023-09-14", year: int | None = 2023, place: str | None = None,
        signer: Signer | None = None, jurisdiction: str | None = None, span: tuple[int, int] = (0, 100),
        recipients: tuple[str, ...] = (), school_year: str | None = None,
        promulgated_by: str | None = None) -> Document:
    return Document(key, kind, number, title, issuer, date, year, place, signer, jurisdiction, span,
                    recipients=recipients, school_year=school_year, promulgated_by=promulgated_by)


def cite(citing: str = "d1", kind: str = "Decision", number: str | None = "2457/QĐ-BGDĐT", *,
         title: str | None = None, issuer: str | None = "Bộ Giáo dục và Đào tạo",
         date: str | None = "2023-08-23", year: int | None = 2023, relation: str = "implements",
         text: str = "Quyết định số 2457/QĐ-BGDĐT", span: tuple[int, int] = (10, 37)) -> Citation:
    return Citation(citing, kind, number, title, issuer, date, year, relation, text, span)


def task(number: str, title: str = "Nhiệm vụ", *, doc: str = "d1", parent: str | None = None,
         span: tuple[int, int] = (40, 60), body: str = "") -> Task:
    return Task(doc, number, title, parent, span, body)


def assign(assignee: str = "Sở Y tế", role: str = "lead", *, doc: str = "d1", task: str | None = None,
           text: str = "Sở Y tế chủ trì", span: tuple[int, int] = (70, 85)) -> Assignment:
    return Assignment(doc, task, assignee, role, text, span)


def initiative(title: str = "Xây dựng văn hóa ứng xử trong trường học", *, doc: str = "d1",
               kind: str = "Scheme", span: tuple[int, int] = (0, 0)) -> Initiative:
    return Initiative(doc, kind, title, span)


@pytest.fixture(scope="session")
def make() -> SimpleNamespace:
    """The model factories (session-scoped: they are pure, and hypothesis tests may use them)."""
    return SimpleNamespace(doc=doc, cite=cite, task=task, assign=assign, initiative=initiative)


@pytest.fixture(scope="session")
def seeds() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


def _generate(out: Path, size: int, seed: int = 1) -> list[Path]:
    import importlib.util

    path = REPO_ROOT / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("luocdo_benchmarks_generate", path)
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen  # dataclasses look their module up while the class is built
    spec.loader.exec_module(gen)
    gen.generate(size, out, seed, force=True)
    return sorted(out.rglob("*.txt"))


@pytest.fixture(scope="session")
def generated():
    """``generated(folder, size, seed=1)``: a benchmark corpus of ``size`` files written into
    ``folder`` by benchmarks/generate.py, and its files in order."""
    return _generate
