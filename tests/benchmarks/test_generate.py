"""The benchmark corpus generator (benchmarks/generate.py): deterministic, consistent with its manifest,
and written the way the documents it imitates are written."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATE = REPO_ROOT / "benchmarks" / "generate.py"


def _load_generator():
    # benchmarks/ is not an installed package: load the script by path.
    spec = importlib.util.spec_from_file_location("luocdo_benchmarks_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()

SIZE = 200
CITING_LINE = re.compile(r"^(?:Căn cứ|Thực hiện|Triển khai)\s.*(?:\bsố\s+\d|Luật\s)")
TASK_LINE = re.compile(r"^(\d{1,2})\. \S")
DATE_LINE = re.compile(r"^\S.*, ngày \d{1,2} tháng \d{1,2} năm \d{4}", re.M)


def _tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()


def _section_ii(text: str) -> list[str]:
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("II. "))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("III. ") and i > start)
    return lines[start + 1:end]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    counts = gen.generate(SIZE, out, seed=7)
    assert counts["documents"] == SIZE
    return out


@pytest.fixture(scope="module")
def manifest(corpus) -> dict:
    return json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("text, n", [("1", 1), ("250", 250), ("1k", 1000), ("10K", 10_000), ("2.5k", 2500),
                                     ("100k", 100_000), ("1m", 1_000_000)])
def test_parse_size(text, n):
    assert gen.parse_size(text) == n


@pytest.mark.parametrize("text", ["", "k", "-3", "0", "ten"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError):
        gen.parse_size(text)


@pytest.mark.parametrize("size", [1, 2, 5, 37, 200, 1000, 10_000, 100_000])
@pytest.mark.parametrize("year", [2023, 2025])
def test_plan_counts_add_up(size, year):
    c = gen.plan_counts(size, year)
    assert sum(c.values()) == size
    assert c["ministry"] == 1
    assert all(v >= 0 for v in c.values())
    if year >= 2025:
        assert c["district"] == 0
    if size >= 1000:
        assert c["province"] == (34 if year >= 2025 or size < 5000 else 63)


def test_plan_counts_for_1k():
    c = gen.plan_counts(1000, 2025)
    assert (c["province"], c["district"]) == (34, 0)
    assert 280 <= c["commune"] <= 320 and 620 <= c["school"] <= 680


def test_same_seed_same_bytes_other_seed_other_bytes(corpus, tmp_path):
    again = tmp_path / "again"
    gen.generate(SIZE, again, seed=7)
    assert _tree_hash(again) == _tree_hash(corpus)
    other = tmp_path / "other"
    gen.generate(SIZE, other, seed=8)
    assert _tree_hash(other) != _tree_hash(corpus)


def test_refuses_to_overwrite_unless_forced(tmp_path):
    gen.generate(20, tmp_path, seed=1)
    with pytest.raises(FileExistsError):
        gen.generate(20, tmp_path, seed=1)
    counts = gen.generate(30, tmp_path, seed=1, force=True)
    assert counts["documents"] == 30
    assert len(list(tmp_path.rglob("*.txt"))) == 30


def test_manifest_matches_the_files(corpus, manifest):
    files = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.txt"))
    listed = [d["file"] for d in manifest["documents"]]
    assert sorted(listed) == files
    assert len(set(listed)) == len(listed) == SIZE
    counts = Counter(d["level"] for d in manifest["documents"])
    for level, n in manifest["counts"].items():
        if level != "documents":
            assert counts.get(level, 0) == n
    assert manifest["counts"]["documents"] == SIZE
    assert manifest["tasks"] == sum(len(d["tasks"]) for d in manifest["documents"])


def test_manifest_parents_and_tasks(corpus, manifest):
    by_file = {d["file"]: d for d in manifest["documents"]}
    seen: set[str] = set()
    for d in manifest["documents"]:
        text = (corpus / d["file"]).read_text(encoding="utf-8")
        assert f"Số: {d['number']}" in text or f"Số: {d['number'].replace('/', ' /', 1)}" in text
        if d["level"] == "ministry":
            assert d["parents"] == [] and all(p is None for p in d["tasks"].values())
        else:
            assert len(d["parents"]) == len(d["parent_files"]) == 1
            parent = by_file[d["parent_files"][0]]
            assert parent["file"] in seen, "a parent is written before its children"
            assert parent["number"] == d["parents"][0]
            assert parent["date"] <= d["date"]
            # The parent is cited with a cue that carries it down.
            cue = [ln for ln in text.split("\n") if d["parents"][0] in ln and ln.startswith(("Thực hiện", "Triển khai"))]
            assert cue, d["file"]
            assert [d["parents"][0], "implements"] in d["cites"]
            for n, p in d["tasks"].items():
                assert p is None or p in parent["tasks"], (d["file"], n, p)
            assert any(p is not None for p in d["tasks"].values())
        assert list(d["tasks"]) == [str(i) for i in range(1, len(d["tasks"]) + 1)]
        seen.add(d["file"])


def test_numbers_unique_per_issuer_and_shared_across_provinces(manifest):
    keys = Counter((d["issuer"], d["province"], d["district"], d["commune"], d["number"])
                   for d in manifest["documents"])
    assert max(keys.values()) == 1
    province_numbers = Counter(d["number"] for d in manifest["documents"] if d["level"] == "province")
    assert max(province_numbers.values()) >= 2, "two provinces share a plan number, as real ones do"
    assert len({d["province"] for d in manifest["documents"] if d["level"] == "province"}) == 34


def test_every_file_reads_like_a_plan(corpus, manifest):
    for d in manifest["documents"]:
        raw = (corpus / d["file"]).read_bytes()
        text = raw.decode("utf-8")
        assert unicodedata.is_normalized("NFC", text), d["file"]
        assert 3000 <= len(raw) <= gen.MAX_BYTES, (d["file"], len(raw))
        assert "Số: " in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
        assert DATE_LINE.search(text), d["file"]
        assert "KẾ HOẠCH" in text
        assert "III. TỔ CHỨC THỰC HIỆN" in text and "Nơi nhận:" in text
        assert d["signer"]["name"] in text
        citing = [ln for ln in text.split("\n") if CITING_LINE.match(ln)]
        assert len(citing) >= 3, d["file"]
        assert 3 <= len(d["cites"]) <= 20
        numbered = [int(m.group(1)) for ln in _section_ii(text) if (m := TASK_LINE.match(ln))]
        assert numbered == list(range(1, len(numbered) + 1)), d["file"]
        assert 8 <= len(numbered) <= 15
        assert len(numbered) == len(d["tasks"])


def test_child_titles_paraphrase_their_parents(corpus, manifest):
    """A carried-down task shares most of its words with the parent task: text similarity can recover it."""
    by_file = {d["file"]: d for d in manifest["documents"]}

    def titles(d):
        lines = _section_ii((corpus / d["file"]).read_text(encoding="utf-8"))
        return {m.group(1): ln.split(". ", 1)[1] for ln in lines if (m := TASK_LINE.match(ln))}

    scores = []
    for d in manifest["documents"][:60]:
        if not d["parent_files"]:
            continue
        mine, theirs = titles(d), titles(by_file[d["parent_files"][0]])
        for n, p in d["tasks"].items():
            if p is None:
                continue
            a, b = set(mine[n].lower().split()), set(theirs[p].lower().split())
            scores.append(len(a & b) / len(a | b))
    assert scores and sum(scores) / len(scores) > 0.6
    assert sum(1 for s in scores if s < 1.0) > len(scores) // 3, "titles are paraphrased, not copied"


def test_before_2025_has_districts_and_old_provinces(tmp_path):
    counts = gen.generate(2000, tmp_path, seed=3, year=2023)
    assert counts["documents"] == 2000 and counts["district"] > 0
    m = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    provinces = {d["province"] for d in m["documents"] if d["level"] == "province"}
    old = {name for name, _type in gen._load_vocab()["provinces_old"]}
    assert len(provinces) == 34 and provinces <= old and "Huế" not in provinces
    by_file = {d["file"]: d for d in m["documents"]}
    for d in m["documents"]:
        if d["level"] == "district":
            assert by_file[d["parent_files"][0]]["level"] == "province"
            assert re.fullmatch(r"\d+/KH-PGDĐT", d["number"])
    text = next((tmp_path / d["file"]).read_text(encoding="utf-8") for d in m["documents"] if d["level"] == "school")
    assert "năm học 2023 - 2024" in text.lower()


def test_parser_reads_the_generated_text(corpus, manifest):
    parse = pytest.importorskip("luocdo.kg.parse")
    docs = manifest["documents"]
    picked = docs[:: max(1, len(docs) // 20)][:20]
    for d in picked:
        text = (corpus / d["file"]).read_text(encoding="utf-8")
        ex = parse.extract_text(text, d["file"])
        assert ex.documents[0].number == d["number"], d["file"]
        assert len(ex.citations) >= 3, d["file"]
        plan = ex.documents[-1].key
        assert len([t for t in ex.tasks if t.doc == plan and t.parent is None]) >= 8, d["file"]
