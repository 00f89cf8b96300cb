"""SQLite: what the vectors mean (articles, sentences) and what was computed from them.

`annotations` hold the claims and disputes that the assistant computes at ingest; the
index stores them as JSON without knowing their shape, so data still flows one way.

A version's database may come in two files, so an update costs what it adds: `base.sqlite`,
a whole earlier database never written again (hard-linked from version to version), and
`index.sqlite`, the version's own file with what changed since that base: articles added or
replaced, the ids of base articles removed or replaced (`hidden`), and all annotations.
Opened, the two read as one: temporary views named `articles` and `sentences` join them,
so every query here (and any reader's SQL) sees one set of tables. Writes go to `main`.
"""

from __future__ import annotations

import json
import os
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
CREATE TABLE IF NOT EXISTS hidden (article_id TEXT PRIMARY KEY);
"""


def _union(table: str, base: str = "base", own: str = "main") -> str:
    """A version's rows of `table` when it has a base: the base's rows not hidden, then its own."""
    key = "id" if table == "articles" else "article_id"
    return (f"SELECT * FROM {base}.{table} WHERE {key} NOT IN (SELECT article_id FROM {own}.hidden) "
            f"UNION ALL SELECT * FROM {own}.{table}")

_ARTICLE_COLUMNS = "id, title, outlet, author, published, url, location, fingerprint, content_hash, text, extra"


class SentenceDB:
    """Articles, sentences and annotations in one SQLite file."""

    FILENAME = "index.sqlite"
    BASE = "base.sqlite"

    def __init__(self, path: Path, *, readonly: bool = False, unpublished: bool = False) -> None:
        """`unpublished`: the file belongs to a version still being built, which nobody reads and a
        crash discards, and which is fsynced whole before it is published: its commits skip
        SQLite's own syncs and rollback journal on disk."""
        self.path = path
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        if unpublished and not readonly:
            self.conn.execute("PRAGMA synchronous = OFF")
            self.conn.execute("PRAGMA journal_mode = MEMORY")
        if not readonly:
            self.conn.executescript(SCHEMA)
        base = path.with_name(self.BASE)
        self.has_base = base.exists()
        if self.has_base:
            if not base.is_file() or not os.access(base, os.R_OK):
                raise sqlite3.OperationalError(f"unable to open {self.BASE}")
            self.conn.execute("ATTACH DATABASE ? AS base", (f"file:{base}?mode=ro",))
            for table in ("articles", "sentences"):
                self.conn.execute(f"CREATE TEMP VIEW {table} AS {_union(table)}")

    def close(self) -> None:
        self.conn.close()

    # articles -----------------------------------------------------------
    def put_article(self, article: Article, sentences: list[Sentence]) -> None:
        self._hide([article.id])
        self.conn.execute("DELETE FROM main.articles WHERE id = ?", (article.id,))
        self.conn.execute(
            f"INSERT INTO main.articles ({_ARTICLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (article.id, article.title, article.outlet, article.author, article.published,
             article.url, article.location, article.fingerprint, article.content_hash,
             article.text, json.dumps(article.extra, default=str)))
        self.conn.executemany(
            "INSERT INTO main.sentences (id, article_id, position, start, end, paragraph, text) "
            "VALUES (?,?,?,?,?,?,?)",
            [(s.id, s.article_id, s.position, s.start, s.end, s.paragraph, s.text) for s in sentences])

    def delete_articles(self, article_ids: Iterable[str]) -> None:
        ids = list(article_ids)
        self._hide(ids)
        self.conn.executemany("DELETE FROM main.annotations WHERE article_id = ?", [(i,) for i in ids])
        self.conn.executemany("DELETE FROM main.articles WHERE id = ?", [(i,) for i in ids])

    def _hide(self, article_ids: list[str]) -> None:
        """Hide the base's rows of these articles (their new text, if any, goes in `main`)."""
        if self.has_base:
            for aid in article_ids:
                if self.conn.execute("SELECT 1 FROM base.articles WHERE id = ?", (aid,)).fetchone():
                    self.conn.execute("INSERT OR IGNORE INTO main.hidden (article_id) VALUES (?)", (aid,))

    def fingerprints(self) -> dict[str, tuple[str, str, str]]:
        """article id -> (fingerprint, content hash, location)."""
        rows = self.conn.execute("SELECT id, fingerprint, content_hash, location FROM articles")
        return {r["id"]: (r["fingerprint"], r["content_hash"], r["location"]) for r in rows}

    def title(self, article_id: str) -> str | None:
        row = self.conn.execute("SELECT title FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row["title"] if row else None

    def article(self, article_id: str) -> Article | None:
        row = self.conn.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?",
                                (article_id,)).fetchone()
        return _article(row) if row else None

    def articles(self) -> list[Article]:
        rows = self.conn.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY published, title")
        return [_article(r) for r in rows]

    def sentence_total(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]

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
            "INSERT OR REPLACE INTO main.annotations (kind, key, article_id, data) VALUES (?,?,?,?)",
            [(kind, key, article_id, json.dumps(data)) for key, article_id, data in items])

    def clear_annotations(self, kind: str, article_ids: Iterable[str] | None = None) -> None:
        if article_ids is None:
            self.conn.execute("DELETE FROM main.annotations WHERE kind = ?", (kind,))
        else:
            self.conn.executemany("DELETE FROM main.annotations WHERE kind = ? AND article_id = ?",
                                  [(kind, a) for a in article_ids])

    def annotations(self, kind: str) -> list[dict]:
        rows = self.conn.execute("SELECT data FROM annotations WHERE kind = ? ORDER BY key", (kind,))
        return [json.loads(r["data"]) for r in rows]

    def commit(self) -> None:
        self.conn.commit()




def delta_limit(base: int) -> float:
    """How many rows a version's own file (or delta) may hold over a base of `base` rows before
    the whole is written again: a tenth of the base, and no more than sqrt(1000 * base). Each
    update copies the delta and each merge writes the base, so the delta's cap grows with the
    square root of the base: that keeps their sum per update lowest (about 3% of 1M sentences)."""
    return min(0.1 * base, (1000 * base) ** 0.5)



def carry(old: Path, new: Path) -> str:
    """The new version folder's database from the old version's, costing what changed since
    the last whole file rather than the whole corpus; the old version's files are only read.

    - old is one whole file: it becomes the new version's base (a hard link), and the new
      `index.sqlite` starts with only its annotations;
    - old has a base: the base is linked again and old's own (small) file copied;
    - old's own file holds more sentences than `delta_limit` of its base's: both are
      written into one whole new file, which the next update takes as its base.
    Returns which of "linked", "copied" or "merged" it did."""
    old_db, new_db = old / SentenceDB.FILENAME, new / SentenceDB.FILENAME
    old_base = old / SentenceDB.BASE
    if not old_base.exists():
        try:
            os.link(old_db, new / SentenceDB.BASE)
        except OSError:  # a file system without hard links: the whole copy it always was
            _backup(old_db, new_db)
            return "copied"
        db = SentenceDB(new_db, unpublished=True)
        with db.conn:
            db.conn.execute("ATTACH DATABASE ? AS old", (f"file:{old_db}?mode=ro",))
            db.conn.execute("INSERT INTO main.annotations SELECT * FROM old.annotations")
        db.conn.execute("DETACH DATABASE old")
        db.close()
        return "linked"
    source = SentenceDB(old_db, readonly=True)
    try:
        own = source.conn.execute("SELECT COUNT(*) FROM main.sentences").fetchone()[0]
        base = source.conn.execute("SELECT COUNT(*) FROM base.sentences").fetchone()[0]
    finally:
        source.close()
    if own <= delta_limit(base):
        try:
            os.link(old_base, new / SentenceDB.BASE)
            _backup(old_db, new_db)
            return "copied"
        except OSError:  # no hard links here: one whole file instead
            (new / SentenceDB.BASE).unlink(missing_ok=True)
            new_db.unlink(missing_ok=True)
    db = SentenceDB(new_db, unpublished=True)
    db.conn.execute("ATTACH DATABASE ? AS old", (f"file:{old_db}?mode=ro",))
    db.conn.execute("ATTACH DATABASE ? AS oldbase", (f"file:{old_base}?mode=ro",))
    with db.conn:
        for table in ("articles", "sentences"):
            db.conn.execute(f"INSERT INTO main.{table} {_union(table, 'oldbase', 'old')}")
        db.conn.execute("INSERT INTO main.annotations SELECT * FROM old.annotations")
    db.close()
    return "merged"


def _backup(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    dst.execute("PRAGMA synchronous = OFF")  # a version being built: fsynced whole before it is published
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


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
