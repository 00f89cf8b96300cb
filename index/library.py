"""The index folder: one consistent version of vectors, BM25 and SQLite, swapped atomically.

Layout of an index folder:

    INDEX/current -> v-<time>-<pid>/   (a symlink, replaced in one rename)
    INDEX/v-.../manifest.json, index.sqlite, vectors.faiss, bm25/

An update builds a whole new version beside the current one and only then points
`current` at it, so a crash or a kill at any moment leaves the previous version whole.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from corpus.records import Article
from corpus.sources import article_files
from index.embed import Encoder
from index.lexical import LexicalIndex
from index.manifest import SCHEMA_VERSION, Manifest, corpus_fingerprint, file_stamp
from index.records import Sentence
from index.split import split_sentences
from index.store import SentenceDB
from index.vectors import FaissStore

log = logging.getLogger(__name__)

CURRENT = "current"


class IndexUnusable(Exception):
    """An index that cannot be used: missing, from another model, or damaged."""


class IndexMissing(IndexUnusable):
    pass


class IndexMismatch(IndexUnusable):
    pass


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)  # article titles
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    duplicates: list[str] = field(default_factory=list)  # "title (same text as other title)"
    rejected: list[str] = field(default_factory=list)  # one-line reasons
    sentences_embedded: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


# Called with the new version's database, the ids of articles added or changed, and the
# ids removed, before the version becomes current: the place for claims and disputes.
Enricher = Callable[[SentenceDB, list[str], list[str]], None]
# Called with (sentences embedded so far, sentences to embed) as embedding goes on.
Progress = Callable[[int, int], None]


def sentence_id(article_id: str, position: int) -> int:
    """A stable id below 2**53, so JavaScript clients of the JSON read it exactly."""
    digest = hashlib.blake2b(f"{article_id}:{position}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & ((1 << 53) - 1)


def make_sentences(article: Article) -> list[Sentence]:
    return [Sentence(sentence_id(article.id, i), article.id, i, s, e, article.text[s:e], p)
            for i, (s, e, p) in enumerate(split_sentences(article.text))]


class Index:
    """A read-only view of the current version of an index folder."""

    def __init__(self, folder: Path, version: Path, manifest: Manifest) -> None:
        self.folder, self.version, self.manifest = folder, version, manifest
        self.db = SentenceDB(version / SentenceDB.FILENAME, readonly=True)
        self.vectors = FaissStore.load(version)
        self.lexical = LexicalIndex.load(version)

    @classmethod
    def open(cls, folder: Path, encoder: Encoder | None = None) -> Index:
        """Open the current version; refuse one made by another model or schema."""
        version = current_version(folder)
        if version is None:
            raise IndexMissing(f"no index at {folder}: run `assistant ingest` first")
        try:
            manifest = Manifest.load(version)
        except (OSError, ValueError) as exc:
            raise IndexMismatch(f"index at {folder} is damaged ({exc}); "
                                "rebuild it with `assistant ingest --rebuild`") from None
        check_compatible(manifest, folder, encoder)
        return cls(folder, version, manifest)

    def close(self) -> None:
        self.db.close()

    def stale_files(self) -> list[str]:
        """Local files changed, deleted or added (in an ingested folder) since the index was built."""
        changed = [p for p, stamp in self.manifest.files.items() if file_stamp(p) != stamp]
        known = set(self.manifest.files)
        return changed + [p for p in _folder_files(self.manifest.sources) if p not in known]


def check_compatible(manifest: Manifest, folder: Path, encoder: Encoder | None) -> None:
    if manifest.schema != SCHEMA_VERSION:
        raise IndexMismatch(f"index at {folder} has schema {manifest.schema}, this version reads "
                            f"{SCHEMA_VERSION}: rebuild it with `assistant ingest --rebuild`")
    if encoder is not None and (manifest.model != encoder.name or manifest.dimensions != encoder.dimensions):
        raise IndexMismatch(f"index at {folder} was built with model {manifest.model} "
                            f"({manifest.dimensions}d), not {encoder.name} ({encoder.dimensions}d): "
                            "rebuild it with `assistant ingest --rebuild`")


def current_version(folder: Path) -> Path | None:
    link = folder / CURRENT
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    return target if (target / "manifest.json").exists() else None


@contextmanager
def _locked(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update(folder: Path, articles: Iterable[Article], *, encoder: Encoder,
           remove: Iterable[str] = (), sync_roots: Iterable[str] = (), sources: Iterable[str] = (),
           rebuild: bool = False, enrich: Enricher | None = None, progress: bool = True,
           on_progress: Progress | None = None) -> IngestReport:
    """Add or replace `articles`, drop `remove` ids (and, for each folder in `sync_roots`,
    the articles once read under it that are no longer there), and make that the
    current version. Only new or changed articles are embedded."""
    started = time.perf_counter()
    with _locked(folder):
        old = None if rebuild else current_version(folder)
        if old is not None:
            check_compatible(Manifest.load(old), folder, encoder)
        new = folder / f"v-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        new.mkdir()
        try:
            report = _build(old, new, list(articles), encoder, set(remove), list(sync_roots),
                            list(sources), enrich, progress, on_progress)
            _swap(folder, new)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        _remove_old_versions(folder, keep=new)
    report.seconds = time.perf_counter() - started
    return report


def _build(old: Path | None, new: Path, articles: list[Article], encoder: Encoder,
           remove: set[str], sync_roots: list[str], sources: list[str],
           enrich: Enricher | None, progress: bool, on_progress: Progress | None = None) -> IngestReport:
    report = IngestReport()
    if old is not None:
        _copy_sqlite(old / SentenceDB.FILENAME, new / SentenceDB.FILENAME)
        vectors = FaissStore.load(old)
        manifest = Manifest.load(old)
    else:
        vectors = FaissStore(encoder.dimensions)
        manifest = Manifest(model=encoder.name, dimensions=encoder.dimensions)
    db = SentenceDB(new / SentenceDB.FILENAME)
    try:
        existing = db.fingerprints()
        titles = {a.id: a.title for a in db.articles()} if existing else {}
        by_hash = {h: aid for aid, (_, h, _) in existing.items()}
        incoming_ids = {a.id for a in articles}
        # Folders read again: what was under them and is not there now is gone.
        for aid, (_, _, location) in existing.items():
            if aid not in incoming_ids and any(_under(location, root) for root in sync_roots):
                remove.add(aid)
        to_embed: list[tuple[Article, list[Sentence]]] = []
        seen_hashes: dict[str, str] = {}
        for article in articles:
            previous = existing.get(article.id)
            if previous and previous[0] == article.fingerprint:
                report.unchanged += 1
                continue
            twin = by_hash.get(article.content_hash)
            twin = twin if twin not in (None, article.id) and twin not in remove else None
            if twin or article.content_hash in seen_hashes:
                other = titles.get(twin, "") if twin else seen_hashes[article.content_hash]
                report.duplicates.append(f"{article.location}: same text as {other!r}, skipped")
                continue
            sentences = make_sentences(article)
            if not sentences:
                report.rejected.append(f"{article.location}: no sentences to index, skipped")
                continue
            seen_hashes[article.content_hash] = article.title
            to_embed.append((article, sentences))
            (report.updated if previous else report.added).append(article.title)
        replaced = [a.id for a, _ in to_embed if a.id in existing]
        gone = sorted(aid for aid in remove if aid in existing)
        report.removed = [titles.get(aid, aid) for aid in gone]
        stale_ids = [s.id for aid in replaced + gone for s in db.article_sentences(aid)]
        vectors.remove(np.asarray(stale_ids, dtype=np.int64))
        db.delete_articles(replaced + gone)

        texts = [s.text for _, sents in to_embed for s in sents]
        if texts:
            log.info("embedding %d sentences from %d articles", len(texts), len(to_embed))
        embedded = _encode(encoder, texts, progress, on_progress)
        report.sentences_embedded = len(texts)
        offset = 0
        for article, sentences in to_embed:
            db.put_article(article, sentences)
            chunk = embedded[offset:offset + len(sentences)]
            vectors.add(np.asarray([s.id for s in sentences], dtype=np.int64), chunk)
            offset += len(sentences)

        all_sentences = db.all_sentences()
        LexicalIndex.build([s.id for s in all_sentences], [s.text for s in all_sentences]).save(new)
        if enrich is not None:
            enrich(db, [a.id for a, _ in to_embed], gone)
        db.commit()
        articles_now = db.articles()
        manifest.articles = len(articles_now)
        manifest.sentences = len(all_sentences)
        manifest.corpus_fingerprint = corpus_fingerprint([a.fingerprint for a in articles_now])
        manifest.created = datetime.now(UTC).isoformat(timespec="seconds")
        manifest.sources = sorted(set(manifest.sources) | set(sources))
        local = {p for a in articles_now if (p := _local_path(a.location))} | set(_folder_files(manifest.sources))
        manifest.files = {p: stamp for p in sorted(local) if (stamp := file_stamp(p))}
    finally:
        db.close()
    vectors.save(new)
    manifest.save(new)
    _fsync_tree(new)
    return report


def _encode(encoder: Encoder, texts: list[str], progress: bool,
            on_progress: Progress | None = None) -> np.ndarray:
    """Embed each distinct text once, shortest first so batches pad little, in chunks so
    the progress bar (and `on_progress`) moves with the work."""
    distinct = sorted(set(texts), key=len)
    vectors = np.zeros((len(distinct), encoder.dimensions), dtype=np.float32)
    chunk = 1024
    with tqdm(total=len(distinct), unit="sent", desc="embedding", disable=not progress or not texts) as bar:
        for i in range(0, len(distinct), chunk):
            part = distinct[i:i + chunk]
            vectors[i:i + len(part)] = encoder.encode(part)
            bar.update(len(part))
            if on_progress is not None:
                on_progress(i + len(part), len(distinct))
    row = {text: n for n, text in enumerate(distinct)}
    return vectors[[row[t] for t in texts]] if texts else vectors


def _copy_sqlite(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def _swap(folder: Path, new: Path) -> None:
    """Point `current` at `new` with one atomic rename."""
    tmp_link = folder / f".{CURRENT}-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(new.name)
    os.replace(tmp_link, folder / CURRENT)
    _fsync_dir(folder)


def _remove_old_versions(folder: Path, keep: Path) -> None:
    for path in folder.glob("v-*"):
        if path.is_dir() and path.name != keep.name:
            shutil.rmtree(path, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _folder_files(sources: list[str]) -> list[str]:
    """Every readable file under the ingested folders, refused ones included, so that
    staleness is judged against what was there, not only what was accepted."""
    return [str(p) for s in sources if "://" not in s and Path(s).is_dir() for p in article_files(Path(s))]


def _local_path(location: str) -> str | None:
    if "://" in location:
        return None
    path = location.split("#", 1)[0]
    return path or None


def _under(location: str, root: str) -> bool:
    path = _local_path(location)
    if path is None:
        return False
    try:
        return Path(path).resolve().is_relative_to(Path(root).resolve())
    except OSError:
        return False
