"""A large index on one machine (issue 12, item 4): build, memory, latency, recall, update cost.

    .venv/bin/python bench/scale_bench.py --sentences 1000000        # ~1M sentences
    .venv/bin/python bench/scale_bench.py --sentences 300000 --backend faiss-ivf-sq8

Text: the FNC-1 bodies (about 2,600 articles, 48k sentences) tiled into as many copies as
the size needs, each copy with new article ids and every sentence tagged with its copy
(" x7" before its final stop) so no two sentences are the same text.

Vectors: the encoder is bypassed. Each sentence gets the real all-MiniLM-L6-v2 vector of
its untagged text (read from a cache of texts and vectors, the .npz bench/update_bench.py
writes; texts missing from it are embedded once and added) plus Gaussian noise seeded by
its tagged text, so copies are near but distinct (cosine ~0.85 to the original). Queries
are real: FNC-1 test headlines through the real encoder.

Reports (bench/results/scale-<N>.json):
- build: seconds through index.library.update (SQLite, BM25, vectors; the corpus-wide
  disputes are left out of the build, they are in the cost of adding articles below);
- disk bytes a sentence (the version folder);
- resident memory a sentence, measured in a fresh process: after opening the index
  (index.library.Index) and after opening the assistant (assistant.Assistant), each less
  the process with the encoder loaded and warm;
- retrieval (Assistant.search: hybrid, question encoding included), dense search alone,
  and ask p50/p95;
- recall@10 of the index's dense search against exact search over the original float
  vectors (regenerated, streamed) on the same queries;
- adding 10 new articles through the real path (real encoder, the disputes hook): seconds,
  of which embedding, and the library's phases.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ingest_bench import folder_size, headlines, load_bodies  # noqa: E402
from bench.update_bench import CachedEncoder  # noqa: E402
from corpus.records import Article  # noqa: E402
from eval.metrics import percentile  # noqa: E402
from index import library  # noqa: E402
from index.embed import load_encoder  # noqa: E402
from index.split import split_sentences  # noqa: E402

log = logging.getLogger("bench.scale")
RESULTS = ROOT / "bench" / "results"
DATA = ROOT.parent / "shared" / "data" / "fnc1"
NOISE = 0.032  # per dimension: a 384-d noise vector of norm ~0.63, cosine ~0.85 to the original
TAG = re.compile(r" x\d+(?=\W*$)")


def tag_sentences(text: str, copy: int) -> str:
    """`text` with " x<copy>" inserted after the last word character of every sentence."""
    out, last = [], 0
    for start, end, _ in split_sentences(text):
        sentence = text[start:end]
        word_end = max((m.end() for m in re.finditer(r"\w", sentence)), default=len(sentence))
        out.append(text[last:start + word_end] + f" x{copy}")
        last = start + word_end
    out.append(text[last:])
    return "".join(out)


def tiled(bodies: list[Article], copies: int, first: int = 0) -> list[Article]:
    return [Article(id=f"{a.id}-x{c}", title=f"{a.title} (copy {c})", text=tag_sentences(a.text, c),
                    outlet=f"FNC-1 copy {c % 7}", published=f"2020-01-{1 + c % 28:02d}",
                    location=f"tile://{c}/{a.location}")
            for c in range(first, first + copies) for a in bodies]


class StoredVectors:
    """The encoder bypassed: stored vectors of the untagged texts plus noise seeded by the text."""

    def __init__(self, cache: Path, encoder) -> None:
        self.cached = CachedEncoder(encoder, cache)  # the same vector cache the update bench keeps
        self.known = self.cached.known
        self.name, self.dimensions = encoder.name, encoder.dimensions
        log.info("%d stored vectors from %s", len(self.known), cache)

    def fill(self, texts: list[str]) -> None:
        """Embed (once) the untagged texts the cache lacks, and save the cache."""
        missing = [t for t in dict.fromkeys(TAG.sub("", t) for t in texts) if t not in self.known]
        if not missing:
            return
        log.info("embedding %d texts missing from the vector cache", len(missing))
        for i in range(0, len(missing), 1024):
            self.cached.encode(missing[i:i + 1024])
        self.cached.save()

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            base = self.known.get(TAG.sub("", text))
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
            rng = np.random.default_rng(seed)
            if base is None:  # a text the splitter cut differently once tagged: a random direction
                base = rng.standard_normal(self.dimensions).astype(np.float32)
                base /= np.linalg.norm(base)
            out[row] = base + rng.normal(0.0, NOISE, self.dimensions)
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(folder: Path, queries: list[str], out: Path, part: str) -> None:
    """Run in a fresh process (one for the index, one for the assistant, so memory freed by
    one is not counted in the other): resident memory once open, latencies, dense results."""
    encoder = load_encoder()
    vectors = encoder.encode(queries)
    gc.collect()
    base = rss_mb()
    if part == "index":
        index = library.Index.open(folder, encoder)
        gc.collect()
        opened = rss_mb()
        dense, dense_ms = [], []
        for v in vectors:
            t0 = time.perf_counter()
            dense.append([i for i, _ in index.vectors.search(v, 10)])
            dense_ms.append((time.perf_counter() - t0) * 1000)
        out.write_text(json.dumps({"rss_mb_encoder_loaded": round(base, 1), "rss_mb_index_open": round(opened, 1),
                                   "dense_ms_p50": _p(dense_ms, 50), "dense_ms_p95": _p(dense_ms, 95),
                                   "dense_top10": dense}))
        return
    from assistant import Assistant

    assistant = Assistant.open(folder, refresh=False)
    gc.collect()
    opened = rss_mb()
    search_ms, ask_ms = [], []
    for q in queries:
        t0 = time.perf_counter()
        assistant.search(q, 10)
        search_ms.append((time.perf_counter() - t0) * 1000)
    assistant.ask(queries[0])  # the first ask loads the answer's models: not a latency
    for q in queries[:100]:
        t0 = time.perf_counter()
        assistant.ask(q)
        ask_ms.append((time.perf_counter() - t0) * 1000)
    out.write_text(json.dumps({
        "rss_mb_encoder_loaded_assistant_process": round(base, 1), "rss_mb_assistant_open": round(opened, 1),
        "rss_mb_after_queries": round(rss_mb(), 1),
        "search_ms_p50": _p(search_ms, 50), "search_ms_p95": _p(search_ms, 95),
        "ask_ms_p50": _p(ask_ms, 50), "ask_ms_p95": _p(ask_ms, 95), "ask_queries": len(ask_ms)}))


def _p(values: list[float], q: int) -> float:
    return round(percentile(values, q) or 0.0, 2)


def exact_top10(folder: Path, stored: StoredVectors, queries: np.ndarray, batch: int = 50_000) -> list[list[int]]:
    """Exact top 10 over the original float vectors of every indexed sentence, streamed."""
    index = library.Index.open(folder)
    best_s = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_i = np.full((len(queries), 10), -1, dtype=np.int64)
    try:
        rows = index.db.conn.execute("SELECT id, text FROM sentences")
        while chunk := rows.fetchmany(batch):
            ids = np.asarray([r[0] for r in chunk], dtype=np.int64)
            scores = queries @ stored.encode([r[1] for r in chunk]).T
            all_s = np.concatenate([best_s, scores], axis=1)
            all_i = np.concatenate([best_i, np.broadcast_to(ids, scores.shape)], axis=1)
            top = np.argsort(-all_s, axis=1)[:, :10]
            best_s, best_i = np.take_along_axis(all_s, top, 1), np.take_along_axis(all_i, top, 1)
    finally:
        index.close()
    return best_i.tolist()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=1_000_000, help="about this many sentences")
    parser.add_argument("--backend", default=None, help="vector backend (default: picked by size)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "news-assistant-bench" / "scale")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/update-bench/vectors.npz"),
                        help="texts and vectors (.npz, as bench/update_bench.py writes); missing ones are embedded")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--bodies", type=int, default=None, help="tile only the first N FNC-1 bodies (a dry run)")
    parser.add_argument("--reuse", action="store_true", help="measure the index already in --work")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--part", default="index", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    queries = headlines(DATA, args.queries)
    if args.measure:
        measure(args.measure, queries, args.out, args.part)
        return 0

    bodies = load_bodies(DATA, args.bodies)
    per_copy = sum(len(split_sentences(a.text)) for a in bodies)
    copies = max(1, round(args.sentences / per_copy))
    folder = args.work / f"index-{copies}"
    encoder = load_encoder()
    stored = StoredVectors(args.cache, encoder)
    stored.fill([a.text[s:e] for a in bodies for s, e, _ in split_sentences(a.text)])
    result: dict = {"copies": copies, "sentences_per_copy": per_copy}
    if not (args.reuse and library.current_version(folder)):
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        articles = tiled(bodies, copies)
        log.info("building %d articles (%d copies of FNC-1) into %s", len(articles), copies, folder)
        t0 = time.perf_counter()
        report = library.update(folder, articles, encoder=stored, progress=True, vector_backend=args.backend)
        result["build_seconds"] = round(time.perf_counter() - t0, 1)
        result["build_phases"] = {k: round(v, 2) for k, v in getattr(report, "phases", {}).items()}
        del articles, report
        gc.collect()
    version = library.current_version(folder)
    manifest = library.Manifest.load(version)
    n = manifest.sentences
    result |= {"sentences": n, "articles": manifest.articles, "vector_backend": manifest.vector_backend,
               "lexical_backend": manifest.lexical_backend}
    disk = folder_size(version)
    parts = {p.name: folder_size(p) if p.is_dir() else p.stat().st_size for p in version.iterdir()}
    result |= {"disk_bytes_per_sentence": round(disk / n, 1),
               "disk_bytes_per_sentence_by_part": {k: round(v / n, 1) for k, v in parts.items() if v}}

    child = {}
    for part in ("index", "assistant"):
        child_out = args.work / f"measure-{part}.json"
        subprocess.run([sys.executable, __file__, "--measure", str(folder), "--out", str(child_out),
                        "--queries", str(args.queries), "--part", part], check=True)
        child |= json.loads(child_out.read_text())
    approx = child.pop("dense_top10")
    result |= child
    result["rss_bytes_per_sentence_index"] = round(
        (child["rss_mb_index_open"] - child["rss_mb_encoder_loaded"]) * 2 ** 20 / n, 1)
    result["rss_bytes_per_sentence_assistant"] = round(
        (child["rss_mb_assistant_open"] - child["rss_mb_encoder_loaded_assistant_process"]) * 2 ** 20 / n, 1)
    result["load_average_1min"] = round(os.getloadavg()[0], 1)  # 2 cores shared with other work

    log.info("exact search over %d regenerated vectors for recall", n)
    exact = exact_top10(folder, stored, encoder.encode(queries))
    result["recall@10_vs_exact"] = round(float(np.mean([len(set(a) & set(e)) / 10
                                                       for a, e in zip(approx, exact, strict=True)])), 4)

    from assistant.enrich import enrich

    extra = (manifest.articles - copies * len(bodies)) // 10  # earlier runs' additions
    new = tiled(bodies[:10], 1, first=copies + 1 + extra)
    embed_t0 = time.perf_counter()
    encoder.encode([a.text[s:e] for a in new for s, e, _ in split_sentences(a.text)])
    embed_seconds = time.perf_counter() - embed_t0  # the encoder warm: what embedding them costs
    t0 = time.perf_counter()
    report = library.update(folder, new, encoder=encoder, enrich=enrich, progress=False)
    result["add_10_seconds"] = round(time.perf_counter() - t0, 2)
    result["add_10_embedding_seconds"] = round(embed_seconds, 2)
    result["add_10_sentences"] = report.sentences_embedded
    result["add_10_phases"] = {k: round(v, 2) for k, v in getattr(report, "phases", {}).items()}

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"scale-{n // 1000}k.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
