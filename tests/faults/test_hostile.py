"""Hostile text is data: in every option and argument, in RDF-looking inputs, and no network.

Every command that takes text is given SPARQL, markup and control-character payloads. Each must
fail cleanly (exit 1 or 2, one ``luocdo:`` line, no traceback) or answer with no rows, and the
store must hold exactly the same quads afterwards.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from luocdo.kg.cli import main
from luocdo.kg.store import open_store

PAYLOADS = ['"', "\\u0022", ">", "}", ";", "#", "DROP ALL", "<script>alert(1)</script>", '" } ; DROP ALL #',
            "\\", "a\n} DROP ALL", "qq\x00zz"]

# (arguments around the payload P, what a success may print): every text option and argument.
# ``bodies`` is a fuzzy search (accents, case and punctuation ignored): it may list real bodies.
# (--issuer is looked up the same way by show, trace, coverage and view: show stands for them.)
COMMANDS = [
    (("show", "P"), None),
    (("show", "100/KH-PGDĐT", "--issuer", "P"), None),
    (("trace", "P", "1"), None),
    (("trace", "100/KH-PGDĐT", "P"), None),
    (("delegation", "P", "1"), None),
    (("coverage", "P"), None),
    (("bodies", "P"), "bodies"),
    (("query", "P"), None),
    (("query", "documents-by-issuer", "--param", "issuer=P", "--format", "json"), "[]"),
    (("query", "cited-by", "--param", "doc=P", "--format", "json"), "[]"),
    (("query", "plans-for-school-year", "--param", "school_year=P", "--format", "json"), "[]"),
    (("query", "documents-by-issuer", "--param", "P=Sở Giáo dục và Đào tạo"), None),
]


def _argument(a: str, payload: str) -> str:
    if a == "P":
        return payload
    if a.endswith("=P"):
        return a[:-1] + payload
    if a.startswith("P="):
        return payload + a[1:]
    return a


def _all_quads(url: str) -> str:
    with open_store(url, create=False) as s:
        lines = sorted(s.backend.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("_faults_conftest", Path(__file__).with_name("conftest.py"))
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    root = tmp_path_factory.mktemp("hostile")
    corpus = helpers.write_corpus(root / "corpus", 4)
    url = str(root / "store")
    result = CliRunner().invoke(main, ["--store", url, "ingest", *map(str, corpus)])
    assert result.exit_code == 0, result.output
    return url, _all_quads(url)


def _clean(result, args) -> None:
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    assert "Traceback" not in result.output, (args, result.output)
    if result.exit_code:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("luocdo: "), (args, result.stderr)


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
def test_payloads_in_every_text_argument_are_data(store, payload, tmp_path, monkeypatch):
    store, before = store
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for template, success in COMMANDS:
        args = [_argument(a, payload) for a in template]
        result = runner.invoke(main, ["--store", store, *args])
        _clean(result, args)
        if result.exit_code == 0:
            assert success is not None, (args, result.stdout)
            if success == "[]":
                assert json.loads(result.stdout) == [], (args, result.stdout)
            else:
                lines = result.stdout.splitlines()
                assert lines[0].startswith("no body matches") or all(
                    re.fullmatch(r"\w[^\n]* {2}\[[a-z-]+; (registry|graph|registry, graph)\]", ln) for ln in lines), lines
    # The store path and the output path themselves.
    for args in (["--store", payload, "stats"], ["--store", store, "export", "-o", payload]):
        result = runner.invoke(main, args)
        _clean(result, args)
    assert _all_quads(store) == before


def test_a_store_path_full_of_syntax_is_just_a_folder(tmp_path, monkeypatch, faults):
    monkeypatch.chdir(tmp_path)
    corpus = faults.write_corpus(tmp_path / "corpus", 1)
    for name in ('" } ; DROP ALL #', "Sở\nGD"):
        result = CliRunner().invoke(main, ["--store", name, "ingest", str(corpus[0])])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name / "CURRENT").exists()
        stats = CliRunner().invoke(main, ["--store", name, "stats"])
        assert "files: 1" in stats.stdout


# -- RDF-looking inputs are text: no DTD is read, no entity expanded ---------------------------------

SECRET = "BÍ MẬT: nội dung của một tệp khác"


@pytest.mark.parametrize("suffix,head", [
    (".ttl", '<!DOCTYPE x [<!ENTITY leak SYSTEM "file://SECRET">]>\n@prefix lo: <https://w3id.org/luocdo/ontology#> .\n'),
    (".rdf", '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY leak SYSTEM "file://SECRET">'
             '<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
             '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>'
             '&leak;&b;</rdf:Description></rdf:RDF>\n'),
    (".xml", '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY leak SYSTEM "file://SECRET">]>'
             '<html><body><p>&leak;</p></body></html>\n'),
])
def test_rdf_and_xml_with_entities_are_read_as_text_never_expanded(tmp_path, faults, suffix, head):
    from luocdo.kg.ingest import extract_path
    from luocdo.kg.reader import read_text

    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, "utf-8")
    source = tmp_path / f"plan{suffix}"
    source.write_text(head.replace("SECRET", str(secret)) + "&leak;\n" + faults.plan_text(7), "utf-8")
    try:
        text = read_text(source)
    except Exception as e:  # refusing it is as good as reading it as text
        assert "DTD" in str(e) or "entit" in str(e), e
        return
    assert SECRET not in text
    assert "hahaha" not in text
    assert SECRET not in json.dumps(extract_path(source).to_json(), ensure_ascii=False)

    store = str(tmp_path / "store")
    result = CliRunner().invoke(main, ["--store", store, "ingest", str(source)])
    assert result.exit_code in (0, 1), result.output
    with open_store(store, create=False) as s:
        dumped = s.backend.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8")
    assert SECRET not in dumped and "hahaha" not in dumped


# -- the ontology comes from the package, never from the network ----------------------------------


def test_the_ontology_loads_with_the_network_cut(monkeypatch):
    def no_network(self, *args, **kwargs):
        raise OSError("the network is cut in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: no_network(None))
    import luocdo.ontology as ontology

    if hasattr(ontology.hierarchy, "cache_clear"):
        ontology.hierarchy.cache_clear()  # read the file again, now without a network
    _classes, properties = ontology.hierarchy()
    assert ontology.LO + "cites" in properties[ontology.LO + "basedOn"]
    with open_store("memory:") as s:
        s.load_ontology()
        assert s.quad_count() > 100
    onto = ontology.load_owlready()
    assert any(c.iri == ontology.LO + "Plan" for c in onto.classes())
