"""networkx -> pyvis -> one self-contained HTML page, escaped, written atomically.

The page works from ``file://`` with no network: vis-network's script and stylesheet come from the
files bundled in the pyvis package and are put inline; a Content-Security-Policy forbids every
fetch. pyvis's own page template links Bootstrap from a CDN even in its ``in_line`` mode, so the
page is this module's template, fed with the nodes, edges and options that pyvis builds.

Text from documents is never trusted:

- tooltips are HTML built here from pieces each passed through ``html.escape``;
- the node and edge data sit in a ``<script type="application/json">`` block in which ``<``, ``>``
  and ``&`` are written as ``\\u003c``, ``\\u003e``, ``\\u0026``, so no text can close the block;
- the title, notes and legend are rendered by Jinja with autoescaping.

>>> import networkx as nx
>>> g = nx.DiGraph(title="<b>x</b>"); g.add_node("a", type="body", name="</script><script>alert(1)</script>")
>>> page = render_html(g)
>>> "<script>alert(1)" in page, "&lt;b&gt;x&lt;/b&gt;" in page
(False, True)
"""

from __future__ import annotations

import functools
import html
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx
from pyvis.network import Network

from ..kg.errors import LuocdoError, UsageError
from . import style


class ViewError(LuocdoError):
    """A view cannot be written (the output folder is missing or not writable)."""


#: vis-network as bundled by pyvis (the version its templates use).
_VIS_DIR = Path(__import__("pyvis").__file__).parent / "templates" / "lib" / "vis-9.1.2"
#: Longest evidence shown in a tooltip, in characters (the rest is cut with an ellipsis).
EVIDENCE_WIDTH = 400

_PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline';
      style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="generator" content="luocdo view {{ view }}">
<title>{{ title }}</title>
<style>{{ vis_css|safe }}</style>
<script>{{ vis_js|safe }}</script>
<style>
  html, body { margin: 0; height: 100%; font-family: Arial, "Helvetica Neue", sans-serif; color: #17202a; }
  body { display: flex; flex-direction: column; }
  header { padding: 10px 16px 6px; border-bottom: 1px solid #d5d8dc; }
  h1 { font-size: 20px; margin: 0 0 2px; }
  h1 .en { font-weight: normal; color: #5d6d7e; font-size: 15px; margin-left: 8px; }
  header p { margin: 2px 0; font-size: 13px; }
  header p.en { color: #5d6d7e; }
  header p.note { color: #7e5109; background: #fef5e7; padding: 3px 6px; border-radius: 3px; }
  main { flex: 1; display: flex; min-height: 0; }
  #graph { flex: 1; min-width: 0; background: #ffffff; }
  #legend { width: 250px; overflow-y: auto; border-left: 1px solid #d5d8dc; padding: 8px 10px; font-size: 12px; }
  #legend h2 { font-size: 13px; margin: 8px 0 4px; }
  #legend ul { list-style: none; margin: 0; padding: 0; }
  #legend li { display: flex; align-items: center; margin: 3px 0; }
  #legend .sw { flex: none; width: 26px; height: 14px; margin-right: 8px; box-sizing: border-box; }
  #legend .sw.box { border: 2px solid; border-radius: 2px; }
  #legend .sw.ellipse { border: 2px solid; border-radius: 50%; }
  #legend .sw.database { border: 2px solid; border-radius: 40% / 25%; }
  #legend .sw.dot { width: 14px; margin: 0 14px 0 6px; border: 2px solid; border-radius: 50%; }
  #legend .sw.text { border: 0; border-bottom: 2px dotted #5d6d7e; }
  #legend .sw.dashed { border-style: dashed; }
  #legend .sw.line { height: 0; border: 0; border-top: 3px solid; }
  #legend .sw.line.dashed { border-top-style: dashed; }
  #legend .en { color: #5d6d7e; }
  div.vis-tooltip { max-width: 420px; white-space: normal; font-size: 12px; line-height: 1.35;
                    font-family: Arial, sans-serif; padding: 6px 8px; }
  .tip b { color: #17202a; }
  .tip .ev { color: #424949; font-style: italic; }
  .tip .iri { color: #85929e; font-size: 10px; word-break: break-all; }
</style>
</head>
<body>
<header>
  <h1>{{ title }}<span class="en" lang="en">{{ subtitle }}</span></h1>
  <p class="vi">{{ explain_vi }}</p>
  <p class="en" lang="en">{{ explain_en }}</p>
  {% for note in notes %}<p class="note">{{ note }}</p>{% endfor %}
</header>
<main>
  <div id="graph" role="img" aria-label="{{ title }}"></div>
  <aside id="legend">
    {% for section, heading in sections %}{% if legend[section] %}
    <h2>{{ heading }}</h2>
    <ul>{% for e in legend[section] %}
      <li><span class="sw {{ e.classes }}" style="{{ e.css }}"></span>
          <span>{{ e.vi }}<br><span class="en" lang="en">{{ e.en }}</span></span></li>{% endfor %}
    </ul>
    {% endif %}{% endfor %}
  </aside>
</main>
<script id="luocdo-data" type="application/json">{{ data|safe }}</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("luocdo-data").textContent);
  // Tooltips are HTML built from escaped pieces (see render.py); vis-network shows a string
  // title as plain text, so each becomes an element here.
  function tip(markup) {
    var el = document.createElement("div");
    el.className = "tip";
    el.innerHTML = markup;
    return el;
  }
  [data.nodes, data.edges].forEach(function (items) {
    items.forEach(function (item) { if (typeof item.title === "string") { item.title = tip(item.title); } });
  });
  var container = document.getElementById("graph");
  var network = new vis.Network(container,
      {nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)}, data.options);
  // The container gets its final size only once the page is laid out: fit the drawing to it then.
  function ready() {
    network.setOptions({physics: false});
    network.fit({animation: false});
    document.body.setAttribute("data-ready", String(data.nodes.length));
  }
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", ready);
  } else {
    network.once("afterDrawing", ready);
  }
  // When the page changes size vis-network keeps the old zoom (scaled by the change in height);
  // the observer runs after that, in the same frame, and draws the whole graph refitted.
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      if (document.body.hasAttribute("data-ready")) { network.fit({animation: false}); network.redraw(); }
    }).observe(container);
  }
  window.luocdoNetwork = network;
})();
</script>
</body>
</html>
"""


@functools.cache
def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet, read once; refused if either could end its own tag."""
    js = (_VIS_DIR / "vis-network.min.js").read_text("utf-8")
    css = (_VIS_DIR / "vis-network.css").read_text("utf-8")
    if "</script" in js.lower() or "</style" in css.lower():
        raise ViewError(f"the bundled vis-network in {str(_VIS_DIR)!r} cannot be inlined safely")
    return js, css


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(_PAGE)


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and line separators escaped.

    >>> script_json({"t": "</script><b>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# -- tooltips and labels -----------------------------------------------------------------------------


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _tip(rows: list[tuple[str, Any]], head: str | None = None, evidence: str | None = None,
         iri: str | None = None) -> str:
    """Tooltip HTML: a bold head, ``name: value`` lines, quoted evidence, the IRI; every value escaped."""
    parts = [f"<b>{_esc(head)}</b>"] if head else []
    parts += [f"{_esc(k)}: {_esc(v)}" for k, v in rows if v not in (None, "", [])]
    if evidence:
        parts.append(f'<span class="ev">“{_esc(style.shorten(evidence, EVIDENCE_WIDTH))}”</span>')
    if iri:
        parts.append(f'<span class="iri">{_esc(iri)}</span>')
    return "<br>".join(parts)


def _date_text(date: str | None, year: int | None) -> str | None:
    if date and len(date) == 10 and date[4] == "-":
        return f"{int(date[8:])}/{int(date[5:7])}/{date[:4]}"
    return str(year) if year else None


def _doc_text(d: dict[str, Any]) -> str:
    return style.label_of(d)


def node_label(attrs: dict[str, Any]) -> str:
    """The short text drawn on a node (canvas text, never HTML).

    >>> node_label({"type": "task", "number": "7", "title": "Đẩy mạnh chuyển đổi số, cải cách hành chính"})
    '7. Đẩy mạnh chuyển đổi số, cải cách…'
    """
    kind = attrs.get("type", "document")
    if kind == "document":
        return _doc_text(attrs)
    if kind == "task":
        number = (attrs.get("number") or "").rstrip(".")
        title = style.shorten(attrs.get("title") or "", style.LABEL_WIDTH)
        return f"{number}. {title}" if number else title or "?"
    if kind == "body":
        return style.shorten(attrs.get("name") or "?", style.LABEL_WIDTH)
    return f"{style.shorten(attrs.get('name') or '?', style.LABEL_WIDTH - 8)} ({attrs.get('count', 0)})"


def node_tooltip(attrs: dict[str, Any]) -> str:
    """Tooltip HTML of a node: full title, issuer, date, tier, status; all of it escaped.

    >>> node_tooltip({"type": "body", "name": "<img src=x onerror=alert(1)>"})[:26]
    '<b>&lt;img src=x onerror=a'
    """
    kind = attrs.get("type", "document")
    tier = style.level_look(attrs.get("level"))
    tier_text = f"{tier.vi} / {tier.en}"
    if kind == "document":
        status = style.STUB if attrs.get("stub") else None
        return _tip([("Tiêu đề / title", attrs.get("title")), ("Số / number", attrs.get("number")),
                     ("Cơ quan ban hành / issuer", attrs.get("issuer")),
                     ("Ngày / date", _date_text(attrs.get("date"), attrs.get("year"))),
                     ("Cấp / tier", tier_text),
                     ("Trạng thái / status", f"{status.vi} / {status.en}" if status else "đã nạp / ingested")],
                    head=attrs.get("doc_label") or _doc_text(attrs), iri=attrs.get("iri"))
    if kind == "task":
        doc = attrs.get("document") or {}
        return _tip([("Nhiệm vụ / task", attrs.get("number")),
                     ("Văn bản / document", doc.get("doc_label") or (_doc_text(doc) if doc else None)),
                     ("Cơ quan ban hành / issuer", doc.get("issuer")), ("Cấp / tier", tier_text)],
                    head=attrs.get("title") or attrs.get("number"), evidence=attrs.get("evidence"),
                    iri=attrs.get("iri"))
    if kind == "body":
        return _tip([("Cấp / tier", tier_text)], head=attrs.get("name"), iri=attrs.get("iri"))
    return _tip([("Số văn bản / documents", attrs.get("count")), ("Đã nạp / ingested", attrs.get("ingested")),
                 ("Cấp / tier", tier_text), ("Ví dụ / e.g.", "; ".join(attrs.get("members") or []))],
                head=attrs.get("name"))


def edge_tooltip(attrs: dict[str, Any]) -> str:
    """Tooltip HTML of an edge: the relation in both languages, score, counts, evidence; escaped.

    >>> edge_tooltip({"relation": "basedOn", "evidence": "Căn cứ <Luật>"})
    '<b>căn cứ / based on</b><br><span class="ev">“Căn cứ &lt;Luật&gt;”</span>'
    """
    look = style.RELATIONS.get(attrs.get("relation", "cites"), style.RELATIONS["cites"])
    rows: list[tuple[str, Any]] = []
    if attrs.get("score") is not None:
        rows.append(("Điểm / score", f"{attrs['score']:.3f}"))
    if attrs.get("method"):
        rows.append(("Phương pháp / method", attrs["method"]))
    if attrs.get("roles"):
        rows.append(("Vai trò / roles", ", ".join(
            f"{style.RELATIONS[r].vi} / {style.RELATIONS[r].en}" if r in style.RELATIONS else r
            for r in attrs["roles"])))
    if attrs.get("tasks"):
        rows.append(("Số nhiệm vụ / tasks", attrs["tasks"]))
    if attrs.get("via"):
        rows.append(("Qua / via", "; ".join(v.get("doc_label") or _doc_text(v) if v.get("type") else v["iri"]
                                            for v in attrs["via"])))
    if attrs.get("counts"):
        rows.append(("Số trích dẫn / citations", "; ".join(
            f"{style.RELATIONS.get(r, style.RELATIONS['cites']).vi}: {n}" for r, n in sorted(attrs["counts"].items()))))
    return _tip(rows, head=f"{look.vi} / {look.en}", evidence=attrs.get("evidence"))


# -- the page --------------------------------------------------------------------------------------


def _options(layout: str, size: int, has_tasks: bool = False) -> dict[str, Any]:
    """vis-network options: a fixed hierarchy for the focused views, a short physics run for the corpus."""
    base: dict[str, Any] = {
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": True},
        "edges": {"smooth": {"enabled": True, "type": "cubicBezier", "roundness": 0.4},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}}},
        "nodes": {"margin": 8, "widthConstraint": {"maximum": 220}},
    }
    if layout in {"LR", "RL", "UD", "DU"}:
        across = layout in {"LR", "RL"}
        # nodeSpacing is measured along a level: across a column (LR) a node is one line high, along
        # a row (UD) it is as wide as its label, up to the widthConstraint of style.py.
        base["layout"] = {"hierarchical": {"enabled": True, "direction": layout, "sortMethod": "directed",
                                           "levelSeparation": 230 if across else 150,
                                           "nodeSpacing": 90 if across else (290 if has_tasks else 200),
                                           "treeSpacing": 120,
                                           "shakeTowards": "roots"}}
        base["edges"]["smooth"] = {"enabled": True, "type": "cubicBezier",
                                   "forceDirection": "horizontal" if layout in {"LR", "RL"} else "vertical",
                                   "roundness": 0.4}
        # Levels are given, so no simulation is needed: the page is drawn at once, the same every time.
        base["physics"] = {"enabled": False}
    else:
        base["layout"] = {"improvedLayout": size <= 150}
        base["nodes"]["scaling"] = {"min": 8, "max": 60, "label": {"enabled": True, "min": 12, "max": 28}}
        base["edges"]["scaling"] = {"min": 1, "max": 10}
        base["edges"]["smooth"] = False  # straight lines draw fast with thousands of edges
        base["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                           "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120,
                                                "avoidOverlap": 0.3},
                           "stabilization": {"enabled": True, "iterations": 250 if size <= 500 else 120,
                                             "updateInterval": 50}}
    return base


def _legend(graph: nx.DiGraph) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {"level": [], "shape": [], "edge": []}
    for e in style.legend(graph.graph, [a for _n, a in graph.nodes(data=True)],
                          [a for _u, _v, a in graph.edges(data=True)]):
        sw = e["swatch"]
        if sw.get("line"):
            classes, css = "line", f"border-top-color: {sw['color']}"
        else:
            classes = sw.get("shape") or "box"
            css = f"background: {sw['color']}; border-color: {sw.get('border', sw['color'])}"
        if sw.get("dashed"):
            classes += " dashed"
        out[e["section"]].append({"vi": e["vi"], "en": e["en"], "classes": classes, "css": css})
    return out


def to_pyvis(graph: nx.DiGraph) -> Network:
    """The pyvis network of a view graph: labels, escaped tooltips and the looks of :mod:`style`.

    >>> g = nx.DiGraph(); g.add_node("a", type="body", name="Sở Y tế"); to_pyvis(g).nodes[0]["label"]
    'Sở Y tế'
    """
    layout = graph.graph.get("layout", "physics")
    net = Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    ids = {node: i for i, node in enumerate(graph.nodes)}  # short ids keep a 3000-node page small
    for node, attrs in graph.nodes(data=True):
        look = style.node_style(attrs)
        extra: dict[str, Any] = {}
        if layout != "physics" and "rank" in attrs:
            extra["level"] = int(attrs["rank"])
        net.add_node(ids[node], label=node_label(attrs), title=node_tooltip(attrs), **look, **extra)
    for u, v, attrs in graph.edges(data=True):
        look = style.edge_style(attrs)
        label = attrs.get("label")
        net.add_edge(ids[u], ids[v], title=edge_tooltip(attrs), **({"label": label} if label else {}), **look)
    net.options = _options(layout, graph.number_of_nodes(),
                           any(a.get("type") == "task" for _n, a in graph.nodes(data=True)))
    return net


def render_html(graph: nx.DiGraph) -> str:
    """The whole page of a view graph (see :mod:`luocdo.viz.graphs`), as a string.

    >>> g = nx.DiGraph(title="Toàn cảnh"); g.add_node("a", type="body", name="Sở Y tế")
    >>> page = render_html(g)
    >>> "vis.Network" in page and "<script src" not in page and "<link" not in page
    True
    """
    net = to_pyvis(graph)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    js, css = _vis_assets()
    meta = graph.graph
    return _template().render(
        view=meta.get("view", "graph"), title=meta.get("title", "luocdo"), subtitle=meta.get("subtitle", ""),
        explain_vi=meta.get("explain_vi", ""), explain_en=meta.get("explain_en", ""),
        notes=meta.get("notes", []), legend=_legend(graph),
        sections=[("level", "Cấp cơ quan / tier"), ("shape", "Loại nút / kind of node"),
                  ("edge", "Quan hệ / relation")],
        data=script_json({"nodes": nodes, "edges": edges, "options": json.loads(options)}),
        vis_js=js, vis_css=css,
    )


def write_html(path: str | os.PathLike[str], page: str) -> Path:
    """Write ``page`` to ``path`` atomically (a temporary file beside it, then ``os.replace``).

    Nothing else is written: no ``lib/`` folder, no leftover temporary file. The folder must exist.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "v.html"
    >>> write_html(out, "<p>x</p>").read_text("utf-8")
    '<p>x</p>'
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write {os.fspath(path)!r}: the folder {str(directory)!r} does not exist")
    if target.is_dir():
        raise UsageError(f"cannot write {os.fspath(path)!r}: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise ViewError(f"cannot write {os.fspath(path)!r}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(page)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a page is meant to be opened and shared
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise ViewError(f"cannot write {os.fspath(path)!r}: {e.strerror or e}") from None
        raise
    return target


def write_view(graph: nx.DiGraph, path: str | os.PathLike[str]) -> Path:
    """Render a view graph and write it to ``path``; returns the path.

    >>> import tempfile, pathlib
    >>> g = nx.DiGraph(title="Toàn cảnh"); g.add_node("a", type="body", name="Sở Y tế")
    >>> write_view(g, pathlib.Path(tempfile.mkdtemp()) / "v.html").suffix
    '.html'
    """
    return write_html(path, render_html(graph))
