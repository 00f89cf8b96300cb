"""Train the judges (assistant/models/judge.json) on SQuAD 2.0's training half.

    .venv/bin/python bench/train_judge.py [--data ../shared/data] [--limit N]

SQuAD 2.0 dev (CC BY-SA 4.0) is split by article (eval/squad.py: sorted titles, even
positions train, odd held out). The training articles are indexed as one corpus, each
training question is asked of it, and the pool the assistant would judge is turned into
features by the same code that answers (`assistant.pool.gather`, `assistant.judge`):

- relevance: one row per (question, retrieved sentence), label 1 when the sentence holds
  an answer of an answerable question;
- answerability: one row per question from its judged pool, label `answerable`.

Model choice (logistic regression vs a small MLP) and the abstention threshold are made
on a validation set of training articles held out from fitting (every fourth); the
chosen form is then refitted on all training articles. The held-out half of SQuAD is
never seen here: `bench/squad_bench.py` measures on it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from assistant.answer_types import answer_type  # noqa: E402
from assistant.judge import (  # noqa: E402
    MODEL_PATH,
    SUPPORT_COLUMNS,
    Judged,
    Judges,
    Model,
    answerability_features,
    relevance_features,
)
from assistant.pool import gather  # noqa: E402
from eval.squad import holds_answer, load_squad, questions, split, to_articles  # noqa: E402

log = logging.getLogger("train_judge")
CACHE = ROOT / "bench" / "results" / "judge-train"


def build_rows(data: Path, limit: int | None) -> dict[str, np.ndarray]:
    """Features and labels of every training question's pool (cached on disk)."""
    cache = CACHE / f"rows-{limit or 'all'}.npz"
    if cache.exists():
        return dict(np.load(cache))
    articles = load_squad(data / "squad2" / "dev-v2.0.json")
    train, _ = split(articles)
    folder = CACHE / "index"
    assistant = Assistant.open(folder) if (folder / "current").exists() else None
    if assistant is None:
        assistant = Assistant(folder, load=False)
        assistant.ingest_articles(to_articles(train), rebuild=True)
    asked = questions(train)
    if limit:
        asked = asked[::max(1, len(asked) // limit)][:limit]
    titles = sorted({a.title for a in train})
    rows, labels, groups, folds, answerable = [], [], [], [], []
    for n, q in enumerate(tqdm(asked, desc="pools", unit="question")):
        pool = gather(assistant._retriever, q.question)
        x, _ = relevance_features(q.question, answer_type(q.question), pool.hits, pool.contexts, pool.near)
        for hit, row in zip(pool.hits, x, strict=True):
            s = hit.sentence
            rows.append(row)
            labels.append(int(q.answerable and holds_answer(q, s.article_id, s.start, s.end)))
            groups.append(n)
        folds.append(titles.index(q.article_title) % 4 == 3)
        answerable.append(int(q.answerable))
    CACHE.mkdir(parents=True, exist_ok=True)
    out = {"x": np.asarray(rows, np.float32), "y": np.asarray(labels), "group": np.asarray(groups),
           "validation": np.asarray(folds), "answerable": np.asarray(answerable)}
    np.savez_compressed(cache, **out)
    return out


def fit(form: str, x: np.ndarray, y: np.ndarray) -> Model:
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    if form == "lr":
        clf = LogisticRegression(max_iter=2000, C=1.0).fit(z, y)
        layers = [(clf.coef_.T.astype(np.float32), clf.intercept_.astype(np.float32))]
    else:
        clf = MLPClassifier(hidden_layer_sizes=(32,), alpha=1e-3, max_iter=300, early_stopping=True,
                            random_state=0).fit(z, y)
        layers = [(w.astype(np.float32), b.astype(np.float32)) for w, b in zip(clf.coefs_, clf.intercepts_,
                                                                                   strict=True)]
    return Model(mean.astype(np.float32), scale.astype(np.float32), layers)


def rank1(model: Model, x: np.ndarray, y: np.ndarray, group: np.ndarray, answerable: np.ndarray) -> float:
    """Share of answerable questions whose best-scored pool sentence holds the answer."""
    p = model.probabilities(x)
    hits = total = 0
    for g in np.unique(group):
        if not answerable[g]:
            continue
        rows = np.where(group == g)[0]
        total += 1
        hits += int(y[rows[np.argmax(p[rows])]] == 1)
    return hits / max(1, total)


def answer_rows(model: Model, x: np.ndarray, group: np.ndarray, questions_: list[str]) -> np.ndarray:
    p = model.probabilities(x)
    out = []
    for g, q in enumerate(questions_):
        rows = np.where(group == g)[0]
        order = rows[np.argsort(-p[rows])]
        judged = [Judged(hit=None, context="", relevance=float(p[i]), features=x[i])  # type: ignore[arg-type]
                  for i in order]
        out.append(answerability_features(answer_type(q), judged)[0])
    return np.asarray(out, np.float32)


def best_threshold(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    grid = np.linspace(0.2, 0.8, 61)
    accuracy = [float(((p >= t) == y).mean()) for t in grid]
    i = int(np.argmax(accuracy))
    return float(grid[i]), accuracy[i]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--limit", type=int, default=None, help="train on this many questions (a quick run)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    data = build_rows(args.data, args.limit)
    x, y, group, valid_q, answerable = (data[k] for k in ("x", "y", "group", "validation", "answerable"))
    articles = load_squad(args.data / "squad2" / "dev-v2.0.json")
    asked = questions(split(articles)[0])
    if args.limit:
        asked = asked[::max(1, len(asked) // args.limit)][:args.limit]
    texts = [q.question for q in asked]
    valid_row = valid_q[group]
    report = {}
    for form in ("lr", "mlp"):
        model = fit(form, x[~valid_row], y[~valid_row])
        vx, vy = x[valid_row], y[valid_row]
        vgroup = np.searchsorted(np.where(valid_q)[0], group[valid_row])
        report[form] = rank1(model, vx, vy, vgroup, answerable[valid_q])
        log.info("relevance %s: validation rank-1 %.3f", form, report[form])
    form = max(report, key=report.get)
    relevance = fit(form, x, y)
    support = fit("lr", x[:, SUPPORT_COLUMNS], y)
    q_rows = answer_rows(relevance, x, group, texts)
    fitting = fit("lr", q_rows[~valid_q], answerable[~valid_q])
    threshold, accuracy = best_threshold(fitting.probabilities(q_rows[valid_q]), answerable[valid_q])
    log.info("answerability lr: validation accuracy %.3f at threshold %.2f", accuracy, threshold)
    answerability = fit("lr", q_rows, answerable)
    answerability.threshold = threshold
    train_acc = float(((answerability.probabilities(q_rows) >= threshold) == answerable).mean())
    meta = {"data": "SQuAD 2.0 dev (CC BY-SA 4.0), training half by article (eval/squad.py split)",
            "questions": int(len(texts)), "pairs": int(len(y)), "relevance_form": form,
            "validation_rank1": {k: round(v, 4) for k, v in report.items()},
            "validation_answerability_accuracy": round(accuracy, 4),
            "train_answerability_accuracy": round(train_acc, 4),
            "seconds": round(time.perf_counter() - started, 1)}
    Judges(relevance, answerability, support, meta).save(MODEL_PATH)
    log.info("saved %s: %s", MODEL_PATH, meta)


if __name__ == "__main__":
    main()
