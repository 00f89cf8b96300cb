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
class Claim:
    """What one sentence asserts: who says it, about what, with which value.

    `subject` is a normalised key used to compare claims ("wounded|azerbaijani");
    `about` says it for people ("Wounded Azerbaijani soldiers"). A numeric claim has
    `low`/`high` (a range: "at least one" is 1..inf, "a dozen" is 12..12); a blame
    claim has `actor` (who is said to have attacked) and `target`.
    """

    sentence_id: int
    article_id: str
    kind: str  # "count", "blame", "framing", "outcome", ...
    subject: str
    about: str
    speaker: str | None = None
    low: float | None = None
    high: float | None = None
    value: str | None = None  # the words that carry the value, verbatim ("a dozen", "10")
    actor: str | None = None
    target: str | None = None
    frame: str | None = None  # for framing claims: the position taken, in a few words
    quote: str = ""  # the part of the sentence that makes the claim

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Side:
    """One position in a dispute, with the citations that hold it."""

    position: str  # the value or stance in a few words ("10", "Armenia attacked")
    speaker: str | None
    citations: list[Citation] = field(default_factory=list)


@dataclass
class Dispute:
    """Sources (or one source at two times) that disagree, side by side.

    kind: "numeric" (incompatible values for one quantity), "blame" (each side names
    the other as aggressor), "framing" (one event told in opposing terms) or "update"
    (a later report replaces an earlier figure).
    """

    id: str
    kind: str
    about: str  # what they disagree on, one line ("Wounded Azerbaijani soldiers")
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
