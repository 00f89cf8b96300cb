"""The Article record: one news article as read from a file, a feed or a URL."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Article:
    """One article. `text` is the article body, paragraphs separated by a blank line.

    `id` is stable for a location (the same file read twice gets the same id), so a
    re-ingest replaces the article instead of duplicating it; `fingerprint` changes
    whenever anything a reader sees changes, so ingest knows what to re-embed.
    """

    id: str
    title: str
    text: str
    outlet: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, as precise as the source gives
    url: str | None = None
    location: str = ""  # file path or URL it was read from
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def fingerprint(self) -> str:
        """A hash of everything a reader of the article sees."""
        parts = [self.title, self.text, self.outlet or "", self.author or "",
                 self.published or "", self.url or "", self.location]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]

    @property
    def content_hash(self) -> str:
        """A hash of the body text alone: two locations with one text are duplicates."""
        normalised = " ".join(self.text.split()).casefold()
        return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p.strip()]

    def to_dict(self) -> dict:
        return asdict(self)


def article_id_for(location: str) -> str:
    """A short stable id derived from where the article was read."""
    return hashlib.sha1(location.encode("utf-8")).hexdigest()[:16]
