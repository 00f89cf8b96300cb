"""The records the assistant answers with. Every one serialises to plain JSON.

These are the public vocabulary of the engine: the CLI's `--json`, the HTTP API, the
chat page, the briefings and the evaluation harness all read these and nothing else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ArticleInfo:
    """What a reader needs to know of an article to judge it as a source."""

    article_id: str
    title: str
    outlet: str | None
    author: str | None
    published: str | None
    url: str | None
    location: str  # file path or URL the article was read from

    @property
    def label(self) -> str:
        """A short human name for the source: the outlet, else the title."""
        return self.outlet or self.title


@dataclass
class Source(ArticleInfo):
    """Where a cited sentence comes from: its article and its character offsets there."""

    start: int
    end: int


@dataclass
class SourceInfo(ArticleInfo):
    """One indexed article, as `assistant sources` lists it."""

    sentences: int


@dataclass
class Citation:
    """One quoted sentence, verbatim, with its neighbours as context and its source."""

    id: int  # the sentence id
    sentence: str
    context: str  # the sentence with its neighbours, verbatim from the article
    score: float  # retrieval score (higher is better; comparable within one answer)
    source: Source
    number: int = 0  # the footnote number in the answer, from 1; 0 when not numbered
    speaker: str | None = None  # who the sentence attributes the claim to, when known
    context_before: str = ""  # the sentences just before, verbatim
    context_after: str = ""  # the sentences just after, verbatim


@dataclass
class Side:
    """One position in a dispute, with the citations that hold it."""

    position: str  # the answer this side gives, as its sources word it ("10", "Jane Doe", "refutes")
    speaker: str | None
    citations: list[Citation] = field(default_factory=list)


@dataclass
class Dispute:
    """Sources (or one source at two times) that disagree, side by side.

    kind: "numeric" (different figures, sums or percentages for one quantity), "entity"
    (different people, organisations or places as the answer), "date", "verdict" (one
    source supports a statement, another refutes it) or "update" (one source revises its
    own figure in a later report). Built by `assistant.compare`, the same comparison at
    question time and at ingest.
    """

    id: str
    kind: str
    about: str  # what they disagree on: the question asked, or the words the sentences share
    summary: str  # the dispute in one line, with the sides and who holds them
    reason: str  # why the pair is shown: the rule or evidence that flagged it
    sides: list[Side] = field(default_factory=list)
    relevance: float = 0.0  # how closely it touches the question (0 when browsing)

    @property
    def sentence_ids(self) -> list[int]:
        return [c.id for side in self.sides for c in side.citations]


@dataclass
class Agreement:
    """Independent sources that give the same value: corroboration."""

    about: str
    value: str
    summary: str  # e.g. "7 killed: both sources"
    citations: list[Citation] = field(default_factory=list)

    @property
    def outlets(self) -> list[str]:
        seen: list[str] = []
        for c in self.citations:
            if c.source.label not in seen:
                seen.append(c.source.label)
        return seen


@dataclass
class Answer:
    """The assistant's answer: quoted, cited, never written by a model.

    `supported` is False when the sources do not answer the question; then `lead` is
    empty, `citations` is empty and `related` holds the nearest passages.
    """

    question: str
    supported: bool
    lead: str  # the best supporting sentence(s), verbatim, with [n] markers
    citations: list[Citation] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    message: str = ""  # a plain-language note ("The sources do not answer ...")
    interpreted_as: str = ""  # the question as read in the conversation's context
    filters: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
