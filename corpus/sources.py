"""Pick the reader for a source (file suffix, folder or URL) and collect the results.

`read_source` is strict: any problem raises a CorpusError. `read_sources` reads
everything it can and returns the problems beside the articles, one error per bad
file, line, feed entry or URL, so one bad file does not stop an ingest.
"""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

from corpus.errors import CorpusError
from corpus.records import Article

log = logging.getLogger(__name__)

Result = tuple[list[Article], list[CorpusError]]


# suffix -> the reader: module, function, and whether it returns (articles, errors) itself (a file
# of many records) or a list of articles. A reader's module, and the libraries it needs (trafilatura,
# pypdf, python-docx, requests), load when a file of its kind is read, not whenever `corpus` is
# imported: a command that only answers questions does not pay for them at start.
READERS: dict[str, tuple[str, str, bool]] = {
    ".txt": ("corpus.text", "read_text_file", False),
    ".md": ("corpus.text", "read_text_file", False),
    ".markdown": ("corpus.text", "read_text_file", False),
    ".html": ("corpus.html", "read_html_file", False),
    ".htm": ("corpus.html", "read_html_file", False),
    ".jsonl": ("corpus.jsonl", "read_jsonl_file", True),
    ".pdf": ("corpus.pdf", "read_pdf_file", False),
    ".docx": ("corpus.docx", "read_docx_file", False),
}
SUPPORTED = ", ".join(sorted(READERS))


def _reader(suffix: str):
    module, function, whole = READERS[suffix]
    read = getattr(importlib.import_module(module), function)
    return read if whole else (lambda path, label: (read(path, label), []))


def _read_file(path: Path, name: str) -> Result:
    """The articles of one file. Whatever goes wrong inside a reader (a library meeting
    input it was not written for) is this file's problem alone: one CorpusError naming it."""
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise CorpusError(name, f"unsupported file type {path.suffix or '(none)'}; supported: {SUPPORTED}")
    try:
        return _reader(suffix)(path, name)
    except CorpusError:
        raise
    except (Exception, RecursionError) as err:  # noqa: BLE001 - one bad file must not stop the others
        log.debug("reading %s failed", name, exc_info=err)
        raise CorpusError(name, f"could not be read ({type(err).__name__}: {str(err)[:200]})") from None


def _walk(folder: Path) -> tuple[list[Path], list[CorpusError]]:
    """Supported, non-hidden files under `folder`, recursively, sorted by path parts, and
    one error for each sub-folder that cannot be listed (the rest is still read)."""
    found: list[Path] = []
    errors: list[CorpusError] = []

    def unreadable(err: OSError) -> None:
        errors.append(CorpusError(err.filename or str(folder), "cannot read the folder "
                                  f"({err.strerror or err})"))

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for file in files:
            path = Path(root, file)
            if file.startswith("."):
                continue
            if path.suffix.lower() in READERS:
                found.append(path)
            else:
                log.info("skipping %s: unsupported file type", path)
    return sorted(found), errors


def article_files(folder: Path) -> list[Path]:
    """The files under `folder` that ingest would read (those that can be listed)."""
    return _walk(folder)[0]


def _read_folder(folder: Path, name: str) -> Result:
    articles: list[Article] = []
    files, errors = _walk(folder)
    if not files:
        return [], errors or [CorpusError(name, f"folder has no readable files ({SUPPORTED})")]
    for path in files:
        try:
            found, problems = _read_file(path, str(path))
        except CorpusError as err:
            found, problems = [], [err]
        articles += found
        errors += problems
    return articles, errors


def collect_source(source: str, *, timeout: float = 10.0) -> Result:
    """(articles, errors) for one path, folder or http(s) URL; never raises CorpusError."""
    from corpus.fetch import is_url

    try:
        if is_url(source):
            from corpus.web import read_url

            return read_url(source, timeout=timeout)
        if "://" in source:
            raise CorpusError(source, "only http:// and https:// URLs can be read")
        path = Path(source).expanduser()
        if path.is_dir():
            return _read_folder(path, source)
        if not path.exists():
            raise CorpusError(source, "no such file or folder")
        return _read_file(path, source)
    except CorpusError as err:
        return [], [err]


def read_source(source: str, *, timeout: float = 10.0) -> list[Article]:
    """The articles of one path, folder or http(s) URL; raises the first CorpusError met."""
    articles, errors = collect_source(source, timeout=timeout)
    if errors:
        if len(errors) > 1:
            log.warning("%s: %d problems; raising the first", source, len(errors))
        raise errors[0]
    return articles


def read_sources(sources: list[str], *, timeout: float = 10.0) -> Result:
    """Read every source, keeping going past problems: (articles, errors).

    An article met twice (the same location given twice, or a file inside a folder
    also given) is kept once; a second article claiming an id already taken by another
    location is an error, since ids must name one article.
    """
    articles: list[Article] = []
    errors: list[CorpusError] = []
    location_of: dict[str, str] = {}
    for source in sources:
        found, problems = collect_source(source, timeout=timeout)
        errors += problems
        for article in found:
            if article.id in location_of:
                if location_of[article.id] != article.location:
                    errors.append(CorpusError(article.location, f"id {article.id!r} is already "
                                              f"used by {location_of[article.id]}"))
                continue
            location_of[article.id] = article.location
            articles.append(article)
    return articles, errors
