"""Identity: deterministic IRIs for everything luocdo puts in the graph (standard library only).

An IRI is minted from what identifies the thing, never from where it was seen, so the same
document cited from ten files is one node, and ingesting the same file twice mints the same IRIs.
There are no blank nodes: every node can be pointed at from a query, a test or another file.

>>> document("Plan", "171/KH-PGDĐT", None, "Phòng Giáo dục và Đào tạo huyện Gia Lộc", 2023)
'https://w3id.org/luocdo/id/doc/phong-giao-duc-va-dao-tao-huyen-gia-loc/2023/171-kh-pgddt'
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata

from .errors import IdentityError

#: Instance IRIs (documents, bodies, tasks, ...) live under this base.
BASE = "https://w3id.org/luocdo/id/"
#: The project's ontology namespace (``lo:``).
LO = "https://w3id.org/luocdo/ontology#"
#: The named graph that holds the ontology itself, so that queries can read its labels.
ONTOLOGY_GRAPH = "https://w3id.org/luocdo/ontology"
#: The named graph the store recomputes after every ingest (``lo:stub``).
DERIVED_GRAPH = BASE + "graph/derived"
#: Every per-file graph starts with this.
SOURCE_PREFIX = BASE + "source/"

#: Contract roles (extract-json.md) -> the ``lo:Role`` individuals of the ontology.
ROLE_NAMES: dict[str, str] = {
    "lead": "Lead", "cooperate": "Cooperate", "responsible": "Responsible", "advise": "Advise",
    "report": "Report",
}

# đ/Đ is a letter of its own, not d plus a mark, so NFD leaves it alone: fold it explicitly.
_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})
# Any run of what is not an ASCII letter or digit becomes one hyphen ("171/KH - PGDĐT" -> "171-kh-pgddt").
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Spaces of any width, including the no-break space that Word puts in "171 /KH".
_SPACES = re.compile(r"\s+")


def nfc(s: str) -> str:
    """NFC form: Vietnamese arrives both precomposed and with combining marks.

    >>> nfc("Quye\\u0302\\u0301t") == "Quy\\u1ebft"
    True
    """
    return unicodedata.normalize("NFC", s)


def fold(s: str) -> str:
    """Vietnamese folded to lower-case ASCII with single spaces: the key used for hashing titles.

    >>> fold("  Kế hoạch   Đoàn kết ")
    'ke hoach doan ket'
    """
    decomposed = unicodedata.normalize("NFD", s.translate(_LETTERS))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", ascii_only).strip().lower()


def slug(s: str) -> str:
    """A path segment: folded, lower-case, every run of other characters one hyphen.

    >>> slug("Ủy ban nhân dân tỉnh Sơn La")
    'uy-ban-nhan-dan-tinh-son-la'
    """
    return _NON_ALNUM.sub("-", fold(nfc(s))).strip("-")


def canonical_number(number: str) -> str:
    """The số ký hiệu in canonical form: NFC, no spaces, ``&`` and a trailing full stop dropped.

    The parser already gives canonical numbers (extract-json.md); identity applies the rules
    again so that an IRI never depends on which spelling reached it.

    >>> canonical_number("4725/QĐ-BGD&ĐT") == canonical_number("4725 / QĐ-BGDĐT") == "4725/QĐ-BGDĐT"
    True
    """
    # NFC last: dropping "&" or a space can bring a letter and a combining mark together.
    return nfc(_SPACES.sub("", nfc(number)).replace("&", "").rstrip("."))


def _sha1(s: str, n: int) -> str:
    return hashlib.sha1(nfc(s).encode("utf-8")).hexdigest()[:n]


def document(kind: str, number: str | None, title: str | None, issuer: str | None,
             year: int | None, fallback: str | None = None, within: str | None = None) -> str:
    """The IRI of a document: issuer + year + number, or a hash of kind and title without a number.

    ``fallback`` identifies a document that has neither number nor title (the caller passes
    something unique to it, such as its source graph and key); without it such a document
    cannot be identified. ``within`` is the province that completes the issuer's name (see
    :func:`body`): every province has a Trường THPT Hoàng Hoa Thám, and each issues a 41/KH-THPT.

    >>> document("Decision", "4725/QĐ-BGD&ĐT", None, "Bộ Giáo dục và Đào tạo", 2009)
    'https://w3id.org/luocdo/id/doc/bo-giao-duc-va-dao-tao/2009/4725-qd-bgddt'
    >>> document("Law", None, "Luật Giáo dục", None, 2019)
    'https://w3id.org/luocdo/id/doc/unknown/2019/t-77940961e549'
    >>> document("Plan", "41/KH-THPT", None, "Trường THPT Hoàng Hoa Thám", 2025, within="Cần Thơ")
    'https://w3id.org/luocdo/id/doc/can-tho/truong-thpt-hoang-hoa-tham/2025/41-kh-thpt'
    """
    head = f"{BASE}doc/{_scoped(issuer or '', within) or 'unknown'}/{year if year is not None else 'undated'}/"
    # "08/CT-TTg" and "8/CT-TTg" are one document: the sequence number's leading zeros do not count.
    number_slug = re.sub(r"^0+(?=\d)", "", slug(canonical_number(number))) if number else ""
    if number_slug:
        return head + number_slug
    if title and fold(title):
        return head + "t-" + _sha1(fold(f"{kind} {title}"), 12)
    if fallback:
        # Neither number nor title: only the place it was seen can tell it apart from another.
        return head + "x-" + _sha1(fallback, 12)
    raise IdentityError(f"a {kind!r} document of {issuer!r} has neither number nor title")


def body(name: str, within: str | None = None) -> str:
    """The IRI of a body from its canonical name, and the province ``within`` which that name is
    unique when it names none (a school, a commune, a district: see ``triples.LOCAL_LEVELS``).

    >>> body("Bộ Giáo dục và Đào tạo")
    'https://w3id.org/luocdo/id/body/bo-giao-duc-va-dao-tao'
    >>> body("Ủy ban nhân dân xã Hòa Bình", within="Phú Thọ")
    'https://w3id.org/luocdo/id/body/phu-tho/uy-ban-nhan-dan-xa-hoa-binh'
    """
    s = _scoped(name, within)
    if not slug(name):
        raise IdentityError(f"body name {name!r} has no letters or digits")
    return f"{BASE}body/{s}"


def _scoped(name: str, within: str | None) -> str:
    """``name``'s slug, after its province's when it has one: "can-tho/truong-thpt-hoang-hoa-tham"."""
    s = slug(name)
    w = slug(within) if within and s else ""
    return f"{w}/{s}" if w else s


def task(doc_iri: str, path: str) -> str:
    """The IRI of a task from its document and its full number path ("II.7.a").

    >>> task("https://w3id.org/luocdo/id/doc/unknown/2023/1", "II.7.a")
    'https://w3id.org/luocdo/id/doc/unknown/2023/1/task/ii-7-a'
    """
    return f"{doc_iri}/task/{slug(path) or _sha1(path, 8)}"


def citation(citing_iri: str, cited_iri: str) -> str:
    """The IRI of the qualified citation of ``cited_iri`` by ``citing_iri`` (one per pair).

    >>> citation("https://w3id.org/luocdo/id/doc/a", "https://w3id.org/luocdo/id/doc/b")[:36]
    'https://w3id.org/luocdo/id/citation/'
    """
    return f"{BASE}citation/{_sha1(citing_iri + ' ' + cited_iri, 16)}"


def assignment(doc_iri: str, task_iri: str | None, assignee: str, role: str, span: tuple[int, int]) -> str:
    """The IRI of one qualified assignment; the span tells apart the same body given the same role twice.

    >>> assignment("https://w3id.org/luocdo/id/doc/a", None, "Sở Y tế", "lead", (1, 9))[:38]
    'https://w3id.org/luocdo/id/assignment/'
    """
    key = "\n".join((doc_iri, task_iri or "", nfc(assignee), role, f"{span[0]}-{span[1]}"))
    return f"{BASE}assignment/{_sha1(key, 16)}"


def initiative(title: str) -> str:
    """The IRI of a named initiative from its folded title (quotes and case do not matter).

    >>> initiative("Xây dựng văn hóa ứng xử") == initiative("xây dựng  VĂN HÓA ứng xử")
    True
    """
    return f"{BASE}initiative/{_sha1(fold(title), 12)}"


def source_graph(path: str | os.PathLike[str]) -> str:
    """The named graph of one source file: its name for people, a hash of its absolute path for identity.

    >>> source_graph("/corpus/171-KH.txt")
    'https://w3id.org/luocdo/id/source/171-kh-txt-4031a91191'
    """
    p = os.fspath(path)
    return f"{SOURCE_PREFIX}{slug(os.path.basename(p)) or 'file'}-{_sha1(os.path.abspath(p), 10)}"


def role(name: str) -> str:
    """The ``lo:Role`` individual of a contract role.

    >>> role("lead")
    'https://w3id.org/luocdo/ontology#Lead'
    """
    try:
        return LO + ROLE_NAMES[name]
    except KeyError:
        raise IdentityError(f"unknown role {name!r} (expected one of {', '.join(ROLE_NAMES)})") from None


def kind_class(kind: str) -> str:
    """The ontology class of a contract kind.

    >>> kind_class("Plan")
    'https://w3id.org/luocdo/ontology#Plan'
    """
    if not re.fullmatch(r"[A-Z][A-Za-z]*", kind or ""):
        raise IdentityError(f"document kind {kind!r} is not a class name")
    return LO + kind


def relation_property(relation: str) -> str:
    """The ontology property of a contract citation relation.

    >>> relation_property("basedOn")
    'https://w3id.org/luocdo/ontology#basedOn'
    """
    if not re.fullmatch(r"[a-z][A-Za-z]*", relation or ""):
        raise IdentityError(f"citation relation {relation!r} is not a property name")
    return LO + relation
