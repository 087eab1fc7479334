"""A decision that every plan cites must not make the next ingest hang.

Queries see the union of the per-file graphs, which repeats a triple once for every graph that
holds it: with 120 plans citing one decision, its number, issuer and year are each there 120
times, and a query that joins the three directly gets 120^3 rows for that one document. The
ingester's look-ups of what the store knows must read each fact once.
"""

from __future__ import annotations

import time

from luocdo.kg.ingest import _PARTIAL_Q, DocumentIndex, Ingester
from luocdo.kg.lookup import number_key
from luocdo.kg.store import Store


def test_the_ingester_starts_quickly_on_a_store_where_everything_cites_one_decision(tmp_path, faults):
    store = Store.open("memory:")
    ingester = Ingester(store)
    for path in faults.write_corpus(tmp_path / "corpus", 120):
        text = path.read_text("utf-8")
        # Every plan cites the same decision, half of them without its date.
        start = text.index("Quyết định số ")
        end = text.index(";", start)
        cite = "Quyết định số 2457/QĐ-BGDĐT" + (" ngày 23/8/2023" if int(path.stem[3:]) % 2 else "")
        path.write_text(text[:start] + cite + " của Bộ Giáo dục và Đào tạo" + text[end:], "utf-8")
        ingester.ingest_path(path)
    assert not ingester.result.failures

    began = time.monotonic()
    index = DocumentIndex.from_store(store)
    docs = " ".join(f"<{k.iri}>" for k in index.by_number[number_key("2457/QĐ-BGDĐT")].values())
    partial = store.query(_PARTIAL_Q.format(docs=docs)).rows
    took = time.monotonic() - began
    assert took < 3, f"reading what the store knows took {took:.1f} s"
    # The dated one, and the undated node of the first plan's citation (until finish() completes it).
    assert sorted((k.issuer, k.year or 0) for k in index.by_number[number_key("2457/QĐ-BGDĐT")].values()) == [
        ("Bộ Giáo dục và Đào tạo", 0), ("Bộ Giáo dục và Đào tạo", 2023)]
    # Only the first plan cites it before any dated citation has completed it: one file to re-read.
    assert [n.value for _src, n in partial] == ["2457/QĐ-BGDĐT"]
