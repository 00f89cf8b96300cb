"""Plain-text rendering of answers, sources and disputes for the terminal."""

from __future__ import annotations

import textwrap

from assistant.records import Answer, Citation, Dispute


def source_line(c: Citation) -> str:
    s = c.source
    parts = [s.outlet, f"“{s.title}”", s.author, (s.published or "")[:16].replace("T", " ")]
    return ", ".join(p for p in parts if p) + f" — {s.location} [{s.start}:{s.end}]"


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
    return lines


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
        return "\n".join(lines)
    lines += textwrap.wrap(answer.lead, width)
    for a in answer.agreements:
        lines += ["", f"✔ Agreement: {a.summary}"]
    for d in answer.disputes:
        lines += [""] + dispute_block(d, width)
    lines += ["", "Citations:"]
    for c in answer.citations:
        lines += textwrap.wrap(f"[{c.number}] {c.sentence}", width, subsequent_indent="    ")
        lines.append(f"    {source_line(c)}")
    return "\n".join(lines)
