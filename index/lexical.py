"""Lexical search: BM25 over sentence tokens, kept in segments, plus spelling variants.

An index is a base segment and small delta segments, each holding the term frequencies of
its own sentences and never changed once written, plus the rows removed since ("dead").
Scores use the statistics of the whole live corpus (sentence count, average length, each
term's sentence frequency), so searching the segments ranks and scores exactly as one
index built from scratch over the same sentences would (BM25, Lucene variant, as bm25s).

An update adds one delta segment and marks the rows of removed sentences dead; saving
hard-links the unchanged segments' files into the new version and writes only the delta.
Past a size (deltas or dead rows above `MERGE_FRACTION` of the base) everything live is
merged into one new base; past `MAX_SEGMENTS` segments the deltas alone are merged into
one (a cost in the size of the deltas, not of the base). Merges read the stored term
frequencies: no text is tokenised again.

    bm25/segments.json              {"segments": [{"name": ..., "dead": [rows]}], "next": n}
    bm25/<name>/terms.json          the segment's vocabulary; term j's postings are
    bm25/<name>/{indptr,rows,tfs,ids,lengths}.npy   rows[indptr[j]:indptr[j+1]] with tfs
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.text import is_variant, skeleton, tokens

log = logging.getLogger(__name__)

K1, B = 1.5, 0.75  # bm25s's defaults
EMPTY = "<empty>"  # the one token of a sentence without any (it still counts in the statistics)
MERGE_FRACTION = 0.1
MAX_SEGMENTS = 8
MANIFEST = "segments.json"
ARRAYS = ("indptr", "rows", "tfs", "ids", "lengths")


class OldFormat(ValueError):
    """A BM25 folder written by bm25s before segments: rebuild it from the sentences."""


@dataclass
class Segment:
    """The term frequencies of some sentences, by term (postings sorted by row)."""

    name: str
    terms: list[str]
    indptr: np.ndarray  # int64, len(terms) + 1
    rows: np.ndarray  # int32
    tfs: np.ndarray  # float32
    ids: np.ndarray  # int64: row -> sentence id
    lengths: np.ndarray  # int32: tokens per row
    dead: np.ndarray = field(default=None)  # bool per row
    folder: Path | None = None  # where its files are (None until written)

    def __post_init__(self) -> None:
        if self.dead is None:
            self.dead = np.zeros(len(self.ids), dtype=bool)
        self.column = {t: j for j, t in enumerate(self.terms)}
        self._order = np.argsort(self.ids, kind="stable")
        self._sorted = self.ids[self._order]
        self._live_df: np.ndarray | None = None

    @classmethod
    def build(cls, name: str, ids: list[int], texts: list[str]) -> Segment:
        vocabulary: dict[str, int] = {}
        columns, rows, counts, lengths = [], [], [], []
        for row, text in enumerate(texts):
            toks = tokens(text) or [EMPTY]
            lengths.append(len(toks))
            for token, count in Counter(toks).items():
                columns.append(vocabulary.setdefault(token, len(vocabulary)))
                rows.append(row)
                counts.append(count)
        return cls._from_postings(name, list(vocabulary), np.asarray(columns, dtype=np.int64),
                                  np.asarray(rows, dtype=np.int32), np.asarray(counts, dtype=np.float32),
                                  np.asarray(ids, dtype=np.int64), np.asarray(lengths, dtype=np.int32))

    @classmethod
    def _from_postings(cls, name, terms, columns, rows, tfs, ids, lengths) -> Segment:
        order = np.lexsort((rows, columns))
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(columns, minlength=len(terms)), out=indptr[1:])
        return cls(name, terms, indptr, rows[order], tfs[order], ids, lengths)

    @classmethod
    def load(cls, folder: Path, dead_rows: list[int]) -> Segment:
        terms = json.loads((folder / "terms.json").read_text(encoding="utf-8"))
        arrays = {a: np.load(folder / f"{a}.npy", mmap_mode="r" if a in ("rows", "tfs") else None) for a in ARRAYS}
        if len(arrays["indptr"]) != len(terms) + 1 or len(arrays["rows"]) != arrays["indptr"][-1] or \
                len(arrays["tfs"]) != len(arrays["rows"]) or len(arrays["lengths"]) != len(arrays["ids"]):
            raise ValueError(f"segment {folder.name} is inconsistent")
        dead = np.zeros(len(arrays["ids"]), dtype=bool)
        dead[np.asarray(dead_rows, dtype=np.int64)] = True
        return cls(folder.name, terms, dead=dead, folder=folder, **arrays)

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / "terms.json").write_text(json.dumps(self.terms), encoding="utf-8")
        for name in ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        self.folder = folder

    def link(self, folder: Path) -> None:
        """Give `folder` the same files (hard links: nothing is copied; a copy where links fail)."""
        folder.mkdir(parents=True)
        for name in ["terms.json", *(f"{a}.npy" for a in ARRAYS)]:
            try:
                os.link(self.folder / name, folder / name)
            except OSError:
                shutil.copy2(self.folder / name, folder / name)
        self.folder = folder

    @property
    def live(self) -> int:
        return len(self.ids) - int(self.dead.sum())

    def live_df(self) -> np.ndarray:
        """Per term, how many live rows hold it."""
        if self._live_df is None:
            df = np.diff(self.indptr)
            if self.dead.any():
                hit = np.flatnonzero(self.dead[self.rows])
                df = df - np.bincount(np.searchsorted(self.indptr, hit, side="right") - 1, minlength=len(self.terms))
            self._live_df = df
        return self._live_df

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """The live rows holding these sentence ids."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self.ids) or not len(ids):
            return np.zeros(0, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, ids), len(self.ids) - 1)
        rows = self._order[at][self._sorted[at] == ids]
        return rows[~self.dead[rows]]

    def scores(self, weights: dict[str, float], norm: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.ids), dtype=np.float32)
        for token, weight in weights.items():
            j = self.column.get(token)
            if j is None:
                continue
            rows = self.rows[self.indptr[j]:self.indptr[j + 1]]
            tf = self.tfs[self.indptr[j]:self.indptr[j + 1]]
            out[rows] += weight * tf / (tf + norm[rows])
        out[self.dead] = 0.0
        return out


class LexicalIndex:
    """BM25 over sentences, searched across its segments as one index."""

    NAME = "bm25-segments"  # the manifest's lexical_backend
    FOLDER = "bm25"

    def __init__(self, segments: list[Segment], next_number: int = 0) -> None:
        self.segments = segments
        self.next_number = max(next_number, len(segments))
        self._refresh()

    def _refresh(self) -> None:
        """Forget what is derived from the segments; it is worked out again when first needed."""
        self._vocabulary: set[str] | None = None
        self._variants: dict[str, list[str]] | None = None
        self._stats: tuple[int, float, list[np.ndarray]] | None = None

    @property
    def vocabulary(self) -> set[str]:
        if self._vocabulary is None:
            self._vocabulary = {t for s in self.segments for t in s.terms}
        return self._vocabulary

    def _variants_of(self, token: str) -> list[str]:
        if self._variants is None:
            self._variants = defaultdict(list)
            for known in self.vocabulary:
                self._variants[skeleton(known)].append(known)
        return self._variants.get(skeleton(token), [])

    # building and updating ------------------------------------------------
    @classmethod
    def build(cls, ids: list[int], texts: list[str]) -> LexicalIndex:
        index = cls([])
        index.add(ids, texts)
        return index

    def add(self, ids: list[int], texts: list[str]) -> None:
        """A new delta segment for these sentences."""
        if len(ids):
            self.segments.append(Segment.build(f"s{self.next_number:06d}", list(ids), list(texts)))
            self.next_number += 1
            self._refresh()

    def remove(self, ids) -> int:
        """Mark the live rows of these sentence ids dead; the number removed."""
        removed = 0
        for segment in self.segments:
            rows = segment.rows_of(ids)
            if len(rows):
                segment.dead[rows] = True
                segment._live_df = None
                removed += len(rows)
        if removed:
            self._stats = None
        return removed

    def needs_merge(self) -> int | None:
        """Where a merge should start: 0 (everything, into a new base) when the deltas or the
        dead rows pass MERGE_FRACTION of the base; 1 (the deltas into one, the base kept) when
        there are more than MAX_SEGMENTS segments; else None."""
        if not self.segments:
            return None
        size = MERGE_FRACTION * len(self.segments[0].ids)
        deltas = sum(len(s.ids) for s in self.segments[1:])
        dead = sum(int(s.dead.sum()) for s in self.segments)
        if deltas > size or dead > size:
            return 0
        return 1 if len(self.segments) > MAX_SEGMENTS else None

    def merge(self, start: int = 0) -> None:
        """The segments from `start` on as one segment of their live rows, from the stored
        frequencies (no text is tokenised again)."""
        vocabulary: dict[str, int] = {}
        columns, rows, tfs, ids, lengths = [], [], [], [], []
        offset = 0
        merging = self.segments[start:]
        for s in merging:
            keep = ~s.dead
            new_row = np.cumsum(keep) - 1 + offset
            to_global = np.asarray([vocabulary.setdefault(t, len(vocabulary)) for t in s.terms], dtype=np.int64)
            column = np.repeat(np.arange(len(s.terms)), np.diff(s.indptr))
            live = keep[s.rows]
            columns.append(to_global[column[live]])
            rows.append(new_row[s.rows[live]].astype(np.int32))
            tfs.append(np.asarray(s.tfs)[live])
            ids.append(s.ids[keep])
            lengths.append(s.lengths[keep])
            offset += int(keep.sum())
        columns_all = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
        used = np.bincount(columns_all, minlength=len(vocabulary)) > 0
        compact = np.cumsum(used) - 1
        terms = [t for t, u in zip(vocabulary, used, strict=True) if u]
        merged = Segment._from_postings(
            f"s{self.next_number:06d}", terms, compact[columns_all],
            np.concatenate(rows) if rows else np.zeros(0, np.int32),
            np.concatenate(tfs) if tfs else np.zeros(0, np.float32),
            np.concatenate(ids) if ids else np.zeros(0, np.int64),
            np.concatenate(lengths) if lengths else np.zeros(0, np.int32))
        log.info("merged %d BM25 segments into one of %d sentences", len(merging), len(merged.ids))
        self.next_number += 1
        self.segments = self.segments[:start] + ([merged] if len(merged.ids) else [])
        self._refresh()

    # files ------------------------------------------------------------------
    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        target = folder / cls.FOLDER
        if not (target / MANIFEST).exists() and (target / "ids.npy").exists():
            raise OldFormat(f"{target} is a BM25 index from before segments")
        listing = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        segments = [Segment.load(target / s["name"], s["dead"]) for s in listing["segments"]]
        return cls(segments, listing["next"])

    def save(self, folder: Path) -> None:
        """Write into `folder`/bm25: segments already on disk are hard-linked, new ones written;
        merged first when past a size."""
        start = self.needs_merge()
        if start is not None:
            self.merge(start)
        target = folder / self.FOLDER
        target.mkdir(parents=True, exist_ok=True)
        for s in self.segments:
            if s.folder is None:
                s.write(target / s.name)
            elif s.folder != target / s.name:
                s.link(target / s.name)
        listing = {"segments": [{"name": s.name, "dead": np.flatnonzero(s.dead).tolist()} for s in self.segments],
                   "next": self.next_number}
        tmp = target / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(listing), encoding="utf-8")
        os.replace(tmp, target / MANIFEST)

    # reading -----------------------------------------------------------------
    def __len__(self) -> int:
        return sum(s.live for s in self.segments)

    @property
    def ids(self) -> np.ndarray:
        """Every live sentence id."""
        parts = [s.ids[~s.dead] for s in self.segments]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def _statistics(self) -> tuple[int, float, list[np.ndarray]]:
        """(live sentences, their average length, each segment's length norm)."""
        if self._stats is None:
            n = len(self)
            total = sum(int(s.lengths[~s.dead].sum()) for s in self.segments)
            average = total / n if n else 1.0
            norms = [(K1 * ((1 - B) + B * s.lengths / average)).astype(np.float32) for s in self.segments]
            self._stats = (n, average, norms)
        return self._stats

    def document_frequency(self, token: str) -> int:
        return sum(int(s.live_df()[s.column[token]]) for s in self.segments if token in s.column)

    def expand(self, query: str) -> list[str]:
        """Query tokens plus the indexed spelling variants of each."""
        expanded: list[str] = []
        for token in tokens(query):
            group = [t for t in self._variants_of(token) if is_variant(token, t)]
            for t in [token, *group]:
                if t in self.vocabulary and t not in expanded:
                    expanded.append(t)
        return expanded

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best sentence ids by BM25, optionally only among `allowed` ids."""
        query_tokens = self.expand(query)
        if not query_tokens or k <= 0 or not len(self):
            return []
        n, _, norms = self._statistics()
        weights = {}
        for token in query_tokens:
            df = self.document_frequency(token)
            if df:
                weights[token] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        found: list[tuple[float, int]] = []
        for segment, norm in zip(self.segments, norms, strict=True):
            scores = segment.scores(weights, norm)
            if allowed is not None:
                keep = np.zeros(len(scores), dtype=bool)
                keep[segment.rows_of(allowed)] = True
                scores[~keep] = 0.0
            hits = np.flatnonzero(scores > 0)
            if len(hits) > k:  # the k best and all tied with the k-th, so ties go by id as in one index
                kth = np.partition(scores[hits], len(hits) - k)[len(hits) - k]
                hits = hits[scores[hits] >= kth]
            found += [(float(scores[r]), int(segment.ids[r])) for r in hits]
        found.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(sid, score) for score, sid in found[:k]]
