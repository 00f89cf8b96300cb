"""The briefing as one self-contained HTML page, and an answer as an embeddable HTML card.

Styles are inline (style attributes, plus a small print block), nothing is loaded from
outside, and a Content-Security-Policy forbids scripts. Every piece of article text
goes through `html.escape`; links are kept only for http(s) URLs.
"""

from __future__ import annotations

from html import escape

from assistant.records import Answer
from briefing.display import display_text
from briefing.model import Brief, DisputeEntry, Note, Section, build_brief

FONT = "font-family:Georgia,'Times New Roman',serif;"
SANS = "font-family:Helvetica,Arial,sans-serif;"
BOX = ("border:2px solid #b45309;background:#fffbeb;border-radius:6px;padding:12px 16px;margin:24px 0;"
       "page-break-inside:avoid;break-inside:avoid;")
SIDE = "vertical-align:top;border:1px solid #d6d3d1;padding:8px 10px;background:#ffffff;width:{w}%;"
MUTED = "color:#57534e;font-size:0.9em;"
# A word longer than the line (a 3,000-character token, a long URL) breaks instead of widening the page.
WRAP = "overflow-wrap:anywhere;word-break:break-word;"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
PRINT_CSS = ("@media print{body{margin:0;font-size:11pt}a{color:inherit;text-decoration:none}"
             ".disputed-facts,.dispute,.question{page-break-inside:avoid;break-inside:avoid}"
             "h2{page-break-after:avoid;break-after:avoid}}@page{margin:18mm}")


def e(text: object) -> str:
    """Escaped text, safe inside an element or a quoted attribute, without bidirectional controls."""
    return escape(display_text(text or ""), quote=True)


def mark(number: int, prefix: str = "") -> str:
    """A footnote mark linking to the note."""
    return (f'<sup><a href="#{prefix}note-{number}" style="text-decoration:none;color:#1d4ed8">'
            f"[{number}]</a></sup>")


def source_html(note: Note) -> str:
    parts = e(", ".join(note.source_parts()))
    if note.url:
        parts += f' — <a href="{e(note.url)}" rel="noopener noreferrer" style="color:#1d4ed8">{e(note.url)}</a>'
    return parts


def _section(s: Section, prefix: str, level: int, numbered: bool = True) -> str:
    h = f"h{level}"
    number = f"{s.number}. " if numbered else ""
    out = [f'<section class="question" id="{prefix}q{s.number}" style="margin:20px 0">',
           f'<{h} style="{SANS}font-size:1.2em;margin:0 0 6px">{number}{e(s.question)}</{h}>']
    if s.read_as:
        out.append(f'<p class="read-as" style="{MUTED}margin:0 0 6px"><em>Read as: {e(s.read_as)}</em></p>')
    if not s.supported:
        out.append(f'<p class="abstain" style="margin:6px 0"><em>{e(s.message)}</em></p>')
        if s.related:
            marks = " ".join(mark(n.number, prefix) for n in s.related)
            out.append(f'<p class="related" style="{MUTED}">Nearest passages (not an answer): {marks}</p>')
        return "\n".join(out + ["</section>"])
    lead = " ".join(f"{e(p.text)}{mark(p.note, prefix) if p.note else ''}" for p in s.lead)
    out.append(f'<p class="lead" style="margin:6px 0;line-height:1.5">{lead}</p>')
    if s.also:
        out.append(f'<p class="also" style="{MUTED}margin:4px 0">Also cited: '
                   + " ".join(mark(n.number, prefix) for n in s.also) + "</p>")
    if s.related:
        out.append(f'<p class="related" style="{MUTED}margin:4px 0">Also related (not part of the answer): '
                   + " ".join(mark(n.number, prefix) for n in s.related) + "</p>")
    for summary, notes in s.agreements:
        marks = "".join(mark(n.number, prefix) for n in notes)
        out.append(f'<p class="agreement" style="margin:4px 0;color:#166534">✔ Corroborated: {e(summary)}{marks}</p>')
    for d in s.disputes:
        out.append(f'<p class="dispute-ref" style="margin:4px 0;color:#b45309">⚖ Disputed: {e(d.about or d.summary)}'
                   f' — see <a href="#{prefix}{d.label.lower()}" style="color:#b45309">{e(d.label)}</a></p>')
    return "\n".join(out + ["</section>"])


def _side_cell(letter: str, position: str, speaker: str, notes: list[Note], width: int, prefix: str) -> str:
    quotes = "".join(
        f'<blockquote class="quote" style="margin:6px 0;padding-left:8px;border-left:3px solid #d6d3d1">'
        f"“{e(n.quote)}”{mark(n.number, prefix)}"
        f'<div class="source" style="{MUTED}margin-top:2px">{source_html(n)}</div></blockquote>'
        for n in notes)
    return (f'<td class="side" style="{SIDE.format(w=width)}">'
            f'<div class="position" style="{SANS}font-weight:bold">{letter}. {e(position)}</div>'
            f'<div class="speaker" style="{MUTED}">{e(speaker)}</div>{quotes}</td>')


def dispute_html(d: DisputeEntry, prefix: str = "", level: int = 3, questions: bool = True) -> str:
    """One disagreement with its sides side by side."""
    width = max(1, 100 // max(1, len(d.sides)))
    cells = "".join(_side_cell("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i % 26], s.position, s.speaker, s.notes, width, prefix)
                    for i, s in enumerate(d.sides))
    touches = ", ".join(str(q) for q in d.questions)
    plural = "s" if len(d.questions) > 1 else ""
    which = f' <span style="{MUTED}font-weight:normal">(question{plural} {touches})</span>' if questions else ""
    h = f"h{level}"
    return "\n".join([
        f'<section class="dispute" id="{prefix}{d.label.lower()}" style="margin:12px 0">',
        f'<{h} style="{SANS}font-size:1em;margin:0 0 4px">{e(d.label)} · {e(d.kind)} · {e(d.about)}{which}</{h}>',
        f'<p class="summary" style="margin:0 0 6px">{e(d.summary)}</p>' if d.summary else "",
        f'<table class="sides" style="border-collapse:collapse;width:100%;table-layout:fixed"><tr>{cells}</tr></table>',
        f'<p class="why" style="{MUTED}margin:6px 0 0"><em>Why shown:</em> {e(d.reason)}</p>' if d.reason else "",
        "</section>"])


def _notes(notes: list[Note], prefix: str) -> str:
    items = []
    for n in notes:
        who = f"{e(n.speaker)}, quoted in " if n.speaker else ""
        items.append(f'<li id="{prefix}note-{n.number}" value="{n.number}" style="margin:4px 0">'
                     f'{who}<span class="source">{source_html(n)}</span>: '
                     f'<q class="quote" style="quotes:none">“{e(n.quote)}”</q></li>')
    return f'<ol class="notes" style="padding-left:28px;font-size:0.9em">{"".join(items)}</ol>'


def render_html(brief: Brief) -> bytes:
    """The whole briefing as a standalone UTF-8 HTML page."""
    made = brief.made_at.isoformat(timespec="minutes")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(brief.title)}</title><style>{PRINT_CSS}</style></head>",
        f'<body style="{FONT}{WRAP}max-width:52em;margin:24px auto;padding:0 16px;color:#1c1917;line-height:1.45">',
        '<header class="masthead">',
        f'<h1 style="{SANS}font-size:1.8em;margin:0 0 4px">{e(brief.title)}</h1>',
        f'<p class="made" style="{MUTED}margin:0">Made <time datetime="{e(made)}">{e(brief.made_text)}</time>'
        f" from {e(brief.corpus_line())} (listed under Corpus).</p>",
    ]
    if brief.disputes:
        n = len(brief.disputes)
        parts.append(f'<p class="dispute-count" style="margin:6px 0;color:#b45309;font-weight:bold">'
                     f'{n} disputed fact{"s" if n != 1 else ""}: see '
                     f'<a href="#disputed-facts" style="color:#b45309">Disputed facts</a>.</p>')
    parts.append("</header><main>")
    parts += [_section(s, "", 2) for s in brief.sections]
    if brief.disputes:
        parts.append(f'<aside class="disputed-facts" id="disputed-facts" style="{BOX}">')
        parts.append(f'<h2 style="{SANS}font-size:1.3em;margin:0 0 8px;color:#b45309">⚖ Disputed facts</h2>')
        parts += [dispute_html(d) for d in brief.disputes]
        parts.append("</aside>")
    parts += [f'<section class="coverage"><h2 style="{SANS}font-size:1.2em">Coverage</h2>',
              f'<p class="coverage-line">{e(brief.coverage_line())}</p></section>',
              f'<section class="notes-section"><h2 style="{SANS}font-size:1.2em">Notes</h2>',
              _notes(brief.notes, ""), "</section>",
              f'<section class="corpus"><h2 style="{SANS}font-size:1.2em">Corpus</h2>',
              f'<ul style="font-size:0.9em;{MUTED}">']
    parts += [f"<li>{e(entry)}</li>" for entry in brief.corpus_entries()]
    parts += ["</ul></section></main></body></html>", ""]
    return "\n".join(p for p in parts if p is not None).encode("utf-8")


def answer_card(answer: Answer, *, prefix: str | None = None) -> str:
    """One answer as an HTML fragment another page can include as it is (no scripts, inline styles)."""
    brief = build_brief([answer], title=answer.question, sources=[])
    prefix = prefix if prefix is not None else f"na-{''.join(ch for ch in answer.id if ch.isalnum())[:24]}-"
    section = brief.sections[0]
    parts = [f'<article class="na-card" data-answer-id="{e(answer.id)}" style="{FONT}{WRAP}border:1px solid #d6d3d1;'
             'border-radius:8px;padding:12px 16px;max-width:44em;box-sizing:border-box;color:#1c1917;'
             'background:#ffffff;line-height:1.45">',
             _section(section, prefix, 3, numbered=False)]
    if brief.disputes:
        parts.append(f'<div class="disputed-facts" style="{BOX}margin:12px 0">')
        parts.append(f'<div style="{SANS}font-weight:bold;color:#b45309">⚖ Disputed facts</div>')
        parts += [dispute_html(d, prefix, 4, questions=False) for d in brief.disputes]
        parts.append("</div>")
    if brief.notes:
        parts.append(_notes(brief.notes, prefix))
    parts.append(f'<footer style="{MUTED}font-size:0.8em">Quoted verbatim from the sources; '
                 "no text here was written by a model.</footer></article>")
    return "\n".join(parts)
