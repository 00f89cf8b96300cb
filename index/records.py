"""The Sentence record: the unit that is embedded, searched and cited."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article, with its character offsets in `Article.text`.

    `id` is an integer below 2**53 (FAISS ids are int64; JSON readers keep it exact) derived from the article id and
    the sentence's position, so it is stable across rebuilds of an unchanged article.
    """

    id: int
    article_id: str
    position: int  # 0-based index of the sentence in its article
    start: int
    end: int
    text: str
    paragraph: int = 0  # 0-based paragraph number, for context windows

    def to_dict(self) -> dict:
        return asdict(self)
