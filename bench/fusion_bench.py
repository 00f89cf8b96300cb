"""Fusion ablation on SciFact: bm25, dense, hybrid by each fusion, and hybrid re-ranked by the answer's judge.

    .venv/bin/python bench/fusion_bench.py --split train --tune          # choose the weight (train claims)
    .venv/bin/python bench/fusion_bench.py --split dev                   # the figures the README reports

Every sentence of the 5,183 abstracts is indexed once (eval/scifact.py, reused from
--index). Measures as eval/scifact.py computes them: sentence recall@10 and MRR@10
against the rationale sentences, document nDCG@10 against the evidence abstracts.

- `--tune`: the weighted fusion over a grid of dense weights, on the split given (use
  train: the weight is chosen there, never on dev);
- `hybrid+judge`: the hybrid ranking's first 20 (the answer's pool) re-ordered by the
  answer's own judge (assistant.judge, the order citations and related passages are
  drawn from), then the rest of the hybrid ranking.

Writes bench/results/fusion-<split>.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant import fusion  # noqa: E402
from assistant.judge import judge  # noqa: E402
from assistant.pool import SIZE, gather  # noqa: E402
from assistant.retrieval import Retriever  # noqa: E402
from eval import scifact  # noqa: E402

log = logging.getLogger("bench.fusion")
RESULTS = ROOT / "bench" / "results"
WORKDIR = Path(tempfile.gettempdir()) / "news-assistant-bench"
KEYS = ["sentence_recall@5", "sentence_recall@10", "sentence_mrr@10", "doc_ndcg@10", "beir_ndcg@10"]


class _Memo:
    """A part of the index whose searches are remembered: each claim is searched once per
    retriever, and every fusion then re-ranks the same candidates."""

    def __init__(self, part) -> None:
        self.part, self.seen = part, {}

    def __getattr__(self, name):
        return getattr(self.part, name)

    def search(self, query, k, allowed=None):
        key = (query.tobytes() if hasattr(query, "tobytes") else query, k)
        if key not in self.seen:
            self.seen[key] = self.part.search(query, k, allowed)
        return self.seen[key]


class _MemoEncoder:
    def __init__(self, encoder) -> None:
        self.encoder, self.seen = encoder, {}
        self.name, self.dimensions = encoder.name, encoder.dimensions

    def encode(self, texts):
        missing = [t for t in texts if t not in self.seen]
        if missing:
            self.seen.update(zip(missing, self.encoder.encode(missing), strict=True))
        return np.stack([self.seen[t] for t in texts])


def memo_retriever(assistant) -> Retriever:
    index = SimpleNamespace(vectors=_Memo(assistant.index.vectors), lexical=_Memo(assistant.index.lexical),
                            db=assistant.index.db)
    return Retriever(index, _MemoEncoder(assistant.encoder), {a.id: a for a in assistant.index.db.articles()})


@dataclass
class Searcher:
    """What scifact.evaluate calls: search(question, k, retriever) with a chosen fusion."""

    retriever: Retriever
    fusion: str
    judged: bool = False

    def search(self, question: str, k: int = 10, *, retriever: str = "hybrid"):
        hits = self.retriever.search(question, k, mode=retriever, fusion=self.fusion)
        if not self.judged:
            return hits
        pool = gather(self.retriever, question, SIZE, mode=retriever)
        _, judged, _ = judge(question, pool.hits, pool.contexts, pool.near)
        first = [j.hit for j in judged]
        seen = {h.sentence.id for h in first}
        return first + [h for h in hits if h.sentence.id not in seen]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=list(scifact.CLAIMS), default="dev")
    parser.add_argument("--index", type=Path, default=WORKDIR / "scifact-index",
                        help="SciFact index folder, built on first use (the one bench/eval_external.py uses)")
    parser.add_argument("--tune", action="store_true", help="weighted fusion over a grid of weights")
    parser.add_argument("--weights", default="0.3,0.4,0.5,0.6,0.7,0.8,0.9")
    parser.add_argument("--no-judge", action="store_true", help="skip hybrid + the answer's judge")
    parser.add_argument("--depth", type=int, default=100)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    abstracts = scifact.load_corpus()
    claims = scifact.load_claims(split=args.split, with_evidence=False)
    assistant = scifact.open_index(args.index, abstracts)
    retriever = memo_retriever(assistant)

    runs: dict[str, tuple[str, str, bool]] = {"bm25": ("bm25", "rrf", False), "dense": ("dense", "rrf", False)}
    runs |= {f"hybrid-{name}": ("hybrid", name, False) for name in list(fusion.FUSIONS)}
    if args.tune:
        for w in (float(x) for x in args.weights.split(",")):
            name = f"weighted@{w:g}"
            fusion.FUSIONS[name] = functools.partial(fusion.weighted, weight=w)
            runs[f"hybrid-{name}"] = ("hybrid", name, False)
            fusion.FUSIONS[f"zscore@{w:g}"] = functools.partial(fusion.zscore, weight=w)
            runs[f"hybrid-zscore@{w:g}"] = ("hybrid", f"zscore@{w:g}", False)
    if not args.no_judge:
        runs[f"hybrid-{fusion.DEFAULT}+judge"] = ("hybrid", fusion.DEFAULT, True)
    results = {}
    for label, (mode, fused, judged) in runs.items():
        figures = scifact.evaluate(Searcher(retriever, fused, judged), claims, abstracts, retriever=mode,
                                   depth=args.depth, progress=False)
        results[label] = {k: figures[k] for k in KEYS} | {"claims": figures["claims"]}
        print(f"{label:24s} " + "  ".join(f"{k} {figures[k]:.4f}" for k in KEYS), flush=True)
    out = RESULTS / f"fusion-{args.split}.json"
    out.write_text(json.dumps({"split": args.split, "default_fusion": fusion.DEFAULT, "weight": fusion.WEIGHT,
                               "runs": results}, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
