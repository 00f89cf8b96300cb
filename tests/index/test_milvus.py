"""The milvus backend on Milvus Lite (a local file, in this process): exact dense search equal
to faiss-flat, BM25 full-text search in the engine, filters as Milvus expressions, removal,
reopening from a version folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="the milvus backend needs pymilvus and milvus-lite (requirements.txt)")

from assistant import Assistant  # noqa: E402
from index import library  # noqa: E402
from index.ann.faiss_flat import FlatStore  # noqa: E402
from index.ann.milvus import Filters, MilvusLexical, MilvusStore, MilvusUnavailable, SentenceRow  # noqa: E402
from index.embed import load_encoder  # noqa: E402
from index.lexical import LexicalIndex  # noqa: E402

DIM = 32
TEXTS = ["Troops attacked positions in Kelbajar on Tuesday.",
         "The attack hit the Kalbajar district, officials said.",
         "Talks in Brussels ended without a statement.",
         "Seven soldiers were wounded and two were captured.",
         "The ministry's statement gave no figures."]
OUTLETS = ["Reuters", "AP", "Reuters", "Le Monde", None]
PUBLISHED = ["2021-11-16T10:00:00", "2021-11-17", "2021-11-18", None, "2021-11-20"]


def unit(rows: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(rows, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def index_folder(tmp_path):
    (tmp_path / "v-1").mkdir()
    return tmp_path


def small_store(folder) -> tuple[MilvusStore, np.ndarray, np.ndarray]:
    store = MilvusStore.create(DIM, uri="milvus.db", folder=folder)
    ids = np.arange(len(TEXTS), dtype=np.int64) + (1 << 52)  # large ids, as sentence ids are
    vectors = unit(len(TEXTS), 1)
    rows = [SentenceRow(t, f"art-{n % 2}", o, p) for n, (t, o, p) in enumerate(zip(TEXTS, OUTLETS, PUBLISHED))]
    store.add(ids, vectors, rows)
    return store, ids, vectors


def test_dense_search_equals_exact_faiss(index_folder):
    ids = np.arange(3000, dtype=np.int64) * 7919 + 11
    vectors = unit(3000, 2)
    rows = [SentenceRow(f"sentence {i}", f"a{i % 50}") for i in range(3000)]
    milvus = MilvusStore.create(DIM, uri="milvus.db", folder=index_folder)
    milvus.add(ids, vectors, rows)
    flat = FlatStore(DIM)
    flat.add(ids, vectors)
    queries = unit(20, 3)
    assert len(milvus) == 3000
    for query in queries:
        ours, theirs = milvus.search(query, 10), flat.search(query, 10)
        assert [i for i, _ in ours] == [i for i, _ in theirs]
        assert np.allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    allowed = ids[::3]
    assert [i for i, _ in milvus.search(queries[0], 10, allowed)] == \
           [i for i, _ in flat.search(queries[0], 10, allowed)]
    many = milvus.search_many(queries[:5], 4)
    assert [[i for i, _ in row] for row in many] == [[i for i, _ in row] for row in flat.search_many(queries[:5], 4)]
    expected = np.stack([vectors[5], np.zeros(DIM), vectors[0]])
    assert np.allclose(milvus.vectors([int(ids[5]), 123, int(ids[0])]), expected)


def test_bm25_runs_in_milvus_with_spelling_variants(index_folder):
    store, ids, _ = small_store(index_folder)
    lexical = MilvusLexical(store)
    local = LexicalIndex.build([int(i) for i in ids], TEXTS)
    for query in ("Kalbajar", "Kelbajar", "wounded soldiers", "statement", "attack positions"):
        found = dict(lexical.search(query, 5))
        expected = dict(local.search(query, 5))
        assert found.keys() == expected.keys(), query
        # the same BM25 (k1 1.5, b 0.75, Lucene's idf) over the same tokens: the same scores
        assert all(found[i] == pytest.approx(expected[i], rel=1e-4) for i in found), query
    assert {i for i, _ in lexical.search("Kalbajar", 5)} == {int(ids[0]), int(ids[1])}
    assert lexical.search("the and of", 5) == []  # stop words only: no tokens, no hits
    assert [i for i, _ in lexical.search("statement", 5, allowed=ids[4:])] == [int(ids[4])]
    assert lexical.search("statement", 5, allowed=np.array([], dtype=np.int64)) == []


def test_filters_run_inside_milvus(index_folder):
    store, ids, vectors = small_store(index_folder)
    lexical = MilvusLexical(store)
    every = {int(i) for i in ids}

    def dense(where):
        return {i for i, _ in store.search_where(vectors[0], 10, where)}

    assert dense(None) == every
    assert dense(Filters(outlets=["reuters"])) == {int(ids[0]), int(ids[2])}  # outlets matched casefolded
    assert dense(Filters(article_ids=["art-1"])) == {int(ids[1]), int(ids[3])}
    assert dense(Filters(outlets=["AP"], article_ids=["art-0"])) == {int(ids[n]) for n in (0, 1, 2, 4)}
    # a date range keeps dated sentences inside it, never undated ones
    assert dense(Filters(since="2021-11-17")) == {int(ids[n]) for n in (1, 2, 4)}
    assert dense(Filters(since="2021-11-16", until="2021-11-17")) == {int(ids[0]), int(ids[1])}
    assert dense(Filters(outlets=['Say "hi"'])) == set()  # quotes in a value are escaped, not parsed
    assert {i for i, _ in lexical.search_where("statement", 5, Filters(until="2021-11-19"))} == {int(ids[2])}


def test_removal_and_reopening_from_the_version_folder(index_folder):
    store, ids, vectors = small_store(index_folder)
    store.remove(ids[:2])
    assert len(store) == len(TEXTS) - 2
    assert int(ids[0]) not in {i for i, _ in store.search(vectors[0], 10)}
    assert MilvusLexical(store).search("Kalbajar", 5) == []
    store.add(ids[3:4], vectors[3:4], [SentenceRow("Nine soldiers were wounded.", "art-1")])  # replaced, not doubled
    assert len(store) == len(TEXTS) - 2
    store.save(index_folder / "v-1")
    reopened = MilvusStore.load(index_folder / "v-1")
    assert (reopened.collection, len(reopened)) == (store.collection, len(TEXTS) - 2)
    assert [i for i, _ in reopened.search(vectors[3], 1)] == [int(ids[3])]
    assert [i for i, _ in MilvusLexical.load(index_folder / "v-1").search("nine", 5)] == [int(ids[3])]


def test_a_missing_collection_is_refused_on_load(index_folder):
    store, _, _ = small_store(index_folder)
    store.save(index_folder / "v-1")
    store.drop()
    with pytest.raises(MilvusUnavailable, match="collection .* is missing"):
        MilvusStore.load(index_folder / "v-1")


def test_a_milvus_lite_file_open_in_another_process_is_one_clear_error(index_folder):
    store = MilvusStore.create(DIM, uri="milvus.db", folder=index_folder)  # this process holds the file now
    store.save(index_folder / "v-1")
    code = ("import sys; from pathlib import Path; from index.ann.milvus import MilvusStore\n"
            "try:\n    MilvusStore.load(Path(sys.argv[1]))\n"
            "except ConnectionError as exc:\n    print(exc)")
    done = subprocess.run([sys.executable, "-c", code, str(index_folder / "v-1")], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, check=True)
    assert "another process has the Milvus Lite file" in done.stdout
    assert "Traceback" not in done.stderr


def test_an_unreachable_milvus_server_is_one_clear_error(tmp_path):
    with pytest.raises(MilvusUnavailable, match="cannot open Milvus at http://127.0.0.1:9"):
        MilvusStore.create(DIM, uri="http://127.0.0.1:9")


def test_rows_are_required(index_folder):
    store = MilvusStore.create(DIM, uri="milvus.db", folder=index_folder)
    with pytest.raises(ValueError, match="text and article fields"):
        store.add(np.array([1]), unit(1, 4))


# --- the whole assistant on the milvus backend ---------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "corpus" / "seeds"
GOLD = ROOT.parent / "shared" / "gold" / "seeds.jsonl"


def build(folder: Path, backend: str, remove: list[str] = ()) -> None:
    """The library's update, as the assistant calls it (its enrich hook included)."""
    from assistant.enrich import enrich
    from corpus import read_sources

    articles, _ = read_sources([str(SEEDS)]) if not remove else ([], [])
    library.update(folder, articles, encoder=load_encoder(), enrich=enrich, sources=[str(SEEDS)] if articles else [],
                   remove=remove, rebuild=not remove, vector_backend=backend, progress=False)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The default corpus indexed twice, with faiss-flat and with milvus (Milvus Lite in the index folder)."""
    folders = {}
    for backend in ("faiss-flat", "milvus"):
        folders[backend] = tmp_path_factory.mktemp(backend) / "index"
        build(folders[backend], backend)
    opened = {b: Assistant.open(f, refresh=False) for b, f in folders.items()}
    yield opened
    for assistant in opened.values():
        assistant.index.close()


def test_the_milvus_index_records_its_backend_and_keeps_its_parts_in_milvus(both):
    index = both["milvus"].index
    assert (index.manifest.vector_backend, index.manifest.lexical_backend) == ("milvus", "milvus")
    assert isinstance(index.vectors, MilvusStore) and isinstance(index.lexical, MilvusLexical)
    assert not (index.version / "vectors.faiss").exists() and not (index.version / "bm25").exists()
    assert (index.folder / "milvus.db").is_dir()  # Milvus Lite's file, beside the versions
    assert len(index.vectors) == index.manifest.sentences == both["faiss-flat"].index.manifest.sentences


@pytest.mark.skipif(not GOLD.is_file(), reason=f"the public gold set is not present at {GOLD}")
def test_the_gold_questions_get_the_same_answers_on_both_backends(both):
    """Per gold question: the fused ranking of each retriever (ids and order) and the answer
    (supported or not, the cited sentence ids in order, the lead, the disputes' sentences)."""
    questions = [json.loads(line)["question"] for line in GOLD.read_text(encoding="utf-8").splitlines() if line]
    assert questions
    for question in questions:
        for mode in ("dense", "bm25", "hybrid"):
            ranked = {b: [h.sentence.id for h in a.search(question, 10, retriever=mode)] for b, a in both.items()}
            assert ranked["milvus"] == ranked["faiss-flat"], (question, mode)
        faiss_answer, milvus_answer = both["faiss-flat"].ask(question), both["milvus"].ask(question)
        assert milvus_answer.supported == faiss_answer.supported, question
        assert [c.id for c in milvus_answer.citations] == [c.id for c in faiss_answer.citations], question
        assert milvus_answer.lead == faiss_answer.lead, question
        assert disputed(milvus_answer) == disputed(faiss_answer), question


def disputed(answer) -> list[list[tuple[str, list[int]]]]:
    """Each dispute as its sides: the position and the cited sentence ids."""
    return [[(side.position, [c.id for c in side.citations]) for side in d.sides] for d in answer.disputes]


def test_source_and_date_filters_give_the_same_sentences(both):
    """The assistant's filters (sentence ids from SQLite, an `id in [...]` expression in Milvus)
    give what FAISS gives; Milvus's own filter expressions select what SQLite selects."""
    milvus = both["milvus"]
    first, second = sorted(milvus.index.db.articles(), key=lambda a: a.published)
    question = "How many soldiers were killed?"
    for options in ({"sources": [first.title]}, {"since": second.published[:10]}, {"until": first.published[:10]}):
        found = {b: [h.sentence.id for h in a.search(question, 10, **options)] for b, a in both.items()}
        assert found["milvus"] == found["faiss-flat"] and found["milvus"], options
    vector = milvus.encoder.encode([question])[0]
    for where, sql in ((Filters(article_ids=[first.id]), {"outlets": [first.title]}),
                       (Filters(since=second.published), {"since": second.published}),
                       (Filters(until=first.published), {"until": first.published}),
                       (Filters(since="2030-01-01"), {"since": "2030-01-01"})):
        expected = set(milvus.index.db.sentence_ids_where(**sql))
        assert {i for i, _ in milvus.index.vectors.search_where(vector, 100, where)} == expected, where
        assert {i for i, _ in milvus.index.lexical.search_where("soldiers killed", 100, where)} <= expected


def test_removing_an_article_removes_its_sentences_from_milvus(tmp_path):
    folder = tmp_path / "index"
    build(folder, "milvus")
    first = Assistant.open(folder, refresh=False)
    article = first.index.db.articles()[0]
    own = {s.id for s in first.index.db.article_sentences(article.id)}
    first.index.close()
    build(folder, "milvus", remove=[article.id])
    reopened = Assistant.open(folder, refresh=False)  # a new version, read back from its milvus.json
    try:
        assert reopened.index.manifest.vector_backend == "milvus"
        assert len(reopened.index.vectors) == reopened.index.manifest.sentences
        hits = reopened.search("soldiers killed wounded", 50)
        assert hits and not own & {h.sentence.id for h in hits}
        assert not own & {i for i, _ in reopened.index.lexical.search("soldiers killed", 50)}
    finally:
        reopened.index.close()


def test_moving_into_milvus_needs_a_rebuild_and_a_rebuild_keeps_milvus(own_index, tmp_path):
    from corpus import read_sources

    articles, _ = read_sources([str(SEEDS)])
    with pytest.raises(library.IndexMismatch, match="--rebuild --backend milvus"):
        library.update(own_index, articles, encoder=load_encoder(), vector_backend="milvus", progress=False)
    untouched = library.Index.open(own_index)
    assert untouched.manifest.vector_backend == "faiss-flat"  # left as it was
    untouched.close()
    folder = tmp_path / "index"
    build(folder, "milvus")
    first = MilvusStore.load(library.current_version(folder)).collection
    library.update(folder, articles, encoder=load_encoder(), sources=[str(SEEDS)], rebuild=True, progress=False)
    index = library.Index.open(folder)
    try:
        assert (index.manifest.vector_backend, len(index.vectors)) == ("milvus", index.manifest.sentences)
        # the rebuild made a new collection; the old one went with the last version that named it
        assert index.vectors.collection != first
        assert index.vectors.client.list_collections() == [index.vectors.collection]
    finally:
        index.close()


def test_the_command_line_builds_and_asks_a_milvus_index(tmp_path):
    """`assistant ingest --backend milvus` records milvus; later commands open it without the flag."""
    folder = tmp_path / "index"

    def assistant(*args):
        return subprocess.run([sys.executable, "-m", "assistant", "--index", str(folder), *args],
                              capture_output=True, text=True, timeout=600, cwd=ROOT)

    built = assistant("ingest", str(SEEDS), "--backend", "milvus", "--no-progress")
    assert built.returncode == 0, built.stderr
    manifest = json.loads((folder / "current" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["vector_backend"], manifest["lexical_backend"]) == ("milvus", "milvus")
    answer = assistant("ask", "How many Azerbaijani soldiers were wounded?", "--json")
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["supported"]
    wrong = assistant("ingest", str(SEEDS), "--uri", str(tmp_path / "other.db"))
    assert (wrong.returncode, wrong.stderr.count("\n")) == (2, 1) and "--backend milvus" in wrong.stderr
