"""External benchmarks: SciFact retrieval (bm25, dense, hybrid) and FNC-1 stance.

    .venv/bin/python bench/eval_external.py                     # both, data in ../shared/data
    .venv/bin/python bench/eval_external.py --only scifact --retriever bm25
    .venv/bin/python bench/eval_external.py --data /path/to/data --report out/external

SciFact: every sentence of the 5,183 abstracts is indexed once (reused from --workdir on
later runs); for each dev claim with evidence: sentence recall@5/@10, MRR@10 against the
rationale sentences and document nDCG@10 (BEIR's measure). FNC-1: the related pairs of
the competition test set, stance per class (precision, recall, F1). Prints the figures
and the time each part took; skips, saying why, when the data is absent.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import fnc1, scifact  # noqa: E402
from eval.data import DataMissing, data_root  # noqa: E402
from eval.report import text_table, write_external_report  # noqa: E402

log = logging.getLogger("bench.eval_external")

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "news-assistant-bench"


def run_scifact(args: argparse.Namespace, progress: bool) -> dict:
    """Index SciFact (or reuse the index) and score each retriever."""
    started = time.perf_counter()
    abstracts = scifact.load_corpus(args.data, limit=args.scifact_docs)
    claims = scifact.load_claims(args.data, split="dev", with_evidence=False)
    if args.scifact_docs:
        indexed = {a.doc_id for a in abstracts}
        claims = [c for c in claims if set(c.evidence) <= indexed and set(c.cited) <= indexed]
    if args.scifact_claims:
        claims = claims[:args.scifact_claims]
    load_seconds = time.perf_counter() - started
    t0 = time.perf_counter()
    suffix = f"-{args.scifact_docs}" if args.scifact_docs else ""
    assistant = scifact.open_index(args.workdir / f"scifact-index{suffix}", abstracts, data=args.data,
                                   progress=progress, rebuild=args.rebuild)
    index_seconds = time.perf_counter() - t0
    manifest = assistant.index.manifest
    print(f"SciFact: {len(abstracts)} abstracts, {manifest.sentences} sentences indexed in {index_seconds:.1f} s "
          f"(load {load_seconds:.1f} s); {len(claims)} dev claims, {sum(bool(c.evidence) for c in claims)} "
          "with evidence", flush=True)
    runs = {}
    for retriever in args.retriever:
        runs[retriever] = scifact.evaluate(assistant, claims, abstracts, retriever=retriever,
                                           depth=args.depth, progress=progress)
        r = runs[retriever]
        print(f"  {retriever}: recall@10 {r['sentence_recall@10']:.3f}, MRR@10 {r['sentence_mrr@10']:.3f}, "
              f"nDCG@10 {r['doc_ndcg@10']:.3f}, BEIR nDCG@10 {r['beir_ndcg@10']:.3f} ({r['seconds']:.1f} s)",
              flush=True)
    keys = ["sentence_recall@5", "sentence_recall@10", "sentence_mrr@10", "doc_ndcg@10", "beir_ndcg@10",
            "doc_recall@100", "latency_ms_p50", "seconds"]
    print(text_table(["retriever"] + keys, [[n] + [r[k] for k in keys] for n, r in runs.items()]))
    return {"documents": len(abstracts), "sentences": manifest.sentences, "claims": len(claims),
            "claims_with_evidence": sum(bool(c.evidence) for c in claims),
            "rationale_sentences": sum(len(c.rationale_units()) for c in claims),
            "index_seconds": round(index_seconds, 2), "retrievers": runs}


def run_fnc1(args: argparse.Namespace, progress: bool) -> dict:
    """Score the stance of every related pair (or a sample of --fnc1-pairs)."""
    stance, batch = fnc1.load_stance()
    bodies = fnc1.load_bodies(args.data)
    pairs = fnc1.load_pairs(args.data, related_only=True, bodies=args.fnc1_bodies, limit=args.fnc1_pairs)
    fitted = fnc1.stance_model_note()
    print(f"FNC-1: {len(pairs)} related pairs ({args.fnc1_bodies} Body IDs) over "
          f"{len({p.body_id for p in pairs})} bodies" + (f"; stance model fitted on: {fitted}" if fitted else ""),
          flush=True)
    figures = fnc1.evaluate(pairs, bodies, stance=stance, batch=batch, progress=progress)
    figures["bodies"] = args.fnc1_bodies
    figures["stance_model_fitted_on"] = fitted
    rows = [[c, v["precision"], v["recall"], v["f1"], v["support"]] for c, v in figures["classes"].items()]
    print(text_table(["stance", "precision", "recall", "F1", "support"], rows))
    print(f"  accuracy {figures['accuracy']:.3f}, macro F1 {figures['macro_f1']:.3f}, "
          f"{figures['seconds']:.1f} s ({figures['ms_per_pair']:.1f} ms per pair); predicted {figures['predicted']}")
    return figures


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None,
                        help=f"folder holding scifact/ and fnc1/ (default {data_root()})")
    parser.add_argument("--only", choices=("scifact", "fnc1"), help="run one benchmark")
    parser.add_argument("--retriever", default="bm25,dense,hybrid",
                        help="SciFact retrievers, comma-separated (default bm25,dense,hybrid)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where the SciFact index is built and kept (default {DEFAULT_WORKDIR})")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the SciFact index")
    parser.add_argument("--depth", type=int, default=100, help="sentences retrieved per claim (default 100)")
    parser.add_argument("--scifact-docs", type=int, help="index only the first N abstracts (a quick run)")
    parser.add_argument("--scifact-claims", type=int, help="score only the first N claims")
    parser.add_argument("--fnc1-pairs", type=int, help="score a fixed random sample of N related pairs")
    parser.add_argument("--fnc1-bodies", choices=("odd", "even", "all"), default="odd",
                        help="pairs whose Body ID is odd (default: the half the stance model was not "
                             "fitted on), even, or all")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write all figures to FILE as JSON")
    parser.add_argument("--report", type=Path, metavar="DIR", help="write external.md, JSON and plots to DIR")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    args.retriever = [r.strip() for r in args.retriever.split(",") if r.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    progress = not args.no_progress and sys.stderr.isatty()
    results: dict = {"data": str(data_root(args.data))}
    started = time.perf_counter()
    for name, runner in (("scifact", run_scifact), ("fnc1", run_fnc1)):
        if args.only and args.only != name:
            continue
        t0 = time.perf_counter()
        try:
            results[name] = runner(args, progress)
        except DataMissing as exc:
            print(f"{name}: skipped: {exc}", flush=True)
            results[name] = {"skipped": str(exc)}
            continue
        except ImportError as exc:
            print(f"{name}: skipped: {exc}", flush=True)
            results[name] = {"skipped": str(exc)}
            continue
        results[name]["total_seconds"] = round(time.perf_counter() - t0, 2)
        print(f"{name}: done in {results[name]['total_seconds']:.1f} s\n", flush=True)
    results["total_seconds"] = round(time.perf_counter() - started, 2)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"figures: {args.json}")
    if args.report:
        ran = {k: v for k, v in results.items() if isinstance(v, dict) and "skipped" not in v}
        paths = write_external_report(args.report, ran)
        print("report: " + ", ".join(map(str, paths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
