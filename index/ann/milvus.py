"""Milvus backend: sentence vectors, BM25 text and filter fields in one Milvus collection.

One collection per index holds, for every sentence: its id (the primary key), its unit
vector, its BM25 tokens (`index.text.tokens`, space-joined, so the lexical analysis is
the same as the local BM25's and the same on Milvus Lite and on a cluster), the sparse
BM25 vector Milvus computes from them, and the fields filters need (article id, outlet
casefolded, published date). Dense search, BM25 full-text search and the filters all run
inside Milvus; the articles, sentences and findings stay in the local SQLite database.

`uri` is a local path ending in `.db` (Milvus Lite, in this process, a folder on disk)
or `http://HOST:19530` (a Milvus server or cluster). The collection is not versioned with
the index folder: an update changes it in place (upserts by sentence id, deletes by id),
so a reader of the previous version may meet ids it does not know, which it drops.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.text import is_variant, skeleton, tokens

log = logging.getLogger(__name__)

BATCH = 2000  # rows a request: Milvus caps a gRPC message at 64 MB; 2000 x 384 floats is ~3 MB
MAX_TEXT = 65535
ID_CHUNK = 10_000  # ids a filter expression names at most (larger `allowed` sets are split)
BM25_K1, BM25_B = 1.5, 0.75
HNSW_BUILD = {"M": 16, "efConstruction": 200}  # a server's index: graph degree and build breadth
HNSW_EF = 128  # search breadth (at least k)
DEFAULT_URI = "milvus.db"  # Milvus Lite in the index folder, beside the versions
MADE = "milvus-collections.json"  # in the index folder: the collections it made


@dataclass
class SentenceRow:
    """What Milvus keeps of a sentence beside its vector."""

    text: str
    article_id: str
    outlet: str | None = None
    published: str | None = None


@dataclass
class Filters:
    """Which sentences a search may return, as a Milvus filter expression (None: any)."""

    outlets: list[str] = field(default_factory=list)  # matched casefolded
    article_ids: list[str] = field(default_factory=list)  # or-ed with outlets: a source is either
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None

    def expression(self) -> str:
        clauses = []
        sources = []
        if self.outlets:
            sources.append(f"outlet in {_strings([o.casefold() for o in self.outlets])}")
        if self.article_ids:
            sources.append(f"article_id in {_strings(self.article_ids)}")
        if sources:
            clauses.append("(" + " or ".join(sources) + ")")
        if self.since:
            clauses.append(f'(published != "" and published >= {_string(self.since[:10])})')
        if self.until:
            clauses.append(f'(published != "" and published <= {_string(self.until[:10])})')
        return " and ".join(clauses)


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _strings(values: list[str]) -> str:
    return "[" + ", ".join(_string(v) for v in values) + "]"


_clients: dict[str, object] = {}
# pymilvus logs every failed call with its traceback, and Milvus Lite's in-process server
# each call it does not implement; the failures that matter reach the user as one line.
for _name in ("pymilvus", "grpc._server", "milvus_lite"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


class MilvusUnavailable(ConnectionError):
    """Milvus cannot be reached or opened."""


def connect(uri: str):
    """One MilvusClient per uri in this process (Milvus Lite allows one process per file)."""
    if uri not in _clients:
        try:
            from pymilvus import MilvusClient
        except ImportError:
            raise MilvusUnavailable("the milvus backend needs pymilvus and milvus-lite: "
                                    "pip install pymilvus milvus-lite") from None
        try:
            _clients[uri] = MilvusClient(uri, timeout=30)
        except Exception as exc:  # noqa: BLE001 - pymilvus wraps what went wrong in its own types
            raise MilvusUnavailable(_why(uri, exc)) from None
    return _clients[uri]


def _locked_elsewhere(uri: str) -> bool:
    """Whether another process holds a Milvus Lite file's lock."""
    if not is_local(uri) or not (Path(uri) / "LOCK").exists():
        return False
    with open(Path(uri) / "LOCK", "rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _why(uri: str, exc: BaseException) -> str:
    chain = []
    while exc is not None and exc not in chain and len(chain) < 20:  # a chain may loop
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    if any(type(e).__name__ == "DataDirLockedError" for e in chain) or _locked_elsewhere(uri):
        return (f"another process has the Milvus Lite file {uri} open (Milvus Lite allows one process "
                "a file; for several, run a Milvus server and use --uri http://HOST:19530)")
    return f"cannot open Milvus at {uri} ({str(chain[0]).strip()[:200]})"


def is_local(uri: str) -> bool:
    return "://" not in uri


class MilvusStore:
    """The VectorStore protocol over a Milvus collection (cosine = inner product of unit vectors)."""

    NAME = "milvus"
    FILENAME = "milvus.json"  # in a version folder: where the collection is
    VOCABULARY = "milvus-vocabulary.txt"  # every BM25 token added, for spelling variants of query words
    external = True  # its rows live outside the version folder (not versioned, not copied)
    needs_rows = True  # `add` takes each sentence's text and article fields

    def __init__(self, uri: str, collection: str, dimensions: int, *, index_type: str = "FLAT",
                 folder: Path | None = None, create: bool = False) -> None:
        """`folder` is the index folder a relative Milvus Lite path is read against."""
        self.uri, self.collection, self.dimensions, self.index_type = uri, collection, dimensions, index_type
        self.folder = folder
        self.client = connect(_resolved(uri, folder))
        self.vocabulary: set[str] = set()
        if not self.client.has_collection(collection):
            if not create:
                raise MilvusUnavailable(f"its Milvus collection {collection!r} is missing at {uri}: rebuild the "
                                        "index from its sources (ingest --rebuild)")
            self._create()
        self.client.load_collection(collection)

    @classmethod
    def create(cls, dimensions: int, size_hint: int = 0, *, uri: str = DEFAULT_URI,
               collection: str | None = None, index_type: str | None = None,
               folder: Path | None = None) -> MilvusStore:
        """A new, empty collection (a fresh name unless one is given). A local file gets an
        exact FLAT index (the same answers as faiss-flat); a server gets HNSW."""
        name = collection or f"sentences_{datetime.now(UTC):%Y%m%d%H%M%S%f}"
        kind = index_type or ("FLAT" if is_local(uri) else "HNSW")
        store = cls(uri, name, dimensions, index_type=kind, folder=folder, create=True)
        if folder is not None:
            cls.created(folder, _resolved(uri, folder), name)
        return store

    @classmethod
    def created(cls, index_folder: Path, uri: str, collection: str) -> None:
        """Note a collection this index made (in the index folder), so that once no version
        names it any more it can be dropped (`drop_unreferenced`)."""
        path = index_folder / MADE
        made = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        made.append({"uri": uri, "collection": collection})
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(made, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, folder: Path, **options) -> MilvusStore:
        """The store a version folder names (its `milvus.json`, which wins over `options`); a
        local path is read against the index folder (the version folder's parent)."""
        data = json.loads((folder / cls.FILENAME).read_text(encoding="utf-8"))
        store = cls(data["uri"], data["collection"], int(data["dimensions"]),
                    index_type=data.get("index_type", "FLAT"), folder=folder.parent)
        vocabulary = folder / cls.VOCABULARY
        if vocabulary.exists():
            store.vocabulary = set(vocabulary.read_text(encoding="utf-8").split())
        return store

    def save(self, folder: Path) -> None:
        """Record where the collection is (a Milvus Lite file inside the index folder by a
        relative path, so a copied index folder uses its own copy); the rows are in Milvus."""
        uri = _resolved(self.uri, self.folder)
        if is_local(uri) and Path(uri).is_relative_to(folder.parent.resolve()):
            uri = str(Path(uri).relative_to(folder.parent.resolve()))
        data = {"uri": uri, "collection": self.collection, "dimensions": self.dimensions,
                "index_type": self.index_type}
        (folder / self.FILENAME).write_text(json.dumps(data, indent=1), encoding="utf-8")
        (folder / self.VOCABULARY).write_text("\n".join(sorted(self.vocabulary)), encoding="utf-8")
        self.client.flush(self.collection)

    def drop(self) -> None:
        self.client.drop_collection(self.collection)

    def _create(self) -> None:
        from pymilvus import DataType, Function, FunctionType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dimensions)
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT, enable_analyzer=True)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("article_id", DataType.VARCHAR, max_length=512)
        schema.add_field("outlet", DataType.VARCHAR, max_length=512)
        schema.add_field("published", DataType.VARCHAR, max_length=16)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                     input_field_names=["text"], output_field_names=["sparse"]))
        params = self.client.prepare_index_params()
        params.add_index("vector", index_type=self.index_type, metric_type="IP",
                         params=HNSW_BUILD if self.index_type == "HNSW" else {})
        # k1 and b as bm25s's defaults (a Milvus server's own k1 is 1.2), so both backends rank alike
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                         params={"bm25_k1": BM25_K1, "bm25_b": BM25_B})
        params.add_index("article_id", index_type="INVERTED")
        params.add_index("outlet", index_type="INVERTED")
        # Session: this client reads its own writes (an ingest's neighbour searches see what it just
        # added); others within Milvus's bounded staleness. Strong would wait for the server's next
        # time tick on every search (200 ms measured on a Milvus 2.3 server).
        self.client.create_collection(self.collection, schema=schema, consistency_level="Session")
        # Not waited on: waiting asks the server for a timestamp, which Milvus Lite does not implement
        # (it logs a traceback and retries for half a second); load waits for what it needs.
        self.client.create_index(self.collection, params, sync=False)
        log.info("created Milvus collection %s at %s", self.collection, self.uri)

    def __len__(self) -> int:
        rows = self.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def add(self, ids: np.ndarray, vectors: np.ndarray, rows: list[SentenceRow] | None = None) -> None:
        """Insert or replace sentences by id; Milvus needs each one's text and fields (`rows`)."""
        if not len(ids):
            return
        if rows is None or len(rows) != len(ids):
            raise ValueError("the milvus store needs each sentence's text and article fields (rows)")
        vectors = np.asarray(vectors, dtype=np.float32)
        texts = [_bm25_text(r.text) for r in rows]
        for text in texts:
            self.vocabulary.update(text.split())
        for start in range(0, len(ids), BATCH):
            data = [{"id": int(i), "vector": v.tolist(), "text": text,
                     "article_id": r.article_id, "outlet": (r.outlet or "").casefold(),
                     "published": (r.published or "")[:10]}
                    for i, v, r, text in zip(ids[start:start + BATCH], vectors[start:start + BATCH],
                                             rows[start:start + BATCH], texts[start:start + BATCH], strict=True)]
            self.client.upsert(self.collection, data)

    def add_sentences(self, article, sentences: list, vectors: np.ndarray) -> None:
        """Add one article's sentences (index.records.Sentence) with their vectors."""
        rows = [SentenceRow(s.text, article.id, article.outlet, article.published) for s in sentences]
        self.add(np.asarray([s.id for s in sentences], dtype=np.int64), vectors, rows)

    def remove(self, ids: np.ndarray) -> None:
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), ID_CHUNK):
            self.client.delete(self.collection, ids=ids[start:start + ID_CHUNK])

    def vectors(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of `ids` (a row of zeros for an id not stored), one row each."""
        out = np.zeros((len(ids), self.dimensions), dtype=np.float32)
        if not len(ids):
            return out
        found: dict[int, list[float]] = {}
        distinct = sorted({int(i) for i in ids})
        for start in range(0, len(distinct), ID_CHUNK):
            for row in self.client.get(self.collection, ids=distinct[start:start + ID_CHUNK],
                                       output_fields=["vector"]):
                found[int(row["id"])] = row["vector"]
        for n, i in enumerate(ids):
            if int(i) in found:
                out[n] = found[int(i)]
        return out

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> list[tuple[int, float]]:
        """The k nearest ids with cosine scores; `allowed` restricts to those ids."""
        return self._dense([vector], k, _id_filters(allowed))[0]

    def search_where(self, vector: np.ndarray, k: int, where: Filters | None = None) -> list[tuple[int, float]]:
        """The k nearest ids among the sentences `where` selects, filtered inside Milvus."""
        return self._dense([vector], k, [where.expression() if where else ""])[0]

    def search_many(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """The k nearest ids of each of many vectors, in batched requests."""
        out: list[list[tuple[int, float]]] = []
        for start in range(0, len(vectors), BATCH // 2):
            out += self._dense(vectors[start:start + BATCH // 2], k, [""])
        return out

    def _search_params(self, k: int) -> dict:
        """HNSW's breadth of search: at least k, and wide enough for recall near exact."""
        return {"ef": max(HNSW_EF, k)} if self.index_type == "HNSW" else {}

    def _dense(self, vectors, k: int, expressions: list[str] | None) -> list[list[tuple[int, float]]]:
        """Search each expression in turn (None: nothing is allowed) and keep the k best per query."""
        if k <= 0 or len(vectors) == 0 or expressions is None:
            return [[] for _ in range(len(vectors))]
        data = [np.asarray(v, dtype=np.float32).ravel().tolist() for v in vectors]
        merged: list[list[tuple[int, float]]] = [[] for _ in data]
        for expression in expressions:
            found = self.client.search(self.collection, data=data, anns_field="vector", limit=min(k, 16384),
                                       filter=expression, output_fields=[],
                                       search_params={"metric_type": "IP", "params": self._search_params(k)})
            for row, hits in zip(merged, found, strict=True):
                row += [(int(h["id"]), float(h["distance"])) for h in hits]
        return [sorted(row, key=lambda h: -h[1])[:k] for row in merged]


class MilvusLexical:
    """BM25 full-text search with Milvus's own BM25 function over the store's collection."""

    NAME = "milvus"
    FILENAME = MilvusStore.FILENAME

    def __init__(self, store: MilvusStore) -> None:
        self.store = store
        self._variants: dict[str, list[str]] | None = None
        self._known = 0

    @classmethod
    def load(cls, folder: Path) -> MilvusLexical:
        return cls(MilvusStore.load(folder))

    @property
    def ids(self) -> np.ndarray:
        """Stands in for the local index's id array in count checks: one entry a row."""
        return np.zeros(len(self.store), dtype=np.int64)

    def add(self, ids, texts) -> None:
        """Nothing to do: the store added each sentence's text with its vector."""

    def remove(self, ids) -> None:
        """Nothing to do: the store's remove took the rows, text and all."""

    def save(self, folder: Path, previous: Path | None = None) -> None:
        """Nothing to write: the text is in Milvus, the vocabulary in the store's files."""

    def __len__(self) -> int:
        return len(self.store)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best sentence ids by BM25, optionally only among `allowed` ids."""
        return self._bm25(query, k, _id_filters(allowed))

    def search_where(self, query: str, k: int, where: Filters | None = None) -> list[tuple[int, float]]:
        return self._bm25(query, k, [where.expression() if where else ""])

    def expand(self, query: str) -> list[str]:
        """Query tokens plus the indexed spelling variants of each (as the local BM25 does)."""
        vocabulary = self.store.vocabulary
        if self._variants is None or self._known != len(vocabulary):
            self._variants, self._known = {}, len(vocabulary)
            for token in vocabulary:
                self._variants.setdefault(skeleton(token), []).append(token)
        expanded: list[str] = []
        for token in tokens(query):
            group = [t for t in self._variants.get(skeleton(token), []) if is_variant(token, t)]
            for t in [token, *group]:
                if t in vocabulary and t not in expanded:
                    expanded.append(t)
        return expanded

    def _bm25(self, query: str, k: int, expressions: list[str] | None) -> list[tuple[int, float]]:
        text = " ".join(self.expand(query))
        if not text or k <= 0 or expressions is None:
            return []
        found: list[tuple[int, float]] = []
        for expression in expressions:
            # a few more than k, so that sentences tied with the k-th are all there to order by id
            hits = self.store.client.search(self.store.collection, data=[text], anns_field="sparse",
                                            limit=min(2 * k + 10, 16384), filter=expression, output_fields=[],
                                            search_params={"metric_type": "BM25"})[0]
            # Milvus Lite reports BM25 as a negative distance, a server as a positive score; both
            # keep the (k1 + 1) factor that bm25s (Lucene's BM25) leaves out: divided here, the
            # scores the answer weighs are the local backend's.
            found += [(int(h["id"]), abs(float(h["distance"])) / (BM25_K1 + 1)) for h in hits]
        return sorted(found, key=lambda h: (-h[1], h[0]))[:k]  # ties by id, as the local BM25 orders them


def drop_unreferenced(index_folder: Path) -> list[str]:
    """Drop the collections this index made that no version folder names any more (a
    rebuild's predecessor, once its versions are gone; one a killed rebuild left). Call it
    holding the index's writer lock, so no version is being built meanwhile."""
    path = index_folder / MADE
    if not path.exists():
        return []
    named = set()
    for version in index_folder.glob("v-*"):
        try:
            data = json.loads((version / MilvusStore.FILENAME).read_text(encoding="utf-8"))
            named.add(data["collection"])
        except (OSError, ValueError, KeyError):
            continue
    try:
        made = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return []
    kept, dropped = [], []
    for entry in made:
        if entry["collection"] in named:
            kept.append(entry)
            continue
        try:
            connect(entry["uri"]).drop_collection(entry["collection"])
            dropped.append(entry["collection"])
        except Exception as exc:  # noqa: BLE001 - unreachable now: try again at the next clean-up
            log.warning("could not drop Milvus collection %s: %s", entry["collection"], exc)
            kept.append(entry)
    if dropped:
        log.info("dropped Milvus collections no version uses: %s", ", ".join(dropped))
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(kept, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    return dropped


def _bm25_text(text: str) -> str:
    """The text's BM25 tokens, space-joined, within Milvus's VARCHAR limit (in bytes)."""
    joined = " ".join(tokens(text))
    if len(joined.encode()) > MAX_TEXT:
        joined = joined.encode()[:MAX_TEXT].decode(errors="ignore").rsplit(" ", 1)[0]
    return joined


def _id_filters(allowed: np.ndarray | None) -> list[str] | None:
    """Filter expressions naming `allowed` ids, a chunk each ([""]: no filter; None: none allowed)."""
    if allowed is None:
        return [""]
    ids = sorted({int(i) for i in allowed})
    if not ids:
        return None
    return [f"id in [{', '.join(map(str, ids[s:s + ID_CHUNK]))}]" for s in range(0, len(ids), ID_CHUNK)]


def _resolved(uri: str, folder: Path | None) -> str:
    """A local Milvus Lite path made absolute (a relative one is read against `folder`, the
    index folder, else the working directory); a server uri as is."""
    if not is_local(uri):
        return uri
    return str(((folder or Path.cwd()) / uri).resolve())
