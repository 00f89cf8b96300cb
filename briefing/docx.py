"""The briefing as a Word document (python-docx): footnote marks as superscript numbers,
the notes at the end, and each disputed fact as a shaded table with one column per side."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from briefing.model import Brief, DisputeEntry, Note, Section

AMBER = RGBColor(0xB4, 0x53, 0x09)
GREY = RGBColor(0x57, 0x53, 0x4E)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _mark(paragraph: Paragraph, number: int) -> None:
    run = paragraph.add_run(f"[{number}]")
    run.font.superscript = True


def _muted(paragraph: Paragraph, text: str, *, italic: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.color.rgb = GREY
    run.italic = italic


def _shade(cell, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    props.append(shading)


def _section(doc: Document, s: Section) -> None:
    doc.add_heading(f"{s.number}. {s.question}", level=2)
    if s.read_as:
        _muted(doc.add_paragraph(), f"Read as: {s.read_as}", italic=True)
    if not s.supported:
        doc.add_paragraph().add_run(s.message).italic = True
        if s.related:
            p = doc.add_paragraph()
            _muted(p, "Nearest passages (not an answer): ")
            for n in s.related:
                _mark(p, n.number)
        return
    p = doc.add_paragraph(style="Normal")
    for i, piece in enumerate(s.lead):
        p.add_run(("" if i == 0 else " ") + piece.text)
        if piece.note:
            _mark(p, piece.note)
    if s.also:
        p = doc.add_paragraph()
        _muted(p, "Also cited: ")
        for n in s.also:
            _mark(p, n.number)
    if s.related:
        p = doc.add_paragraph()
        _muted(p, "Also related (not part of the answer): ")
        for n in s.related:
            _mark(p, n.number)
    for summary, notes in s.agreements:
        p = doc.add_paragraph()
        p.add_run(f"✔ Corroborated: {summary}").font.color.rgb = RGBColor(0x16, 0x65, 0x34)
        for n in notes:
            _mark(p, n.number)
    for d in s.disputes:
        run = doc.add_paragraph().add_run(f"⚖ Disputed: {d.about or d.summary} — see {d.label} under Disputed facts")
        run.font.color.rgb = AMBER


def _dispute(doc: Document, d: DisputeEntry) -> None:
    columns = max(1, len(d.sides))
    table = doc.add_table(rows=2, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0].cells[0].merge(table.rows[0].cells[-1]) if columns > 1 else table.rows[0].cells[0]
    _shade(head, "FEF3C7")
    p = head.paragraphs[0]
    questions = ", ".join(str(q) for q in d.questions)
    run = p.add_run(f"{d.label} · {d.kind} · {d.about}")
    run.bold = True
    _muted(p, f" (question{'s' if len(d.questions) > 1 else ''} {questions})")
    if d.summary:
        head.add_paragraph(d.summary)
    if d.reason:
        _muted(head.add_paragraph(), f"Why shown: {d.reason}", italic=True)
    for i, side in enumerate(d.sides):
        cell = table.rows[1].cells[i]
        _shade(cell, "FFFBEB")
        p = cell.paragraphs[0]
        p.add_run(f"{LETTERS[i % 26]}. {side.position}").bold = True
        _muted(cell.add_paragraph(), side.speaker)
        for n in side.notes:
            q = cell.add_paragraph()
            q.add_run(f"“{n.quote}”")
            _mark(q, n.number)
            src = cell.add_paragraph()
            _muted(src, ", ".join(n.source_parts()))
            src.runs[0].font.size = Pt(8.5)
    doc.add_paragraph()


def _note(doc: Document, n: Note) -> None:
    p = doc.add_paragraph()
    p.add_run(f"[{n.number}] ").bold = True
    if n.speaker:
        p.add_run(f"{n.speaker}, quoted in ")
    p.add_run(", ".join(n.source_parts()) + ": ")
    p.add_run(f"“{n.quote}”").italic = True
    if n.url:
        _muted(p, f" {n.url}")
    p.paragraph_format.space_after = Pt(2)


def render_docx(brief: Brief) -> bytes:
    """The whole briefing as a .docx file's bytes."""
    doc = Document()
    doc.core_properties.title = brief.title
    doc.core_properties.created = brief.made_at
    doc.core_properties.comments = "Quoted verbatim from the sources; no text was written by a model."
    doc.add_heading(brief.title, level=0)
    _muted(doc.add_paragraph(), f"Made {brief.made_text} from {brief.corpus_line()} (listed under Corpus).")
    if brief.disputes:
        n = len(brief.disputes)
        run = doc.add_paragraph().add_run(f"{n} disputed fact{'s' if n != 1 else ''}: see Disputed facts.")
        run.bold = True
        run.font.color.rgb = AMBER
    doc.add_heading("Answers", level=1)
    for s in brief.sections:
        _section(doc, s)
    if brief.disputes:
        heading = doc.add_heading("Disputed facts", level=1)
        for run in heading.runs:
            run.font.color.rgb = AMBER
        for d in brief.disputes:
            _dispute(doc, d)
    doc.add_heading("Coverage", level=1)
    doc.add_paragraph(brief.coverage_line())
    doc.add_heading("Notes", level=1)
    for n in brief.notes:
        _note(doc, n)
    doc.add_heading("Corpus", level=1)
    for entry in brief.corpus_entries():
        doc.add_paragraph(entry, style="List Bullet")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
