"""Articles from http(s) URLs: one page, or an RSS/Atom feed whose entry links are fetched.

Feeds are recognised by content type or by sniffing the first bytes (see
`corpus.fetch.Page.is_feed`), parsed with feedparser, and each entry's link is
fetched; an entry that fails becomes an error and the others are kept. The entry's
title, author and date, and the feed's title as outlet, fill what its page lacks.
"""

from __future__ import annotations

import dataclasses
import io
import logging
from urllib.parse import urljoin, urlparse

import feedparser

from corpus.dates import parse_date
from corpus.errors import CorpusError, one_line
from corpus.fetch import XML_TYPES, Page, fetch
from corpus.html import article_from_html
from corpus.records import Article
from corpus.text import article_from_text

log = logging.getLogger(__name__)

MAX_FEED_ENTRIES = 100


def article_from_page(page: Page, defaults: dict | None = None) -> Article:
    """One Article from a fetched HTML or plain-text page; location = url = the URL.

    `defaults` (from a feed entry) fill the title, author, published and outlet the
    page itself does not give.
    """
    defaults = defaults or {}
    fallback_title = defaults.get("title") or page.url
    if page.mime in XML_TYPES:
        raise CorpusError(page.url, "XML that is not an RSS or Atom feed")
    if page.mime == "text/plain":
        article = article_from_text(page.text(), name=page.url, location=page.url,
                                    fallback_title=fallback_title, url=page.url)
    else:
        article = article_from_html(page.text(), name=page.url, location=page.url,
                                    url=page.url, fallback_title=fallback_title)
    missing = {k: v for k, v in defaults.items()
               if k in ("author", "published", "outlet") and v and not getattr(article, k)}
    return dataclasses.replace(article, **missing) if missing else article


def _entry_defaults(entry: dict, feed_title: str | None) -> dict:
    published = parse_date(entry.get("published") or entry.get("updated") or "")
    author = (entry.get("author_detail") or {}).get("name") or entry.get("author") or ""
    return {"title": one_line(entry.get("title") or "") or None,
            "author": one_line(author) or None,
            "published": published, "outlet": feed_title}


def read_feed(page: Page, timeout: float) -> tuple[list[Article], list[CorpusError]]:
    """Fetch every entry link of an RSS/Atom feed; failed entries become errors."""
    parsed = feedparser.parse(io.BytesIO(page.data),  # a stream: feedparser never fetches
                              response_headers={"content-location": page.url})
    if not parsed.entries:
        problem = "feed has no entries" if not parsed.bozo else "not a valid RSS or Atom feed"
        return [], [CorpusError(page.url, problem)]
    feed_title = one_line(parsed.feed.get("title") or "") or None
    articles: list[Article] = []
    errors: list[CorpusError] = []
    seen: set[str] = set()
    for number, entry in enumerate(parsed.entries[:MAX_FEED_ENTRIES], start=1):
        link = urljoin(page.url, entry.get("link") or "")
        if not entry.get("link") or urlparse(link).scheme not in ("http", "https"):
            errors.append(CorpusError(page.url, f"feed entry {number} has no http(s) link"))
            continue
        if link in seen:
            continue
        seen.add(link)
        try:
            entry_page = fetch(link, timeout)
            if entry_page.is_feed:
                raise CorpusError(link, "entry link is another feed, not an article")
            article = article_from_page(entry_page, _entry_defaults(entry, feed_title))
            articles.append(dataclasses.replace(article, extra={**article.extra, "feed": page.url}))
        except CorpusError as err:
            errors.append(CorpusError(err.source, f"{err.problem} (entry {number} of feed "
                                                  f"{page.url})"))
    if len(parsed.entries) > MAX_FEED_ENTRIES:
        log.warning("%s: read the first %d of %d entries", page.url, MAX_FEED_ENTRIES,
                    len(parsed.entries))
    return articles, errors


def read_url(url: str, timeout: float = 10.0) -> tuple[list[Article], list[CorpusError]]:
    """The article at `url`, or the articles of the feed at `url`."""
    page = fetch(url, timeout)
    if page.is_feed:
        return read_feed(page, timeout)
    return [article_from_page(page)], []
