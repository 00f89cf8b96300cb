"""Vector backends by name (index/ann): real FAISS, real encoder, real index folders."""

from __future__ import annotations

import json

import numpy as np
import pytest

from corpus.records import Article
from index import ann, library
from index.ann import factory, faiss_ivf
from index.embed import load_encoder
from index.library import Index, IndexMismatch
from index.manifest import Manifest

DIM = 64


def clustered(n: int, seed: int, centres: int = 40, spread: float = 0.35) -> np.ndarray:
    """Unit vectors around a few centres: neighbourhoods like a text encoder's, not uniform noise."""
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centres, DIM))
    x = middle[rng.integers(0, centres, n)] + spread * rng.standard_normal((n, DIM))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def ids_for(n: int, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).choice(2 ** 53, n, replace=False).astype(np.int64)


def filled(name: str, n: int = 4000) -> tuple[ann.VectorStore, np.ndarray, np.ndarray]:
    vectors, ids = clustered(n, 1), ids_for(n)
    store = ann.create(name, DIM, n)
    for start in range(0, n, 97):  # in article-sized pieces, as the library adds them
        store.add(ids[start:start + 97], vectors[start:start + 97])
    return store, ids, vectors


def top(store, query: np.ndarray, k: int = 10, allowed=None) -> list[int]:
    return [i for i, _ in store.search(query, k, allowed)]


@pytest.mark.parametrize("name", ["faiss-flat", "faiss-ivf-sq8"])
def test_each_backend_by_name_finds_a_stored_vector_first_and_survives_save_and_load(name, tmp_path):
    store, ids, vectors = filled(name)
    assert type(store).NAME == name and len(store) == len(ids)
    for row in (0, 1234, 3999):
        best, score = store.search(vectors[row], 1)[0]
        assert best == ids[row] and score == pytest.approx(1.0, abs=0.02)
    queries = clustered(20, 99)
    before = [top(store, q) for q in queries]
    store.save(tmp_path)
    again = ann.load(name, tmp_path)
    assert type(again) is type(store) and len(again) == len(store)
    assert [top(again, q) for q in queries] == before
    read = again.vectors([int(ids[5]), -1])
    assert float(read[0] @ vectors[5]) > 0.99 and not read[1].any()


def test_the_approximate_backend_finds_what_exact_search_finds():
    flat, _, _ = filled("faiss-flat")
    approx, _, _ = filled("faiss-ivf-sq8")
    assert approx.index.nprobe < approx.index.nlist  # it does scan less than everything
    queries = clustered(200, 42)  # not the stored vectors: new points from the same neighbourhoods
    recall = np.mean([len(set(top(flat, q)) & set(top(approx, q))) / 10 for q in queries])
    assert recall >= 0.97


def test_removal_and_filters_on_the_approximate_backend(monkeypatch):
    flat, ids, vectors = filled("faiss-flat")
    approx, _, _ = filled("faiss-ivf-sq8")
    gone = ids[:500]
    flat.remove(gone)
    approx.remove(gone)
    assert len(approx) == len(ids) - 500
    assert not approx.vectors([int(gone[0])]).any()
    assert all(i not in set(gone.tolist()) for q in vectors[:50] for i in top(approx, q, 20))
    assert top(approx, vectors[600], 1) == [ids[600]]
    queries = clustered(50, 5)
    small = ids[400:900]  # a few hundred allowed, some of them removed: searched exactly
    for q in queries[:10]:
        found = top(approx, q, 10, small)
        assert set(found) <= set(small[100:].tolist())
        assert len(set(found) & set(top(flat, q, 10, small))) >= 9
    # a large allowed set: searched unfiltered and post-filtered (made "large" here by lowering the line)
    monkeypatch.setattr(faiss_ivf, "EXACT_LIMIT", 1000)
    large = ids[::2]
    overlaps = [len(set(top(approx, q, 10, large)) & set(top(flat, q, 10, large))) / 10 for q in queries]
    assert all(set(top(approx, q, 10, large)) <= set(large.tolist()) for q in queries[:5])
    assert np.mean(overlaps) >= 0.95
    # and through an id selector with a wider probe, when post-filtering would fetch too many
    monkeypatch.setattr(faiss_ivf, "POSTFILTER_MAX", 0)
    selected = [len(set(top(approx, q, 10, large)) & set(top(flat, q, 10, large))) / 10 for q in queries]
    assert all(set(top(approx, q, 10, large)) <= set(large.tolist()) for q in queries[:5])
    assert np.mean(selected) >= 0.95
    assert approx.search(queries[0], 5, np.array([], dtype=np.int64)) == []


def test_vectors_move_between_backends_with_their_ids():
    flat, ids, vectors = filled("faiss-flat", 3000)
    moved = ann.convert(flat, "faiss-ivf-sq8", DIM)
    assert type(moved).NAME == "faiss-ivf-sq8" and len(moved) == 3000
    assert sorted(moved.all()[0].tolist()) == sorted(ids.tolist())
    assert top(moved, vectors[17], 1) == [ids[17]]
    assert ann.convert(moved, "faiss-flat", DIM).search(vectors[17], 1)[0][0] == ids[17]


def test_pick_goes_approximate_above_the_size_and_a_name_asked_for_wins():
    limit = factory.APPROXIMATE_ABOVE
    assert ann.pick(limit) == "faiss-flat" and ann.pick(limit + 1) == "faiss-ivf-sq8"
    assert ann.pick(limit + 1, "faiss-flat") == "faiss-flat"
    assert ann.pick(10, "faiss-ivf-sq8") == "faiss-ivf-sq8"
    # once approximate, an index stays so until it is well under the line
    assert ann.pick(limit - 1, current="faiss-ivf-sq8") == "faiss-ivf-sq8"
    assert ann.pick(limit // 2 - 1, current="faiss-ivf-sq8") == "faiss-flat"
    with pytest.raises(ann.UnknownBackend, match="faiss-flat"):
        ann.pick(10, "annoy")


# --- through the library: the manifest records the backend ---------------------------------------

def articles(count: int, start: int = 0) -> list[Article]:
    out = []
    for n in range(start, start + count):
        text = (f"The council of town {n} approved a budget of {n * 3 + 7} million on Monday. "
                f"Residents of town {n} protested against the new parking rules. "
                f"A storm closed {n % 5 + 2} schools in the district of town {n} for a week.")
        out.append(Article(id=f"t{n}", title=f"Town {n} news", text=text, outlet="Test Wire",
                           location=f"test://town/{n}"))
    return out


@pytest.fixture(scope="module")
def encoder():
    return load_encoder()


def test_the_manifest_records_the_backend_and_the_index_answers_through_it(tmp_path, encoder):
    folder = tmp_path / "index"
    library.update(folder, articles(12), encoder=encoder, progress=False, vector_backend="faiss-ivf-sq8")
    manifest = Manifest.load(library.current_version(folder))
    assert (manifest.vector_backend, manifest.vector_backend_choice) == ("faiss-ivf-sq8", "faiss-ivf-sq8")
    index = Index.open(folder, encoder)
    try:
        assert type(index.vectors).NAME == "faiss-ivf-sq8" and len(index.vectors) == 36
        query = encoder.encode(["How many schools did the storm close in town 7?"])[0]
        best = index.db.sentences([index.vectors.search(query, 1)[0][0]])
        assert "town 7" in next(iter(best.values())).text
    finally:
        index.close()
    # a later update without a name keeps what was asked for, and removes through it
    library.update(folder, [], encoder=encoder, progress=False, remove=["t3"])
    manifest = Manifest.load(library.current_version(folder))
    assert manifest.vector_backend == "faiss-ivf-sq8" and manifest.sentences == 33


def test_an_index_grows_into_the_approximate_backend_by_itself(tmp_path, encoder, monkeypatch):
    monkeypatch.setattr(factory, "APPROXIMATE_ABOVE", 40)
    folder = tmp_path / "index"
    library.update(folder, articles(10), encoder=encoder, progress=False)
    assert Manifest.load(library.current_version(folder)).vector_backend == "faiss-flat"
    library.update(folder, articles(10, start=10), encoder=encoder, progress=False)
    manifest = Manifest.load(library.current_version(folder))
    assert (manifest.vector_backend, manifest.vector_backend_choice, manifest.sentences) == \
        ("faiss-ivf-sq8", "auto", 60)
    index = Index.open(folder, encoder)
    try:
        assert len(index.vectors) == 60
    finally:
        index.close()


def test_old_manifests_load_as_flat_and_an_unknown_backend_is_one_line(tmp_path, encoder):
    folder = tmp_path / "index"
    library.update(folder, articles(3), encoder=encoder, progress=False)
    version = library.current_version(folder)
    data = json.loads((version / "manifest.json").read_text())
    for key in ("vector_backend", "vector_backend_choice", "lexical_backend", "backend_options"):
        data.pop(key)
    (version / "manifest.json").write_text(json.dumps(data))
    old = Manifest.load(version)
    assert (old.vector_backend, old.lexical_backend) == ("faiss-flat", "bm25s")
    Index.open(folder, encoder).close()
    data["vector_backend"] = "annoy"
    (version / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(IndexMismatch, match="'annoy', which this installation does not know"):
        Index.open(folder, encoder)
