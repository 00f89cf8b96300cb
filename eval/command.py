"""`assistant eval`: score the assistant on a gold question-and-answer set.

    assistant eval eval/gold/seeds.jsonl                      # table, default index, hybrid
    assistant eval GOLD.jsonl --index DIR --json              # one JSON object
    assistant eval GOLD.jsonl --corpus news/ --retriever bm25,dense,hybrid --report out/
    assistant eval --squad [--data DIR] [--limit N] [--json]   # SQuAD 2.0's held-out articles (eval/squad.py)

The CLI (cli/) registers the subcommand with `add_arguments` and calls `run`; user errors
(a gold file not in the format, an unknown retriever, a missing index) print one line to
stderr and return 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from eval.gold import DEFAULT_GOLD, GoldError, load_gold

log = logging.getLogger(__name__)

DEFAULT_RETRIEVERS = ("bm25", "dense", "hybrid")
SQUAD_INDEX = Path(tempfile.gettempdir()) / "news-assistant-squad" / "index"  # `--squad`: built once, reused


class UsageError(Exception):
    """A mistake in the command line; the message is one line."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `assistant eval` arguments to `parser`."""
    parser.add_argument("gold", nargs="?", default=str(DEFAULT_GOLD), metavar="GOLD.jsonl",
                        help="gold set in the format of eval/GOLD_FORMAT.md (default: the project's "
                             "set over the default corpus, eval/gold/seeds.jsonl)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--index", dest="eval_index", metavar="DIR",
                       help="an index folder made by `assistant ingest` (default: the default index; "
                            "`assistant --index DIR eval` works too)")
    where.add_argument("--corpus", metavar="SOURCE", action="append",
                       help="index these files, folders or URLs into a temporary index first "
                            "(repeat for several)")
    parser.add_argument("--retriever", metavar="NAMES", action="append",
                        help="retriever(s) to compare: bm25, dense, hybrid, comma-separated or repeated, "
                             "or 'all' (default: hybrid)")
    parser.add_argument("--k", type=int, default=10, metavar="N",
                        help="citations asked for per question (default 10, so recall@10 is defined)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (one per retriever, keyed by name, when several)")
    parser.add_argument("--report", metavar="DIR",
                        help="write report.md, report.json and plots (recall@k, latency) into DIR")
    parser.add_argument("--worst", type=int, default=5, metavar="N",
                        help="worst-scoring questions listed in the report (default 5)")
    parser.add_argument("--limit", type=int, metavar="N", help="score only the first N questions")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--squad", action="store_true",
                        help="score on SQuAD 2.0 instead of a gold set: its held-out articles indexed as one "
                             f"corpus (kept in {SQUAD_INDEX}), every question asked with k=5 (eval/squad.py)")
    parser.add_argument("--data", metavar="DIR",
                        help="with --squad: the folder holding squad2/dev-v2.0.json, or the file "
                             "(default ../shared/data)")


def parse_retrievers(values: list[str] | None) -> list[str]:
    """'bm25,dense' / repeated flags / 'all' -> an ordered list of known retriever names."""
    from assistant.retrieval import MODES

    names: list[str] = []
    for value in values or ["hybrid"]:
        for name in (v.strip().lower() for v in value.split(",")):
            if not name:
                continue
            chosen = list(MODES) if name == "all" else [name]
            for n in chosen:
                if n not in MODES:
                    raise UsageError(f"unknown retriever {n!r}: choose from {', '.join(MODES)} or 'all'")
                if n not in names:
                    names.append(n)
    if not names:
        raise UsageError("--retriever is empty: give bm25, dense, hybrid or all")
    return names


def _index_arg(args: argparse.Namespace) -> str | None:
    """The index folder: this command's --index, else the main command's --index."""
    value = getattr(args, "eval_index", None) or getattr(args, "index", None)
    return str(value) if value else None


def _open_assistant(args: argparse.Namespace, workdir: Path, progress: bool):
    from assistant import Assistant, AssistantError

    if args.corpus:
        missing = [s for s in args.corpus if "://" not in s and not Path(s).exists()]
        if missing:
            raise UsageError(f"--corpus {missing[0]}: no such file or folder")
        assistant = Assistant.build(workdir / "index", list(args.corpus), progress=progress)
        if assistant.index is None or not assistant.sources():
            raise UsageError(f"--corpus {' '.join(args.corpus)}: no article could be read")
        return assistant
    if _index_arg(args):
        folder = Path(_index_arg(args))
        if not folder.is_dir():
            raise UsageError(f"--index {folder}: no such folder")
        assistant = Assistant.open(folder)
        if assistant.index is None:
            raise AssistantError(f"--index {folder}: no index there (make one with `assistant ingest`)")
        return assistant
    return Assistant.open()


def run(args: argparse.Namespace) -> int:
    """Run `assistant eval`; 0 on success, 2 on a user error (one line on stderr)."""
    from assistant import AssistantError
    from eval.harness import check_quotes, run_gold
    from eval.report import summary_table, write_report

    progress = not args.no_progress and sys.stderr.isatty()
    if getattr(args, "squad", False):
        return run_squad(args, progress)
    try:
        if args.k < 1 or args.k > 50:
            raise UsageError(f"--k must be between 1 and 50, not {args.k}")
        if args.limit is not None and args.limit < 1:
            raise UsageError(f"--limit must be at least 1, not {args.limit}")
        items = load_gold(args.gold)
        if args.limit:
            items = items[:args.limit]
        retrievers = parse_retrievers(args.retriever)
        if args.report and Path(args.report).exists() and not Path(args.report).is_dir():
            raise UsageError(f"--report {args.report}: exists and is not a folder")
        with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
            started = time.perf_counter()
            assistant = _open_assistant(args, Path(tmp), progress)
            log.info("index ready in %.1f s", time.perf_counter() - started)
            problems = check_quotes(assistant, items)
            for problem in problems[:10]:
                log.warning("gold quote cannot match the index: %s", problem)
            if len(problems) > 10:
                log.warning("... and %d more gold quotes that cannot match", len(problems) - 10)
            runs = [run_gold(assistant, items, retriever=r, k=args.k, progress=progress) for r in retrievers]
    except (GoldError, UsageError, AssistantError) as exc:
        print(f"assistant eval: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2

    index_name = _index_arg(args) or (" ".join(args.corpus) if args.corpus else "default")
    if args.json:
        data = runs[0].summary() if len(runs) == 1 else {r.retriever: r.summary() for r in runs}
        print(json.dumps(data, ensure_ascii=False, indent=None))
    else:
        print(f"gold set {args.gold}: {len(items)} questions; index: {index_name}\n")
        print(summary_table(runs))
    if args.report:
        try:
            paths = write_report(Path(args.report), runs, gold=str(args.gold), index=index_name,
                                 worst=args.worst)
        except OSError as exc:
            print(f"assistant eval: error: cannot write the report to {args.report}: {exc.strerror}",
                  file=sys.stderr)
            return 2
        print("report: " + ", ".join(str(p) for p in paths), file=sys.stderr if args.json else sys.stdout)
    return 0


def run_squad(args: argparse.Namespace, progress: bool) -> int:
    """`assistant eval --squad`: the SQuAD 2.0 figures as a table or one JSON object; 2 on a user error."""
    from assistant import AssistantError
    from eval.data import DataMissing
    from eval.squad import run_held_out

    try:
        if args.corpus or _index_arg(args) or args.report or args.retriever:
            raise UsageError("--squad indexes the held-out SQuAD articles itself: drop --index, --corpus, "
                             "--report and --retriever")
        if args.limit is not None and args.limit < 1:
            raise UsageError(f"--limit must be at least 1, not {args.limit}")
        run = run_held_out(SQUAD_INDEX, args.data, limit=args.limit, progress=progress)
    except (UsageError, DataMissing, ValueError, AssistantError) as exc:  # SquadFormatError is a ValueError
        print(f"assistant eval: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(run.summary(), ensure_ascii=False))
    else:
        print(run.describe() + "\n")
        print(run.report())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command standalone: `python -m eval.command ...` (the CLI calls `run`)."""
    parser = argparse.ArgumentParser(prog="assistant eval", description=__doc__.split("\n")[0])
    add_arguments(parser)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
