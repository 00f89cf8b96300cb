"""`assistant brief QUESTIONS [--title T] [--format md|html|docx] [--out FILE]`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

from assistant import Assistant, AssistantError
from briefing import FORMATS, render_briefing
from briefing.questions import QuestionsError, read_questions

log = logging.getLogger(__name__)

SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".docx": "docx"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `assistant brief`."""
    parser.add_argument("questions", type=Path, metavar="QUESTIONS",
                        help="text file with one question a line, or a YAML list (optional filters per question)")
    parser.add_argument("--title", default="Briefing", help="the briefing's title (default: Briefing)")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="md, html or docx (default: from --out's suffix, else md)")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE",
                        help="write here (default: standard output; DOCX needs --out or a pipe)")


def choose_format(fmt: str | None, out: Path | None) -> str:
    """The format asked for, else the one --out's suffix names, else Markdown."""
    if fmt:
        return fmt
    if out is not None and out.suffix.lower() in SUFFIXES:
        return SUFFIXES[out.suffix.lower()]
    return "md"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, so a reader never
    sees half a briefing."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise AssistantError(f"cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise AssistantError(f"cannot write {path}: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as err:
        raise AssistantError(f"cannot write {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise AssistantError(f"cannot write {path}: {err.strerror or err}") from None


def make_briefing(assistant: Assistant, questions_file: Path, *, title: str, fmt: str) -> tuple[bytes, list]:
    """Ask every question of the file (as one conversation, so follow-ups read in context)
    and render the answers. Returns the bytes and the answers."""
    questions = read_questions(questions_file)
    conversation = assistant.conversation()
    for q in questions:
        try:
            conversation.ask(q.text, **q.options())
        except QuestionsError:
            raise
        except AssistantError as exc:
            raise QuestionsError(str(questions_file), q.line, str(exc)) from None
    data = render_briefing(conversation.turns, title=title, sources=assistant.sources(), fmt=fmt)
    return data, conversation.turns


def run(args: argparse.Namespace) -> int:
    """Write the briefing; 2 with one line on stderr for a user error."""
    fmt = choose_format(args.format, args.out)
    try:
        if args.out is None and fmt == "docx" and sys.stdout.isatty():
            raise AssistantError("a DOCX briefing is binary: give --out FILE.docx (or pipe the output)")
        read_questions(args.questions)  # fail on a bad file before loading the index
        assistant = Assistant.open(args.index)
        data, answers = make_briefing(assistant, args.questions, title=args.title, fmt=fmt)
        if args.out is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            write_atomically(args.out, data)
            disputes = {d.id for a in answers for d in a.disputes}
            answered = sum(1 for a in answers if a.supported)
            print(f"wrote {args.out} ({fmt}): {len(answers)} questions, {answered} answered, "
                  f"{len(disputes)} disputed facts", file=sys.stderr)
    except AssistantError as exc:
        print(f"assistant: {exc}", file=sys.stderr)
        return 2
    return 0
