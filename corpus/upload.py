"""Uploaded bytes and posted records to `Article`s: the one way in for the chat page and the API.

Both hand what a person uploaded (a file name and its bytes) or posted (JSON records) to
these functions, so there is one list of accepted types (`UPLOAD_SUFFIXES`), one size limit
(`MAX_UPLOAD_BYTES`) and one set of parsing rules: the same readers as `assistant ingest`.

An uploaded article has no file on disk, so it gets a location that says where it came
from: its URL when it has one, else `api://article/<hash of the text>` or
`api://upload/<hash of the file>/<file name>`, so uploading the same thing twice changes
nothing and an article with a known URL replaces that article.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import re
from pathlib import PurePosixPath
from urllib.parse import quote

from corpus.errors import CorpusError
from corpus.files import decode_text
from corpus.jsonl import article_from_record
from corpus.records import Article, article_id_for
from corpus.text import article_from_text

UPLOAD_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".jsonl", ".pdf", ".docx")
# binary: read from the bytes. The readers (pypdf, python-docx) load when such a file comes, not at
# every start of a process that may take uploads (the assistant itself).
_DOCUMENTS = {".pdf": ("corpus.pdf", "article_from_pdf"), ".docx": ("corpus.docx", "article_from_docx")}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ARTICLES = 500


class UnsupportedUpload(CorpusError):
    """A file whose type is not one of `UPLOAD_SUFFIXES`."""


class TooLarge(CorpusError):
    """A file over `MAX_UPLOAD_BYTES`, or more than `MAX_ARTICLES` articles at once."""


def has_words(article: Article, where: str) -> Article:
    """Refuse an article whose text has no letter or digit: it has nothing to index."""
    if not any(ch.isalnum() for ch in article.text):
        raise CorpusError(where, "the text has no words to index")
    return article


def placed(article: Article, fallback: str) -> Article:
    """The article at its upload location: its URL if it has an http(s) one, else `fallback`.
    An id the article named itself (front matter, JSON) is kept; one derived from the
    provisional location the reader was given is derived again from the new one."""
    url = article.url or ""
    location = url if re.match(r"https?://", url) else fallback
    own_id = article.id != article_id_for(article.location)
    return dataclasses.replace(article, location=location, id=article.id if own_id else article_id_for(location))


def _text_key(article: Article) -> str:
    return hashlib.sha256(f"{article.title}\x1f{article.text}".encode()).hexdigest()[:16]


def articles_from_records(records: list[dict], name: str = "articles") -> list[Article]:
    """Articles from JSON objects (title, text, and optionally outlet, author, published, url, id).
    A bad record raises a CorpusError whose source is `name[i]`."""
    if len(records) > MAX_ARTICLES:
        raise TooLarge(name, f"too many articles in one request ({len(records)}; at most {MAX_ARTICLES})")
    out = []
    for i, record in enumerate(records):
        provisional = f"api://pending/{name}/{i}"
        try:
            article = article_from_record(record, name=name, path=provisional, line=i + 1)
        except CorpusError as err:
            raise CorpusError(f"{name}[{i}]", err.problem.removeprefix(f"line {i + 1}: ")) from None
        out.append(placed(has_words(article, f"{name}[{i}]"), f"api://article/{_text_key(article)}"))
    return out


def safe_filename(filename: str | None) -> str:
    """The last part of an uploaded file's name, printable and short."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "upload"


def check_upload(filename: str | None, size: int) -> str:
    """The safe name of an upload of `size` bytes; UnsupportedUpload or TooLarge if refused."""
    name = safe_filename(filename)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UnsupportedUpload(name, f"unsupported file type {suffix or '(none)'!r}; "
                                      f"upload {', '.join(UPLOAD_SUFFIXES)}")
    if size > MAX_UPLOAD_BYTES:
        raise TooLarge(name, f"file too large ({size / 2**20:.1f} MB; at most {MAX_UPLOAD_BYTES // 2**20} MB)")
    return name


def read_upload(filename: str | None, data: bytes) -> list[Article]:
    """The articles in one uploaded file (see UPLOAD_SUFFIXES); CorpusError naming the file if refused."""
    name = check_upload(filename, len(data))
    suffix = PurePosixPath(name).suffix.lower()
    key = hashlib.sha256(data).hexdigest()[:16]
    fallback = f"api://upload/{key}/{quote(name)}"
    try:
        if suffix in _DOCUMENTS:
            stem = PurePosixPath(name).stem or name
            module, function = _DOCUMENTS[suffix]
            read = getattr(importlib.import_module(module), function)
            article = read(data, name=name, location=f"api://pending/{key}", fallback_title=stem)
            return [placed(has_words(article, name), fallback)]
        text = decode_text(data, name)
        if suffix == ".jsonl":
            return _jsonl(text, name, fallback)
        provisional = f"api://pending/{key}"
        stem = PurePosixPath(name).stem or name
        if suffix in (".html", ".htm"):
            from corpus.html import article_from_html  # trafilatura: loaded for an HTML upload only

            article = article_from_html(text, name=name, location=provisional, fallback_title=stem)
        else:
            article = article_from_text(text, name=name, location=provisional, fallback_title=stem)
    except CorpusError:
        raise
    except (Exception, RecursionError) as err:  # noqa: BLE001 - a parser meeting input it was not written for
        raise CorpusError(name, f"could not be read ({type(err).__name__}: {str(err)[:200]})") from None
    return [placed(has_words(article, name), fallback)]


def read_uploads(files: list[tuple[str | None, bytes]]) -> tuple[list[Article], list[CorpusError]]:
    """Every upload read on its own: (articles, one error per refused file)."""
    articles: list[Article] = []
    errors: list[CorpusError] = []
    for filename, data in files:
        try:
            articles += read_upload(filename, data)
        except CorpusError as err:
            errors.append(err)
    return articles, errors


def _jsonl(text: str, name: str, fallback: str) -> list[Article]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise CorpusError(name, f"line {number}: not JSON ({err.msg})") from None
        article = article_from_record(record, name=name, path=f"api://pending/{name}", line=number)
        out.append(placed(has_words(article, f"{name}: line {number}"), f"{fallback}#line-{number}"))
        if len(out) > MAX_ARTICLES:
            raise TooLarge(name, f"too many articles (at most {MAX_ARTICLES})")
    if not out:
        raise CorpusError(name, "no articles in the file")
    return out
