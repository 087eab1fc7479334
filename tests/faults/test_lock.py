"""One writer at a time: a second process is told who holds the store; a dead holder blocks nobody."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from luocdo.kg.store import LOCK_NAME, open_store

# A process that opens the store, says so, and keeps it until its stdin closes.
HOLDER = textwrap.dedent("""\
    import sys
    from luocdo.kg.store import open_store
    with open_store(sys.argv[1]) as store:
        store.load_ontology()
        print("holding", flush=True)
        sys.stdin.read()
""")


def _hold(store: str, env: dict[str, str]) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, store], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_second_writer_is_told_which_process_holds_the_store(tmp_path, faults):
    store = str(tmp_path / "store")
    corpus = faults.write_corpus(tmp_path / "corpus", 2)
    holder = _hold(store, faults.environment())
    try:
        for args in (("ingest", str(corpus[0])), ("stats",), ("show", "100/KH-PGDĐT")):
            second = faults.run("--store", store, *args, timeout=60)
            assert second.returncode == 1, (args, second.stdout, second.stderr)
            line = faults.one_line_error(second.stderr)
            assert f"the store is in use by process {holder.pid}" in line, line
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    # Released on exit: the next writer gets in.
    assert faults.run("--store", store, "ingest", str(corpus[0]), timeout=60).returncode == 0


def test_a_store_killed_while_open_opens_again(tmp_path, faults):
    store = str(tmp_path / "store")
    holder = _hold(store, faults.environment())
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    holder.stdin.close()
    # The dead process's pid is still written in the lock file; its lock is not.
    assert (tmp_path / "store" / LOCK_NAME).read_text().strip() == str(holder.pid)
    with open_store(store, create=False) as s:
        assert s.quad_count() > 0


def test_a_lock_file_naming_a_dead_process_does_not_block(tmp_path):
    store = tmp_path / "store"
    with open_store(store) as s:
        s.load_ontology()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (store / LOCK_NAME).write_text(f"{dead.pid}\n")
    with open_store(store, create=False) as s:
        assert s.quad_count() > 0
        assert (store / LOCK_NAME).read_text().strip() == str(os.getpid())
