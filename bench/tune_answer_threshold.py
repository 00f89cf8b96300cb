"""Choose the answerability threshold on the counterfactual news dev set (never on test/ or the gold set).

    .venv/bin/python bench/tune_answer_threshold.py [--write]

The feature judges are trained on SQuAD 2.0, whose unanswerable questions are written to
look answerable; news questions differ, so the threshold from which the assistant answers
is chosen on news: the hand-written dev set (eval/counterfactual/dev), for the best
answer-or-abstain accuracy. `--write` stores it in assistant/models/judge.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from assistant.judge import MODEL_PATH, answers, judge  # noqa: E402
from assistant.pool import gather  # noqa: E402
from eval.gold import load_gold  # noqa: E402

DEV = ROOT / "eval" / "counterfactual" / "dev"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="store the chosen threshold in judge.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        assistant = Assistant.build(Path(folder) / "index", [str(DEV / "articles.jsonl")], progress=False)
        rows = []
        for item in load_gold(DEV / "gold.jsonl"):
            if item.history:
                continue
            pool = gather(assistant._retriever, item.question)
            _, judged, answerable = judge(item.question, pool.hits, pool.contexts, pool.near)
            rows.append((item.question, judged, answerable, item.answerable))
    grid = np.round(np.arange(0.05, 0.61, 0.01), 2)
    accuracy = [float(np.mean([answers(q, j, a, t) == truth for q, j, a, truth in rows])) for t in grid]
    best = float(grid[int(np.argmax(accuracy))])
    print(f"{len(rows)} dev questions; best threshold {best:.2f}: answer-or-abstain {max(accuracy):.3f}")
    for t, acc in zip(grid[::5], accuracy[::5], strict=True):
        print(f"  {t:.2f}  {acc:.3f}")
    if args.write:
        data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        data["answerability"]["threshold"] = best
        data["meta"]["threshold_chosen_on"] = f"eval/counterfactual/dev ({len(rows)} questions): {max(accuracy):.3f}"
        MODEL_PATH.write_text(json.dumps(data), encoding="utf-8")


if __name__ == "__main__":
    main()
