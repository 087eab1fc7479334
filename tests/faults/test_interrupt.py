"""Ctrl-C during a long ingest: out within seconds, exit 130, one line, every graph whole or absent.

The signal goes to the whole process group, as a terminal sends it, so the extraction workers of
``--jobs 2`` get it too and must stay quiet while the writer stops them. A file that cannot be read
is put early in the corpus: its error line on stderr tells the test that the file loop is running.
"""

from __future__ import annotations

import os
import re
import signal
import time

import pyoxigraph as ox
import pytest
from luocdo.kg import iri
from luocdo.kg.ingest import Ingester
from luocdo.kg.store import open_store


def _session_gone(pgid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_stops_the_ingest_cleanly(tmp_path, faults, jobs):
    corpus = tmp_path / "corpus"
    files = faults.write_corpus(corpus, 400)
    marker = corpus / "kh-019z.png"  # sorted after kh-019.txt: the 21st file
    marker.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    store = str(tmp_path / "store")

    proc = faults.start("--store", store, "ingest", "--jobs", str(jobs), str(corpus))
    first = proc.stderr.readline()
    assert first.startswith(f"luocdo: {marker}: unsupported format"), first
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.monotonic()
    out, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent

    assert proc.returncode == 130, (out, err)
    assert took < 5, f"took {took:.1f} s to stop"
    assert out == ""
    line = faults.one_line_error(err)
    m = re.fullmatch(r"luocdo: interrupted; (\d+) files? ingested, the store is consistent", line)
    assert m, line
    done = int(m.group(1))
    assert 20 <= done < len(files), done
    assert _session_gone(proc.pid), "extraction workers outlived the interrupted ingest"

    with open_store(store, create=False) as s:
        got = faults.source_graphs(s)
        derived = set(s.backend.quads_for_pattern(None, None, None, ox.NamedNode(iri.DERIVED_GRAPH)))
        s.update_derived()  # the stub flags were recomputed for the files stored: nothing changes
        assert set(s.backend.quads_for_pattern(None, None, None, ox.NamedNode(iri.DERIVED_GRAPH))) == derived
    assert derived and len(got) == done
    by_graph = {iri.source_graph(str(p)): str(p) for p in files}
    present = [by_graph[g] for g in got]
    with open_store("memory:") as reference:
        Ingester(reference).ingest_all(present)
        expected = faults.source_graphs(reference)
    assert got == expected
    print(f"jobs={jobs}: stopped after {done} files, {took:.2f} s after Ctrl-C")
