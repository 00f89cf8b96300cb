"""SQLite: what the vectors mean (articles, sentences) and what was computed from them.

`annotations` hold the claims and disputes that the assistant computes at ingest; the
index stores them as JSON without knowing their shape, so data still flows one way.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from corpus.records import Article
from index.records import Sentence

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, outlet TEXT, author TEXT, published TEXT,
    url TEXT, location TEXT NOT NULL, fingerprint TEXT NOT NULL, content_hash TEXT NOT NULL,
    text TEXT NOT NULL, extra TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    paragraph INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_by_article ON sentences(article_id, position);
CREATE TABLE IF NOT EXISTS annotations (
    kind TEXT NOT NULL, key TEXT NOT NULL, article_id TEXT, data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX IF NOT EXISTS annotations_by_article ON annotations(kind, article_id);
"""

_ARTICLE_COLUMNS = "id, title, outlet, author, published, url, location, fingerprint, content_hash, text, extra"


class SentenceDB:
    """Articles, sentences and annotations in one SQLite file."""

    FILENAME = "index.sqlite"

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    # articles -----------------------------------------------------------
    def put_article(self, article: Article, sentences: list[Sentence]) -> None:
        self.conn.execute("DELETE FROM articles WHERE id = ?", (article.id,))
        self.conn.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (article.id, article.title, article.outlet, article.author, article.published,
             article.url, article.location, article.fingerprint, article.content_hash,
             article.text, json.dumps(article.extra, default=str)))
        self.conn.executemany(
            "INSERT INTO sentences (id, article_id, position, start, end, paragraph, text) "
            "VALUES (?,?,?,?,?,?,?)",
            [(s.id, s.article_id, s.position, s.start, s.end, s.paragraph, s.text) for s in sentences])

    def delete_articles(self, article_ids: Iterable[str]) -> None:
        ids = list(article_ids)
        self.conn.executemany("DELETE FROM annotations WHERE article_id = ?", [(i,) for i in ids])
        self.conn.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in ids])

    def fingerprints(self) -> dict[str, tuple[str, str, str]]:
        """article id -> (fingerprint, content hash, location)."""
        rows = self.conn.execute("SELECT id, fingerprint, content_hash, location FROM articles")
        return {r["id"]: (r["fingerprint"], r["content_hash"], r["location"]) for r in rows}

    def article(self, article_id: str) -> Article | None:
        row = self.conn.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?",
                                (article_id,)).fetchone()
        return _article(row) if row else None

    def articles(self) -> list[Article]:
        rows = self.conn.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY published, title")
        return [_article(r) for r in rows]

    def sentence_counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT article_id, COUNT(*) AS n FROM sentences GROUP BY article_id")
        return {r["article_id"]: r["n"] for r in rows}

    # sentences ----------------------------------------------------------
    def sentences(self, ids: Iterable[int]) -> dict[int, Sentence]:
        ids = list(ids)
        found: dict[int, Sentence] = {}
        for chunk in range(0, len(ids), 900):
            part = ids[chunk:chunk + 900]
            marks = ",".join("?" * len(part))
            for r in self.conn.execute(f"SELECT * FROM sentences WHERE id IN ({marks})", part):
                found[r["id"]] = _sentence(r)
        return found

    def article_sentences(self, article_id: str) -> list[Sentence]:
        rows = self.conn.execute("SELECT * FROM sentences WHERE article_id = ? ORDER BY position",
                                 (article_id,))
        return [_sentence(r) for r in rows]

    def all_sentences(self) -> list[Sentence]:
        rows = self.conn.execute("SELECT * FROM sentences ORDER BY article_id, position")
        return [_sentence(r) for r in rows]

    def sentence_ids_where(self, outlets: list[str] | None = None, since: str | None = None,
                           until: str | None = None) -> list[int]:
        """Ids of the sentences whose article matches the filters (None: no filter)."""
        clauses, params = [], []
        if outlets:
            folded = [o.casefold() for o in outlets]
            marks = ",".join("?" * len(folded))
            clauses.append(f"(lower(a.outlet) IN ({marks}) OR lower(a.title) IN ({marks}))")
            params += folded + folded
        if since:
            clauses.append("a.published IS NOT NULL AND substr(a.published, 1, 10) >= ?")
            params.append(since[:10])
        if until:
            clauses.append("a.published IS NOT NULL AND substr(a.published, 1, 10) <= ?")
            params.append(until[:10])
        where = " AND ".join(clauses) or "1"
        rows = self.conn.execute(
            f"SELECT s.id FROM sentences s JOIN articles a ON a.id = s.article_id WHERE {where}", params)
        return [r[0] for r in rows]

    # annotations --------------------------------------------------------
    def put_annotations(self, kind: str, items: Iterable[tuple[str, str | None, dict]]) -> None:
        """Store (key, article id or None, JSON-able data) records of one kind."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO annotations (kind, key, article_id, data) VALUES (?,?,?,?)",
            [(kind, key, article_id, json.dumps(data)) for key, article_id, data in items])

    def clear_annotations(self, kind: str, article_ids: Iterable[str] | None = None) -> None:
        if article_ids is None:
            self.conn.execute("DELETE FROM annotations WHERE kind = ?", (kind,))
        else:
            self.conn.executemany("DELETE FROM annotations WHERE kind = ? AND article_id = ?",
                                  [(kind, a) for a in article_ids])

    def annotations(self, kind: str) -> list[dict]:
        rows = self.conn.execute("SELECT data FROM annotations WHERE kind = ? ORDER BY key", (kind,))
        return [json.loads(r["data"]) for r in rows]

    def commit(self) -> None:
        self.conn.commit()


def _article(row: sqlite3.Row) -> Article:
    return Article(id=row["id"], title=row["title"], text=row["text"], outlet=row["outlet"],
                   author=row["author"], published=row["published"], url=row["url"],
                   location=row["location"], extra=json.loads(row["extra"] or "{}"))


def _sentence(row: sqlite3.Row) -> Sentence:
    return Sentence(id=row["id"], article_id=row["article_id"], position=row["position"],
                    start=row["start"], end=row["end"], text=row["text"], paragraph=row["paragraph"])


def neighbours(db: SentenceDB, sentence: Sentence, window: int = 1) -> list[Sentence]:
    """The sentence with up to `window` sentences either side of it, in article order."""
    rows = db.conn.execute(
        "SELECT * FROM sentences WHERE article_id = ? AND position BETWEEN ? AND ? ORDER BY position",
        (sentence.article_id, sentence.position - window, sentence.position + window))
    return [_sentence(r) for r in rows]
