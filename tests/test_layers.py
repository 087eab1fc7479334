"""The one-way flow of STYLE.md, read from the source with ``ast``.

model (stdlib only) <- parsing <- identity <- triples <- store <- queries <- viz <- CLI. Only the
CLI imports click, prints or exits; nothing below it imports the CLI.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Source folder -> the package name it installs as.
PACKAGES = {"kg": "luocdo.kg", "ontology": "luocdo.ontology", "queries": "luocdo.queries",
            "viz": "luocdo.viz"}


def modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    parts[0] = PACKAGES[parts[0]]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
    return found


def calls(path: Path, names: set[str]) -> list[int]:
    """Lines where a function named in ``names`` (``print``, ``sys.exit``, ...) is called."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                name = f.id
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                name = f"{f.value.id}.{f.attr}"
            else:
                name = ""
            if name in names:
                lines.append(node.lineno)
    return lines


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_model_imports_only_the_standard_library():
    path = ROOT / "kg" / "model.py"
    outside = {name for name in imports(path)
               if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "__future__"}
    assert not outside, outside


def test_identity_imports_only_the_standard_library_and_errors():
    path = ROOT / "kg" / "iri.py"
    outside = {name for name in imports(path) if name.split(".")[0] not in sys.stdlib_module_names
               and name.split(".")[0] != "__future__" and not name.startswith("luocdo.kg.errors")}
    assert not outside, outside


def _is_cli(path: Path) -> bool:
    """The CLI is kg/cli.py plus its command modules kg/cli_*.py (one per feature)."""
    return path.parent == ROOT / "kg" and (path.name == "cli.py" or path.name.startswith("cli_"))


@pytest.mark.parametrize("path", [p for p in modules("kg") if not _is_cli(p)], ids=rel)
def test_only_the_cli_imports_click_prints_or_exits(path):
    assert not {n for n in imports(path) if n.split(".")[0] == "click"}, f"{rel(path)} imports click"
    assert not calls(path, {"print", "exit", "quit", "sys.exit", "os._exit"}), f"{rel(path)} prints or exits"


@pytest.mark.parametrize("path", [*modules("kg"), *modules("queries"), *modules("viz"), *modules("ontology")],
                         ids=rel)
def test_nothing_imports_the_cli(path):
    if _is_cli(path):
        return
    assert not {n for n in imports(path) if n.startswith("luocdo.kg.cli")}, rel(path)


@pytest.mark.parametrize("path", [*modules("kg/parse"), ROOT / "kg" / "model.py", ROOT / "kg" / "reader.py"],
                         ids=rel)
def test_parsing_does_not_reach_up_to_triples_or_the_store(path):
    upward = {n for n in imports(path) if n.startswith(("luocdo.kg.triples", "luocdo.kg.store"))}
    assert not upward, f"{rel(path)} imports {upward}"


@pytest.mark.parametrize("path", [ROOT / "kg" / "triples.py", ROOT / "kg" / "iri.py"], ids=rel)
def test_triples_and_identity_do_not_use_the_store(path):
    assert not {n for n in imports(path) if n.startswith("luocdo.kg.store")}, rel(path)
