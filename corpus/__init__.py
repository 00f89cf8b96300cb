"""Reading news articles from files, folders, URLs and feeds into `Article` records.

    from corpus import read_source, read_sources, DEFAULT_CORPUS
    articles = read_source("notes/article.md")           # strict: raises CorpusError
    articles, errors = read_sources([str(DEFAULT_CORPUS), "https://example.org/feed"])

Supported: .txt and .md (optional YAML front matter; raw pasted article text too),
.html/.htm, .jsonl, folders of these (recursive), http(s) pages and RSS/Atom feeds.
"""

from __future__ import annotations

from pathlib import Path

from corpus.errors import CorpusError
from corpus.records import Article, article_id_for
from corpus.sources import collect_source, read_source, read_sources

DEFAULT_CORPUS: Path = Path(__file__).resolve().parent / "seeds"

__all__ = ["DEFAULT_CORPUS", "Article", "CorpusError", "article_id_for", "collect_source",
           "read_source", "read_sources"]
