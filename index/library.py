"""The index folder: one consistent version of vectors, BM25 and SQLite, swapped atomically.

Layout of an index folder:

    INDEX/current -> v-<time>-<pid>/   (a symlink, replaced in one rename)
    INDEX/v-.../manifest.json, index.sqlite [base.sqlite], vectors.faiss [vectors.delta.npz], bm25/

An update builds a new version beside the current one and only then points `current`
at it, so a crash or a kill at any moment leaves the previous version whole. It costs
what it adds: files no version ever writes again (a SQLite base, the vector base, BM25
segments) are hard-linked from the current version, and only the changes are written
(index/store.py, index/appended.py, index/lexical.py say how, and when they merge).

Readers and writers in other processes:

- Every open `Index` holds a shared lock on its version's `.readers` file. A version that
  is no longer current is deleted only once no reader holds it (by the writer that
  superseded it, by the last reader to close it, or by the next open or ingest).
- A version folder left half-built by a killed writer is removed on the next open or
  ingest, under the writer lock (`.lock`), so a version a live writer is building is
  never touched. Such a leftover means a process stopped uncleanly, so that open also
  runs SQLite's `quick_check` on the current version.
- Opening verifies the version cheaply (manifest, every part loads, sentence counts in
  SQLite, FAISS and BM25 agree) and refuses a damaged one with one line naming the part
  and the command that rebuilds it from its recorded sources (also kept in
  `INDEX/sources.json`, outside any version, so a damaged version does not lose them).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
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
from index import ann, appended
from index.ann import VectorStore
from index.embed import Encoder
from index.lexical import LexicalIndex, OldFormat
from index.manifest import SCHEMA_VERSION, Manifest, corpus_fingerprint, file_stamp
from index.records import Sentence
from index.split import split_sentences
from index.store import SentenceDB, carry

log = logging.getLogger(__name__)

CURRENT = "current"


class IndexUnusable(Exception):
    """An index that cannot be used: missing, from another model, or damaged."""


class IndexMissing(IndexUnusable):
    pass


class IndexMismatch(IndexUnusable):
    pass


class IndexDamaged(IndexUnusable):
    """A part of the current version is missing, cut short or unreadable."""

    def __init__(self, folder: Path, part: str, problem: str) -> None:
        self.part = part
        super().__init__(f"index at {folder} is damaged ({part}: {problem}); rebuild it from its recorded "
                         f"sources with `{rebuild_command(folder)}`")


def rebuild_command(folder: Path) -> str:
    return f"assistant --index {folder} ingest --rebuild"


READERS_FILE = ".readers"
SOURCES_FILE = "sources.json"


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
    phases: dict[str, float] = field(default_factory=dict)  # phase name -> seconds (bench/update_bench.py)

    @contextmanager
    def timed(self, phase: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[phase] = self.phases.get(phase, 0.0) + time.perf_counter() - started

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


# Called with the new version's database, the ids of articles added or changed, the ids
# removed and its vector store, before the version becomes current: the place for disputes.
Enricher = Callable[[SentenceDB, list[str], list[str], VectorStore], None]
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
    """A read-only view of one version of an index folder (the current one when opened)."""

    def __init__(self, folder: Path, version: Path, manifest: Manifest, *, deep: bool = False,
                 lease: _Lease | None = None) -> None:
        self.folder, self.version, self.manifest = folder, version, manifest
        self.db: SentenceDB | None = None
        self._lease = lease or _Lease(version)
        try:
            self.db = _part("SQLite database", SentenceDB.FILENAME, version,
                            lambda: SentenceDB(version / SentenceDB.FILENAME, readonly=True))
            self.vectors, self.vector_delta = _part(
                "vectors", ann.filename(manifest.vector_backend), version,
                lambda: appended.load(lambda: ann.load(manifest.vector_backend, version, **manifest.backend_options),
                                      version))
            self.lexical = _part("BM25 index", _lexical_file(manifest), version,
                                 lambda: _load_lexical(version, self.db, manifest, self.vectors))
            self._verify(deep)
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(cls, folder: Path, encoder: Encoder | None = None) -> Index:
        """Open the current version; refuse one made by another model or schema, or damaged.
        Half-built versions left by a killed writer are removed first."""
        unclean = bool(clean_stale(folder))
        version, lease = _leased_current(folder)
        try:
            if not version.is_dir():
                raise IndexDamaged(folder, "current version", f"{folder / CURRENT} points at {version.name}, "
                                                              "which is missing")
            try:
                manifest = Manifest.load(version)
            except FileNotFoundError:
                raise IndexDamaged(folder, "manifest", f"{version.name}/manifest.json is missing") from None
            except PermissionError:
                raise IndexDamaged(folder, "manifest", "cannot read manifest.json (permission denied)") from None
            except (OSError, ValueError, TypeError) as exc:
                raise IndexDamaged(folder, "manifest", f"manifest.json cannot be read ({exc})") from None
            check_compatible(manifest, folder, encoder)
        except BaseException:
            lease.release()
            raise
        return cls(folder, version, manifest, deep=unclean, lease=lease)

    def _verify(self, deep: bool) -> None:
        """Counts agree across the parts (cheap); SQLite's quick_check too when `deep`."""
        try:
            rows = self.db.conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
            articles = self.db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            if deep:
                check = self.db.conn.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise IndexDamaged(self.folder, "SQLite database", f"quick_check says {check[:120]}")
        except sqlite3.DatabaseError as exc:
            raise IndexDamaged(self.folder, "SQLite database", _sqlite_problem(exc)) from None
        lexical = len(self.lexical)
        expected = self.manifest.sentences
        counts = {"SQLite": rows, "vectors": len(self.vectors), "BM25": lexical}
        if getattr(self.vectors, "external", False):
            # one collection serves every version and an ingest elsewhere changes it in place
            counts = {"SQLite": rows}
        if articles != self.manifest.articles or any(n != expected for n in counts.values()):
            found = ", ".join(f"{k} {v}" for k, v in counts.items())
            raise IndexDamaged(self.folder, "counts", f"the manifest says {self.manifest.articles} articles and "
                                                      f"{expected} sentences, found {articles} articles; {found}")

    def close(self) -> None:
        """Let go of the version; delete it if it is no longer current and nobody else reads it."""
        if self.db is not None:
            self.db.close()
            self.db = None
        if self._lease.release():
            _remove_if_superseded(self.folder, self.version)

    def stale_files(self) -> list[str]:
        """Local files changed, deleted or added (in an ingested folder) since the index was built."""
        changed = [p for p, stamp in self.manifest.files.items() if file_stamp(p) != stamp]
        known = set(self.manifest.files)
        return changed + [p for p in _folder_files(self.manifest.sources) if p not in known]


def _leased_current(folder: Path, tries: int = 20) -> tuple[Path, _Lease]:
    """The current version with a reader's lease on it. A writer may delete a superseded
    version between our reading `current` and taking the lease: then read `current` again."""
    for _ in range(tries):
        name = current_name(folder)
        version = current_version(folder)
        if version is None:
            raise IndexMissing(f"no index at {folder}: run `assistant --index {folder} ingest PATH` first")
        lease = _Lease(version)
        if lease.fd is not None and (version / "manifest.json").exists() or current_name(folder) == name:
            return version, lease
        lease.release()
    return version, lease


def _part(name: str, filename: str, version: Path, load: Callable[[], object]):
    """Load one part of a version; any failure is IndexDamaged naming the part."""
    folder = version.parent
    path = version / filename
    if not path.exists():
        raise IndexDamaged(folder, name, f"{filename} is missing")
    inside = [path, *path.iterdir()] if path.is_dir() and os.access(path, os.R_OK | os.X_OK) else [path]
    if not all(os.access(p, os.R_OK) for p in inside):
        raise IndexDamaged(folder, name, f"cannot read {filename} (permission denied)")
    try:
        return load()
    except IndexUnusable:
        raise
    except ConnectionError as exc:  # an engine outside the folder (Milvus) cannot be reached or opened
        raise IndexUnusable(f"index at {folder}: {exc}") from None
    except PermissionError:
        raise IndexDamaged(folder, name, f"cannot read {filename} (permission denied)") from None
    except FileNotFoundError:
        raise IndexDamaged(folder, name, f"{filename} is missing") from None
    except sqlite3.DatabaseError as exc:
        raise IndexDamaged(folder, name, _sqlite_problem(exc)) from None
    except (Exception, MemoryError) as exc:  # noqa: BLE001 - FAISS and bm25s raise whatever their readers meet
        log.debug("loading %s failed", filename, exc_info=exc)
        raise IndexDamaged(folder, name, f"{filename} is cut short or corrupt ({type(exc).__name__})") from None


def _sqlite_problem(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "unable to open" in text:
        return "cannot open index.sqlite (missing or permission denied)"
    return f"index.sqlite is cut short or corrupt ({text})"


class _Lease:
    """A shared flock on a version's `.readers` file while an Index reads that version.
    Held through a file object, so a reader dropped without close() lets go when collected."""

    def __init__(self, version: Path) -> None:
        self.handle = None
        path = version / READERS_FILE
        for mode in ("ab", "rb"):  # create it for a version from before leases existed, where allowed
            try:
                self.handle = open(path, mode)  # noqa: SIM115 - held until release()
                break
            except OSError:
                continue
        if self.handle is not None:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_SH)
            except OSError:
                self.handle.close()
                self.handle = None

    @property
    def fd(self) -> int | None:
        return self.handle.fileno() if self.handle is not None else None

    def release(self) -> bool:
        """True the first time (the lease was held)."""
        if self.handle is None:
            return False
        self.handle.close()  # closing the file releases the lock
        self.handle = None
        return True


def _try_remove(version: Path) -> bool:
    """Delete a version folder unless a reader holds it (its `.readers` lock is shared-held)."""
    fd = None
    try:
        fd = os.open(version / READERS_FILE, os.O_RDONLY)
    except FileNotFoundError:
        pass  # a version half-built by a killed writer, or from before leases existed
    except OSError:
        return False
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # a live reader holds it
        shutil.rmtree(version, ignore_errors=True)
        return not version.exists()
    finally:
        if fd is not None:
            os.close(fd)


def _remove_if_superseded(folder: Path, version: Path) -> None:
    try:
        current = current_version(folder)
        if current is not None and current.name != version.name and version.is_dir():
            if _try_remove(version):
                log.info("removed superseded index version %s", version.name)
    except OSError:
        pass


def clean_stale(folder: Path, *, locked: bool = False) -> list[str]:
    """Remove version folders that are not current and that no reader holds, when no writer
    is running (or, with `locked`, when the caller is the writer). Returns the names of the
    removed ones that were half-built (no manifest): signs of a process stopped uncleanly."""
    if not folder.is_dir():
        return []
    handle = None
    if not locked:
        try:
            handle = open(folder / ".lock", "a")  # noqa: SIM115 - released below
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            if handle is not None:
                handle.close()
            return []  # a writer is at work (or the folder is read-only): leave everything be
    try:
        current = current_version(folder)
        half_built = []
        for path in sorted(folder.glob("v-*")):
            if not path.is_dir() or (current is not None and path.name == current.name):
                continue
            complete = (path / "manifest.json").exists()
            if _try_remove(path):
                log.info("removed %s index version %s", "superseded" if complete else "half-built", path.name)
                if not complete:
                    half_built.append(path.name)
        if (folder / "milvus-collections.json").exists():  # collections in Milvus that no version uses
            from index.ann.milvus import drop_unreferenced

            drop_unreferenced(folder)
        return half_built
    finally:
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


def recorded_sources(folder: Path) -> list[str]:
    """The sources an index was built from: its manifest's list, else the copy kept in
    INDEX/sources.json (which survives a damaged version). [] when neither can be read."""
    version = current_version(folder)
    for read in (lambda: Manifest.load(version).sources if version else None,
                 lambda: json.loads((folder / SOURCES_FILE).read_text(encoding="utf-8"))):
        try:
            sources = read()
        except (OSError, ValueError, TypeError):
            continue
        if isinstance(sources, list) and all(isinstance(x, str) for x in sources):
            return sources
    return []


def check_compatible(manifest: Manifest, folder: Path, encoder: Encoder | None) -> None:
    if manifest.vector_backend not in ann.names():
        raise IndexMismatch(f"index at {folder} keeps its vectors in {manifest.vector_backend!r}, which this "
                            f"installation does not know (it knows {', '.join(ann.names())})")
    if manifest.schema != SCHEMA_VERSION:
        raise IndexMismatch(f"index at {folder} has schema {manifest.schema}, this version reads "
                            f"{SCHEMA_VERSION}: rebuild it with `assistant ingest --rebuild`")
    if encoder is not None and (manifest.model != encoder.name or manifest.dimensions != encoder.dimensions):
        raise IndexMismatch(f"index at {folder} was built with model {manifest.model} "
                            f"({manifest.dimensions}d), not {encoder.name} ({encoder.dimensions}d): "
                            "rebuild it with `assistant ingest --rebuild`")


def current_version(folder: Path) -> Path | None:
    """The version `current` points at (which may be damaged: `Index.open` checks it);
    None when there is no `current` at all."""
    link = folder / CURRENT
    if not link.is_symlink() and not link.is_dir():
        return None
    try:
        return link.resolve()
    except OSError:
        return None


def current_name(folder: Path) -> str | None:
    """The name of the current version, read with one readlink: a cheap check per request."""
    try:
        return os.readlink(folder / CURRENT)
    except OSError:
        return None


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
           on_progress: Progress | None = None, vector_backend: str | None = None,
           backend_options: dict[str, str] | None = None) -> IngestReport:
    """Add or replace `articles`, drop `remove` ids (and, for each folder in `sync_roots`,
    the articles once read under it that are no longer there), and make that the
    current version. Only new or changed articles are embedded. `vector_backend` names the
    vector store to keep (index.ann.factory); by default it is picked by size, or on a rebuild
    the one the index had; `backend_options` (a Milvus uri) go to a store created afresh."""
    started = time.perf_counter()
    with _locked(folder):
        clean_stale(folder, locked=True)
        old = None if rebuild else current_version(folder)
        if rebuild and vector_backend is None:
            vector_backend, backend_options = _previous_backend(folder, backend_options)
        elif old is not None and vector_backend:
            _check_move(folder, old, vector_backend)
        report = IngestReport()
        current = None
        if old is not None:
            # Refuse to build on a damaged version (a rebuild starts from nothing instead);
            # what it loads (vectors, BM25 segments) is what the new version starts from.
            with report.timed("open current version"):
                current = Index.open(folder, encoder)
        new = folder / f"v-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        new.mkdir()
        try:
            _build(report, old, new, list(articles), encoder, set(remove), list(sync_roots),
                   list(sources), enrich, progress, on_progress, vector_backend, current=current,
                   backend_options=backend_options)
            with report.timed("swap"):
                (new / READERS_FILE).touch()
                _save_sources(folder, Manifest.load(new).sources)
                _swap(folder, new)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        finally:
            if current is not None:
                with report.timed("remove old version"):
                    current.close()
        with report.timed("remove old version"):
            clean_stale(folder, locked=True)
    report.seconds = time.perf_counter() - started
    return report


def _build(report: IngestReport, old: Path | None, new: Path, articles: list[Article], encoder: Encoder,
           remove: set[str], sync_roots: list[str], sources: list[str],
           enrich: Enricher | None, progress: bool, on_progress: Progress | None = None,
           vector_backend: str | None = None, *, current: Index | None = None,
           backend_options: dict[str, str] | None = None) -> None:
    if old is not None:
        with report.timed("SQLite carry"):
            log.debug("SQLite of the new version: %s", carry(old, new))
        with report.timed("vectors load"):
            if current is not None:
                vectors, delta = current.vectors, current.vector_delta
            else:
                vectors, delta = appended.load(lambda: _load_vectors(old), old)
        manifest = Manifest.load(old)
    else:
        delta = None
        vectors = _create_vectors(ann.pick(0, vector_backend), encoder.dimensions, new.parent, backend_options)
        manifest = Manifest(model=encoder.name, dimensions=encoder.dimensions,
                            backend_options=dict(backend_options or {}))
    db = SentenceDB(new / SentenceDB.FILENAME, unpublished=True)
    try:
        with report.timed("read existing"):
            existing = db.fingerprints()
        with report.timed("BM25"):
            if old is None:
                lexical = _lexical_beside(vectors)
                lexical = LexicalIndex([]) if lexical is None else lexical
            else:
                lexical = current.lexical if current is not None else _load_lexical(old, db)
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
                other = (db.title(twin) or "") if twin else seen_hashes[article.content_hash]
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
        report.removed = [db.title(aid) or aid for aid in gone]
        stale_ids = [s.id for aid in replaced + gone for s in db.article_sentences(aid)]
        vectors.remove(np.asarray(stale_ids, dtype=np.int64))
        if delta is not None:
            delta.remove(stale_ids)
        lexical.remove(stale_ids)
        db.delete_articles(replaced + gone)

        texts = [s.text for _, sents in to_embed for s in sents]
        if texts:
            log.info("embedding %d sentences from %d articles", len(texts), len(to_embed))
        with report.timed("embedding"):
            embedded = _encode(encoder, texts, progress, on_progress)
        report.sentences_embedded = len(texts)
        with report.timed("SQLite and vectors add"):
            needs_rows = getattr(vectors, "needs_rows", False)
            new_ids, rows = [], []
            for article, sentences in to_embed:
                db.put_article(article, sentences)
                new_ids += [s.id for s in sentences]
                rows += _rows(article, sentences) if needs_rows else []
            # one add: a flat store grows its whole array at each call
            if new_ids:
                vectors.add(np.asarray(new_ids, dtype=np.int64), embedded, rows=rows if needs_rows else None)
            if delta is not None:
                delta.add(new_ids, embedded)

        with report.timed("BM25"):
            lexical.add([s.id for _, sents in to_embed for s in sents], texts)
            lexical.save(new)
        if enrich is not None:
            with report.timed("enrich"):
                enrich(db, [a.id for a, _ in to_embed], gone, vectors)
        with report.timed("SQLite commit"):
            db.commit()
        with report.timed("manifest"):
            dropped = set(gone)
            articles_now = {aid: row for aid, row in existing.items() if aid not in dropped}
            articles_now.update((a.id, (a.fingerprint, a.content_hash, a.location)) for a, _ in to_embed)
            manifest.articles = len(articles_now)
            manifest.sentences = db.sentence_total()
            manifest.lexical_backend = lexical.NAME
            manifest.corpus_fingerprint = corpus_fingerprint([f for f, _, _ in articles_now.values()])
            manifest.created = datetime.now(UTC).isoformat(timespec="seconds")
            manifest.sources = sorted(set(manifest.sources) | set(sources))
            local = {p for _, _, location in articles_now.values() if (p := _local_path(location))}
            local |= set(_folder_files(manifest.sources))
            manifest.files = {p: stamp for p in sorted(local) if (stamp := file_stamp(p))}
    finally:
        db.close()
    with report.timed("vectors write"):
        settled = ann.settle(vectors, manifest, vector_backend)
        appended.save(settled, delta if settled is vectors else None, new)  # a moved store is written whole
    with report.timed("manifest"):
        manifest.save(new)
    with report.timed("fsync"):
        _fsync_tree(new)


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


def _load_vectors(version: Path) -> VectorStore:
    manifest = Manifest.load(version)
    return ann.load(manifest.vector_backend, version, **manifest.backend_options)


def _create_vectors(name: str, dimensions: int, folder: Path, options: dict[str, str] | None) -> VectorStore:
    """A new store of backend `name`; an engine outside the folder (Milvus) gets the index
    folder, against which a relative path of its (a Milvus Lite file) is read."""
    options = dict(options or {})
    if getattr(ann.backend(name), "external", False):
        options["folder"] = folder
    return ann.create(name, dimensions, **options)


def _previous_backend(folder: Path, options: dict[str, str] | None) -> tuple[str | None, dict[str, str] | None]:
    """The backend asked for when the current version was built (a rebuild keeps it) and its options."""
    version = current_version(folder)
    try:
        manifest = Manifest.load(version)
    except (OSError, ValueError, TypeError):
        return None, options
    choice = manifest.vector_backend_choice
    return (None if choice == ann.AUTO else choice), (options or manifest.backend_options)


def _check_move(folder: Path, old: Path, requested: str) -> None:
    """Vectors move between FAISS backends in place; into or out of an engine that keeps the
    sentences' text too (Milvus) only by a rebuild, which reads the sources again."""
    try:
        current = Manifest.load(old).vector_backend
    except (OSError, ValueError, TypeError):
        return  # a damaged version: Index.open names the damage next
    if requested not in (current, ann.AUTO) and any(
            getattr(ann.backend(n), "external", False) for n in (requested, current) if n in ann.names()):
        raise IndexMismatch(f"index at {folder} keeps its vectors in {current}; to move them to {requested}, "
                            f"rebuild it: `assistant --index {folder} ingest --rebuild --backend {requested}`")


def _lexical_beside(vectors: VectorStore):
    """The full-text search an engine store does itself (Milvus's BM25), or None."""
    if getattr(vectors, "NAME", None) == "milvus":
        from index.ann.milvus import MilvusLexical

        return MilvusLexical(vectors)
    return None


def _lexical_file(manifest: Manifest) -> str:
    return ann.filename("milvus") if manifest.lexical_backend == "milvus" else LexicalIndex.FOLDER


def _rows(article: Article, sentences: list[Sentence]) -> list:
    from index.ann.milvus import SentenceRow

    return [SentenceRow(s.text, article.id, article.outlet, article.published) for s in sentences]


def _load_lexical(version: Path, db: SentenceDB, manifest: Manifest | None = None, vectors: VectorStore | None = None):
    """The version's BM25 segments; one built from its sentences for a version from before
    segments; the engine's own BM25 for a store that keeps the text (Milvus)."""
    if manifest is not None and manifest.lexical_backend == "milvus":
        return _lexical_beside(vectors)
    try:
        return LexicalIndex.load(version)
    except OldFormat:
        log.info("BM25 index from before segments in %s: building it from the sentences", version.name)
        sentences = db.all_sentences()
        return LexicalIndex.build([s.id for s in sentences], [s.text for s in sentences])


def _swap(folder: Path, new: Path) -> None:
    """Point `current` at `new` with one atomic rename."""
    tmp_link = folder / f".{CURRENT}-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(new.name)
    os.replace(tmp_link, folder / CURRENT)
    _fsync_dir(folder)


def _save_sources(folder: Path, sources: list[str]) -> None:
    path = folder / SOURCES_FILE
    tmp = folder / f".{SOURCES_FILE}-{os.getpid()}"
    tmp.write_text(json.dumps(sources, indent=1), encoding="utf-8")
    os.replace(tmp, path)


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
