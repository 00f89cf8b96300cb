"""Articles posted to `POST /ingest`, as JSON or as uploaded files, turned into `Article`s.

The parsing is `corpus.upload`'s, the same as the chat page's uploads (one list of accepted
types, one size limit); this module only turns its refusals into HTTP statuses: 415 for
a file type it does not read, 413 for too much, 422 for anything else, all or nothing.
"""

from __future__ import annotations

from corpus import upload
from corpus.errors import CorpusError
from corpus.records import Article

UPLOAD_SUFFIXES = upload.UPLOAD_SUFFIXES
MAX_ARTICLES = upload.MAX_ARTICLES


class IngestInputError(Exception):
    """Posted content that cannot be ingested; str() says which item and why, in one line."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(" ".join(message.split()))
        self.status = status


def _refused(err: CorpusError) -> IngestInputError:
    status = 415 if isinstance(err, upload.UnsupportedUpload) else 413 if isinstance(err, upload.TooLarge) else 422
    return IngestInputError(str(err), status)


def articles_from_records(records: list[dict], name: str = "articles") -> list[Article]:
    """Articles from JSON objects (title, text, and optionally outlet, author, published, url, id)."""
    try:
        return upload.articles_from_records(records, name)
    except CorpusError as err:
        raise _refused(err) from None


def check_upload(filename: str | None, size: int) -> str:
    try:
        return upload.check_upload(filename, size)
    except CorpusError as err:
        raise _refused(err) from None


def articles_from_upload(filename: str | None, data: bytes) -> list[Article]:
    """The articles in one uploaded .md/.txt/.html/.jsonl file."""
    try:
        return upload.read_upload(filename, data)
    except CorpusError as err:
        raise _refused(err) from None
