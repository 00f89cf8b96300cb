"""FNC-1 (Fake News Challenge, stage 1): the stance of a news article towards a headline.

Only the related pairs are scored (agree / disagree / discuss), for the stance the
assistant's disagreement detection gives: `assistant.stance.stance(headline, body
sentences)`. Figures: per-class precision, recall and F1, accuracy, macro F1 and the
confusion matrix.

    bodies = load_bodies()
    pairs = load_pairs(related_only=True)
    figures = evaluate(pairs, bodies)
"""

from __future__ import annotations

import csv
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from corpus.records import Article
from eval.data import dataset_dir

log = logging.getLogger(__name__)

NAME = "fnc1"
TEST_BODIES = "competition_test_bodies.csv"
TEST_STANCES = "competition_test_stances.csv"
TRAIN_BODIES = "train_bodies.csv"
STANCES = ("agree", "disagree", "discuss", "unrelated")
RELATED = ("agree", "disagree", "discuss")

StanceFn = Callable[[str, list[str]], tuple[str, float]]
BatchStanceFn = Callable[[list[tuple[str, list[str]]]], list[tuple[str, float]]]


@dataclass(frozen=True)
class Pair:
    """A headline, the body it is paired with, and the gold stance."""

    headline: str
    body_id: int
    stance: str


def _rows(path: Path, columns: tuple[str, ...]):
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: column {missing[0]!r} is missing (found {reader.fieldnames})")
        for row in reader:
            yield reader.line_num, row


def load_bodies(path: Path | str | None = None, *, files: tuple[str, ...] = (TEST_BODIES,),
                limit: int | None = None) -> dict[int, str]:
    """Body ID -> article body, from the given body files (default: the competition test bodies)."""
    folder = dataset_dir(NAME, path, files)
    bodies: dict[int, str] = {}
    for filename in files:
        for line, row in _rows(folder / filename, ("Body ID", "articleBody")):
            try:
                bodies[int(row["Body ID"])] = row["articleBody"]
            except ValueError:
                raise ValueError(f"{folder / filename}: line {line}: Body ID {row['Body ID']!r} "
                                 "is not a number") from None
            if limit is not None and len(bodies) >= limit:
                return bodies
    return bodies


def load_pairs(path: Path | str | None = None, *, related_only: bool = True, bodies: str = "all",
               limit: int | None = None, seed: int = 0) -> list[Pair]:
    """The competition test pairs (related ones only by default).

    `bodies` keeps the pairs whose Body ID is "odd", "even" or "all": the stance model is
    fitted on the even ones, so its fair test is the odd half. With `limit`, a random
    sample of that size (fixed `seed`) keeps the class mix.
    """
    if bodies not in ("all", "odd", "even"):
        raise ValueError(f"bodies must be 'all', 'odd' or 'even', not {bodies!r}")
    folder = dataset_dir(NAME, path, (TEST_STANCES,))
    pairs = []
    for line, row in _rows(folder / TEST_STANCES, ("Headline", "Body ID", "Stance")):
        stance = row["Stance"].strip().lower()
        if stance not in STANCES:
            raise ValueError(f"{folder / TEST_STANCES}: line {line}: unknown stance {row['Stance']!r}")
        if related_only and stance == "unrelated":
            continue
        body_id = int(row["Body ID"])
        if bodies != "all" and (body_id % 2 == 0) != (bodies == "even"):
            continue
        pairs.append(Pair(row["Headline"], body_id, stance))
    if limit is not None and limit < len(pairs):
        pairs = random.Random(seed).sample(pairs, limit)
    return pairs


def body_article(body_id: int, text: str, filename: str = TEST_BODIES) -> Article:
    """A body as an Article, for indexing the FNC-1 bodies as a news corpus."""
    first = " ".join(text.split())[:80]
    return Article(id=f"fnc1:{body_id}", title=first or f"FNC-1 body {body_id}", text=text.strip(),
                   location=f"fnc1://{filename}#{body_id}")


def body_sentences(text: str) -> list[str]:
    """The body split into sentences with the engine's own splitter."""
    from index.split import split_sentences

    return [text[s:e] for s, e, _ in split_sentences(text.replace("\r\n", "\n"))]


def load_stance() -> tuple[StanceFn, BatchStanceFn | None]:
    """The assistant's stance function (and its batch form when it has one).

    ImportError, with a message saying why, while `assistant.stance` or its fitted
    weights are not there.
    """
    try:
        from assistant import stance as module
    except ImportError as exc:
        raise ImportError(f"assistant.stance is not available ({exc}): FNC-1 stance scoring needs it") from None
    model_path = getattr(module, "MODEL_PATH", None)
    if model_path is not None and not Path(model_path).exists():
        raise ImportError(f"the stance model {model_path} is missing (fitted by bench/train_stance.py)")
    return module.stance, getattr(module, "stance_many", None)


def stance_model_note() -> str:
    """What the stance model was fitted on, as its weights file says ("" when unknown)."""
    try:
        from assistant import stance as module

        meta = json.loads(Path(module.MODEL_PATH).read_text(encoding="utf-8")).get("meta", {})
    except (ImportError, AttributeError, OSError, ValueError):
        return ""
    return str(meta.get("fitted_on", ""))


def scores(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    """Per-class precision / recall / F1 (agree, disagree, discuss), accuracy, macro F1, confusion."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = list(RELATED)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0)
    classes = {label: {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
                       "support": int(s)}
               for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)}
    counts = Counter(zip(gold, predicted, strict=True))
    predicted_labels = labels + sorted(set(predicted) - set(labels))
    return {
        "pairs": len(gold),
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold), 4) if gold else 0.0,
        "macro_f1": round(float(sum(f1) / len(labels)), 4),
        "classes": classes,
        "confusion": {g: {p: counts[(g, p)] for p in predicted_labels} for g in labels},
        "predicted": dict(Counter(predicted)),
    }


def evaluate(pairs: list[Pair], bodies: dict[int, str], *, stance: StanceFn | None = None,
             batch: BatchStanceFn | None = None, batch_size: int = 128, progress: bool = True) -> dict[str, Any]:
    """Predict a stance for every pair (headline vs the body's sentences) and score them.

    With neither `stance` nor `batch` given, the assistant's own are used; the batch form
    (one embedding pass per `batch_size` pairs) is preferred when there is one.
    """
    if stance is None and batch is None:
        stance, batch = load_stance()
    missing = [p for p in pairs if p.body_id not in bodies]
    if missing:
        raise ValueError(f"FNC-1: body {missing[0].body_id} of headline {missing[0].headline[:40]!r} is not loaded")
    split = {body_id: body_sentences(bodies[body_id]) for body_id in {p.body_id for p in pairs}}
    predicted: list[str] = []
    started = time.perf_counter()
    with tqdm(total=len(pairs), desc="fnc1 stance", unit="pair", disable=not progress, leave=False) as bar:
        if batch is not None:
            for i in range(0, len(pairs), batch_size):
                chunk = pairs[i:i + batch_size]
                predicted += [str(label).lower() for label, _ in batch([(p.headline, split[p.body_id]) for p in chunk])]
                bar.update(len(chunk))
        else:
            for pair in pairs:
                label, _confidence = stance(pair.headline, split[pair.body_id])
                predicted.append(str(label).lower())
                bar.update(1)
    seconds = time.perf_counter() - started
    figures = scores([p.stance for p in pairs], predicted)
    figures["seconds"] = round(seconds, 2)
    figures["ms_per_pair"] = round(seconds * 1000.0 / len(pairs), 2) if pairs else 0.0
    return figures
