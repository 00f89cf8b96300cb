"""`assistant ingest | ask | sources | disputes | eval | brief | serve`.

User errors print one line and exit with status 2; nothing prints a traceback for them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from assistant import Assistant, AssistantError
from cli.options import add_answer_options
from cli.render import answer_text, dispute_block, source_row
from index import library

log = logging.getLogger("assistant")

# Commands that read an index: `--index` must name one (a typo must not look like an empty answer).
READERS = {"ask", "chat", "sources", "disputes", "brief", "serve"}

# Subcommands that live with their own concern: module with add_arguments(parser), run(args).
PLUGINS = {
    "eval": ("eval.command", "score the assistant on a gold Q&A set"),
    "brief": ("briefing.command", "write a briefing (md, html, docx) answering a list of questions"),
    "serve": ("server.command", "serve the HTTP JSON API"),
    "chat": ("cli.chat", "ask one question a line, follow-ups in context; kept in the conversation history"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line. With `command` (what the user asked for), only that subcommand's
    module is imported: `ask` does not pay for loading the HTTP server or the briefings."""
    parser = argparse.ArgumentParser(prog="assistant", description=(
        "Cited answers from news articles: every answer is quoted from the sources, "
        "and where they disagree both sides are shown."))
    parser.add_argument("--index", type=Path, default=None,
                        help="index folder (default: index/built, built from the default corpus on first use)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ingest = commands.add_parser("ingest", help="add files, folders, URLs or feeds to the index")
    ingest.add_argument("sources", nargs="*", metavar="PATH_OR_URL")
    ingest.add_argument("--rebuild", action="store_true", help="start a fresh index from these sources")
    ingest.add_argument("--remove", action="append", default=[], metavar="ID_PATH_OR_TITLE",
                        help="remove an indexed article (repeatable)")
    ingest.add_argument("--no-progress", action="store_true")
    ingest.add_argument("--backend", metavar="NAME", help="vector store of a new or rebuilt index: auto (by size), "
                        "faiss-flat, faiss-ivf-sq8 or milvus (vectors, BM25 and filters in Milvus)")
    ingest.add_argument("--uri", metavar="PATH_OR_URL", help="with --backend milvus: a Milvus server "
                        "(http://HOST:19530) or a Milvus Lite file (default: milvus.db in the index folder)")
    ingest.set_defaults(run=run_ingest)

    ask = commands.add_parser("ask", help="ask a question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON (schema in README)")
    add_answer_options(ask)
    ask.add_argument("--retriever", choices=["hybrid", "dense", "bm25"], default="hybrid")
    ask.set_defaults(run=run_ask)

    sources = commands.add_parser("sources", help="list the indexed articles")
    sources.add_argument("--json", action="store_true")
    sources.set_defaults(run=run_sources)

    disputes = commands.add_parser("disputes", help="list every disagreement found in the corpus")
    disputes.add_argument("--json", action="store_true")
    disputes.set_defaults(run=run_disputes)

    for name, (module_name, help_text) in PLUGINS.items():
        if command is not None and name != command:
            commands.add_parser(name, help=help_text)  # listed in --help; read only when asked for
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            log.debug("subcommand %s unavailable: %s", name, exc)
            continue
        sub = commands.add_parser(name, help=help_text)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def requested_command(argv: list[str] | None) -> str | None:
    """The subcommand named on the command line (None when there is none yet)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--index")
    pre.add_argument("-v", "--verbose", action="store_true")
    pre.add_argument("command", nargs="?")
    known, _ = pre.parse_known_args(argv)
    return known.command


def check_index_arg(command: str, index: Path | None) -> None:
    """`--index` must be a folder; for the commands that read an index, one that holds an index."""
    if index is None:
        return
    if index.exists() and not index.is_dir():
        raise AssistantError(f"--index {index} is a file, not an index folder")
    if command in READERS and library.current_version(index) is None:
        if not index.exists():
            raise AssistantError(f"--index {index}: no such folder (make an index there with "
                                 f"`assistant --index {index} ingest PATH`)")
        raise AssistantError(f"--index {index}: no index in this folder (make one with "
                             f"`assistant --index {index} ingest PATH`)")


def check_text_args(args: argparse.Namespace) -> None:
    """Arguments that are not valid UTF-8 (the shell passed bytes Python could not decode)."""
    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and any("\udc80" <= ch <= "\udcff" for ch in item):
                what = "the question" if name == "question" else f"--{name.replace('_', '-')}"
                raise AssistantError(f"{what} is not valid UTF-8 text")


def check_question(question: str) -> None:
    if question.strip() and not any(ch.isalnum() for ch in question):
        raise AssistantError("the question has no words (only punctuation or symbols): "
                             "type a question about the articles")


def run_ingest(args: argparse.Namespace) -> int:
    sources = list(args.sources)
    if args.rebuild and not sources:
        from assistant.api import DEFAULT_INDEX

        folder = args.index or DEFAULT_INDEX
        sources = [s for s in library.recorded_sources(folder) if "://" in s or Path(s).exists()]
        if not sources:
            raise AssistantError(f"nothing recorded to rebuild {folder} from: give the files, folders or URLs")
        print(f"rebuilding {folder} from its {len(sources)} recorded sources", file=sys.stderr)
    assistant = Assistant.open(args.index, refresh=False) if not args.rebuild else _fresh(args.index)
    report = assistant.ingest(sources, progress=not args.no_progress, rebuild=args.rebuild,
                              remove=args.remove, **_backend(args))
    print(f"added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
          f"unchanged {report.unchanged}; {report.sentences_embedded} sentences embedded "
          f"in {report.seconds:.1f} s; index: {assistant.folder}")
    for line in report.duplicates + report.rejected:
        print(f"skipped: {line}", file=sys.stderr)
    return 2 if (report.rejected or report.duplicates) else 0


def _backend(args: argparse.Namespace) -> dict:
    """The vector backend asked for (`--backend`, `--uri`), checked, as Assistant.ingest takes it."""
    from index import ann

    if args.backend and args.backend not in [ann.AUTO, *ann.names()]:
        raise AssistantError(f"unknown vector backend {args.backend!r}: choose one of "
                             f"{', '.join([ann.AUTO, *ann.names()])}")
    if args.uri and args.backend != "milvus":
        raise AssistantError("--uri names a Milvus server or file: give it with --backend milvus")
    options = {"uri": args.uri if "://" in args.uri else str(Path(args.uri).resolve())} if args.uri else None
    return {"backend": args.backend, "backend_options": options}


def _fresh(index: Path | None) -> Assistant:
    from assistant.api import DEFAULT_INDEX

    return Assistant(index or DEFAULT_INDEX, load=False)


def as_json(data: object) -> str:
    """The `--json` output of every subcommand: UTF-8 kept readable, indented."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def run_ask(args: argparse.Namespace) -> int:
    check_question(args.question)
    assistant = Assistant.open(args.index)
    answer = assistant.ask(args.question, k=args.k, sources=args.source or None, since=args.since,
                           until=args.until, retriever=args.retriever)
    print(as_json(answer.to_dict()) if args.json else answer_text(answer))
    return 0


def run_sources(args: argparse.Namespace) -> int:
    rows = Assistant.open(args.index).sources()
    if args.json:
        print(as_json([asdict(r) for r in rows]))
        return 0
    print(f"{'outlet':<16} {'published':<17} {'sent.':>5}  title")
    for r in rows:
        print(source_row(r))
    print(f"{len(rows)} articles, {sum(r.sentences for r in rows)} sentences")
    return 0


def run_disputes(args: argparse.Namespace) -> int:
    disputes = Assistant.open(args.index).disputes()
    if args.json:
        print(as_json([asdict(d) for d in disputes]))
        return 0
    for d in disputes:
        print("\n".join(dispute_block(d)) + "\n")
    print(f"{len(disputes)} disagreements")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(requested_command(argv))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        check_text_args(args)
        check_index_arg(args.command, args.index)
        return args.run(args)
    except AssistantError as exc:
        print(f"assistant: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("assistant: interrupted; the index is unchanged unless the update had finished", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
