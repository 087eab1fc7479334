"""Task derivation: which task of a higher-level document each local task carries down.

Pure functions over small records (no store): the store layer collects the records, calls
:func:`derive` and writes the result as ``lo:derivedFrom`` plus a qualified ``lo:Derivation``.

Matching is Vietnamese-aware: text is folded (accents and case dropped, đ -> d), split into
syllables, stop words removed; syllable unigrams and bigrams are weighted by IDF over the candidate
parent tasks; a task's title weighs most and its body helps when titles diverge.

>>> parents = [TaskRec("p1", "P", "1", "Đẩy mạnh chuyển đổi số, cải cách hành chính trong toàn ngành"),
...            TaskRec("p2", "P", "2", "Hội nhập quốc tế trong giáo dục")]
>>> best_parent(TaskRec("c1", "C", "7", "Tiếp tục đẩy mạnh chuyển đổi số trong toàn ngành"), parents)[0].iri
'p1'
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

#: Score at and above which a local task is taken to carry down a parent task. Tuned on the
#: seeds gold (see docs/derivation.md and tests/kg/test_derive.py for precision and recall).
THRESHOLD = 0.12
#: Below THRESHOLD a best match is still taken when it is at least LOW and beats the runner-up
#: by MARGIN times (titles reworded beyond recognition, bodies alike).
LOW = 0.08
MARGIN = 1.4
TITLE_WEIGHT = 0.5
#: The part of a task's body that is matched (the rest is not read, nor kept in memory).
BODY_CHARS = 3000
METHOD = "tfidf-syllable-1-2gram/v1"

# Function words that carry no topic (folded forms).
STOP = frozenset(
    "va cua cac trong cho voi de theo tai ve la co duoc nhung mot nay do nhu khi thi tu den tren duoi "
    "ra vao lai nham bao dam dam bao tiep tuc tang cuong day manh thuc hien trien khai nang cao hieu qua "
    "cong tac viec hoat dong".split()
)


@dataclass(frozen=True, slots=True)
class TaskRec:
    """A task as derivation sees it: IRI, its document's IRI, number, title, body text."""

    iri: str
    doc: str
    number: str
    title: str
    body: str = ""


@dataclass(frozen=True, slots=True)
class DocRec:
    """A document as derivation sees it."""

    iri: str
    level: int | None  # 0 central, 1 provincial, 2 district, 3 commune, 4 institution
    province: str | None
    period: str | None  # school year "2023-2024", else the year
    sector: str | None
    stub: bool
    parents: tuple[str, ...] = ()  # documents it implements, cites or is based on (IRIs)
    implements: tuple[str, ...] = ()  # the subset it implements or is based on: the chain a stub can stand in
    title: str = ""


@dataclass(frozen=True, slots=True)
class Derivation:
    """One derivation: ``derived`` carries down ``source`` with ``score``; ``via`` lists stubs passed."""

    derived: str
    source: str
    score: float
    method: str
    via: tuple[str, ...] = ()
    derived_text: str = ""
    source_text: str = ""


class _DropMarks(dict):
    """``str.translate`` table that drops non-spacing marks (category Mn), filled as characters come.

    Derivation folds every task text; a per-character Python loop was most of its time.
    """

    def __missing__(self, codepoint: int) -> int | None:
        kept = None if unicodedata.category(chr(codepoint)) == "Mn" else codepoint
        self[codepoint] = kept
        return kept


_DROP_MARKS = _DropMarks()


def fold(s: str) -> str:
    """Accent-insensitive lower-case text.

    >>> fold("Đẩy mạnh CHUYỂN ĐỔI SỐ")
    'day manh chuyen doi so'
    """
    return unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d")).translate(_DROP_MARKS).lower()


def terms(text: str) -> list[str]:
    """Syllable unigrams and bigrams of the content words of ``text``."""
    sy = [w for w in re.findall(r"[0-9a-z]+", fold(text)) if w not in STOP and not w.isdigit()]
    return sy + [f"{a}_{b}" for a, b in pairwise(sy)]


@functools.lru_cache(maxsize=16384)
def _counts(text: str) -> tuple[tuple[str, int], ...]:
    """``Counter(terms(text))`` as pairs in first-seen order, cached: a local task is weighed under
    the index of every candidate plan above it, and a plan's tasks under every pool they join, so
    the same text was folded and split once per index (half of derivation's time at 10k files)."""
    return tuple(Counter(terms(text)).items())


@dataclass
class _Index:
    idf: dict[str, float] = field(default_factory=dict)
    # text -> its vector under this index: a pool's parent tasks are scored against every child,
    # so each text is folded and weighed once per index instead of once per pair.
    _vectors: dict[str, dict[str, float]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, texts: list[str]) -> _Index:
        df: Counter[str] = Counter()
        for t in texts:
            df.update(k for k, _c in _counts(t))
        n = max(1, len(texts))
        return cls({k: math.log(1 + n / v) for k, v in df.items()})

    def vec(self, text: str) -> dict[str, float]:
        v = self._vectors.get(text)
        if v is None:
            v = self._vectors[text] = self._vec(text)
        return v

    def _vec(self, text: str) -> dict[str, float]:
        default = math.log(1 + 1.0 * max(1, len(self.idf)))
        idf = self.idf
        v = {k: c * idf.get(k, default) for k, c in _counts(text)}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {k: x / norm for k, x in v.items()}


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(k, 0.0) for k, x in a.items())


def score(child: TaskRec, parent: TaskRec, index: _Index | None = None) -> float:
    """Similarity of two tasks in [0, 1]: the titles, and the whole tasks (title and body)."""
    index = index or _Index.build([parent.title + " " + parent.body, child.title + " " + child.body])
    t = _cos(index.vec(child.title), index.vec(parent.title))
    whole = _cos(index.vec(child.title + " " + child.body[:BODY_CHARS]),
                 index.vec(parent.title + " " + parent.body[:BODY_CHARS]))
    return TITLE_WEIGHT * t + (1 - TITLE_WEIGHT) * whole


def best_parent(child: TaskRec, candidates: list[TaskRec], index: _Index | None = None,
                threshold: float = THRESHOLD) -> tuple[TaskRec, float] | None:
    """The best-scoring candidate if it clears the threshold (or the margin rule), else None."""
    if not candidates:
        return None
    index = index or _Index.build([c.title + " " + c.body[:BODY_CHARS] for c in candidates])
    return _pick(candidates, [score(child, c, index) for c in candidates], threshold)


def _pick(candidates: list[TaskRec], scores: list[float], threshold: float) -> tuple[TaskRec, float] | None:
    """:func:`best_parent` given the score of each candidate."""
    ranked = sorted(zip(scores, range(len(scores)), strict=True), reverse=True)
    best, i = ranked[0]
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    if best >= threshold or (best >= LOW * threshold / THRESHOLD and best >= MARGIN * second):
        return candidates[i], best
    return None


def candidate_documents(doc: DocRec, docs: dict[str, DocRec], has_tasks: set[str],
                        hierarchy: _Hierarchy | None = None) -> tuple[list[str], tuple[str, ...]]:
    """Documents whose tasks ``doc`` may carry down, and the stubs passed through to reach them.

    First the documents it implements or cites, transitively, that have tasks (of those, the ones of
    the level nearest its own); where the chain
    reaches only stubs, the documents higher in the same hierarchy (same province, or central)
    for the same sector and period — never a sibling province. ``hierarchy`` (built once for many
    calls) spares the fallback a walk over every document.
    """
    seen = {doc.iri}
    frontier = list(doc.parents)
    found: list[str] = []
    stubs: list[str] = []
    depth = 0
    while frontier and depth < 4:
        nxt: list[str] = []
        for p in frontier:
            if p in seen:
                continue
            seen.add(p)
            rec = docs.get(p)
            if rec is None:
                continue
            # A document the plan names itself needs only to stand higher; the territory check is
            # for the fallback, where nothing but the hierarchy links the two.
            if not _higher(rec, doc, explicit=True):
                continue
            if p in has_tasks:
                found.append(p)
            else:
                if rec.stub:
                    stubs.append(p)
                nxt.extend(rec.parents)
        if found:
            # A plan carries down the plan right above it: a school that is "based on" its
            # province's plan and "implements" its commune's carries down the commune's.
            levels = [docs[p].level for p in found if docs[p].level is not None]
            if levels:
                found = [p for p in found if docs[p].level in (None, max(levels))]
            return found, ()
        frontier = nxt
        depth += 1
    # Fallback: the hierarchy above the document, nearest level first.
    if doc.level is None:
        return [], ()
    by_level: dict[int, list[str]] = {}
    for r in (docs.values() if hierarchy is None else hierarchy.above(doc)):
        if r.iri == doc.iri or r.iri not in has_tasks or r.level is None or not _higher(r, doc):
            continue
        if doc.period and r.period and r.period != doc.period:
            continue
        if doc.sector and r.sector and r.sector != doc.sector:
            continue
        by_level.setdefault(r.level, []).append(r.iri)
    for level in sorted(by_level, reverse=True):
        return sorted(by_level[level]), _via(doc, docs, level)
    return [], ()


class _Hierarchy:
    """The documents the fallback of :func:`candidate_documents` can reach, by province.

    :func:`_higher` (not explicit) holds only for a central document or one of the same province,
    so those are the only ones worth looking at: at 100k files the walk over every document, for
    every document that falls back, was quadratic.
    """

    def __init__(self, docs: dict[str, DocRec]):
        self.central = [r for r in docs.values() if r.level == 0]
        self.by_province: dict[str, list[DocRec]] = {}
        for r in docs.values():
            if r.level is not None and r.level != 0 and r.province is not None:
                self.by_province.setdefault(r.province, []).append(r)

    def above(self, doc: DocRec) -> list[DocRec]:
        """A superset of the documents ``r`` with ``_higher(r, doc)``."""
        return self.central + (self.by_province.get(doc.province, []) if doc.province is not None else [])


#: More candidate documents than this (a school whose citation of its commune's plan names no
#: known document falls back to every commune plan of its province: ~90 at 10k files, ~900 at
#: 100k) are first shortlisted by the words of their task titles; with this many or fewer the
#: choice is exactly the full match. At 1k files no document has more than 13.
MAX_CANDIDATES = 16


def _title_words(tasks: list[TaskRec]) -> frozenset[int]:
    """Hashes of the content syllables of some tasks' titles (ints: a hundred thousand documents)."""
    return frozenset(hash(w) for t in tasks for w in re.findall(r"[0-9a-z]+", fold(t.title))
                     if w not in STOP and not w.isdigit())


def _shortlist(children: list[TaskRec], cands: list[str], by_doc: dict[str, list[TaskRec]],
               words: dict[str, frozenset[int]]) -> list[str]:
    """The :data:`MAX_CANDIDATES` candidates whose task titles share most words with ``children``'s
    (ties in the candidates' order), in the candidates' order."""
    own = _title_words(children)

    def shared(c: str) -> int:
        got = words.get(c)
        if got is None:
            got = words[c] = _title_words(by_doc[c])
        return len(own & got)

    ranked = sorted(range(len(cands)), key=lambda i: (-shared(cands[i]), i))[:MAX_CANDIDATES]
    return [cands[i] for i in sorted(ranked)]


def _via(doc: DocRec, docs: dict[str, DocRec], found_level: int) -> tuple[str, ...]:
    """The stubs a fallback match passes through: what the document implements between the levels."""
    out = []
    for i, p in enumerate(doc.implements):
        rec = docs.get(p)
        if rec is None or not rec.stub or rec.level is None:
            continue
        if not (found_level <= rec.level < (doc.level if doc.level is not None else 99) and _higher(rec, doc)):
            continue
        # A stub of the same period is the plan being carried down; older ones are background.
        same_period = bool(doc.period and rec.period and rec.period[:4] in doc.period)
        # Of several stubs at one level, the one whose subject reads like the document's own
        # ("ban hành Kế hoạch nhiệm vụ ... năm học 2023 - 2024") is the plan it carries down.
        alike = 0.0
        if doc.title and rec.title:
            pair = _Index.build([doc.title, rec.title])
            alike = _cos(pair.vec(doc.title), pair.vec(rec.title))
        out.append((not same_period, -(rec.level or 0), -round(alike, 2), i, rec.iri))
    # Nearest the document first (the district plan's via is the province's plan), then text order.
    out.sort()
    return tuple(r[-1] for r in out[:1])


def _higher(parent: DocRec, child: DocRec, explicit: bool = False) -> bool:
    """Does ``parent`` stand above ``child`` in the same hierarchy (never a sibling province)?"""
    if parent.level is None or child.level is None:
        return parent.level is not None or child.level is None
    if parent.level >= child.level:
        return False
    if parent.level == 0:
        return True
    if parent.province is not None and child.province is not None:
        return parent.province == child.province
    return explicit


class _Pool:
    """The tasks of one candidate document, ready to be scored against many children at once.

    :func:`score` for every (child, parent) pair: each parent's vectors are made once, and an
    inverted index (term -> parents that have it) visits only the terms a child shares with each
    parent. The products are summed in another order than :func:`_cos` sums them and divided by
    the child's norm at the end, so the two agree to rounding (1e-12), not always to the last bit. Derivation scores
    every local task against its candidate plans' tasks; pair by pair it was most of
    ``luocdo ingest`` at 1k files.
    """

    def __init__(self, parents: list[TaskRec]):
        self.parents = parents
        index = _Index.build([p.title + " " + p.body[:BODY_CHARS] for p in parents])
        # Term -> (its IDF, [(parent, weight in its title vector)], [(parent, weight in its whole
        # vector)]): one look-up per term of a child gives its weight and the parents that share it.
        self._terms: dict[str, tuple[float, list[tuple[int, float]], list[tuple[int, float]]]] = {
            k: (w, [], []) for k, w in index.idf.items()}
        self._unseen = math.log(1 + 1.0 * max(1, len(index.idf)))  # the IDF of a term no parent has
        for j, p in enumerate(parents):
            for which, text in ((1, p.title), (2, p.title + " " + p.body[:BODY_CHARS])):
                for k, y in index.vec(text).items():
                    self._terms.setdefault(k, (self._unseen, [], []))[which].append((j, y))
        self._memo: dict[TaskRec, list[float]] = {}

    def _cosines(self, text: str, which: int) -> list[float]:
        """The cosine of ``text``'s vector under this pool's IDF with each parent's title (``which``
        1) or whole (2) vector. The child's vector is never built: its weights are summed into the
        dot products and its norm as they come, and divided once at the end."""
        acc = [0.0] * len(self.parents)
        squares, unseen = 0.0, 0
        get = self._terms.get
        for k, c in _counts(text):
            entry = get(k)
            if entry is None:
                unseen += c * c
                continue
            w = c * entry[0]
            squares += w * w
            for j, y in entry[which]:
                acc[j] += w * y
        norm = math.sqrt(squares + self._unseen * self._unseen * unseen) or 1.0
        return [x / norm for x in acc]

    def scores(self, child: TaskRec) -> list[float]:
        """``[score(child, p, index) for p in parents]``."""
        got = self._memo.get(child)  # the record, not the IRI: a task read with two titles is two records
        if got is None:
            t = self._cosines(child.title, 1)
            whole = self._cosines(child.title + " " + child.body[:BODY_CHARS], 2)
            got = self._memo[child] = [TITLE_WEIGHT * a + (1 - TITLE_WEIGHT) * b
                                           for a, b in zip(t, whole, strict=True)]
        return got


#: Fewer documents with tasks than this (about 20,000 tasks) are matched in this process whatever
#: ``jobs`` says: starting worker processes costs more than it saves (a few hundred milliseconds).
PARALLEL_DOCUMENTS = 2_000

#: One unit of matching work: (document, its candidate plans, the stubs passed) for the documents
#: of one province, and the tasks of those documents and of their candidates.
_Unit = tuple[list[tuple[str, list[str], tuple[str, ...]]], dict[str, list[TaskRec]], float]


def derive(docs: dict[str, DocRec], tasks: list[TaskRec], threshold: float = THRESHOLD,
           jobs: int = 1) -> list[Derivation]:
    """Derivations for every task of every document with a higher-level candidate.

    Candidates are found here; the matching, nearly all the time, goes province by province
    (a province's documents share their candidate plans), in ``jobs`` processes for a large store.
    The result does not depend on ``jobs``.
    """
    by_doc: dict[str, list[TaskRec]] = {}
    for t in tasks:
        by_doc.setdefault(t.doc, []).append(t)
    return derive_streamed(docs, list(by_doc), lambda needed: [t for d in needed for t in by_doc.get(d, ())],
                           threshold, jobs)


Plan = tuple[str, list[str], tuple[str, ...]]


def units(docs: dict[str, DocRec], with_tasks: list[str]) -> list[list[Plan]]:
    """The work of :func:`derive_streamed`, province by province (see :func:`unit_plans`)."""
    return list(unit_plans(docs, with_tasks).values())


def unit_plans(docs: dict[str, DocRec], with_tasks: list[str]) -> dict[str, list[Plan]]:
    """Province (``""`` for none) -> (document, its candidate plans, the stubs passed) for every
    document of it with tasks and a higher-level candidate that has tasks. Only which documents
    have tasks is needed here, not the tasks. A document's derivations depend on nothing but its
    plan and the tasks of the documents in it (:func:`fingerprint`)."""
    has_tasks = set(with_tasks)
    hierarchy = _Hierarchy(docs)
    out: dict[str, list[tuple[str, list[str], tuple[str, ...]]]] = {}
    # Province by province, so that the plans a province's documents are matched against stay in
    # the pool cache while they are needed (in file order the cache thrashed at 10k files).
    for d_iri in sorted((i for i in with_tasks if i in docs),
                        key=lambda i: (docs[i].province or "", docs[i].level or 0)):
        cands, via = candidate_documents(docs[d_iri], docs, has_tasks, hierarchy)
        if cands:
            out.setdefault(docs[d_iri].province or "", []).append((d_iri, cands, via))
    return out


def fingerprint(plans: list[Plan], threshold: float = THRESHOLD) -> str:
    """A digest of what the derivations of a unit's plans are computed from, but the tasks' text:
    the plans, the threshold and the matching's parameters. Equal digests and unchanged tasks give
    equal derivations, so a later ingest matches again only the provinces whose digest changed or
    whose documents it wrote.

    >>> fingerprint([("d", ["p"], ())]) == fingerprint([("d", ["p"], ())]) != fingerprint([("d", ["q"], ())])
    True
    """
    import hashlib

    h = hashlib.sha1(repr((METHOD, threshold, LOW, MARGIN, TITLE_WEIGHT, BODY_CHARS, MAX_CANDIDATES)).encode())
    for d_iri, cands, via in plans:
        h.update(repr((d_iri, list(cands), tuple(via))).encode())
    return h.hexdigest()


def derive_streamed(docs: dict[str, DocRec], with_tasks: list[str], tasks_of: Callable[[set[str]], list[TaskRec]],
                    threshold: float = THRESHOLD, jobs: int = 1) -> list[Derivation]:
    """:func:`derive`, the tasks asked for one province at a time (``tasks_of(documents)``), so that
    memory holds one province's tasks and the plans above them, not the whole store's: at 10k files
    all tasks with their bodies were half of an ingest's peak memory. ``with_tasks`` lists the
    documents that have tasks, in the order of the result. Matched in ``jobs`` processes for a
    large store (:data:`PARALLEL_DOCUMENTS`; a few provinces in flight at once); the result does not
    depend on ``jobs``.
    """
    found = match_units(units(docs, with_tasks), tasks_of, threshold, jobs)
    return [x for d_iri in with_tasks for x in found.get(d_iri, ())]


def match_units(plans_by_unit: list[list[Plan]], tasks_of: Callable[[set[str]], list[TaskRec]],
                threshold: float = THRESHOLD, jobs: int = 1) -> dict[str, list[Derivation]]:
    """Document -> its derivations, for the plans of some units (:func:`unit_plans`), the tasks
    asked for one unit at a time; in ``jobs`` processes when there is much to match."""
    found: dict[str, list[Derivation]] = {}
    for _i, unit_found in matched_units(plans_by_unit, tasks_of, threshold, jobs):
        found.update(unit_found)
    return found


def matched_units(plans_by_unit: list[list[Plan]], tasks_of: Callable[[set[str]], list[TaskRec]],
                  threshold: float = THRESHOLD, jobs: int = 1,
                  then: Sequence[Callable[[list[Plan], dict[str, list[Derivation]]], Any]] | None = None,
                  ) -> Iterator[tuple[int, Any]]:
    """(index of a unit in ``plans_by_unit``, document -> its derivations) for each unit as its
    matching ends, in ``jobs`` processes when there is much to match: so that the caller writes one
    province's derivations while the workers match the next, and holds one province's at a time
    (all of them were 0.9M derivations, with their evidence texts, at 100k files).

    With ``then`` (one picklable function per unit), the second item is ``then[i](plans,
    derivations)`` instead, computed where the unit was matched: the worker, not the caller, turns
    the derivations into what the caller writes.

    >>> list(matched_units([[], []], lambda needed: []))
    [(0, {}), (1, {})]
    >>> list(matched_units([[]], lambda needed: [], then=[lambda plans, found: ("a", found)]))
    [(0, ('a', {}))]
    """
    def work():
        for i, plans in enumerate(plans_by_unit):
            needed = {x for d_iri, cands, _via in plans for x in (d_iri, *cands)}
            by_doc: dict[str, list[TaskRec]] = {}
            for t in tasks_of(needed):
                by_doc.setdefault(t.doc, []).append(t)
            yield i, (plans, by_doc, threshold)

    if jobs > 1 and sum(map(len, plans_by_unit)) >= PARALLEL_DOCUMENTS and len(plans_by_unit) > 1:
        import concurrent.futures
        import multiprocessing

        with concurrent.futures.ProcessPoolExecutor(
                min(jobs, len(plans_by_unit)), mp_context=multiprocessing.get_context("spawn")) as pool:
            running: dict[concurrent.futures.Future, int] = {}
            for i, unit in work():  # at most jobs + 1 provinces' tasks held at once
                running[pool.submit(_matched_in_worker, unit, then[i] if then else None)] = i
                if len(running) > jobs:
                    done, _rest = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
                    for f in done:
                        yield running.pop(f), f.result()
            for f in concurrent.futures.as_completed(list(running)):
                yield running.pop(f), f.result()
    else:
        for i, unit in work():
            yield i, _matched_in_worker(unit, then[i] if then else None)


def _matched_in_worker(unit: _Unit, then: Callable[..., Any] | None = None) -> Any:
    found = _match(unit)  # by name in the worker's own module, whatever this process has patched
    return then(unit[0], found) if then else found


def _match(unit: _Unit) -> dict[str, list[Derivation]]:
    """The derivations of each document of one unit of work (see :func:`derive`)."""
    plans, by_doc, threshold = unit
    # Candidate document -> its scored pool. A provincial plan is the candidate of every commune
    # plan below it, so its pool is kept while they come; a bounded cache keeps memory flat.
    pools: OrderedDict[str, _Pool] = OrderedDict()

    def pool_of(c: str) -> _Pool:
        pool = pools.get(c)
        if pool is None:
            pool = pools[c] = _Pool(by_doc[c])
            if len(pools) > 256:
                pools.popitem(last=False)
        else:
            pools.move_to_end(c)
        return pool

    found: dict[str, list[Derivation]] = {}
    words: dict[str, frozenset[int]] = {}
    for d_iri, cands, via in plans:
        children = by_doc.get(d_iri)
        cands = [c for c in cands if by_doc.get(c)]
        if not children or not cands:
            continue
        if len(cands) > MAX_CANDIDATES:
            cands = _shortlist(children, cands, by_doc, words)
        if len(cands) > 1:
            # A plan carries down one plan above it: take the candidate its tasks match best (the
            # sum, over its tasks, of each one's best score there).
            cands = [max(cands, key=lambda c: sum(max(pool_of(c).scores(ch)) for ch in children))]
        pool = pool_of(cands[0])
        mine = found[d_iri] = []
        for child in children:
            got = _pick(pool.parents, pool.scores(child), threshold)
            if got:
                parent, s = got
                mine.append(Derivation(child.iri, parent.iri, round(s, 4), METHOD, via, child.title, parent.title))
    return found
