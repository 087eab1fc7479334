"""The wheel carries the data files and the console script, and works installed, away from the source.

The sources are copied to a temporary folder first, so that the build writes no build/ or
egg-info into the working tree (other runs of the suite may be using it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "LICENSE", "kg", "ontology", "queries", "viz")


def build_wheel(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.exists():
            shutil.copy2(path, src / name)
    dist = tmp_path / "dist"
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (wheel,) = dist.glob("luocdo-*.whl")
    return wheel


def test_wheel_contents_and_installed_copy(tmp_path):
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    for pattern in ("luocdo/ontology/luocdo.ttl", "luocdo/ontology/shapes.ttl", "luocdo/queries/*.rq",
                    "luocdo/kg/data/*.json", "luocdo/kg/cli.py"):
        assert any(fnmatch(n, pattern) for n in names), (pattern, names)
    assert {"luocdo/queries/documents-by-issuer.rq", "luocdo/queries/cited-by.rq"} <= set(names)
    # Every module of the source folders is in the wheel (a sub-package left out of setup.cfg is not).
    for folder in ("kg", "ontology", "queries", "viz"):
        for py in (ROOT / folder).rglob("*.py"):
            assert f"luocdo/{py.relative_to(ROOT).as_posix()}" in names, py
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[console_scripts]" in text and "luocdo = luocdo.kg.cli:main" in text

    # A fresh environment: the wheel without its dependencies, which come from the environment
    # running the tests through a .pth line (a bare path: that folder's own .pth files, among them
    # the editable install of the source tree, are not run).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=120)
    python = venv / "bin" / "python"
    ask = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = Path(subprocess.run([str(python), "-c", ask], capture_output=True, text=True,
                                  check=True).stdout.strip())
    (purelib / "zz-luocdo-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    # --force-reinstall: the .pth line makes the running environment's own luocdo visible to pip.
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--force-reinstall", str(wheel)],
                   check=True, timeout=120, capture_output=True)

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LUOCDO_STORE")}
    luocdo = venv / "bin" / "luocdo"
    help_ = subprocess.run([str(luocdo), "--help"], capture_output=True, text=True, cwd=tmp_path, env=env,
                           timeout=60)
    assert help_.returncode == 0, help_.stderr
    assert "ingest" in help_.stdout and "query" in help_.stdout

    where = subprocess.run(
        [str(python), "-c",
         "import importlib.resources as r, luocdo.queries as q\n"
         "print(r.files('luocdo.ontology').joinpath('luocdo.ttl'))\n"
         "print(q.load('documents-by-issuer').path)\n"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert where.returncode == 0, where.stderr
    for line in where.stdout.splitlines():
        path = Path(line).resolve()
        assert path.is_file() and path.is_relative_to(venv.resolve()), line
        assert not path.is_relative_to(ROOT), line

    query = subprocess.run([str(luocdo), "--store", "memory:", "query", "stub-documents", "--format", "json"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert query.returncode == 0, query.stderr
    assert query.stdout.strip() == "[]"
