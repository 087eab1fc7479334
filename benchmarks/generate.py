#!/usr/bin/env python3
"""A deterministic corpus of Vietnamese education plans for benchmarks: one school year, every level.

    python benchmarks/generate.py --size 1k --out /tmp/corpus [--seed 1] [--year 2025]

The corpus is the cascade of one school year: a decision of the Bộ Giáo dục và Đào tạo (Ministry of
Education) with its attached national plan; one plan per province (a decision of the provincial
People's Committee with an attached plan, a plan of the Committee, or a plan of the provincial
Department of Education); for years before 2025 a plan per district education office (Phòng Giáo
dục và Đào tạo); plans of communes (UBND xã/phường); plans of schools (Trường Tiểu học, THCS, THPT).
Every document cites its parent ("Thực hiện Kế hoạch số ...") and carries the parent's tasks down,
each title a paraphrase of the parent task's title, plus a few local tasks of its own.

One ``.txt`` per document is written under ``DIR/<level>/[<province>/]`` and ``DIR/manifest.json``
holds the ground truth for derivation checks, one entry per file in the order written (a parent
before its children)::

    {"file": "4-xa/thanh-hoa/000123-12-kh-ubnd.txt", "number": "12/KH-UBND", "kind": "Plan",
     "title": "Kế hoạch ...", "issuer": "Ủy ban nhân dân xã Tân Phú", "level": "commune",
     "province": "Thanh Hóa", "district": null, "commune": "Tân Phú", "date": "2025-09-20",
     "signer": {"name": "...", "title": "Chủ tịch"}, "parents": ["167/KH-UBND"],
     "parent_files": ["2-tinh/000100-167-kh-ubnd.txt"], "attached": null,
     "tasks": {"1": "3", "2": null, ...}, "cites": [["167/KH-UBND", "implements"], ["Luật Giáo dục",
     "basedOn", 2019], ...]}

``level`` is ministry, province, district (years before 2025), commune or school (with
``school_type`` TH, THCS or THPT). ``kind`` "Decision" is a decision with its plan attached in the same
file (``attached``); the tasks are the plan's. ``tasks`` maps each task number to the number of the
task it carries down in the parent document (null: a local task). Numbers repeat across issuers (several
provinces have a ``167/KH-UBND``), so ``parent_files`` names the parent exactly. ``cites`` gives every
document cited, once, with the strongest relation (basedOn: "Căn cứ ...", implements: "Thực hiện ...",
cites: "theo ...", "tại ..."); a law cited by title is ``[title, relation, year]``.

Same arguments give byte-identical output (one ``random.Random(seed)`` drives every choice, in a fixed
order); files are written as they are made, and only the chain of ancestors of the current document
is held in memory.

>>> plan_counts(1000, 2025)["commune"], plan_counts(1000, 2025)["school"]
(305, 660)
>>> parse_size("10k"), parse_size("250")
(10000, 250)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

__all__ = ["generate", "parse_size", "plan_counts"]

VOCAB_PATH = Path(__file__).with_name("vocab_gen.json")
LEVEL_DIRS = {"ministry": "1-bo", "province": "2-tinh", "district": "3-huyen", "commune": "4-xa", "school": "5-truong"}
# Contract order of relation strength (kg/model.py RELATION_RANK): a document cited twice keeps the stronger.
_RANK = {"basedOn": 0, "implements": 2, "cites": 5}


# -- sizes ------------------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    """``1k`` -> 1000, ``2.5k`` -> 2500, ``1m`` -> 1000000, ``250`` -> 250."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise ValueError(f"not a size: {text!r} (use N, Nk or Nm)")
    n = float(m.group(1)) * {"": 1, "k": 1000, "m": 1_000_000}[m.group(2).lower()]
    if n < 1:
        raise ValueError(f"size must be at least 1: {text!r}")
    return int(n)


def plan_counts(size: int, year: int) -> dict[str, int]:
    """How many documents of each level make ``size`` documents in all (exactly).

    From 2025 on there are 34 provinces and no district tier; before, a subset of the 63 old
    provinces (all of them from 5,000 documents up) and district education offices.
    """
    new = year >= 2025
    max_p = 34 if new or size < 5000 else 63
    provinces = min(max_p, (size - 1) // 4)
    if provinces == 0:
        provinces = size - 1
    rest = size - 1 - provinces
    if new:
        districts, communes = 0, round(rest * 0.316)
    else:
        districts, communes = round(rest * 0.07), round(rest * 0.25)
    schools = rest - districts - communes
    return {"ministry": 1, "province": provinces, "district": districts, "commune": communes, "school": schools}


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` shared out in proportion to ``weights``, exactly (largest remainders, ties by index)."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


# -- small text helpers -----------------------------------------------------------------------------

_ASCII: dict[str, str] = {}


def _slug(s: str) -> str:
    """``45/KH-THCS`` -> ``45-kh-thcs``; ``Thanh Hóa`` -> ``thanh-hoa``."""
    out = []
    for ch in s:
        a = _ASCII.get(ch)
        if a is None:
            if ch in "Đđ":
                a = "d"
            else:
                a = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn").lower()
                if not a.isascii() or not a.isalnum():
                    a = "-"
            _ASCII[ch] = a
        out.append(a)
    return re.sub(r"-+", "-", "".join(out)).strip("-")


_SCHOOL_TYPES = {"TH": ("Tiểu học", "Tiểu học"), "THCS": ("Trung học cơ sở", "THCS"),
                 "THPT": ("Trung học phổ thông", "THPT")}
_BODY = "\x00"  # marks a task body line, which the size cap may shorten
MAX_BYTES = 12_000
_SENTENCE_END = re.compile(r"(?<=\.) (?=[A-ZĐÀ-Ỹ])")


def _fit(lines: list[str]) -> bytes:
    """The document as UTF-8 (NFC), its task bodies cut down (never a sentence citing something, never a
    task's only body line) until it fits in :data:`MAX_BYTES`."""
    data = unicodedata.normalize("NFC", "\n".join(lines).replace(_BODY, "") + "\n").encode("utf-8")
    if len(data) <= MAX_BYTES:
        return data
    lines = list(lines)
    excess = len(data) - MAX_BYTES
    while excess > 0:
        best = None
        for i, line in enumerate(lines):
            if not line.startswith(_BODY):
                continue
            if line.startswith(_BODY + "- "):
                if i > 0 and lines[i - 1].startswith(_BODY) and not _cites_something(line):
                    cand = (len(line.encode()), i, None)
                else:
                    continue
            else:
                parts = _SENTENCE_END.split(line)
                if len(parts) < 2 or _cites_something(parts[-1]):
                    continue
                cand = (len(parts[-1].encode()), i, " ".join(parts[:-1]))
            if best is None or cand[0] > best[0]:
                best = cand
        if best is None:
            break
        size, i, kept = best
        if kept is None:
            del lines[i]
            last = i >= len(lines) or not lines[i].startswith(_BODY + "- ")
            if last and lines[i - 1].endswith(";"):
                lines[i - 1] = lines[i - 1][:-1] + "."
        else:
            lines[i] = kept
        excess -= size
    return unicodedata.normalize("NFC", "\n".join(lines).replace(_BODY, "") + "\n").encode("utf-8")


def _cites_something(sentence: str) -> bool:
    return " số " in sentence or "Luật " in sentence


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _nfc(obj):
    if isinstance(obj, str):
        return unicodedata.normalize("NFC", obj)
    if isinstance(obj, list):
        return [_nfc(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _nfc(v) for k, v in obj.items()}
    return obj


def _vn_date(d: date) -> str:
    """The header form (Nghị định 30/2020/NĐ-CP): day below 10 and months 1-2 with a leading zero."""
    day = f"{d.day:02d}" if d.day < 10 else str(d.day)
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"


# -- model of what is written -----------------------------------------------------------------------


@dataclass(slots=True)
class Task:
    """A task as one document writes it: its title clauses, the bank entry it descends from, and the
    number of the task it carries down in the parent document (None for a local task)."""

    clauses: tuple[str, ...]
    root: str
    parent: str | None

    def title(self) -> str:
        return _cap(", ".join(self.clauses))


@dataclass(slots=True)
class Issued:
    """What the documents below a written document know of it."""

    file: str
    number: str
    kind: str  # "Decision" (with an attached plan) or "Plan"
    level: str
    mentions: tuple[str, ...]  # ways to name the issuer after "của"
    date: date
    subject: str  # what it is about, for "về ..." (normal case)
    tasks: list[Task]


@dataclass(slots=True)
class Place:
    province: str
    ptype: str  # "tỉnh" | "thành phố"
    district: str | None = None
    dtype: str | None = None  # "huyện" | "thị xã" | "quận"
    commune: str | None = None
    ctype: str | None = None  # "xã" | "phường"

    @property
    def territory(self) -> str:
        return "Thành phố Hồ Chí Minh" if self.province == "Hồ Chí Minh" else f"{self.ptype} {self.province}"

    @property
    def place_name(self) -> str:
        return "Thành phố Hồ Chí Minh" if self.province == "Hồ Chí Minh" else self.province


@dataclass(slots=True)
class _Cites:
    """The citations of one document, in first-cited order, each with the strongest relation it is cited in.

    In the manifest: ``[number, relation]``, or ``[title, relation, year]`` for a law cited by its title.
    """

    rel: dict[str, str] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)

    def add(self, ident: str, relation: str, year: int | None = None) -> None:
        old = self.rel.get(ident)
        if old is None or _RANK[relation] < _RANK[old]:
            self.rel[ident] = relation
        if year is not None:
            self.years[ident] = year

    def as_list(self) -> list[list]:
        return [[k, v, self.years[k]] if k in self.years else [k, v] for k, v in self.rel.items()]


@dataclass(slots=True)
class _Ref:
    """A document outside the generated corpus (or not a file of it) that documents cite."""

    ident: str  # the number, or the title of a law as printed before its date
    kind_word: str  # "Nghị định", "Luật", ...
    number: str | None
    date: date
    issuer: str | None
    subject: str | None
    year: int | None = None  # a law's year


# -- the generator ------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, out: Path, seed: int, year: int, vocab: dict):
        self.out = out
        self.rng = random.Random(seed)
        self.year = year
        self.new = year >= 2025
        self.v = vocab
        self.sy = f"{year} - {year + 1}"
        self.seq = 0
        self.counts = {"ministry": 0, "province": 0, "district": 0, "commune": 0, "school": 0}
        self.tasks_written = 0
        self.bytes_written = 0
        self.bank = {t["id"]: t for t in vocab["national_tasks"]}
        for lst in vocab["local_tasks"].values():
            for t in lst:
                self.bank[t["id"]] = t
        # Synonym groups, longest variant first so that "có hiệu quả" is found before "hiệu quả".
        self.synonyms = [sorted(g, key=len, reverse=True) for g in vocab["synonyms"]]
        self.all_suffixes = sorted({
            s.replace("{pt}", pt).replace("{ct}", ct)
            for lst in vocab["local_suffix"].values() for s in lst
            for pt in ("tỉnh", "thành phố") for ct in ("xã", "phường")
        }, key=len, reverse=True)
        self.added_clauses = {
            s.replace("{pt}", pt).replace("{ct}", ct)
            for lst in vocab["added_clauses"].values() for s in lst
            for pt in ("tỉnh", "thành phố") for ct in ("xã", "phường")
        }
        self.province_names = {n for n, _t in vocab["provinces_2025"]} | {n for n, _t in vocab["provinces_old"]}
        self.laws_titled = {x["key"]: x for x in vocab["laws_titled"]}
        self.national_refs = {x["number"]: x for x in vocab["national_refs"]}
        self.manifest = None
        self.first_entry = True
        self._sites: dict[str, list[tuple[list[str], str]]] = {}
        self._dirs: set[Path] = set()

    # -- output ----------------------------------------------------------------------------------

    def _write(self, level: str, sub: str | None, number: str, lines: list[str], entry: dict) -> str:
        self.seq += 1
        rel_dir = LEVEL_DIRS[level] + (f"/{sub}" if sub else "")
        rel = f"{rel_dir}/{self.seq:06d}-{_slug(number)}.txt"
        path = self.out / rel
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        data = _fit(lines)
        with open(path, "wb") as fh:
            fh.write(data)
        self.bytes_written += len(data)
        self.counts[level] += 1
        self.tasks_written += len(entry["tasks"])
        entry = {"file": rel, **entry}
        self.manifest.write(("" if self.first_entry else ",\n") + json.dumps(entry, ensure_ascii=False))
        self.first_entry = False
        return rel

    # -- numbers and dates -----------------------------------------------------------------------

    def _seq(self, used: set[str], fmt: str, d: date, rate: float, spread: int, start: date | None = None,
             avoid: frozenset[str] = frozenset()) -> str:
        """A number ``fmt % seq`` not yet used by this issuer this year, ``seq`` growing with the date."""
        origin = start or date(d.year, 1, 1)
        base = max(1, int((d - origin).days * rate) + self.rng.randint(-spread, spread))
        n = base
        while (fmt % n) in used or (fmt % n) in avoid:
            n += 1
        used.add(fmt % n)
        return fmt % n

    def _ref_date(self, d: date) -> str:
        """A date as a citation prints it: "ngày 12/9/2025", "ngày 05/9/2025" or "ngày 12 tháng 9 năm 2025"."""
        r = self.rng.random()
        if r < 0.45:
            return f"ngày {d.day}/{d.month}/{d.year}"
        if r < 0.6:
            return f"ngày {d.day:02d}/{d.month:02d}/{d.year}"
        return f"ngày {d.day} tháng {d.month} năm {d.year}"

    def _name(self) -> str:
        rng, v = self.rng, self.v
        return f"{rng.choice(v['surnames'])} {rng.choice(v['middle_names'])} {rng.choice(v['given_names'])}"

    def _place_name(self, used: set[str]) -> str:
        rng, syl = self.rng, self.v["place_syllables"]
        for _ in range(200):
            a, b = rng.choice(syl), rng.choice(syl)
            name = f"{a} {b}"
            if a != b and name not in used and name not in self.province_names:
                used.add(name)
                return name
        k = 2
        while f"{name} {k}" in used:
            k += 1
        used.add(f"{name} {k}")
        return f"{name} {k}"

    # -- references ------------------------------------------------------------------------------

    def _national(self, number: str) -> _Ref:
        x = self.national_refs[number]
        return _Ref(number, x["kind"], number, date.fromisoformat(x["date"]), x["issuer"], x["subject"])

    def _law_dated(self, key: str) -> _Ref:
        x = next(y for y in self.v["laws_dated"] if y["key"] == key)
        d = date.fromisoformat(x["date"])
        return _Ref(x["title"], "Luật", None, d, None, x["title"], d.year)

    def _law_for(self, d: date) -> _Ref:
        """The local government law in force on ``d``."""
        return self._law_dated("law:cqdp2025" if d >= date(2025, 7, 1) else "law:cqdp2015")

    def _cite_line(self, cue: str, ref: _Ref, cites: _Cites, relation: str, end: str = ";") -> str:
        """One preamble line: "Căn cứ Nghị định số 86/2022/NĐ-CP ngày ... của Chính phủ ...;"."""
        cites.add(ref.ident, relation, ref.year)
        if ref.number is None:  # a law cited with its date
            when = _vn_date(ref.date) if self.rng.random() < 0.6 else self._ref_date(ref.date)
            return f"{cue} {ref.subject} {when}{end}"
        s = f"{cue} {ref.kind_word} số {ref.number} {self._ref_date(ref.date)}"
        if ref.issuer:
            s += f" của {ref.issuer}"
        if ref.subject:
            s += f" {ref.subject}"
        return s + end

    def _inline_ref(self, ref: _Ref) -> str:
        """A reference inside a sentence: "Quyết định số 131/QĐ-TTg ngày 25/1/2022 của Thủ tướng Chính phủ"."""
        if ref.number is None:
            return ref.subject
        s = f"{ref.kind_word} số {ref.number}"
        r = self.rng.random()
        if r < 0.6:
            s += f" {self._ref_date(ref.date)}"
        if ref.issuer and r < 0.8:
            s += f" của {ref.issuer}"
        return s

    def _topic_refs(self, root: str, d: date, skip: frozenset[str] = frozenset()) -> list[_Ref]:
        out = []
        for key in self.bank[root].get("refs", ()):
            if key in skip:
                continue
            if key.startswith("law:"):
                x = self.laws_titled[key]
                if d.year >= x["min_year"]:
                    year = int(x["title"].rsplit(" ", 1)[1])
                    out.append(_Ref(x["title"], "Luật", None, d, None, x["title"], year))
            else:
                ref = self._national(key)
                if ref.date < d:
                    out.append(ref)
        return out

    def _parent_line(self, parent: Issued, cites: _Cites) -> str:
        """ "Thực hiện Kế hoạch số 167/KH-UBND ngày 12/9/2025 của UBND tỉnh Thanh Hóa về ...;"."""
        rng = self.rng
        cites.add(parent.number, "implements")
        cue = "Thực hiện" if rng.random() < 0.8 else "Triển khai"
        who = rng.choice(parent.mentions)
        when = self._ref_date(parent.date)
        if parent.kind == "Decision":
            if rng.random() < 0.5:
                return f"{cue} Quyết định số {parent.number} {when} của {who} ban hành Kế hoạch {parent.subject};"
            return f"{cue} Kế hoạch ban hành kèm theo Quyết định số {parent.number} {when} của {who};"
        return f"{cue} Kế hoạch số {parent.number} {when} của {who} về {parent.subject};"

    def _ancestor_line(self, doc: Issued, cites: _Cites) -> str:
        """A grandparent, cited as a basis (not carried down): "Căn cứ Kế hoạch số ...;"."""
        cites.add(doc.number, "basedOn")
        kind = "Quyết định" if doc.kind == "Decision" else "Kế hoạch"
        return f"Căn cứ {kind} số {doc.number} {self._ref_date(doc.date)} của {self.rng.choice(doc.mentions)};"

    # -- tasks -----------------------------------------------------------------------------------

    def _fill(self, s: str, ctx: dict) -> str:
        if "{" not in s:
            return s
        for k, val in ctx.items():
            s = s.replace("{" + k + "}", val)
        return s

    def _paraphrase(self, clauses: tuple[str, ...], level: str, ctx: dict) -> tuple[str, ...]:
        rng = self.rng
        cl = list(clauses)
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            r = rng.random()
            if r < 0.42:
                self._op_synonym(cl)
            elif r < 0.62:
                self._op_localize(cl, level, ctx)
            elif r < 0.74:
                self._op_drop_word(cl)
            elif r < 0.82:
                self._op_prefix(cl)
            elif r < 0.92:
                if len(cl) >= 2:
                    cl[0], cl[1] = cl[1], cl[0]
            elif r < 0.96:
                if len(cl) >= 2 and len(cl[0].split()) >= 4:
                    cl.pop()
            else:
                extra = self._fill(rng.choice(self.v["added_clauses"][level]), ctx)
                if len(cl) < 4 and not any(c in self.added_clauses for c in cl):
                    cl.append(extra)
        return tuple(cl)

    def _synonym_sites(self, clause: str) -> list[tuple[list[str], str]]:
        """(group, variant found) for each synonym group present in ``clause`` (memoised: clauses recur)."""
        got = self._sites.get(clause)
        if got is None:
            padded = f" {clause} "
            got = []
            for g in self.synonyms:
                for variant in g:
                    if f" {variant} " in padded:
                        got.append((g, variant))
                        break
            if len(self._sites) > 200_000:
                self._sites.clear()
            self._sites[clause] = got
        return got

    def _op_synonym(self, cl: list[str]) -> None:
        cands = [(i, g, variant) for i, c in enumerate(cl) for g, variant in self._synonym_sites(c)]
        if not cands:
            return
        i, g, variant = self.rng.choice(cands)
        new = self.rng.choice([x for x in g if x != variant])
        cl[i] = f" {cl[i]} ".replace(f" {variant} ", f" {new} ", 1).strip()

    def _op_localize(self, cl: list[str], level: str, ctx: dict) -> None:
        """Say where: "... trên địa bàn tỉnh", replacing (or dropping) the place words of the level above."""
        # An added clause ("phù hợp với điều kiện thực tế ...") already says where; qualify the one before.
        i = len(cl) - 2 if len(cl) >= 2 and cl[-1] in self.added_clauses else len(cl) - 1
        last = cl[i]
        mine = self._fill(self.rng.choice(self.v["local_suffix"][level]), ctx)
        for s in self.all_suffixes:
            if last.endswith(" " + s):
                base = last[: -len(s) - 1]
                cl[i] = base if self.rng.random() < 0.3 else f"{base} {mine}"
                return
        cl[i] = f"{last} {mine}"

    def _op_drop_word(self, cl: list[str]) -> None:
        cands = []
        for i, c in enumerate(cl):
            padded = f" {c} "
            for w in self.v["droppable"]:
                if f" {w.strip()} " in padded and len(c.split()) > 3:
                    cands.append((i, w.strip()))
        if cands:
            i, w = self.rng.choice(cands)
            cl[i] = " ".join(f" {cl[i]} ".replace(f" {w} ", " ", 1).split())

    def _op_prefix(self, cl: list[str]) -> None:
        for p in self.v["prefixes"]:
            if cl[0].startswith(p):
                cl[0] = cl[0][len(p):]
                return
        cl[0] = self.rng.choice(self.v["prefixes"]) + cl[0]

    def _derive(self, parent: list[Task], level: str, ctx: dict) -> list[Task]:
        """The tasks of a child document: a subset of the parent's, paraphrased, and a few local ones."""
        rng = self.rng
        n = rng.randint(8, 15)
        local_n = rng.choice((0, 0, 1, 1, 2, 3))
        k = min(len(parent), n - local_n)
        picked = sorted(rng.sample(range(len(parent)), k))
        out = [Task(self._paraphrase(parent[i].clauses, level, ctx), parent[i].root, str(i + 1)) for i in picked]
        bank = self.v["local_tasks"][level]
        own = {t.root for t in parent}
        fresh = [t for t in bank if t["id"] not in own]
        for t in rng.sample(fresh, min(local_n, len(fresh))):
            out.insert(rng.randint(1, len(out)), Task(tuple(self._fill(c, ctx) for c in t["clauses"]), t["id"], None))
        return out

    def _task_lines(self, tasks: list[Task], ctx: dict, actors: list[str], d: date, cites: _Cites,
                    skip: frozenset[str] = frozenset()) -> list[str]:
        rng, v = self.rng, self.v
        lines = ["", rng.choice(v["task_headings"])]
        for i, t in enumerate(tasks, 1):
            lines.append(f"{i}. {t.title()}")
            entry = self.bank[t.root]
            k = rng.choice((1, 2, 2, 3))
            sents = rng.sample(entry["bodies"], min(k, len(entry["bodies"])))
            if len(sents) < k or rng.random() < 0.35:
                g = rng.choice(v["generic_bodies"])
                sents.append(self._fill(g, {**ctx, "actor": self._fill(rng.choice(actors), ctx)}))
            if len(cites.rel) < 18 and rng.random() < 0.3:
                refs = self._topic_refs(t.root, d, skip)
                if refs:
                    ref = rng.choice(refs)
                    if ref.number is None:
                        sents.append(rng.choice(v["law_sentences"]).replace("{law}", ref.subject))
                    else:
                        sents.append(rng.choice(v["ref_sentences"]).replace("{ref}", self._inline_ref(ref)))
                    cites.add(ref.ident, "cites", ref.year)
            if rng.random() < 0.55:
                lines.append(_BODY + " ".join(sents))
            else:
                lines.extend(f"{_BODY}- {s[:-1]};" if j < len(sents) - 1 else f"{_BODY}- {s}"
                             for j, s in enumerate(sents))
        return lines

    # -- shared blocks ---------------------------------------------------------------------------

    def _header(self, issuer_lines: list[str], number: str, place: str, d: date) -> list[str]:
        rng = self.rng
        shown = number.replace("/", " /", 1) if rng.random() < 0.08 else number
        motto = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
        when = f"{place}, {_vn_date(d)}"
        r = rng.random()
        if r < 0.4:
            return [*issuer_lines, "-------", f"Số: {shown}", "", *motto, "---------------", when, ""]
        if r < 0.75:
            return [*issuer_lines, *motto, "---------------", f"Số: {shown}", when, ""]
        # Table rows of a converted PDF: the two header columns side by side.
        left = [*issuer_lines, f"Số: {shown}"]
        right = [*motto, when]
        while len(right) < len(left):
            right.insert(len(right) - 1, "---------------")
        left = [""] * (len(right) - len(left)) + left if len(left) < len(right) else left
        width = max(len(x) for x in left) + 6
        return [*(f"{a:<{width}}{b}" for a, b in zip(left, right, strict=True)), ""]

    def _title(self, subject: str, extra: str | None) -> list[str]:
        lines = ["KẾ HOẠCH", subject.upper()]
        if extra:
            lines.append(extra.upper())
        return lines

    def _purpose(self, scope: str) -> list[str]:
        rng, v = self.rng, self.v
        ctx = {"scope": scope, "sy": self.sy}
        heading = rng.choice(("I. MỤC ĐÍCH, YÊU CẦU", "I. MỤC ĐÍCH, YÊU CẦU", "I. MỤC ĐÍCH VÀ YÊU CẦU"))
        out = ["", heading, "1. Mục đích"]
        out += [f"- {self._fill(s, ctx)}" for s in rng.sample(v["purpose"], 2)]
        out.append("2. Yêu cầu")
        out += [f"- {s}" for s in rng.sample(v["requirement"], 2)]
        return out

    def _organisation(self, spec: dict, ctx: dict, numbered: bool = True) -> list[str]:
        rng = self.rng
        out = ["", "III. TỔ CHỨC THỰC HIỆN"]
        k = 0
        for item in spec["org"]:
            if rng.random() >= item.get("p", 1.0):
                continue
            k += 1
            out.append(f"{k}. {self._fill(item['head'], ctx)}")
            out.append(self._fill(rng.choice(item["body"]), ctx))
        if rng.random() < 0.4:
            out += ["", "IV. CHẾ ĐỘ BÁO CÁO"]
            out += [self._fill(s, ctx) for s in self.v["report_sentences"][: rng.randint(1, 2)]]
        out.append(self._fill(rng.choice(self.v["closing"]), ctx))
        return out

    def _recipients(self, spec: dict, ctx: dict) -> list[str]:
        rng = self.rng
        items = spec["recipients"]
        keep = [items[0], *[x for x in items[1:] if rng.random() < 0.7]]
        return ["", "Nơi nhận:", *[f"- {self._fill(x, ctx)}" for x in keep], f"- {spec['archive']}", ""]

    def _signer(self, lines: list[str]) -> tuple[list[str], dict]:
        name = self._name()
        out = [*lines, ""]
        if self.rng.random() < 0.5:
            out += ["(Đã ký)", ""]
        out.append(name)
        title = lines[-1]
        return out, {"name": name, "title": title[:1] + title[1:].lower()}

    def _chief(self, post: str, deputy: str, collective: str | None = None, p_deputy: float = 0.6) -> list[str]:
        head = [collective] if collective else []
        if self.rng.random() < p_deputy:
            return [*head, f"KT. {post}", deputy]
        return [*head, post]

    # -- the levels --------------------------------------------------------------------------------

    def run(self, size: int) -> dict:
        counts = plan_counts(size, self.year)
        self.manifest = (self.out / "manifest.json").open("w", encoding="utf-8", newline="\n")
        self.manifest.write(json.dumps({"generator": "benchmarks/generate.py", "version": 1, "size": size,
                                        "year": self.year, "school_year": self.sy}, ensure_ascii=False)[:-1])
        self.manifest.write(', "documents": [\n')
        try:
            ministry = self._ministry()
            self._provinces(ministry, counts)
        finally:
            tail = {"counts": {**self.counts, "documents": self.seq}, "tasks": self.tasks_written,
                    "bytes": self.bytes_written}
            self.manifest.write("\n], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n")
            self.manifest.close()
        return {**self.counts, "documents": self.seq, "tasks": self.tasks_written, "bytes": self.bytes_written}

    def _ministry(self) -> Issued:
        rng, v, y = self.rng, self.v, self.year
        used: set[str] = set()
        d0 = date(y, 8, rng.randint(5, 28))
        number = self._seq(used, "%d/QĐ-BGDĐT", d0, 10.5, 60)
        # Documents of the ministry that the corpus cites: the school-year calendar, guidance letters.
        cal_date = date(y, 7, rng.randint(1, 25))
        cal_num = self._seq(used, "%d/QĐ-BGDĐT", cal_date, 10.5, 40)
        self.calendar = _Ref(cal_num, "Quyết định", cal_num, cal_date, "Bộ trưởng Bộ Giáo dục và Đào tạo",
                             f"ban hành Khung kế hoạch thời gian năm học {self.sy} đối với giáo dục mầm non, "
                             "giáo dục phổ thông và giáo dục thường xuyên")
        self.letters = []
        for x in v["ministry_letters"]:
            dd = d0 + timedelta(days=rng.randint(-12, 10))
            num = self._seq(used, "%d/" + x["code"], dd, 17.0, 80)
            self.letters.append((x["for"], _Ref(num, "Công văn", num, dd, "Bộ Giáo dục và Đào tạo",
                                                "về việc " + x["subject"].replace("{sy}", self.sy))))
        tasks = [Task(tuple(t["clauses"]), t["id"], None)
                 for t in sorted(rng.sample(v["national_tasks"], rng.randint(10, 12)), key=lambda t: t["id"])]
        subject = f"thực hiện nhiệm vụ, giải pháp trọng tâm năm học {self.sy} của ngành Giáo dục"
        cites = _Cites()
        ctx = {"sy": self.sy, "y2": str(y + 1), "contact": "Bộ Giáo dục và Đào tạo (qua Văn phòng Bộ)",
               "self": "ngành Giáo dục", "scope": "của toàn ngành"}
        L = self._header(["BỘ GIÁO DỤC VÀ ĐÀO TẠO"], number, "Hà Nội", d0)
        L += ["QUYẾT ĐỊNH", f"Ban hành Kế hoạch {subject}", "", "BỘ TRƯỞNG BỘ GIÁO DỤC VÀ ĐÀO TẠO", ""]
        basis = [self._national("86/2022/NĐ-CP"), self._national("29-NQ/TW")]
        basis += [r for r in (self._national("1705/QĐ-TTg"), self._national("71-NQ/TW")) if r.date < d0]
        basis.append(self.calendar)
        L += [self._cite_line("Căn cứ", r, cites, "basedOn") for r in basis]
        L += ["Theo đề nghị của Chánh Văn phòng Bộ.", "", "QUYẾT ĐỊNH:", "",
              f"Điều 1. Ban hành kèm theo Quyết định này Kế hoạch {subject}.",
              "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
              "Điều 3. Chánh Văn phòng, Thủ trưởng các đơn vị thuộc Bộ, Giám đốc các sở giáo dục và đào tạo "
              "chịu trách nhiệm thi hành Quyết định này./."]
        spec = v["levels"]["ministry"]
        L += self._recipients(spec, ctx)
        sig, signer = self._signer(self._chief("BỘ TRƯỞNG", "THỨ TRƯỞNG", p_deputy=0.7))
        L += sig
        L += ["", ""]
        if rng.random() < 0.5:
            L += ["BỘ GIÁO DỤC VÀ ĐÀO TẠO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", ""]
        L += self._title(f"thực hiện nhiệm vụ, giải pháp trọng tâm năm học {self.sy}", "của ngành Giáo dục")
        L.append(f"(Ban hành kèm theo Quyết định số {number} {_vn_date(d0)} của Bộ trưởng Bộ Giáo dục và Đào tạo)")
        L += ["", self._fill(rng.choice(spec["intro"]), ctx)]
        L += self._purpose(ctx["scope"])
        L += self._task_lines(tasks, ctx, spec["actors"], d0, cites)
        L += self._organisation(spec, ctx)
        entry = {"number": number, "kind": "Decision", "title": f"Quyết định ban hành Kế hoạch {subject}",
                 "issuer": "Bộ Giáo dục và Đào tạo", "level": "ministry", "province": None, "district": None,
                 "commune": None, "date": d0.isoformat(), "signer": signer, "parents": [], "parent_files": [],
                 "attached": {"kind": "Plan", "title": f"Kế hoạch {subject}"},
                 "tasks": {str(i): None for i in range(1, len(tasks) + 1)},
                 "cites": cites.as_list()}
        rel = self._write("ministry", None, number, L, entry)
        mentions = ("Bộ trưởng Bộ Giáo dục và Đào tạo", "Bộ Giáo dục và Đào tạo", "Bộ GDĐT")
        return Issued(rel, number, "Decision", "ministry", mentions, d0, subject, tasks)

    def _provinces(self, ministry: Issued, counts: dict) -> None:
        rng, v = self.rng, self.v
        P = counts["province"]
        pool = v["provinces_2025"] if self.new else v["provinces_old"]
        chosen = pool if P >= len(pool) else sorted(rng.sample(pool, P), key=pool.index)
        # Styles and numbers are drawn up front so that two provinces surely share a plan number.
        styles = [rng.choices(("ubnd_decision", "ubnd_plan", "so_plan"), (0.25, 0.45, 0.30))[0] for _ in chosen]
        if P >= 2 and styles.count("ubnd_plan") < 2:
            styles[0] = styles[1] = "ubnd_plan"
        dates = [ministry.date + timedelta(days=rng.randint(7, 25)) for _ in chosen]
        kh_seq = [max(1, int(dates[i].timetuple().tm_yday * 0.7) + rng.randint(-60, 60)) for i in range(P)]
        plans = [i for i, s in enumerate(styles) if s == "ubnd_plan"]
        if len(plans) >= 2 and len({kh_seq[i] for i in plans}) == len(plans):
            kh_seq[plans[1]] = kh_seq[plans[0]]
        pw = [rng.uniform(0.5, 1.5) for _ in chosen]
        lower_parents = counts["commune"] if self.new else counts["district"]
        thpt_total = counts["school"] if lower_parents == 0 else round(counts["school"] * 0.15)
        lower_total = counts["school"] - thpt_total
        thpt = _split(thpt_total, pw)
        if self.new:
            communes = _split(counts["commune"], pw)
            lower = _split(lower_total, [float(c) for c in communes])
            districts = [0] * P
        else:
            districts = _split(counts["district"], pw)
            communes = _split(counts["commune"], [float(x) if counts["district"] else pw[i]
                                                  for i, x in enumerate(districts)])
            lower = _split(lower_total, [float(x) for x in districts])
        for i, (name, ptype) in enumerate(chosen):
            place = Place(name, ptype)
            prov = self._province(ministry, place, styles[i], dates[i], kh_seq[i])
            self._province_tree(ministry, prov, place, thpt[i], districts[i], communes[i], lower[i])

    def _province_ctx(self, place: Place) -> dict:
        """Placeholders of the phrase banks that name the province and the tier below it."""
        city = place.ptype == "thành phố"
        lower = "các xã, phường" if self.new else "các huyện, thị xã, thành phố"
        depts = self.v["departments"] if self.new else self.v["departments_old"]
        return {"sy": self.sy, "y2": str(self.year + 1), "pt": place.territory,
                "pt_short": "thành phố" if city else "tỉnh", "party": "Thành ủy" if city else "Tỉnh ủy",
                "lower_ubnd": f"Ủy ban nhân dân {lower}", "lower_ubnd_cap": f"Ủy ban nhân dân {lower}",
                "lower_ubnd_short": f"UBND {lower}",
                "lower_so": "Phòng Văn hóa - Xã hội các xã, phường" if self.new
                else "Phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố",
                "depts": ", ".join(sorted(self.rng.sample(depts, 3), key=depts.index))}

    def _province(self, ministry: Issued, place: Place, style: str, d: date, kh_seq: int) -> Issued:
        rng, v = self.rng, self.v
        ubnd_used: set[str] = set()
        so_used: set[str] = set()
        ter = place.territory
        ter_caps = ter.upper()
        ctx = self._province_ctx(place)
        ctx["scope"] = f"của {ctx['pt_short']}"
        # Documents of the province that the corpus cites.
        cal_date = date(self.year, 7, 15) + timedelta(days=rng.randint(0, 35))
        cal_num = self._seq(ubnd_used, "%d/QĐ-UBND", cal_date, 8.0, 50)
        ubnd_full = f"Ủy ban nhân dân {ter}"
        so_full = f"Sở Giáo dục và Đào tạo {ter}"
        self.p_calendar = _Ref(cal_num, "Quyết định", cal_num, cal_date, rng.choice((ubnd_full, f"UBND {ter}")),
                               f"về việc ban hành Kế hoạch thời gian năm học {self.sy} đối với giáo dục mầm non, "
                               f"giáo dục phổ thông và giáo dục thường xuyên trên địa bàn {ctx['pt_short']}")
        gd = d + timedelta(days=rng.randint(1, 8))
        code = "SGDĐT-GDPT" if self.new else "SGDĐT-GDTrH"
        gnum = self._seq(so_used, "%d/" + code, gd, 7.0, 60)
        self.p_guidance = _Ref(gnum, "Công văn", gnum, gd, rng.choice((so_full, "Sở Giáo dục và Đào tạo")),
                               f"về việc hướng dẫn thực hiện nhiệm vụ giáo dục phổ thông năm học {self.sy}")
        subject = rng.choice(v["plan_subjects"]).replace("{sy}", self.sy)
        extra = rng.choice((f"trên địa bàn {ter}", f"của ngành Giáo dục {ter}", None))
        full_subject = subject + (f" {extra}" if extra else "")
        cites = _Cites()
        avoid = frozenset({ministry.number, cal_num, gnum})
        if style == "so_plan":
            fmt = rng.choice(("%d/KH-SGDĐT", "%d/SGDĐT-VP"))
            rate = 0.5 if "KH" in fmt else 7.0
            number = self._seq(so_used, fmt, d, rate, 40, avoid=avoid)
            issuer = so_full
            issuer_lines = [rng.choice((f"UBND {ter_caps}", f"ỦY BAN NHÂN DÂN {ter_caps}")), "SỞ GIÁO DỤC VÀ ĐÀO TẠO"]
            mentions = (so_full, "Sở Giáo dục và Đào tạo", "Sở GDĐT", f"Sở Giáo dục và Đào tạo {place.place_name}")
            spec = v["levels"]["province_so"]
            ctx.update(contact="Sở Giáo dục và Đào tạo (qua Văn phòng Sở)", self="Sở Giáo dục và Đào tạo")
            chief = self._chief("GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
        else:
            if style == "ubnd_plan":
                number = f"{kh_seq}/KH-UBND"
                ubnd_used.add(number)
            else:
                number = self._seq(ubnd_used, "%d/QĐ-UBND", d, 8.0, 60, avoid=avoid)
            issuer = ubnd_full
            issuer_lines = ["ỦY BAN NHÂN DÂN", ter_caps]
            mentions = (ubnd_full, f"UBND {ter}", f"UBND {ctx['pt_short']}", f"Ủy ban nhân dân {ctx['pt_short']}")
            spec = v["levels"]["province_ubnd"]
            ctx.update(contact="Sở Giáo dục và Đào tạo", self=f"Ủy ban nhân dân {ter}")
            chief = self._chief("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN", p_deputy=0.8)
        L = self._header(issuer_lines, number, place.place_name, d)
        basis: list[str] = []
        if style != "so_plan":
            basis.append(self._cite_line("Căn cứ", self._law_for(d), cites, "basedOn"))
        basis.append(self._cite_line("Căn cứ", self._law_dated("law:giaoduc"), cites, "basedOn"))
        if style == "so_plan":
            # The provincial decision that sets out what the Department does.
            fd = (date(self.year, rng.randint(2, 6), rng.randint(1, 28)) if self.new
                  else date(rng.randint(self.year - 6, self.year - 1), rng.randint(1, 12), rng.randint(1, 28)))
            fnum = self._seq(ubnd_used if fd.year == self.year else set(), "%d/QĐ-UBND", fd, 8.0, 40)
            func = _Ref(fnum, "Quyết định", fnum, fd, rng.choice((ubnd_full, f"UBND {ter}")),
                        f"quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của {so_full}")
            basis.append(self._cite_line("Căn cứ", func, cites, "basedOn"))
        if rng.random() < 0.5:
            basis.append(self._cite_line("Căn cứ", self._national("24/2021/NĐ-CP"), cites, "basedOn"))
        if rng.random() < 0.4:
            basis.append(self._cite_line("Căn cứ", self._national("29-NQ/TW"), cites, "basedOn"))
        basis.append(self._parent_line(ministry, cites))
        if rng.random() < 0.6:
            basis.append(self._cite_line("Căn cứ", self.calendar, cites, "basedOn"))
        for _for, ref in self.letters:
            if "province" in _for and ref.date < d and rng.random() < 0.35:
                basis.append(self._cite_line("Căn cứ", ref, cites, "basedOn"))
        if style != "so_plan" and rng.random() < 0.6:
            basis.append(self._cite_line("Căn cứ", self.p_calendar, cites, "basedOn"))
        tasks = self._derive(ministry.tasks, "province", ctx)
        if style == "ubnd_decision":
            tt_date = d - timedelta(days=rng.randint(3, 10))
            tt = self._seq(so_used, "%d/TTr-SGDĐT", tt_date, 0.4, 30)
            cites.add(tt, "cites")
            L += ["QUYẾT ĐỊNH", f"Về việc ban hành Kế hoạch {full_subject}", "", f"ỦY BAN NHÂN DÂN {ter_caps}", ""]
            L += basis
            L += [f"Theo đề nghị của Giám đốc Sở Giáo dục và Đào tạo tại Tờ trình số {tt} {self._ref_date(tt_date)}.",
                  "", "QUYẾT ĐỊNH:", "",
                  f"Điều 1. Ban hành kèm theo Quyết định này Kế hoạch {full_subject}.",
                  "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
                  f"Điều 3. Chánh Văn phòng Ủy ban nhân dân {ctx['pt_short']}, Giám đốc Sở Giáo dục và Đào tạo, "
                  f"Thủ trưởng các sở, ban, ngành, Chủ tịch {ctx['lower_ubnd']} chịu trách nhiệm thi hành "
                  "Quyết định này./."]
            rec = dict(spec, recipients=["Như Điều 3;", *spec["recipients"]])
            L += self._recipients(rec, ctx)
            sig, signer = self._signer(chief)
            L += sig
            L += ["", ""]
            if rng.random() < 0.5:
                L += ["ỦY BAN NHÂN DÂN", ter_caps, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                      ""]
            L += self._title(subject, extra)
            L.append(f"(Ban hành kèm theo Quyết định số {number} {_vn_date(d)} của Ủy ban nhân dân {ter})")
            L.append("")
            title = f"Quyết định về việc ban hành Kế hoạch {full_subject}"
            attached = {"kind": "Plan", "title": f"Kế hoạch {full_subject}"}
        else:
            L += self._title(subject, extra)
            L.append("")
            L += basis
            if style == "ubnd_plan" and rng.random() < 0.3:
                tt_date = d - timedelta(days=rng.randint(3, 10))
                tt = self._seq(so_used, "%d/TTr-SGDĐT", tt_date, 0.4, 30)
                cites.add(tt, "cites")
                L.append(f"Theo đề nghị của Sở Giáo dục và Đào tạo tại Tờ trình số {tt} {self._ref_date(tt_date)};")
            L.append(self._fill(rng.choice(spec["intro"]), ctx))
            title = f"Kế hoạch {full_subject}"
            attached = None
        L += self._purpose(ctx["scope"])
        L += self._task_lines(tasks, ctx, spec["actors"], d, cites)
        L += self._organisation(spec, ctx)
        if style != "ubnd_decision":
            L += self._recipients(spec, ctx)
            sig, signer = self._signer(chief)
            L += sig
        entry = {"number": number, "kind": "Decision" if style == "ubnd_decision" else "Plan", "title": title,
                 "issuer": issuer, "level": "province", "province": place.province, "district": None,
                 "commune": None, "date": d.isoformat(), "signer": signer, "parents": [ministry.number],
                 "parent_files": [ministry.file], "attached": attached,
                 "tasks": {str(i): t.parent for i, t in enumerate(tasks, 1)},
                 "cites": cites.as_list()}
        rel = self._write("province", None, number, L, entry)
        self.p_issuer_caps = issuer_lines
        return Issued(rel, number, "Decision" if style == "ubnd_decision" else "Plan", "province", mentions, d,
                      full_subject, tasks)

    def _province_tree(self, ministry: Issued, prov: Issued, place: Place, thpt: int, districts: int,
                       communes: int, lower: int) -> None:
        rng = self.rng
        sub = _slug(place.province)
        school_names: set[str] = set()
        for _ in range(thpt):
            self._school(ministry, prov, place, "THPT", school_names, sub)
        used_places: set[str] = set()
        if self.new:
            per_commune = _split(lower, [rng.uniform(0.5, 1.5) for _ in range(communes)])
            for j in range(communes):
                cname = self._place_name(used_places)
                ctype = "phường" if rng.random() < (0.7 if place.ptype == "thành phố" else 0.15) else "xã"
                cplace = Place(place.province, place.ptype, commune=cname, ctype=ctype)
                com = self._commune(ministry, prov, cplace, sub)
                for _ in range(per_commune[j]):
                    typ = "TH" if rng.random() < 0.55 else "THCS"
                    self._school(prov, com, cplace, typ, school_names, sub)
            return
        if districts == 0:
            for _ in range(communes):
                cname = self._place_name(used_places)
                cplace = Place(place.province, place.ptype, commune=cname, ctype="xã")
                self._commune(ministry, prov, cplace, sub)
            return
        per_d_communes = _split(communes, [rng.uniform(0.5, 1.5) for _ in range(districts)])
        per_d_schools = _split(lower, [rng.uniform(0.5, 1.5) for _ in range(districts)])
        for j in range(districts):
            dname = self._place_name(used_places)
            r = rng.random()
            dtype = ("quận" if r < 0.5 else "huyện") if place.ptype == "thành phố" else \
                ("thị xã" if r < 0.12 else "huyện")
            dplace = Place(place.province, place.ptype, district=dname, dtype=dtype)
            dist = self._district(ministry, prov, dplace, sub)
            for _ in range(per_d_communes[j]):
                cname = self._place_name(used_places)
                ctype = "thị trấn" if rng.random() < 0.08 else "xã"
                cplace = Place(place.province, place.ptype, dname, dtype, cname, ctype)
                self._commune(prov, dist, cplace, sub)
            for _ in range(per_d_schools[j]):
                typ = "TH" if rng.random() < 0.55 else "THCS"
                self._school(prov, dist, dplace, typ, school_names, sub)

    def _district(self, ministry: Issued, prov: Issued, place: Place, sub: str) -> Issued:
        rng, v = self.rng, self.v
        d = prov.date + timedelta(days=rng.randint(3, 15))
        dt = f"{place.dtype} {place.district}"
        number = self._seq(set(), "%d/KH-PGDĐT", d, 0.65, 50, avoid=frozenset({prov.number}))
        units = {"huyện": "các xã, thị trấn", "thị xã": "các xã, phường", "quận": "các phường"}[place.dtype]
        ctx = {**self._province_ctx(place), "dt": dt, "dtype": place.dtype, "lower_units": units,
               "scope": f"của {place.dtype}",
               "contact": "Phòng Giáo dục và Đào tạo", "self": f"Phòng Giáo dục và Đào tạo {dt}"}
        spec = v["levels"]["district"]
        cites = _Cites()
        L = self._header([f"UBND {dt.upper()}", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"], number, place.district, d)
        subject = rng.choice(v["plan_subjects"]).replace("{sy}", self.sy)
        L += [*self._title(subject, None), ""]
        L.append(self._cite_line("Căn cứ", self._law_dated("law:giaoduc"), cites, "basedOn"))
        if rng.random() < 0.6:
            L.append(self._ancestor_line(ministry, cites))
        L.append(self._parent_line(prov, cites))
        L.append(self._cite_line("Căn cứ", self.p_calendar, cites, "basedOn"))
        for _for, ref in self.letters:
            if "district" in _for and ref.date < d and rng.random() < 0.3:
                L.append(self._cite_line("Căn cứ", ref, cites, "basedOn"))
        L.append(self._fill(rng.choice(spec["intro"]), ctx))
        tasks = self._derive(prov.tasks, "district", ctx)
        L += self._purpose(ctx["scope"])
        L += self._task_lines(tasks, ctx, spec["actors"], d, cites)
        L += self._organisation(spec, ctx)
        L += self._recipients(spec, ctx)
        sig, signer = self._signer(self._chief("TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", p_deputy=0.4))
        L += sig
        issuer = f"Phòng Giáo dục và Đào tạo {dt}"
        entry = {"number": number, "kind": "Plan", "title": f"Kế hoạch {subject}", "issuer": issuer,
                 "level": "district", "province": place.province, "district": place.district, "commune": None,
                 "date": d.isoformat(), "signer": signer, "parents": [prov.number], "parent_files": [prov.file],
                 "attached": None, "tasks": {str(i): t.parent for i, t in enumerate(tasks, 1)},
                 "cites": cites.as_list()}
        rel = self._write("district", sub, number, L, entry)
        mentions = (issuer, f"Phòng GDĐT {dt}", "Phòng Giáo dục và Đào tạo")
        return Issued(rel, number, "Plan", "district", mentions, d, subject, tasks)

    def _commune(self, grand: Issued, parent: Issued, place: Place, sub: str) -> Issued:
        rng, v = self.rng, self.v
        d = parent.date + timedelta(days=rng.randint(3, 18))
        ct_full = f"{place.ctype} {place.commune}"
        # Communes formed on 1 July 2025 start their numbering then.
        start = date(2025, 7, 1) if self.new and self.year == 2025 else None
        number = self._seq(set(), "%d/KH-UBND", d, 0.35 if start else 0.45, 6 if start else 30, start,
                           avoid=frozenset({parent.number, grand.number}))
        ctx = {**self._province_ctx(place), "ct": place.ctype, "ct_full": ct_full, "scope": f"của {place.ctype}",
               "vhxh": "Phòng Văn hóa - Xã hội" if self.new else "Công chức Văn hóa - Xã hội",
               "contact": f"Ủy ban nhân dân {place.ctype}", "self": f"Ủy ban nhân dân {ct_full}"}
        spec = v["levels"]["commune"]
        cites = _Cites()
        L = self._header(["ỦY BAN NHÂN DÂN", ct_full.upper()], number, place.commune, d)
        subject = rng.choice(v["plan_subjects"]).replace("{sy}", self.sy)
        extra = f"trên địa bàn {ct_full}" if rng.random() < 0.5 else None
        L += [*self._title(subject, extra), ""]
        L.append(self._cite_line("Căn cứ", self._law_for(d), cites, "basedOn"))
        if rng.random() < 0.6:
            L.append(self._cite_line("Căn cứ", self._law_dated("law:giaoduc"), cites, "basedOn"))
        if rng.random() < 0.5:
            L.append(self._ancestor_line(grand, cites))
        L.append(self._parent_line(parent, cites))
        if rng.random() < 0.5 or len(cites.rel) < 3:
            L.append(self._cite_line("Căn cứ", self.p_calendar, cites, "basedOn"))
        L.append("Căn cứ tình hình thực tế của địa phương,")
        L.append(self._fill(rng.choice(spec["intro"]), ctx))
        lvl_ctx = {**ctx, "ct": place.ctype}
        tasks = self._derive(parent.tasks, "commune", lvl_ctx)
        L += self._purpose(ctx["scope"])
        L += self._task_lines(tasks, ctx, spec["actors"], d, cites)
        L += self._organisation(spec, ctx)
        L += self._recipients(spec, ctx)
        sig, signer = self._signer(self._chief("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN", p_deputy=0.5))
        L += sig
        issuer = f"Ủy ban nhân dân {ct_full}"
        full_subject = subject + (f" {extra}" if extra else "")
        entry = {"number": number, "kind": "Plan", "title": f"Kế hoạch {full_subject}", "issuer": issuer,
                 "level": "commune", "province": place.province, "district": place.district,
                 "commune": place.commune, "date": d.isoformat(), "signer": signer, "parents": [parent.number],
                 "parent_files": [parent.file], "attached": None,
                 "tasks": {str(i): t.parent for i, t in enumerate(tasks, 1)},
                 "cites": cites.as_list()}
        rel = self._write("commune", sub, number, L, entry)
        mentions = (issuer, f"UBND {ct_full}", f"UBND {place.ctype}")
        return Issued(rel, number, "Plan", "commune", mentions, d, full_subject, tasks)

    def _school(self, grand: Issued, parent: Issued, place: Place, typ: str, names: set[str], sub: str) -> None:
        rng, v = self.rng, self.v
        d = parent.date + timedelta(days=rng.randint(2, 14))
        home = place.commune or place.district
        # A few tries for a name no school of this type in the province has, then "số 2", "số 3", ...
        tries = [rng.choice(v["school_patrons"]) for _ in range(3)]
        if home:
            tries.insert(0 if rng.random() < 0.45 else 3, home)
        name = next((t for t in tries if f"{typ} {t}" not in names), None)
        k = 2
        while name is None or f"{typ} {name}" in names:
            name = f"{tries[0]} số {k}"
            k += 1
        names.add(f"{typ} {name}")
        # The canonical name spells the type out; the text writes it either way.
        canonical = f"Trường {_SCHOOL_TYPES[typ][0]} {name}"
        school = canonical if rng.random() < 0.3 else f"Trường {_SCHOOL_TYPES[typ][1]} {name}"
        number = self._seq(set(), f"%d/KH-{typ}", d, 0.18, 20, avoid=frozenset({parent.number, grand.number}))
        if typ == "THPT":
            so = place.place_name.upper()
            above = rng.choice((f"SỞ GD&ĐT {so}", f"SỞ GIÁO DỤC VÀ ĐÀO TẠO {place.territory.upper()}"))
            superior = "Sở GDĐT"
            town = place.place_name
        elif place.commune:
            above = rng.choice((f"UBND {place.ctype.upper()} {place.commune.upper()}",
                                f"ỦY BAN NHÂN DÂN {place.ctype.upper()} {place.commune.upper()}"))
            superior = f"UBND {place.ctype}"
            town = place.commune
        else:
            dt = f"{place.dtype} {place.district}".upper()
            above = rng.choice((f"PHÒNG GD&ĐT {dt}", f"UBND {dt}"))
            superior = "Phòng GDĐT"
            town = place.district
        unions = {"TH": "Công đoàn, Liên đội", "THCS": "Công đoàn, Chi đoàn, Liên đội",
                  "THPT": "Công đoàn, Đoàn Thanh niên"}[typ]
        ctx = {"sy": self.sy, "y2": str(self.year + 1), "school": school, "scope": "của nhà trường",
               "unions": unions, "superior": superior, "contact": "Ban giám hiệu nhà trường", "self": school,
               "pt": place.territory, "pt_short": "thành phố" if place.ptype == "thành phố" else "tỉnh",
               "ct": place.ctype or "xã"}
        spec = v["levels"]["school"]
        cites = _Cites()
        shown = canonical if rng.random() < 0.3 else f"Trường {_SCHOOL_TYPES[typ][1]} {name}"
        L = self._header([above, shown.upper()], number, town, d)
        subject = rng.choice(v["plan_subjects"]).replace("{sy}", self.sy)
        L += [*self._title(subject, None), ""]
        charter = "28/2020/TT-BGDĐT" if typ == "TH" else "32/2020/TT-BGDĐT"
        L.append(self._cite_line("Căn cứ", self._national(charter), cites, "basedOn"))
        if rng.random() < 0.5:
            rules = "27/2020/TT-BGDĐT" if typ == "TH" else "22/2021/TT-BGDĐT"
            L.append(self._cite_line("Căn cứ", self._national(rules), cites, "basedOn"))
        if rng.random() < 0.6:
            L.append(self._ancestor_line(grand, cites))
        L.append(self._parent_line(parent, cites))
        for _for, ref in self.letters:
            if typ in _for and ref.date < d and rng.random() < 0.4:
                L.append(self._cite_line("Căn cứ", ref, cites, "basedOn"))
        if self.p_guidance.date < d and rng.random() < 0.5:
            L.append(self._cite_line("Căn cứ", self.p_guidance, cites, "basedOn"))
        if len(cites.rel) < 3:
            L.append(self._cite_line("Căn cứ", self.p_calendar, cites, "basedOn"))
        L.append(f"Căn cứ kết quả thực hiện nhiệm vụ năm học {self.year - 1} - {self.year} và tình hình thực tế "
                 "của nhà trường,")
        L.append(self._fill(rng.choice(spec["intro"]), ctx))
        classes = rng.randint(8, 45)
        facts = {"classes": str(classes), "students": str(classes * rng.randint(28, 42)),
                 "staff": str(int(classes * rng.uniform(1.6, 2.3)) + 6), "pct": str(rng.randint(85, 100))}
        ctx_lines = [self._fill(s, {**ctx, **facts}) for s in spec["context"][:1] + rng.sample(spec["context"][1:], 2)]
        L.append(" ".join(ctx_lines))
        tasks = self._derive(parent.tasks, "school", ctx)
        L += self._purpose(ctx["scope"])
        # Primary schools do not cite the rules for assessing secondary pupils, nor the other way round.
        skip = frozenset({"22/2021/TT-BGDĐT", "law:qpan"} if typ == "TH" else {"27/2020/TT-BGDĐT"})
        L += self._task_lines(tasks, ctx, spec["actors"], d, cites, skip)
        L += self._organisation(spec, ctx)
        L += self._recipients(spec, ctx)
        sig, signer = self._signer(self._chief("HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG", p_deputy=0.25))
        L += sig
        entry = {"number": number, "kind": "Plan", "title": f"Kế hoạch {subject}", "issuer": canonical,
                 "level": "school", "school_type": typ, "province": place.province, "district": place.district,
                 "commune": place.commune, "date": d.isoformat(), "signer": signer, "parents": [parent.number],
                 "parent_files": [parent.file], "attached": None,
                 "tasks": {str(i): t.parent for i, t in enumerate(tasks, 1)},
                 "cites": cites.as_list()}
        self._write("school", sub, number, L, entry)


# -- entry points ---------------------------------------------------------------------------------------


def _load_vocab() -> dict:
    return _nfc(json.loads(VOCAB_PATH.read_text(encoding="utf-8")))


def _prepare(out: Path, force: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    ours = [out / d for d in LEVEL_DIRS.values()] + [out / "manifest.json"]
    if any(p.exists() for p in ours):
        if not force:
            raise FileExistsError(f"{out} already holds a generated corpus (pass force=True / --force to replace it)")
        for p in ours:
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()


def generate(size: int, out: Path, seed: int = 1, year: int = 2025, *, force: bool = False) -> dict:
    """Write a corpus of ``size`` documents into ``out``; return the counts per level.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     generate(50, Path(tmp))["documents"]
    50
    """
    if size < 1:
        raise ValueError(f"size must be at least 1: {size!r}")
    out = Path(out)
    _prepare(out, force)
    return _Generator(out, seed, year, _load_vocab()).run(size)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", required=True, help="documents to write: N, 1k, 10k, 100k")
    ap.add_argument("--out", required=True, type=Path, help="output folder")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--year", type=int, default=2025, help="first calendar year of the school year")
    ap.add_argument("--force", action="store_true", help="replace a corpus already in --out")
    args = ap.parse_args(argv)
    try:
        size = parse_size(args.size)
    except ValueError as e:
        ap.error(str(e))
    t0 = time.perf_counter()
    try:
        counts = generate(size, args.out, args.seed, args.year, force=args.force)
    except FileExistsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    dt = time.perf_counter() - t0
    print(json.dumps(counts, ensure_ascii=False))
    print(f"{counts['documents']} documents, {counts['bytes'] / 1e6:.1f} MB in {dt:.2f} s "
          f"({counts['documents'] / dt:.0f} documents/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
