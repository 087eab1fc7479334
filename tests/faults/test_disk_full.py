"""A full disk: the ingest that hits it fails with one line, and the store still answers afterwards.

Two ways to fill a disk. ``fsize``: the ingest runs under ``RLIMIT_FSIZE`` (with ``SIGXFSZ``
ignored), so every write past the size fails with EFBIG, as on a full disk; it works for any user.
``tmpfs``: the store lives on a tiny tmpfs that really fills up (ENOSPC) and stays full while the
store is read; it needs ``mount``, so it runs only where mounting is permitted (as root here). The
``fsize`` case always runs, so this file never skips.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import uuid

import pytest


def _can_mount() -> bool:
    if os.geteuid() != 0:
        return False
    probe = f"/tmp/luocdo-mount-probe-{uuid.uuid4().hex}"
    os.mkdir(probe)
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe],
                            capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", probe], check=True)
        return ok
    except OSError:
        return False
    finally:
        os.rmdir(probe)


WAYS = ["fsize", *(["tmpfs"] if _can_mount() else [])]


def _file_size_limit(limit: int):
    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


@pytest.fixture
def disk(request, tmp_path):
    """(folder for the store, preexec_fn for the ingest that must fail)."""
    if request.param == "fsize":
        yield tmp_path, _file_size_limit(512 * 1024)
        return
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt, None
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.mark.parametrize("disk", WAYS, indirect=True)
def test_a_full_disk_fails_one_line_and_leaves_the_earlier_store_readable(disk, tmp_path, faults):
    where, limit_writes = disk
    store = str(where / "store")
    earlier = faults.write_corpus(tmp_path / "earlier", 4)
    later = faults.write_corpus(tmp_path / "later", 80, start=4)

    faults.ingest(store, *earlier)
    from luocdo.kg.store import open_store

    with open_store(store, create=False) as s:
        before = faults.source_graphs(s)
    assert len(before) == 4

    full = subprocess.run([*faults.luocdo_command(), "--store", store, "ingest", str(tmp_path / "later")],
                          capture_output=True, text=True, env=faults.environment(), timeout=120,
                          preexec_fn=limit_writes)
    assert full.returncode == 1, (full.stdout, full.stderr)
    line = faults.one_line_error(full.stderr)
    assert line.startswith("luocdo: cannot "), line  # a StoreError, not "unexpected error: OSError"
    assert "No space left" in line or "too large" in line.lower(), line

    if limit_writes is None:  # tmpfs: take the last free bytes too, as another program would
        try:
            with open(where / "filler", "wb", buffering=0) as filler:
                while True:
                    filler.write(b"\0" * 512)
        except OSError:
            pass
    # The store opens (read-only while the disk is still full) and holds the earlier graphs intact.
    with open_store(store, create=False) as s:
        after = faults.source_graphs(s)
    for graph, quads in before.items():
        assert after.get(graph) == quads, graph
    # Whatever the failed ingest managed to write is whole files: the reference is a clean ingest.
    from luocdo.kg.ingest import Ingester

    with open_store("memory:") as s:
        Ingester(s).ingest_all([*map(str, earlier), *map(str, later)])
        clean = faults.source_graphs(s)
    for graph, quads in after.items():
        assert len(quads) == len(clean[graph]), graph

    shown = faults.run("--store", store, "show", "100/KH-PGDĐT", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert '"number": "100/KH-PGDĐT"' in shown.stdout
