"""The assistant's life beside other processes: following a newer index, taking uploads.

`Lifecycle` is a mixin of `Assistant` (`class Assistant(Lifecycle)`); its methods use only
`self.folder`, `self.index`, `self.encoder`, `self._load()` and `self.ingest_articles(...)`. The same
operations are module functions too, for callers that hold an assistant object.

- Readers follow writers: `follow_current()` is one `readlink` when nothing changed; when
  another process (or another assistant in this one) made a newer version current, it
  switches to it. The version left behind is deleted once no reader holds it
  (`index.library` keeps a reader's lease on it until then).
- One way in for uploads: the chat page and the HTTP API hand an upload's name and bytes
  to `ingest_uploads` / `ingest_upload` (parsed by `corpus.upload`: one list of accepted
  types, one size limit).
"""

from __future__ import annotations

import logging
from typing import Any

from assistant.errors import AssistantError
from corpus.upload import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, read_uploads
from index import library
from index.library import IngestReport

log = logging.getLogger(__name__)

__all__ = ["MAX_UPLOAD_BYTES", "UPLOAD_SUFFIXES", "Lifecycle", "follow_current", "ingest_uploads", "is_current"]


def is_current(assistant: Any) -> bool:
    """Whether the assistant reads the version its folder's `current` names (one readlink)."""
    name = library.current_name(assistant.folder)
    held = assistant.index.version.name if assistant.index is not None else None
    return name == held


def follow_current(assistant: Any) -> bool:
    """Switch to the folder's current version if it is newer than the one read; True if it switched.
    A newer version that cannot be opened (damaged) leaves the assistant on the one it reads."""
    if is_current(assistant):
        return False
    previous = assistant.index.version.name if assistant.index is not None else None
    log.info("index %s: following the current version (%s -> %s)", assistant.folder, previous,
             library.current_name(assistant.folder))
    try:
        # Check the new version opens before letting go of the one being read: a damaged
        # newer version must not leave this assistant with nothing to answer from.
        library.Index.open(assistant.folder, assistant.encoder).close()
    except library.IndexMissing:
        pass
    except library.IndexUnusable as exc:
        log.warning("%s; still answering from %s", exc, previous)
        return False
    try:
        assistant._load()
    except AssistantError as exc:
        log.warning("%s; still answering from %s", exc, previous)
        return False
    return True


def ingest_uploads(assistant: Any, files: list[tuple[str | None, bytes]], *, progress: bool = False,
                   on_progress: library.Progress | None = None) -> IngestReport:
    """Read uploaded files (name, bytes) and add their articles in one index update. A file
    that cannot be read is named in `report.rejected` and the others are still added."""
    articles, errors = read_uploads(files)
    if not articles:
        report = IngestReport()
    else:
        report = assistant.ingest_articles(articles, progress=progress, on_progress=on_progress)
    report.rejected = [str(e) for e in errors] + report.rejected
    return report


class Lifecycle:
    """Mixin of `Assistant`: follow a newer index version; take uploads."""

    def is_current(self) -> bool:
        """Whether this assistant reads the folder's current version."""
        return is_current(self)

    def follow_current(self) -> bool:
        """Switch to a newer current version made by another process; True if it switched.
        Cheap (one readlink) when nothing changed: call it before each request."""
        return follow_current(self)

    def ingest_uploads(self, files: list[tuple[str | None, bytes]], *, progress: bool = False,
                       on_progress: library.Progress | None = None) -> IngestReport:
        """Add uploaded files (name, bytes): .md/.txt/.html/.jsonl up to MAX_UPLOAD_BYTES each."""
        return ingest_uploads(self, files, progress=progress, on_progress=on_progress)

    def ingest_upload(self, name: str | None, data: bytes) -> IngestReport:
        """Add one uploaded file."""
        return ingest_uploads(self, [(name, data)])
