"""The views in a real browser: headless Chromium opens each page from ``file://`` with the network
blocked, and the page must draw its graph, log nothing, and ask the network for nothing.

Three witnesses, each checked against a control page that does fail them:

- a screenshot, decoded here (zlib + struct), must show coloured pixels where the graph is drawn;
  ``--dump-dom`` must show the canvas and the page's ``data-ready`` mark (set once vis-network has
  drawn every node);
- Chromium's log (``--enable-logging=stderr``) must hold no console line at all, and a hook put in
  front of the page records script errors, failed loads, CSP refusals and calls of ``alert``;
- every request goes to a proxy on a local port that this test listens on (DNS maps every other
  name to nothing), and the proxy must see no request from the page.

If ``/usr/bin/chromium`` is missing the test installs Debian's package when it can (as root);
otherwise it fails, saying how to install it. It is never skipped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import struct
import subprocess
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from luocdo.kg import iri, lookup
from luocdo.kg.ingest import Ingester
from luocdo.kg.model import Extraction
from luocdo.kg.store import Store, ingest_extraction
from luocdo.viz import graphs, render

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "examples" / "corpus"
CHROMIUM = Path("/usr/bin/chromium")
LO = iri.LO

#: Chromium contacts its own services (component updates, sign-in, network time) whatever page it
#: shows, even with background networking disabled. Those requests go to the proxy too and are told
#: apart by host; a page asking such a host would still be caught by the hook, since the page's CSP
#: refuses every fetch and the refusal is recorded.
BROWSER_SERVICE_SUFFIXES = (".google.com", ".googleapis.com", ".gvt1.com", ".gstatic.com")

#: Put in front of a page (a copy of it) to record what went wrong into the DOM, for --dump-dom.
HOOK = """<script>
(function () {
  var seen = [];
  function note(what) {
    seen.push(String(what));
    document.documentElement.setAttribute("data-problems", JSON.stringify(seen));
  }
  window.addEventListener("error", function (e) {
    note("error: " + (e.message || (e.target && (e.target.src || e.target.href || e.target.tagName)) || e.type));
  }, true);
  window.addEventListener("unhandledrejection", function (e) { note("rejection: " + e.reason); });
  document.addEventListener("securitypolicyviolation", function (e) {
    note("csp: " + e.violatedDirective + " " + e.blockedURI);
  });
  window.alert = function (m) { note("alert: " + m); };
  var error = console.error;
  console.error = function () { note("console.error: " + Array.prototype.join.call(arguments, " ")); error.apply(console, arguments); };
})();
</script>"""

CONTROL_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<p>control</p><img src="http://example.com/x.png"><script src="https://cdn.example.org/x.js"></script>
<script>throw new Error("control-uncaught");</script></body></html>"""


# -- Chromium ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["sh", "-c", "apt-get update && apt-get install -y chromium"], capture_output=True,
                       timeout=1500, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not CHROMIUM.exists():
        pytest.fail("the browser test needs Chromium at /usr/bin/chromium, and it is missing: install "
                    "Debian's package with 'apt-get update && apt-get install -y chromium' (as root; "
                    ".ci/run does it before 'make test')")
    return str(CHROMIUM)


class Proxy:
    """A listener that takes every connection, keeps its first request line, and closes it."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    line = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError:
                    line = "(no request line)"
            with self.lock:
                self.requests.append(line)

    def take(self) -> list[str]:
        with self.lock:
            out, self.requests = self.requests, []
        return out

    def close(self) -> None:
        self.server.close()


@pytest.fixture(scope="module")
def proxy():
    p = Proxy()
    yield p
    p.close()


def _host(request_line: str) -> str:
    """``CONNECT a.b:443 HTTP/1.1`` or ``GET http://a.b/x HTTP/1.1`` -> ``a.b``."""
    parts = request_line.split()
    target = parts[1] if len(parts) > 1 else ""
    target = re.sub(r"^[a-z]+://", "", target)
    return target.split("/", 1)[0].rsplit(":", 1)[0].lower()


def page_requests(lines: list[str]) -> list[str]:
    """The requests that are not Chromium's own background traffic."""
    return [r for r in lines if not _host(r).endswith(BROWSER_SERVICE_SUFFIXES)]


def run_chromium(chromium: str, proxy: Proxy, page: Path, profile: Path, *action: str) -> str:
    """Open ``page`` from file:// with the network blocked; returns Chromium's stdout + stderr."""
    cmd = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-extensions", "--no-pings", f"--user-data-dir={profile}",
           f"--proxy-server=127.0.0.1:{proxy.port}",
           # Every name resolves to nothing; only the proxy's address is left reachable, so that a
           # request that gets as far as the network is seen by the proxy, and goes no further.
           "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
           "--window-size=1200,800", "--virtual-time-budget=5000", "--enable-logging=stderr", "--v=0",
           *action, page.resolve().as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout + "\n" + done.stderr


def console_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


# -- the screenshot ------------------------------------------------------------------------------------


def decode_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows) of an 8-bit RGB or RGBA PNG, with the standard library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    width = height = depth = color = interlace = 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, color, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
    bpp = 3 if color == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    low7 = int.from_bytes(b"\x7f" * stride, "big")
    high1 = int.from_bytes(b"\x80" * stride, "big")
    rows, prev = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], raw[start + 1:start + 1 + stride]
        if kind == 0:
            cur = line
        elif kind == 2:
            # Up: a bytewise sum without carries from byte to byte, on one big integer (fast in Python).
            a, b = int.from_bytes(line, "big"), int.from_bytes(prev, "big")
            cur = (((a & low7) + (b & low7)) ^ ((a ^ b) & high1)).to_bytes(stride, "big")
        else:
            out = bytearray(line)
            for i in range(stride):
                left = out[i - bpp] if i >= bpp else 0
                if kind == 1:
                    out[i] = (out[i] + left) & 255
                elif kind == 3:
                    out[i] = (out[i] + ((left + prev[i]) >> 1)) & 255
                else:  # 4, Paeth
                    up, corner = prev[i], (prev[i - bpp] if i >= bpp else 0)
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    out[i] = (out[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
            cur = bytes(out)
        rows.append(cur)
        prev = cur
    return width, height, bpp, rows


def graph_pixels(png: Path) -> tuple[int, int]:
    """(non-white, strongly coloured) pixels in the graph's part of a 1200x800 page (no header, no legend)."""
    width, height, bpp, rows = decode_png(png.read_bytes())
    assert (width, height) == (1200, 800)
    ink = colour = 0
    for y in range(110, 790):
        row = rows[y]
        for x in range(0, 900 * bpp, bpp):
            r, g, b = row[x], row[x + 1], row[x + 2]
            if r < 245 or g < 245 or b < 245:
                ink += 1
                if max(r, g, b) - min(r, g, b) > 80:
                    colour += 1
    return ink, colour


# -- the pages -------------------------------------------------------------------------------------------


def _synthetic(store: Store, documents: int, issuers: int) -> None:
    t = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    lines = [f"<{iri.BASE}body/s{b}> <{t}> <{LO}Body> ; <{label}> \"Trường {b}\" ; <{LO}level> <{LO}Institution> ."
             for b in range(issuers)]
    for d in range(documents):
        lines.append(f"<{iri.BASE}doc/s/{d}> <{t}> <{LO}Document> , <{LO}Plan> ; <{LO}number> \"{d}/KH\" ; "
                     f"<{LO}issuedBy> <{iri.BASE}body/s{d % issuers}> ; <{LO}cites> <{iri.BASE}doc/s/{(d * 7 + 3) % documents}> .")
    body = "\n".join(lines)
    store.replace_graph(f"{iri.BASE}source/synthetic", list(ox.parse(body.encode("utf-8"), format=ox.RdfFormat.TURTLE)))


@pytest.fixture(scope="module")
def pages(tmp_path_factory, make) -> dict[str, Path]:
    """The views of the example corpus, a clustered overview, and pages built from hostile text."""
    out = tmp_path_factory.mktemp("pages")
    store = Store.open("memory:")
    Ingester(store).ingest_all(sorted(CORPUS.glob("*.txt")))
    made = {
        "doc": graphs.document_graph(store, lookup.resolve_document(store, "1587/SGDĐT-VP").iri),
        "trace": graphs.trace_graph(store, lookup.resolve_task(store, "45/KH-THCS", "6")),
        "body": graphs.body_graph(store, lookup.resolve_body(store, "Sở Giáo dục và Đào tạo tỉnh Hải Dương")),
        "corpus": graphs.corpus_graph(store),
    }
    big = Store.open("memory:")
    _synthetic(big, 1200, 60)
    made["clustered"] = graphs.corpus_graph(big, max_nodes=100)
    assert made["clustered"].graph["clustered"]

    # Tooltips become elements through innerHTML when the page starts: markup that escaped the
    # escaping would run there (the hook records alert and failed loads).
    hostile = Store.open("memory:")
    payload = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
    doc = make.doc("d1", "Plan", "9/KH-XSS", title=payload, issuer=payload + " Sở", date="2024-01-02", year=2024)
    cite = make.cite(kind="Law", number=None, title=payload + " Luật", issuer=payload, relation="basedOn",
                     text=payload)
    ingest_extraction(hostile, Extraction("x.txt", "", (doc,), citations=(cite,), tasks=(make.task("1", payload),)),
                      "x.txt")
    hostile.update_derived()
    made["hostile"] = graphs.document_graph(hostile, lookup.resolve_document(hostile, "9/KH-XSS").iri)
    made["hostile-task"] = graphs.trace_graph(hostile, lookup.resolve_task(hostile, "9/KH-XSS", "1"))
    paths = {}
    for name, g in made.items():
        paths[name] = render.write_view(g, out / f"{name}.html")
        instrumented = paths[name].read_text("utf-8").replace("<head>", "<head>\n" + HOOK, 1)
        (out / f"{name}.hooked.html").write_text(instrumented, "utf-8")
    (out / "control.html").write_text(CONTROL_PAGE, "utf-8")
    (out / "control.hooked.html").write_text(CONTROL_PAGE.replace("<head>", "<head>\n" + HOOK, 1), "utf-8")
    return paths


def _nodes(page: Path) -> int:
    data = re.search(r'<script id="luocdo-data" type="application/json">(.*?)</script>',
                     page.read_text("utf-8"), re.S).group(1)
    return len(json.loads(data)["nodes"])


# -- the tests --------------------------------------------------------------------------------------------


def test_the_checks_catch_a_page_that_fetches_and_fails(chromium, proxy, pages, tmp_path):
    """The control: a page that loads from the network and throws is caught by all three witnesses."""
    folder = pages["doc"].parent
    proxy.take()
    log = run_chromium(chromium, proxy, folder / "control.hooked.html", tmp_path / "profile", "--dump-dom")
    asked = {_host(r) for r in page_requests(proxy.take())}
    assert {"example.com", "cdn.example.org"} <= asked, asked
    assert any("control-uncaught" in line for line in console_lines(log))
    assert re.search(r'<html[^>]*data-problems="[^"]*control-uncaught', log), "the hook saw nothing"


@pytest.mark.parametrize("name", ["doc", "trace", "body", "corpus", "clustered", "hostile", "hostile-task"])
def test_a_view_draws_offline_without_errors(name, chromium, proxy, pages, tmp_path):
    page = pages[name]
    shot = tmp_path / "shot.png"
    proxy.take()
    # The hooked copy is read back with --dump-dom while the page itself is photographed: two
    # browsers at once, each with its own profile.
    with ThreadPoolExecutor(2) as pool:
        dom_run = pool.submit(run_chromium, chromium, proxy, page.with_name(f"{name}.hooked.html"),
                              tmp_path / "p1", "--dump-dom")
        shot_run = None if name.startswith("hostile") else pool.submit(
            run_chromium, chromium, proxy, page, tmp_path / "p2", f"--screenshot={shot}")
        dom = dom_run.result()
        log = shot_run.result() if shot_run else ""
    problems = re.search(r'<html[^>]*data-problems="([^"]*)"', dom)
    assert problems is None, problems.group(1)
    ready = re.search(r'<body[^>]*data-ready="(\d+)"', dom)
    assert ready, "vis-network did not finish drawing"
    assert int(ready.group(1)) == _nodes(page)
    assert re.search(r'<div id="graph"[^>]*>.*?<canvas', dom, re.S), "no canvas in the graph"
    assert not console_lines(dom) and not console_lines(log), console_lines(dom) + console_lines(log)
    assert page_requests(proxy.take()) == []
    if shot_run is None:
        return  # the hostile pages are about escaping: the hook and the log are their witnesses
    ink, colour = graph_pixels(shot)
    assert ink > 3000 and colour > 300, f"the graph area looks blank ({ink} non-white, {colour} coloured pixels)"
