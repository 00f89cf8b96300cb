"""Articles from http(s) URLs: one page, or an RSS/Atom feed whose entry links are fetched.

Pages are fetched with `requests` under a timeout and a size cap, and only text
content types are accepted, so a wrong URL fails fast with one clear line. Feeds are
recognised by content type or by sniffing the first bytes, parsed with feedparser,
and each entry's link is fetched; an entry that fails becomes an error and the others
are kept. The entry's title, author and date fill what its page lacks.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse

import feedparser
import requests

from corpus.dates import parse_date
from corpus.errors import CorpusError, one_line
from corpus.files import decode_text
from corpus.html import article_from_html
from corpus.records import Article
from corpus.text import article_from_text

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_FEED_ENTRIES = 100
HEADERS = {
    "User-Agent": "news-qa-corpus/1.0",
    "Accept": "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
              "application/xml;q=0.9, text/plain;q=0.8",
}
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
XML_TYPES = {"application/xml", "text/xml"}
HTML_TYPES = {"text/html", "application/xhtml+xml"}
_FEED_SNIFF_RE = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
_HTML_SNIFF_RE = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class Page:
    """A fetched response body and what the server said it is."""

    url: str
    data: bytes
    mime: str
    charset: str | None

    @property
    def is_feed(self) -> bool:
        if self.mime in FEED_TYPES:
            return True
        head = self.data[:2048]
        sniffable = self.mime in XML_TYPES or self.mime in ("", "text/plain")
        return sniffable and head.lstrip().startswith((b"<", b"\xef\xbb\xbf<")) \
            and bool(_FEED_SNIFF_RE.search(head)) and not _HTML_SNIFF_RE.search(head)

    def text(self) -> str:
        """The body decoded by the declared (header or meta) charset, else as UTF-8."""
        charset = self.charset
        if not charset and self.mime in HTML_TYPES:
            match = _META_CHARSET_RE.search(self.data[:4096])
            charset = match[1].decode("ascii") if match else None
        if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
            try:
                return self.data.decode(charset)
            except (LookupError, UnicodeDecodeError):
                raise CorpusError(self.url, f"page is not valid {charset} text") from None
        return decode_text(self.data, self.url)


def _is_text_type(mime: str) -> bool:
    return not mime or mime.startswith("text/") or mime in FEED_TYPES | XML_TYPES | HTML_TYPES


def _request_problem(err: requests.RequestException, timeout: float) -> str:
    """One line saying why a request failed, for someone who only typed a URL."""
    detail = str(err).lower()
    if isinstance(err, requests.Timeout) or "timed out" in detail:
        return f"no answer from the server within {timeout:g} s"
    if isinstance(err, requests.ConnectionError):
        if "refused" in detail:
            return "could not connect (connection refused)"
        if "resolve" in detail or "name or service" in detail or "nodename" in detail:
            return "could not connect (host name not found)"
        return "could not connect to the server"
    if isinstance(err, requests.TooManyRedirects):
        return "too many redirects"
    if isinstance(err, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return "not a valid http(s) URL"
    return f"could not fetch ({type(err).__name__})"


def fetch(url: str, timeout: float) -> Page:
    """The body of `url` if it is text under MAX_BYTES; CorpusError otherwise."""
    try:
        with requests.get(url, timeout=timeout, stream=True, headers=HEADERS) as response:
            if response.status_code >= 400:
                raise CorpusError(url, f"server answered {response.status_code} "
                                       f"{response.reason or ''}".rstrip())
            content_type = response.headers.get("Content-Type", "")
            mime = content_type.split(";")[0].strip().lower()
            if not _is_text_type(mime):
                raise CorpusError(url, f"not a text page (content type {mime})")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise CorpusError(url, f"page larger than {MAX_BYTES // (1024 * 1024)} MB")
            data = _read_capped(response, url, deadline=time.monotonic() + 3 * timeout)
            charset = response.encoding if "charset=" in content_type.lower() else None
    except requests.RequestException as err:
        raise CorpusError(url, _request_problem(err, timeout)) from None
    if not data.strip():
        raise CorpusError(url, "server sent an empty page")
    return Page(url=url, data=data, mime=mime, charset=charset)


def _read_capped(response: requests.Response, url: str, deadline: float) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise CorpusError(url, f"page larger than {MAX_BYTES // (1024 * 1024)} MB")
        if time.monotonic() > deadline:
            raise CorpusError(url, "server too slow sending the page")
        chunks.append(chunk)
    return b"".join(chunks)


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
