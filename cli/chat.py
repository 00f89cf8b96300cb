"""`assistant chat`: questions one a line from the terminal (or a pipe), each answered the way
`assistant ask` answers, follow-ups read in the light of the questions before. The
conversation is stored in the index folder's history, the same one the chat page lists, so
`--conversation ID` goes on with one begun here or on the page.

An empty line is skipped; `quit`, `exit` or end of input ends it. A question the assistant
refuses prints one line on stderr and the chat goes on; the exit status is then 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from assistant import Assistant, AssistantError, Conversation
from assistant.history import History
from cli.options import add_answer_options
from cli.render import answer_text, display_text

QUIT = {"quit", "exit", ":q"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--conversation", metavar="ID", help="go on with a stored conversation (see --list)")
    parser.add_argument("--list", action="store_true", help="list the stored conversations, newest first, and stop")
    add_answer_options(parser)


def index_folder(args: argparse.Namespace) -> Path:
    from assistant.api import DEFAULT_INDEX

    return args.index or DEFAULT_INDEX


def list_conversations(history: History) -> int:
    stored = history.list()
    for c in stored:
        print(display_text(f"{c.id}  {c.updated[:16].replace('T', ' ')}  {c.turns:>3} questions  {c.title}"))
    print(f"{len(stored)} conversation{'' if len(stored) == 1 else 's'}")
    return 0


def questions(stream: BinaryIO) -> Iterator[str | None]:
    """The lines typed or piped in, stripped (None for a line that is not UTF-8); stops at
    end of input or a quit word."""
    interactive = stream.isatty()
    while True:
        if interactive:
            print("> ", end="", file=sys.stderr, flush=True)
        raw = stream.readline()
        if not raw:
            return
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            yield None
            continue
        if line.casefold() in QUIT:
            return
        if line:
            yield line


def run(args: argparse.Namespace) -> int:
    history = History.of_index(index_folder(args))
    if args.list:
        return list_conversations(history)
    if args.conversation is not None and not history.exists(args.conversation):
        raise AssistantError(f"no conversation {args.conversation!r} in the history (see `assistant chat --list`)")
    assistant = Assistant.open(args.index)
    if args.conversation:
        conversation = Conversation.resume(assistant, history, args.conversation)
        n = len(conversation.turns)
        print(f"conversation {conversation.id}: {n} question{'' if n == 1 else 's'} so far", file=sys.stderr)
    else:
        conversation = Conversation.stored(assistant, history)
        print(f"conversation {conversation.id} (go on with it later: assistant chat --conversation "
              f"{conversation.id}); quit or end of input to stop", file=sys.stderr)
    options = {"k": args.k, "sources": args.source or None, "since": args.since, "until": args.until}
    refused = 0
    for question in questions(sys.stdin.buffer):
        try:
            if question is None:
                raise AssistantError("the question is not valid UTF-8 text")
            answer = conversation.ask(question, **options)
        except AssistantError as exc:
            refused += 1
            print(f"assistant: {exc}", file=sys.stderr, flush=True)
            continue
        print(answer_text(answer) + "\n", flush=True)
    return 2 if refused else 0
