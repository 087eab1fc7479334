"""The one style table of the views: colours, shapes and words for every kind of node and edge.

The graphs of :mod:`luocdo.viz.graphs` carry only meaning (``type``, ``kind``, ``level``, ``stub``,
``relation``); this module turns meaning into looks, and :mod:`luocdo.viz.render` hands the result
to pyvis. Changing a colour here changes it in every view and in every legend.

>>> node_style({"type": "document", "kind": "Plan", "level": "District", "stub": True})["shape"]
'ellipse'
>>> RELATIONS["basedOn"].vi
'căn cứ'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# -- words and colours ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Look:
    """One entry of the table: Vietnamese and English names, a colour, and line/shape details."""

    vi: str
    en: str
    color: str
    dashes: bool = False
    shape: str | None = None


#: Tiers of the issuing body (``lo:level``); ``None`` is "tier unknown".
LEVELS: dict[str | None, Look] = {
    "Central": Look("Trung ương", "central", "#c0392b"),
    "Provincial": Look("Tỉnh, thành phố", "provincial", "#2463c7"),
    "District": Look("Huyện", "district", "#1e8449"),
    "Commune": Look("Xã, phường", "commune", "#d35400"),
    "Institution": Look("Trường, đơn vị", "school, unit", "#7d3c98"),
    None: Look("Chưa rõ cấp", "tier unknown", "#5d6d7e"),
}

#: How a stub (a document known only from citations) differs: pale fill, dashed border, grey text.
STUB = Look("Chỉ biết qua trích dẫn (chưa có văn bản)", "known only from citations (no text ingested)",
            "#f2f3f4", dashes=True)

#: Edges between documents, and the other edges the views draw.
RELATIONS: dict[str, Look] = {
    "basedOn": Look("căn cứ", "based on", "#1f5fa8"),
    "implements": Look("thực hiện", "implements", "#1e8449"),
    "promulgates": Look("ban hành kèm theo", "promulgates (attached)", "#7d3c98"),
    "cites": Look("trích dẫn", "cites", "#909497", dashes=True),
    "reportsOn": Look("báo tin", "reports on", "#148f9e", dashes=True),
    "amends": Look("sửa đổi, bổ sung", "amends", "#d68910"),
    "repeals": Look("bãi bỏ", "repeals", "#c0392b"),
    "replaces": Look("thay thế", "replaces", "#873600"),
    "guides": Look("hướng dẫn", "guides", "#9a7d0a"),
    # Tasks and bodies.
    "derivedFrom": Look("dẫn xuất từ (nhiệm vụ cấp trên)", "carries down (derived from)", "#c2185b"),
    "taskOf": Look("thuộc văn bản", "task of", "#aab7b8", dashes=True),
    "issuedBy": Look("ban hành", "issued", "#34495e"),
    "lead": Look("chủ trì", "leads", "#c0392b"),
    "cooperate": Look("phối hợp", "cooperates", "#2463c7"),
    "responsible": Look("có trách nhiệm, thực hiện", "responsible", "#1e8449"),
    "advise": Look("tham mưu", "advises", "#d68910"),
    "report": Look("báo cáo", "reports", "#148f9e"),
    "assigned": Look("được giao", "assigned", "#5d6d7e"),
}

#: Which relations say the most, strongest first: one edge per pair keeps the first that holds.
DOCUMENT_RELATIONS: tuple[str, ...] = (
    "basedOn", "promulgates", "implements", "amends", "replaces", "repeals", "guides", "reportsOn", "cites",
)
#: Roles, strongest first (the body view keeps one edge per pair and names every role on it).
ROLES: tuple[str, ...] = ("lead", "responsible", "cooperate", "advise", "report")

#: Document kinds (the contract's) -> the abbreviation of short labels and the shape group.
KINDS: dict[str, tuple[str, str]] = {
    "Constitution": ("HP", "law"), "Law": ("Luật", "law"), "Code": ("BL", "law"),
    "Ordinance": ("PL", "law"), "Resolution": ("NQ", "law"), "Decree": ("NĐ", "law"),
    "Circular": ("TT", "law"), "JointCircular": ("TTLT", "law"),
    "Decision": ("QĐ", "law"), "Directive": ("CT", "law"), "Regulation": ("QyĐ", "law"),
    "Conclusion": ("KL", "law"),
    "Plan": ("KH", "plan"), "Scheme": ("ĐA", "plan"), "Programme": ("CTr", "plan"),
    "Strategy": ("CL", "plan"),
    "OfficialLetter": ("CV", "letter"), "Dispatch": ("CĐ", "letter"), "Notice": ("TB", "letter"),
    "Guidance": ("HD", "letter"), "Report": ("BC", "letter"), "Submission": ("TTr", "letter"),
    "NewsArticle": ("Báo", "news"), "Document": ("VB", "letter"),
}

#: Shape groups -> the vis-network shape (shapes that draw the label inside the node) and legend words.
SHAPES: dict[str, Look] = {
    "law": Look("Luật, nghị định, thông tư, nghị quyết, quyết định, chỉ thị",
                "law, decree, circular, resolution, decision, directive", "", shape="box"),
    "plan": Look("Kế hoạch, đề án, chương trình", "plan, scheme, programme", "", shape="ellipse"),
    "letter": Look("Công văn, thông báo, hướng dẫn, báo cáo", "letter, notice, guidance, report", "",
                   shape="database"),
    "news": Look("Bài báo", "news article", "", shape="text"),
    "task": Look("Nhiệm vụ", "task", "", shape="box"),
    "body": Look("Cơ quan, đơn vị", "body", "", shape="dot"),
    "cluster": Look("Nhóm văn bản (theo cơ quan hoặc tỉnh)", "group of documents (by issuer or province)", "",
                    shape="dot"),
}

#: Longest label drawn on a node; the full text is in the tooltip.
LABEL_WIDTH = 34


def level_look(level: str | None) -> Look:
    """The look of a tier, from ``Central`` or a full ``lo:`` IRI; unknown tiers share one look.

    >>> level_look("https://w3id.org/luocdo/ontology#Provincial").en
    'provincial'
    """
    key = level.rsplit("#", 1)[-1] if level else None
    return LEVELS.get(key, LEVELS[None])


def kind_abbreviation(kind: str | None) -> str:
    """``KH`` for a plan, ``QĐ`` for a decision, ``VB`` when the kind is unknown.

    >>> kind_abbreviation("Plan")
    'KH'
    """
    return KINDS.get(kind or "Document", KINDS["Document"])[0]


def shape_group(kind: str | None) -> str:
    """The shape group of a document kind (``law``, ``plan``, ``letter``, ``news``).

    >>> shape_group("Decree")
    'law'
    """
    return KINDS.get(kind or "Document", KINDS["Document"])[1]


def shorten(text: str, width: int = LABEL_WIDTH) -> str:
    """One line of at most ``width`` characters, cut at a word with an ellipsis.

    >>> shorten("Kế hoạch nhiệm vụ, giải pháp trọng tâm năm học 2023 - 2024", 24)
    'Kế hoạch nhiệm vụ, giải…'
    """
    one_line = " ".join(text.split())
    if len(one_line) <= width:
        return one_line
    cut = one_line[: width - 1]
    # Cut inside a word: step back to the last space, unless that would lose more than half.
    if one_line[width - 1] != " " and " " in cut[width // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


def document_label(kind: str | None, number: str | None, title: str | None,
                   year: int | None = None, attached_to: str | None = None) -> str:
    """The short label of a document: kind abbreviation and number, else a shortened title.

    A document without a number that a decision issues (ban hành kèm theo) is named after it.

    >>> document_label("Plan", "171/KH-PGDĐT", "Kế hoạch nhiệm vụ năm học")
    'KH 171/KH-PGDĐT'
    >>> document_label("Plan", None, "Kế hoạch nhiệm vụ năm học", 2023, attached_to="2457/QĐ-BGDĐT")
    'KH kèm QĐ 2457/QĐ-BGDĐT'
    >>> document_label("Law", None, "Luật Giáo dục", 2019)
    'Luật Giáo dục (2019)'
    """
    if number:
        return f"{kind_abbreviation(kind)} {number}"
    if attached_to:
        return f"{kind_abbreviation(kind)} kèm {kind_abbreviation('Decision')} {attached_to}"
    head = shorten(title, LABEL_WIDTH - 7) if title else kind_abbreviation(kind)
    return f"{head} ({year})" if year else head


def label_of(doc: dict[str, Any]) -> str:
    """:func:`document_label` of a document node's facts (``kind``, ``number``, ``title``, ...).

    >>> label_of({"kind": "Decision", "number": "2457/QĐ-BGDĐT"})
    'QĐ 2457/QĐ-BGDĐT'
    """
    return document_label(doc.get("kind"), doc.get("number"), doc.get("title"), doc.get("year"),
                          doc.get("attached_to"))


def _tint(color: str, amount: float) -> str:
    """``color`` mixed with white (``amount`` 0 keeps it, 1 is white): the fill of stubs and tasks."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


# -- the looks of nodes and edges ----------------------------------------------------------------


def node_style(attrs: dict[str, Any]) -> dict[str, Any]:
    """vis-network options for a node of a view graph (its meaning in ``attrs``).

    ``type`` is ``document``, ``task``, ``body`` or ``cluster``; documents also have ``kind``,
    ``level`` and ``stub``; ``focus`` marks the node the view is about.

    >>> s = node_style({"type": "document", "kind": "Decision", "level": "Central", "stub": False})
    >>> s["shape"], s["color"]["background"]
    ('box', '#c0392b')
    """
    kind = attrs.get("type", "document")
    tier = level_look(attrs.get("level"))
    style: dict[str, Any] = {"borderWidth": 1, "font": {"face": "Arial, sans-serif", "size": 14}}
    if kind == "document":
        group = shape_group(attrs.get("kind"))
        style["shape"] = SHAPES[group].shape
        if attrs.get("stub"):
            style["color"] = {"background": _tint(tier.color, 0.85), "border": tier.color,
                              "highlight": {"background": _tint(tier.color, 0.7), "border": tier.color}}
            style["font"]["color"] = "#4d5656"
            style["shapeProperties"] = {"borderDashes": [5, 4]}
            style["borderWidth"] = 2
        else:
            style["color"] = {"background": tier.color, "border": tier.color,
                              "highlight": {"background": _tint(tier.color, 0.25), "border": "#17202a"}}
            style["font"]["color"] = "#ffffff"
    elif kind == "task":
        style["shape"] = SHAPES["task"].shape
        style["color"] = {"background": _tint(tier.color, 0.9), "border": tier.color,
                          "highlight": {"background": _tint(tier.color, 0.75), "border": tier.color}}
        style["font"]["color"] = "#17202a"
        style["borderWidth"] = 2
        style["widthConstraint"] = {"maximum": 260}
    elif kind == "body":
        style["shape"] = SHAPES["body"].shape
        style["size"] = 14
        style["widthConstraint"] = {"maximum": 200}
        style["color"] = {"background": tier.color, "border": tier.color,
                          "highlight": {"background": _tint(tier.color, 0.3), "border": "#17202a"}}
        style["font"]["color"] = "#17202a"
    else:  # cluster: one dot per issuer or province, its area growing with the documents it stands for
        style["shape"] = SHAPES["cluster"].shape
        style["value"] = max(1, int(attrs.get("count", 1)))
        style["color"] = {"background": _tint(tier.color, 0.15), "border": tier.color}
        style["font"]["color"] = "#17202a"
    if attrs.get("focus"):
        style["borderWidth"] = 4
        style["color"]["border"] = "#f1c40f"
        style["font"]["size"] = 18
        style["font"]["bold"] = True
    return style


def edge_style(attrs: dict[str, Any]) -> dict[str, Any]:
    """vis-network options for an edge (its ``relation``; ``count`` thickens cluster edges).

    >>> edge_style({"relation": "implements"})["color"]["color"]
    '#1e8449'
    """
    look = RELATIONS.get(attrs.get("relation", "cites"), RELATIONS["cites"])
    style: dict[str, Any] = {"color": {"color": look.color, "highlight": look.color, "opacity": 0.9},
                             "arrows": "to", "dashes": look.dashes, "width": 2}
    if attrs.get("count", 1) > 1:
        style["value"] = int(attrs["count"])
    if attrs.get("label"):
        style["font"] = {"size": 12, "color": look.color, "strokeWidth": 4, "align": "horizontal"}
    return style


def legend(graph_attrs: dict[str, Any], node_attrs: list[dict[str, Any]],
           edge_attrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Legend entries for what a view actually shows: tiers, shapes, stub, and relations.

    Each entry is ``{"section", "vi", "en", "swatch"}``, with ``swatch`` a dict of CSS-like facts
    (``color``, ``border``, ``dashed``, ``shape``, ``line``) that the page draws.

    >>> [e["vi"] for e in legend({}, [], [{"relation": "basedOn"}])]
    ['căn cứ']
    """
    entries: list[dict[str, Any]] = []
    levels = []
    for a in node_attrs:
        key = level_look(a.get("level"))
        if key not in levels:
            levels.append(key)
    for look in sorted(levels, key=list(LEVELS.values()).index):
        entries.append({"section": "level", "vi": look.vi, "en": look.en,
                        "swatch": {"color": look.color, "border": look.color, "shape": "box"}})
    groups = []
    for a in node_attrs:
        t = a.get("type", "document")
        g = shape_group(a.get("kind")) if t == "document" else t
        if g not in groups:
            groups.append(g)
    for g in sorted(groups, key=list(SHAPES).index):
        look = SHAPES[g]
        entries.append({"section": "shape", "vi": look.vi, "en": look.en,
                        "swatch": {"color": "#ffffff", "border": "#5d6d7e", "shape": look.shape}})
    if any(a.get("type", "document") == "document" and a.get("stub") for a in node_attrs):
        entries.append({"section": "shape", "vi": STUB.vi, "en": STUB.en,
                        "swatch": {"color": STUB.color, "border": "#5d6d7e", "dashed": True, "shape": "box"}})
    relations = []
    for a in edge_attrs:
        r = a.get("relation", "cites")
        if r not in relations:
            relations.append(r)
    for r in sorted(relations, key=lambda r: list(RELATIONS).index(r) if r in RELATIONS else len(RELATIONS)):
        look = RELATIONS.get(r, RELATIONS["cites"])
        entries.append({"section": "edge", "vi": look.vi, "en": look.en,
                        "swatch": {"color": look.color, "dashed": look.dashes, "line": True}})
    return entries
