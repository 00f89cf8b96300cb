"""Word articles (.docx) through python-docx: the text, title, author and date.

The body is read in document order: each paragraph is one paragraph of the article, each
table row one paragraph with its cells joined by " | ". A paragraph in the "Title" style
is the headline; otherwise the file's title property, else the headline printed at the
top (see `corpus.documents`). The author and date are the printed byline and dateline,
else the file's author and creation date; the properties python-docx's own template
fills in ("python-docx", 2013) are not taken for the article's. Headers, footers and
comments are not article text. A file that is not a .docx (an old binary .doc, a
renamed file) or would unpack to more than 200 MB is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from corpus.dates import normalise_date
from corpus.documents import DocumentText, article_from_document, meta_title
from corpus.errors import CorpusError, one_line
from corpus.files import read_bytes
from corpus.records import Article

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_TEMPLATE_AUTHOR = re.compile(r"^(?:python-docx|microsoft office user|administrator|user|author)$", re.IGNORECASE)


def _check_package(data: bytes, name: str) -> None:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise CorpusError(name, "an old Word .doc file (or an encrypted .docx), not .docx; save it as .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            unpacked = sum(info.file_size for info in package.infolist())
    except zipfile.BadZipFile:
        raise CorpusError(name, "not a .docx file (not a zip package)") from None
    if "word/document.xml" not in names:
        raise CorpusError(name, "not a .docx file (no word/document.xml)")
    if unpacked > MAX_UNPACKED_BYTES:
        raise CorpusError(name, f"unpacks to {unpacked // 2**20} MB (at most {MAX_UNPACKED_BYTES // 2**20} MB)")


def docx_text(data: bytes, name: str) -> DocumentText:
    """The paragraphs and metadata of a .docx file's bytes; CorpusError if it cannot be read."""
    _check_package(data, name)
    from docx import Document
    from docx.table import Table

    try:
        doc = Document(io.BytesIO(data))
        paragraphs: list[str] = []
        styled_title = None
        for block in doc.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells: list[str] = []
                    for cell in row.cells:  # a merged cell repeats: keep it once
                        text = one_line(cell.text)
                        if text and (not cells or cells[-1] != text):
                            cells.append(text)
                    if cells:
                        paragraphs.append(" | ".join(cells))
                continue
            text = one_line(block.text)
            style = (block.style.name if block.style is not None else "") or ""
            if text and styled_title is None and style.lower() == "title":
                styled_title = text
            elif text:
                paragraphs.append(text)
        props = doc.core_properties
        template = (props.author or "").lower() == "python-docx"  # the template's properties, not the article's
        author = None if _TEMPLATE_AUTHOR.match(props.author or "") else props.author
        created = None if template else props.created
        title = styled_title or meta_title(props.title)
    except CorpusError:
        raise
    except (KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile) as err:
        raise CorpusError(name, f"not a readable .docx file ({type(err).__name__}: {str(err)[:150]})") from None
    try:
        published = normalise_date(created) if created else None
    except ValueError:
        published = None
    return DocumentText(paragraphs=paragraphs, title=title, author=author, published=published)


def article_from_docx(data: bytes, *, name: str, location: str, fallback_title: str,
                      url: str | None = None) -> Article:
    """One Article from the bytes of a .docx file (a file, an upload or a download)."""
    return article_from_document(docx_text(data, name), name=name, location=location,
                                 fallback_title=fallback_title, url=url)


def read_docx_file(path: Path, name: str) -> list[Article]:
    """The one article in a .docx file."""
    return [article_from_docx(read_bytes(path, name), name=name, location=str(path.resolve()),
                              fallback_title=path.stem)]
