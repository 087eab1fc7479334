"""Derivation, trace, delegation and coverage on the seeds, checked against the hand-made gold."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from luocdo.kg import lookup, trace
from luocdo.kg.ingest import Ingester
from luocdo.kg.store import Store

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
NATIONAL = "000_e5419caefa74c938.txt"


@pytest.fixture(scope="module")
def seeds():
    store = Store.open("memory:")
    Ingester(store).ingest_all(sorted((SHARED / "seeds").glob("*.txt")))
    return store


def _task_numbers_of_file(store, name):
    """task IRI -> (file name, number) for the top-level tasks of every seed file."""
    q = """PREFIX lo: <https://w3id.org/luocdo/ontology#>
    SELECT ?task ?n ?src WHERE { ?task lo:taskOf ?doc ; lo:taskNumber ?n . ?doc lo:sourceFile ?src }"""
    return {r[0].value: (Path(r[2].value).name, r[1].value) for r in store.query(q).rows}


def test_derivations_meet_the_gold(seeds):
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))["files"]
    where = _task_numbers_of_file(seeds, None)
    q = "PREFIX lo: <https://w3id.org/luocdo/ontology#> SELECT ?c ?p WHERE { ?c lo:derivedFrom ?p }"
    predicted = {}
    for c, p in seeds.query(q).rows:
        cf, cn = where[c.value]
        pf, pn = where[p.value]
        predicted[(cf, cn)] = (pf, pn)
    tp = fp = fn = 0
    for name, g in gold.items():
        for child, parent in g.get("derivations", {}).items():
            got = predicted.get((name, child))
            want = (NATIONAL, parent) if parent else None
            if got == want and want:
                tp += 1
            else:
                fp += got is not None
                fn += want is not None
    # Tasks the gold gives no derivations for (file 003: continuing education) must have none.
    fp += sum(1 for (cf, _cn) in predicted if cf not in {n for n, g in gold.items() if g.get("derivations")})
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"derivations: precision {precision:.3f} recall {recall:.3f} (tp={tp} fp={fp} fn={fn})")
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_no_derivation_crosses_into_a_sibling_province(seeds):
    docs, _tasks = trace.collect(seeds)
    q = """PREFIX lo: <https://w3id.org/luocdo/ontology#>
    SELECT ?cd ?pd WHERE { ?c lo:derivedFrom ?p . ?c lo:taskOf ?cd . ?p lo:taskOf ?pd }"""
    for cd, pd in seeds.query(q).rows:
        c, p = docs[cd.value], docs[pd.value]
        assert p.level < c.level
        assert p.level == 0 or p.province == c.province


def test_trace_of_the_gia_loc_digital_task_reaches_national_task_8_via_1587(seeds):
    t = trace.trace_task(seeds, lookup.resolve_task(seeds, "171/KH-PGDĐT", "7"))
    assert t.origin is not None
    assert t.origin.number == "8"
    assert "chuyển đổi số" in t.origin.title
    assert [v.number for v in t.chain[0].via] == ["1587/SGDĐT-VP"]
    assert t.chain[0].via[0].stub
    assert "1587/SGDĐT-VP" in t.chain[0].evidence
    j = t.to_json()
    assert set(j) == {"task", "chain", "origin"}
    assert set(j["origin"]) == {"iri", "document", "task", "score", "via", "evidence"}


def test_son_la_higher_education_task_has_no_national_origin(seeds):
    q = """PREFIX lo: <https://w3id.org/luocdo/ontology#>
    SELECT ?doc ?t WHERE { ?dec lo:promulgates ?doc ; lo:number "1646/QĐ-UBND" . ?t lo:taskOf ?doc ; lo:taskNumber "7" }"""
    rows = seeds.query(q).rows
    t = trace.trace_task(seeds, rows[0][1].value)
    assert "đại học" in t.task.title
    assert t.origin is None


def test_delegation_of_the_son_la_plan(seeds):
    q = """PREFIX lo: <https://w3id.org/luocdo/ontology#>
    SELECT ?t WHERE { ?t lo:taskOf ?doc ; lo:taskNumber "9" .
      ?doc lo:jurisdiction/<http://www.w3.org/2000/01/rdf-schema#label> ?j . FILTER(STR(?j) = "tỉnh Sơn La") }"""
    task = seeds.query(q).rows[0][0].value
    levels = trace.delegation(seeds, trace.trace_task(seeds, task))
    issuers = [lv.issuer for lv in levels if lv.issuer]
    # The national list is a news article; the ministry comes in through the stub 2457/QĐ-BGDĐT.
    assert issuers == ["Bộ Giáo dục và Đào tạo", "Ủy ban nhân dân tỉnh Sơn La"]
    assert any(lv.document.number == "2457/QĐ-BGDĐT" and lv.document.stub for lv in levels)
    roles = {(role, body) for role, body, _ev in levels[-1].assigned}
    assert ("lead", "Sở Giáo dục và Đào tạo tỉnh Sơn La") in roles
    assert any(role == "cooperate" for role, _b in roles)


def test_coverage_of_gia_loc_and_son_la(seeds):
    gia_loc = lookup.resolve_document(seeds, "171/KH-PGDĐT")
    cov = trace.coverage(seeds, gia_loc.iri)
    dropped = {no for _doc, no, _title in cov.dropped}
    assert "7" in dropped  # international integration is not carried down in Gia Lộc
    assert not cov.added
    q = """PREFIX lo: <https://w3id.org/luocdo/ontology#>
    SELECT ?doc WHERE { ?dec lo:promulgates ?doc }"""
    son_la = seeds.query(q).rows[0][0].value
    cov = trace.coverage(seeds, son_la)
    assert [no for no, _t in cov.added] == ["7"]  # higher education
    assert not cov.dropped


def test_a_citation_cycle_is_reported_not_followed():
    store = Store.open("memory:")
    lo = "https://w3id.org/luocdo/ontology#"
    import pyoxigraph as ox

    a, b = "https://x/doc/a", "https://x/doc/b"
    ta, tb = a + "/task/1", b + "/task/1"
    quads = []
    for doc, task in ((a, ta), (b, tb)):
        quads += [ox.Quad(ox.NamedNode(doc), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode(lo + "Document")),
                  ox.Quad(ox.NamedNode(task), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode(lo + "Task")),
                  ox.Quad(ox.NamedNode(task), ox.NamedNode(lo + "taskOf"), ox.NamedNode(doc)),
                  ox.Quad(ox.NamedNode(task), ox.NamedNode(lo + "taskNumber"), ox.Literal("1"))]
    store.replace_graph("https://x/g", quads)
    from luocdo.kg.derive import Derivation

    store.replace_graph(trace.DERIVATIONS_GRAPH, trace.derivation_quads(
        [Derivation(ta, tb, 0.5, "test"), Derivation(tb, ta, 0.5, "test")]))
    t = trace.trace_task(store, ta)
    assert t.cycle
    assert len(t.chain) <= 2


def test_a_pool_scores_every_pair_as_score_does(seeds):
    # derive() scores a local task against a candidate plan's tasks through _Pool (an inverted
    # index, the child's vector never built); it must agree with score() pair by pair.
    from luocdo.kg import derive

    _docs, tasks = trace.collect(seeds)
    parents, children = tasks[: len(tasks) // 2], tasks[len(tasks) // 2:]
    assert len(parents) > 10 and len(children) > 10
    pool = derive._Pool(parents)
    index = derive._Index.build([p.title + " " + p.body[:3000] for p in parents])
    nonzero = 0
    for child in children:
        got = pool.scores(child)
        want = [derive.score(child, p, index) for p in parents]
        assert got == pytest.approx(want, abs=1e-12)
        nonzero += sum(w > 0.05 for w in want)
    assert nonzero > 0  # some pairs really match, so the agreement is not of zeros


def test_derivations_do_not_depend_on_the_number_of_processes(seeds, monkeypatch):
    from luocdo.kg import derive

    docs, tasks = trace.collect(seeds)
    alone = derive.derive(docs, tasks)
    assert len(alone) > 20
    small: list[int] = []
    real_match = derive._match
    with monkeypatch.context() as m:  # a store this small is matched here, jobs or not
        m.setattr(derive, "_match", lambda unit: (small.append(1), real_match(unit))[1])
        assert derive.derive(docs, tasks, jobs=2) == alone
    assert small
    monkeypatch.setattr(derive, "PARALLEL_DOCUMENTS", 0)  # the seeds are too few to be worth processes
    calls: list[int] = []
    real = derive._match
    monkeypatch.setattr(derive, "_match", lambda unit: (calls.append(1), real(unit))[1])
    assert derive.derive(docs, tasks, jobs=2) == alone
    assert calls == []  # every unit was matched in a worker process, none here


def test_derivations_streamed_province_by_province_are_derive_s(seeds, monkeypatch):
    # build_derivations asks the store for one province's tasks (and the plans above them) at a
    # time; the derivations must be derive()'s over all tasks at once, record for record.
    from luocdo.kg import derive

    docs, tasks = trace.collect(seeds)
    asked: list[set[str]] = []

    def tasks_of(needed):
        asked.append(set(needed))
        return trace.tasks_of(seeds, needed)

    streamed = derive.derive_streamed(docs, trace.documents_with_tasks(seeds), tasks_of)
    assert streamed == derive.derive(docs, tasks) and len(streamed) > 20
    with_tasks = set(trace.documents_with_tasks(seeds))
    assert len(asked) > 1 and all(len(a) < len(with_tasks) for a in asked)  # never the whole store


def test_tasks_of_gives_one_record_per_title_and_body_of_each_top_level_task(seeds):
    q = trace._P + """SELECT ?task ?doc ?number ?title ?body WHERE {
      ?task a lo:Task ; lo:taskOf ?doc ; lo:taskNumber ?number .
      OPTIONAL { ?task lo:title ?title } OPTIONAL { ?task lo:evidence ?body } }"""
    want = sorted((t.value, d.value, n.value, ti.value if ti else "", b.value[:3000] if b else "")
                  for t, d, n, ti, b in seeds.query(q).rows)
    got = sorted((t.iri, t.doc, t.number, t.title, t.body) for t in trace.tasks_of(seeds, trace.documents_with_tasks(seeds)))
    assert got == want and len(got) > 40
    some = trace.documents_with_tasks(seeds)[:1]
    assert {t.doc for t in trace.tasks_of(seeds, some)} == set(some)


# -- derivations, province by province ---------------------------------------------------------------


def _derivations(store) -> set[tuple[str, str]]:
    q = "PREFIX lo: <https://w3id.org/luocdo/ontology#> SELECT ?c ?p WHERE { ?c lo:derivedFrom ?p }"
    return {(c.value, p.value) for c, p in store.query(q).rows}


def test_a_later_ingest_matches_again_only_the_provinces_it_touches(tmp_path, monkeypatch, generated):
    files = generated(tmp_path / "corpus", 80)
    last = next(p for p in reversed(files) if "/5-truong/" in p.as_posix())  # one school's plan
    rest = [p for p in files if p != last]
    whole = Store.open(tmp_path / "whole")
    Ingester(whole).ingest_all(files)
    store = Store.open(tmp_path / "later")
    Ingester(store).ingest_all(rest)
    units = [g for g in store.graphs() if g.startswith(trace.DERIVATIONS_GRAPH + "/")]
    assert len(units) > 2 and trace.DERIVATIONS_GRAPH not in store.graphs()  # one graph per province
    matched: list[str] = []
    real = trace.derive.matched_units
    monkeypatch.setattr(trace.derive, "matched_units",
                        lambda plans, *a, **k: (matched.extend(d for unit in plans for d, _c, _v in unit),
                                                real(plans, *a, **k))[1])
    result = Ingester(store).ingest_all([last])
    docs = trace.collect_documents(store)
    q = "PREFIX lo: <https://w3id.org/luocdo/ontology#> SELECT ?d ?src WHERE { ?d lo:sourceFile ?src }"
    (school,) = {docs[d.value] for d, src in store.query(q).rows if d.value in docs and Path(src.value).name == last.name}
    assert school.iri in matched and {docs[d].province for d in matched} == {school.province}
    assert len(matched) < len(docs) / 2  # the other provinces were not matched again
    assert _derivations(store) == _derivations(whole) and result.derivations == len(_derivations(whole))
    matched.clear()
    assert Ingester(store).ingest_all([last]).derivations == result.derivations  # the same file again
    assert school.iri in matched and {docs[d].province for d in matched} == {school.province}
    whole.close()
    store.close()


def _ingested(tmp_path, generated, size: int = 80):
    """A store of a generated corpus of ``size`` files, and its derivations."""
    store = Store.open(tmp_path / "s")
    Ingester(store).ingest_all(generated(tmp_path / "corpus", size))
    return store, _derivations(store)


def test_each_province_s_derivations_are_written_before_the_next_is_matched(tmp_path, monkeypatch, generated):
    # Held all at once, the derivations of 100k files (0.9M, with their evidence texts) were most
    # of the ingest's memory; written as each province's matching ends, one province's are held.
    store, before = _ingested(tmp_path, generated)
    written: list[str] = []
    real_replace = store.replace_graph

    def replace(g, quads, **k):
        if g.startswith(trace.DERIVATIONS_GRAPH):
            written.append(g)
        return real_replace(g, quads, **k)

    monkeypatch.setattr(store, "replace_graph", replace)
    seen: list[tuple[int, int]] = []  # (unit yielded, derivation graphs written by then)
    real = trace.derive.matched_units

    def watched(plans, *a, **k):
        for i, found in real(plans, *a, **k):
            seen.append((i, len(written)))
            yield i, found

    monkeypatch.setattr(trace.derive, "matched_units", watched)
    told: list[str] = []
    n = trace.build_derivations(store, report=lambda what, seconds: told.append(what))
    assert len(seen) > 2 and [w for _i, w in seen] == list(range(len(seen)))  # one written per unit matched
    assert _derivations(store) == before and n == len(before) > 0  # and the same derivations
    assert told[0].startswith("read ") and any("provinces" in t for t in told[1:])
    store.close()


def test_derivations_serialised_by_the_workers_are_those_written_here(tmp_path, monkeypatch, generated):
    # The matching processes turn each province's derivations into N-Quads; this process only
    # bulk-loads them (Store.add_graph_nquads) into a graph it does not hold yet.
    store, before = _ingested(tmp_path, generated)
    units = [g for g in store.graphs() if g.startswith(trace.DERIVATIONS_GRAPH + "/")]
    for g in units:
        store.remove_graph(g)
    assert _derivations(store) == set()
    loaded: list[str] = []
    real_add = store.add_graph_nquads
    monkeypatch.setattr(store, "add_graph_nquads", lambda g, parts: (loaded.append(g), real_add(g, parts))[1])
    monkeypatch.setattr(trace.derive, "PARALLEL_DOCUMENTS", 0)  # in worker processes, however small
    assert trace.build_derivations(store, jobs=2) == len(before)
    assert _derivations(store) == before and sorted(g for g in loaded if g in units) == sorted(units)
    digests = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?g <{trace.LO}inputDigest> ?d }} }}").rows
    assert sorted(g.value for (g,) in digests if g.value.startswith(trace.DERIVATIONS_GRAPH)) == sorted(units)
    store.close()


def test_a_store_with_one_derivations_graph_gets_one_per_province(memory_store):
    Ingester(memory_store).ingest_all(sorted((SHARED / "seeds").glob("*.txt")))
    expected = _derivations(memory_store)
    old = [ox.Quad(ox.NamedNode("https://x/t"), ox.NamedNode(trace.LO + "derivedFrom"), ox.NamedNode("https://x/p"))]
    memory_store.replace_graph(trace.DERIVATIONS_GRAPH, old)  # as a store of an earlier version held them
    assert trace.build_derivations(memory_store, changed=set()) == len(expected)
    assert trace.DERIVATIONS_GRAPH not in memory_store.graphs() and _derivations(memory_store) == expected


def test_of_the_plans_a_school_names_it_carries_down_the_nearest_one():
    """A school "based on" its province's plan and "implementing" its commune's: the commune's is
    the one it carries down (the province's reaches it through the commune's)."""
    from luocdo.kg import derive

    def rec(iri, level, parents=()):
        return derive.DocRec(iri, level, "Thái Nguyên", "2025-2026", "education", False, parents, parents)

    docs = {d.iri: d for d in (rec("province", 1), rec("commune", 3, ("province",)),
                               rec("school", 4, ("province", "commune")))}
    has_tasks = {"province", "commune", "school"}
    assert derive.candidate_documents(docs["school"], docs, has_tasks) == (["commune"], ())
    # With the commune's plan not ingested (a stub without tasks), the province's is the nearest.
    assert derive.candidate_documents(docs["school"], docs, has_tasks - {"commune"}) == (["province"], ())


def test_doctests():
    import doctest

    from luocdo.kg import derive, progress

    for module in (trace, derive, progress):
        assert doctest.testmod(module).failed == 0, module.__name__
