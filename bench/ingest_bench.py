"""Ingest and query benchmark on the FNC-1 news bodies (about 2,600 real articles).

Reports ingest throughput (sentences/s, model load excluded), index size on disk and
in memory, and query latency p50/p95 over a few hundred questions (the FNC-1
headlines). A measurement, not a test: run it by hand or from CI, read the figures.

    .venv/bin/python bench/ingest_bench.py [--data ../shared/data/fnc1] [--limit N] [--queries 300]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from corpus.records import Article, article_id_for  # noqa: E402
from index.embed import load_encoder  # noqa: E402


def load_bodies(folder: Path, limit: int | None) -> list[Article]:
    csv.field_size_limit(1 << 30)
    articles: dict[str, Article] = {}
    for name in ("train_bodies.csv", "competition_test_bodies.csv"):
        with open(folder / name, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                location = f"fnc1/{name}#{row['Body ID']}"
                text = "\n\n".join(p.strip() for p in row["articleBody"].split("\n") if p.strip())
                first = text.split("\n\n", 1)[0][:80]
                articles[location] = Article(id=article_id_for(location), title=f"FNC-1 body {row['Body ID']}: {first}",
                                             text=text, outlet="FNC-1", location=location)
    return list(articles.values())[:limit]


def headlines(folder: Path, n: int) -> list[str]:
    with open(folder / "competition_test_stances.csv", encoding="utf-8") as handle:
        seen = list(dict.fromkeys(row["Headline"] for row in csv.DictReader(handle)))
    return seen[:n]


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "fnc1")
    parser.add_argument("--limit", type=int, default=None, help="only the first N bodies")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.json")
    args = parser.parse_args()
    if not (args.data / "train_bodies.csv").exists():
        print(f"skipped: FNC-1 data not found at {args.data} (it lives in ../shared/data/fnc1)")
        return 0

    articles = load_bodies(args.data, args.limit)
    load_encoder().encode(["warm up"])  # model load excluded from the figures
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "index"
        assistant = Assistant(folder, load=False)
        started = time.perf_counter()
        report = assistant.ingest_articles(articles, progress=True)
        ingest_s = time.perf_counter() - started
        disk = folder_size(folder)
        questions = headlines(args.data, args.queries)
        assistant.ask(questions[0])  # loads the judges' models (excluded, like the encoder's)
        latencies = []
        for q in questions:
            t = time.perf_counter()
            assistant.ask(q)
            latencies.append((time.perf_counter() - t) * 1000)
        search_latencies = []
        for q in questions:
            t = time.perf_counter()
            assistant.search(q, 10)
            search_latencies.append((time.perf_counter() - t) * 1000)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figures = {
            "articles": len(report.added), "duplicates_skipped": len(report.duplicates),
            "sentences": report.sentences_embedded, "ingest_seconds": round(ingest_s, 1),
            "ingest_sentences_per_s": round(report.sentences_embedded / ingest_s, 1),
            "index_mb_on_disk": round(disk / 2**20, 1),
            "vectors_mb_in_memory": round(len(assistant.index.vectors) * 384 * 4 / 2**20, 1),
            "process_peak_rss_mb": round(rss_after / 1024, 1),
            "peak_rss_growth_mb_after_model_load": round((rss_after - rss_before) / 1024, 1),
            "disputes": len(assistant.disputes()),
            "queries": len(questions),
            "ask_ms_p50": round(float(np.percentile(latencies, 50)), 1),
            "ask_ms_p95": round(float(np.percentile(latencies, 95)), 1),
            "search_ms_p50": round(float(np.percentile(search_latencies, 50)), 1),
            "search_ms_p95": round(float(np.percentile(search_latencies, 95)), 1),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    for key, value in figures.items():
        print(f"{key:>40}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
