"""Conversations kept on disk, so a chat survives page reloads, restarts and ingests.

One SQLite file in the index folder itself, beside its versions (`INDEX/conversations.sqlite`),
never inside one: an ingest builds a new version and removes the old, and the conversations
must outlive both. WAL mode; every write is one transaction, so a process killed mid-write
leaves either the whole turn or none of it.

A turn is stored as the answer's JSON (exactly what `assistant ask --json` prints) with its
question and interpreted question beside it as columns, and read back as an `Answer` record.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.records import Agreement, Answer, Citation, Dispute, Side, Source

FILE_NAME = "conversations.sqlite"
MAX_TITLE_CHARS = 200
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    title TEXT,                -- NULL: named by its first question
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    interpreted_as TEXT NOT NULL,
    answer TEXT NOT NULL,      -- the Answer as JSON, as `assistant ask --json` prints it
    created REAL NOT NULL,
    PRIMARY KEY (conversation, position)
);
"""


class UnknownConversation(AssistantError):
    """No stored conversation has this id."""


@dataclass(frozen=True)
class ConversationInfo:
    """One stored conversation, as the history lists it."""

    id: str
    title: str  # the title given it, else its first question
    named: bool  # whether the title was given (renamed), not taken from the first question
    turns: int
    created: str  # ISO 8601, UTC
    updated: str  # when the last turn was added (or it was renamed)


class History:
    """The stored conversations of one index folder."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            with self._write() as db:
                db.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
        except sqlite3.DatabaseError as exc:
            raise AssistantError(f"the conversation history {self.path} cannot be used (SQLite: {exc})") from None

    @classmethod
    def of_index(cls, folder: Path | str) -> History:
        """The history kept in an index folder (created there on first use)."""
        return cls(Path(folder) / FILE_NAME)

    # connections --------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as db:
            yield db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (no lost update between two writers)."""
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # writing ---------------------------------------------------------------------------
    def create(self, title: str | None = None) -> str:
        """A new, empty conversation; its id."""
        cid = uuid.uuid4().hex[:12]
        now = time.time()
        with self._transaction() as db:
            db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?)", (cid, _title(title), now, now))
        return cid

    def append_turn(self, cid: str, answer: Answer) -> int:
        """Store `answer` as the next turn of conversation `cid` (made if new); its position."""
        data = json.dumps(answer.to_dict(), ensure_ascii=False)
        now = time.time()
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO conversations VALUES (?, NULL, ?, ?)", (cid, now, now))
            (position,) = db.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM turns WHERE conversation = ?",
                                     (cid,)).fetchone()
            db.execute("INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?)",
                       (cid, position, answer.question, answer.interpreted_as or answer.question, data, now))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, cid))
        return position

    def rename(self, cid: str, title: str | None) -> None:
        """Give the conversation a title; an empty one names it by its first question again."""
        with self._transaction() as db:
            if not db.execute("UPDATE conversations SET title = ? WHERE id = ?", (_title(title), cid)).rowcount:
                raise UnknownConversation(f"no conversation {cid!r} in the history")

    def delete(self, cid: str) -> None:
        """Forget the conversation and its turns."""
        with self._transaction() as db:
            if not db.execute("DELETE FROM conversations WHERE id = ?", (cid,)).rowcount:
                raise UnknownConversation(f"no conversation {cid!r} in the history")

    # reading ---------------------------------------------------------------------------
    def list(self) -> list[ConversationInfo]:
        """Every stored conversation, the one most recently added to first."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT c.id, c.title, c.created, c.updated, COUNT(t.position), "
                "(SELECT question FROM turns WHERE conversation = c.id ORDER BY position LIMIT 1) "
                "FROM conversations c LEFT JOIN turns t ON t.conversation = c.id "
                "GROUP BY c.id ORDER BY c.updated DESC, c.rowid DESC").fetchall()
        return [ConversationInfo(id=cid, title=title or first or "(no questions yet)", named=bool(title),
                                 turns=count, created=_iso(created), updated=_iso(updated))
                for cid, title, created, updated, count, first in rows]

    def info(self, cid: str) -> ConversationInfo | None:
        return next((c for c in self.list() if c.id == cid), None)

    def exists(self, cid: str) -> bool:
        with closing(self._connect()) as db:
            return db.execute("SELECT 1 FROM conversations WHERE id = ?", (cid,)).fetchone() is not None

    def load(self, cid: str) -> list[Answer]:
        """The conversation's answers, in the order asked."""
        with closing(self._connect()) as db:
            if db.execute("SELECT 1 FROM conversations WHERE id = ?", (cid,)).fetchone() is None:
                raise UnknownConversation(f"no conversation {cid!r} in the history (see `assistant chat --list`)")
            rows = db.execute("SELECT answer FROM turns WHERE conversation = ? ORDER BY position", (cid,)).fetchall()
        try:
            return [answer_from_dict(json.loads(data)) for (data,) in rows]
        except ValueError as exc:
            raise AssistantError(f"conversation {cid!r}: a stored answer is not JSON ({exc})") from None


def _title(title: str | None) -> str | None:
    """A title as stored: one line, trimmed, at most MAX_TITLE_CHARS; None when blank."""
    text = " ".join((title or "").split())[:MAX_TITLE_CHARS]
    return text or None


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


# the Answer record back from its JSON ------------------------------------------------------
def _make(cls, d: dict[str, Any], **parts: Any):
    """A record of `cls` from its dict: fields it no longer has are dropped, new ones take their default."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in names}, **parts)


def _citation(d: dict[str, Any]) -> Citation:
    return _make(Citation, {k: v for k, v in d.items() if k != "source"}, source=_make(Source, d["source"]))


def _citations(items: list[dict[str, Any]]) -> list[Citation]:
    return [_citation(c) for c in items]


def _dispute(d: dict[str, Any]) -> Dispute:
    sides = [_make(Side, {k: v for k, v in s.items() if k != "citations"}, citations=_citations(s["citations"]))
             for s in d.get("sides", [])]
    return _make(Dispute, {k: v for k, v in d.items() if k != "sides"}, sides=sides)


def answer_from_dict(d: dict[str, Any]) -> Answer:
    """The Answer record `Answer.to_dict()` (the `--json` output) was made from."""
    lists = ("citations", "agreements", "disputes", "related")
    try:
        return _make(Answer, {k: v for k, v in d.items() if k not in lists},
                     citations=_citations(d.get("citations", [])),
                     agreements=[_make(Agreement, {k: v for k, v in a.items() if k != "citations"},
                                       citations=_citations(a.get("citations", [])))
                                 for a in d.get("agreements", [])],
                     disputes=[_dispute(x) for x in d.get("disputes", [])],
                     related=_citations(d.get("related", [])))
    except (TypeError, KeyError, AttributeError) as exc:
        raise AssistantError(f"a stored answer cannot be read back ({exc})") from None
