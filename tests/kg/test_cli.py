"""Tests of the command line, through click's runner and through the installed ``luocdo`` script."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from luocdo.kg.cli import main

#: The fields the extract contract (contracts/extract-json.md) promises; more may be added.
CONTRACT_FIELDS = {
    "documents": {"key", "kind", "number", "title", "issuer", "date", "year", "place", "signer",
                  "jurisdiction", "span"},
    "citations": {"from", "kind", "number", "title", "issuer", "date", "year", "relation", "text", "span"},
    "tasks": {"doc", "number", "title", "parent", "span"},
    "assignments": {"doc", "task", "assignee", "role", "text", "span"},
    "initiatives": {"doc", "kind", "title", "span"},
}

PLAN = """ỦY BAN NHÂN DÂN HUYỆN GIA LỘC
PHÒNG GIÁO DỤC VÀ ĐÀO TẠO
Số: 171/KH-PGDĐT
Gia Lộc, ngày 14 tháng 9 năm 2023

KẾ HOẠCH
Nhiệm vụ, giải pháp trọng tâm năm học 2023 - 2024

Căn cứ Quyết định số 2457/QĐ-BGDĐT ngày 23/8/2023 của Bộ Giáo dục và Đào tạo;
Thực hiện Kế hoạch số 1587/SGDĐT-VP ngày 11/9/2023 của Sở Giáo dục và Đào tạo Hải Dương,
Phòng Giáo dục và Đào tạo xây dựng kế hoạch như sau:
1. Đẩy mạnh chuyển đổi số.
Hiệu trưởng các nhà trường có trách nhiệm quán triệt Kế hoạch này.
"""


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=True)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "171-kh-pgddt.txt").write_text(PLAN, "utf-8")
    (folder / "sub").mkdir()
    note = "Công văn số 12/UBND-VP ngày 2/1/2024 của Ủy ban nhân dân tỉnh."
    (folder / "sub" / "note.md").write_text(note, "utf-8")
    return folder


# -- extract ---------------------------------------------------------------------------------------


def test_extract_prints_contract_json(corpus):
    result = run("extract", str(corpus / "171-kh-pgddt.txt"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "171-kh-pgddt.txt"
    assert set(CONTRACT_FIELDS) | {"source"} <= set(data)
    assert data["documents"], "every file gives at least one document"
    for section, fields in CONTRACT_FIELDS.items():
        for entry in data[section]:
            assert fields <= set(entry), (section, fields - set(entry))
    # Vietnamese as is (ensure_ascii=False), indented by 2.
    assert result.stdout == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def test_extract_text_prints_the_decoded_text(corpus):
    result = run("extract", "--text", str(corpus / "171-kh-pgddt.txt"))
    assert result.exit_code == 0
    assert result.stdout == PLAN


def test_extract_of_a_missing_file_is_one_line(tmp_path):
    result = run("extract", str(tmp_path / "absent.txt"))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("luocdo: ")
    assert "absent.txt" in result.stderr


def test_extract_does_not_import_the_rdf_stack(corpus, clean_env):
    code = textwrap.dedent(f"""
        import sys
        from luocdo.kg.cli import main
        try:
            main(["extract", {str(corpus / "171-kh-pgddt.txt")!r}])
        except SystemExit as e:
            assert e.code in (0, None), e.code
        loaded = {{m.split(".")[0] for m in sys.modules}}
        heavy = sorted(loaded & {{"rdflib", "pyoxigraph", "pyshacl", "owlready2"}})
        print("HEAVY", heavy, file=sys.stderr)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean_env,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stderr, proc.stderr


# -- ingest ----------------------------------------------------------------------------------------


def test_ingest_a_folder_with_one_unreadable_file(corpus, tmp_path):
    bad = corpus / "scan.txt"
    bad.write_bytes(b"\xff\xfe\x00\x00broken\x81")
    (corpus / ".DS_Store").write_bytes(b"\x00\x01")  # hidden: not a source, not an error
    store = str(tmp_path / "store")
    result = run("--store", store, "ingest", str(corpus))
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"luocdo: {bad}: ")
    assert "ingested 2 files" in result.stdout and "1 file failed" in result.stdout

    stats = run("--store", store, "stats")
    assert stats.exit_code == 0
    counts = dict(line.split(": ") for line in stats.stdout.splitlines())
    assert counts["files"] == "2"
    assert int(counts["documents"]) >= 2


def test_ingest_timings_tell_each_stage_on_stderr(corpus, tmp_path):
    quiet = run("--store", str(tmp_path / "a"), "ingest", str(corpus))
    assert quiet.exit_code == 0 and quiet.stderr == ""  # not a terminal, not asked: nothing
    timed = run("--store", str(tmp_path / "b"), "ingest", "--timings", str(corpus))
    assert timed.exit_code == 0 and timed.stdout == quiet.stdout
    lines = timed.stderr.splitlines()
    assert lines[0].startswith("luocdo: read 2 files (") and lines[0].endswith(" s)"), lines
    stages = [line.split(" (")[0] for line in lines]
    assert "luocdo: marked the documents known only from citations" in stages
    assert any(s.startswith("luocdo: matched and wrote the derivations of ") for s in stages), stages
    assert all(float(line.rsplit("(", 1)[1].removesuffix(" s)")) >= 0 for line in lines)


def test_ingest_twice_leaves_the_counts(corpus, tmp_path):
    store = str(tmp_path / "store")
    assert run("--store", store, "ingest", str(corpus)).exit_code == 0
    first = run("--store", store, "stats").stdout
    assert run("--store", store, "ingest", str(corpus / "171-kh-pgddt.txt")).exit_code == 0
    assert run("--store", store, "stats").stdout == first


def test_store_comes_from_the_environment(corpus, tmp_path):
    store = tmp_path / "env-store"
    result = run("ingest", str(corpus), env={"LUOCDO_STORE": str(store)})
    assert result.exit_code == 0, result.output
    assert (store / "CURRENT").exists()


# -- query -----------------------------------------------------------------------------------------


def test_query_with_an_injection_payload_returns_nothing_and_changes_nothing(corpus, tmp_path):
    store = str(tmp_path / "store")
    assert run("--store", store, "ingest", str(corpus)).exit_code == 0
    before = run("--store", store, "stats").stdout
    payload = '" } ; DROP ALL #'
    # A name that must be looked up (a document, a body) is refused with one line...
    for name, param in (("documents-by-issuer", "issuer"), ("cited-by", "doc")):
        result = run("--store", store, "query", name, "--param", f"{param}={payload}", "--format", "json")
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("luocdo: ") and result.stderr.count("\n") == 1
    # ... and a plain string is bound as a literal: no rows, nothing run.
    result = run("--store", store, "query", "plans-for-school-year", "--param", f"school_year={payload}",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    assert run("--store", store, "stats").stdout == before


def test_query_a_file_with_guessed_parameter_types(corpus, tmp_path):
    store = str(tmp_path / "store")
    assert run("--store", store, "ingest", str(corpus)).exit_code == 0
    rq = tmp_path / "files.rq"
    rq.write_text("PREFIX lo: <https://w3id.org/luocdo/ontology#>\n"
                  "SELECT ?start ?f WHERE { ?d lo:sourceFile ?f ; lo:charStart ?start }\n", "utf-8")
    result = run("--store", store, "query", str(rq), "--param", "start=0", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "f" and len(lines) >= 3  # the bound column is left out; one row per document
    table = run("--store", store, "query", str(rq), "--param", "start=0")
    assert table.exit_code == 0 and table.stdout.splitlines()[0].strip() == "f"


def test_query_usage_errors(tmp_path):
    store = str(tmp_path / "store")
    cases = [
        (("query", "documents-by-issuer"), 2, "needs --param issuer"),
        (("query", "documents-by-issuer", "--param", "issuer"), 2, "expected NAME=VALUE"),
        (("query", "documents-by-issuer", "--param", "who=x"), 2, "no parameter 'who'"),
        (("query", "no-such-query"), 1, "no query named 'no-such-query'"),
        (("query", str(tmp_path / "absent.rq")), 1, "cannot read the query"),
    ]
    for args, code, message in cases:
        result = run("--store", store, *args)
        assert result.exit_code == code, (args, result.output)
        assert result.stderr.startswith("luocdo: ") and message in result.stderr, (args, result.stderr)
        assert result.stderr.count("\n") == 1


def test_query_before_any_ingest_says_so(tmp_path):
    result = run("--store", str(tmp_path / "nothing"), "query", "cited-by", "--param", "doc=1/KH")
    assert result.exit_code == 1
    assert "run 'luocdo ingest' first" in result.stderr


# -- export, stats, validate, errors ------------------------------------------------------------------


def test_export_to_a_file_and_to_stdout(corpus, tmp_path):
    store = str(tmp_path / "store")
    assert run("--store", store, "ingest", str(corpus)).exit_code == 0
    out = tmp_path / "all.nq"
    assert run("--store", store, "export", "--format", "nq", "-o", str(out)).exit_code == 0
    assert out.read_text("utf-8").count("\n") > 10
    result = run("--store", store, "export", "--format", "ttl")
    assert result.exit_code == 0 and "@prefix lo:" in result.stdout


def test_validate_runs(corpus, tmp_path):
    store = str(tmp_path / "store")
    assert run("--store", store, "ingest", str(corpus)).exit_code == 0
    result = run("--store", store, "validate")
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert result.stdout.startswith("Violation: ")


def test_an_unexpected_error_is_one_line_unless_debug(monkeypatch, tmp_path):
    import luocdo.kg.store

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(luocdo.kg.store, "open_store", broken)
    result = run("--store", str(tmp_path / "s"), "stats")
    assert result.exit_code == 1
    assert result.stderr == ("luocdo: unexpected error: RuntimeError: disk on fire "
                             "(--debug shows the traceback)\n")
    debug = run("--debug", "--store", str(tmp_path / "s"), "stats")
    assert isinstance(debug.exception, RuntimeError)


# -- the installed script ------------------------------------------------------------------------------


def test_installed_script_ingests_and_queries(luocdo_bin, corpus, tmp_path, clean_env):
    store = str(tmp_path / "store")
    ingest = subprocess.run([luocdo_bin, "--store", store, "ingest", str(corpus)],
                            capture_output=True, text=True, env=clean_env, timeout=120)
    assert ingest.returncode == 0, ingest.stderr
    assert ingest.stdout.startswith("ingested 2 files")
    query = subprocess.run([luocdo_bin, "--store", store, "query", "documents-by-issuer",
                            "--param", "issuer=Bộ Giáo dục và Đào tạo", "--format", "json"],
                           capture_output=True, text=True, env=clean_env, timeout=60)
    assert query.returncode == 0, query.stderr
    assert isinstance(json.loads(query.stdout), list)
    locked = subprocess.run([luocdo_bin, "--store", store, "stats"], capture_output=True, text=True,
                            env=clean_env, timeout=60)
    assert locked.returncode == 0 and "quads: " in locked.stdout


def test_end_to_end_seeds_cite_decision_2457(luocdo_bin, seeds, tmp_path, clean_env):
    """Ingest the seed corpus and find, with a query of our own, who cites Quyết định 2457/QĐ-BGDĐT.

    Seed 004 (the Sơn La plan) cites it in its preamble; this passes once the parser finds citations.
    """
    store = str(tmp_path / "store")
    ingest = subprocess.run([luocdo_bin, "--store", store, "ingest", str(seeds)],
                            capture_output=True, text=True, env=clean_env, timeout=120)
    assert ingest.returncode == 0, ingest.stderr
    rq = tmp_path / "citing.rq"
    rq.write_text(textwrap.dedent("""\
        #+ summary: Documents that cite the document with a number.
        #+ params: number: string e.g. "2457/QĐ-BGDĐT"
        #+ columns: doc, file
        PREFIX lo: <https://w3id.org/luocdo/ontology#>
        SELECT DISTINCT ?number ?doc ?file WHERE {
          ?cited lo:number ?number .
          ?doc lo:cites ?cited ;
               lo:sourceFile ?file .
        }
        ORDER BY ?file
    """), "utf-8")
    query = subprocess.run([luocdo_bin, "--store", store, "query", str(rq), "--param", "number=2457/QĐ-BGDĐT",
                            "--format", "json"], capture_output=True, text=True, env=clean_env, timeout=60)
    assert query.returncode == 0, query.stderr
    rows = json.loads(query.stdout)
    assert any(row["file"].endswith("004_8c5d3e59b5ba5785.txt") for row in rows), rows
