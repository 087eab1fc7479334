"""Read a source file into text: bytes -> Unicode text (NFC), whatever kind of file it is.

The format is decided by the file's content, never its name (portals serve HTML as ``.doc`` and
plain text as ``.pdf``): plain text or markdown, HTML (the page's main content only), ``.docx``
(paragraphs and table cells in document order), PDF with a text layer. Text is decoded from
UTF-8, UTF-16, Windows-1258 or the legacy font encodings TCVN3 and VNI (see :mod:`.formats`), and
mojibake (``Céng hßa x· héi``) is converted, never returned. Invisible characters (zero-width
spaces, soft hyphens) are kept: the parser's ``clean()`` removes them with an offset map.

Every refusal is a ``ReadError`` naming the file and the problem in one line.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"; _ = p.write_bytes("Kế hoạch".encode())
>>> read_text(p)
'Kế hoạch'
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from . import formats
from .errors import ReadError


@dataclass(frozen=True, slots=True)
class Limits:
    """What the reader refuses, so that one hostile or broken file cannot exhaust the machine.

    >>> Limits(max_file_bytes=1024).max_docx_entries
    2000
    """

    #: Files larger than this (bytes) are refused from ``stat()``, before they are opened.
    max_file_bytes: int = 20 * 1024 * 1024
    #: A .docx with more zip entries than this is refused (a real one has a few dozen).
    max_docx_entries: int = 2000
    #: A .docx whose entries would inflate to more than this (bytes) is refused.
    max_docx_uncompressed: int = 100 * 1024 * 1024
    #: Text longer than this (characters) is refused.
    max_text_chars: int = 2_000_000
    #: Seconds the PDF text extraction (a subprocess) may take.
    pdf_timeout_s: float = 30


#: Kept for callers of the old signature: the default of ``Limits.max_file_bytes``.
MAX_FILE_BYTES = Limits().max_file_bytes


# -- reading ---------------------------------------------------------------------------------------


def read_text(path: str | Path, limits: Limits | None = None) -> str:
    """The text of one source file, NFC; the format is detected from the content.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "page.txt"
    >>> _ = p.write_bytes("<html><body><nav>Menu</nav><main><p>Số: 171</p></main></body></html>".encode())
    >>> read_text(p)
    'Số: 171'
    """
    limits = limits or Limits()
    name = unicodedata.normalize("NFC", str(path))
    p = Path(path)
    try:
        st = p.stat()
    except OSError as e:
        raise ReadError(name, e.strerror or "cannot be read") from None
    if not p.is_file():
        raise ReadError(name, "not a regular file")
    if st.st_size > limits.max_file_bytes:
        raise ReadError(name, f"file is {st.st_size} bytes, over the limit of {limits.max_file_bytes}")
    try:
        with open(p, "rb") as fh:
            # One byte more than allowed: a file that grew after stat() is still caught.
            data = fh.read(limits.max_file_bytes + 1)
    except OSError as e:
        raise ReadError(name, e.strerror or "cannot be read") from None
    if len(data) > limits.max_file_bytes:
        raise ReadError(name, f"file is over the limit of {limits.max_file_bytes} bytes")
    return text_from_bytes(data, name, limits)


def text_from_bytes(data: bytes, name: str = "<bytes>", limits: Limits | None = None) -> str:
    """The text of a document given as bytes (``name`` is for messages), as :func:`read_text`.

    >>> text_from_bytes("Cộng hòa".encode("utf-16"))
    'Cộng hòa'
    """
    limits = limits or Limits()
    if len(data) > limits.max_file_bytes:
        raise ReadError(name, f"file is {len(data)} bytes, over the limit of {limits.max_file_bytes}")
    kind = detect(data)
    if kind == "text":
        text = _decode(data, name)
    elif kind == "html":
        text = html_text(_decode_html(data, name))
    elif kind == "docx":
        text = _docx_text(data, name, limits)
    elif kind == "pdf":
        text = _pdf_text(data, name, limits)
    else:
        raise ReadError(name, f"unsupported format: {kind}{_HINTS.get(kind, '')}")
    if len(text) > limits.max_text_chars:
        raise ReadError(name, f"text is {len(text)} characters, over the limit of {limits.max_text_chars}")
    text = unicodedata.normalize("NFC", text)
    if "\x00" in text:
        raise ReadError(name, "binary content (NUL characters), not a text document")
    try:
        text, _ = formats.repair(text)
    except ValueError as e:
        raise ReadError(name, str(e)) from None
    return text


def _decode(data: bytes, name: str) -> str:
    try:
        return formats.decode_bytes(data).text
    except ValueError as e:
        raise ReadError(name, str(e)) from None


# -- detection -------------------------------------------------------------------------------------

# Signatures at offset 0 of the files people drop into a folder of documents by mistake.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"{\\rtf", "application/rtf"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xca\xfe\xba\xbe", "application/x-mach-binary"),
    (b"\x1f\x8b", "application/gzip"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"%!PS", "application/postscript"),
    (b"SQLite format 3\x00", "application/vnd.sqlite3"),
)

_HINTS = {
    "application/x-ole-storage": " (a legacy Word .doc or Excel .xls, or a password-protected Office "
                                 "file; save it as .docx)",
    "application/rtf": " (save it as .docx or plain text)",
}

# An HTML page starts with markup and names one of the document-level tags early:
# "<!DOCTYPE html>", "<html lang=vi>", or a fragment such as "<meta charset=utf-8><title>...".
_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title)\b")


def detect(data: bytes) -> str:
    """The format of a file's bytes: ``text``, ``html``, ``docx``, ``pdf``, or the refused type.

    Refused types are MIME names (``image/png``, ``application/zip``...).

    >>> detect(b"%PDF-1.4 ..."), detect(b"\\x89PNG\\r\\n\\x1a\\n...."), detect(b"<!DOCTYPE html><p>x")
    ('pdf', 'image/png', 'html')
    """
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data.startswith(b"MZ") and b"\x00" in data[:64]:
        return "application/x-msdownload"
    # The PDF specification lets junk precede the header; readers look in the first KiB.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = data[:8192].decode("utf-16", errors="ignore")
    else:
        if b"\x00" in data[:8192]:
            return "application/octet-stream"
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        head = data[:8192].decode("latin-1")  # the markup is ASCII in every encoding we read
    head = head.lstrip("\ufeff \t\r\n").lower()
    if head.startswith("<") and _HTML_START.search(head[:4096]):
        return "html"
    return "text"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())  # the central directory only: nothing is inflated
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if "ppt/presentation.xml" in names:
                return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            if "mimetype" in names and zf.getinfo("mimetype").file_size < 100:
                mime = zf.read("mimetype").decode("ascii", "replace").strip()
                return mime or "application/zip"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error):
        return "application/zip"
    return "application/zip"


# -- HTML ------------------------------------------------------------------------------------------

# <meta charset="utf-8"> and <meta http-equiv="Content-Type" content="text/html; charset=windows-1258">.
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Declarations that legacy Vietnamese pages carry whatever their text is: TCVN3 and VNI pages
# say iso-8859-1 (their fonts did the rest), so these are not believed before detection.
_UNTRUSTED_CHARSETS = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii", "utf-8"})


def _decode_html(data: bytes, name: str) -> str:
    m = _META_CHARSET.search(data[:8192])
    declared = None
    if m and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            declared = codecs.lookup(m.group(1).decode("ascii")).name
        except LookupError:
            declared = None
    if declared and declared not in _UNTRUSTED_CHARSETS and not declared.startswith("utf-16"):
        try:
            return unicodedata.normalize("NFC", data.decode(declared))
        except UnicodeDecodeError:
            pass  # the declaration is wrong; detect instead
    try:
        return formats.decode_bytes(data).text
    except ValueError as e:
        if declared in ("latin-1", "iso8859-1", "cp1252"):
            return unicodedata.normalize("NFC", data.decode("cp1252", errors="replace"))
        raise ReadError(name, str(e)) from None


# Subtrees that are never page content.
_SKIP_TAGS = frozenset("script style noscript template svg math head iframe object embed canvas "
                       "button select textarea datalist map nav aside menu footer".split())
_SKIP_ROLES = frozenset("navigation banner contentinfo complementary search menu menubar dialog".split())
# Words in class and id names that portals use for menus and page furniture: "top-menu",
# "breadcrumb", "footer-links", "box-share"; Vietnamese portals add "quangcao" (advertising).
_SKIP_NAMES = frozenset("nav navbar navigation menu menubar mainmenu topmenu submenu megamenu footer "
                        "sidebar breadcrumb breadcrumbs banner cookie cookies social share sharing "
                        "advert advertisement ads quangcao".split())
_CONTAINERS = frozenset("html body div section form center font span table tbody thead tr td th".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_BLOCK = frozenset("address article aside blockquote body caption center dd details dialog dir div dl dt "
                   "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html legend li "
                   "main nav ol p pre section summary table tbody td tfoot th thead tr ul".split())
# Start tags that close an open element of the same family, as browsers do for "<li>a<li>b".
_IMPLIED = {
    "li": ({"li"}, {"ul", "ol", "menu"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "tr": ({"tr", "td", "th"}, {"table", "tbody", "thead", "tfoot"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "option": ({"option"}, {"select", "datalist"}),
}
_MAX_DEPTH = 400  # deeper nesting is flattened: the tree walks recurse
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's whitespace, not NBSP: "a \n  b" -> "a b"


class _Node:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Node | str] = []


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        node = _Node(tag, {k: (v or "") for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID and len(self.stack) < _MAX_DEPTH:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def _close_implied(self, tag: str) -> None:
        if tag in _IMPLIED:
            closes, bounds = _IMPLIED[tag]
        elif tag in _BLOCK:
            closes, bounds = {"p"}, _BLOCK - {"p"}  # a block start ends an open paragraph
        else:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            t = self.stack[i].tag
            if t in closes:
                del self.stack[i:]
                return
            if t in bounds:
                return


def _skipped(node: _Node, in_content: bool = False) -> bool:
    a = node.attrs
    if node.tag in _SKIP_TAGS or a.get("role", "").lower() in _SKIP_ROLES:
        return True
    # The page's <header> is its banner; an article's <header> holds the article's title.
    if node.tag == "header" and not in_content:
        return True
    if "hidden" in a or a.get("aria-hidden", "").lower() == "true":
        return True
    style = a.get("style", "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    words = re.split(r"[\s_-]+", (a.get("class", "") + " " + a.get("id", "")).lower())
    return any(w in _SKIP_NAMES for w in words)


def _content_nodes(node: _Node, out: list[_Node], tags: frozenset[str]) -> None:
    for c in node.children:
        if isinstance(c, _Node) and not _skipped(c, in_content=True):
            if c.tag in tags or (tags == {"main"} and c.attrs.get("role", "").lower() == "main"):
                out.append(c)
            else:
                _content_nodes(c, out, tags)


def _text_len(node: _Node, memo: dict[int, int], links: bool = True) -> int:
    """Characters of visible text under ``node`` (without link text when ``links`` is false)."""
    key = id(node) * 2 + links
    if key in memo:
        return memo[key]
    n = 0
    for c in node.children:
        if isinstance(c, str):
            n += len(c.strip())
        elif not _skipped(c) and (links or c.tag != "a"):
            n += _text_len(c, memo, links)
    memo[key] = n
    return n


def _main_node(root: _Node) -> _Node:
    memo: dict[int, int] = {}
    for tags in (frozenset({"main"}), frozenset({"article"})):
        found: list[_Node] = []
        _content_nodes(root, found, tags)
        found = [n for n in found if _text_len(n, memo)]
        if found:
            return max(found, key=lambda n: _text_len(n, memo))
    # No <main>, no <article>: the smallest container holding most of the page's non-link text,
    # found by going down while one child container holds at least 80% of it (menus are mostly
    # links). Paragraphs are not containers: the block of them is the content.
    node = root
    total = _text_len(root, memo, links=False)
    while total:
        kids = [c for c in node.children if isinstance(c, _Node) and not _skipped(c)]
        best = max(kids, key=lambda c: _text_len(c, memo, links=False), default=None)
        if best is None or best.tag not in _CONTAINERS or _text_len(best, memo, links=False) < 0.8 * total:
            break
        node = best
    return node


def _render(node: _Node, out: list[str], pre: bool = False, in_content: bool = False) -> None:
    in_content = in_content or node.tag in ("main", "article") or node.attrs.get("role") == "main"
    for c in node.children:
        if isinstance(c, str):
            out.append(c if pre else _HTML_SPACE.sub(" ", c))
            continue
        if _skipped(c, in_content):
            continue
        tag = c.tag
        if tag == "br":
            out.append("\n")
        elif tag == "tr":
            cells = []
            for cell in c.children:
                if isinstance(cell, _Node) and cell.tag in ("td", "th") and not _skipped(cell):
                    buf: list[str] = []
                    _render(cell, buf, pre, in_content)
                    cells.append(" ".join("".join(buf).split()))
            out.append("\n" + " | ".join(cells) + "\n")
        elif tag in _BLOCK:
            out.append("\n")
            _render(c, out, pre or tag == "pre", in_content)
            out.append("\n")
        else:
            _render(c, out, pre, in_content)


def html_text(html: str) -> str:
    """The text of an HTML page's main content: one line per block, table cells joined by `` | ``.

    The content is ``<main>``, else the largest ``<article>``, else the smallest block that holds
    most of the page's non-link text; scripts, styles, navigation, menus, headers and footers of
    the page are left out.

    >>> html_text("<body><nav><a href=/>Trang chủ</a></nav><article><h1>Kế hoạch</h1>"
    ...           "<p>Số: 171/KH-PGDĐT</p></article><footer>© 2024</footer></body>")
    'Kế hoạch\\nSố: 171/KH-PGDĐT'
    """
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    out: list[str] = []
    _render(_main_node(builder.root), out)
    lines = (line.strip(" ") for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


# -- DOCX ------------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Containers whose children are read as if they stood in the parent: links, tracked insertions,
# content controls, smart tags.
_RUN_CONTAINERS = frozenset(_W + t for t in "hyperlink ins smartTag fldSimple customXml sdt sdtContent "
                                           "moveTo dir bdo".split())


class _Budget:
    """Bytes that reading the entries of one .docx may still inflate."""

    def __init__(self, limit: int):
        self.left = limit


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, name: str) -> bytes:
    # Counted, not trusted: an entry may inflate to more than its header declares.
    chunks: list[bytes] = []
    got = 0
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 16):
            got += len(chunk)
            if got > info.file_size or got > budget.left:
                raise ReadError(name, f"docx entry {info.filename!r} inflates beyond its declared size "
                                      f"({info.file_size} bytes) or the limit: refused as a zip bomb")
            chunks.append(chunk)
    budget.left -= got
    return b"".join(chunks)


def _docx_text(data: bytes, name: str, limits: Limits) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_docx_entries:
                raise ReadError(name, f"docx has {len(infos)} zip entries, over the limit of "
                                      f"{limits.max_docx_entries}: refused as a zip bomb")
            declared = sum(i.file_size for i in infos)
            if declared > limits.max_docx_uncompressed:
                raise ReadError(name, f"docx would inflate to {declared} bytes, over the limit of "
                                      f"{limits.max_docx_uncompressed}: refused as a zip bomb")
            budget = _Budget(limits.max_docx_uncompressed)
            document = _read_entry(zf, zf.getinfo("word/document.xml"), budget, name)
            styles = None
            if "word/styles.xml" in zf.namelist():
                styles = _read_entry(zf, zf.getinfo("word/styles.xml"), budget, name)
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, NotImplementedError, zlib.error) as e:
        raise ReadError(name, f"damaged docx ({e})") from None
    return _document_text(_parse_xml(document, name), _Fonts(_parse_xml(styles, name) if styles else None))


def _parse_xml(data: bytes, name: str) -> ET.Element:
    # Office XML never has a DTD; one here could only be an entity-expansion bomb.
    if re.search(rb"<!DOCTYPE|<!ENTITY", data):
        raise ReadError(name, "docx XML declares a DTD or entities: refused")
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise ReadError(name, f"damaged docx (XML: {e})") from None


class _Fonts:
    """Which legacy encoding a run's font implies, from the run, its styles, and the defaults.

    Old documents were typed in font encodings: text in ``.VnTime`` is TCVN3 (``.VnTimeH``, an
    all-capitals font, shows the lower-case codes as capitals), text in ``VNI-Times`` is VNI.
    """

    def __init__(self, styles: ET.Element | None):
        self.fonts: dict[str, str | None] = {}
        self.based_on: dict[str, str] = {}
        self.default_font: str | None = None
        self.default_para: str | None = None
        if styles is None:
            return
        self.default_font = _rfont(styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr"))
        for s in styles.iter(f"{_W}style"):
            sid = s.get(f"{_W}styleId")
            if not sid:
                continue
            self.fonts[sid] = _rfont(s.find(f"{_W}rPr"))
            base = s.find(f"{_W}basedOn")
            if base is not None and base.get(f"{_W}val"):
                self.based_on[sid] = base.get(f"{_W}val", "")
            if s.get(f"{_W}type") == "paragraph" and s.get(f"{_W}default") in ("1", "true"):
                self.default_para = sid

    def style_font(self, sid: str | None) -> str | None:
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            if self.fonts.get(sid):
                return self.fonts[sid]
            sid = self.based_on.get(sid)
        return None

    def encoding(self, run: ET.Element, para_style: str | None) -> str | None:
        rpr = run.find(f"{_W}rPr")
        font = _rfont(rpr)
        if font is None and rpr is not None:
            rs = rpr.find(f"{_W}rStyle")
            font = self.style_font(rs.get(f"{_W}val") if rs is not None else None)
        font = font or self.style_font(para_style or self.default_para) or self.default_font
        if not font:
            return None
        f = font.strip().lower()
        if f.startswith(".vn"):
            return "tcvn3-capitals" if f.endswith("h") else "tcvn3"
        if f.startswith("vni-") or f.startswith("vni "):
            return "vni"
        return None


def _rfont(rpr: ET.Element | None) -> str | None:
    if rpr is None:
        return None
    rf = rpr.find(f"{_W}rFonts")
    if rf is None:
        return None
    return rf.get(f"{_W}ascii") or rf.get(f"{_W}hAnsi")


def _document_text(root: ET.Element, fonts: _Fonts) -> str:
    body = root.find(f"{_W}body")
    lines: list[str] = []
    if body is not None:
        _blocks(body, lines, fonts)
    return "\n".join(lines)


def _blocks(el: ET.Element, lines: list[str], fonts: _Fonts) -> None:
    for child in el:
        tag = child.tag
        if tag == f"{_W}p":
            lines.extend(_paragraph(child, fonts).split("\n"))
        elif tag == f"{_W}tbl":
            for tr in _rows(child):
                cells = []
                for tc in tr.findall(f"{_W}tc"):
                    inner: list[str] = []
                    _blocks(tc, inner, fonts)
                    cells.append(" ".join(" ".join(inner).split()))
                lines.append(" | ".join(cells))
        elif tag in _RUN_CONTAINERS or tag == f"{_MC}AlternateContent":
            _blocks(_choice(child), lines, fonts)


def _rows(el: ET.Element):
    # A table's own rows: its w:tr children, also inside content controls; not the rows of the
    # tables nested in its cells, which belong to their cell.
    for child in el:
        if child.tag == f"{_W}tr":
            yield child
        elif child.tag in _RUN_CONTAINERS:
            yield from _rows(child)


def _choice(el: ET.Element) -> ET.Element:
    # mc:AlternateContent holds the same content twice (Choice and Fallback): read one.
    if el.tag == f"{_MC}AlternateContent":
        choice = el.find(f"{_MC}Choice")
        return choice if choice is not None else el
    return el


def _paragraph(p: ET.Element, fonts: _Fonts) -> str:
    ppr = p.find(f"{_W}pPr")
    ps = ppr.find(f"{_W}pStyle") if ppr is not None else None
    para_style = ps.get(f"{_W}val") if ps is not None else None
    pieces: list[tuple[str, str | None]] = []
    boxes: list[str] = []
    _runs(p, pieces, boxes, fonts, para_style)
    # Adjacent runs in one legacy font are converted together: a VNI letter and its mark may sit
    # in two runs ("Co" + "äng").
    merged: list[tuple[str, str | None]] = []
    for text, enc in pieces:
        if merged and merged[-1][1] == enc:
            merged[-1] = (merged[-1][0] + text, enc)
        else:
            merged.append((text, enc))
    out = "".join(_convert(text, enc) for text, enc in merged)
    return "\n".join([out, *boxes]) if boxes else out


def _convert(text: str, enc: str | None) -> str:
    # A legacy font over text that is already Unicode ("ộ" is no Latin-1 letter) means the text
    # was converted and the font left: keep it.
    if enc is None or not all(ord(c) <= 0xFF for c in text):
        return text
    if enc == "vni":
        return formats.decode_legacy(text, "vni")
    converted = formats.decode_legacy(text, "tcvn3")
    return converted.upper() if enc == "tcvn3-capitals" else converted


def _runs(el: ET.Element, pieces: list[tuple[str, str | None]], boxes: list[str], fonts: _Fonts,
          para_style: str | None) -> None:
    for child in el:
        tag = child.tag
        if tag == f"{_W}r":
            enc = fonts.encoding(child, para_style)
            for part in child:
                t = part.tag
                if t == f"{_W}t":
                    pieces.append((part.text or "", enc))
                elif t == f"{_W}tab":
                    pieces.append(("\t", None))
                elif t in (f"{_W}br", f"{_W}cr"):
                    pieces.append(("\n", None))
                elif t == f"{_W}noBreakHyphen":
                    pieces.append(("\u2011", None))
                elif t == f"{_W}softHyphen":
                    pieces.append(("\u00ad", None))
                elif t in (f"{_W}drawing", f"{_W}pict", f"{_MC}AlternateContent"):
                    _text_boxes(_choice(part), boxes, fonts)
        elif tag in _RUN_CONTAINERS:
            _runs(child, pieces, boxes, fonts, para_style)
        elif tag == f"{_MC}AlternateContent":
            _runs(_choice(child), pieces, boxes, fonts, para_style)


def _text_boxes(el: ET.Element, boxes: list[str], fonts: _Fonts) -> None:
    # Text boxes (w:txbxContent) hold whole paragraphs; they follow their anchoring paragraph.
    for child in el:
        if child.tag == f"{_W}txbxContent":
            inner: list[str] = []
            _blocks(child, inner, fonts)
            boxes.extend(inner)
        elif child.tag != f"{_MC}Fallback":
            _text_boxes(child, boxes, fonts)


# -- PDF -------------------------------------------------------------------------------------------


def _pdf_text(data: bytes, name: str, limits: Limits) -> str:
    # pypdf runs in a child process (see .pdftext): a hostile PDF can loop or inflate without end,
    # and only a process can be stopped at the time limit.
    from . import pdftext

    try:
        text = pdftext.extract_isolated(data, limits.max_text_chars, limits.pdf_timeout_s)
    except ValueError as e:
        raise ReadError(name, str(e)) from None
    except OSError as e:
        raise ReadError(name, f"cannot start PDF text extraction ({e.strerror or e})") from None
    if not any(c.isalnum() for c in text):
        raise ReadError(name, "PDF has no text layer (scanned image?); run OCR first")
    return text
