"""Limits: what one hostile or broken input may cost (docs/limits.md), each one tested.

The reader refuses files that are too large (before reading them), .docx files that would
inflate too far or hold too many entries, and text that is too long; each limit can be set by an
environment variable. Regular expressions must stay linear: every compiled pattern of the parser,
the body registry, the reader and the encoding repair is run on adversarial lines of 100,000
characters, in a child process so that a pattern that backtracks without end fails the test
instead of hanging the suite.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile

import pytest
from click.testing import CliRunner
from luocdo.kg.cli import LIMIT_VARIABLES, main, reader_limits
from luocdo.kg.errors import ReadError, UsageError
from luocdo.kg.reader import Limits, read_text

# -- regex time ---------------------------------------------------------------------------------

MODULES = ["luocdo.kg.parse", "luocdo.kg.parse.assignments", "luocdo.kg.parse.citations",
           "luocdo.kg.parse.clean", "luocdo.kg.parse.header", "luocdo.kg.parse.numbers",
           "luocdo.kg.parse.resolve", "luocdo.kg.parse.tasks", "luocdo.kg.parse.vocab",
           "luocdo.kg.bodies", "luocdo.kg.reader", "luocdo.kg.formats"]

N = 100_000
ADVERSARIAL = {
    "digits, / and -": ("1234/2023/" + "12-34/5-" * 3) * (N // 34),
    "hyphen runs": "12-" * (N // 3),
    "Số: repeated": "Số: " * (N // 4),
    "Số: and digits": "Số: 171/" * (N // 8),
    "combining marks": "a\u0301\u0323" * (N // 3),
    "capitals": "KH-PGDĐT" * (N // 8),
    "date phrase repeated": "ngày 1 tháng 1 năm " * (N // 19),
    "open brackets": "(" * N,
    "spaces": " " * N,
    "newlines and spaces": " \n" * (N // 2),
    "Căn cứ repeated": "Căn cứ " * (N // 7),
    "pipes and stars": "|" * (N // 2) + "*" * (N // 2),
    "list marks": "1. a) " * (N // 6),
    "Roman headings": "II. NHIỆM VỤ " * (N // 13),
}
#: extract_text also reads each line as the body of an official document (header, then the line):
#: that is the path that looks for signers, sections, tasks and assignments.
HEADER = "ỦY BAN NHÂN DÂN TỈNH SƠN LA\nSố: 12/KH-UBND\nSơn La, ngày 1 tháng 1 năm 2023\nKẾ HOẠCH\n"

# Run in a child process: each call under a timer (the regex engine checks for signals, so a
# pattern that backtracks is stopped half a second past its limit and reported, instead of hanging
# the suite).
_BATTERY = textwrap.dedent("""\
    import importlib, json, re, signal, sys, time
    from luocdo.kg.parse import extract_text

    modules, inputs, header, limits = json.loads(sys.stdin.read())

    class Stopped(Exception):
        pass

    def stop(signum, frame):
        raise Stopped

    # CPU time, not wall time: a busy machine slows every call alike and says nothing of a pattern.
    signal.signal(signal.SIGPROF, stop)

    def timed(call, limit):
        signal.setitimer(signal.ITIMER_PROF, limit + 0.5)
        t = time.process_time()
        try:
            call()
            return time.process_time() - t, False
        except Stopped:
            return time.process_time() - t, True
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)

    def patterns(obj, path, depth=0):
        if isinstance(obj, re.Pattern):
            yield path, obj
        elif depth < 3 and isinstance(obj, (tuple, list, set, frozenset)):
            for i, x in enumerate(obj):
                yield from patterns(x, f"{path}[{i}]", depth + 1)
        elif depth < 3 and isinstance(obj, dict):
            for k, x in obj.items():
                yield from patterns(x, f"{path}[{k!r}]", depth + 1)

    seen = set()
    found = []
    for name in modules:
        for attr, value in vars(importlib.import_module(name)).items():
            for path, p in patterns(value, f"{name}.{attr}"):
                if id(p) not in seen:
                    seen.add(id(p))
                    found.append((path, p))
    print(json.dumps({"patterns": len(found)}), flush=True)
    for label, line in inputs.items():
        for path, p in found:
            text = line.encode("utf-8") if isinstance(p.pattern, bytes) else line
            s, stopped = timed(lambda: p.search(text), limits[0])
            print(json.dumps({"pattern": path, "input": label, "s": round(s, 3), "stopped": stopped}), flush=True)
        for kind, text in (("", line), ("official document: ", header + line)):
            s, stopped = timed(lambda: extract_text(text, "adversarial.txt"), limits[1])
            print(json.dumps({"extract": kind + label, "s": round(s, 3), "stopped": stopped}), flush=True)
    print(json.dumps({"done": True}), flush=True)
""")

#: CPU seconds one ``.search`` of one pattern, and one ``extract_text``, may take on one adversarial line.
SEARCH_LIMIT, EXTRACT_LIMIT = 1.0, 5.0


def test_every_pattern_is_linear_on_adversarial_lines(faults):
    proc = subprocess.run([sys.executable, "-c", _BATTERY], capture_output=True, text=True, timeout=600,
                          env=faults.environment(),
                          input=json.dumps([MODULES, ADVERSARIAL, HEADER, [SEARCH_LIMIT, EXTRACT_LIMIT]]))
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert records and records[-1].get("done"), proc.stderr[-3000:]
    assert records[0]["patterns"] >= 60, records[0]  # the collection works: the parser has dozens
    assert len([r for r in records if "extract" in r]) == 2 * len(ADVERSARIAL)
    slow = [f"{r['pattern']} on {r['input']!r}: {'stopped after' if r['stopped'] else ''} {r['s']} s"
            for r in records if "pattern" in r and r["s"] >= SEARCH_LIMIT]
    slow += [f"extract_text on {r['extract']!r}: {'stopped after' if r['stopped'] else ''} {r['s']} s"
             for r in records if "extract" in r and r["s"] >= EXTRACT_LIMIT]
    assert not slow, "\n".join(slow)


# -- the reader's limits ---------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    opened = []
    real_open = open

    def spy(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    with pytest.raises(ReadError, match="2048 bytes, over the limit of 1024"):
        read_text(big, Limits(max_file_bytes=1024))
    assert str(big) not in opened
    assert read_text(big, Limits(max_file_bytes=4096)) == "x" * 2048


def _docx(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


DOCUMENT_XML = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                b'2006/main"><w:body><w:p><w:r><w:t>K\xe1\xba\xbf ho\xe1\xba\xa1ch</w:t></w:r></w:p></w:body>'
                b'</w:document>')


def test_docx_entry_count_and_inflated_size_are_limited(tmp_path):
    many = tmp_path / "many.docx"
    many.write_bytes(_docx({"word/document.xml": DOCUMENT_XML, **{f"x/{i}": b"" for i in range(30)}}))
    with pytest.raises(ReadError, match="31 zip entries, over the limit of 20"):
        read_text(many, Limits(max_docx_entries=20))
    assert read_text(many) == "Kế hoạch"

    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(_docx({"word/document.xml": DOCUMENT_XML, "word/media/pad.bin": b"\0" * 5_000_000}))
    assert bomb.stat().st_size < 50_000
    with pytest.raises(ReadError, match="zip bomb"):
        read_text(bomb, Limits(max_docx_uncompressed=1_000_000))


def test_text_over_the_length_limit_is_refused(tmp_path):
    long = tmp_path / "long.txt"
    long.write_text("Kế hoạch " * 200, "utf-8")
    with pytest.raises(ReadError, match="characters, over the limit of 1000"):
        read_text(long, Limits(max_text_chars=1000))


def test_each_limit_is_set_by_its_environment_variable(tmp_path, monkeypatch, faults):
    assert set(LIMIT_VARIABLES.values()) == {"max_file_bytes", "max_text_chars", "max_docx_entries",
                                              "max_docx_uncompressed", "pdf_timeout_s"}
    for variable, field in LIMIT_VARIABLES.items():
        monkeypatch.setenv(variable, "7")
        assert getattr(reader_limits(), field) == 7
        monkeypatch.delenv(variable)
    assert reader_limits() == Limits()
    for bad in ("many", "-1", "0"):
        monkeypatch.setenv("LUOCDO_MAX_FILE_BYTES", bad)
        with pytest.raises(UsageError):
            reader_limits()
    monkeypatch.delenv("LUOCDO_MAX_FILE_BYTES")

    plan = tmp_path / "plan.txt"
    plan.write_text(faults.plan_text(1), "utf-8")
    size = plan.stat().st_size
    store = str(tmp_path / "store")
    env = {"LUOCDO_MAX_FILE_BYTES": str(size - 1)}
    for args in (("extract", str(plan)), ("--store", store, "ingest", str(plan))):
        result = CliRunner().invoke(main, list(args), env=env)
        assert result.exit_code == 1, result.output
        assert f"{plan}: file is {size} bytes, over the limit of {size - 1}" in result.stderr
    # The limit reaches the extraction workers of --jobs too.
    other = tmp_path / "other.txt"
    other.write_text(faults.plan_text(2), "utf-8")
    proc = subprocess.run([*faults.luocdo_command(), "--store", store, "ingest", "-j", "2", str(plan), str(other)],
                          capture_output=True, text=True, timeout=120,
                          env={**faults.environment(), "LUOCDO_MAX_TEXT_CHARS": "100"})
    assert proc.returncode == 1
    assert proc.stderr.count("characters, over the limit of 100") == 2, proc.stderr
    bad = CliRunner().invoke(main, ["extract", str(plan)], env={"LUOCDO_MAX_TEXT_CHARS": "lots"})
    assert bad.exit_code == 2
    assert bad.stderr == "luocdo: LUOCDO_MAX_TEXT_CHARS='lots': expected a number\n"
