"""Plain text and Markdown articles (.txt, .md), with or without YAML front matter.

Front matter is a "---" block at the very top; its keys title, outlet, author,
published (or date), url and id fill the Article, anything else goes to `extra`
(publisher, source or site_name also give the outlet where `outlet` is missing).
Without an outlet in the metadata, the one the text states is taken (`corpus.outlet`:
a wire dateline "CITY (AFP) —" or a "Source: AFP" line).
Without front matter (or without a title in it) the raw-text rules in
`corpus.rawtext` find the title, byline and date and drop page furniture; with a
title in the front matter the body is taken as already clean. The body is plain text: Markdown
and HTML in it are kept exactly as written, never rendered or evaluated.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import yaml

from corpus.cleaning import join_paragraphs, normalise_spaces, split_paragraphs
from corpus.dates import normalise_date
from corpus.errors import CorpusError, one_line
from corpus.files import read_text
from corpus.outlet import outlet_field, stated_outlet
from corpus.rawtext import parse_raw
from corpus.records import Article, article_id_for

log = logging.getLogger(__name__)

class _FrontMatterLoader(yaml.SafeLoader):
    """YAML for front matter: a timestamp that is not a real date (2021-13-45) stays text,
    so the `published` check can name it, and aliases are refused (no self-referencing or
    exponentially expanding values)."""

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed",
                                              event.start_mark)
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node):  # noqa: ANN001, ANN201
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, TypeError, AttributeError, OverflowError):
            return self.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_yaml_timestamp)

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
FIELDS = ("title", "outlet", "author", "published", "url", "id")


def split_front_matter(text: str, name: str) -> tuple[dict, str]:
    """(front matter mapping, rest of the text); ({}, text) when there is none."""
    text = normalise_spaces(text)
    if not re.match(r"\A---[ \t]*\n", text):
        return {}, text
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        raise CorpusError(name, "front matter starts with '---' but has no closing '---' line")
    try:
        data = yaml.load(match["yaml"] or "", Loader=_FrontMatterLoader) or {}  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise CorpusError(name, f"front matter is not valid YAML{where}: {problem}") from None
    except (ValueError, TypeError, RecursionError) as err:  # a value PyYAML cannot build
        raise CorpusError(name, f"front matter is not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise CorpusError(name, "front matter must be 'key: value' lines")
    return {str(k): v for k, v in data.items()}, text[match.end():]


def field_text(value: object, key: str, name: str) -> str | None:
    """A front matter / JSON value as one line of text; lists (of authors) joined."""
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CorpusError(name, f"field '{key}' must be text, not {type(value).__name__}")
    return one_line(str(value)) or None


def json_safe(value: object) -> object:
    """Extra metadata made JSON-serialisable (YAML gives dates and other types)."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def article_from_text(text: str, *, name: str, location: str, fallback_title: str,
                      url: str | None = None) -> Article:
    """One Article from the text of a .txt/.md file (or a text/plain page)."""
    meta, body = split_front_matter(text, name)
    values = {key: field_text(meta.get(key), key, name) for key in FIELDS if key != "published"}
    raw_published = meta.get("published", meta.get("date"))
    try:
        published = normalise_date(raw_published)
    except ValueError as err:
        raise CorpusError(name, f"field 'published' is {err}") from None
    extra = {k: json_safe(v) for k, v in meta.items()
             if k not in FIELDS and not (k == "date" and "published" not in meta)}
    if values["title"]:
        paragraphs = split_paragraphs(body)
        if paragraphs and paragraphs[0].removeprefix("# ").strip() == values["title"]:
            paragraphs = paragraphs[1:]  # a heading repeating the title is not body text
    else:
        raw = parse_raw(body)
        paragraphs = raw.paragraphs
        values["title"] = raw.title or fallback_title
        values["author"] = values["author"] or raw.author
        values["outlet"] = values["outlet"] or raw.outlet
        published = published or raw.published
    stated, paragraphs = stated_outlet(paragraphs)
    values["outlet"] = values["outlet"] or outlet_field(meta) or stated
    body_text = join_paragraphs(paragraphs)
    if not body_text:
        raise CorpusError(name, "no article text (only a title or front matter)")
    return Article(
        id=values["id"] or article_id_for(location),
        title=values["title"],
        text=body_text,
        outlet=values["outlet"],
        author=values["author"],
        published=published,
        url=values["url"] or url,
        location=location,
        extra=extra,
    )


def read_text_file(path: Path, name: str) -> list[Article]:
    """The one article in a .txt or .md file."""
    location = str(path.resolve())
    article = article_from_text(read_text(path, name), name=name, location=location,
                                fallback_title=path.stem)
    log.debug("read %s: %r", name, article.title)
    return [article]
