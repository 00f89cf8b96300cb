"""Learned judges: does this sentence answer the question, and does anything here answer it?

Both are small models over cheap features of the retrieved pool (no second pass through
a transformer): the question's and the sentence's stored MiniLM vectors (cosine, and
against the sentence's neighbours), BM25, rank, how much of the question the sentence
and its context speak to (weighted by how rare each word is in the pool), whether the
sentence holds a candidate answer of the kind the question wants, and the kind itself.

`relevance` scores each (question, sentence); `answerability` scores the question from
its judged pool. Weights live in `models/judge.json`, trained by `bench/train_judge.py`
on SQuAD 2.0's training half (split by article) — see the README for the figures.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.answer_types import VALUE_KINDS, AnswerType, answer_type
from assistant.cross import scorer
from assistant.english import english, lemma_stem
from assistant.entities import tagged
from assistant.retrieval import Hit
from assistant.values import mentioned_in, of_kind
from index.text import STOPWORDS, stem, words

MODEL_PATH = Path(__file__).resolve().parent / "models" / "judge.json"
READ = 5  # the pool's best sentences that the reader (a cross-encoder, assistant/cross.py) reads
RELEVANCE_WEIGHT = 1.0  # the cheap judge's log-odds beside the reader's when re-ranking them
TYPE_GROUPS = (("number", "money", "percent", "score"), ("date",), ("person", "org", "place"), ("reason", "manner"),
               ("verdict",), ("other",))
RELEVANCE_FEATURES = (
    "dense", "dense_gap", "dense_near", "lexical", "lexical_rank", "dense_rank", "fused_rank",
    "cover_sentence", "cover_window", "cover_gap", "missing_window", "anchors_sentence", "anchors_window",
    "bigrams", "typed", "typed_value_kind", "length", *(f"type_{g[0]}" for g in TYPE_GROUPS))
# The features of one sentence alone (no comparison with the rest of the pool): what `support` reads,
# so that two sentences that both answer (two outlets) both score high.
SUPPORT_FEATURES = (
    "dense", "dense_near", "cover_sentence", "cover_window", "missing_window", "anchors_sentence",
    "anchors_window", "bigrams", "typed", "typed_value_kind", "length", *(f"type_{g[0]}" for g in TYPE_GROUPS))
SUPPORT_COLUMNS = [RELEVANCE_FEATURES.index(name) for name in SUPPORT_FEATURES]
ANSWERABILITY_FEATURES = (
    "best", "second", "margin", "mean3", "best_dense", "best_cover_window", "pool_cover", "pool_missing",
    "best_anchors", "pool_anchors", "best_typed", *(f"type_{g[0]}" for g in TYPE_GROUPS))


@dataclass
class Judged:
    """A retrieved sentence as judged for one question."""

    hit: Hit
    context: str  # the sentence with its neighbours
    relevance: float  # probability that the sentence is the pool's answer (ranks the pool)
    features: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, np.float32))
    covered: frozenset[str] = frozenset()  # focus stems the sentence itself speaks to
    support: float = 0.0  # probability that the sentence answers the question, judged on its own
    read: float | None = None  # the reader's probability that it answers (the few best sentences only)

    @property
    def id(self) -> int:
        return self.hit.sentence.id


@lru_cache(maxsize=50_000)
def _stems(text: str) -> frozenset[str]:
    """Stems of the words of a text, and of each pair of adjacent words run together (cached: the
    same sentences and contexts come back question after question)."""
    ws = words(text)
    found = {stem(w) for w in ws}
    found |= {stem(a + b) for a, b in zip(ws, ws[1:])}  # "cease fire" speaks to "ceasefire"
    return frozenset(found)


def _anchors(question: str) -> set[str]:
    """Names and figures in the question (capitalised words after the first, digits)."""
    tokens = question.split()
    out = set()
    for i, token in enumerate(tokens):
        word = token.strip("?.,;:!“”\"'()’s")
        if not word:
            continue
        if (i > 0 and word[:1].isupper()) or any(ch.isdigit() for ch in word):
            out |= {stem(w) for w in words(word) if w not in STOPWORDS}
    return out


def names_found(question: str, text: str) -> float:
    """Share of the question's names that `text` uses, a name matching its other
    forms ("Kenya"/"Kenyan", "Japan"/"Japanese": one is the other plus an ending)."""
    anchors = {a for a in _anchors(question) if not a.isdigit()}  # a year is often "last year" in the text
    if not anchors:
        return 1.0
    stems = _stems(text)
    def found(a: str) -> bool:
        return a in stems or (len(a) >= 5 and any(len(s) >= 5 and (s.startswith(a[:-1]) or a.startswith(s[:-1]))
                                                  for s in stems))
    return sum(found(a) for a in anchors) / len(anchors)


def _type_row(kind: str) -> list[float]:
    return [float(kind in group) for group in TYPE_GROUPS]


def _typed(kind: str, sentence: str, question: str) -> float:
    """Does the sentence hold a candidate answer of the kind asked (one the question does not name)?"""
    if kind in ("number", "money", "percent", "score", "date"):
        return float(any(not mentioned_in(v, question) for v in of_kind(kind, sentence)))
    if kind in ("person", "org", "place"):
        q = {w.casefold() for w in question.split()}
        caps = [w for w in sentence.split()[1:] if w[:1].isupper() and w.casefold().strip(",.;:’'s") not in q]
        return float(bool(caps))
    if kind == "reason":
        return float(bool(english().reason_markers & set(words(sentence))))
    return 0.5


def relevance_features(question: str, kind: AnswerType, hits: list[Hit], contexts: dict[int, str],
                       near: dict[int, float]) -> tuple[np.ndarray, list[frozenset[str]]]:
    """One row of RELEVANCE_FEATURES per hit; `near` is each hit's best cosine with its neighbours."""
    focus = [t for t in kind.focus if not t.isdigit()] or list(kind.focus)
    anchors = _anchors(question)
    q_words = [stem(w) for w in words(question) if w not in STOPWORDS]
    bigrams = set(zip(q_words, q_words[1:]))
    n = len(hits)
    sent_stems = [_stems(h.sentence.text) for h in hits]
    window_stems = [_stems(contexts.get(h.sentence.id, h.sentence.text) + " " + h.article.title) for h in hits]
    df = {t: sum(t in s for s in window_stems) for t in focus}
    weight = {t: math.log(1 + (n + 1) / (1 + df[t])) for t in focus}
    total = sum(weight.values()) or 1.0
    dense = [h.dense or 0.0 for h in hits]
    lexical = [h.lexical or 0.0 for h in hits]
    top_dense, top_lex = max(dense, default=0.0), max(lexical, default=0.0) or 1.0
    dense_rank = {i: r for r, i in enumerate(sorted(range(n), key=lambda i: -dense[i]))}
    lex_rank = {i: r for r, i in enumerate(sorted(range(n), key=lambda i: -lexical[i]))}
    cover_s = [sum(weight[t] for t in focus if t in s) / total for s in sent_stems]
    top_cover = max(cover_s, default=0.0)
    rows, covered = [], []
    type_row = _type_row(kind.kind)
    for i, hit in enumerate(hits):
        text = hit.sentence.text
        ws = [stem(w) for w in words(text) if w not in STOPWORDS]
        cover_w = sum(weight[t] for t in focus if t in window_stems[i]) / total
        typed = _typed(kind.kind, text, question)
        rows.append([
            dense[i], dense[i] - top_dense, near.get(hit.sentence.id, 0.0),
            lexical[i] / top_lex, 1 / (1 + lex_rank[i]) if lexical[i] else 0.0, 1 / (1 + dense_rank[i]),
            1 / (1 + i), cover_s[i], cover_w, cover_s[i] - top_cover, 1 - cover_w,
            len(anchors & sent_stems[i]) / len(anchors) if anchors else 1.0,
            len(anchors & window_stems[i]) / len(anchors) if anchors else 1.0,
            len(bigrams & set(zip(ws, ws[1:]))) / len(bigrams) if bigrams else 0.0,
            typed, typed * float(kind.kind in VALUE_KINDS), math.log1p(len(ws)), *type_row])
        covered.append(frozenset(t for t in focus if t in sent_stems[i]))
    return np.asarray(rows, dtype=np.float32).reshape(n, len(RELEVANCE_FEATURES)), covered


def answerability_features(kind: AnswerType, judged: list[Judged]) -> np.ndarray:
    """One row of ANSWERABILITY_FEATURES for a question, from its judged pool (best first)."""
    col = {name: i for i, name in enumerate(RELEVANCE_FEATURES)}
    probs = [j.relevance for j in judged] + [0.0, 0.0]
    top = judged[:5]
    if not judged:
        return np.asarray([[0.0] * (len(ANSWERABILITY_FEATURES) - len(TYPE_GROUPS)) + _type_row(kind.kind)],
                          dtype=np.float32)
    best = judged[0].features
    focus = set(kind.focus)
    union = set().union(*(j.covered for j in top)) if top else set()
    row = [probs[0], probs[1], probs[0] - probs[1], float(np.mean(probs[:3])),
           max(float(j.features[col["dense"]]) for j in judged), float(best[col["cover_window"]]),
           len(union & focus) / len(focus) if focus else 1.0,
           min(float(j.features[col["missing_window"]]) for j in top),
           float(best[col["anchors_window"]]), max(float(j.features[col["anchors_window"]]) for j in top),
           float(best[col["typed"]]), *_type_row(kind.kind)]
    return np.asarray([row], dtype=np.float32)


class Model:
    """Standardise, then a small multi-layer perceptron (or a logistic regression: no hidden layer)."""

    def __init__(self, mean: np.ndarray, scale: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray]],
                 threshold: float = 0.5) -> None:
        self.mean, self.scale, self.layers, self.threshold = mean, scale, layers, threshold

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        h = (x - self.mean) / self.scale
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return 1.0 / (1.0 + np.exp(-np.clip(h[:, 0], -30, 30)))

    def to_dict(self) -> dict:
        return {"mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist(),
                "layers": [[w.round(6).tolist(), b.round(6).tolist()] for w, b in self.layers],
                "threshold": self.threshold}

    @classmethod
    def from_dict(cls, data: dict) -> Model:
        return cls(np.asarray(data["mean"], np.float32), np.asarray(data["scale"], np.float32),
                   [(np.asarray(w, np.float32), np.asarray(b, np.float32)) for w, b in data["layers"]],
                   float(data.get("threshold", 0.5)))


@dataclass
class Judges:
    relevance: Model
    answerability: Model
    support: Model
    meta: dict = field(default_factory=dict)

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"relevance": self.relevance.to_dict(), "answerability": self.answerability.to_dict(),
                "support": self.support.to_dict(),
                "features": {"relevance": RELEVANCE_FEATURES, "answerability": ANSWERABILITY_FEATURES,
                             "support": SUPPORT_FEATURES},
                "meta": self.meta}
        path.write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Judges:
        data = json.loads(path.read_text(encoding="utf-8"))
        expected = {"relevance": RELEVANCE_FEATURES, "answerability": ANSWERABILITY_FEATURES,
                    "support": SUPPORT_FEATURES}
        if any(tuple(data["features"].get(name, ())) != names for name, names in expected.items()):
            raise ValueError(f"{path} was trained on other features: run `python bench/train_judge.py`")
        return cls(Model.from_dict(data["relevance"]), Model.from_dict(data["answerability"]),
                   Model.from_dict(data["support"]), data.get("meta", {}))


@lru_cache(maxsize=1)
def judges() -> Judges:
    if not MODEL_PATH.exists():
        raise FileNotFoundError(f"{MODEL_PATH} is missing: run `python bench/train_judge.py`")
    return Judges.load(MODEL_PATH)


def judge(question: str, hits: list[Hit], contexts: dict[int, str], near: dict[int, float],
          model: Judges | None = None, read: bool = True) -> tuple[AnswerType, list[Judged], float]:
    """The question's answer type, its pool judged (best first) and the probability that
    the pool answers it."""
    kind = answer_type(question)
    model = model or judges()
    if not hits:
        return kind, [], 0.0
    x, covered = relevance_features(question, kind, hits, contexts, near)
    probs = model.relevance.probabilities(x)
    support = model.support.probabilities(x[:, SUPPORT_COLUMNS])
    judged = [Judged(h, contexts.get(h.sentence.id, h.sentence.text), float(p), x[i], covered[i], float(support[i]))
              for i, (h, p) in enumerate(zip(hits, probs, strict=True))]
    judged.sort(key=lambda j: (-j.relevance, -j.hit.score))
    answerable = float(model.answerability.probabilities(answerability_features(kind, judged))[0])
    if read and (reader := scorer("reader")) is not None:
        _read(question, judged, reader)
    return kind, judged, answerable


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _read(question: str, judged: list[Judged], reader) -> None:
    """The reader reads the pool's READ best sentences: they are re-ranked by its log-odds beside
    the cheap judge's (RELEVANCE_WEIGHT), and a sentence it judges to answer is supported as much
    as it says (so that two outlets answering in other words than the question's are compared).
    Answer-or-abstain stays the cheap judge's: on SQuAD the reader added 0.4 point to it, and on
    news it abstained on answerable questions asked in other words."""
    top = judged[:READ]
    probs = reader.scores([question] * len(top), [j.hit.sentence.text for j in top])[:, 0]
    for j, p in zip(top, probs, strict=True):
        j.read = float(p)
        j.support = max(j.support, j.read)
        j.relevance = 1.0 / (1.0 + math.exp(-(_logit(j.read) + RELEVANCE_WEIGHT * _logit(j.relevance))))
    judged[:READ] = sorted(top, key=lambda j: -j.relevance)


# answer or abstain ---------------------------------------------------------------

SURE = 0.5  # answerability from which a missing word of the question does not matter
DOUBT = 0.35  # below it, a count whose verb no passage uses ("how many were evacuated") is declined
_COMPOUND = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


@lru_cache(maxsize=4096)
def question_nouns(question: str) -> frozenset[str]:
    """Stems of the nouns and names a question asks about (not generic ones like "people")."""
    generic = english().question_words | english().answer_nouns["manner"] | english().generic_nouns
    out = set()
    for token in tagged(question):
        if token.pos_ in ("NOUN", "PROPN") and token.is_alpha and token.lower_ not in generic \
                and token.lower_ not in STOPWORDS:
            out.add(stem(token.lower_))
    return frozenset(out)


def _whole_words(text: str) -> set[str]:
    """Stems of the words of a text, a hyphenated compound counting as one word ("anti-tank" is not "tank")."""
    out = set()
    for match in _COMPOUND.finditer(text.casefold().replace("’", "'")):
        word = re.sub(r"'s$", "", match.group(0))
        out.add(stem(word) if word.isalpha() else word)
    return out


def _missing(terms: frozenset[str], judged: list[Judged], depth: int) -> set[str]:
    """Of `terms` (stems), those none of the best sentences, their neighbours or titles uses
    (in any form: "deaths" is used by "died", "broke" by "break")."""
    if not terms:
        return set()
    seen: set[str] = set()
    for j in judged[:depth]:
        seen |= _whole_words(j.context + " " + j.hit.article.title)
    derived = {stem(d) for w, d in english().derivations.items() if stem(w) in terms}
    related = {stem(w) for w, d in english().derivations.items() if stem(d) in terms}
    seen_all = seen | {lemma_stem(w) for w in seen}
    return {t for t in terms if t not in seen_all and not any(  # "conversion" uses "convert": six letters alike
        s.startswith(t) or t.startswith(s) or (len(s) >= 6 and len(t) >= 6 and s[:6] == t[:6])
        for s in seen if len(s) >= 5 and len(t) >= 5)
            and not ({stem(english().derivations.get(t, t))} | derived | related) & seen_all}


def missing_nouns(question: str, judged: list[Judged], depth: int = 10) -> set[str]:
    """Nouns of the question that none of the best passages uses."""
    return _missing(question_nouns(question), judged, depth)


def answers(question: str, judged: list[Judged], answerable: float, threshold: float) -> bool:
    """Answer or abstain: the learned answerability, and, short of certainty, every noun the
    question asks about must be used somewhere in the best passages (and, for a count, the
    verb of what is counted: "how many were *evacuated*")."""
    if not judged or answerable < threshold:
        return False
    if answerable >= SURE:
        return True
    counted = answer_type(question).kind in ("number", "money", "percent") and answerable < DOUBT
    return not missing_nouns(question, judged) and not (counted and _missing(question_verbs(question), judged, 10))


@lru_cache(maxsize=4096)
def question_verb_words(question: str) -> tuple[str, ...]:
    """The question's main verbs as written, lower case (what happened: "were *wounded*")."""
    skip = english().auxiliaries | english().question_words | english().light_verbs | english().speech_verbs
    doc = tagged(question)
    verbs = [t for t in doc if t.pos_ == "VERB"]
    if not verbs:  # the tagger reads "the war break out" as a noun: a word before a particle is a verb
        verbs = [t for t in doc[:-1] if doc[t.i + 1].tag_ == "RP"]
    return tuple(dict.fromkeys(t.lower_ for t in verbs if t.is_alpha and t.lower_ not in skip))


def question_verbs(question: str) -> frozenset[str]:
    """Stems of the question's main verbs ("were *wounded*", "did they *win*")."""
    return frozenset(lemma_stem(w) for w in question_verb_words(question))


def answer_threshold(model: Judges | None = None) -> float:
    """The answerability from which a question is answered."""
    return (model or judges()).answerability.threshold
