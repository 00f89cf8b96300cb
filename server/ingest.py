"""Articles posted to `POST /ingest`, as JSON or as uploaded files, turned into `Article`s.

The corpus readers do the parsing and validation (the same rules as `assistant ingest`);
this module only gives each article a location that says it came through the API:
its URL when it has one, else `api://article/<hash of the text>` or
`api://upload/<hash of the file>/<file name>`, so posting the same thing twice
changes nothing and posting an article with a known URL replaces that article.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
from pathlib import PurePosixPath
from urllib.parse import quote

from corpus.errors import CorpusError
from corpus.files import decode_text
from corpus.html import article_from_html
from corpus.jsonl import article_from_record
from corpus.records import Article, article_id_for
from corpus.text import article_from_text

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".jsonl")
MAX_ARTICLES = 500


class IngestInputError(Exception):
    """Posted content that cannot be ingested; str() says which item and why, in one line."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(" ".join(message.split()))
        self.status = status


def _has_words(article: Article, where: str) -> Article:
    """Refuse an article whose text has no letter or digit: it has nothing to index."""
    if not any(ch.isalnum() for ch in article.text):
        raise IngestInputError(f"{where}: the text has no words to index")
    return article


def _placed(article: Article, fallback: str) -> Article:
    """The article at its API location: its URL if it has an http(s) one, else `fallback`.
    An id the article named itself (front matter, JSON) is kept; one derived from the
    provisional location the reader was given is derived again from the new one."""
    url = article.url or ""
    location = url if re.match(r"https?://", url) else fallback
    own_id = article.id != article_id_for(article.location)
    return dataclasses.replace(article, location=location, id=article.id if own_id else article_id_for(location))


def _text_key(article: Article) -> str:
    return hashlib.sha256(f"{article.title}\x1f{article.text}".encode()).hexdigest()[:16]


def articles_from_records(records: list[dict], name: str = "articles") -> list[Article]:
    """Articles from JSON objects (title, text, and optionally outlet, author, published, url, id)."""
    if len(records) > MAX_ARTICLES:
        raise IngestInputError(f"too many articles in one request ({len(records)}; at most {MAX_ARTICLES})", 413)
    out = []
    for i, record in enumerate(records):
        provisional = f"api://pending/{name}/{i}"
        try:
            article = article_from_record(record, name=name, path=provisional, line=i + 1)
        except CorpusError as err:
            raise IngestInputError(f"{name}[{i}]: {err.problem.removeprefix(f'line {i + 1}: ')}") from None
        out.append(_placed(_has_words(article, f"{name}[{i}]"), f"api://article/{_text_key(article)}"))
    return out


def safe_filename(filename: str | None) -> str:
    """The last part of an uploaded file's name, printable and short."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "upload"


def articles_from_upload(filename: str | None, data: bytes) -> list[Article]:
    """The articles in one uploaded .md/.txt/.html/.jsonl file."""
    name = safe_filename(filename)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise IngestInputError(f"{name}: unsupported file type {suffix or '(none)'!r}; "
                               f"upload {', '.join(UPLOAD_SUFFIXES)}", 415)
    key = hashlib.sha256(data).hexdigest()[:16]
    fallback = f"api://upload/{key}/{quote(name)}"
    try:
        text = decode_text(data, name)
        if suffix == ".jsonl":
            return _jsonl(text, name, fallback)
        provisional = f"api://pending/{key}"
        stem = PurePosixPath(name).stem or name
        if suffix in (".html", ".htm"):
            article = article_from_html(text, name=name, location=provisional, fallback_title=stem)
        else:
            article = article_from_text(text, name=name, location=provisional, fallback_title=stem)
    except CorpusError as err:
        raise IngestInputError(str(err)) from None
    return [_placed(_has_words(article, name), fallback)]


def _jsonl(text: str, name: str, fallback: str) -> list[Article]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise IngestInputError(f"{name}: line {number}: not JSON ({err.msg})") from None
        article = article_from_record(record, name=name, path=f"api://pending/{name}", line=number)
        out.append(_placed(_has_words(article, f"{name}: line {number}"), f"{fallback}#line-{number}"))
        if len(out) > MAX_ARTICLES:
            raise IngestInputError(f"{name}: too many articles (at most {MAX_ARTICLES})", 413)
    if not out:
        raise IngestInputError(f"{name}: no articles in the file")
    return out
