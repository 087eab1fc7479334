"""The benchmark runner (benchmarks/run.py) end to end on a small generated corpus.

Nothing here times anything against a bound: the runner's figures depend on the machine. What is
checked is that every figure is measured on the work it claims (the documents ingested are the
corpus, the traces walk chains, rdflib and Oxigraph answer the same queries with the same rows)
and that the table carries them.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN = REPO_ROOT / "benchmarks" / "run.py"
SIZE = 60


def _load_runner():
    spec = importlib.util.spec_from_file_location("luocdo_benchmarks_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench")
    results = work / "results.json"
    done = subprocess.run(
        [sys.executable, str(RUN), "--sizes", str(SIZE), "--jobs", "2", "--work", str(work), "--results", str(results),
         "--trace-samples", "30", "--cli-samples", "3", "--query-repeats", "1", "--query-timeout", "60"],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, json.loads(results.read_text("utf-8")), work


def test_every_file_of_the_corpus_is_extracted_and_ingested(bench):
    _out, report, _work = bench
    (r,) = report["sizes"]
    assert r["corpus"]["files"] == SIZE
    assert r["extract"]["one"]["failed"] == 0 and r["extract"]["jobs"]["failed"] == 0
    assert r["extract"]["jobs"]["jobs"] == 2
    assert r["ingest"]["returncode"] == 0
    assert r["ingest"]["quads"] > SIZE * 50  # a document of 8-15 tasks is hundreds of quads
    assert r["ingest"]["store_mb"] > 0 and r["ingest"]["peak_rss_mb"] > 0


def test_one_more_file_is_a_new_document_with_its_derivations(bench):
    _out, report, _work = bench
    (r,) = report["sizes"]
    (line,) = r["one_more"]["output"]
    assert line.startswith("ingested 1 file: 1 document") and "task derivations" in line, line
    assert r["one_more"]["peak_rss_tree_mb"] > 0


def test_derivations_and_traces_are_measured_on_real_chains(bench):
    _out, report, _work = bench
    (r,) = report["sizes"]
    d = r["derivation"]
    assert d["derivations"] > 0 and d["same"], d
    assert r["trace"]["n"] == 30
    assert r["trace"]["mean_chain"] > 1  # most tasks come from somewhere above
    assert 0 < r["trace"]["p50_ms"] <= r["trace"]["p95_ms"]
    assert r["trace_cli"]["n"] == 3 and r["trace_cli"]["failed"] == 0


def test_derivations_are_scored_against_the_generators_ground_truth(bench):
    out, report, _work = bench
    (r,) = report["sizes"]
    q = r["derivation"]["quality"]
    assert q["truth"] > SIZE  # the generated tasks that carry one down
    assert q["derivations"] == r["derivation"]["derivations"]  # each stored derivation is scored
    # Most tasks are paraphrases of their parent's; matching them is the point of derivation.
    assert q["precision"] >= 0.9 and q["recall"] >= 0.9, q
    assert q["files_placed_right"] >= 0.9 * q["files_with_parent"], q
    row = next(ln for ln in out.splitlines() if ln.startswith("| derivations vs ground truth: precision"))
    assert row.split("|")[2].strip() == f"{q['precision']:.3f}"


def test_derivation_quality_counts_a_wrong_parent_as_wrong(tmp_path):
    """derivation_quality on a store written by hand: one derivation right, one to the wrong task."""
    import pyoxigraph as ox
    from luocdo.kg.store import Store

    run = _load_runner()
    (tmp_path / "manifest.json").write_text(json.dumps({"documents": [
        {"file": "a.txt", "parent_files": [], "tasks": {"1": None, "2": None}},
        {"file": "b.txt", "parent_files": ["a.txt"], "tasks": {"1": "1", "2": "2", "3": None}}]}), "utf-8")
    lo = run.LO

    def task(file, number):
        t = ox.NamedNode(f"https://example.org/{file}/{number}")
        return t, [ox.Quad(t, ox.NamedNode(lo + "sourceFile"), ox.Literal(str(tmp_path / file))),
                   ox.Quad(t, ox.NamedNode(lo + "taskNumber"), ox.Literal(number))]

    store = Store.open("memory:")
    quads = []
    (a1, q1), (_a2, q2), (b1, q3), (b2, q4) = (task("a.txt", "1"), task("a.txt", "2"),
                                               task("b.txt", "1"), task("b.txt", "2"))
    quads += q1 + q2 + q3 + q4
    derived = ox.NamedNode(lo + "derivedFrom")
    quads += [ox.Quad(b1, derived, a1), ox.Quad(b2, derived, a1)]  # b.2 carries down a.2, not a.1
    store.backend.extend(quads)
    got = run.derivation_quality(store, tmp_path)
    assert (got["derivations"], got["right"], got["truth"]) == (2, 1, 2)
    assert got["precision"] == got["recall"] == 0.5
    assert (got["files_with_parent"], got["files_derived"], got["files_placed_right"]) == (1, 1, 1)


def test_every_library_query_is_run_or_says_why_not(bench):
    from luocdo.queries import names

    _out, report, _work = bench
    (r,) = report["sizes"]
    got = {q["name"]: q for q in r["queries"]}
    assert set(got) == set(names())
    for name, q in got.items():
        assert "median_ms" in q or "skipped" in q or "timeout_s" in q, name
    assert sum("median_ms" in q for q in got.values()) >= len(got) - 1


def test_rdflib_and_oxigraph_load_the_same_quads_and_agree_on_every_answer(bench):
    _out, report, _work = bench
    (r,) = report["sizes"]
    cmp = r["rdflib"]
    assert cmp["rdflib"]["quads"] == cmp["oxigraph"]["quads"] == r["ingest"]["quads"]
    assert cmp["queries"], "no query was compared"
    for name, q in cmp["queries"].items():
        rl, ox = q["rows"]
        assert rl == ox, (name, q)
    assert cmp["load_ratio"] > 0 and cmp["memory_ratio"] > 0


def test_the_floor_loads_the_merge_alone_and_adds_extraction_to_each_load(bench):
    out, report, _work = bench
    (r,) = report["sizes"]
    ox = r["rdflib"]["oxigraph"]
    # the merge is the default graph: fewer lines than the store's, which also holds the named graphs
    assert 0 < ox["merge_lines"] < ox["lines"]
    assert ox["lines"] - ox["merge_lines"] == ox["quads"]
    extract = r["corpus"]["files"] / r["extract"]["jobs"]["docs_per_s"]
    row = next(ln for ln in out.splitlines() if ln.startswith("| floor: same, merge alone s "))
    assert float(row.split("|")[2]) == round(extract + ox["merge_load_s"], 1)


def test_the_table_prints_a_column_per_size_and_the_stores_are_removed(bench):
    out, _report, work = bench
    lines = out.splitlines()
    assert lines[0].startswith("luocdo benchmarks:")
    header = next(ln for ln in lines if ln.startswith("| figure"))
    assert header.split("|")[2].strip() == str(SIZE)
    row = next(ln for ln in lines if ln.startswith("| documents "))
    assert row.split("|")[2].strip() == str(SIZE)
    assert not [p for p in work.glob("store-*") if p.is_dir()], "the benchmark store was left behind"


def test_percentile_is_nearest_rank():
    run = _load_runner()
    values = list(range(1, 201))
    assert run._pct(values, 50) == 100
    assert run._pct(values, 95) == 190
    assert run._pct(list(range(1, 203)), 50) == 101  # ceil(0.5 * 202), not a rounding of it
    assert run._pct([7.0], 95) == 7.0


def test_work_inside_the_repository_is_refused(tmp_path):
    done = subprocess.run([sys.executable, str(RUN), "--sizes", "5", "--work", str(REPO_ROOT / "bench-data")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "inside the repository" in done.stderr
    assert not (REPO_ROOT / "bench-data").exists()
