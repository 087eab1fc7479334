"""Bodies (cơ quan, tổ chức): who issues documents and who is given tasks, by canonical name.

The registry is data: ``data/bodies.json`` (central state and Party bodies), ``data/provinces.json``
(the 63 provinces before 1 July 2025, the 34 after, and which old ones each new one absorbed) and
``data/local_patterns.json`` (how local bodies are named: a head such as ``Ủy ban nhân dân`` or
``Sở`` + sector, then a territory). This module indexes it once and resolves any spelling of a body
to its canonical name, taking the territory that a mention leaves out ("UBND tỉnh", "Sở GD&ĐT")
from the :class:`Context` of the document it stands in. Standard library only.

>>> reg = registry()
>>> reg.canonical("Sở GD&ĐT", Context(province="Quảng Ngãi"))
'Sở Giáo dục và Đào tạo tỉnh Quảng Ngãi'
>>> reg.issuer_for_code("QĐ-BGD&ĐT")
'Bộ Giáo dục và Đào tạo'
>>> reg.successor("Sở Giáo dục và Đào tạo tỉnh Hải Dương")
'Sở Giáo dục và Đào tạo thành phố Hải Phòng'
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date as _date
from datetime import timedelta
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise

__all__ = ["Context", "Registry", "fold", "registry"]

CENTRAL, PROVINCIAL, DISTRICT, COMMUNE = "central", "provincial", "district", "commune"
INSTITUTION = "institution"
Levels = tuple[str, ...]
_RANK = {COMMUNE: 0, DISTRICT: 1, PROVINCIAL: 2}

# A body's name is short; a longer "mention" is running text, not a name.
MAX_TOKENS = 40

# One character class, one quantifier: linear on any input. "GD&ĐT" -> "gd dt".
_NON_ALNUM = re.compile(r"[\W_]+")
# A word: letters and digits. "TP.HCM" -> "TP", "HCM"; "Hòa" stays one word once NFC.
_WORD = re.compile(r"[^\W_]+")
# Roman numerals of a term or congress ("khóa XV", "lần thứ XIII"); folded to lower case first.
_ROMAN = re.compile(r"[ivxlcdm]+")
# Old-style tone placement in open syllables (hoà, khoẻ, uỷ) -> modern (hòa, khỏe, ủy), on NFD text.
_OLD_OA = re.compile(r"([oO])([aAeE])([\u0300\u0301\u0303\u0309\u0323])$")
_OLD_UY = re.compile(r"(^|[^qQ])([uU])([yY])([\u0300\u0301\u0303\u0309\u0323])$")
# Separators inside the code part of a số ký hiệu: "QĐ-BGD&ĐT", "QĐ/TW", "UBND.VX".
_CODE_SEP = re.compile(r"[\s\-/–.]+")
# Where a name cannot go on: table cells, brackets, colons, a rule line, a blank line.
# "Số: 986/QĐ-UBND | Tuyên Quang" is not "UBND Tuyên Quang". Linear: the one repeat ([ \t\r]*)
# cannot match the newline that ends it.
_HARD_STOP = re.compile(r"[|;:()\[\]{}<>*\"“”]|--|\n[ \t\r]*\n")
# What may stand between the words of a place name: a space, a line break inside a header line is not.
_NAME_GAP = frozenset({"", "-", "–", "'", "’"})


def fold(s: str) -> str:
    """Accent-insensitive key: no marks, đ -> d, lower case, runs of non-alphanumerics -> one space.

    >>> fold("Ủy ban nhân dân tỉnh HOÀ BÌNH")
    'uy ban nhan dan tinh hoa binh'
    >>> fold("Sở GD&ĐT")
    'so gd dt'
    """
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", s))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.replace("đ", "d").replace("Đ", "D").lower()
    return _NON_ALNUM.sub(" ", bare).strip()


def _marked_words(s: str) -> list[str]:
    """The words of ``s`` as :func:`fold` splits them, lower case, with their marks and "đ".

    >>> _marked_words("UBND tỉnh HOÀ BÌNH")
    ['ubnd', 'tỉnh', 'hoà', 'bình']
    """
    return _NON_ALNUM.sub(" ", unicodedata.normalize("NFC", s).lower()).split()


def _compact(s: str) -> str:
    """A code key: folded, spaces dropped ("BGD&ĐT" -> "bgddt")."""
    return fold(s).replace(" ", "")


def _squash(label: str) -> str:
    """Drop '&', '-', '.' between letters of an abbreviation ("Bộ GD&ĐT" -> "Bộ GDĐT")."""
    out = []
    for i, c in enumerate(label):
        inside = 0 < i < len(label) - 1 and not label[i - 1].isspace() and not label[i + 1].isspace()
        if c in "&-." and inside:
            continue
        out.append(c)
    return "".join(out)


def _modern_tones(text: str) -> str:
    """Move tone marks to the modern place in open oa/oe/uy syllables ("Hoà Bình" -> "Hòa Bình")."""

    def fix(word: str) -> str:
        d = unicodedata.normalize("NFD", word)
        d = _OLD_OA.sub(r"\1\3\2", d)
        d = _OLD_UY.sub(r"\1\2\4\3", d)
        return unicodedata.normalize("NFC", d)

    return _WORD.sub(lambda m: fix(m.group()), text)


def _title(text: str) -> str:
    """Capitalise each word of a proper name written in capitals ("GIA LỘC" -> "Gia Lộc")."""
    return _WORD.sub(lambda m: m.group()[0].upper() + m.group()[1:].lower(), text)


def _roman(token: str) -> str | None:
    """An ordinal as an upper-case Roman numeral ("xv" -> "XV", "15" -> "XV"); None if it is not one."""
    if token.isdigit():
        n = int(token)
        if not 0 < n < 4000:
            return None
        out = []
        for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                               (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
            while n >= value:
                out.append(numeral)
                n -= value
        return "".join(out)
    return token.upper() if _ROMAN.fullmatch(token) else None


def _valid_on(valid_from: str | None, valid_until: str | None, on: str) -> bool:
    return (valid_from is None or valid_from <= on) and (valid_until is None or on < valid_until)


@dataclass(frozen=True, slots=True)
class Context:
    """Where a mention stands: the document's own territory and date.

    ``province`` is the name without prefix ("Sơn La", "Hồ Chí Minh"); ``district`` likewise ("Gia Lộc").

    >>> Context(province="Hải Dương", district="Gia Lộc", district_type="huyện").district
    'Gia Lộc'
    """

    province: str | None = None
    province_type: str | None = None
    district: str | None = None
    district_type: str | None = None
    date: str | None = None
    #: The commune the document stands in ("An Hợp", type "xã"): a school under a commune's UBND.
    commune: str | None = None
    commune_type: str | None = None


# --- the indexed data -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Province:
    id: str
    name: str
    type: str
    full: str  # "tỉnh Sơn La", "Thành phố Hồ Chí Minh"
    proper: str  # what follows "Tỉnh ủy"/"Thành ủy": "Sơn La", "Thành phố Hồ Chí Minh"
    labels: tuple[str, ...]
    valid_from: str | None
    valid_until: str | None
    successor: str | None


@dataclass(frozen=True, slots=True)
class _Body:
    id: str
    name: str
    level: str
    codes: tuple[str, ...]
    alt_labels: tuple[str, ...]
    parents: tuple[tuple[str, str | None, str | None], ...]
    valid_from: str | None
    valid_until: str | None
    successor: str | None  # the main successor's id


@dataclass(frozen=True, slots=True)
class _Unit:
    id: str
    name: str
    labels: tuple[str, ...]
    levels: tuple[str, ...]
    requires_territory: bool
    parent: dict = field(hash=False, compare=False)
    valid_from: str | None = None
    valid_until: str | None = None
    successor: str | None = None


@dataclass(frozen=True, slots=True)
class _Sector:
    id: str
    name: str
    abbreviations: tuple[str, ...]
    code: str
    departments: dict = field(hash=False, compare=False)  # department id -> levels: {"so": ["provincial"]}
    valid_from: str | None = None
    valid_until: str | None = None
    successor: str | None = None


@dataclass(frozen=True, slots=True)
class _Dept:
    id: str
    word: str
    compact: str
    levels: tuple[str, ...]
    parent: dict = field(hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class _Organ:
    id: str
    name: str
    labels: tuple[str, ...]
    successor: str | None


@dataclass(frozen=True, slots=True)
class _Head:
    """What a mention starts with: a unit, a department + sector, a Party committee, a congress, a school."""

    kind: str  # unit | dept | committee | executive | congress | national | bare-congress | school
    unit: _Unit | None = None
    dept: _Dept | None = None
    sector: _Sector | None = None
    organ: _Organ | None = None
    committee_type: str | None = None  # "tỉnh", "thành phố", "huyện", ... ; None for Đảng ủy
    school: str | None = None  # canonical school type ("Trung học cơ sở")
    name_style: str = "words"  # schools: "words" (every word capitalised) or "first-word"


@dataclass(frozen=True, slots=True)
class _Territory:
    level: str
    type: str
    name: str
    full: str
    province: _Province | None = None


@dataclass(frozen=True, slots=True)
class _Resolved:
    """A mention understood: what the body is, and where."""

    kind: str  # central | unit | dept | party | congress | national | school
    body: _Body | None = None
    head: _Head | None = None
    territory: _Territory | None = None
    ordinal: str | None = None
    school_name: str | None = None


@dataclass(slots=True)
class _Mention:
    text: str
    toks: list[tuple[str, str, str, int, int]]  # (text, lower, folded, start, end)
    ascii: bool
    caps: bool
    ctx: Context | None
    modern: list[str] = field(default_factory=list)  # lower case, modern tone placement: "uỷ" -> "ủy"


def _tokens(text: str, limit: int | None = None) -> list[tuple[str, str, str, int, int]]:
    out = []
    for m in _WORD.finditer(text):
        word = m.group()
        out.append((word, word.lower(), fold(word), m.start(), m.end()))
        if limit is not None and len(out) > limit:
            break
    return out


def _keys(label: str) -> set[tuple[str, ...]]:
    """The folded token tuples a label is matched by: as written and with abbreviations squashed."""
    return {tuple(fold(v).split()) for v in (label, _squash(label))} - {()}


class Registry:
    """The body registry and resolver. Build with :meth:`load` (the packaged data) or from dicts.

    >>> Registry.load().canonical("UBND huyện", Context(district="Gia Lộc", district_type="huyện"))
    'Ủy ban nhân dân huyện Gia Lộc'
    """

    def __init__(self, bodies: dict, provinces: dict, patterns: dict):
        self._not_bodies = tuple(fold(s) for s in bodies.get("not_bodies", ()))
        self._suffixes = tuple(tuple(fold(s).split()) for s in bodies.get("name_suffixes", ()))
        self._load_bodies(bodies["bodies"])
        self._load_provinces(provinces)
        self._load_patterns(patterns)
        self._universe: list[tuple[str, frozenset[str], str]] | None = None
        self._canonical = lru_cache(maxsize=65536)(self._canonical_uncached)

    @classmethod
    def load(cls) -> Registry:
        """The registry of the packaged data files."""
        package = resources.files(__name__.rpartition(".")[0] + ".data")

        def read(name: str) -> dict:
            return json.loads(package.joinpath(name).read_text(encoding="utf-8"))

        return cls(read("bodies.json"), read("provinces.json"), read("local_patterns.json"))

    # --- loading ------------------------------------------------------------------------------------

    def _load_bodies(self, records: list[dict]) -> None:
        self._bodies: dict[str, _Body] = {}
        self._central: dict[str, _Body] = {}
        self._codes: dict[str, _Body] = {}
        self._code_patterns: list[tuple[re.Pattern, _Body]] = []
        for r in records:
            parent = r.get("parent")
            if isinstance(parent, str):
                parents = ((parent, None, None),)
            else:
                parents = tuple((p["id"], p.get("valid_from"), p.get("valid_until")) for p in parent or ())
            main = [s["id"] for s in r.get("successors", ()) if s.get("role", "main") == "main"]
            body = _Body(r["id"], r["name"], r.get("level", CENTRAL), tuple(r.get("codes", ())),
                         tuple(r.get("altLabels", ())), parents, r.get("valid_from"), r.get("valid_until"),
                         main[0] if main else None)
            if body.id in self._bodies:
                raise ValueError(f"bodies.json: duplicate id {body.id!r}")
            self._bodies[body.id] = body
            for label in (body.name, *body.alt_labels):
                for key in _keys(label):
                    _put(self._central, " ".join(key), body, "bodies.json label")
            for code in body.codes:
                _put(self._codes, _compact(code), body, "bodies.json code")
            if r.get("code_pattern"):
                # Patterns such as "QH\d{0,2}": a literal prefix and a bounded digit run, linear.
                self._code_patterns.append((re.compile(r["code_pattern"], re.IGNORECASE), body))
        for body in self._bodies.values():
            for pid, _, _ in body.parents:
                if pid not in self._bodies:
                    raise ValueError(f"bodies.json: {body.id!r} has unknown parent {pid!r}")
            if body.successor and body.successor not in self._bodies:
                raise ValueError(f"bodies.json: {body.id!r} has unknown successor {body.successor!r}")

    def _load_provinces(self, data: dict) -> None:
        self._provinces: dict[str, _Province] = {}
        for r in (*data.get("earlier", ()), *data["before_2025_07_01"], *data["after_2025_07_01"]):
            full = r.get("full_name") or f"{r['type']} {r['name']}"
            p = _Province(r["id"], r["name"], r["type"], full, r.get("full_name") or r["name"],
                          tuple(r.get("altLabels", ())), r.get("valid_from"), r.get("valid_until"),
                          r.get("successor"))
            if p.id in self._provinces:
                raise ValueError(f"provinces.json: duplicate id {p.id!r}")
            self._provinces[p.id] = p
        self._province_keys: dict[str, list[_Province]] = {}
        for p in self._provinces.values():
            if p.successor and p.successor not in self._provinces:
                raise ValueError(f"provinces.json: {p.id!r} has unknown successor {p.successor!r}")
            for label in {p.name, p.full, *p.labels}:
                for key in _keys(label):
                    bucket = self._province_keys.setdefault(" ".join(key), [])
                    if p not in bucket:
                        bucket.append(p)
        self._province_key_len = max(len(k.split()) for k in self._province_keys)
        self._province_words: dict[str, frozenset[str]] = {}
        self._districts: dict[tuple[str, str], _Province] = {}
        self._district_territories: list[_Territory] = []
        for d in data.get("districts", ()):
            self._districts[(d["type"], fold(d["name"]))] = self._provinces[d["province"]]
            self._district_territories.append(_district(d["type"], d["name"]))

    def _load_patterns(self, data: dict) -> None:
        self._district_until = data.get("district_level_until")
        self._kw_low: dict[tuple[str, ...], str] = {}
        self._kw_fold: dict[tuple[str, ...], str] = {}
        for k in data["territory_keywords"]:
            self._kw_low[tuple(w.lower() for w in _WORD.findall(k["label"]))] = k["type"]
            self._kw_fold[tuple(fold(k["label"]).split())] = k["type"]
        self._type_levels = {t: tuple(v) for t, v in data["territory_types"].items()}
        self._generic = frozenset(w.lower() for w in data["generic_words"])
        self._titles_low = {tuple(_modern_tones(w.lower()) for w in _WORD.findall(t)) for t in data["titles"]}
        self._titles_fold = {tuple(fold(t).split()) for t in data["titles"]}
        self._title_len = max(len(t) for t in self._titles_low)
        self._marks = frozenset(fold(m) for m in data["signature_marks"])
        self._heads: dict[tuple[str, ...], _Head] = {}
        self._head_spellings: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        self._local_codes: dict[str, _Head] = {}

        self._units: dict[str, _Unit] = {}
        for u in data["units"]:
            unit = _Unit(u["id"], u["name"], tuple(u["labels"]), tuple(u["levels"]), u["requires_territory"],
                         u.get("parent") or {}, u.get("valid_from"), u.get("valid_until"), u.get("successor"))
            self._units[unit.id] = unit
            head = _Head("unit", unit=unit)
            for label in (unit.name, *unit.labels):
                self._add_head(label, head)
            for code in u.get("codes", ()):
                _put(self._local_codes, _compact(code), head, "local unit code")

        self._sectors: dict[str, _Sector] = {}
        for s in data["sectors"]:
            self._sectors[s["id"]] = _Sector(s["id"], s["name"], tuple(s["abbreviations"]), s["code"],
                                             s["departments"], s.get("valid_from"), s.get("valid_until"),
                                             s.get("successor"))
        self._depts: dict[str, _Dept] = {}
        for d in data["departments"]:
            dept = _Dept(d["id"], d["word"], d["compact"], tuple(d["levels"]), d.get("parent") or {})
            self._depts[dept.id] = dept
            for sector in self._sectors.values():
                if not self._dept_levels(dept, sector):
                    continue
                head = _Head("dept", dept=dept, sector=sector)
                for form in (sector.name, *sector.abbreviations):
                    self._add_head(f"{dept.word} {form}", head)
                    self._add_head(f"{dept.compact}{form}", head)
                self._add_head(f"{dept.compact}{sector.code}", head)
                _put(self._local_codes, _compact(dept.compact + sector.code), head, "department code")

        party = data["party"]
        self._committees = {c["type"]: c["name"] for c in party["committees"]}
        self._organs: dict[str, _Organ] = {}
        for c in party["committees"]:
            self._add_head(c["name"], _Head("committee", committee_type=c["type"]))
        for o in party["organs"]:
            organ = _Organ(o["id"], o["name"], tuple(o["labels"]), o.get("successor"))
            self._organs[organ.id] = organ
            for label in (organ.name, *organ.labels):
                for c in party["committees"]:
                    head = _Head("committee", organ=organ, committee_type=c["type"])
                    self._add_head(f"{label} {c['name']}", head)
        for label in party["executive_labels"]:
            self._add_head(label, _Head("executive"))
        self._party_codes = frozenset(_compact(c) for c in party["ambiguous_codes"])

        congress = data["congress"]
        self._congress_local = congress["local_name"]
        self._congress_national = congress["national_name"]
        for label in congress["local_labels"]:
            self._add_head(label, _Head("congress"))
        for label in congress["national_labels"]:
            self._add_head(label, _Head("national"))
        self._add_head("Đại hội", _Head("bare-congress"))

        schools = data["schools"]
        self._school_word = schools["word"]
        for t in schools["types"]:
            for label in (t["name"], *t["labels"]):
                head = _Head("school", school=t["name"], name_style=t.get("name_style", "words"))
                self._add_head(f"{schools['word']} {label}", head)
        self._head_len = max(len(k) for k in self._heads)
        for key in self._local_codes:
            if key in self._codes:
                raise ValueError(f"local code {key!r} is also a central code")

    def _add_head(self, label: str, head: _Head) -> None:
        for key in _keys(label):
            _put(self._heads, key, head, "local_patterns.json head")
        for variant in (label, _squash(label)):
            words = tuple(_modern_tones(w.lower()) for w in _WORD.findall(variant))
            self._head_spellings.setdefault(tuple(fold(w) for w in words), set()).add(words)

    def _head_at(self, m: _Mention, i: int, n: int) -> _Head | None:
        """The head spelled by tokens i..i+n, accents included ("Trưởng" is a title, "Trường" a school);
        a text written without any accents is matched without them."""
        key = tuple(t[2] for t in m.toks[i:i + n])
        head = self._heads.get(key)
        if head is None or m.ascii or tuple(m.modern[i:i + n]) in self._head_spellings.get(key, ()):
            return head
        return None

    def _reserved_at(self, m: _Mention, k: int) -> bool:
        """Token k begins a head or a title of two words or more, so it is no part of a place or school
        name. One-word titles are syllables of names too: "Chánh" in huyện Bình Chánh."""
        return any(self._head_at(m, k, n) for n in range(1, min(self._head_len, len(m.toks) - k) + 1)) \
            or self._title_at(m, k) > 1

    @staticmethod
    def _dept_levels(dept: _Dept, sector: _Sector) -> Levels:
        """Where a department of this sector exists: Sở Giáo dục và Đào tạo (provincial), Phòng (district)."""
        return tuple(level for level in sector.departments.get(dept.id, ()) if level in dept.levels)

    # --- public API ---------------------------------------------------------------------------------

    def canonical(self, mention: str, ctx: Context | None = None) -> str | None:
        """The canonical full name of the body a mention names, or None if it names no one body.

        >>> registry().canonical("Chủ tịch UBND tỉnh", Context(province="Sơn La"))
        'Ủy ban nhân dân tỉnh Sơn La'
        """
        return self._canonical(mention, ctx)

    def _canonical_uncached(self, mention: str, ctx: Context | None) -> str | None:
        resolved = self._resolve(mention, ctx)
        return self._render(resolved) if resolved else None

    def match_prefix(self, text: str, ctx: Context | None = None) -> tuple[str, int] | None:
        """The longest body name at the start of NFC ``text``: (canonical name, characters consumed).

        For a parser that knows where a mention begins but not where it ends.

        >>> registry().match_prefix("Bộ Giáo dục và Đào tạo về việc ban hành")
        ('Bộ Giáo dục và Đào tạo', 22)
        """
        head = fold(text[:200])
        if any(head == nb or head.startswith(nb + " ") for nb in self._not_bodies):
            return None
        stop = _HARD_STOP.search(text, 0, 2000)
        toks = _tokens(text[:stop.start()] if stop else text[:2000], MAX_TOKENS)[:MAX_TOKENS]
        for k in range(len(toks), 0, -1):
            end = toks[k - 1][4]
            name = self.canonical(text[:end], ctx)
            if name:
                return name, end
        return None

    def issuer_for_code(self, code: str, ctx: Context | None = None) -> str | None:
        """The issuing body named by the code part of a số ký hiệu, when the code alone decides it.

        >>> registry().issuer_for_code("QĐ-UBND", Context(province="Sơn La"))
        'Ủy ban nhân dân tỉnh Sơn La'
        >>> registry().issuer_for_code("QĐ/TW") is None
        True
        """
        text = unicodedata.normalize("NFC", code).strip()
        if len(text) > 200:
            return None
        if "/" in text and _compact(text.rsplit("/", 1)[1]) in self._party_codes:
            return None  # '/TW', '/TU': Bộ Chính trị, Ban Bí thư and the committee itself all use them
        found: set[str] = set()
        for part in _CODE_SEP.split(text):
            key = _compact(part)
            if not key:
                continue
            body = self._codes.get(key)
            if body is None:
                body = next((b for pattern, b in self._code_patterns if pattern.fullmatch(key)), None)
            if body is not None:
                found.add(body.name)
                continue
            head = self._local_codes.get(key)
            if head is not None:
                levels = head.unit.levels if head.unit else self._dept_levels(head.dept, head.sector)
                territory = self._from_context(ctx, levels, None)
                if territory is None:
                    return None
                found.add(self._render(_Resolved(head.kind, head=head, territory=territory)))
        return found.pop() if len(found) == 1 else None

    def unnamed_tier(self, text: str) -> int | None:
        """Characters of a leading mention that names a unit by its head and a tier below the
        province but no territory ("UBND xã", "Chủ tịch Ủy ban nhân dân huyện" with no name
        after it), or None. Such a mention is the context's unit of that tier or no one, never
        the province's, whatever the document number's code says. Heads, titles and tier words
        are the data's (local_patterns.json).

        >>> r = registry()
        >>> r.unnamed_tier("UBND xã về nhiệm vụ năm học"), r.unnamed_tier("Chủ tịch UBND huyện;")
        (7, 19)
        >>> r.unnamed_tier("UBND xã An Hợp"), r.unnamed_tier("UBND tỉnh"), r.unnamed_tier("UBND XÃ AN HỢP")
        (None, None, None)
        """
        text = unicodedata.normalize("NFC", text)
        toks = _tokens(text, MAX_TOKENS)
        m = _Mention(text, toks, text.isascii(), False, None, [_modern_tones(t[1]) for t in toks])
        i = self._title_at(m, 0) if len(toks) > 1 else 0
        for n in range(min(self._head_len, len(toks) - i), 0, -1):
            head = self._head_at(m, i, n)
            if head is not None:
                break
        else:
            return None
        if head.kind != "unit" or not ({DISTRICT, COMMUNE} & set(head.unit.levels)):
            return None
        word = self._keyword_at(m, i + n)
        if word is None or not set(self._type_levels.get(word[0], ())) <= {DISTRICT, COMMUNE}:
            return None
        end = i + n + word[1]
        if end < len(toks) and (toks[end][0][0].isupper() or toks[end][0][0].isdigit()):
            return None  # a name follows: "UBND xã An Hợp" is named
        return toks[end - 1][4]

    def find_province(self, text: str, date: str | None = None) -> str | None:
        """The province a short text names ("tỉnh Sơn La", "TP.HCM"), as its name without prefix.

        >>> registry().find_province("UBND TP.HCM")
        'Hồ Chí Minh'
        """
        p = self._find_province(text, date)
        return p.name if p else None

    def province_names(self) -> tuple[str, ...]:
        """Every province's name, of every period, once ("An Giang" before and after 2025 is one).

        >>> "Hải Dương" in registry().province_names() and "Hà Tây" in registry().province_names()
        True
        """
        return tuple(dict.fromkeys(p.name for p in self._provinces.values()))

    def province_type(self, name: str, date: str | None = None) -> str | None:
        """'tỉnh' or 'thành phố' for a province (on ``date`` if given).

        >>> registry().province_type("Huế", "2024-06-01"), registry().province_type("Huế", "2025-06-01")
        ('tỉnh', 'thành phố')
        """
        p = self._find_province(name, date)
        return p.type if p else None

    def successor(self, canonical_name: str, on: str = "2025-07-01") -> str | None:
        """The body that took over from ``canonical_name`` by ``on``, or None if its name did not change.

        >>> registry().successor("Bộ Kế hoạch và Đầu tư", "2025-03-01")
        'Bộ Tài chính'
        """
        before = (_date.fromisoformat(on) - timedelta(days=1)).isoformat()
        resolved = self._resolve(canonical_name, Context(date=before))
        if resolved is None:
            return None
        if resolved.kind == "central":
            body = resolved.body
            while body.valid_until and body.valid_until <= on and body.successor:
                body = self._bodies[body.successor]
            return body.name if body is not resolved.body else None
        if resolved.kind in ("congress", "national", "school"):
            return None
        territory = resolved.territory
        if territory.level == DISTRICT and self._district_until and self._district_until <= on:
            return None  # the district level was abolished; its tasks went to communes and the province
        if territory.level == PROVINCIAL:
            p = territory.province
            while p.valid_until and p.valid_until <= on and p.successor:
                p = self._provinces[p.successor]
            territory = self._provincial(p)
        head = resolved.head
        if head.kind == "unit":
            unit = head.unit
            while unit.valid_until and unit.valid_until <= on:
                if not unit.successor:
                    return None
                dept_id, _, sector_id = unit.successor.partition("/")
                if sector_id:
                    head = _Head("dept", dept=self._depts[dept_id], sector=self._sectors[sector_id])
                    break
                unit = self._units[unit.successor]
                head = _Head("unit", unit=unit)
        if head.kind == "dept":
            sector = head.sector
            while sector.valid_until and sector.valid_until <= on:
                if not sector.successor:
                    return None
                sector = self._sectors[sector.successor]
            head = replace(head, sector=sector)
        kind = head.kind if head.kind in ("unit", "dept") else resolved.kind
        name = self._render(replace(resolved, kind=kind, head=head, territory=territory))
        return name if name != canonical_name else None

    def valid_until(self, canonical_name: str) -> str | None:
        """The first day a body no longer exists as named (ISO date), or None if it still does.

        The earliest end among the body itself, its territory (the 63 provinces and the district
        tier end on 2025-07-01) and its department's sector.

        >>> registry().valid_until("Sở Giáo dục và Đào tạo tỉnh Hải Dương")
        '2025-07-01'
        >>> registry().valid_until("Ủy ban nhân dân tỉnh Sơn La") is None
        True
        """
        resolved = self._resolve(canonical_name, Context(date="2025-06-30"))
        if resolved is None:
            return None
        ends: list[str] = []
        if resolved.kind == "central":
            ends.append(resolved.body.valid_until or "")
        elif resolved.kind not in ("congress", "national", "school"):
            territory = resolved.territory
            if territory.level == DISTRICT and self._district_until:
                ends.append(self._district_until)
            if territory.level == PROVINCIAL:
                ends.append(territory.province.valid_until or "")
                if territory.province.valid_until and not territory.province.successor:
                    ends.pop()
                elif territory.province.successor and self._provinces[territory.province.successor].name \
                        == territory.province.name:
                    ends.pop()  # an unchanged province is recorded twice, before and after
            head = resolved.head
            if head.kind == "unit":
                ends.append(head.unit.valid_until or "")
            if head.kind == "dept":
                ends.append(head.sector.valid_until or "")
        ends = [e for e in ends if e]
        return min(ends) if ends else None

    def level(self, canonical_name: str) -> str | None:
        """central / provincial / district / commune / institution.

        >>> registry().level("Phòng Giáo dục và Đào tạo huyện Gia Lộc")
        'district'
        """
        resolved = self._resolve(canonical_name, None)
        if resolved is None:
            return None
        if resolved.kind == "central":
            return resolved.body.level
        if resolved.kind == "national":
            return CENTRAL
        if resolved.kind == "school":
            return INSTITUTION
        return resolved.territory.level

    def parent(self, canonical_name: str, on: str | None = None) -> str | None:
        """The body this one belongs to: Sở -> UBND tỉnh -> Chính phủ; Phòng -> UBND huyện; Bộ -> Chính phủ.

        >>> registry().parent("Sở Giáo dục và Đào tạo tỉnh Hải Dương")
        'Ủy ban nhân dân tỉnh Hải Dương'
        """
        resolved = self._resolve(canonical_name, Context(date=on) if on else None)
        if resolved is None:
            return None
        if resolved.kind == "central":
            spans = resolved.body.parents
            chosen = [p for p, f, u in spans if (_valid_on(f, u, on) if on else u is None)]
            return self._bodies[chosen[0]].name if chosen else None
        head, territory = resolved.head, resolved.territory
        if resolved.kind in ("unit", "dept"):
            rules = head.unit.parent if head.unit else head.dept.parent
            return self._apply_parent_rule(rules.get(territory.level), territory)
        if resolved.kind == "party":
            if head.organ is not None:
                committee = _Head("committee", committee_type=head.committee_type)
                return self._render(replace(resolved, head=committee))
            if territory.level == PROVINCIAL:
                return self._bodies["ban-chap-hanh-trung-uong"].name
            if territory.level == DISTRICT:
                province = self._districts.get((territory.type, fold(territory.name)))
                if province:
                    return self._render(_Resolved("party", head=_Head("committee"),
                                                  territory=self._provincial(province)))
        return None

    def search(self, query: str, limit: int = 20) -> list[str]:
        """Accent-insensitive search over the registry; every query word must begin a word of a name.

        >>> registry().search("so gddt son la")[0]
        'Sở Giáo dục và Đào tạo tỉnh Sơn La'
        """
        words = fold(query).split()
        if not words:
            return []
        phrase = " ".join(words)
        scored = []
        for name, tokens, key in self._search_universe():
            exact = 0
            for w in words:
                if w in tokens:
                    exact += 1
                elif not any(t.startswith(w) for t in tokens):
                    break
            else:
                scored.append((-exact, phrase not in key, len(name), name))
        scored.sort()
        return [name for *_, name in scored[:limit]]

    def alt_labels(self, canonical_name: str) -> tuple[str, ...]:
        """Other spellings of a body ("Bộ GD&ĐT", "BGDĐT" for Bộ Giáo dục và Đào tạo).

        >>> "Bộ GD&ĐT" in registry().alt_labels("Bộ Giáo dục và Đào tạo")
        True
        """
        resolved = self._resolve(canonical_name, None)
        if resolved is None:
            return ()
        name = self._render(resolved)
        return tuple(label for label in dict.fromkeys(self._labels(resolved)) if label != name)

    # --- resolution ---------------------------------------------------------------------------------

    def _resolve(self, mention: str, ctx: Context | None) -> _Resolved | None:
        text = unicodedata.normalize("NFC", mention).strip(" \t\r\n|;:()[]{}<>*\"“”.,-–")
        if _HARD_STOP.search(text):
            return None
        toks = _tokens(text, MAX_TOKENS)
        if not toks or len(toks) > MAX_TOKENS:
            return None
        caps = text == text.upper() and any(c.isalpha() for c in text)
        m = _Mention(text, toks, text.isascii(), caps, ctx, [_modern_tones(t[1]) for t in toks])
        i = 0
        while i < len(toks) - 1 and toks[i][2] in self._marks:  # TM., KT., TL. of a signature block
            i += 1
        for _ in range(3):
            resolved = self._resolve_at(m, i)
            if resolved is not None:
                return resolved
            n = self._title_at(m, i)
            if not n or i + n >= len(toks):
                return None
            i += n
        return None

    def _title_at(self, m: _Mention, i: int) -> int:
        """Length of a leading title ("Chủ tịch", "Bộ trưởng"), matched with its accents."""
        table, words = (self._titles_fold, [t[2] for t in m.toks]) if m.ascii else (self._titles_low, m.modern)
        for n in range(min(self._title_len, len(m.toks) - i), 0, -1):
            if tuple(words[i:i + n]) in table:
                return n
        return 0

    def _resolve_at(self, m: _Mention, i: int) -> _Resolved | None:
        keys = [t[2] for t in m.toks[i:]]
        body = self._central_body(keys, m.ctx)
        if body is not None:
            return _Resolved("central", body=body)
        for n in range(min(self._head_len, len(keys)), 0, -1):
            head = self._head_at(m, i, n)
            if head is not None:
                resolved = self._resolve_head(m, head, i + n)
                if resolved is not None:
                    return resolved
        return None

    def _central_body(self, keys: list[str], ctx: Context | None) -> _Body | None:
        if len(keys) > 2 and keys[-2] == "khoa" and _roman(keys[-1]):
            keys = keys[:-2]  # "Bộ Chính trị khóa XIII", "Quốc hội khóa XV"
        for suffix in self._suffixes:
            if len(keys) > len(suffix) and tuple(keys[-len(suffix):]) == suffix:
                keys = keys[:-len(suffix)]
                break
        body = self._central.get(" ".join(keys))
        if body is not None and ctx and ctx.date and body.valid_from and ctx.date < body.valid_from:
            return None  # "Cục Thuế" in a 2013 letter is a provincial department, not the 2025 one
        return body

    def _resolve_head(self, m: _Mention, head: _Head, j: int) -> _Resolved | None:
        if head.kind in ("unit", "dept"):
            levels = head.unit.levels if head.unit else self._dept_levels(head.dept, head.sector)
            requires = head.unit.requires_territory if head.unit else False
            territory = self._territory(m, j, len(m.toks), levels, requires)
            return _Resolved(head.kind, head=head, territory=territory) if territory else None
        if head.kind == "committee":
            territory = self._committee_territory(m, j, head.committee_type)
            return _Resolved("party", head=head, territory=territory) if territory else None
        if head.kind == "executive":  # Ban Chấp hành Đảng bộ tỉnh X = Tỉnh ủy X
            territory = self._territory(m, j, len(m.toks), (PROVINCIAL, DISTRICT, COMMUNE), True)
            return _Resolved("party", head=_Head("committee"), territory=territory) if territory else None
        if head.kind == "congress":
            return self._congress(m, j)
        if head.kind in ("national", "bare-congress"):
            return self._national_congress(m, j, head.kind == "bare-congress")
        if head.kind == "school":
            return self._school(m, head, j)
        return None

    # --- territories ---------------------------------------------------------------------------------

    def _keyword_at(self, m: _Mention, i: int) -> tuple[str, int] | None:
        """A territory type word at token i ("tỉnh", "thành phố", "TP"), matched with its accents
        so that names such as Hà Tĩnh or Quan Hóa are not read as "tỉnh" or "quận"."""
        table, col = (self._kw_fold, 2) if m.ascii else (self._kw_low, 1)
        for n in (2, 1):
            if i + n <= len(m.toks) and tuple(t[col] for t in m.toks[i:i + n]) in table:
                return table[tuple(t[col] for t in m.toks[i:i + n])], n
        return None

    def _gap(self, m: _Mention, k: int) -> str:
        """The text between token k - 1 and token k."""
        return m.text[m.toks[k - 1][4]:m.toks[k][3]] if k > 0 else ""

    def _segments(self, m: _Mention, j: int, end: int) -> list[tuple[str | None, int, int]] | None:
        """Split tokens j..end into (type word, name start, name end): "huyện Gia Lộc, tỉnh Hải Dương".

        None when a name would begin after a comma, a full stop or a dash: "UBND huyện. Tham mưu",
        "Thành ủy, Đảng ủy": the body name ended before it ("TP.HCM" keeps its abbreviation's dot)."""
        segments = []
        i = j
        while i < end:
            kw = self._keyword_at(m, i)
            typ = None
            if kw:
                typ, n = kw
                i += n
            a = i
            if a < end and a > 0:
                gap = self._gap(m, a).strip()
                if gap and not (gap == "." and typ and m.toks[a - 1][1] in ("tp", "tx")):
                    return None
            while i < end and not self._keyword_at(m, i):
                i += 1
            segments.append((typ, a, min(i, end)))
        return segments

    def _territory(self, m: _Mention, j: int, end: int, levels: Levels, requires: bool) -> _Territory | None:
        segments = self._segments(m, j, end)
        if segments is None:
            return None
        if not segments:
            return None if requires else self._from_context(m.ctx, levels, None)
        if any(m.toks[k][1] in self._generic for _, a, b in segments for k in range(a, b)):
            return None  # "các huyện", "cấp xã": a class of bodies, not one
        typ, a, b = segments[0]
        if a == b:
            return self._from_context(m.ctx, levels, typ) if len(segments) == 1 else None
        territory = self._explicit(m, typ, a, b, levels)
        if territory is None:
            return None
        rank = _RANK[territory.level]
        for qtyp, qa, qb in segments[1:]:  # qualifiers, each a level up: "xã X, huyện Y, tỉnh Hải Dương"
            if qtyp is None or qa == qb:
                return None
            qualifier = self._explicit(m, qtyp, qa, qb, (PROVINCIAL, DISTRICT, COMMUNE))
            if qualifier is None or _RANK[qualifier.level] <= rank:
                return None
            rank = _RANK[qualifier.level]
        return territory

    def _explicit(self, m: _Mention, typ: str | None, a: int, b: int, levels: Levels) -> _Territory | None:
        date = m.ctx.date if m.ctx else None
        if typ is None or typ in ("tỉnh", "thành phố"):
            province = self._province_of(m, a, b, date)
            if province and (typ is None or typ == "tỉnh" or province.type == "thành phố"):
                return self._provincial(province) if PROVINCIAL in levels else None
            if typ == "tỉnh" or (typ is None and province):
                return None
        if DISTRICT in levels and typ is None:
            name = self._place_name(m, a, b)
            if name is None:
                return None
            ctx = m.ctx
            if ctx and ctx.district and fold(ctx.district) == fold(name):
                return _district(ctx.district_type or "huyện", name)
            if PROVINCIAL not in levels:
                return _district("huyện", name)
            return None
        if typ is None:
            return None
        level = next((lv for lv in self._type_levels.get(typ, ()) if lv != PROVINCIAL), None)
        if level is None or level not in levels:
            return None
        name = self._place_name(m, a, b)
        return _Territory(level, typ, name, f"{typ} {name}") if name else None

    def _place_name(self, m: _Mention, a: int, b: int) -> str | None:
        """A district or commune name as written, each word capitalised ("Gia Lộc", "Ba Đình", "7")."""
        if not 0 < b - a <= 6:
            return None
        if not m.caps and not all(t[0][0].isupper() or t[0][0].isdigit() for t in m.toks[a:b]):
            return None  # "huyện còn lại", "xã đó"
        if "\n" in self._gap(m, a) or any(self._gap(m, k).strip() not in _NAME_GAP or "\n" in self._gap(m, k)
                                         for k in range(a + 1, b)):
            return None  # "Cần Thơ. Thực hiện", "HỒ CHÍ MINH\nSỞ GIÁO DỤC": the name has ended
        keys = [t[2] for t in m.toks[a:b]]
        if any(" ".join(keys[:k]) in self._province_keys or " ".join(keys[k:]) in self._province_keys
               for k in range(1, b - a)):
            return None  # "thành phố Cần Thơ Thực ...", "huyện Gia Lộc Hồ Chí Minh": a province and more
        if any(self._reserved_at(m, k) or (not m.caps and len(m.toks[k][0]) > 1 and m.toks[k][0].isupper())
               for k in range(a, b)):
            return None  # "Huyện ủy Sở UBND", "Thành ủy Thuế": vocabulary, not a place
        name = " ".join(m.text[m.toks[a][3]:m.toks[b - 1][4]].split())
        return _modern_tones(_title(name) if m.caps else name)

    def _province_of(self, m: _Mention, a: int, b: int, date: str | None = None) -> _Province | None:
        return self._pick(self._province_keys.get(" ".join(t[2] for t in m.toks[a:b])), date)

    @staticmethod
    def _pick(candidates: list[_Province] | None, date: str | None,
              hint: str | None = None) -> _Province | None:
        """The province a name means on a date: the one valid then, else the nearest in time."""
        if not candidates:
            return None
        ranked = sorted(candidates, key=lambda p: p.type != hint)
        if date:
            for p in ranked:
                if _valid_on(p.valid_from, p.valid_until, date):
                    return p
            ended = [p for p in ranked if p.valid_until and p.valid_until <= date]
            if ended:
                return max(ended, key=lambda p: p.valid_until)
            return min(ranked, key=lambda p: p.valid_from or "")
        current = [p for p in ranked if p.valid_until is None]
        return current[0] if current else max(ranked, key=lambda p: p.valid_until)

    def _provincial(self, p: _Province) -> _Territory:
        return _Territory(PROVINCIAL, p.type, p.name, p.full, p)

    def _context_province(self, ctx: Context) -> _Province | None:
        if not ctx.province:
            return None
        p = self._pick(self._province_keys.get(fold(ctx.province)), ctx.date, ctx.province_type)
        return p or self._find_province(ctx.province, ctx.date)

    def _from_context(self, ctx: Context | None, levels: Levels, typ: str | None) -> _Territory | None:
        """The territory a mention leaves out, from the document's own: "UBND tỉnh" in a Sơn La plan."""
        if ctx is None:
            return None
        province = self._context_province(ctx)
        district = _modern_tones(" ".join(ctx.district.split())) if ctx.district else None
        dtype = ctx.district_type
        as_district = _district(typ or dtype or "huyện", district) if district else None
        if typ is None:
            options = []
            if DISTRICT in levels and as_district:
                options.append(as_district)
            if PROVINCIAL in levels and province:
                options.append(self._provincial(province))
            return options[0] if len(options) == 1 else None  # "UBND" in a district's plan: which one?
        if typ == "tỉnh":
            ok = PROVINCIAL in levels and province and province.type == typ
            return self._provincial(province) if ok else None
        if typ == "thành phố":
            if PROVINCIAL in levels and province and province.type == typ:
                return self._provincial(province)
            return as_district if DISTRICT in levels and as_district and dtype == typ else None
        if DISTRICT in self._type_levels.get(typ, ()) and DISTRICT in levels and dtype in (None, typ):
            return as_district
        if COMMUNE in levels and ctx.commune and ctx.commune_type == typ:
            # "UBND xã" in the plan of a school whose header reads "UBND XÃ AN HỢP".
            return _district(typ, _modern_tones(" ".join(ctx.commune.split())))
        return None

    def _committee_territory(self, m: _Mention, j: int, committee_type: str | None) -> _Territory | None:
        """Where a Party committee sits: "Tỉnh ủy Sơn La", "Huyện ủy" + context, "Đảng ủy xã X"."""
        if committee_type is None:  # Đảng ủy: the commune must be named
            return self._territory(m, j, len(m.toks), (COMMUNE,), True)
        levels = tuple(self._type_levels[committee_type])
        segments = self._segments(m, j, len(m.toks))
        if segments is None:
            return None
        if not segments:
            return self._from_context(m.ctx, levels, committee_type)
        if len(segments) > 1 or segments[0][0] not in (None, committee_type):
            return None
        _, a, b = segments[0]
        if a == b or any(m.toks[k][1] in self._generic for k in range(a, b)):
            return None
        if committee_type in ("tỉnh", "thành phố"):
            province = self._province_of(m, a, b, m.ctx.date if m.ctx else None)
            if province and (committee_type == "tỉnh" or province.type == "thành phố"):
                return self._provincial(province)
            if committee_type == "tỉnh":
                return None
        name = self._place_name(m, a, b)
        return _Territory(DISTRICT, committee_type, name, f"{committee_type} {name}") if name else None

    def _congress(self, m: _Mention, j: int) -> _Resolved | None:
        """Đại hội đại biểu Đảng bộ tỉnh X lần thứ N [, nhiệm kỳ ...]."""
        keys = [t[2] for t in m.toks]
        end, ordinal = len(keys), None
        for k in range(j, len(keys) - 1):
            if keys[k] == "nhiem" and keys[k + 1] == "ky":
                end = k
                break
            if keys[k] == "lan" and keys[k + 1] == "thu":
                if k + 2 >= len(keys) or not _roman(keys[k + 2]):
                    return None
                ordinal = _roman(keys[k + 2])
                rest = keys[k + 3:]
                if rest and rest[:2] != ["nhiem", "ky"]:
                    return None
                end = k
                break
        territory = self._territory(m, j, end, (PROVINCIAL, DISTRICT), True)
        return _Resolved("congress", territory=territory, ordinal=ordinal) if territory else None

    def _national_congress(self, m: _Mention, j: int, bare: bool) -> _Resolved | None:
        """Đại hội đại biểu toàn quốc lần thứ XIII của Đảng; "Đại hội XIV của Đảng"."""
        keys = [t[2] for t in m.toks[j:]]
        if keys[:2] == ["lan", "thu"]:
            keys = keys[2:]
        if not keys or not _roman(keys[0]):
            return None
        ordinal, rest = _roman(keys[0]), keys[1:]
        if rest not in ([], ["cua", "dang"]) or (bare and not rest):
            return None
        return _Resolved("national", ordinal=ordinal)

    def _school(self, m: _Mention, head: _Head, j: int) -> _Resolved | None:
        """Trường {type} {name}: the name as written; a school type alone is no one school."""
        n = len(m.toks)
        if j >= n or self._gap(m, j).strip():
            return None
        if self._keyword_at(m, j):  # "Trường PTDTNT tỉnh Sơn La"
            segments = self._segments(m, j, n)
            if not segments or len(segments) > 1:
                return None
            territory = self._explicit(m, *segments[0], (PROVINCIAL, DISTRICT, COMMUNE))
            return _Resolved("school", head=head, school_name=territory.full) if territory else None
        if m.toks[j][1] in self._generic:
            return None
        if head.name_style == "words":
            # Every word capitalised; a territory after the name qualifies it:
            # "Trường THCS Gia Tân, huyện Gia Lộc".
            b = j
            while b < n and not self._keyword_at(m, b):
                b += 1
            if b < n and self._territory(m, b, n, (DISTRICT, PROVINCIAL, COMMUNE), True) is None:
                return None
            if b < n and self._gap(m, b).strip() not in ("", ","):
                return None
            words = m.toks[j:b]
            if not m.caps and not all(t[0][0].isupper() or t[0][0].isdigit() or t[1] == "số" for t in words):
                return None  # "trường tiểu học còn lại", "Trường THCS Gia Tân tổ chức ..."
            gaps_ok = all(self._gap(m, k).strip() in _NAME_GAP and "\n" not in self._gap(m, k)
                          for k in range(j + 1, b))
        else:
            # Đại học, Cao đẳng: only the first word need be capitalised (Khoa học Tự nhiên), so a
            # run of two lower-case words (other than "và") is taken for the sentence going on.
            b = n
            words = m.toks[j:b]
            lower = [not (t[0][0].isupper() or t[0][0].isdigit()) and t[1] != "và" for t in words]
            if not m.caps and (lower[0] or lower[-1] or any(x and y for x, y in pairwise(lower))):
                return None
            gaps_ok = all(self._gap(m, k).strip() in _NAME_GAP for k in range(j + 1, b))
        if not 0 < b - j <= 16 or not gaps_ok:
            return None
        for k in range(j, b):
            if self._reserved_at(m, k):
                return None  # "Trường THCS Trường THCS ...", "Trường THCS Chủ tịch": not a name
            if head.name_style == "words" and not m.caps and len(m.toks[k][0]) > 1 and m.toks[k][0].isupper():
                return None  # "Trường PTDTNT HẢI PHÒNG": a K-12 school's name has no acronym
        name = " ".join(m.text[m.toks[j][3]:m.toks[b - 1][4]].split())
        return _Resolved("school", head=head, school_name=_modern_tones(_title(name) if m.caps else name))

    # --- rendering ----------------------------------------------------------------------------------

    def _committee_name(self, territory: _Territory) -> str:
        if territory.level == PROVINCIAL:
            return f"{self._committees[territory.type]} {territory.province.proper}"
        if territory.level == COMMUNE:
            return f"{self._committees[None]} {territory.full}"
        return f"{self._committees[territory.type]} {territory.name}"

    def _render(self, r: _Resolved) -> str:
        if r.kind == "central":
            return r.body.name
        if r.kind == "unit":
            return f"{r.head.unit.name} {r.territory.full}"
        if r.kind == "dept":
            return f"{r.head.dept.word} {r.head.sector.name} {r.territory.full}"
        if r.kind == "party":
            committee = self._committee_name(r.territory)
            return f"{r.head.organ.name} {committee}" if r.head.organ else committee
        if r.kind == "congress":
            if r.ordinal is None:
                return self._congress_local.split(" lần thứ")[0].format(territory=r.territory.full)
            return self._congress_local.format(territory=r.territory.full, ordinal=r.ordinal)
        if r.kind == "national":
            return self._congress_national.format(ordinal=r.ordinal)
        return f"{self._school_word} {r.head.school} {r.school_name}"

    def _apply_parent_rule(self, rule: str | None, territory: _Territory) -> str | None:
        """'central:<body>', 'same:<unit>' (same territory), 'province:<unit>' (a district's province)."""
        if not rule:
            return None
        how, _, target = rule.partition(":")
        if how == "central":
            return self._bodies[target].name
        if how == "province":
            province = self._districts.get((territory.type, fold(territory.name)))
            if province is None:
                return None
            territory = self._provincial(province)
        head = _Head("unit", unit=self._units[target])
        return self._render(_Resolved("unit", head=head, territory=territory))

    # --- labels and search ----------------------------------------------------------------------------

    def _territory_forms(self, territory: _Territory) -> list[str]:
        forms = [territory.full, territory.name]
        if territory.province:
            forms += list(territory.province.labels)
        return forms

    def _labels(self, r: _Resolved) -> list[str]:
        name = self._render(r)
        if r.kind == "central":
            return [name, *r.body.alt_labels]
        if r.kind in ("congress", "national"):
            return [name]
        if r.kind == "school":
            return [name]
        forms = self._territory_forms(r.territory)
        if r.kind == "unit":
            return [name] + [f"{label} {t}" for label in r.head.unit.labels for t in forms]
        if r.kind == "dept":
            dept, sector = r.head.dept, r.head.sector
            heads = [f"{dept.word} {sector.name}"] + [f"{dept.word} {a}" for a in sector.abbreviations]
            heads += [f"{dept.compact}{a}" for a in (sector.code, *sector.abbreviations)]
            return [name] + [f"{h} {t}" for h in heads for t in forms]
        committee = self._committee_name(r.territory)
        if r.head.organ:
            return [name] + [f"{label} {committee}" for label in r.head.organ.labels]
        return [name]

    def _search_universe(self) -> list[tuple[str, frozenset[str], str]]:
        if self._universe is None:
            entries: dict[str, set[str]] = {}

            def add(r: _Resolved) -> None:
                name = self._render(r)
                tokens = entries.setdefault(name, set())
                for label in self._labels(r):
                    tokens.update(fold(label).split())
                    tokens.update(fold(_squash(label)).split())

            for body in self._bodies.values():
                add(_Resolved("central", body=body))
            territories = {self._provincial(p).full: self._provincial(p) for p in self._provinces.values()}
            for territory in (*territories.values(), *self._district_territories):
                self._add_local(add, territory)
            self._universe = [(name, frozenset(tokens), fold(name))
                              for name, tokens in sorted(entries.items())]
        return self._universe

    def _add_local(self, add, territory: _Territory) -> None:
        for unit in self._units.values():
            if territory.level in unit.levels:
                add(_Resolved("unit", head=_Head("unit", unit=unit), territory=territory))
        for dept in self._depts.values():
            for sector in self._sectors.values():
                if territory.level in self._dept_levels(dept, sector):
                    add(_Resolved("dept", head=_Head("dept", dept=dept, sector=sector), territory=territory))
        if territory.level == PROVINCIAL or territory.type in self._committees:
            add(_Resolved("party", head=_Head("committee"), territory=territory))
            for organ in self._organs.values():
                add(_Resolved("party", head=_Head("committee", organ=organ), territory=territory))

    def _find_province(self, text: str, date: str | None) -> _Province | None:
        """Leftmost, longest province name among the words of a text. Words written with their
        marks must be the province's own: "Nguyễn Huệ" folds to the key of Huế, but is not it.

        >>> registry().find_province("Trường THPT Nguyễn Huệ") is None
        True
        >>> registry().find_province("TINH THUA THIEN HUE", "2024-01-01")
        'Thừa Thiên Huế'
        """
        keys = fold(text).split()
        marked: list[str] | None = None  # read only when a key matches: most calls find one at most
        for i in range(len(keys)):
            for n in range(min(self._province_key_len, len(keys) - i), 0, -1):
                candidates = self._province_keys.get(" ".join(keys[i:i + n]))
                if candidates and not text.isascii():
                    if marked is None:
                        marked = _marked_words(text)
                        if len(marked) != len(keys):
                            marked = keys  # no word-for-word reading of the marks: the keys decide
                    candidates = [p for p in candidates if self._spelt_as(p, marked[i:i + n], keys[i:i + n])]
                if candidates:
                    return self._pick(candidates, date)
        return None

    def _spelt_as(self, p: _Province, marked: list[str], keys: list[str]) -> bool:
        """Is every word written with marks among ``marked`` a word of one of ``p``'s names (tone
        marks in either place: "Hoà" is "Hòa")?"""
        words = self._province_words.get(p.id)
        if words is None:
            words = self._province_words[p.id] = frozenset(
                _modern_tones(w) for label in (p.name, p.full, p.proper, *p.labels) for w in _marked_words(label))
        return all(m == k or _modern_tones(m) in words for m, k in zip(marked, keys, strict=True))


def _district(typ: str, name: str) -> _Territory:
    """A district- or commune-level territory: "huyện Gia Lộc", "phường Ba Đình"."""
    return _Territory(DISTRICT if typ in ("huyện", "quận", "thị xã", "thành phố") else COMMUNE, typ, name,
                      f"{typ} {name}")


def _put(index: dict, key, value, what: str) -> None:
    """Index a key, refusing one key for two different things (an ambiguous abbreviation)."""
    old = index.get(key)
    if old is not None and old != value:
        raise ValueError(f"{what} {key!r} names both {_describe(old)!r} and {_describe(value)!r}")
    index[key] = value


def _describe(value) -> str:
    return getattr(value, "name", None) or getattr(getattr(value, "unit", None), "name", None) or repr(value)


@cache
def registry() -> Registry:
    """The registry of the packaged data, built once."""
    return Registry.load()
