"""SNLI (Bowman et al., 2015): does a premise entail, contradict or leave open a hypothesis.

Image captions, not news, but a clean test of sentence-pair contradiction. Read as a
stance: the hypothesis is the claim, the premise the evidence, and entailment /
contradiction / neutral are agree / disagree / discuss (`STANCE`). Pairs whose
annotators did not agree (gold label "-") are dropped.

    pairs = load_pairs(split="test")      # 9,824 of the 10,000 test pairs
"""

from __future__ import annotations

import gzip
import json
import logging
import random
from dataclasses import dataclass
from pathlib import Path

from eval.data import dataset_dir

log = logging.getLogger(__name__)

NAME = "snli"
FILES = {"test": "snli_1.0_test.jsonl.gz", "dev": "snli_1.0_dev.jsonl.gz", "train": "snli_1.0_train_0.01.jsonl.gz"}
LABELS = ("entailment", "neutral", "contradiction")
STANCE = {"entailment": "agree", "contradiction": "disagree", "neutral": "discuss"}


@dataclass(frozen=True)
class Pair:
    """A premise, a hypothesis and the annotators' majority label."""

    premise: str
    hypothesis: str
    label: str  # entailment | neutral | contradiction

    @property
    def stance(self) -> str:
        """The label as a stance of the premise towards the hypothesis."""
        return STANCE[self.label]


def load_pairs(path: Path | str | None = None, *, split: str = "test", limit: int | None = None,
               seed: int = 0) -> list[Pair]:
    """The labelled pairs of one split, without the "-" ones (no majority).

    With `limit`, a random sample of that size (fixed `seed`) keeps the label mix.
    """
    if split not in FILES:
        raise ValueError(f"unknown SNLI split {split!r}: choose {', '.join(FILES)}")
    folder = dataset_dir(NAME, path, (FILES[split],))
    pairs, dropped = [], 0
    with gzip.open(folder / FILES[split], "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                label, premise, hypothesis = record["gold_label"], record["sentence1"], record["sentence2"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{folder / FILES[split]}: line {number}: not an SNLI pair ({exc})") from None
            if label == "-":
                dropped += 1
                continue
            if label not in LABELS:
                raise ValueError(f"{folder / FILES[split]}: line {number}: unknown label {label!r}")
            pairs.append(Pair(str(premise), str(hypothesis), label))
    log.info("SNLI %s: %d pairs, %d without a majority label dropped", split, len(pairs), dropped)
    if limit is not None and limit < len(pairs):
        pairs = random.Random(seed).sample(pairs, limit)
    return pairs
