"""benchmarks/store_figures.py on a small ingested store: the figures are the store's own."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIGURES = REPO_ROOT / "benchmarks" / "store_figures.py"
GENERATE = REPO_ROOT / "benchmarks" / "generate.py"


def test_figures_of_an_ingested_store_and_one_more_file(tmp_path):
    spec = importlib.util.spec_from_file_location("luocdo_benchmarks_generate", GENERATE)
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    gen.generate(40, tmp_path / "corpus", 1, force=True)
    luocdo = Path(sys.executable).with_name("luocdo")
    store = tmp_path / "store"
    subprocess.run([str(luocdo), "--store", str(store), "ingest", str(tmp_path / "corpus")],
                   check=True, capture_output=True)
    done = subprocess.run([sys.executable, str(FIGURES), "--store", str(store), "--trace-samples", "6",
                           "--cli-samples", "2", "--corpus", str(tmp_path / "corpus"),
                           "--one-more", str(tmp_path / "corpus"), "--work", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    assert got["quads"] > 40 * 50 and got["store_mb"] > 0
    assert got["trace"]["n"] == 6 and got["trace"]["mean_chain"] >= 1
    assert got["trace_cli"]["n"] == 2 and got["trace_cli"]["failed"] == 0
    quality = got["derivation_quality"]
    assert quality["files_with_parent"] == 39 and quality["derivations"] > 0  # all but the ministry's
    assert quality["precision"] >= 0.9, quality
    (line,) = got["one_more"]["output"]
    assert line.startswith("ingested 1 file: 1 document"), line
    assert (tmp_path / "store.one-more").is_dir()


def test_a_corpus_without_its_manifest_is_refused(tmp_path):
    from luocdo.kg.store import Store

    Store.open(tmp_path / "store").close()
    done = subprocess.run([sys.executable, str(FIGURES), "--store", str(tmp_path / "store"), "--trace-samples", "0",
                           "--cli-samples", "0", "--corpus", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "no manifest.json" in done.stderr


def test_a_folder_that_is_no_store_is_refused(tmp_path):
    done = subprocess.run([sys.executable, str(FIGURES), "--store", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "not a store directory" in done.stderr
