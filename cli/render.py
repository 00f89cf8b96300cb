"""Plain-text rendering of answers, sources and disputes for the terminal.

A source is named by its outlet, title, author, date and article id (what `assistant
sources` and `--remove` know it by); `--json` keeps paths and offsets. Everything
printed goes through `display_text`, so bidirectional controls in an article cannot
reorder what the terminal shows.
"""

from __future__ import annotations

import re
import textwrap

from assistant.records import Answer, Citation, Dispute, SourceInfo
from briefing.display import display_text as _display_text

# C0 and C1 control characters other than tab and newline: escape sequences a terminal would obey.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def display_text(text: object) -> str:
    """Text as the terminal should show it: no bidirectional controls, no escape sequences."""
    return _CONTROLS.sub("\ufffd", _display_text(text))


def source_line(c: Citation) -> str:
    """'AFP, “Title”, Author, 2021-11-17 14:03 · article 1a2b3c4d5e6f7a8b'."""
    s = c.source
    parts = [s.outlet, f"“{s.title}”", s.author, (s.published or "")[:16].replace("T", " ")]
    return display_text(", ".join(p for p in parts if p) + f" · article {s.article_id}")


def source_row(r: SourceInfo) -> str:
    """One line of `assistant sources`: outlet, published, sentence count, title."""
    return display_text(f"{(r.outlet or '-')[:16]:<16} {(r.published or '-')[:16]:<17} {r.sentences:>5}  {r.title}")


def dispute_block(d: Dispute, width: int = 100) -> list[str]:
    lines = [f"⚖ {d.kind.upper()}: {d.summary or d.about}"]
    for letter, side in zip("ABCDEFGH", d.sides):
        who = side.speaker or "unattributed"
        lines.append(f"  {letter}. {side.position} — {who}")
        for c in side.citations:
            lines += textwrap.wrap(c.sentence, width, initial_indent="   > ", subsequent_indent="     ")
            lines.append(f"     {source_line(c)}")
    if d.reason:
        lines.append(f"  why shown: {d.reason}")
    return [display_text(line) for line in lines]


def answer_text(answer: Answer, width: int = 100) -> str:
    lines = [f"Q: {answer.question}"]
    if answer.interpreted_as and answer.interpreted_as != answer.question:
        lines.append(f"   (read as: {answer.interpreted_as})")
    lines.append("")
    if not answer.supported:
        lines.append(answer.message or "The sources do not answer this question.")
        if answer.related:
            lines += ["", "Related passages (not an answer):"]
            for c in answer.related:
                lines += textwrap.wrap(f"- {c.sentence}", width, subsequent_indent="  ")
                lines.append(f"  {source_line(c)}")
        return display_text("\n".join(lines))
    lines += textwrap.wrap(answer.lead, width)
    for a in answer.agreements:
        lines += ["", f"✔ Agreement: {a.summary}"]
    for d in answer.disputes:
        lines += [""] + dispute_block(d, width)
    lines += ["", "Citations:"]
    for c in answer.citations:
        lines += textwrap.wrap(f"[{c.number}] {c.sentence}", width, subsequent_indent="    ")
        lines.append(f"    {source_line(c)}")
    if answer.related:
        lines += ["", "Also related (not part of the answer):"]
        for c in answer.related:
            lines += textwrap.wrap(f"- {c.sentence}", width, subsequent_indent="  ")
            lines.append(f"  {source_line(c)}")
    return display_text("\n".join(lines))
