"""The four HTML views: what they show for the seeds and the example corpus, escaping, offline pages,
a 3000-document overview, the ``luocdo view`` commands and the atomic write."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from luocdo.kg import iri, lookup, trace
from luocdo.kg.ingest import Ingester
from luocdo.kg.model import Extraction
from luocdo.kg.store import Store, ingest_extraction
from luocdo.viz import graphs, render, style

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
CORPUS = REPO / "examples" / "corpus"
LO = iri.LO

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "</script><script>alert(1)</script>"


def _store(files) -> Store:
    store = Store.open("memory:")
    Ingester(store).ingest_all(files)  # as `luocdo ingest` does: resolved, placed, derived
    return store


@pytest.fixture(scope="module")
def seeds_store():
    store = _store(sorted(SEEDS.glob("*.txt")))
    yield store
    store.close()


@pytest.fixture(scope="module")
def corpus_store():
    store = _store(sorted(CORPUS.glob("*.txt")))
    yield store
    store.close()


def page_data(page: str) -> dict:
    """The nodes, edges and options embedded in a page."""
    found = re.search(r'<script id="luocdo-data" type="application/json">(.*?)</script>', page, re.S)
    assert found, "the page has no data block"
    return json.loads(found.group(1))


def own(page: str) -> str:
    """The page without the inlined vis-network library (whose code holds strings such as "<script>")."""
    js, css = render._vis_assets()
    assert page.count(js) == 1 and page.count(css) == 1
    return page.replace(js, "").replace(css, "")


def labels(page: str) -> set[str]:
    return {n["label"] for n in page_data(page)["nodes"]}


def node_by_label(page: str, label: str) -> dict:
    matches = [n for n in page_data(page)["nodes"] if n["label"] == label]
    assert matches, f"no node {label!r} in {sorted(labels(page))}"
    return matches[0]


EXTERNAL = re.compile(r"<(?:script|link|img|iframe|source|audio|video|embed|object)\b[^>]*"
                      r"\b(?:src|href|data)\s*=", re.I)


def assert_offline(page: str) -> None:
    """No element that loads anything: every script and style is inline, and the CSP forbids fetches."""
    assert not EXTERNAL.search(page), EXTERNAL.search(page).group(0)
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", page, re.I)
    assert "default-src 'none'" in page
    assert "vis.Network" in page and "vis-network" in page.lower()


def doc_iri(store, number: str) -> str:
    return lookup.resolve_document(store, number).iri


# -- the document view --------------------------------------------------------------------------------


def test_doc_view_of_171_in_the_seeds_shows_1587_as_a_stub(seeds_store):
    g = graphs.document_graph(seeds_store, doc_iri(seeds_store, "171/KH-PGDĐT"))
    by_number = {a.get("number"): a for _n, a in g.nodes(data=True)}
    assert by_number["171/KH-PGDĐT"]["focus"] and by_number["171/KH-PGDĐT"]["rank"] == 0
    assert by_number["1587/SGDĐT-VP"]["stub"] is True
    assert by_number["1587/SGDĐT-VP"]["rank"] < 0  # a source: on the left
    page = render.render_html(g)
    stub = node_by_label(page, "KH 1587/SGDĐT-VP")
    assert stub["shapeProperties"]["borderDashes"], "a stub has a dashed border"
    ingested = node_by_label(page, "KH 171/KH-PGDĐT")
    assert "shapeProperties" not in ingested and ingested["borderWidth"] == 4
    assert_offline(page)


def test_doc_view_puts_sources_left_and_followers_right(corpus_store):
    g = graphs.document_graph(corpus_store, doc_iri(corpus_store, "2457/QĐ-BGDĐT"))
    rank = {a.get("number") or style.label_of(a): a["rank"] for _n, a in g.nodes(data=True)}
    assert rank["86/2022/NĐ-CP"] == -1  # căn cứ: it is based on the decree
    assert rank["1587/SGDĐT-VP"] == 1 and rank["1646/QĐ-UBND"] == 1
    assert rank["KH kèm QĐ 2457/QĐ-BGDĐT"] == 1  # the plan it promulgates, issued with it
    assert rank["171/KH-PGDĐT"] == 2
    relations = {a["relation"] for _u, _v, a in g.edges(data=True)}
    assert {"basedOn", "implements", "promulgates"} <= relations
    page = render.render_html(g)
    legend = re.search(r'<aside id="legend">(.*?)</aside>', page, re.S).group(1)
    for words in ("căn cứ", "thực hiện", "ban hành kèm theo", "Trung ương", "Chỉ biết qua trích dẫn"):
        assert words in legend
    # Full title, issuer and date are in the tooltip of the short label.
    plan = node_by_label(page, "KH kèm QĐ 2457/QĐ-BGDĐT")
    assert "Bộ Giáo dục và Đào tạo" in plan["title"] and "23/8/2023" in plan["title"]
    assert page_data(page)["options"]["layout"]["hierarchical"]["direction"] == "LR"


def test_doc_view_depth_is_configurable(corpus_store):
    center = doc_iri(corpus_store, "171/KH-PGDĐT")
    near = {a.get("number") for _n, a in graphs.document_graph(corpus_store, center, depth=1).nodes(data=True)}
    far = {a.get("number") for _n, a in graphs.document_graph(corpus_store, center, depth=2).nodes(data=True)}
    assert "1587/SGDĐT-VP" in near and "45/KH-THCS" in near
    assert "2457/QĐ-BGDĐT" not in near and "2457/QĐ-BGDĐT" in far


def test_doc_view_stops_at_its_cap_and_says_so():
    store = _synthetic_store(300, 20, 3)
    g = graphs.document_graph(store, f"{iri.BASE}doc/b0/2024/0-kh", depth=6, cap=10)
    assert g.number_of_nodes() == 10
    assert "Only the nearest 10 documents" in render.render_html(g)


# -- the trace view ------------------------------------------------------------------------------------


def test_trace_view_of_the_school_task_reaches_the_ministry(corpus_store):
    task = lookup.resolve_task(corpus_store, "45/KH-THCS", "6")
    g = graphs.trace_graph(corpus_store, task)
    tasks = {a["rank"]: a for _n, a in g.nodes(data=True) if a["type"] == "task"}
    assert [tasks[r]["document"].get("number") or style.label_of(tasks[r]["document"]) for r in sorted(tasks)] == [
        "45/KH-THCS", "171/KH-PGDĐT", "1587/SGDĐT-VP", "KH kèm QĐ 2457/QĐ-BGDĐT"]
    assert [tasks[r]["number"] for r in sorted(tasks)] == ["6", "7", "8", "8"]
    page = render.render_html(g)
    derived = [e for e in page_data(page)["edges"] if "dẫn xuất" in e["title"]]
    assert len(derived) == 3
    assert all(re.fullmatch(r"0\.\d\d", e["label"]) for e in derived)
    assert all("Điểm / score" in e["title"] for e in derived)
    assert any("Kế hoạch số 171/KH-PGDĐT" in e["title"] for e in derived), "the citation is the evidence"
    assert page_data(page)["options"]["layout"]["hierarchical"]["direction"] == "DU"
    assert_offline(page)


def _hand_built_tree(make, store):
    """Three documents and a task that carries down two parent tasks, with stored derivations."""
    top = make.doc("t", "Decision", "1/QĐ-BGDĐT", issuer="Bộ Giáo dục và Đào tạo", date="2023-08-01")
    mid = make.doc("m", "Plan", "2/KH-SGDĐT", issuer="Sở Giáo dục và Đào tạo tỉnh Sơn La", date="2023-09-01")
    low = make.doc("l", "Plan", "3/KH-PGDĐT", issuer="Phòng Giáo dục và Đào tạo huyện Mộc Châu",
                   date="2023-09-20")
    for key, d, tasks in (("t", top, ("1", "2")), ("m", mid, ("1",)), ("l", low, ("4",))):
        ex = Extraction(f"{key}.txt", "", (d,), tasks=tuple(
            make.task(n, f"Nhiệm vụ {n} của {key}: chuyển đổi số", doc=key, span=(10 * i, 10 * i + 9))
            for i, n in enumerate(tasks)))
        ingest_extraction(store, ex, f"{key}.txt")
    store.update_derived()

    def task_of(number: str, n: str) -> str:
        return lookup.resolve_task(store, number, n)

    low4, mid1, top1, top2 = (task_of("3/KH-PGDĐT", "4"), task_of("2/KH-SGDĐT", "1"),
                              task_of("1/QĐ-BGDĐT", "1"), task_of("1/QĐ-BGDĐT", "2"))
    g = ox.NamedNode(trace.DERIVATIONS_GRAPH)
    quads = []
    for n, (child, parent, score) in enumerate(((low4, mid1, "0.61"), (mid1, top1, "0.44"), (mid1, top2, "0.2"))):
        node = ox.NamedNode(f"{iri.BASE}derivation/test-{n}")
        quads += [ox.Quad(ox.NamedNode(child), ox.NamedNode(LO + "derivedFrom"), ox.NamedNode(parent), g),
                  ox.Quad(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(LO + "Derivation"), g),
                  ox.Quad(node, ox.NamedNode(LO + "derived"), ox.NamedNode(child), g),
                  ox.Quad(node, ox.NamedNode(LO + "source"), ox.NamedNode(parent), g),
                  ox.Quad(node, ox.NamedNode(LO + "score"),
                          ox.Literal(score, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")), g),
                  ox.Quad(node, ox.NamedNode(LO + "evidence"), ox.Literal(f"«{child[-6:]}» ~ «{parent[-6:]}» <b>"), g)]
    store.replace_graph(trace.DERIVATIONS_GRAPH, quads)
    return low4, mid1, top1, top2


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_trace_view_of_a_hand_built_tree_shows_both_parents_with_scores(make, memory_store):
    low4, mid1, top1, top2 = _hand_built_tree(make, memory_store)
    g = graphs.trace_graph(memory_store, low4)
    assert {(u, v) for u, v, a in g.edges(data=True) if a["relation"] == "derivedFrom"} == {
        (low4, mid1), (mid1, top1), (mid1, top2)}
    assert g.nodes[low4]["rank"] == 0 and g.nodes[mid1]["rank"] == 1
    assert g.nodes[top1]["rank"] == g.nodes[top2]["rank"] == 2
    assert g.edges[mid1, top1]["score"] == pytest.approx(0.44)
    assert g.nodes[top1]["level"] == "Central" and g.nodes[low4]["level"] == "District"
    page = render.render_html(g)
    assert {"0.61", "0.44", "0.20"} <= {e.get("label") for e in page_data(page)["edges"]}
    # The evidence's "<b>" is text: escaped in the tooltip, and not even raw in the JSON.
    assert "&lt;b&gt;" in " ".join(e["title"] for e in page_data(page)["edges"])
    assert "<b>»" not in page and "» <b>" not in page


def test_trace_view_without_derivations_says_so(make, memory_store):
    ingest_extraction(memory_store, Extraction("a.txt", "", (make.doc(),), tasks=(make.task("1"),)), "a.txt")
    memory_store.update_derived()
    g = graphs.trace_graph(memory_store, lookup.resolve_task(memory_store, "171/KH-PGDĐT", "1"))
    assert [a["type"] for _n, a in g.nodes(data=True)] == ["task", "document"]
    assert "lo:derivedFrom" in render.render_html(g)


# -- the body view -------------------------------------------------------------------------------------


def test_body_view_shows_what_a_body_issued_and_to_whom_it_passes_tasks(corpus_store):
    body = lookup.resolve_body(corpus_store, "Sở Giáo dục và Đào tạo tỉnh Hải Dương")
    g = graphs.body_graph(corpus_store, body)
    issued = [v for _u, v, a in g.out_edges(body, data=True) if a["relation"] == "issuedBy"]
    assert [g.nodes[d]["number"] for d in issued] == ["1587/SGDĐT-VP"]
    passed = {g.nodes[b]["name"]: a for _d, b, a in g.out_edges(issued[0], data=True)}
    assert "cooperate" in passed["Sở Tài chính tỉnh Hải Dương"]["roles"]
    assert all(g.nodes[b]["rank"] == 2 for b in (n for n in g if g.nodes[n]["type"] == "body" and n != body))
    page = render.render_html(g)
    assert "phối hợp" in labels(page) | {e.get("label") for e in page_data(page)["edges"]}
    assert_offline(page)


def test_body_view_shows_the_tasks_a_body_is_assigned(corpus_store):
    body = lookup.resolve_body(corpus_store, "Sở Giáo dục và Đào tạo tỉnh Sơn La")
    g = graphs.body_graph(corpus_store, body)
    into = [(u, a) for u, _b, a in g.in_edges(body, data=True)]
    assert into and all(a["relation"] in style.ROLES for _u, a in into)
    assert any("lead" in a["roles"] for _u, a in into)


# -- the corpus overview -------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["seeds_store", "corpus_store"])
def test_corpus_view_shows_every_document(which, request):
    store = request.getfixturevalue(which)
    g = graphs.corpus_graph(store)
    count = store.stats()["documents"]
    assert g.number_of_nodes() == count and not g.graph["clustered"]
    page = render.render_html(g)
    assert len(page_data(page)["nodes"]) == count
    assert page_data(page)["options"]["physics"]["enabled"]
    assert_offline(page)


def _synthetic_store(documents: int, issuers: int, provinces: int) -> Store:
    """A store of ``documents`` documents of ``issuers`` bodies in ``provinces`` provinces, two citations each."""
    store = Store.open("memory:")
    t, lab = RDF_TYPE, "http://www.w3.org/2000/01/rdf-schema#label"
    lines = []
    for p in range(provinces):
        lines.append(f"<{iri.BASE}body/p{p}> <{t}> <{LO}Body> ; <{lab}> \"Ủy ban nhân dân tỉnh {p}\" ; "
                     f"<{LO}level> <{LO}Provincial> .")
    for b in range(issuers):
        lines.append(f"<{iri.BASE}body/b{b}> <{t}> <{LO}Body> ; <{lab}> \"Trường số {b} <i>\" ; "
                     f"<{LO}level> <{LO}Institution> ; <{LO}subOrganizationOf> <{iri.BASE}body/p{b % provinces}> .")
    def doc(d: int) -> str:
        return f"<{iri.BASE}doc/b{d % issuers}/2024/{d}-kh>"

    for d in range(documents):
        lines.append(f"{doc(d)} <{t}> <{LO}Document> , <{LO}Plan> ; <{LO}number> \"{d}/KH-T\" ; "
                     f"<{LO}issuedBy> <{iri.BASE}body/b{d % issuers}> ; <{LO}stub> {'true' if d % 3 else 'false'} .")
        for k in (1, 7):
            lines.append(f"{doc(d)} <{LO}cites> {doc((d + k) % documents)} .")
    # A stray relation to something that is no document must not break the overview.
    lines.append(f"{doc(0)} <{LO}cites> <{iri.BASE}body/b0> .")
    body = "\n".join(lines)
    store.replace_graph(f"{iri.BASE}source/synthetic", list(ox.parse(body.encode("utf-8"), format=ox.RdfFormat.TURTLE)))
    return store


def test_corpus_view_of_3000_documents_clusters_fast_and_small():
    store = _synthetic_store(3000, 240, 30)
    started = time.perf_counter()
    g = graphs.corpus_graph(store, max_nodes=1500)
    page = render.render_html(g)
    elapsed = time.perf_counter() - started
    assert elapsed < 8, f"{elapsed:.1f} s"
    assert len(page.encode("utf-8")) < 5_000_000
    assert g.graph["clustered"] and g.number_of_nodes() == 240
    assert "clustered" in page and "đã gom nhóm" in page
    nodes = page_data(page)["nodes"]
    assert sum(int(re.search(r"\((\d+)\)$", n["label"]).group(1)) for n in nodes) == 3000
    assert all(n["value"] >= 1 for n in nodes)  # sized by count
    assert "<i>" not in own(page)  # body names are data too


def test_corpus_view_clusters_by_province_when_issuers_are_too_many():
    store = _synthetic_store(600, 240, 30)
    g = graphs.corpus_graph(store, max_nodes=100)
    assert g.graph["clustered"] and g.number_of_nodes() == 30
    assert {a["name"] for _n, a in g.nodes(data=True)} == {f"Ủy ban nhân dân tỉnh {p}" for p in range(30)}
    assert "tỉnh" in g.graph["notes"][0] and "province" in g.graph["notes"][0]


def test_corpus_view_below_the_cap_is_not_clustered():
    g = graphs.corpus_graph(_synthetic_store(300, 20, 3), max_nodes=1500)
    assert not g.graph["clustered"] and g.number_of_nodes() == 300 and not g.graph["notes"]


# -- escaping --------------------------------------------------------------------------------------------


@pytest.fixture
def xss_store(make, memory_store):
    """A document whose title and issuer (and a citation, a task, an assignee) hold markup."""
    d = make.doc("d1", "Plan", "9/KH-XSS", title=XSS_IMG + XSS_SCRIPT, issuer=XSS_SCRIPT + " Sở " + XSS_IMG)
    ex = Extraction("x.txt", "", (d,),
                    citations=(make.cite(number=None, kind="Law", title=XSS_SCRIPT + " Luật <a href=x>",
                                         issuer=XSS_IMG, text="Căn cứ " + XSS_SCRIPT, relation="basedOn"),),
                    tasks=(make.task("1", XSS_IMG + " nhiệm vụ " + XSS_SCRIPT),),
                    assignments=(make.assign(XSS_IMG + " Phòng", task="1", text=XSS_SCRIPT),))
    ingest_extraction(memory_store, ex, "x.txt")
    memory_store.update_derived()
    return memory_store


def _xss_pages(store) -> dict[str, str]:
    doc = lookup.resolve_document(store, "9/KH-XSS").iri
    task = lookup.resolve_task(store, "9/KH-XSS", "1")
    issuer = next(b for b, a in graphs.body_facts(store).items() if "Sở" in a["name"])
    assignee = next(b for b, a in graphs.body_facts(store).items() if "Phòng" in a["name"])
    return {"doc": render.render_html(graphs.document_graph(store, doc)),
            "trace": render.render_html(graphs.trace_graph(store, task)),
            "body": render.render_html(graphs.body_graph(store, issuer)),
            "assignee": render.render_html(graphs.body_graph(store, assignee)),
            "corpus": render.render_html(graphs.corpus_graph(store))}


def test_no_text_from_a_document_can_open_a_tag(xss_store):
    for name, full in _xss_pages(xss_store).items():
        page = own(full)
        for raw in (XSS_IMG, XSS_SCRIPT, "<img", "<a href", "alert(1)</script>"):
            assert raw not in full, (name, raw)
        # Exactly the page's own three scripts: vis-network, the data block, the start-up code.
        assert page.count("<script") == 3 and page.count("</script>") == 3, name
        assert_offline(full)
        # The payload is still there, as text: escaped in tooltips, \\u003c-escaped in the JSON.
        data = page_data(page)
        texts = " ".join(str(n.get("title", "")) + str(n.get("label", "")) for n in data["nodes"])
        assert "&lt;img src=x onerror=alert(1)&gt;" in texts or XSS_IMG[:20] in texts, name


def test_the_title_of_the_page_is_escaped(xss_store):
    page = _xss_pages(xss_store)["body"]
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in heading


def test_script_json_cannot_end_its_script_block():
    text = render.script_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_labels_are_short_and_tooltips_full():
    long_title = "Kế hoạch nhiệm vụ, giải pháp trọng tâm năm học 2023 - 2024 của ngành giáo dục huyện Gia Lộc"
    attrs = {"type": "document", "kind": "Plan", "number": "171/KH-PGDĐT", "title": long_title,
             "issuer": "Phòng Giáo dục và Đào tạo huyện Gia Lộc", "date": "2023-09-14", "stub": False}
    assert render.node_label(attrs) == "KH 171/KH-PGDĐT"
    tip = render.node_tooltip(attrs)
    assert long_title in tip and "Phòng Giáo dục và Đào tạo huyện Gia Lộc" in tip and "14/9/2023" in tip
    assert len(render.node_label({**attrs, "number": None})) <= style.LABEL_WIDTH


# -- the command line and the file -----------------------------------------------------------------------


def luocdo(*args: str):
    from luocdo.kg.cli import main  # here, not at the top: the other tests need no CLI

    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "data"
    result = luocdo("--store", str(path), "ingest", str(CORPUS))
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("args", [
    ["doc", "1587/SGDĐT-VP", "--depth", "2"],
    ["doc", "2457/QĐ-BGDĐT", "--issuer", "Bộ Giáo dục và Đào tạo", "--year", "2023"],
    ["trace", "45/KH-THCS", "6"],
    ["body", "Sở Giáo dục và Đào tạo tỉnh Hải Dương"],
    ["corpus", "--max-nodes", "1500"],
], ids=lambda a: a[0] + "-" + (a[1] if len(a) > 1 else ""))
def test_luocdo_view_writes_one_file_and_prints_its_path(args, disk_store, tmp_path):
    out = tmp_path / "views" / "v.html"
    out.parent.mkdir()
    result = luocdo("--store", str(disk_store), "view", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    assert [p.name for p in out.parent.iterdir()] == ["v.html"]  # no lib/ folder, no temporary file
    page = out.read_text("utf-8")
    assert_offline(page)
    assert page_data(page)["nodes"]


def test_luocdo_view_errors_are_one_line(disk_store, tmp_path):
    missing = luocdo("--store", str(disk_store), "view", "corpus", "-o", str(tmp_path / "no" / "such" / "v.html"))
    assert missing.exit_code == 2 and "does not exist" in missing.output and "Traceback" not in missing.output
    unknown = luocdo("--store", str(disk_store), "view", "doc", "9999/XX-YY", "-o", str(tmp_path / "v.html"))
    assert unknown.exit_code == 1 and "no document" in unknown.output
    assert not (tmp_path / "v.html").exists()


def test_a_failed_write_leaves_the_old_page(tmp_path, monkeypatch):
    out = tmp_path / "v.html"
    out.write_text("old", "utf-8")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render.os, "replace", refuse)
    g = nx.DiGraph(title="x")
    g.add_node("a", type="body", name="Sở Y tế")
    with pytest.raises(render.ViewError, match="No space left"):
        render.write_view(g, out)
    assert out.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["v.html"]


def test_docstring_examples_hold():
    import doctest

    for module in (style, render, graphs):
        failed, _tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failed == 0, module.__name__
