"""Exports and HTML views are written atomically: all of the new file, or the old one untouched.

A folder that cannot be written gives one clear line. A read-only folder is made with a
read-only bind mount when the tests run as root (root ignores permission bits) and mounting is
permitted, with ``chmod 555`` for other users; as root without mount, ``/proc`` stands in for it
(no file can be created there).
"""

from __future__ import annotations

import os
import subprocess

import pytest
from click.testing import CliRunner
from luocdo.kg.cli import main


def _can_bind_mount(path) -> bool:
    return subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True).returncode == 0


@pytest.fixture
def read_only_dir(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "old.nq").write_text("old\n", "utf-8")
    if os.geteuid() != 0:
        ro.chmod(0o555)
        yield ro
        ro.chmod(0o755)
    elif _can_bind_mount(ro):
        subprocess.run(["mount", "-o", "remount,bind,ro", str(ro), str(ro)], check=True)
        try:
            yield ro
        finally:
            subprocess.run(["umount", str(ro)], check=True)
    else:
        yield __import__("pathlib").Path("/proc")


@pytest.fixture
def store(tmp_path, faults):
    url = str(tmp_path / "store")
    corpus = faults.write_corpus(tmp_path / "corpus", 3)
    faults.ingest(url, *corpus)
    return url


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_export_and_view_into_a_read_only_folder_fail_with_one_line(store, read_only_dir, faults):
    for args in (("export", "--format", "nq", "-o", str(read_only_dir / "new.nq")),
                 ("view", "doc", "100/KH-PGDĐT", "-o", str(read_only_dir / "new.html"))):
        result = run("--store", store, *args)
        assert result.exit_code == 1, (args, result.output)
        line = faults.one_line_error(result.stderr)
        assert line.startswith(f"luocdo: cannot write {str(read_only_dir / 'new')!r}"[:-1]), line
    left = [n for n in os.listdir(read_only_dir) if n.startswith(("new.", ".new."))]
    assert left == []  # neither the file nor a temporary one


class _Breaks:
    """``os.fdopen`` whose files write half of what they are given, then fail like a full disk
    (or like Ctrl-C): the moment a plain ``open(path, "w")`` would leave half a file behind."""

    def __init__(self, real, error: BaseException):
        self.real, self.error = real, error

    def __call__(self, fd, *args, **kwargs):
        f = self.real(fd, *args, **kwargs)
        error = self.error

        class Half:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                f.close()

            def write(self, data):
                f.write(data[:len(data) // 2])
                f.flush()
                raise error

            def __getattr__(self, name):
                return getattr(f, name)

        return Half()


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()],
                         ids=["disk-full", "ctrl-c"])
def test_a_failure_in_the_middle_of_a_write_leaves_the_old_file(store, tmp_path, monkeypatch, error):
    out = tmp_path / "out"
    out.mkdir()
    export, page = out / "graph.nq", out / "view.html"
    export.write_text("the old export\n", "utf-8")
    page.write_text("<p>the old page</p>\n", "utf-8")
    monkeypatch.setattr(os, "fdopen", _Breaks(os.fdopen, error))

    for path, args in ((export, ("export", "--format", "nq", "-o", str(export))),
                       (page, ("view", "doc", "100/KH-PGDĐT", "-o", str(page)))):
        old = path.read_text("utf-8")
        result = run("--store", store, *args)
        if isinstance(error, KeyboardInterrupt):
            assert result.exit_code == 130 and result.stderr == "luocdo: interrupted\n", result.output
        else:
            assert result.exit_code == 1, result.output
            assert result.stderr.startswith(f"luocdo: cannot write {str(path)!r}: No space left on device")
        assert path.read_text("utf-8") == old
    assert sorted(p.name for p in out.iterdir()) == ["graph.nq", "view.html"]  # no temporary file left


def test_a_whole_write_replaces_the_file(store, tmp_path, faults):
    export = tmp_path / "graph.nq"
    export.write_text("the old export\n", "utf-8")
    result = run("--store", store, "export", "--format", "nq", "-o", str(export))
    assert result.exit_code == 0, result.output
    assert export.read_bytes() == faults.run("--store", store, "export", "--format", "nq").stdout.encode()
