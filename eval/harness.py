"""Run a gold set through the assistant and score every response.

    from assistant import Assistant
    from eval.gold import load_gold
    from eval.harness import run_gold

    result = run_gold(Assistant.open(), load_gold("eval/gold/seeds.jsonl"), retriever="hybrid")
    result.summary()   # the aggregate figures: n, evidence_recall@5, ..., items

Each question is asked as a user would ask it (`Assistant.ask`, or a conversation when
the item has a `history`); its latency is the wall time of that one call.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from eval import metrics
from eval.gold import GoldItem
from eval.metrics import Passage

if TYPE_CHECKING:
    from assistant import Answer, Assistant

log = logging.getLogger(__name__)

# The aggregate keys, in the order `assistant eval --json` prints them (then "items").
SUMMARY_KEYS = ("n", "evidence_recall@5", "evidence_recall@10", "mrr", "answer_hit@1", "answer_hit@3",
                "conflict_recall", "false_conflicts", "abstention_accuracy", "latency_ms_p50", "latency_ms_p95")
# The per-item score keys.
SCORE_KEYS = ("evidence_recall@5", "evidence_recall@10", "rr", "answer_hit@1", "answer_hit@3",
              "conflict_recall", "false_conflicts", "abstention_correct")
CURVE_KS = tuple(range(1, 11))  # evidence recall@k for the recall curves of the report


@dataclass
class ItemResult:
    """One gold item as answered: its scores and what the response cited and showed."""

    item: GoldItem
    retriever: str
    latency_ms: float
    supported: bool
    cited: list[Passage]
    disputes: list[dict[str, Any]]
    message: str = ""
    interpreted_as: str = ""
    error: str = ""
    scores: dict[str, float | int | bool | None] = field(default_factory=dict)
    recall_curve: dict[int, float | None] = field(default_factory=dict)

    @property
    def quality(self) -> float:
        """One figure to sort by (1 best, 0 worst): the mean of the item's defined scores,
        with false conflicts counting 0 when any was shown and 1 when none was."""
        s = self.scores
        parts = [s["evidence_recall@5"], s["rr"], s["answer_hit@3"], s["conflict_recall"],
                 float(bool(s["abstention_correct"]))]
        if s["false_conflicts"] is not None:
            parts.append(0.0 if s["false_conflicts"] else 1.0)
        return metrics.mean(parts) or 0.0

    def to_dict(self) -> dict[str, Any]:
        item = self.item
        evidence_hits = {i: [r for r, p in enumerate(self.cited, start=1) if metrics.passage_matches(p, q)]
                         for i, q in enumerate(item.evidence)}
        record: dict[str, Any] = {
            "id": item.id,
            "question": item.question,
            "history": list(item.history),
            "answerable": item.answerable,
            "retriever": self.retriever,
            "supported": self.supported,
            "scores": dict(self.scores),
            "quality": round(self.quality, 4),
            "latency_ms": round(self.latency_ms, 2),
            "cited": [{"rank": r, "title": p.title, "sentence": p.text,
                       "matches_evidence": [i for i, q in enumerate(item.evidence)
                                            if metrics.passage_matches(p, q)],
                       "has_answer": any(metrics.answer_occurs(a, p.text) for a in item.answers)}
                      for r, p in enumerate(self.cited, start=1)],
            "missed_evidence": [{"title": q.title, "quote": q.quote}
                                for i, q in enumerate(item.evidence) if not evidence_hits[i]],
            "disputes": self.disputes,
            "missed_conflicts": [c.about or " / ".join(q.quote for q in c.claims) for c in item.conflicts
                                 if not metrics.conflict_shown(_shown(self.disputes), c)],
            "message": self.message,
        }
        if self.interpreted_as and self.interpreted_as != item.question:
            record["interpreted_as"] = self.interpreted_as
        if self.error:
            record["error"] = self.error
        return record


@dataclass
class RunResult:
    """A gold set run with one retriever: per-item results and the aggregate."""

    retriever: str
    items: list[ItemResult]
    seconds: float = 0.0

    def aggregate(self) -> dict[str, float | int | None]:
        """The aggregate figures, with exactly the keys of SUMMARY_KEYS."""
        scores = [r.scores for r in self.items]
        latencies = [r.latency_ms for r in self.items]
        false = [s["false_conflicts"] for s in scores if s["false_conflicts"] is not None]
        figures: dict[str, float | int | None] = {
            "n": len(self.items),
            "evidence_recall@5": metrics.mean(s["evidence_recall@5"] for s in scores),
            "evidence_recall@10": metrics.mean(s["evidence_recall@10"] for s in scores),
            "mrr": metrics.mean(s["rr"] for s in scores),
            "answer_hit@1": metrics.mean(s["answer_hit@1"] for s in scores),
            "answer_hit@3": metrics.mean(s["answer_hit@3"] for s in scores),
            "conflict_recall": metrics.mean(s["conflict_recall"] for s in scores),
            "false_conflicts": sum(false),
            "abstention_accuracy": metrics.mean(float(s["abstention_correct"]) for s in scores),
            "latency_ms_p50": metrics.percentile(latencies, 50),
            "latency_ms_p95": metrics.percentile(latencies, 95),
        }
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in figures.items()}

    def summary(self) -> dict[str, Any]:
        """The aggregate plus `items`, one record per question: the `--json` object."""
        return {**self.aggregate(), "items": [r.to_dict() for r in self.items]}

    def recall_curve(self) -> dict[int, float | None]:
        """Mean evidence recall@k for k = 1..10, over the items with evidence."""
        return {k: metrics.mean(r.recall_curve.get(k) for r in self.items) for k in CURVE_KS}

    def worst(self, n: int = 5) -> list[ItemResult]:
        """The n lowest-scoring items (ties: in gold order)."""
        return sorted(self.items, key=lambda r: r.quality)[:n]


def _shown(disputes: list[dict[str, Any]]) -> list[list[list[Passage]]]:
    return [[[Passage(q["title"], q["sentence"]) for q in side["quotes"]] for side in d["sides"]]
            for d in disputes]


def _dispute_records(answer: Answer) -> list[dict[str, Any]]:
    return [{"kind": d.kind, "about": d.about, "summary": d.summary,
             "sides": [{"position": side.position, "speaker": side.speaker,
                        "quotes": [{"title": c.source.title, "sentence": c.sentence} for c in side.citations]}
                       for side in d.sides]}
            for d in answer.disputes]


def score_item(item: GoldItem, retriever: str, answer: Answer | None, latency_ms: float,
               error: str = "") -> ItemResult:
    """Score one response (None when asking failed: scored as an empty abstention)."""
    # What the page shows in rank order: the citations, then the folded "also related" passages.
    cited = [Passage(c.source.title, c.sentence) for c in answer.citations + answer.related] if answer else []
    disputes = _dispute_records(answer) if answer else []
    shown = _shown(disputes)
    supported = bool(answer and answer.supported)
    scores = {
        "evidence_recall@5": metrics.evidence_recall_at_k(cited, item.evidence, 5),
        "evidence_recall@10": metrics.evidence_recall_at_k(cited, item.evidence, 10),
        "rr": metrics.reciprocal_rank(cited, item.evidence),
        "answer_hit@1": metrics.answer_hit_at_k(cited, item.answers, 1),
        "answer_hit@3": metrics.answer_hit_at_k(cited, item.answers, 3),
        "conflict_recall": metrics.conflict_recall(shown, item.conflicts),
        "false_conflicts": metrics.false_conflicts(shown, item.conflicts),
        "abstention_correct": metrics.abstention_correct(supported, item.answerable),
    }
    curve = {k: metrics.evidence_recall_at_k(cited, item.evidence, k) for k in CURVE_KS}
    return ItemResult(item, retriever, latency_ms, supported, cited, disputes,
                      message=answer.message if answer else "", error=error,
                      interpreted_as=answer.interpreted_as if answer else "",
                      scores=scores, recall_curve=curve)


def ask_item(assistant: Assistant, item: GoldItem, *, retriever: str, k: int) -> tuple[Answer, float]:
    """Ask one gold question (after its history, in one conversation); return it and its latency in ms."""
    if item.history:
        conversation = assistant.conversation()
        for earlier in item.history:
            conversation.ask(earlier, k=k, retriever=retriever)
        started = time.perf_counter()
        answer = conversation.ask(item.question, k=k, retriever=retriever)
    else:
        started = time.perf_counter()
        answer = assistant.ask(item.question, k=k, retriever=retriever)
    return answer, (time.perf_counter() - started) * 1000.0


def run_gold(assistant: Assistant, items: list[GoldItem], *, retriever: str = "hybrid", k: int = 10,
             progress: bool = True, warm_up: bool = True) -> RunResult:
    """Ask every item and score it. `k` citations are asked for (10, so recall@10 is defined).

    A question the engine rejects with AssistantError is recorded with its error and scored
    as an empty response; any other exception propagates. One untimed question is asked
    first (`warm_up`) so model loading does not count in the latency figures.
    """
    from assistant import AssistantError

    started = time.perf_counter()
    if warm_up and items:
        try:
            assistant.ask(items[0].question, k=k, retriever=retriever)
        except AssistantError:
            pass
    results = []
    for item in tqdm(items, desc=f"gold ({retriever})", unit="q", disable=not progress, leave=False):
        try:
            answer, latency = ask_item(assistant, item, retriever=retriever, k=k)
            results.append(score_item(item, retriever, answer, latency))
        except AssistantError as exc:
            log.warning("%s: the assistant refused the question: %s", item.id, exc)
            results.append(score_item(item, retriever, None, 0.0, error=str(exc)))
    return RunResult(retriever, results, time.perf_counter() - started)


def check_quotes(assistant: Assistant, items: list[GoldItem]) -> list[str]:
    """Gold quotes that no indexed sentence can match (wrong title or words): one line each.

    Such a quote can never be cited, so it silently lowers recall; the command warns about them.
    """
    index = assistant.index
    if index is None:
        return ["the index is empty"]
    by_title: dict[str, list[str]] = {}
    for article in index.db.articles():
        by_title.setdefault(metrics.normalise(article.title), []).append(article.id)
    sentences: dict[str, list[str]] = {}
    problems = []
    for item in items:
        quotes = [("evidence", q) for q in item.evidence]
        quotes += [("conflict claim", q) for c in item.conflicts for q in c.claims]
        for kind, quote in quotes:
            ids = by_title.get(metrics.normalise(quote.title))
            if not ids:
                problems.append(f"{item.id}: {kind} title {quote.title!r} is not an indexed article")
                continue
            texts = []
            for aid in ids:
                if aid not in sentences:
                    sentences[aid] = [s.text for s in index.db.article_sentences(aid)]
                texts += sentences[aid]
            if not any(metrics.text_matches(t, quote.quote) for t in texts):
                problems.append(f"{item.id}: {kind} quote {quote.quote[:60]!r} is in no sentence of "
                                f"{quote.title!r}")
    return problems
