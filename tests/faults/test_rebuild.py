"""``luocdo rebuild``: the store made again from its recorded source files equals a fresh ingest."""

from __future__ import annotations

import os
import unicodedata

from luocdo.kg.store import open_store


def _corpus(tmp_path, faults):
    corpus = tmp_path / "corpus"
    files = faults.write_corpus(corpus, 8)
    # One file named with combining marks: the store records it in NFC, the disk keeps it in NFD.
    nfd = corpus / unicodedata.normalize("NFD", "kế-hoạch-phòng-gd.txt")
    nfd.write_text(faults.plan_text(50), "utf-8")
    return corpus, [*files, nfd]


def test_rebuild_equals_a_fresh_ingest_and_reports_a_missing_file(tmp_path, faults):
    corpus, files = _corpus(tmp_path, faults)
    store = str(tmp_path / "store")
    faults.ingest(store, corpus)
    before = faults.open_hash(store)

    again = faults.run("--store", store, "rebuild")
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""
    assert again.stdout.startswith(f"rebuilt {store} from 9 of 9 files")
    assert faults.open_hash(store) == before

    gone = files[3]
    os.remove(gone)
    rebuilt = faults.run("--store", store, "rebuild")
    assert rebuilt.returncode == 1
    assert rebuilt.stderr.splitlines() == [f"luocdo: {gone}: missing from disk, left out of the rebuilt store"]
    assert "from 8 of 9 files" in rebuilt.stdout and "; 1 missing" in rebuilt.stdout

    fresh = str(tmp_path / "fresh")
    faults.ingest(fresh, corpus)
    assert faults.open_hash(store) == faults.open_hash(fresh)
    # Nothing is left beside the store: neither the new store's folder nor the old store.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "fresh", "store"]


def test_rebuild_keeps_the_store_locked_and_refuses_what_is_not_a_directory(tmp_path, faults):
    for url in ("memory:", "http://localhost:1/sparql"):
        refused = faults.run("--store", url, "rebuild")
        assert refused.returncode == 2, refused.stderr
        assert "rebuild needs a store directory" in faults.one_line_error(refused.stderr)
    missing = faults.run("--store", str(tmp_path / "none"), "rebuild")
    assert missing.returncode == 1
    assert "there is no store" in faults.one_line_error(missing.stderr)


def test_an_interrupted_rebuild_leaves_the_old_store(tmp_path, faults, monkeypatch):
    from click.testing import CliRunner
    from luocdo.kg import ingest
    from luocdo.kg.cli import main

    corpus, _files = _corpus(tmp_path, faults)
    store = str(tmp_path / "store")
    faults.ingest(store, corpus)
    before = faults.open_hash(store)
    calls = []

    def interrupted(self):
        calls.append(1)
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest.Ingester, "finish", interrupted)
    result = CliRunner().invoke(main, ["--store", store, "rebuild"])
    assert calls and result.exit_code == 130
    assert result.stderr == "luocdo: interrupted\n"
    assert faults.open_hash(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "store"]
    with open_store(store, create=False) as s:
        assert s.quad_count() > 0
