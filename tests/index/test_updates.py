"""Updates cost what they add (issue 12, item 3): BM25 in segments that search as one index
built from scratch, unchanged files hard-linked into the new version, SQLite as a linked
base plus the version's own small file."""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from index import lexical
from index.lexical import LexicalIndex
from index.library import current_version
from index.split import split_sentences

FNC1 = Path(__file__).resolve().parents[3] / "shared" / "data" / "fnc1"
ARTICLE = """---
title: Ferry service resumes on the northern route
outlet: Harbour Times
published: 2021-11-21
---
The ferry to the northern islands sailed again on Sunday after a two-week strike.

Port officials said 340 passengers travelled on the first crossing.
"""


@pytest.fixture(scope="module")
def corpus() -> tuple[list[int], list[str], list[str]]:
    """Sentences of 150 real FNC-1 news bodies, with their ids, and 120 real headlines as queries."""
    if not (FNC1 / "train_bodies.csv").exists():
        pytest.skip(f"FNC-1 data not found at {FNC1}")
    csv.field_size_limit(1 << 30)
    with open(FNC1 / "train_bodies.csv", encoding="utf-8") as handle:
        bodies = [row["articleBody"] for _, row in zip(range(150), csv.DictReader(handle), strict=False)]
    texts = [body[s:e] for body in bodies for s, e, _ in split_sentences(body)]
    with open(FNC1 / "competition_test_stances.csv", encoding="utf-8") as handle:
        queries = list(dict.fromkeys(row["Headline"] for row in csv.DictReader(handle)))[:120]
    return list(range(10_000, 10_000 + len(texts))), texts, queries


def same_results(a: LexicalIndex, b: LexicalIndex, queries: list[str], allowed=None) -> None:
    for query in queries:
        left, right = a.search(query, 20, allowed), b.search(query, 20, allowed)
        assert [i for i, _ in left] == [i for i, _ in right], query
        assert np.allclose([s for _, s in left], [s for _, s in right], rtol=1e-5), query


def test_segments_search_as_one_index_built_from_scratch(corpus, tmp_path: Path):
    ids, texts, queries = corpus
    n = len(ids)
    base_end, removed = n - 60, set(ids[100:140]) | set(ids[n - 10:])  # from the base and from the delta
    segmented = LexicalIndex.build(ids[:base_end], texts[:base_end])
    segmented.save(tmp_path / "v1")
    segmented = LexicalIndex.load(tmp_path / "v1")
    segmented.add(ids[base_end:], texts[base_end:])
    assert segmented.remove(sorted(removed)) == len(removed)
    segmented.save(tmp_path / "v2")
    assert len(LexicalIndex.load(tmp_path / "v2").segments) == 2, "a small addition became a delta segment"

    keep = [i for i, sid in enumerate(ids) if sid not in removed]
    scratch = LexicalIndex.build([ids[i] for i in keep], [texts[i] for i in keep])
    assert len(segmented) == len(scratch) == n - len(removed)
    reloaded = LexicalIndex.load(tmp_path / "v2")
    same_results(reloaded, scratch, queries)
    allowed = np.asarray(ids[::3], dtype=np.int64)
    same_results(reloaded, scratch, queries, allowed)
    assert not any(sid in removed for q in queries for sid, _ in reloaded.search(q, 50))


def test_a_replaced_sentence_keeps_its_id_but_only_its_new_text_is_found(tmp_path: Path):
    index = LexicalIndex.build([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
                               [f"Council meeting number {i} discussed the budget." for i in range(11)]
                               + ["The harbour ferry was cancelled by the storm."])
    index.remove([12])
    index.add([12], ["The harbour ferry sailed on time despite the wind."])
    assert [sid for sid, _ in index.search("cancelled storm", 5)] == []
    assert [sid for sid, _ in index.search("sailed wind", 5)] == [12]
    assert len(index) == 12


def test_unchanged_segments_are_hard_linked_into_the_new_version(corpus, tmp_path: Path):
    ids, texts, _ = corpus
    first = LexicalIndex.build(ids[:-20], texts[:-20])
    first.save(tmp_path / "v1")
    second = LexicalIndex.load(tmp_path / "v1")
    second.add(ids[-20:], texts[-20:])
    second.save(tmp_path / "v2")
    base = first.segments[0].name
    for name in ("terms.json", "rows.npy", "tfs.npy", "ids.npy"):
        old, new = tmp_path / "v1" / "bm25" / base / name, tmp_path / "v2" / "bm25" / base / name
        assert os.stat(old).st_ino == os.stat(new).st_ino, name
    delta = second.segments[1].name
    assert not (tmp_path / "v1" / "bm25" / delta).exists()


def test_segments_merge_into_one_base_past_a_size(corpus, tmp_path: Path):
    ids, texts, queries = corpus
    cut = int(len(ids) * 0.8)  # the rest is more than MERGE_FRACTION of the base
    index = LexicalIndex.build(ids[:cut], texts[:cut])
    index.save(tmp_path / "v1")
    index = LexicalIndex.load(tmp_path / "v1")
    index.add(ids[cut:], texts[cut:])
    index.remove(ids[:5])
    assert len(ids) - cut > lexical.MERGE_FRACTION * cut and index.needs_merge() == 0
    index.save(tmp_path / "v2")
    merged = LexicalIndex.load(tmp_path / "v2")
    assert len(merged.segments) == 1 and not merged.segments[0].dead.any()
    assert os.stat(tmp_path / "v2" / "bm25" / merged.segments[0].name / "rows.npy").st_nlink == 1
    same_results(merged, LexicalIndex.build(ids[5:], texts[5:]), queries)


def _inode(path: Path) -> int:
    return os.stat(path).st_ino


def test_an_update_links_what_it_did_not_change(own_index: Path, tmp_path: Path):
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "ferry.md").write_text(ARTICLE, encoding="utf-8")
    before = current_version(own_index)
    whole, vectors = _inode(before / "index.sqlite"), _inode(before / "vectors.faiss")
    segments = {p.name: _inode(p / "rows.npy") for p in (before / "bm25").iterdir() if p.is_dir()}
    assistant = Assistant.open(own_index, refresh=False)
    count = len(assistant.sources())

    assert assistant.ingest([str(folder)], progress=False).added == ["Ferry service resumes on the northern route"]
    after = current_version(own_index)
    assert after != before and not before.exists()
    assert _inode(after / "base.sqlite") == whole, "the old whole database is the new version's base"
    assert _inode(after / "vectors.faiss") == vectors and (after / "vectors.delta.npz").exists()
    for name, inode in segments.items():  # the BM25 segments it had are the same files
        assert _inode(after / "bm25" / name / "rows.npy") == inode
    # the new version reads one set of tables: the old articles (from the base) and the new one
    assert len(assistant.sources()) == count + 1
    answer = assistant.ask("How many passengers travelled on the first ferry crossing?")
    assert "340 passengers" in answer.citations[0].sentence
    with sqlite3.connect(after / "index.sqlite") as conn:  # its own file holds only the new article
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
    conn.close()

    # the next update links the same base file and the same segments again, and a replaced
    # article's sentences (same ids) read as their new text only
    (folder / "ferry.md").write_text(ARTICLE.replace("340 passengers", "415 passengers"), encoding="utf-8")
    assert assistant.ingest([str(folder)], progress=False).updated
    latest = current_version(own_index)
    assert _inode(latest / "base.sqlite") == whole and _inode(latest / "vectors.faiss") == vectors
    dense = assistant.search("How many passengers travelled on the first ferry crossing?", 3, retriever="dense")
    assert "415 passengers" in dense[0].sentence.text
    assert all(_inode(latest / "bm25" / name / "rows.npy") == inode for name, inode in segments.items())
    answer = assistant.ask("How many passengers travelled on the first ferry crossing?")
    assert "415 passengers" in answer.citations[0].sentence
    assert not any("340 passengers" in h.sentence.text for h in assistant.search("ferry passengers crossing", 20))
    assert len(assistant.sources()) == count + 1

    (folder / "ferry.md").unlink()
    assert assistant.ingest([str(folder)], progress=False).removed
    assert len(assistant.sources()) == count
    assert not any("passengers" in h.sentence.text for h in assistant.search("ferry passengers crossing", 20))

    # more than a tenth of the index at once: the vectors are written whole again (the next base)
    long = "\n\n".join(f"Harbour crews repaired pier number {i} before the ferry season." for i in range(12))
    (folder / "piers.md").write_text(f"---\ntitle: Pier repairs\n---\n{long}\n", encoding="utf-8")
    assert assistant.ingest([str(folder)], progress=False).added == ["Pier repairs"]
    rewritten = current_version(own_index)
    assert os.stat(rewritten / "vectors.faiss").st_nlink == 1 and not (rewritten / "vectors.delta.npz").exists()
    assert "pier number 7" in assistant.search("repairs of pier number 7", 1, retriever="dense")[0].sentence.text


def test_an_index_from_before_segments_opens_and_its_next_update_converts_it(own_index: Path, tmp_path: Path):
    import bm25s

    from index.store import SentenceDB
    from index.text import tokens

    version = current_version(own_index)  # write its BM25 as bm25s did before segments
    db = SentenceDB(version / "index.sqlite", readonly=True)
    sentences = db.all_sentences()
    db.close()
    shutil.rmtree(version / "bm25")
    retriever = bm25s.BM25()
    retriever.index([tokens(s.text) or ["<empty>"] for s in sentences], show_progress=False)
    retriever.save(str(version / "bm25"))
    np.save(version / "bm25" / "ids.npy", np.asarray([s.id for s in sentences], dtype=np.int64))

    assistant = Assistant.open(own_index, refresh=False)
    hits = assistant.search("servicemen captured", 5, retriever="bm25")
    assert hits and all("captur" in h.sentence.text.lower() for h in hits[:1])
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "ferry.md").write_text(ARTICLE, encoding="utf-8")
    assert assistant.ingest([str(folder)], progress=False).added
    assert (current_version(own_index) / "bm25" / "segments.json").exists()
    assert assistant.search("ferry passengers", 3, retriever="bm25")[0].article.title.startswith("Ferry service")


def _articles(first: int, count: int, word: str = "budget"):
    from corpus.records import Article
    from index.library import make_sentences

    out = []
    for n in range(first, first + count):
        text = f"Council meeting {n} discussed the {word}.\n\nMembers voted {n} to {n + 1} on the plan."
        article = Article(id=f"a{n:04d}", title=f"Meeting {n}", text=text, location=f"/news/{n}.md")
        out.append((article, make_sentences(article)))
    return out


def _content(db) -> tuple[dict, dict, list]:
    articles = {a.id: a.text for a in db.articles()}
    sentences = {s.id: (s.article_id, s.text) for s in db.all_sentences()}
    return articles, sentences, db.annotations("finding")


def test_sqlite_carries_a_linked_base_then_copies_its_own_file_then_merges(tmp_path: Path):
    from index import store
    from index.store import SentenceDB

    versions = [tmp_path / f"v{i}" for i in range(5)]
    for v in versions:
        v.mkdir()
    db = SentenceDB(versions[0] / "index.sqlite")
    for article, sentences in _articles(0, 40):
        db.put_article(article, sentences)
    db.put_annotations("finding", [("f1", None, {"about": "budget vote"})])
    db.commit()
    db.close()

    assert store.carry(versions[0], versions[1]) == "linked"
    assert _inode(versions[1] / "base.sqlite") == _inode(versions[0] / "index.sqlite")
    db = SentenceDB(versions[1] / "index.sqlite")
    db.delete_articles(["a0003"])  # from the base
    replaced = _articles(5, 1, word="harbour")[0]
    db.put_article(*replaced)  # a base article replaced: same id, same sentence ids, new text
    db.put_article(*_articles(100, 1)[0])
    db.commit()
    articles, sentences, findings = _content(db)
    assert len(articles) == 40 and "a0003" not in articles and "harbour" in articles["a0005"]
    assert sum("harbour" in text for _, text in sentences.values()) == 1
    assert findings == [{"about": "budget vote"}]
    db.close()

    assert store.carry(versions[1], versions[2]) == "copied"
    assert _inode(versions[2] / "base.sqlite") == _inode(versions[0] / "index.sqlite")
    db = SentenceDB(versions[2] / "index.sqlite")
    assert _content(db) == (articles, sentences, findings)
    for article, sents in _articles(200, 10):  # a quarter of the base: the next carry merges
        db.put_article(article, sents)
    db.commit()
    expected = _content(db)
    db.close()

    assert store.carry(versions[2], versions[3]) == "merged"
    assert not (versions[3] / "base.sqlite").exists()
    merged = SentenceDB(versions[3] / "index.sqlite", readonly=True)
    assert _content(merged) == expected
    assert merged.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    merged.close()
    assert store.carry(versions[3], versions[4]) == "linked"  # the merged file is the next base
    for v, count in zip(versions[:3], (40, 40, 50), strict=True):  # older versions read as they did
        reader = SentenceDB(v / "index.sqlite", readonly=True)
        assert len(reader.articles()) == count
        reader.close()


def test_many_small_deltas_merge_among_themselves_and_keep_the_base(corpus, tmp_path: Path):
    ids, texts, queries = corpus
    steps = lexical.MAX_SEGMENTS  # the save that makes MAX_SEGMENTS + 1 segments merges the deltas
    cut = len(ids) - 3 * steps  # each delta is three sentences: together far below a tenth of the base
    index = LexicalIndex.build(ids[:cut], texts[:cut])
    index.save(tmp_path / "v0")
    base = index.segments[0].name
    for step in range(steps):
        index = LexicalIndex.load(tmp_path / f"v{step}")
        part = slice(cut + 3 * step, cut + 3 * step + 3)
        index.add(ids[part], texts[part])
        index.save(tmp_path / f"v{step + 1}")
    final = LexicalIndex.load(tmp_path / f"v{steps}")
    assert len(final.segments) == 2 and final.segments[0].name == base
    assert _inode(tmp_path / f"v{steps}" / "bm25" / base / "rows.npy") == _inode(tmp_path / "v0" / "bm25" / base /
                                                                               "rows.npy")
    same_results(final, LexicalIndex.build(ids, texts), queries)
