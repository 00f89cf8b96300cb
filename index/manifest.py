"""The manifest: which model made an index, from which corpus, in which schema."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

SCHEMA_VERSION = 2  # 2: sentence ids below 2**53
FILENAME = "manifest.json"


@dataclass
class Manifest:
    model: str
    dimensions: int
    schema: int = SCHEMA_VERSION
    corpus_fingerprint: str = ""  # hash over every article's fingerprint
    articles: int = 0
    sentences: int = 0
    created: str = ""
    sources: list[str] = field(default_factory=list)  # what was ingested: paths and URLs
    files: dict[str, list[int]] = field(default_factory=dict)  # path -> [mtime_ns, size]
    # Backends by name (index.ann.factory); a manifest from before they were named loads
    # as the only ones there were: exact FAISS and bm25s.
    vector_backend: str = "faiss-flat"  # the store the version holds
    vector_backend_choice: str = "auto"  # what was asked for: "auto" (by size) or a backend name
    lexical_backend: str = "bm25s"
    backend_options: dict[str, str] = field(default_factory=dict)  # e.g. a remote engine's uri and collection

    def save(self, folder: Path) -> None:
        path = folder / FILENAME
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        data = json.loads((folder / FILENAME).read_text(encoding="utf-8"))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def corpus_fingerprint(article_fingerprints: list[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(article_fingerprints)).encode("utf-8"))
    return digest.hexdigest()[:32]


def file_stamp(path: str) -> list[int] | None:
    """[mtime_ns, size] of a local file, None if it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size]
