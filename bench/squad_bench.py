"""SQuAD 2.0 as one corpus: the held-out articles indexed together, every question of them asked.

    .venv/bin/python bench/squad_bench.py                  # all held-out questions (~5,600)
    .venv/bin/python bench/squad_bench.py --limit 300      # a quick run on the first 300
    .venv/bin/python bench/squad_bench.py --data DIR --rebuild

The split is by article (eval/squad.py: sorted by title, odd positions held out). The
index of the held-out articles is kept in bench/results/squad-index/ and reused while
they are unchanged. Prints a table (the full answer beside plain dense and hybrid
search, with the product targets) and writes bench/results/squad.json (figures) and
bench/results/squad-outcomes.jsonl (one line per question: supported, rank, baseline
ranks, latency), for looking at the misses.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import squad  # noqa: E402
from eval.data import DataMissing, data_root  # noqa: E402

log = logging.getLogger("bench.squad_bench")

RESULTS = ROOT / "bench" / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None,
                        help=f"folder holding squad2/{squad.DEV_FILE}, or the file (default {data_root()})")
    parser.add_argument("--limit", type=int, metavar="N", help="ask only the first N held-out questions")
    parser.add_argument("--k", type=int, default=5, help="citations asked for per question (default 5)")
    parser.add_argument("--index", type=Path, default=RESULTS / "squad-index",
                        help="where the index of the held-out articles is built and kept")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index even if it can be reused")
    parser.add_argument("--out", type=Path, default=RESULTS / "squad.json", help="figures as JSON")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be at least 1, not {args.limit}")
    if not 1 <= args.k <= 50:
        parser.error(f"--k must be between 1 and 50, not {args.k}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        run = squad.run_held_out(args.index, args.data, limit=args.limit, k=args.k,
                                 progress=not args.no_progress, rebuild=args.rebuild)
    except (DataMissing, ValueError) as exc:  # SquadFormatError is a ValueError
        print(f"squad_bench: {exc}", file=sys.stderr)
        return 2
    print(run.describe())
    print(run.report())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(run.summary(), indent=2) + "\n", encoding="utf-8")
    outcomes = args.out.with_name(args.out.stem + "-outcomes.jsonl")
    with open(outcomes, "w", encoding="utf-8") as handle:
        for outcome in run.result.outcomes:
            handle.write(json.dumps(asdict(outcome), ensure_ascii=False) + "\n")
    print(f"figures: {args.out}; per question: {outcomes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
