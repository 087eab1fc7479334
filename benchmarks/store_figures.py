"""Figures of a store that is already ingested, without ingesting it again.

    python benchmarks/store_figures.py --store /tmp/luocdo-bench/store-100k-s1 [--trace-samples 200]
        [--cli-samples 200] [--corpus CORPUS] [--one-more CORPUS --work DIR [--prefix 8]]

A national-scale ingest takes most of an hour; its trace latencies, and what a later ingest of
one more file costs, are measured here on the store it left (``make bench BENCH_FLAGS=--keep-stores``)
by the very functions of ``benchmarks/run.py``; with ``--corpus`` (the generated corpus the store
was ingested from) also the derivations against its ground truth. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

RUN = Path(__file__).resolve().with_name("run.py")


def _runner():
    spec = importlib.util.spec_from_file_location("luocdo_benchmarks_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True, help="an ingested store directory")
    ap.add_argument("--trace-samples", type=int, default=200)
    ap.add_argument("--cli-samples", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", type=Path, help="the store's generated corpus: score the derivations against it")
    ap.add_argument("--one-more", type=Path, help="the store's corpus: ingest one more school plan into the store")
    ap.add_argument("--work", type=Path, help="where the one more file and its log go (with --one-more)")
    ap.add_argument("--prefix", default="8", help="put before the copied plan's number (a new one each time)")
    args = ap.parse_args(argv)
    if not (args.store / "CURRENT").exists():
        ap.error(f"{args.store}: not a store directory")
    if args.corpus and not (args.corpus / "manifest.json").exists():
        ap.error(f"{args.corpus}: no manifest.json (not a generated corpus)")
    run = _runner()
    from luocdo.kg.store import Store

    out: dict = {"store": str(args.store), "store_mb": run._dir_bytes(args.store) / 2**20}
    with Store.open(args.store, create=False) as store:
        out["quads"] = store.quad_count()
        tasks = run.sample_tasks(store, args.trace_samples, args.seed)
        out["trace"] = run.trace_in_process(store, tasks)
        if args.corpus:
            out["derivation_quality"] = run.derivation_quality(store, args.corpus)
    out["trace_cli"] = run.trace_cli(args.store, tasks[:args.cli_samples])
    if args.one_more:
        if args.work is None:
            ap.error("--one-more needs --work")
        roots = [args.one_more / d for d in run.LEVEL_DIRS if (args.one_more / d).is_dir()]
        out["one_more"] = run.one_more(roots, args.store, 2, args.work, args.prefix)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
