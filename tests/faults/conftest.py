"""Shared pieces of the fault tests: a generated corpus of short plans, store snapshots, subprocesses.

The suite runs in importlib mode, where a conftest cannot be imported by name, so the helpers
reach tests as the session fixture ``faults`` (``faults.write_corpus(folder, 60)``).

The plans are written here, not copied from anywhere: a district office (Phòng), a provincial
department (Sở) or a provincial committee (UBND tỉnh) hands down three to five numbered tasks,
citing a ministry decision and a plan of the level above. Every cited document is cited by a few
plans only, so that a corpus of hundreds of files stays quick to ingest.
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

# (issuer block, code in the number, place on the date line, the body that leads the tasks)
ISSUERS = (
    ("ỦY BAN NHÂN DÂN HUYỆN GIA LỘC\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "PGDĐT", "Gia Lộc",
     "Phòng Giáo dục và Đào tạo"),
    ("UBND TỈNH SƠN LA\nSỞ GIÁO DỤC VÀ ĐÀO TẠO", "SGDĐT", "Sơn La", "Sở Giáo dục và Đào tạo"),
    ("ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG", "UBND", "Hải Dương", "Sở Nội vụ"),
    ("UBND HUYỆN MƯỜNG LA\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "PGDĐT", "Mường La", "Phòng Giáo dục và Đào tạo"),
)
TITLES = (
    "Thực hiện nhiệm vụ năm học 2023 - 2024",
    "Triển khai công tác chuyển đổi số trong ngành giáo dục năm 2024",
    "Tổ chức các hoạt động hưởng ứng Tháng hành động vì trẻ em",
    "Nâng cao chất lượng giáo dục mũi nhọn giai đoạn 2023 - 2025",
)
TASKS = (
    "Đẩy mạnh chuyển đổi số trong quản lý và dạy học",
    "Nâng cao chất lượng đội ngũ giáo viên và cán bộ quản lý",
    "Tăng cường cơ sở vật chất, thiết bị dạy học",
    "Thực hiện Chương trình giáo dục phổ thông 2018",
    "Đổi mới công tác kiểm tra, đánh giá học sinh",
    "Củng cố kết quả phổ cập giáo dục, xóa mù chữ",
    "Xây dựng văn hóa ứng xử trong trường học",
)
PARTNERS = ("Ủy ban nhân dân các xã, thị trấn", "Hội Khuyến học", "Đoàn Thanh niên", "Công an huyện")


def plan_text(i: int, seed: int = 0) -> str:
    """A short plan, different for every ``i`` (its number is ``100 + i``); the same for the same inputs."""
    rng = random.Random(seed * 100_003 + i)
    units, code, place, lead = ISSUERS[i % len(ISSUERS)]
    day, month = 1 + i % 28, 1 + i % 12
    decision = 2000 + i // 3  # each decision is cited by three plans
    parent = 100 + (i * 7 + 3) % 997
    tasks = rng.sample(TASKS, rng.randint(3, 5))
    items = "\n".join(f"{k}. {t}.\n{rng.choice(TASKS)} tại các đơn vị." for k, t in enumerate(tasks, 1))
    partner = rng.choice(PARTNERS)
    return (
        f"{units}\n"
        f"Số: {100 + i}/KH-{code}\n"
        f"{place}, ngày {day} tháng {month} năm 2023\n\n"
        f"KẾ HOẠCH\n{rng.choice(TITLES)}\n\n"
        f"Căn cứ Quyết định số {decision}/QĐ-BGDĐT ngày 23/8/2023 của Bộ Giáo dục và Đào tạo;\n"
        f"Thực hiện Kế hoạch số {parent}/KH-UBND ngày 5/9/2023 của Ủy ban nhân dân tỉnh,\n"
        f"{lead} xây dựng kế hoạch như sau:\n"
        f"I. MỤC ĐÍCH, YÊU CẦU\n1. Bảo đảm thực hiện đúng tiến độ.\n"
        f"II. NHIỆM VỤ VÀ GIẢI PHÁP\n{items}\n"
        f"III. TỔ CHỨC THỰC HIỆN\n"
        f"1. {lead} chủ trì, phối hợp với {partner} triển khai kế hoạch này.\n"
    )


def write_corpus(folder: Path, n: int, seed: int = 0, start: int = 0) -> list[Path]:
    """``n`` plans as ``kh-NNN.txt`` files in ``folder`` (made if needed), sorted."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        p = folder / f"kh-{i:03d}.txt"
        p.write_text(plan_text(i, seed), "utf-8")
        paths.append(p)
    return paths


def source_graphs(store) -> dict[str, frozenset]:
    """Graph IRI -> its quads, for every per-file graph of the store."""
    import pyoxigraph as ox
    from luocdo.kg import iri

    out: dict[str, set] = {}
    for q in store.backend.quads_for_pattern(None, None, None, None):
        g = q.graph_name
        if isinstance(g, ox.NamedNode) and g.value.startswith(iri.SOURCE_PREFIX):
            out.setdefault(g.value, set()).add(q)
    return {g: frozenset(qs) for g, qs in out.items()}


def dataset_lines(store) -> list[str]:
    """Every quad of the named graphs but the ontology's, as sorted N-Quads lines: the canonical
    content of a store. Asserts first that the default graph is exactly the merge of the named ones."""
    import pyoxigraph as ox
    from luocdo.kg import iri

    onto = ox.NamedNode(iri.ONTOLOGY_GRAPH)
    default, named, lines = set(), set(), []
    for q in store.backend.quads_for_pattern(None, None, None, None):
        if isinstance(q.graph_name, ox.DefaultGraph):
            default.add(q.triple)
            continue
        named.add(q.triple)
        if q.graph_name != onto:
            lines.append(f"{q} .")
    assert default == named, (f"the default graph is not the merge of the named graphs: "
                              f"{len(default - named)} extra, {len(named - default)} missing")
    return sorted(lines)


def dataset_hash(store) -> str:
    """sha256 of :func:`dataset_lines`."""
    return hashlib.sha256("\n".join(dataset_lines(store)).encode("utf-8")).hexdigest()


def open_hash(url: str | os.PathLike[str]) -> str:
    """:func:`dataset_hash` of the on-disk store at ``url`` (opened and closed again)."""
    from luocdo.kg.store import open_store

    with open_store(url, create=False) as store:
        return dataset_hash(store)


def luocdo_command() -> list[str]:
    """The installed console script beside the interpreter, else ``python -m luocdo.kg.cli``."""
    beside = Path(sys.executable).with_name("luocdo")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "luocdo.kg.cli"]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("LUOCDO_STORE", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run ``luocdo ARGS`` to the end, text output captured."""
    return subprocess.run([*luocdo_command(), *args], capture_output=True, text=True, env=environment(),
                          timeout=timeout, **kwargs)


def start(*args: str, **kwargs) -> subprocess.Popen:
    """Start ``luocdo ARGS`` in a session of its own (so that its workers can be signalled with it)."""
    return subprocess.Popen([*luocdo_command(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=environment(), start_new_session=True, **kwargs)


def ingest(store: str | os.PathLike[str], *paths: str | os.PathLike[str]) -> None:
    """``luocdo --store STORE ingest PATHS`` in this process (setting a test up, not the thing tested)."""
    from click.testing import CliRunner
    from luocdo.kg.cli import main

    result = CliRunner().invoke(main, ["--store", str(store), "ingest", *map(str, paths)])
    assert result.exit_code == 0, result.output


def one_line_error(stderr: str) -> str:
    """The single ``luocdo: ...`` line of a failed command; fails the test on a traceback or more lines."""
    assert "Traceback" not in stderr, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("luocdo: "), stderr
    return lines[0]


@pytest.fixture(scope="session")
def faults() -> SimpleNamespace:
    return SimpleNamespace(plan_text=plan_text, write_corpus=write_corpus, source_graphs=source_graphs,
                           dataset_lines=dataset_lines, dataset_hash=dataset_hash, open_hash=open_hash,
                           luocdo_command=luocdo_command, environment=environment, run=run, start=start,
                           ingest=ingest, one_line_error=one_line_error)
