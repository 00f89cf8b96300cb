"""SciFact and FNC-1 loaders on small slices of the real files (skipped where ../shared/data is absent)."""

from __future__ import annotations

import pytest

from eval import fnc1, scifact
from eval.data import DataMissing, data_root, dataset_dir
from index.split import split_sentences

DATA = data_root()
needs_scifact = pytest.mark.skipif(not (DATA / "scifact" / "corpus.jsonl").is_file(),
                                   reason=f"SciFact data absent: {DATA / 'scifact'} not found")
needs_fnc1 = pytest.mark.skipif(not (DATA / "fnc1" / "competition_test_stances.csv").is_file(),
                                reason=f"FNC-1 data absent: {DATA / 'fnc1'} not found")


def test_missing_data_says_where(tmp_path):
    with pytest.raises(DataMissing, match=r"scifact: .*corpus.jsonl not found"):
        scifact.load_corpus(tmp_path)
    with pytest.raises(DataMissing, match=r"fnc1: .*competition_test_stances.csv not found"):
        fnc1.load_pairs(tmp_path)


def test_dataset_dir_accepts_the_root_or_the_set_folder(tmp_path):
    (tmp_path / "scifact").mkdir()
    (tmp_path / "scifact" / "corpus.jsonl").write_text("")
    assert dataset_dir("scifact", tmp_path, ("corpus.jsonl",)) == tmp_path / "scifact"
    assert dataset_dir("scifact", tmp_path / "scifact", ("corpus.jsonl",)) == tmp_path / "scifact"


@needs_scifact
def test_scifact_corpus_slice():
    abstracts = scifact.load_corpus(limit=50)
    assert len(abstracts) == 50
    first = abstracts[0]
    assert first.doc_id == 4983 and first.title.startswith("Microstructural development")
    assert len(first.sentences) > 3 and all(isinstance(s, str) for s in first.sentences)


@needs_scifact
def test_scifact_article_has_one_paragraph_per_sentence():
    """The engine's splitter must give paragraph p for abstract sentence kept[p] (the citation unit)."""
    for abstract in scifact.load_corpus(limit=200):
        article = abstract.article()
        assert article.id == f"scifact:{abstract.doc_id}"
        assert scifact.doc_id_of(article.id) == abstract.doc_id
        paragraphs = {p for _, _, p in split_sentences(article.text)}
        wordless = {p for p, i in enumerate(abstract.kept) if not any(c.isalnum() for c in abstract.sentences[i])}
        assert paragraphs == set(range(len(abstract.kept))) - wordless, abstract.doc_id  # '"' alone: no sentence
        for start, end, p in split_sentences(article.text):
            original = " ".join(abstract.sentences[abstract.kept[p]].split())
            assert article.text[start:end] in original


@needs_scifact
def test_scifact_claims_dev():
    claims = scifact.load_claims(split="dev")
    everything = scifact.load_claims(split="dev", with_evidence=False)
    assert len(everything) == 300 and len(claims) == 188
    claim = next(c for c in claims if c.id == 3)
    assert claim.evidence == {14717500: (((2, 5), "SUPPORT"), ((7,), "SUPPORT"))}
    assert claim.rationale_units() == {(14717500, 2), (14717500, 5), (14717500, 7)}
    assert claim.cited == (14717500,)
    assert sum(len(set(c.cited)) for c in everything) == 339  # BEIR's SciFact test judgements
    labels = {label for c in claims for sets in c.evidence.values() for _, label in sets}
    assert labels == {"SUPPORT", "CONTRADICT"}
    with pytest.raises(ValueError, match="unknown SciFact split"):
        scifact.load_claims(split="test")


@needs_fnc1
def test_fnc1_bodies_and_pairs():
    bodies = fnc1.load_bodies(limit=20)
    assert len(bodies) == 20 and bodies[1].startswith("Al-Sisi has denied Israeli reports")
    everything = fnc1.load_bodies(files=(fnc1.TEST_BODIES, fnc1.TRAIN_BODIES))
    assert len(everything) >= 2500
    pairs = fnc1.load_pairs()
    assert len(pairs) == 1903 + 697 + 4464
    assert {p.stance for p in pairs} == set(fnc1.RELATED)
    sample = fnc1.load_pairs(limit=300)
    assert len(sample) == 300 and sample == fnc1.load_pairs(limit=300)  # a fixed sample
    assert {p.stance for p in sample} == set(fnc1.RELATED)
    assert len(fnc1.load_pairs(related_only=False)) == 25413
    odd, even = fnc1.load_pairs(bodies="odd"), fnc1.load_pairs(bodies="even")
    assert len(odd) + len(even) == len(pairs)
    assert all(p.body_id % 2 for p in odd) and not any(p.body_id % 2 for p in even)
    with pytest.raises(ValueError, match="bodies must be"):
        fnc1.load_pairs(bodies="half")


@needs_fnc1
def test_fnc1_body_sentences_and_article():
    bodies = fnc1.load_bodies(limit=5)
    text = bodies[2]
    sentences = fnc1.body_sentences(text)
    assert len(sentences) > 3 and sentences[0].startswith("A bereaved Afghan mother")
    article = fnc1.body_article(2, text)
    assert article.id == "fnc1:2" and article.location == "fnc1://competition_test_bodies.csv#2"


def test_fnc1_scores_known_figures():
    gold = ["agree", "agree", "disagree", "discuss", "discuss", "discuss"]
    pred = ["agree", "discuss", "agree", "discuss", "discuss", "agree"]
    figures = fnc1.scores(gold, pred)
    agree, disagree, discuss = (figures["classes"][c] for c in ("agree", "disagree", "discuss"))
    assert (agree["precision"], agree["recall"], agree["f1"], agree["support"]) == (0.3333, 0.5, 0.4, 2)
    assert (disagree["precision"], disagree["recall"], disagree["f1"]) == (0.0, 0.0, 0.0)
    assert (discuss["precision"], discuss["recall"], discuss["f1"]) == (0.6667, 0.6667, 0.6667)
    assert figures["accuracy"] == 0.5 and figures["macro_f1"] == pytest.approx((0.4 + 0 + 2 / 3) / 3, abs=1e-4)
    assert figures["confusion"]["discuss"] == {"agree": 1, "disagree": 0, "discuss": 2}


@needs_fnc1
def test_fnc1_evaluate_with_a_given_stance_function():
    """The loop and scoring with a trivial stance function (the real one is exercised by the bench)."""
    bodies = fnc1.load_bodies()
    pairs = fnc1.load_pairs(limit=30)
    seen = []

    def always_discuss(claim: str, evidence: list[str]) -> tuple[str, float]:
        seen.append((claim, len(evidence)))
        return "discuss", 1.0

    figures = fnc1.evaluate(pairs, bodies, stance=always_discuss, progress=False)
    assert len(seen) == 30 and all(n > 0 for _, n in seen)
    assert figures["classes"]["discuss"]["recall"] == 1.0
    assert figures["classes"]["agree"]["recall"] == 0.0
    batched = fnc1.evaluate(pairs, bodies, batch=lambda chunk: [("agree", 1.0)] * len(chunk), batch_size=7,
                            progress=False)
    assert batched["classes"]["agree"]["recall"] == 1.0 and batched["pairs"] == 30


def test_an_interrupted_scifact_build_is_cleared_but_nothing_else(tmp_path):
    unfinished = tmp_path / "scifact-index"
    (unfinished / "v-20260101T000000-1").mkdir(parents=True)
    (unfinished / ".lock").write_text("")
    scifact._clear_index(unfinished)
    assert not unfinished.exists()
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not an index"):
        scifact._clear_index(other)
    assert (other / "notes.txt").exists()
