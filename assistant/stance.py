"""Stance of evidence towards a claim: agree, disagree or discuss, with a confidence.

No pre-trained NLI model can be had offline, so this is a small multinomial logistic
regression over two kinds of features:

- words: refuting words ("hoax", "denied", "false"), hedges ("reportedly"), negation on
  one side only, opposite directions ("increases" vs "reduces"), null results ("no
  significant difference"), numbers of the claim missing from the evidence;
- meaning: all-MiniLM-L6-v2 vectors of the claim and of the evidence sentences closest
  to it (their product and difference), from the packaged encoder.

Short evidence (a few rationale sentences) is judged on the words alone; an article body
on words and meaning. The weights (`stance_model.json`, ~100 kB) are fitted by
`bench/train_stance.py` on SciFact train and half of FNC-1's test bodies; the figures
are measured on SciFact dev and the other half (see `bench/stance_bench.py`).
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.text import stem, words

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent / "stance_model.json"
LABELS = ("agree", "disagree", "discuss")
TOP = 3  # evidence sentences closest to the claim that the meaning features look at
WORD_COLUMNS = 25  # the word features and three similarities, before the vector products
SHORT_SENTENCES, SHORT_WORDS = 6, 150

REFUTE = {stem(w) for w in """fake fraud hoax false deny denies denied denial debunk debunked bogus doubt
doubts doubtful untrue rumor rumour myth misleading incorrect satire satirical fabricated prank retract
retracted nope refute refuted contrary contradict dismiss dismissed wrong baseless unfounded""".split()}
HEDGE = {stem(w) for w in """reportedly allegedly alleged claim claims claimed could may might unconfirmed
unverified rumored purportedly apparently possibly suggest suggests according""".split()}
NEGATION = {"not", "no", "never", "none", "nor", "without", "cannot", "n't", "neither", "nothing", "lack",
            "absent", "fail", "failed", "fails"}
UP = {stem(w) for w in """increase increases increased increasing higher high more elevated elevate enhance
enhances enhanced promote promotes promoted raise raises raised greater improve improves improved activate
activates activated induce induces induced stimulate stimulates boost boosts positive positively gain
accelerate accelerates upregulate upregulated upregulation""".split()}
DOWN = {stem(w) for w in """decrease decreases decreased decreasing lower low less reduce reduces reduced
reduction inhibit inhibits inhibited suppress suppresses suppressed decline declines impair impairs impaired
attenuate attenuates block blocks blocked prevent prevents prevented negative negatively fewer loss lose
slow slows downregulate downregulated downregulation""".split()}
NULL_RESULT = re.compile(r"\b(no|not|nor) (statistically )?(significant|significantly|associated|association|"
                         r"effect|difference|different|change|changed|related|correlat\w*|increase|decrease)|"
                         r"\b(did|does|do|was|were|is|are) not\b|\bfailed to\b|\bunchanged\b|\bno evidence\b", re.I)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")


def _word_features(claim: str, evidence: Sequence[str], top: Sequence[str]) -> list[float]:
    """Hand-made features: refuting words, hedges, negation, direction, null results, numbers,
    and two rules on the closest sentence (negated / opposite direction)."""
    c_words = words(claim)
    c_stems = {stem(w) for w in c_words}
    top_text = " ".join(top)
    t_words = words(top_text)
    t_stems = {stem(w) for w in t_words}
    per_sentence = [{stem(w) for w in words(s)} for s in evidence] or [set()]
    refute_share = sum(bool(s & REFUTE) for s in per_sentence) / len(per_sentence)
    hedge_share = sum(bool(s & HEDGE) for s in per_sentence) / len(per_sentence)
    neg_c = float(any(w in NEGATION for w in c_words))
    neg_t = float(any(w in NEGATION for w in t_words))
    up_c, down_c = float(bool(c_stems & UP)), float(bool(c_stems & DOWN))
    up_t, down_t = float(bool(t_stems & UP)), float(bool(t_stems & DOWN))
    numbers_c = set(_NUMBER.findall(claim))
    numbers_e = set(_NUMBER.findall(" ".join(evidence)))
    overlap = len(c_stems & t_stems) / max(1, len(c_stems | t_stems))
    negated, reversed_ = _contrast(claim, c_stems, evidence)
    return [
        refute_share, float(bool(t_stems & REFUTE)), float(bool(c_stems & REFUTE)),
        hedge_share, float(bool(c_stems & HEDGE)), float("?" in claim),
        neg_c, neg_t, float(neg_c != neg_t),
        up_c, down_c, up_t, down_t, up_c * down_t + down_c * up_t, up_c * up_t + down_c * down_t,
        float(bool(NULL_RESULT.search(top_text))), float(bool(NULL_RESULT.search(claim))),
        float(bool(numbers_c) and bool(numbers_e) and not numbers_c <= numbers_e),
        overlap, math.log1p(len(evidence)), negated, reversed_,
    ]


def _contrast(claim: str, c_stems: set[str], evidence: Sequence[str]) -> tuple[float, float]:
    """Rules on the evidence sentence sharing most words with the claim (when it shares at
    least 40% of them): is one negated and not the other; do they go opposite ways?"""
    if not evidence:
        return 0.0, 0.0
    best = max(evidence, key=lambda s: len(c_stems & {stem(w) for w in words(s)}))
    b_stems = {stem(w) for w in words(best)}
    if len(c_stems & b_stems) < 0.4 * max(1, len(c_stems)):
        return 0.0, 0.0
    claim_negated = bool(NULL_RESULT.search(claim)) or any(w in NEGATION for w in words(claim))
    negated = claim_negated != bool(NULL_RESULT.search(best))
    reversed_ = (bool(c_stems & UP) and bool(b_stems & DOWN) and not b_stems & UP) or (
        bool(c_stems & DOWN) and bool(b_stems & UP) and not b_stems & DOWN)
    return float(negated), float(reversed_)


def features(claim: str, evidence: Sequence[str], claim_vec: np.ndarray, evidence_vecs: np.ndarray) -> np.ndarray:
    """The feature vector of one (claim, evidence) pair, given their unit sentence vectors."""
    if len(evidence) == 0:
        evidence, evidence_vecs = [""], np.zeros((1, claim_vec.shape[0]), dtype=np.float32)
    sims = evidence_vecs @ claim_vec
    order = np.argsort(-sims)[:TOP]
    top = [evidence[i] for i in sorted(order)]
    centre = evidence_vecs[order].mean(axis=0)
    meaning = [float(sims.max()), float(sims[order].mean()), float(sims.mean())]
    return np.concatenate([np.asarray(_word_features(claim, evidence, top) + meaning, dtype=np.float32),
                           claim_vec * centre, np.abs(claim_vec - centre)]).astype(np.float32)


def featurize(pairs: Sequence[tuple[str, Sequence[str]]], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Features of many pairs, embedding each distinct text once."""
    texts = list(dict.fromkeys([c for c, _ in pairs] + [s for _, ev in pairs for s in ev]))
    vectors = encode(texts) if texts else np.zeros((0, 384), dtype=np.float32)
    row = {t: i for i, t in enumerate(texts)}
    dim = vectors.shape[1] if len(vectors) else 384
    return np.stack([features(c, ev, vectors[row[c]],
                              vectors[[row[s] for s in ev]] if ev else np.zeros((0, dim), np.float32))
                     for c, ev in pairs])


def is_short(evidence: Sequence[str]) -> bool:
    """A few chosen sentences (a rationale), as opposed to a whole article body."""
    return len(evidence) <= SHORT_SENTENCES and sum(len(s.split()) for s in evidence) <= SHORT_WORDS


class Head:
    """Standardise the first `columns` features, then a multinomial logistic regression."""

    def __init__(self, labels: Sequence[str], columns: int, mean: np.ndarray, scale: np.ndarray,
                 coef: np.ndarray, intercept: np.ndarray) -> None:
        self.labels, self.columns = tuple(labels), columns
        self.mean, self.scale, self.coef, self.intercept = mean, scale, coef, intercept

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        logits = ((x[:, :self.columns] - self.mean) / self.scale) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict:
        return {"labels": list(self.labels), "columns": self.columns,
                **{k: np.round(getattr(self, k), 6).tolist() for k in ("mean", "scale", "coef", "intercept")}}

    @classmethod
    def from_dict(cls, data: dict) -> Head:
        return cls(data["labels"], data["columns"],
                   *(np.asarray(data[k], dtype=np.float32) for k in ("mean", "scale", "coef", "intercept")))


class StanceModel:
    """Two heads: words only for short evidence (rationales), words and meaning for article bodies.

    Word features carry across SciFact and news alike; the sentence-vector features help on
    news bodies but overfit the few hundred scientific rationales, hence the split.
    """

    def __init__(self, short: Head, long: Head) -> None:
        self.short, self.long = short, long

    def scores(self, x: np.ndarray, short: np.ndarray) -> list[dict[str, float]]:
        """Per pair, the probability of each label (the head's labels only)."""
        out: list[dict[str, float]] = [{} for _ in range(len(x))]
        for head, rows in ((self.short, np.where(short)[0]), (self.long, np.where(~short)[0])):
            if len(rows):
                for i, p in zip(rows, head.probabilities(x[rows]), strict=True):
                    out[i] = {label: float(v) for label, v in zip(head.labels, p, strict=True)}
        return out

    def predict(self, x: np.ndarray, short: np.ndarray) -> list[tuple[str, float]]:
        return [max(s.items(), key=lambda kv: kv[1]) for s in self.scores(x, short)]

    def save(self, path: Path, meta: dict | None = None) -> None:
        data = {"short": self.short.to_dict(), "long": self.long.to_dict(), "meta": meta or {}}
        path.write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> StanceModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(Head.from_dict(data["short"]), Head.from_dict(data["long"]))


@lru_cache(maxsize=1)
def _model() -> StanceModel:
    if not MODEL_PATH.exists():
        raise FileNotFoundError(f"{MODEL_PATH} is missing: run `python bench/train_stance.py`")
    return StanceModel.load(MODEL_PATH)


def _encode(texts: list[str]) -> np.ndarray:
    from index.embed import load_encoder

    return load_encoder().encode(texts)


def stance_scores(pairs: Sequence[tuple[str, Sequence[str]]],
                  encode: Callable[[list[str]], np.ndarray] | None = None) -> list[dict[str, float]]:
    """For each (claim, evidence) pair, the probability of agree, disagree (and discuss).
    `encode` gives the texts' unit vectors (the packaged encoder when not given)."""
    if not pairs:
        return []
    short = np.array([is_short(evidence) for _, evidence in pairs])
    return _model().scores(featurize(pairs, encode or _encode), short)


def stance_many(pairs: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[str, float]]:
    """`stance` for many pairs at once (one embedding pass)."""
    return [max(s.items(), key=lambda kv: kv[1]) for s in stance_scores(pairs)]


def stance(claim: str, evidence: list[str]) -> tuple[str, float]:
    """("agree" | "disagree" | "discuss", confidence in 0..1) of `evidence` towards `claim`."""
    return stance_many([(claim, evidence)])[0]
