#!/usr/bin/env python3
"""Scale benchmarks of luocdo on generated corpora: extraction, ingest, store, trace, queries, vs rdflib.

    python benchmarks/run.py --sizes 1k,10k [--jobs 2] [--work /tmp/luocdo-bench] [--seed 1]

For each size the corpus of ``benchmarks/generate.py`` is made (or reused) under ``--work``, and
this run measures, printing one table (a column per size) and writing ``benchmarks/results.json``:

* extraction throughput through ``luocdo.kg.ingest.extract_many``, one process and ``--jobs N``
  (documents/s, MB/s; above ``--extract-sample`` files an evenly spaced sample is timed);
* ``luocdo ingest --jobs N`` as a subprocess into a new store: wall time, documents/s, quads/s,
  the store's size on disk, and peak RSS (of the largest process, from ``os.wait4``; and of the
  writer and its workers together, sampled from /proc);
* derivation building alone (``build_derivations`` on the ingested store, split into reading the
  records, matching and writing);
* how right the derivations are: precision and recall against the generator's ground truth
  (``manifest.json``: the task each task carries down), and the files derived from their own parent;
* ``luocdo trace`` latency, p50 and p95 over ``--trace-samples`` seeded random tasks: warm and
  in-process (``trace_task`` on an open store), and as a whole CLI call (one subprocess each);
* every query of the library, several times, in a child process that holds the store (a query
  that outlives ``--query-timeout`` is stopped and reported); parameters from the query's header
  example, or, for a document, body or task the generated corpus does not have, one from the store;
* the alternative a user would otherwise pick: the store exported as N-Quads and loaded into
  rdflib's in-memory ``Dataset``, asked a few library queries (their parameters as a ``VALUES``
  block, the same text for both), against the store's dump bulk-loaded into a fresh Oxigraph store;
  each side runs in a process of its own, so ``ru_maxrss`` is its memory. Reported as ratios
  measured in this run (only up to ``--rdflib-max`` documents: rdflib holds ~1 kB per quad).

Nothing here is a test: the numbers depend on the machine (docs/benchmarks.md says which).
Generated corpora and stores stay under ``--work``, outside the repository.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
LEVEL_DIRS = ("1-bo", "2-tinh", "3-huyen", "4-xa", "5-truong")
#: Library queries asked of both rdflib and Oxigraph (each has a parameter to bind).
RDFLIB_QUERIES = ("documents-by-issuer", "cited-by", "tasks-of-body", "trace-task-origin")
LO = "https://w3id.org/luocdo/ontology#"
_P = f"PREFIX lo: <{LO}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


# -- small helpers -----------------------------------------------------------------------------------


def _load_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("luocdo_benchmarks_generate", HERE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _luocdo() -> list[str]:
    """The installed ``luocdo`` script of this interpreter's environment (else ``python -m``)."""
    script = Path(sys.executable).with_name("luocdo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "luocdo.kg.cli"]


def _pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank), so that p95 of 200 samples is the 190th smallest."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, math.ceil(q / 100 * len(s)) - 1))]


def _vmhwm_mb() -> float | None:
    """This process's own peak resident memory (VmHWM: per address space, so not inherited)."""
    try:
        with open("/proc/self/status") as fh:
            return next(int(ln.split()[1]) / 1024 for ln in fh if ln.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return None


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _rss_tree(root: int) -> tuple[int, int]:
    """Resident bytes of ``root`` and every descendant together, and of the largest of them, from
    /proc ((0, 0) where /proc is missing)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0, 0
    page = os.sysconf("SC_PAGE_SIZE")
    for e in entries:
        if not e.isdigit():
            continue
        try:
            with open(f"/proc/{e}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        pid = int(e)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, largest, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        largest = max(largest, rss.get(pid, 0))
        todo.extend(children.get(pid, ()))
    return total, largest


def _run_measured(cmd: list[str], log: Path, env: dict | None = None) -> dict:
    """Run ``cmd`` to its end: wall time, exit code, CPU time, and the peak RSS of its largest
    process and of all its processes together, sampled from /proc every 0.1 s. (Not ``wait4``'s
    ru_maxrss: Linux carries a parent's high-water mark into a forked child, across exec, so every
    child of this process would report at least this process's size.)"""
    with open(log, "wb") as out:
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        peak_tree = peak_one = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_tree, peak_one
            while not done.wait(0.1):
                tree, one = _rss_tree(proc.pid)
                peak_tree, peak_one = max(peak_tree, tree), max(peak_one, one)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - began
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall_s": wall, "returncode": proc.returncode, "peak_rss_mb": peak_one / 2**20,
            "peak_rss_tree_mb": peak_tree / 2**20, "cpu_s": usage.ru_utime + usage.ru_stime}


# -- corpus ------------------------------------------------------------------------------------------


def corpus(work: Path, size: int, seed: int) -> tuple[Path, list[Path], dict]:
    """The generated corpus of ``size`` documents (made once, reused while its manifest matches)."""
    gen = _load_generator()
    out = work / f"corpus-{size}-s{seed}"
    manifest = out / "manifest.json"
    info: dict = {}
    if manifest.exists():
        with open(manifest, encoding="utf-8") as fh:
            head = json.loads(fh.read(400).split(', "documents"', 1)[0] + "}")
        if head.get("size") != size or not (out / ".seed").exists() or (out / ".seed").read_text() != str(seed):
            shutil.rmtree(out)
    if not manifest.exists():
        began = time.perf_counter()
        gen.generate(size, out, seed, force=True)
        (out / ".seed").write_text(str(seed))
        info["generate_s"] = time.perf_counter() - began
    roots = [out / d for d in LEVEL_DIRS if (out / d).is_dir()]  # not manifest.json: it is no document
    files = sorted(p for r in roots for p in r.rglob("*.txt"))
    info["files"] = len(files)
    info["bytes"] = sum(p.stat().st_size for p in files)
    return out, roots, info


# -- extraction ----------------------------------------------------------------------------------------


def extraction(files: list[Path], jobs: int, sample: int) -> dict:
    from luocdo.kg.ingest import extract_many

    if sample and len(files) > sample:
        step = len(files) / sample
        files = [files[int(i * step)] for i in range(sample)]  # every level, in proportion
    size = sum(p.stat().st_size for p in files)
    out = {"files": len(files), "bytes": size}
    for label, n in (("one", 1), ("jobs", jobs)):
        began = time.perf_counter()
        failed = sum(not hasattr(got, "documents") for _p, got in extract_many(files, n))
        took = time.perf_counter() - began
        out[label] = {"jobs": n, "s": took, "docs_per_s": len(files) / took, "mb_per_s": size / 2**20 / took,
                      "failed": failed}
    return out


# -- ingest, derivation, trace ------------------------------------------------------------------------


def ingest(roots: list[Path], store: Path, jobs: int, work: Path) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    log = work / f"{store.name}.ingest.log"
    got = _run_measured([*_luocdo(), "--store", str(store), "ingest", "--jobs", str(jobs), *map(str, roots)], log)
    got["output"] = log.read_text("utf-8", "replace").strip().splitlines()[-1:]
    if got["returncode"] != 0:
        raise SystemExit(f"luocdo ingest failed ({got['returncode']}); see {log}")
    got["store_mb"] = _dir_bytes(store) / 2**20
    return got


def one_more(roots: list[Path], store: Path, jobs: int, work: Path, prefix: str = "9") -> dict:
    """A later ingest of one new file into the ingested store (a school's new plan: a copy of the
    corpus's last school plan, its number prefixed by ``prefix``): what adding a document to a
    large store costs, the derivations included."""
    schools = sorted(p for r in roots for p in r.rglob("*.txt") if "/5-truong/" in p.as_posix())
    if not schools:
        return {"skipped": "no school plan in the corpus"}
    text = schools[-1].read_text("utf-8")
    new, n = re.subn(r"^(Số:\s*)(\d+)/", lambda m: f"{m[1]}{prefix}{m[2]}/", text, count=1, flags=re.M)
    if not n:
        return {"skipped": f"no number line in {schools[-1].name}"}
    extra = work / f"{store.name}.one-more"
    shutil.rmtree(extra, ignore_errors=True)
    extra.mkdir()
    (extra / (prefix + schools[-1].name)).write_text(new, "utf-8")
    log = work / f"{store.name}.one-more.log"
    got = _run_measured([*_luocdo(), "--store", str(store), "ingest", "--jobs", str(jobs), str(extra)], log)
    if got["returncode"] != 0:
        raise SystemExit(f"luocdo ingest of one more file failed ({got['returncode']}); see {log}")
    got["output"] = log.read_text("utf-8", "replace").strip().splitlines()[-1:]
    return got


def derivation(store, jobs: int = 1) -> dict:
    from luocdo.kg import derive, trace

    began = time.perf_counter()
    docs, with_tasks = trace.collect_documents(store), trace.documents_with_tasks(store)
    read = time.perf_counter() - began
    tasks = 0

    def tasks_of(needed):  # as build_derivations does: one province's tasks at a time
        nonlocal tasks
        got = trace.tasks_of(store, needed)
        tasks += len(got)
        return got

    found = derive.derive_streamed(docs, with_tasks, tasks_of, jobs=jobs)
    matched = time.perf_counter() - began - read  # with reading each province's tasks
    began = time.perf_counter()
    n = trace.build_derivations(store, jobs=jobs)  # every province matched again; only what changed is written
    total = time.perf_counter() - began
    return {"build_s": total, "collect_s": read, "derive_s": matched, "write_s": max(0.0, total - read - matched),
            "derivations": n, "documents": len(docs), "tasks_read": tasks,
            # A task read with two titles is two records, matched alike: the store holds one derivation.
            "same": n == len({(x.derived, x.source) for x in found})}


_DERIVED_PAIRS_Q = _P + """
SELECT DISTINCT ?cf ?cn ?pf ?pn WHERE {
  ?t lo:derivedFrom ?p . ?t lo:sourceFile ?cf ; lo:taskNumber ?cn . ?p lo:sourceFile ?pf ; lo:taskNumber ?pn
}"""


def derivation_quality(store, folder: Path) -> dict:
    """The store's derivations against the generator's ground truth (``manifest.json``: each file's
    parent files and, for each task, the number of the task it carries down in its parent).

    A derivation is right when it links a task to the task the generator paraphrased it from
    (precision over the derivations of files in the manifest; recall over the tasks that carry one
    down); a file is placed right when all its derivations point into its parent file.
    """
    with open(folder / "manifest.json", encoding="utf-8") as fh:
        entries = {e["file"]: e for e in json.load(fh)["documents"]}
    truth = {(f, n, pf, pn) for f, e in entries.items() for n, pn in e["tasks"].items() if pn is not None
             for pf in e["parent_files"][:1]}
    root = folder.resolve()

    def rel(path: str) -> str | None:
        try:
            return Path(path).resolve().relative_to(root).as_posix()
        except ValueError:
            return None

    got: set[tuple[str, str, str, str]] = set()
    for cf, cn, pf, pn in store.solutions(_DERIVED_PAIRS_Q):
        child, parent = rel(cf.value), rel(pf.value)
        if child in entries and parent is not None:
            got.add((child, cn.value, parent, pn.value))
    right = len(got & truth)
    parents_of: dict[str, set[str]] = {}
    for child, _cn, parent, _pn in got:
        parents_of.setdefault(child, set()).add(parent)
    placed = sum(1 for f, ps in parents_of.items() if ps <= set(entries[f]["parent_files"]))
    with_parent = sum(1 for e in entries.values() if e["parent_files"])
    return {"derivations": len(got), "right": right, "truth": len(truth),
            "precision": right / len(got) if got else None, "recall": right / len(truth) if truth else None,
            "files_with_parent": with_parent, "files_derived": len(parents_of), "files_placed_right": placed}


def sample_tasks(store, n: int, seed: int) -> list[str]:
    rows = store.query(_P + "SELECT DISTINCT ?t WHERE { ?t lo:taskOf ?d }").rows
    tasks = sorted(r[0].value for r in rows)
    return random.Random(seed).sample(tasks, min(n, len(tasks)))


def trace_in_process(store, tasks: list[str]) -> dict:
    from luocdo.kg.trace import trace_task

    for t in tasks[:20]:  # warm: the store's caches and the registry
        trace_task(store, t)
    times, steps = [], []
    for t in tasks:
        began = time.perf_counter()
        got = trace_task(store, t)
        times.append((time.perf_counter() - began) * 1000)
        steps.append(len(got.chain))
    return {"n": len(times), "p50_ms": _pct(times, 50), "p95_ms": _pct(times, 95), "max_ms": max(times),
            "mean_chain": statistics.fmean(steps) if steps else 0.0}


def trace_cli(store_dir: Path, tasks: list[str]) -> dict:
    cmd = _luocdo()
    startup = []
    for _ in range(5):
        began = time.perf_counter()
        subprocess.run([*cmd, "--help"], capture_output=True, check=True)
        startup.append((time.perf_counter() - began) * 1000)
    times, failed = [], 0
    for t in tasks:
        began = time.perf_counter()
        done = subprocess.run([*cmd, "--store", str(store_dir), "trace", t], capture_output=True)
        times.append((time.perf_counter() - began) * 1000)
        failed += done.returncode != 0
    return {"n": len(times), "p50_ms": _pct(times, 50), "p95_ms": _pct(times, 95), "failed": failed,
            "startup_ms": statistics.median(startup)}


# -- queries ---------------------------------------------------------------------------------------------


def _term_json(term) -> list:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return ["iri", term.value]
    return ["literal", term.value, term.datatype.value if term.datatype else None, term.language]


def _ox_term(spec: list):
    import pyoxigraph as ox

    if spec[0] == "iri":
        return ox.NamedNode(spec[1])
    if spec[3]:
        return ox.Literal(spec[1], language=spec[3])
    return ox.Literal(spec[1], datatype=ox.NamedNode(spec[2])) if spec[2] else ox.Literal(spec[1])


def query_plan(store, task: str) -> list[dict]:
    """Each library query with its bindings: header examples, or values from the store when an
    example names a document, body or task the generated corpus does not hold."""
    from luocdo.kg.errors import LuocdoError
    from luocdo.kg.params import bind
    from luocdo.queries import load, names

    row = store.query(_P + "SELECT ?task ?doc ?body WHERE { ?task lo:taskOf ?doc . ?doc lo:issuedBy ?body } LIMIT 1",
                      {"task": __import__("pyoxigraph").NamedNode(task)}).rows
    # The document: the one most cited (cited-by from a school plan, cited by nothing, says little).
    cited = store.query(_P + "SELECT ?d (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c lo:cites ?d . ?d lo:sourceFile ?f } "
                             "GROUP BY ?d ORDER BY DESC(?n) ?d LIMIT 1").rows
    doc = cited[0][0].value if cited else (row[0][1].value if row else None)
    from_store = {"task": task, "doc": doc, "body": row[0][2].value if row else None}
    plan = []
    for name in names():
        q = load(name)
        # Optional parameters stay unbound (the query's "all" reading); required ones get a value.
        wanted = {p.name: p for p in q.params if p.name not in q.optional}
        values, source = {p.name: p.example for p in wanted.values() if p.example is not None}, "header example"
        entry = {"name": name, "text": q.text}
        try:
            bindings = bind(store, q, values)
        except LuocdoError:
            values = {n: (from_store.get(p.type) or p.example) for n, p in wanted.items()}
            source = "from the store"
            try:
                bindings = bind(store, q, values)
            except LuocdoError as e:
                plan.append({**entry, "skipped": f"no value for its parameters ({e})"})
                continue
        plan.append({**entry, "params": source if wanted else "none", "values": values,
                     "bindings": {k: _term_json(v) for k, v in bindings.items()}})
    return plan


def _child_queries(store_dir: str, plan_file: str, repeats: int) -> None:
    """Child process: run each planned query ``repeats`` times after one warm-up, a JSON line each."""
    from luocdo.kg.store import Store

    plan = json.loads(Path(plan_file).read_text("utf-8"))
    with Store.open(store_dir, create=False) as store:
        for entry in plan:
            bindings = {k: _ox_term(v) for k, v in entry["bindings"].items()}
            print(json.dumps({"name": entry["name"], "started": True}), flush=True)
            began = time.perf_counter()
            rows = len(store.query(entry["text"], bindings).rows)
            first = (time.perf_counter() - began) * 1000
            times = []
            for _ in range(repeats if first < 5000 else 1):  # a slow query is timed once more only
                began = time.perf_counter()
                store.query(entry["text"], bindings)
                times.append((time.perf_counter() - began) * 1000)
            print(json.dumps({"name": entry["name"], "rows": rows, "first_ms": first,
                              "median_ms": statistics.median(times), "min_ms": min(times)}), flush=True)


def queries(store_dir: Path, plan: list[dict], repeats: int, timeout: float, work: Path) -> list[dict]:
    """The library's queries in a child process; one that takes longer than ``timeout`` is stopped."""
    out = [{"name": e["name"], "skipped": e["skipped"]} for e in plan if "skipped" in e]
    todo = [e for e in plan if "skipped" not in e]
    while todo:
        plan_file = work / "queries.plan.json"
        plan_file.write_text(json.dumps(todo), "utf-8")
        proc = subprocess.Popen([sys.executable, __file__, "--child", "queries", "--store-dir", str(store_dir),
                                 "--plan", str(plan_file), "--query-repeats", str(repeats)],
                                stdout=subprocess.PIPE, text=True)
        done: set[str] = set()
        running, deadline = None, None
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([proc.stdout], [], [], wait)
            if not ready:  # the running query is over its time: stop it, go on with the next
                proc.kill()
                proc.wait()
                out.append({"name": running, "timeout_s": timeout})
                done.add(running)
                break
            line = proc.stdout.readline()
            if not line:
                proc.wait()
                break
            got = json.loads(line)
            if got.get("started"):
                running, deadline = got["name"], time.monotonic() + timeout
                continue
            entry = next(e for e in todo if e["name"] == got["name"])
            out.append({**got, "params": entry["params"], "values": entry["values"]})
            done.add(got["name"])
            deadline = None
        if proc.returncode not in (0, -signal.SIGKILL) and not done:
            raise SystemExit("the query child failed")
        todo = [e for e in todo if e["name"] not in done]
    order = [e["name"] for e in plan]
    return sorted(out, key=lambda r: order.index(r["name"]))


# -- rdflib -------------------------------------------------------------------------------------------------


def _child_load(engine: str, nq: str, plan_file: str, repeats: int, timeout: float, tmp: str) -> None:
    """Child process, one JSON object printed; its own ru_maxrss is the memory the parent reports.

    ``rdflib``: parse ``nq`` into an in-memory Dataset (load time), then run the planned queries.
    ``oxigraph-load``: bulk-load the store's dump into a new on-disk store at ``tmp`` (load time).
    ``oxigraph``: open that store and run the planned queries (its memory is what answering costs:
    an rdflib user holds the whole graph in memory, a luocdo user opens the store on disk).
    """
    plan = json.loads(Path(plan_file).read_text("utf-8"))
    out: dict = {"engine": engine, "queries": {}}
    began = time.perf_counter()
    if engine in ("oxigraph-load", "oxigraph-load-merge"):
        import pyoxigraph as ox

        # The store as luocdo keeps it: the named graphs and, in the default graph, their merge
        # (what queries run on; Oxigraph's union default graph would repeat each triple per file).
        # "-merge": the default graph alone, what a store without a graph per file would hold.
        store = ox.Store(tmp)
        if engine == "oxigraph-load":
            store.bulk_load(path=nq.replace(".nq", ".full.nq"), format=ox.RdfFormat.N_QUADS)
        else:
            store.bulk_load(path=nq.replace(".nq", ".merge.nt"), format=ox.RdfFormat.N_TRIPLES)
        store.flush()
        out["load_s"] = time.perf_counter() - began
        out["quads"] = sum(1 for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
        out["quads_with_merge"] = len(store)
        out["vmhwm_mb"] = _vmhwm_mb()
        print(json.dumps(out), flush=True)
        return
    if engine == "rdflib":
        from rdflib import Dataset

        ds = Dataset(default_union=True)
        ds.parse(nq, format="nquads")
        out["load_s"] = time.perf_counter() - began
        out["quads"] = sum(1 for _ in ds.quads((None, None, None, None)))
        out["triples"] = len(ds)  # the union, each triple once

        def run(entry):
            return len(list(ds.query(entry["text"])))  # its parameters are in the text, as VALUES
    else:
        import pyoxigraph as ox

        store = ox.Store(tmp)
        out["open_s"] = time.perf_counter() - began

        def run(entry):
            return len(list(store.query(entry["text"])))

    def alarm(signum, frame):
        raise TimeoutError

    signal.signal(signal.SIGALRM, alarm)
    for entry in plan:
        times, rows = [], None
        try:
            for _ in range(1 + repeats):
                signal.setitimer(signal.ITIMER_REAL, timeout)
                began = time.perf_counter()
                rows = run(entry)
                times.append((time.perf_counter() - began) * 1000)
                signal.setitimer(signal.ITIMER_REAL, 0)
            out["queries"][entry["name"]] = {"rows": rows, "median_ms": statistics.median(times[1:] or times)}
        except TimeoutError:
            out["queries"][entry["name"]] = {"timeout_s": timeout}
    out["vmhwm_mb"] = _vmhwm_mb()
    print(json.dumps(out), flush=True)


def versus_rdflib(store, store_dir: Path, plan: list[dict], repeats: int, timeout: float, work: Path) -> dict:
    import pyoxigraph as ox

    nq = work / f"{store_dir.name}.nq"  # rdflib: the named graphs (its Dataset merges them itself)
    began = time.perf_counter()
    store.export("nq", nq)
    export_s = time.perf_counter() - began
    full = work / f"{store_dir.name}.full.nq"  # Oxigraph: the store's quads, the merge included
    store.backend.dump(str(full), format=ox.RdfFormat.N_QUADS)
    merge = work / f"{store_dir.name}.merge.nt"  # the default graph alone
    store.backend.dump(str(merge), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    from luocdo.kg.remote import with_values

    # The same text for both: bindings as a VALUES block of terms (rdflib's initBindings does not
    # reach into a subquery, so cited-by bound that way answered every document's citers).
    chosen = [{"name": e["name"], "text": with_values(e["text"], {k: _ox_term(v) for k, v in e["bindings"].items()})}
              for e in plan if e["name"] in RDFLIB_QUERIES and "bindings" in e]
    plan_file = work / "rdflib.plan.json"
    plan_file.write_text(json.dumps(chosen), "utf-8")
    sides = {}
    tmp = work / f"{store_dir.name}.reload"
    shutil.rmtree(tmp, ignore_errors=True)
    for engine in ("oxigraph-load-merge", "oxigraph-load", "oxigraph", "rdflib"):
        if engine == "oxigraph-load":  # the merge's store is not the one the queries open
            shutil.rmtree(tmp, ignore_errors=True)
        log = work / f"{store_dir.name}.{engine}.json"
        got = _run_measured([sys.executable, __file__, "--child", engine, "--nq", str(nq), "--plan", str(plan_file),
                             "--query-repeats", str(repeats), "--query-timeout", str(timeout),
                             "--store-dir", str(tmp)], log)
        if got["returncode"] != 0:
            raise SystemExit(f"the {engine} child failed; see {log}")
        child = json.loads(log.read_text("utf-8").strip().splitlines()[-1])
        sides[engine] = {**child, "peak_rss_mb": child.get("vmhwm_mb") or got["peak_rss_mb"]}
    shutil.rmtree(tmp, ignore_errors=True)
    sides["oxigraph"].update(load_s=sides["oxigraph-load"]["load_s"], quads=sides["oxigraph-load"]["quads"],
                             load_peak_rss_mb=sides["oxigraph-load"]["peak_rss_mb"],
                             lines=sides["oxigraph-load"]["quads_with_merge"],
                             merge_lines=sides["oxigraph-load-merge"]["quads_with_merge"],
                             merge_load_s=sides["oxigraph-load-merge"]["load_s"])
    nq_mb = nq.stat().st_size / 2**20
    nq.unlink()
    full.unlink()
    merge.unlink()
    ox_side, rl = sides["oxigraph"], sides["rdflib"]
    per_query = {}
    for name, r in rl["queries"].items():
        o = ox_side["queries"].get(name, {})
        if "median_ms" in o:
            rl_ms = r.get("median_ms", r.get("timeout_s", 0) * 1000)
            per_query[name] = {"rdflib_ms": rl_ms, "oxigraph_ms": o["median_ms"],
                               "rdflib_timeout": "timeout_s" in r, "ratio": rl_ms / max(o["median_ms"], 1e-3),
                               "rows": [r.get("rows"), o.get("rows")]}
    ratios = [q["ratio"] for q in per_query.values()]
    return {"nq_mb": nq_mb, "export_s": export_s, "oxigraph": ox_side, "rdflib": rl, "queries": per_query,
            "load_ratio": rl["load_s"] / ox_side["load_s"],
            "query_ratio_geomean": statistics.geometric_mean(ratios) if ratios else None,
            "query_ratio_min": min(ratios) if ratios else None,
            "memory_ratio": rl["peak_rss_mb"] / ox_side["peak_rss_mb"]}


# -- the run ------------------------------------------------------------------------------------------------


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        with open("/proc/cpuinfo") as fh:
            info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), None)
        with open("/proc/meminfo") as fh:
            info["mem_total_gb"] = int(fh.readline().split()[1]) / 2**20
        info["loadavg_at_start"] = os.getloadavg()
    except OSError:
        pass
    from importlib.metadata import version

    for pkg in ("pyoxigraph", "rdflib", "luocdo"):
        try:
            info[pkg] = version(pkg)
        except Exception:  # a missing package is just not reported
            info[pkg] = None
    return info


def bench_size(size: int, args: argparse.Namespace, work: Path) -> dict:
    from luocdo.kg.store import Store

    label = f"{size // 1000}k" if size % 1000 == 0 else str(size)
    out: dict = {"size": size, "label": label}

    def say(msg: str) -> None:
        print(f"[{label}] {msg}", file=sys.stderr, flush=True)

    say("corpus")
    folder, roots, out["corpus"] = corpus(work, size, args.seed)
    files = sorted(p for r in roots for p in r.rglob("*.txt"))
    say(f"extraction ({len(files)} files)")
    out["extract"] = extraction(files, args.jobs, args.extract_sample)
    store_dir = work / f"store-{label}-s{args.seed}"
    say("ingest")
    out["ingest"] = ing = ingest(roots, store_dir, args.jobs, work)
    with Store.open(store_dir, create=False) as store:
        ing["quads"] = store.quad_count()
        ing["docs_per_s"] = len(files) / ing["wall_s"]
        ing["quads_per_s"] = ing["quads"] / ing["wall_s"]
        say("derivation")
        out["derivation"] = derivation(store, args.jobs)
        out["derivation"]["quality"] = derivation_quality(store, folder)
        tasks = sample_tasks(store, args.trace_samples, args.seed)
        say(f"trace in-process ({len(tasks)} tasks)")
        out["trace"] = trace_in_process(store, tasks)
        plan = query_plan(store, tasks[0])
        if size <= args.rdflib_max:
            say("rdflib vs oxigraph")
            out["rdflib"] = versus_rdflib(store, store_dir, plan, args.query_repeats, args.query_timeout, work)
    say("queries")
    out["queries"] = queries(store_dir, plan, args.query_repeats, args.query_timeout, work)
    say(f"trace CLI ({min(len(tasks), args.cli_samples)} calls)")
    out["trace_cli"] = trace_cli(store_dir, tasks[:args.cli_samples])
    say("ingest of one more file")  # last: every figure above is the corpus's own
    out["one_more"] = one_more(roots, store_dir, args.jobs, work)
    if not args.keep_stores:
        shutil.rmtree(store_dir, ignore_errors=True)
        shutil.rmtree(work / f"{store_dir.name}.one-more", ignore_errors=True)
    return out


def _fmt(v, spec: str = ".1f") -> str:
    return "-" if v is None else format(v, spec)


def floor_s(r: dict, merge_only: bool = False) -> float:
    """A lower bound on an ingest's wall time measured in this run: the files extracted with
    ``--jobs N`` processes, then their lines bulk-loaded (all of them, or the default graph's merge
    alone), each stage with the machine to itself. In an ingest the two share the cores, and the
    derivations and the writer's own work come on top.

    >>> floor_s({"corpus": {"files": 100}, "extract": {"jobs": {"docs_per_s": 50.0}},
    ...          "rdflib": {"oxigraph": {"load_s": 3.0, "merge_load_s": 1.0}}}, merge_only=True)
    3.0
    """
    ox_side = r["rdflib"]["oxigraph"]
    return r["corpus"]["files"] / r["extract"]["jobs"]["docs_per_s"] + \
        (ox_side["merge_load_s"] if merge_only else ox_side["load_s"])


def table(results: list[dict]) -> list[str]:
    """The table: one row per figure, one column per size."""
    rows: list[tuple[str, list[str]]] = []

    def row(name: str, get) -> None:
        cells = []
        for r in results:
            try:
                cells.append(get(r))
            except (KeyError, TypeError, IndexError):
                cells.append("-")
        rows.append((name, cells))

    mb = 2**20
    row("documents", lambda r: str(r["corpus"]["files"]))
    row("corpus MB", lambda r: _fmt(r["corpus"]["bytes"] / mb))
    row("extract, 1 process: docs/s", lambda r: _fmt(r["extract"]["one"]["docs_per_s"], ".0f"))
    row("extract, 1 process: MB/s", lambda r: _fmt(r["extract"]["one"]["mb_per_s"], ".2f"))
    row("extract, --jobs N: docs/s", lambda r: _fmt(r["extract"]["jobs"]["docs_per_s"], ".0f"))
    row("extract, --jobs N: MB/s", lambda r: _fmt(r["extract"]["jobs"]["mb_per_s"], ".2f"))
    row("extract: files timed", lambda r: str(r["extract"]["files"]))
    row("ingest --jobs N: wall s", lambda r: _fmt(r["ingest"]["wall_s"]))
    row("ingest: docs/s", lambda r: _fmt(r["ingest"]["docs_per_s"], ".0f"))
    row("ingest: quads/s", lambda r: _fmt(r["ingest"]["quads_per_s"], ".0f"))
    row("ingest: CPU s (all processes)", lambda r: _fmt(r["ingest"]["cpu_s"]))
    row("quads", lambda r: str(r["ingest"]["quads"]))
    row("store on disk MB", lambda r: _fmt(r["ingest"]["store_mb"]))
    row("ingest peak RSS, largest process MB", lambda r: _fmt(r["ingest"]["peak_rss_mb"], ".0f"))
    row("ingest peak RSS, all processes MB", lambda r: _fmt(r["ingest"]["peak_rss_tree_mb"], ".0f"))
    row("ingest 1 more file: wall s", lambda r: _fmt(r["one_more"]["wall_s"], ".1f"))
    row("ingest 1 more file: peak RSS MB", lambda r: _fmt(r["one_more"]["peak_rss_tree_mb"], ".0f"))
    row("derivations", lambda r: str(r["derivation"]["derivations"]))
    row("build_derivations s", lambda r: _fmt(r["derivation"]["build_s"], ".2f"))
    row("  read records s", lambda r: _fmt(r["derivation"]["collect_s"], ".2f"))
    row("  match (derive) s", lambda r: _fmt(r["derivation"]["derive_s"], ".2f"))
    row("derivations vs ground truth: precision", lambda r: _fmt(r["derivation"]["quality"]["precision"], ".3f"))
    row("derivations vs ground truth: recall", lambda r: _fmt(r["derivation"]["quality"]["recall"], ".3f"))
    row("files derived from their own parent", lambda r: "{files_placed_right}/{files_with_parent}".format(
        **r["derivation"]["quality"]))
    row("trace in-process p50 ms", lambda r: _fmt(r["trace"]["p50_ms"], ".2f"))
    row("trace in-process p95 ms", lambda r: _fmt(r["trace"]["p95_ms"], ".2f"))
    row("trace CLI p50 ms", lambda r: _fmt(r["trace_cli"]["p50_ms"], ".0f"))
    row("trace CLI p95 ms", lambda r: _fmt(r["trace_cli"]["p95_ms"], ".0f"))
    row("CLI start-up (luocdo --help) ms", lambda r: _fmt(r["trace_cli"]["startup_ms"], ".0f"))
    names = [q["name"] for q in results[0].get("queries", [])] if results else []
    for name in names:
        def cell(r, name=name):
            q = next(q for q in r["queries"] if q["name"] == name)
            if "skipped" in q:
                return "skipped"
            if "timeout_s" in q:
                return f">{q['timeout_s']:.0f}000"
            return f"{q['median_ms']:.1f} ({q['rows']})"
        row(f"query {name} ms (rows)", cell)
    row("rdflib: N-Quads MB", lambda r: _fmt(r["rdflib"]["nq_mb"]))
    row("rdflib load s / oxigraph load s", lambda r: f"{r['rdflib']['rdflib']['load_s']:.1f} / "
                                                    f"{r['rdflib']['oxigraph']['load_s']:.1f}")
    row("  load ratio (x faster)", lambda r: _fmt(r["rdflib"]["load_ratio"]))
    row("  query ratio, geomean (min)", lambda r: f"{r['rdflib']['query_ratio_geomean']:.0f} "
                                                  f"({r['rdflib']['query_ratio_min']:.0f})")
    row("  memory to answer MB: rdflib / oxigraph", lambda r: f"{r['rdflib']['rdflib']['peak_rss_mb']:.0f} / "
                                                              f"{r['rdflib']['oxigraph']['peak_rss_mb']:.0f}")
    row("  oxigraph bulk load peak RSS MB", lambda r: _fmt(r["rdflib"]["oxigraph"]["load_peak_rss_mb"], ".0f"))
    row("  memory ratio (x less)", lambda r: _fmt(r["rdflib"]["memory_ratio"]))
    row("floor: store lines (graphs + merge)", lambda r: str(r["rdflib"]["oxigraph"]["lines"]))
    row("floor: bulk load, all lines s", lambda r: _fmt(r["rdflib"]["oxigraph"]["load_s"]))
    row("floor: bulk load, merge alone s (lines)", lambda r: f"{r['rdflib']['oxigraph']['merge_load_s']:.1f} "
                                                           f"({r['rdflib']['oxigraph']['merge_lines']})")
    row("floor: extract --jobs N + bulk load s", lambda r: _fmt(floor_s(r)))
    row("floor: same, merge alone s", lambda r: _fmt(floor_s(r, merge_only=True)))
    width = max(len(n) for n, _ in rows)
    cols = [max(len(r["label"]), *(len(c[i]) for _n, c in rows)) for i, r in enumerate(results)]
    head = " | ".join(r["label"].rjust(w) for r, w in zip(results, cols, strict=True))
    lines = ["| " + "figure".ljust(width) + " | " + head + " |",
             "|" + "-" * (width + 2) + "|" + "|".join("-" * (w + 1) + ":" for w in cols) + "|"]
    lines += ["| " + n.ljust(width) + " | " + " | ".join(c.rjust(w) for c, w in zip(cells, cols, strict=True)) + " |"
              for n, cells in rows]
    return lines


def notes(results: list[dict]) -> list[str]:
    """What the table cannot say in a cell: skipped and stopped queries, where the parameters came from."""
    out = []
    for r in results:
        for q in r.get("queries", []):
            if "skipped" in q:
                out.append(f"[{r['label']}] query {q['name']}: skipped, {q['skipped']}")
            elif "timeout_s" in q:
                out.append(f"[{r['label']}] query {q['name']}: stopped after {q['timeout_s']:.0f} s")
            elif q.get("params") == "from the store":
                out.append(f"[{r['label']}] query {q['name']}: parameters from the store "
                           f"(the header example is not in the generated corpus): {q['values']}")
        for name, q in r.get("rdflib", {}).get("queries", {}).items():
            if q["rdflib_timeout"]:
                out.append(f"[{r['label']}] rdflib {name}: stopped after {q['rdflib_ms'] / 1000:.0f} s "
                           "(its ratio is a lower bound)")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1k,10k", help="comma-separated sizes: N, Nk (default 1k,10k)")
    ap.add_argument("--jobs", type=int, default=2, help="extraction processes for --jobs figures (default 2)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/luocdo-bench"),
                    help="where corpora and stores go (outside the repository)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trace-samples", type=int, default=200, help="random tasks traced in-process")
    ap.add_argument("--cli-samples", type=int, default=200, help="of those, traced as a CLI call each")
    ap.add_argument("--query-repeats", type=int, default=3)
    ap.add_argument("--query-timeout", type=float, default=30.0, help="seconds before a query is stopped")
    ap.add_argument("--extract-sample", type=int, default=10_000,
                    help="time extraction on at most this many files, evenly spaced (0: all)")
    ap.add_argument("--rdflib-max", default="10k", help="compare with rdflib up to this size (default 10k)")
    ap.add_argument("--results", type=Path, default=RESULTS, help="JSON results (default benchmarks/results.json)")
    ap.add_argument("--keep-stores", action="store_true", help="leave the stores in --work")
    ap.add_argument("--child", choices=["queries", "rdflib", "oxigraph", "oxigraph-load", "oxigraph-load-merge"],
                    help=argparse.SUPPRESS)
    ap.add_argument("--store-dir", help=argparse.SUPPRESS)
    ap.add_argument("--plan", help=argparse.SUPPRESS)
    ap.add_argument("--nq", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child == "queries":
        _child_queries(args.store_dir, args.plan, args.query_repeats)
        return 0
    if args.child:
        _child_load(args.child, args.nq, args.plan, args.query_repeats, args.query_timeout, args.store_dir)
        return 0
    gen = _load_generator()
    try:
        sizes = [gen.parse_size(s) for s in args.sizes.split(",") if s.strip()]
        args.rdflib_max = gen.parse_size(args.rdflib_max)
    except ValueError as e:
        ap.error(str(e))
    work = args.work.expanduser().resolve()
    repo = HERE.parent.resolve()
    if work == repo or repo in work.parents:
        ap.error(f"--work {work} is inside the repository: generated data must stay out of it")
    work.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
              "jobs": args.jobs, "seed": args.seed, "sizes": []}
    for size in sizes:
        report["sizes"].append(bench_size(size, args, work))
        args.results.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", "utf-8")
    m = report["machine"]
    print(f"luocdo benchmarks: {m.get('cpu')}, {m['nproc']} cores, {m.get('mem_total_gb', 0):.0f} GB; "
          f"Python {m['python']}, pyoxigraph {m['pyoxigraph']}, rdflib {m['rdflib']}; --jobs {args.jobs}, "
          f"seed {args.seed}; load average at start {', '.join(f'{x:.1f}' for x in m.get('loadavg_at_start', ()))}")
    print("\n".join(table(report["sizes"])))
    for line in notes(report["sizes"]):
        print(line)
    if len(sizes) > 1:
        a, b = report["sizes"][-2], report["sizes"][-1]
        grow = b["ingest"]["wall_s"] / a["ingest"]["wall_s"]
        print(f"ingest time grows {grow:.1f}x from {a['label']} to {b['label']} "
              f"({b['size'] / a['size']:.0f}x the documents)")
    print(f"results: {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
