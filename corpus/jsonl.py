"""JSON Lines articles (.jsonl): one JSON object per line, one article per object.

Fields: title, text (or body), and optionally outlet, author, published, url, id;
other fields go to `extra` (publisher, source or site_name also give the outlet where
`outlet` is missing; else the text's own dateline or "Source:" line, `corpus.outlet`).
A bad line becomes a CorpusError naming the line and the field, and the other lines are
still read. Location is "path#<id>" when the line has an id (which is then the Article
id), else "path#line-N".
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from corpus.cleaning import join_paragraphs, lines_as_paragraphs, split_paragraphs
from corpus.dates import normalise_date
from corpus.errors import CorpusError
from corpus.files import read_text
from corpus.outlet import outlet_field, with_stated_outlet
from corpus.records import Article, article_id_for
from corpus.text import field_text, json_safe

log = logging.getLogger(__name__)

KNOWN = ("title", "text", "body", "outlet", "author", "published", "url", "id")


def body_text(value: str) -> str:
    """Blank-line paragraphs if the text has any, else one paragraph per line."""
    if "\n\n" in value.replace("\r\n", "\n").replace(" \n", "\n"):
        return join_paragraphs(split_paragraphs(value))
    return lines_as_paragraphs(value)


def article_from_record(record: object, *, name: str, path: str, line: int) -> Article:
    """One Article from one parsed line; CorpusError (naming line and field) if invalid."""
    def fail(problem: str) -> CorpusError:
        return CorpusError(name, f"line {line}: {problem}")

    if not isinstance(record, dict):
        raise fail(f"expected a JSON object, got {type(record).__name__}")
    try:
        values = {k: field_text(record.get(k), k, name) for k in ("title", "outlet", "author",
                                                                  "url", "id")}
    except CorpusError as err:
        raise fail(err.problem) from None
    if not values["title"]:
        raise fail("field 'title' is missing or empty")
    key = "text" if record.get("text") is not None else "body"
    raw = record.get(key)
    if not isinstance(raw, str):
        raise fail("field 'text' (or 'body') is missing" if raw is None
                   else f"field '{key}' must be text, not {type(raw).__name__}")
    text = body_text(raw)
    if not text:
        raise fail(f"field '{key}' is empty")
    try:
        published = normalise_date(record.get("published"))
    except ValueError as err:
        raise fail(f"field 'published' is {err}") from None
    outlet, text = with_stated_outlet(values["outlet"] or outlet_field(record), text)
    location = f"{path}#{values['id']}" if values["id"] else f"{path}#line-{line}"
    return Article(
        id=values["id"] or article_id_for(location),
        title=values["title"], text=text, outlet=outlet, author=values["author"],
        published=published, url=values["url"], location=location,
        extra={k: json_safe(v) for k, v in record.items() if k not in KNOWN},
    )


def read_jsonl_file(path: Path, name: str) -> tuple[list[Article], list[CorpusError]]:
    """The articles of a .jsonl file, and one error per bad line."""
    articles: list[Article] = []
    errors: list[CorpusError] = []
    first_line_of: dict[str, int] = {}
    absolute = str(path.resolve())
    for number, line in enumerate(read_text(path, name).split("\n"), start=1):
        line = line.removesuffix("\r")  # not splitlines(): JSON strings may hold U+2028
        if not line.strip():
            continue
        try:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise CorpusError(name, f"line {number}: not valid JSON ({err.msg}, "
                                        f"column {err.colno})") from None
            article = article_from_record(record, name=name, path=absolute, line=number)
            if article.id in first_line_of:
                raise CorpusError(name, f"line {number}: field 'id' repeats {article.id!r} "
                                        f"from line {first_line_of[article.id]}")
        except CorpusError as err:
            errors.append(err)
            continue
        first_line_of[article.id] = number
        articles.append(article)
    log.debug("read %s: %d articles, %d bad lines", name, len(articles), len(errors))
    return articles, errors
