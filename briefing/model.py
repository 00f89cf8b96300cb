"""What a briefing holds, independent of its format: footnotes, sections, disputes, coverage.

Every quoted sentence gets one footnote number for the whole briefing (a sentence cited
twice keeps its number), so the Markdown, HTML and DOCX renderers only lay out what
`build_brief` decided.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from assistant import SourceInfo
from assistant.records import Answer, Citation, Dispute, Side
from briefing.display import display_text, shorten

log = logging.getLogger(__name__)

# Characters XML 1.0 (and so DOCX) cannot hold, and that have no business in HTML either.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
MAX_CORPUS_LISTED = 200
LABEL_CHARS = 48  # a title standing for an outlet is shortened at a word to this


def clean(text: object) -> str:
    """Text made safe for any format: one line, no control characters, no bidirectional
    controls (so a quote cannot reorder what it shows)."""
    return " ".join(_NOT_XML.sub(" ", display_text(text or "")).split())


def when(published: str | None) -> str:
    """A published date as people read it: '2021-11-17 14:03' or '2021-11-18'."""
    if not published:
        return "undated"
    return clean(published)[:16].replace("T", " ")


@dataclass
class Note:
    """One footnote: a verbatim sentence and where it comes from."""

    number: int
    citation: Citation
    who: str | None = None  # the speaker, from the citation or the dispute side that holds it

    @property
    def outlet(self) -> str:
        """The outlet, or for an article without one its title, quoted and shortened at a word."""
        s = self.citation.source
        return clean(s.outlet) or f"“{shorten(clean(s.title), LABEL_CHARS)}”"

    @property
    def quote(self) -> str:
        return clean(self.citation.sentence)

    @property
    def speaker(self) -> str:
        return clean(self.citation.speaker or self.who)

    @property
    def url(self) -> str | None:
        url = clean(self.citation.source.url)
        return url if url.startswith(("http://", "https://")) else None

    def source_parts(self) -> list[str]:
        """Outlet, “title”, author, date: the parts of the source line that are known."""
        s = self.citation.source
        parts = [clean(s.outlet), f"“{clean(s.title)}”", clean(s.author), when(s.published)]
        return [p for p in parts if p]


@dataclass
class Piece:
    """A run of lead text, followed by a footnote mark when `note` is set."""

    text: str
    note: int | None = None


@dataclass
class SideEntry:
    position: str
    speaker: str
    notes: list[Note]


@dataclass
class DisputeEntry:
    """One disagreement, shown once however many questions it touches."""

    label: str  # "D1"
    kind: str
    about: str
    summary: str
    reason: str
    sides: list[SideEntry]
    questions: list[int] = field(default_factory=list)


@dataclass
class Section:
    """One question and its answer."""

    number: int
    question: str
    read_as: str  # the question as interpreted, when it differs
    supported: bool
    message: str
    lead: list[Piece]
    also: list[Note]  # citations not quoted in the lead
    related: list[Note]  # the nearest other passages: instead of an answer, or beside one ("Also related")
    agreements: list[tuple[str, list[Note]]]  # (summary, the notes that corroborate it)
    disputes: list[DisputeEntry]


@dataclass
class Brief:
    title: str
    made_at: datetime
    sources: list[SourceInfo]
    sections: list[Section]
    disputes: list[DisputeEntry]
    notes: list[Note]
    coverage: list[tuple[str, int]]  # (outlet, number of footnotes), most cited first

    @property
    def made_text(self) -> str:
        return self.made_at.strftime("%Y-%m-%d %H:%M %Z").strip()

    def corpus_line(self) -> str:
        """How many articles the briefing was made from, from how many outlets, dated when."""
        n = len(self.sources)
        dates = sorted(when(s.published)[:10] for s in self.sources if s.published)
        outlets = sorted({clean(s.outlet) for s in self.sources if s.outlet})
        line = f"{n} article{'s' if n != 1 else ''}"
        if outlets:
            line += f" from {len(outlets)} outlet{'s' if len(outlets) != 1 else ''}"
        if dates:
            line += f", published {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else "")
        return line

    def corpus_entries(self) -> list[str]:
        """One line per source, oldest first, ending with how many more were left out."""
        rows = sorted(self.sources, key=lambda s: (s.published or "9999", clean(s.title)))
        lines = []
        for s in rows[:MAX_CORPUS_LISTED]:
            bits = [f"“{clean(s.title)}”", clean(s.outlet), clean(s.author), when(s.published)]
            lines.append(", ".join(b for b in bits if b) + f" ({s.sentences} sentences)")
        if len(rows) > MAX_CORPUS_LISTED:
            lines.append(f"… and {len(rows) - MAX_CORPUS_LISTED} more")
        return lines

    def coverage_line(self) -> str:
        if not self.coverage:
            return "The briefing cites no source."
        cited = ", ".join(f"{outlet} ({n})" for outlet, n in self.coverage)
        total = sum(n for _, n in self.coverage)
        return (f"Cites {len(self.coverage)} of {len(self.sources)} sources in {total} "
                f"quotation{'s' if total != 1 else ''}: {cited}.")


class _Numbering:
    """Footnote numbers for the whole briefing, one per sentence."""

    def __init__(self) -> None:
        self.notes: list[Note] = []
        self._by_sentence: dict[int, Note] = {}

    def note(self, citation: Citation, speaker: str | None = None) -> Note:
        found = self._by_sentence.get(citation.id)
        if found is None:
            found = Note(len(self.notes) + 1, citation, speaker)
            self.notes.append(found)
            self._by_sentence[citation.id] = found
        elif speaker and not found.who:
            found.who = speaker
        return found


def split_lead(answer: Answer) -> list[tuple[str, Citation | None]]:
    """The lead as (verbatim text, the citation it quotes).

    The engine writes the lead as "<sentence> [n]" joined by spaces; text that does not
    follow that shape is kept as plain text rather than guessed at.
    """
    by_marker = {f"{c.sentence} [{c.number}]": c for c in answer.citations}
    lead, pos, out = answer.lead, 0, []
    while pos < len(lead):
        match = next(((m, c) for m, c in by_marker.items() if lead.startswith(m, pos)), None)
        if match is None:
            out.append((lead[pos:], None))
            break
        marker, citation = match
        out.append((citation.sentence, citation))
        pos += len(marker)
        while pos < len(lead) and lead[pos] == " ":
            pos += 1
    return out


def _side(side: Side, numbering: _Numbering) -> SideEntry:
    notes = [numbering.note(c, side.speaker) for c in side.citations]
    return SideEntry(position=clean(side.position), speaker=clean(side.speaker) or "unattributed", notes=notes)


def build_brief(answers: list[Answer], *, title: str, sources: list[SourceInfo],
                made_at: datetime | None = None) -> Brief:
    """Number the footnotes and gather the disputes of `answers`, in their order."""
    numbering = _Numbering()
    sections: list[Section] = []
    disputes: dict[str, DisputeEntry] = {}
    pending: list[tuple[Section, list[Dispute]]] = []
    for number, answer in enumerate(answers, start=1):
        lead: list[Piece] = []
        in_lead: set[int] = set()
        for text, citation in split_lead(answer):
            note = numbering.note(citation) if citation else None
            if note:
                in_lead.add(note.number)
            lead.append(Piece(clean(text), note.number if note else None))
        also = [n for n in (numbering.note(c) for c in answer.citations) if n.number not in in_lead]
        shown = in_lead | {n.number for n in also}
        related = [n for n in (numbering.note(c) for c in answer.related) if n.number not in shown]
        read_as = clean(answer.interpreted_as)
        section = Section(
            number=number, question=clean(answer.question),
            read_as=read_as if read_as and read_as != clean(answer.question) else "",
            supported=answer.supported,
            message=clean(answer.message) or ("" if answer.supported else "The sources do not answer this question."),
            lead=lead, also=also, related=related,
            agreements=[(clean(a.summary) or f"{clean(a.about)}: {clean(a.value)}",
                         [numbering.note(c) for c in a.citations]) for a in answer.agreements],
            disputes=[])
        sections.append(section)
        pending.append((section, answer.disputes))
    # Dispute notes come after every answer's notes, in the order the box shows them.
    for section, touching in pending:
        for d in touching:
            entry = disputes.get(d.id)
            if entry is None:
                entry = DisputeEntry(label=f"D{len(disputes) + 1}", kind=clean(d.kind), about=clean(d.about),
                                     summary=clean(d.summary), reason=clean(d.reason),
                                     sides=[_side(s, numbering) for s in d.sides])
                disputes[d.id] = entry
            if section.number not in entry.questions:
                entry.questions.append(section.number)
                section.disputes.append(entry)
    counts = Counter(n.outlet for n in numbering.notes)
    coverage = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    made = made_at or datetime.now(UTC)
    if made.tzinfo is None:
        made = made.astimezone()
    log.info("briefing %r: %d questions, %d footnotes, %d disputes", title, len(sections),
             len(numbering.notes), len(disputes))
    return Brief(title=clean(title) or "Briefing", made_at=made, sources=list(sources), sections=sections,
                 disputes=list(disputes.values()), notes=numbering.notes, coverage=coverage)
