"""What an ingest into a store with data does by halves must leave the store as the whole passes do.

An ingest into a store that holds data recomputes only what the files it wrote can change: the
stub flags of their graphs' documents, the re-reading of files whose citations complete, the
provinces whose derivations involve them. Each test here ingests in several batches (with files
replaced, renumbered and placed on the way) and then runs the whole-store passes again
(:meth:`Store.update_derived` of everything, :func:`trace.build_derivations` of every province):
they must find nothing to change.
"""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from luocdo.kg import trace
from luocdo.kg.ingest import Ingester
from luocdo.kg.store import Store

LO = "https://w3id.org/luocdo/ontology#"
STUB = ox.NamedNode(LO + "stub")


def _dataset(store) -> list[str]:
    return sorted(store.backend.dump(format=ox.RdfFormat.N_QUADS).decode().splitlines())


def _flags(store) -> dict[str, str]:
    return {q.subject.value: q.object.value for q in store.backend.quads_for_pattern(None, STUB, None, None)}


def _as_the_whole_passes_leave_it(store) -> None:
    incremental = _dataset(store)
    store.update_derived()
    assert _dataset(store) == incremental, "the stub flags differ from the whole recompute"
    trace.build_derivations(store)
    assert _dataset(store) == incremental, "the derivations differ from the whole recompute"


def test_batches_leave_the_store_as_the_whole_passes_do(tmp_path, generated):
    files = generated(tmp_path / "corpus", 60)
    schools = [p for p in files if "/5-truong/" in p.as_posix()]
    first = [p for p in files if p not in schools[::2]]
    store = Store.open(tmp_path / "s")
    Ingester(store).ingest_all(first)  # the bulk loader's first ingest
    _as_the_whole_passes_leave_it(store)
    Ingester(store).ingest_all(schools[::2][:3])  # one more file, and two
    _as_the_whole_passes_leave_it(store)
    # A file renumbered: its old document is gone (no flag left), the new one is there.
    renumbered = schools[1]
    text = renumbered.read_text("utf-8")
    number = text.split("Số: ", 1)[1].split("\n", 1)[0].strip()
    renumbered.write_text(text.replace(f"Số: {number}", "Số: 999/KH-TEST"), "utf-8")
    before = set(_flags(store))
    Ingester(store).ingest_all([renumbered, *schools[::2][3:]])
    _as_the_whole_passes_leave_it(store)
    gone = before - set(_flags(store))
    assert gone and all(number.split("/")[0] in d for d in gone)  # the renumbered plan's old IRI
    store.close()


def test_a_school_placed_by_a_later_ingest_leaves_no_flag_behind(tmp_path, repo_root):
    # The Gia Tân school's header names only its Phòng: ingested alone it stands nowhere; the
    # Phòng's plan ingested later places it, its document's IRI changes, and the old one goes.
    corpus = repo_root / "examples" / "corpus"
    store = Store.open("memory:")
    Ingester(store).ingest_all([corpus / "05-thcs-giatan-kh.txt"])
    placeless = set(_flags(store))
    result = Ingester(store).ingest_all([p for p in sorted(corpus.glob("*.txt")) if p.name != "05-thcs-giatan-kh.txt"])
    assert result.reingested == 1
    _as_the_whole_passes_leave_it(store)
    flags = _flags(store)
    gone = {d for d in placeless if d not in flags}  # the school's unplaced IRI, and its Phòng's plan's
    assert {d.rsplit("/", 1)[1] for d in gone} == {"45-kh-thcs", "171-kh-pgddt"}
    assert not any("hai-duong" in d for d in gone)
    assert any("hai-duong" in d and "45" in d and flags[d] == "false" for d in flags)


def test_flags_of_some_documents_are_those_of_the_whole_recompute(tmp_path, repo_root):
    corpus = tmp_path / "corpus"
    shutil.copytree(repo_root / "examples" / "corpus", corpus)
    store = Store.open("memory:")
    Ingester(store).ingest_all(sorted(corpus.glob("*.txt")))
    flags = _flags(store)
    assert set(flags.values()) == {"true", "false"}
    # Flags taken away by hand, one set wrong: recomputing those documents mends them.
    wrong = sorted(flags)[:3]
    derived = ox.NamedNode("https://w3id.org/luocdo/id/graph/derived")
    for i, d in enumerate(wrong):
        node = ox.NamedNode(d)
        for g in (derived, ox.DefaultGraph()):
            (old,) = store.backend.quads_for_pattern(node, STUB, None, g)
            store.backend.remove(old)
            if i == 2:
                flipped = "false" if flags[d] == "true" else "true"
                store.backend.add(ox.Quad(node, STUB, ox.Literal(flipped, datatype=old.object.datatype), g))
    assert _flags(store) != flags
    store.update_derived([*wrong, "https://w3id.org/luocdo/id/doc/not-a-document"])
    assert _flags(store) == flags
    _as_the_whole_passes_leave_it(store)


def test_a_document_s_record_read_alone_is_the_whole_pass_s(tmp_path, generated, repo_root, seeds):
    files = generated(tmp_path / "corpus", 60) + sorted((repo_root / "examples" / "corpus").glob("*.txt"))
    store = Store.open("memory:")
    Ingester(store).ingest_all([*files, *sorted(seeds.glob("*"))])
    whole = trace._raw_records(store)
    assert len(whole) > 60 and any(r.tasks for r in whole.values()) and any(r.stub for r in whole.values())
    assert any(r.parents for r in whole.values()) and {r.level for r in whole.values()} >= {0, 1, 3, 4}
    assert {d: trace._raw_record(store, d) for d in whole} == whole
    assert trace._raw_record(store, "https://w3id.org/luocdo/id/body/bo-giao-duc-va-dao-tao") is None
    # The records kept by the ingest, and what derivation makes of them, are the whole pass's.
    docs, with_tasks = trace.document_records(store, changed=[])
    assert docs == trace.collect_documents(store) and with_tasks == trace.documents_with_tasks(store)


def _all_but_a_school(tmp_path, generated, size: int):
    """A store of a generated corpus but for one school's plan, and that plan's file."""
    files = generated(tmp_path / "corpus", size)
    last = next(p for p in reversed(files) if "/5-truong/" in p.as_posix())
    store = Store.open(tmp_path / "s")
    Ingester(store).ingest_all([p for p in files if p != last])
    return store, last


def test_one_more_file_reads_the_records_of_its_documents_only(tmp_path, generated, monkeypatch):
    store, last = _all_but_a_school(tmp_path, generated, 40)
    read: list[str] = []
    real = trace._raw_record
    monkeypatch.setattr(trace, "_raw_record", lambda s, d: (read.append(d), real(s, d))[1])
    monkeypatch.setattr(trace, "_raw_records", lambda s: pytest.fail("the whole store was read"))
    Ingester(store).ingest_all([last])
    assert 0 < len(read) < 15  # the school's plan and body, what it cites, its Phòng's and Sở's plans
    monkeypatch.undo()
    _as_the_whole_passes_leave_it(store)


def test_records_of_an_ingest_stopped_midway_are_computed_again(tmp_path, generated, monkeypatch):
    files = generated(tmp_path / "corpus", 40)
    store = Store.open(tmp_path / "s")
    Ingester(store).ingest_all(files[:-3])
    stopped = Ingester(store)
    for p in files[-3:-1]:
        stopped.ingest_path(p)  # and no finish(): killed here
    whole: list[int] = []
    real = trace._raw_records
    monkeypatch.setattr(trace, "_raw_records", lambda s: (whole.append(1), real(s))[1])
    Ingester(store).ingest_all(files[-1:])
    assert whole == [1]  # the records were not trusted: read from the whole store
    monkeypatch.undo()
    _as_the_whole_passes_leave_it(store)


def test_one_more_file_matches_again_only_the_documents_it_involves(tmp_path, generated, monkeypatch):
    store, last = _all_but_a_school(tmp_path, generated, 60)
    matched: list[str] = []
    real = trace.derive.matched_units
    monkeypatch.setattr(trace.derive, "matched_units",
                        lambda plans, *a, **k: (matched.extend(d for unit in plans for d, _c, _v in unit),
                                                real(plans, *a, **k))[1])
    Ingester(store).ingest_all([last])
    docs = trace.collect_documents(store)
    (school,) = {d for d, src in store.pairs(LO + "sourceFile") if d in docs and src.value.endswith(last.name)}
    assert matched == [school]  # not the other documents of its province
    province = trace.unit_graph(docs[school].province)
    assert any(line.startswith(f"<{school}/task/".encode()) for line in store.graph_lines(province))
    monkeypatch.undo()
    _as_the_whole_passes_leave_it(store)
