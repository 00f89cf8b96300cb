"""Disagreement figures on the counterfactual news sets (eval/counterfactual/), topics other
than the default corpus's: is a dispute shown when two outlets give different answers to
the question asked, and only then?

For each set (`dev`, tuned on; `test`, only measured) its articles are indexed into a temp
folder and its gold questions run through the eval harness (`eval.harness.run_gold`):

- disagreement recall: share of gold conflict pairs shown, both sides matched (the
  harness's conflict_recall), overall and per kind (number, person, org, place, date,
  money, percent, verdict);
- false disputes per question: share of the questions with no gold conflict where any
  dispute was shown (split into answerable and unanswerable questions);
- the same recall per kind of pair: two outlets; one outlet revising its own figure in a
  later report (and whether that dispute is shown as kind `update`); both sides in one
  article;
- agreement recall: share of the questions whose gold evidence comes from two or more
  outlets (and lists no conflict) where an agreement is shown citing two of them;
- abstention accuracy, answerable questions answered, answer hit@3, evidence recall@5,
  and per group of questions (conflict, agreement, one source, unanswerable).

    .venv/bin/python bench/disagreement_bench.py                 # both sets
    .venv/bin/python bench/disagreement_bench.py --set dev --retriever hybrid

Writes bench/results/disagreement-<set>.json (figures, then one record per question:
what was shown, which gold conflicts were missed, which disputes were false).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import metrics  # noqa: E402
from eval.gold import Conflict, GoldItem, load_gold  # noqa: E402
from eval.harness import ItemResult, ask_item, check_quotes, run_gold  # noqa: E402
from eval.metrics import Passage  # noqa: E402

log = logging.getLogger("bench.disagreement")

SETS_DIR = ROOT / "eval" / "counterfactual"
SETS = ("dev", "test")
KINDS = ("number", "person", "org", "place", "date", "money", "percent", "verdict")
GROUPS = ("conflict", "agreement", "single", "unanswerable")
PAIRS = ("outlets", "update", "one_article")


def outlets_by_title(articles: Path) -> dict[str, str]:
    """Normalised article title -> outlet, read from the set's articles.jsonl."""
    table = {}
    for line in articles.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            table[metrics.normalise(record["title"])] = record.get("outlet") or ""
    return table


def pair_type(conflict: Conflict, outlets: dict[str, str]) -> str:
    """outlets (two outlets disagree), update (one outlet, two reports) or one_article."""
    first, second = (metrics.normalise(q.title) for q in conflict.claims)
    if first == second:
        return "one_article"
    return "update" if outlets.get(first) == outlets.get(second) else "outlets"


def shown_disputes(result: ItemResult) -> list[tuple[str, list[list[Passage]]]]:
    """The disputes shown for a question: (kind, sides as cited passages)."""
    return [(d["kind"], [[Passage(q["title"], q["sentence"]) for q in side["quotes"]] for side in d["sides"]])
            for d in result.disputes]


def group_of(item: GoldItem, outlets: dict[str, str]) -> str:
    """conflict (gold lists one), unanswerable, agreement (evidence from >= 2 outlets) or single."""
    if item.conflicts:
        return "conflict"
    if not item.answerable:
        return "unanswerable"
    sources = {outlets.get(metrics.normalise(q.title), q.title) for q in item.evidence}
    return "agreement" if len(sources) >= 2 else "single"


@dataclass
class Figures:
    """The figures of one set run with one retriever."""

    set: str
    retriever: str
    n: int
    conflict_pairs: int
    disagreement_recall: float | None
    false_dispute_rate: float | None
    false_dispute_rate_answerable: float | None
    false_dispute_rate_unanswerable: float | None
    false_pairs: int
    agreement_recall: float | None
    abstention_accuracy: float | None
    answered_when_answerable: float | None
    answer_hit_at_3: float | None
    evidence_recall_at_5: float | None
    latency_ms_p50: float | None
    seconds: float
    quote_problems: list[str] = field(default_factory=list)
    recall_by_kind: dict[str, dict[str, float | int | None]] = field(default_factory=dict)
    by_group: dict[str, dict[str, float | int | None]] = field(default_factory=dict)
    by_pair: dict[str, dict[str, float | int | None]] = field(default_factory=dict)


def _rate(values: list[float]) -> float | None:
    value = metrics.mean(values)
    return None if value is None else round(value, 4)


def agreement_shown(item: GoldItem, agreements: list[list[Passage]], outlets: dict[str, str]) -> bool:
    """Some agreement shown cites gold evidence of the item from two or more outlets."""
    for cited in agreements:
        matched = {outlets.get(metrics.normalise(q.title), q.title) for q in item.evidence
                   if any(metrics.passage_matches(p, q) for p in cited)}
        if len(matched) >= 2:
            return True
    return False


def figures_of(name: str, retriever: str, results: list[ItemResult], outlets: dict[str, str],
               seconds: float, problems: list[str], agreements: dict[str, list[list[Passage]]] | None = None
               ) -> Figures:
    """The set's figures from the harness's per-item results; `agreements`: item id -> the
    agreements its answer showed, each as the passages it cites."""
    agreements = agreements or {}
    with_conflicts = [r for r in results if r.item.conflicts]
    without = [r for r in results if not r.item.conflicts]
    shown = {id(r): float(bool(r.disputes)) for r in without}
    answerable = [r for r in results if r.item.answerable]
    by_kind: dict[str, list[ItemResult]] = defaultdict(list)
    for r in with_conflicts:
        by_kind[r.item.kind or "unknown"].append(r)
    by_group: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        by_group[group_of(r.item, outlets)].append(r)
    pairs: dict[str, list[tuple[bool, bool]]] = defaultdict(list)  # type -> (shown, shown as update)
    for r in with_conflicts:
        disputes = shown_disputes(r)
        for conflict in r.item.conflicts:
            showing = [kind for kind, sides in disputes if metrics.conflict_shown([sides], conflict)]
            pairs[pair_type(conflict, outlets)].append((bool(showing), "update" in showing))
    return Figures(
        set=name, retriever=retriever, n=len(results),
        conflict_pairs=sum(len(r.item.conflicts) for r in with_conflicts),
        disagreement_recall=_rate([r.scores["conflict_recall"] for r in with_conflicts]),
        false_dispute_rate=_rate(list(shown.values())),
        false_dispute_rate_answerable=_rate([shown[id(r)] for r in without if r.item.answerable]),
        false_dispute_rate_unanswerable=_rate([shown[id(r)] for r in without if not r.item.answerable]),
        false_pairs=sum(r.scores["false_conflicts"] or 0 for r in without),
        agreement_recall=_rate([float(agreement_shown(r.item, agreements.get(r.item.id, []), outlets))
                                for r in by_group["agreement"]]),
        abstention_accuracy=_rate([float(bool(r.scores["abstention_correct"])) for r in results]),
        answered_when_answerable=_rate([float(r.supported) for r in answerable]),
        answer_hit_at_3=_rate([r.scores["answer_hit@3"] for r in results]),
        evidence_recall_at_5=_rate([r.scores["evidence_recall@5"] for r in results]),
        latency_ms_p50=metrics.percentile([r.latency_ms for r in results], 50),
        seconds=round(seconds, 2), quote_problems=problems,
        recall_by_kind={kind: {"pairs": sum(len(r.item.conflicts) for r in by_kind[kind]),
                               "recall": _rate([r.scores["conflict_recall"] for r in by_kind[kind]])}
                        for kind in (*KINDS, *sorted(set(by_kind) - set(KINDS)))},
        by_group={group: {"n": len(by_group[group]),
                          "disputes_shown": _rate([float(bool(r.disputes)) for r in by_group[group]]),
                          "answered": _rate([float(r.supported) for r in by_group[group]]),
                          "abstention_accuracy": _rate([float(bool(r.scores["abstention_correct"]))
                                                        for r in by_group[group]]),
                          "answer_hit@3": _rate([r.scores["answer_hit@3"] for r in by_group[group]])}
                  for group in GROUPS},
        by_pair={kind: {"pairs": len(pairs[kind]), "recall": _rate([float(a) for a, _ in pairs[kind]]),
                        "shown_as_update": _rate([float(b) for _, b in pairs[kind]]) if kind == "update" else None}
                 for kind in PAIRS},
    )


def item_record(result: ItemResult, outlets: dict[str, str], agreements: list[list[Passage]]) -> dict:
    """What one question showed, for reading the misses."""
    record = result.to_dict()
    return {"id": record["id"], "kind": result.item.kind, "group": group_of(result.item, outlets),
            "question": record["question"], "supported": record["supported"],
            "conflict_recall": record["scores"]["conflict_recall"],
            "false_pairs": record["scores"]["false_conflicts"],
            "answer_hit@3": record["scores"]["answer_hit@3"],
            "missed_conflicts": record["missed_conflicts"],
            "disputes": [{"kind": d["kind"], "summary": d["summary"]} for d in record["disputes"]],
            "agreement_shown": agreement_shown(result.item, agreements, outlets),
            "agreements": [[p.text for p in cited] for cited in agreements],
            "top_citation": record["cited"][0]["sentence"] if record["cited"] else "",
            "message": record["message"]}


def run_set(name: str, retriever: str = "hybrid", *, progress: bool = True) -> tuple[Figures, list[dict]]:
    """Index set `name` into a temp folder, run its gold set, return the figures and per-item records."""
    from assistant import Assistant

    folder = SETS_DIR / name
    articles = folder / "articles.jsonl"
    items = load_gold(folder / "gold.jsonl")
    outlets = outlets_by_title(articles)
    with tempfile.TemporaryDirectory(prefix=f"disagreement-{name}-") as tmp:
        started = time.perf_counter()
        assistant = Assistant.build(Path(tmp) / "index", [str(articles)], progress=False)
        log.info("%s: indexed %d articles in %.1f s", name, len(outlets), time.perf_counter() - started)
        problems = check_quotes(assistant, items)
        for problem in problems:
            log.warning("%s: %s", name, problem)
        run = run_gold(assistant, items, retriever=retriever, progress=progress)
        agreements = {item.id: shown_agreements(assistant, item, retriever) for item in items}
        if assistant.index is not None:
            assistant.index.close()
    figures = figures_of(name, retriever, run.items, outlets, run.seconds, problems, agreements)
    return figures, [item_record(r, outlets, agreements[r.item.id]) for r in run.items]


def shown_agreements(assistant, item: GoldItem, retriever: str) -> list[list[Passage]]:
    """The agreements the answer to `item` shows (asked again: the harness scores disputes only)."""
    from assistant import AssistantError

    try:
        answer, _ = ask_item(assistant, item, retriever=retriever, k=10)
    except AssistantError:
        return []
    return [[Passage(c.source.title, c.sentence) for c in a.citations] for a in answer.agreements]


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{100 * value:5.1f}%"


def print_figures(f: Figures) -> None:
    print(f"\n{f.set} ({f.retriever}): {f.n} questions, {f.conflict_pairs} gold conflict pairs, {f.seconds:.0f} s")
    print(f"  disagreement recall        {_pct(f.disagreement_recall)}")
    print(f"  false disputes / question  {_pct(f.false_dispute_rate)}  "
          f"(answerable {_pct(f.false_dispute_rate_answerable)}, "
          f"unanswerable {_pct(f.false_dispute_rate_unanswerable)}; {f.false_pairs} opposing pairs)")
    print(f"  agreement recall           {_pct(f.agreement_recall)}")
    print(f"  abstention accuracy        {_pct(f.abstention_accuracy)}")
    print(f"  answerable answered        {_pct(f.answered_when_answerable)}")
    print(f"  answer hit@3               {_pct(f.answer_hit_at_3)}")
    print(f"  evidence recall@5          {_pct(f.evidence_recall_at_5)}")
    print("  disagreement recall by kind: " + ", ".join(
        f"{kind} {_pct(v['recall']).strip()} of {v['pairs']}" for kind, v in f.recall_by_kind.items() if v["pairs"]))
    print("  disagreement recall by pair: " + ", ".join(
        f"{kind} {_pct(v['recall']).strip()} of {v['pairs']}" for kind, v in f.by_pair.items())
        + f" (updates shown as kind update: {_pct(f.by_pair['update']['shown_as_update']).strip()})")
    for group, v in f.by_group.items():
        print(f"  {group:<13} n={v['n']:<3} disputes shown {_pct(v['disputes_shown'])}  answered {_pct(v['answered'])}"
              f"  hit@3 {_pct(v['answer_hit@3'])}")
    if f.quote_problems:
        print(f"  {len(f.quote_problems)} gold quotes match no indexed sentence (see the log)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=(*SETS, "both"), default="both", help="which set (default: both)")
    parser.add_argument("--retriever", default="hybrid", choices=("hybrid", "dense", "bm25"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results",
                        help="folder for disagreement-<set>.json (default: bench/results)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in SETS if args.set == "both" else (args.set,):
        figures, records = run_set(name, args.retriever, progress=not args.quiet)
        print_figures(figures)
        path = args.out / f"disagreement-{name}.json"
        path.write_text(json.dumps({**asdict(figures), "items": records}, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        print(f"  written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
