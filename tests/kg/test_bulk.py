"""A first ingest goes through the bulk loader; it must store exactly what file-by-file ingest stores.

The bulk path (``Ingester`` into an empty on-disk store) batches files and hands them to
pyoxigraph's loader; every other ingest replaces one graph per transaction. The two must give
the same dataset, down to the quad, for the same files in the same order.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from luocdo.kg import ingest as ingest_mod
from luocdo.kg.ingest import Ingester
from luocdo.kg.store import Store, merged_nquads

SHARED = Path(__file__).resolve().parents[3] / "shared"


def _files(seeds: Path) -> list[Path]:
    corpus = sorted((SHARED / "corpus").glob("*"))[:8]
    return sorted(seeds.glob("*")) + corpus


def _term(t) -> str:
    # Blank nodes (the ontology's OWL lists) are named afresh by every load.
    return "_:b" if isinstance(t, ox.BlankNode) else str(t)


def _dataset(store) -> set[tuple[str, str, str, str]]:
    return {(_term(q.subject), str(q.predicate), _term(q.object), str(q.graph_name))
            for q in store.backend.quads_for_pattern(None, None, None, None)}


@pytest.fixture(scope="module")
def per_file(seeds):
    store = Store.open("memory:")
    ing = Ingester(store)
    assert not ing._bulk  # a memory store is never bulk-loaded
    for p in _files(seeds):
        ing.ingest_path(p)
    ing.finish()
    return _dataset(store), ing.result


@pytest.mark.parametrize("batch_quads", [1, 3_000, 10_000_000])
def test_a_first_ingest_in_bulk_stores_what_file_by_file_ingest_stores(tmp_path, seeds, per_file, monkeypatch,
                                                                          batch_quads):
    # A batch per file, a few files per batch, and everything in one batch at finish().
    monkeypatch.setattr(ingest_mod, "BULK_QUADS", batch_quads)
    monkeypatch.setattr(ingest_mod, "BULK_WAIT", 1e9)
    expected, expected_result = per_file
    with Store.open(tmp_path / "store") as store:
        ing = Ingester(store)
        assert ing._bulk
        for p in _files(seeds):
            ing.ingest_path(p)
        result = ing.finish()
        got = _dataset(store)
    assert got == expected
    assert (result.files, result.documents, result.tasks, result.reingested) == (
        expected_result.files, expected_result.documents, expected_result.tasks, expected_result.reingested)


def test_the_same_file_twice_in_one_batch_is_stored_once(tmp_path, seeds, monkeypatch):
    monkeypatch.setattr(ingest_mod, "BULK_QUADS", 10_000_000)
    monkeypatch.setattr(ingest_mod, "BULK_WAIT", 1e9)
    first = sorted(seeds.glob("*"))[0]
    with Store.open(tmp_path / "once") as once:
        Ingester(once).ingest_all([first])
        expected = _dataset(once)
    with Store.open(tmp_path / "twice") as twice:
        ing = Ingester(twice)
        ing.ingest_path(first)
        ing.ingest_path(first)  # still waiting in the batch: written first, then replaced
        ing.finish()
        assert _dataset(twice) == expected
        assert (ing.result.files, ing.result.documents) == (1, 1)  # one file, counted once


def test_a_store_with_data_is_not_bulk_loaded(tmp_path, seeds):
    with Store.open(tmp_path / "store") as store:
        assert store.bulk_loadable()
        Ingester(store).ingest_all(sorted(seeds.glob("*"))[:1])
        assert not store.bulk_loadable()
        assert not Ingester(store)._bulk


def test_a_pending_batch_is_counted_only_once_written(tmp_path, seeds, monkeypatch):
    monkeypatch.setattr(ingest_mod, "BULK_QUADS", 10_000_000)
    monkeypatch.setattr(ingest_mod, "BULK_WAIT", 1e9)
    with Store.open(tmp_path / "store") as store:
        ing = Ingester(store)
        ing.ingest_path(sorted(seeds.glob("*"))[0])
        assert ing.result.files == 0
        before = len(store.backend)  # the ontology alone
        ing.flush()
        assert ing.result.files == 1
        assert len(store.backend) > before


def test_bulk_load_adds_quads_with_their_graphs_and_their_merge():
    s = Store.open("memory:")
    a, p = ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p")
    g, h = ox.NamedNode("https://example.org/g"), ox.NamedNode("https://example.org/h")
    # A literal with spaces, quotes, a newline, a language and a datatype ending in an IRI: the
    # merge is made from the text by dropping each line's last term, which must be the graph.
    lits = [ox.Literal('x "y"\n z <w> .', language="vi"), ox.Literal("2", datatype=ox.NamedNode("https://example.org/dt"))]
    quads = [ox.Quad(a, p, o, graph) for o in lits for graph in (g, h)]
    s.bulk_load(merged_nquads(quads))
    assert set(s.backend.quads_for_pattern(None, None, None, g)) == {q for q in quads if q.graph_name == g}
    assert sorted(map(str, s.backend.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == sorted(
        str(ox.Quad(a, p, o)) for o in lits)


def test_graphs_made_by_extraction_workers_are_those_the_writer_would_make(tmp_path, seeds, per_file):
    # With --jobs, workers serialise the graph of every self-contained file (Prepared); the writer
    # makes the others'. Both kinds are among these files, and the dataset is the file-by-file one.
    files = _files(seeds)
    contained = [ingest_mod.self_contained(ingest_mod.extract_path(p)) for p in files]
    assert any(contained) and not all(contained)
    expected, expected_result = per_file
    with Store.open(tmp_path / "store") as store:
        ing = Ingester(store)
        assert ing.prepares
        result = ing.ingest_all(files, jobs=2)
        got = _dataset(store)
    assert got == expected
    assert (result.files, result.documents, result.citations, result.unresolved) == (
        expected_result.files, expected_result.documents, expected_result.citations, expected_result.unresolved)


def test_a_worker_graph_made_for_another_path_is_not_used(tmp_path, seeds):
    # luocdo rebuild reads a file under its name on disk and records it under the name it had.
    first = sorted(seeds.glob("*"))[0]
    ex = ingest_mod.extract_path(first)
    prepared = ingest_mod.Prepared(ex, "elsewhere.txt", b"")
    with Store.open(tmp_path / "store") as store:
        ing = Ingester(store)
        ing.add(str(first), prepared)
        ing.finish()
        graphs = store.graphs()
    assert ingest_mod.iri.source_graph(first) in graphs  # made here: the worker's (empty) one was not used
