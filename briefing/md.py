"""The briefing as Markdown (CommonMark with GitHub footnotes and tables), for pasting into a CMS.

Article text is backslash-escaped so that nothing in a quote turns into markup, a link,
raw HTML or maths when the CMS renders it: CommonMark and GFM markup, `$` maths (GitHub,
GitLab, Pandoc, Obsidian, KaTeX plug-ins), `:emoji:` codes, `==mark==`, `++ins++`,
`^sup^`, `~sub~`, `{attributes}`, `%%comments%%`, `#tags` and `@citations`. Only the
punctuation no common renderer reads as markup (. , ; ? ! / ' " ( ) -) is left as typed,
except a `-` or `1.` that would open a list.
"""

from __future__ import annotations

import re

from briefing.model import Brief, DisputeEntry, Note, Section, clean

_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~$#%+=^{}:@])")
_BLOCK_START = re.compile(r"^(-|\d+[.)])")


def escape_md(text: str) -> str:
    """Plain text as Markdown that renders as exactly that text, wherever it stands."""
    escaped = _SPECIAL.sub(r"\\\1", clean(text))
    return _BLOCK_START.sub(lambda m: m[0][:-1] + "\\" + m[0][-1], escaped)


def ref(number: int) -> str:
    return f"[^{number}]"


def _section(s: Section) -> list[str]:
    lines = [f"## {s.number}. {escape_md(s.question)}", ""]
    if s.read_as:
        lines += [f"*Read as: {escape_md(s.read_as)}*", ""]
    if not s.supported:
        lines += [f"*{escape_md(s.message)}*", ""]
        if s.related:
            lines += ["Nearest passages (not an answer): " + " ".join(ref(n.number) for n in s.related), ""]
        return lines
    lines += ["".join(escape_md(p.text) + (ref(p.note) if p.note else "") + " " for p in s.lead).strip(), ""]
    if s.also:
        lines += ["Also cited: " + " ".join(ref(n.number) for n in s.also), ""]
    if s.related:
        lines += ["Also related (not part of the answer): " + " ".join(ref(n.number) for n in s.related), ""]
    for summary, notes in s.agreements:
        lines += [f"> ✔ Corroborated: {escape_md(summary)}" + "".join(ref(n.number) for n in notes), ""]
    for d in s.disputes:
        lines += [f"> ⚖ Disputed: {escape_md(d.about or d.summary)} (see {d.label} under “Disputed facts”)", ""]
    return lines


def _cell(note: Note | None) -> tuple[str, str]:
    if note is None:
        return "", ""
    return f"“{escape_md(note.quote)}”{ref(note.number)}", escape_md(", ".join(note.source_parts()))


def _dispute(d: DisputeEntry) -> list[str]:
    questions = ", ".join(str(q) for q in d.questions)
    plural = "s" if len(d.questions) > 1 else ""
    lines = [f"> **{d.label} · {escape_md(d.kind)} · {escape_md(d.about)}** (question{plural} {questions})", ">"]
    if d.summary:
        lines += [f"> {escape_md(d.summary)}", ">"]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    heads = [f"{letters[i % 26]}. {escape_md(side.position)} — {escape_md(side.speaker)}"
             for i, side in enumerate(d.sides)]
    lines += ["> | " + " | ".join(heads) + " |", "> | " + " | ".join("---" for _ in heads) + " |"]
    for row in range(max((len(side.notes) for side in d.sides), default=0)):
        cells = [_cell(side.notes[row] if row < len(side.notes) else None) for side in d.sides]
        lines.append("> | " + " | ".join(quote for quote, _ in cells) + " |")
        lines.append("> | " + " | ".join(source for _, source in cells) + " |")
    if d.reason:
        lines += [">", f"> *Why shown:* {escape_md(d.reason)}"]
    return lines + [""]


def _footnote(n: Note) -> str:
    who = f"{escape_md(n.speaker)}, quoted in " if n.speaker else ""
    url = f" <{n.url}>" if n.url and not re.search(r"[\s<>]", n.url) else ""
    return f"[^{n.number}]: {who}{escape_md(', '.join(n.source_parts()))}: “{escape_md(n.quote)}”{url}"


def render_markdown(brief: Brief) -> bytes:
    """The whole briefing as UTF-8 Markdown."""
    lines = [f"# {escape_md(brief.title)}", "",
             f"*Made {escape_md(brief.made_text)} from {escape_md(brief.corpus_line())}.*", ""]
    if brief.disputes:
        lines += [f"**{len(brief.disputes)} disputed fact{'s' if len(brief.disputes) != 1 else ''}** "
                  "in this briefing: see “Disputed facts” below.", ""]
    for section in brief.sections:
        lines += _section(section)
    if brief.disputes:
        lines += ["## Disputed facts", ""]
        for d in brief.disputes:
            lines += _dispute(d)
    lines += ["## Coverage", "", escape_md(brief.coverage_line()), "", "## Corpus", ""]
    lines += [f"- {escape_md(entry)}" for entry in brief.corpus_entries()]
    lines.append("")
    lines += [_footnote(n) for n in brief.notes]
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")
