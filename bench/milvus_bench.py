"""The milvus backend on Milvus Lite at the FNC-1 index size (~48k sentences), beside FAISS and bm25s.

Splits the FNC-1 bodies into sentences as ingest does, takes their vectors from the encoder
(or from a cache of (texts, vectors) such as bench/update_bench.py keeps), inserts them into
a Milvus Lite file and times it; then asks the FNC-1 headlines and reports search p50/p95 for
dense, BM25 and hybrid search in Milvus (the two searches fused by our RRF, and Milvus's own
hybrid_search with its RRFRanker), a filtered search (100 articles), the same for flat FAISS
and bm25s, how far Milvus's top 10 agrees with them, the disk per sentence and the peak memory.
A measurement, not a test.

    .venv/bin/python bench/milvus_bench.py [--limit N] [--queries 300] [--cache /tmp/update-bench/vectors.npz]
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest_bench import folder_size, headlines, load_bodies  # noqa: E402
from index.ann.faiss_flat import FlatStore  # noqa: E402
from index.ann.milvus import Filters, MilvusLexical, MilvusStore  # noqa: E402
from index.embed import load_encoder  # noqa: E402
from index.lexical import LexicalIndex  # noqa: E402
from index.library import make_sentences  # noqa: E402

RRF_K, POOL = 60, 50  # as assistant/retrieval.py fuses


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2)}


def timed(run, queries) -> tuple[list, dict[str, float]]:
    results, seconds = [], []
    for q in queries:
        started = time.perf_counter()
        results.append(run(q))
        seconds.append(time.perf_counter() - started)
    return results, percentiles(seconds)


def rrf(*rankings: list[tuple[int, float]]) -> list[int]:
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (sid, _) in enumerate(ranking):
            fused[sid] = fused.get(sid, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(fused, key=lambda s: -fused[s])


def overlap(a: list[list[int]], b: list[list[int]], k: int = 10) -> float:
    """Mean share of b's top k that a's top k holds (queries where b found something)."""
    shares = [len(set(x[:k]) & set(y[:k])) / len(y[:k]) for x, y in zip(a, b, strict=True) if y]
    return round(statistics.mean(shares), 4) if shares else 0.0


def vectors_for(texts: list[str], cache: Path | None, encoder) -> np.ndarray:
    known: dict[str, np.ndarray] = {}
    if cache and cache.exists():
        data = np.load(cache, allow_pickle=False)
        known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        logging.info("embedding %d sentences not in the cache", len(missing))
        known.update(zip(missing, encoder.encode(missing), strict=True))
    return np.stack([known[t] for t in texts]).astype(np.float32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "fnc1")
    parser.add_argument("--limit", type=int, default=None, help="only the first N bodies")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/update-bench/vectors.npz"),
                        help="an .npz of texts and vectors from earlier runs (optional)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "milvus.json")
    parser.add_argument("--server-only", action="store_true", help="time only the server (with --server)")
    parser.add_argument("--server", metavar="URI", help="also time dense search on a Milvus server at URI "
                        "(vectors and filter fields only, so any Milvus 2.x will do)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    articles = load_bodies(args.data, args.limit)
    pairs = [(a, s) for a in articles for s in make_sentences(a)]
    ids = np.asarray([s.id for _, s in pairs], dtype=np.int64)
    encoder = load_encoder()
    vectors = vectors_for([s.text for _, s in pairs], args.cache, encoder)
    questions = headlines(args.data, args.queries)
    qvectors = encoder.encode(questions)
    print(f"{len(articles)} articles, {len(pairs)} sentences, {len(questions)} questions", flush=True)

    if args.server and args.server_only:
        flat = FlatStore(encoder.dimensions)
        flat.add(ids, vectors)
        pick = [a.id for a in articles[::max(1, len(articles) // 100)]][:100]
        exact = [flat.search(q, POOL) for q in qvectors]
        result = {"sentences": len(pairs), "questions": len(questions),
                  "server": server_dense(args.server, pairs, ids, vectors, qvectors, pick, exact)}
        print(json.dumps(result, indent=1))
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        return 0
    work = Path(tempfile.mkdtemp(prefix="milvus-bench-"))
    try:
        (work / "v").mkdir()
        started = time.perf_counter()
        store = MilvusStore.create(encoder.dimensions, uri=str(work / "milvus.db"))
        by_article: dict[str, list] = {}
        for article, sentence in pairs:
            by_article.setdefault(article.id, []).append(sentence)
        row = 0
        for article in articles:
            sentences = by_article.get(article.id, [])
            store.add_sentences(article, sentences, vectors[row:row + len(sentences)])
            row += len(sentences)
        store.save(work / "v")
        insert_s = time.perf_counter() - started
        lexical = MilvusLexical(store)
        disk = folder_size(work / "milvus.db") + folder_size(work / "v")

        started = time.perf_counter()
        flat = FlatStore(encoder.dimensions)
        flat.add(ids, vectors)
        bm25 = LexicalIndex.build([s.id for _, s in pairs], [s.text for _, s in pairs])
        local_build_s = time.perf_counter() - started

        pick = [a.id for a in articles[::max(1, len(articles) // 100)]][:100]
        allowed = np.asarray([s.id for a, s in pairs if a.id in set(pick)], dtype=np.int64)
        where = Filters(article_ids=pick)
        qs = list(range(len(questions)))
        m_dense, t_m_dense = timed(lambda i: store.search(qvectors[i], POOL), qs)
        m_bm25, t_m_bm25 = timed(lambda i: lexical.search(questions[i], POOL), qs)
        m_hybrid, t_m_hybrid = timed(lambda i: rrf(store.search(qvectors[i], POOL),
                                                   lexical.search(questions[i], POOL)), qs)
        m_engine, t_m_engine = timed(lambda i: engine_hybrid(store, lexical, questions[i], qvectors[i]), qs)
        m_where, t_m_where = timed(lambda i: rrf(store.search_where(qvectors[i], POOL, where),
                                                 lexical.search_where(questions[i], POOL, where)), qs)
        _, t_m_allowed = timed(lambda i: rrf(store.search(qvectors[i], POOL, allowed),
                                             lexical.search(questions[i], POOL, allowed)), qs)
        f_dense, t_f_dense = timed(lambda i: flat.search(qvectors[i], POOL), qs)
        b_bm25, t_b_bm25 = timed(lambda i: bm25.search(questions[i], POOL), qs)
        l_hybrid, t_l_hybrid = timed(lambda i: rrf(flat.search(qvectors[i], POOL), bm25.search(questions[i], POOL)), qs)
        l_where, _ = timed(lambda i: rrf(flat.search(qvectors[i], POOL, allowed),
                                         bm25.search(questions[i], POOL, allowed)), qs)
        ids_of = lambda rows: [[sid for sid, _ in r] for r in rows]  # noqa: E731
        result = {
            "articles": len(articles), "sentences": len(pairs), "questions": len(questions),
            "milvus": {
                "engine": "Milvus Lite (milvus-lite, local file, in process), FLAT IP + SPARSE_INVERTED_INDEX BM25",
                "insert_s": round(insert_s, 1), "insert_sent_per_s": round(len(pairs) / insert_s),
                "disk_bytes_per_sentence": round(disk / len(pairs)),
                "dense": t_m_dense, "bm25": t_m_bm25, "hybrid_ours_rrf": t_m_hybrid,
                "hybrid_engine_rrf": t_m_engine, "hybrid_filtered_100_articles_expression": t_m_where,
                "hybrid_filtered_100_articles_id_list": t_m_allowed,
            },
            "local": {"build_s_flat_plus_bm25s": round(local_build_s, 1), "dense": t_f_dense, "bm25": t_b_bm25,
                      "hybrid": t_l_hybrid},
            "top10_agreement_milvus_vs_local": {
                "dense": overlap(ids_of(m_dense), ids_of(f_dense)), "bm25": overlap(ids_of(m_bm25), ids_of(b_bm25)),
                "hybrid": overlap(m_hybrid, l_hybrid), "hybrid_filtered": overlap(m_where, l_where),
                "engine_rrf_vs_ours": overlap(m_engine, m_hybrid)},
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
        if args.server:
            result["server"] = server_dense(args.server, pairs, ids, vectors, qvectors, pick, f_dense)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


def server_dense(uri: str, pairs, ids, vectors, qvectors, pick, exact) -> dict:
    """Insert the vectors with their filter fields into a Milvus server and time dense search
    (HNSW M 16 and FLAT; plain, and filtered to 100 articles by an expression)."""
    from pymilvus import DataType, MilvusClient

    client = MilvusClient(uri)
    out: dict = {"uri": uri, "version": client.get_server_version()}
    for kind, build, search in (("HNSW", {"M": 16, "efConstruction": 200}, {"ef": 128}), ("FLAT", {}, {})):
        name = f"bench_{kind.lower()}"
        if client.has_collection(name):
            client.drop_collection(name)
        schema = client.create_schema(auto_id=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=vectors.shape[1])
        schema.add_field("article_id", DataType.VARCHAR, max_length=64)
        params = client.prepare_index_params()
        params.add_index("vector", index_type=kind, metric_type="IP", params=build)
        client.create_collection(name, schema=schema, index_params=params, consistency_level="Session")
        started = time.perf_counter()
        for start in range(0, len(ids), 2000):
            part = zip(ids[start:start + 2000], vectors[start:start + 2000], pairs[start:start + 2000])
            client.insert(name, [{"id": int(i), "vector": v.tolist(), "article_id": a.id} for i, v, (a, _) in part])
        client.flush(name)
        inserted = time.perf_counter() - started
        where = f"article_id in {json.dumps(pick)}"

        def run(i, expression="", name=name, search=search):
            hits = client.search(name, data=[qvectors[i].tolist()], anns_field="vector", limit=POOL,
                                 filter=expression, search_params={"metric_type": "IP", "params": search})[0]
            return [(int(h["id"]), float(h["distance"])) for h in hits]
        run(0)
        found, plain = timed(run, range(len(qvectors)))
        _, filtered = timed(lambda i, where=where, run=run: run(i, where), range(len(qvectors)))
        out[kind] = {"insert_sent_per_s": round(len(ids) / inserted), "dense": plain, "dense_filtered_100_articles":
                     filtered, "top10_agreement_with_exact": overlap([[i for i, _ in r] for r in found],
                                                                     [[i for i, _ in r] for r in exact])}
        client.drop_collection(name)
    return out


def engine_hybrid(store: MilvusStore, lexical: MilvusLexical, question: str, vector: np.ndarray) -> list[int]:
    """Milvus's own hybrid_search: both searches and RRF inside the engine, one request."""
    from pymilvus import AnnSearchRequest, RRFRanker

    text = " ".join(lexical.expand(question))
    requests = [AnnSearchRequest([vector.tolist()], "vector", {"metric_type": "IP"}, POOL)]
    if text:
        requests.append(AnnSearchRequest([text], "sparse", {"metric_type": "BM25"}, POOL))
    hits = store.client.hybrid_search(store.collection, requests, RRFRanker(RRF_K), limit=2 * POOL,
                                      output_fields=[])[0]
    return [int(h["id"]) for h in hits]


if __name__ == "__main__":
    sys.exit(main())
