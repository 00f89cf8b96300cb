"""Fit the stance classifier (assistant/stance_model.json) on data kept apart from the figures.

Fitted on: SciFact `claims_train` (claim vs each rationale set: SUPPORT -> agree,
CONTRADICT -> disagree) and the FNC-1 competition-test pairs whose Body ID is even
(related pairs only: agree / disagree / discuss). The figures in
`bench/stance_bench.py` come from SciFact dev and the FNC-1 bodies with odd ids.
Two heads (see assistant/stance.py); their regularisation is chosen by cross-validation
inside the fitting data, grouped by claim and by body so no group is on both sides of a fold.

    .venv/bin/python bench/train_stance.py            # reads ../shared/data
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.stance import LABELS, MODEL_PATH, WORD_COLUMNS, Head, StanceModel, featurize, is_short  # noqa: E402
from index.split import split_sentences  # noqa: E402

log = logging.getLogger("train_stance")
DATA = ROOT.parent / "shared" / "data"
SCIFACT_LABEL = {"SUPPORT": "agree", "CONTRADICT": "disagree"}

Pair = tuple[str, list[str]]


def scifact_pairs(split: str, per: str = "doc") -> tuple[list[Pair], list[str], list[str]]:
    """(claim, rationale sentences) pairs, labels and group ids. per="doc": all rationale
    sentences of one abstract together; per="set": one pair per rationale set."""
    corpus = {}
    with open(DATA / "scifact" / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            corpus[str(doc["doc_id"])] = doc["abstract"]
    pairs, labels, groups = [], [], []
    with open(DATA / "scifact" / f"claims_{split}.jsonl", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            for doc_id, sets in item["evidence"].items():
                abstract = corpus[str(doc_id)]
                chunks = [sorted({i for s in sets for i in s["sentences"]})] if per == "doc" else \
                    [s["sentences"] for s in sets]
                for chunk, label in zip(chunks, [sets[0]["label"]] * len(chunks) if per == "doc"
                                        else [s["label"] for s in sets], strict=True):
                    pairs.append((item["claim"], [abstract[i] for i in chunk]))
                    labels.append(SCIFACT_LABEL[label])
                    groups.append(f"sf{item['id']}")
    return pairs, labels, groups


def fnc_pairs(half: str) -> tuple[list[Pair], list[str], list[str]]:
    """Related FNC-1 competition-test pairs (headline, body sentences) of the even or odd bodies."""
    folder = DATA / "fnc1"
    bodies = {}
    with open(folder / "competition_test_bodies.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = row["articleBody"]
            bodies[row["Body ID"]] = [text[s:e] for s, e, _ in split_sentences(text)]
    pairs, labels, groups = [], [], []
    with open(folder / "competition_test_stances.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Stance"] == "unrelated" or (int(row["Body ID"]) % 2 == 0) != (half == "even"):
                continue
            pairs.append((row["Headline"], bodies[row["Body ID"]]))
            labels.append(row["Stance"])
            groups.append(f"fnc{row['Body ID']}")
    return pairs, labels, groups


def cached_encoder(cache: Path | None) -> Callable[[list[str]], np.ndarray]:
    """The sentence encoder, with an optional on-disk cache of vectors (outside the repo)."""
    from index.embed import load_encoder

    def encode(texts: list[str]) -> np.ndarray:
        if cache is None:
            return load_encoder().encode(texts)
        cache.mkdir(parents=True, exist_ok=True)
        key = hashlib.sha1("\x1f".join(texts).encode()).hexdigest()[:20]
        path = cache / f"{key}.npy"
        if path.exists():
            return np.load(path)
        vectors = load_encoder().encode(texts)
        np.save(path, vectors)
        return vectors

    return encode


def _f1(y_true: list[str], y_pred: list[str], label: str) -> float:
    tp = sum(t == p == label for t, p in zip(y_true, y_pred, strict=True))
    fp = sum(p == label != t for t, p in zip(y_true, y_pred, strict=True))
    fn = sum(t == label != p for t, p in zip(y_true, y_pred, strict=True))
    return 2 * tp / max(1, 2 * tp + fp + fn)


def fit_head(x: np.ndarray, y: np.ndarray, columns: int, c: float) -> Head:
    """One logistic-regression head on the first `columns` features, classes weighted by rarity."""
    from sklearn.linear_model import LogisticRegression

    x = x[:, :columns]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    clf.fit((x - mean) / scale, y)
    labels = [label for label in LABELS if label in clf.classes_]
    order = [list(clf.classes_).index(label) for label in labels]
    return Head(labels, columns, mean, scale, clf.coef_[order], clf.intercept_[order])


def fit(x: np.ndarray, y: np.ndarray, short: np.ndarray, c_short: float, c_long: float) -> StanceModel:
    """The words head learns from every pair; the full head from the long (article) pairs."""
    return StanceModel(fit_head(x, y, WORD_COLUMNS, c_short), fit_head(x[~short], y[~short], x.shape[1], c_long))


def choose(x: np.ndarray, y: np.ndarray, short: np.ndarray, groups: list[str],
           domain: np.ndarray) -> tuple[float, float]:
    """Grid search by grouped 5-fold CV; score = mean F1 of `disagree` over the two data sets."""
    from sklearn.model_selection import GroupKFold

    best, best_score = (0.03, 0.003), -1.0
    for c_short in (0.03, 0.3):
        for c_long in (0.001, 0.003, 0.01):
            predicted = np.empty(len(y), dtype=object)
            for train, test in GroupKFold(n_splits=5).split(x, y, groups):
                model = fit(x[train], y[train], short[train], c_short, c_long)
                predicted[test] = [label for label, _ in model.predict(x[test], short[test])]
            scores = [_f1(list(y[domain == d]), list(predicted[domain == d]), "disagree") for d in (0, 1)]
            score = float(np.mean(scores))
            log.info("C short=%s long=%s: disagree F1 scifact %.3f fnc %.3f", c_short, c_long, *scores)
            if score > best_score:
                best, best_score = (c_short, c_long), score
    return best


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not (DATA / "scifact").exists() or not (DATA / "fnc1").exists():
        print(f"skipped: {DATA} (SciFact, FNC-1) is not there")
        return 0
    cache = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    sf_pairs, sf_labels, sf_groups = scifact_pairs("train", per="set")
    fn_pairs, fn_labels, fn_groups = fnc_pairs("even")
    encode = cached_encoder(cache)
    x = np.concatenate([featurize(sf_pairs, encode), featurize(fn_pairs, encode)])
    y = np.array(sf_labels + fn_labels)
    short = np.array([is_short(evidence) for _, evidence in sf_pairs + fn_pairs])
    domain = np.array([0] * len(sf_pairs) + [1] * len(fn_pairs))
    c_short, c_long = choose(x, y, short, sf_groups + fn_groups, domain)
    model = fit(x, y, short, c_short, c_long)
    meta = {"fitted_on": "SciFact claims_train rationale sets + FNC-1 competition_test even Body IDs",
            "C_short": c_short, "C_long": c_long, "pairs": len(y)}
    model.save(MODEL_PATH, meta)
    print(f"saved {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} kB): C short={c_short} long={c_long}, "
          f"{len(y)} pairs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
