"""HTML articles (.html, .htm, web pages) through trafilatura, offline.

trafilatura finds the main text and drops navigation, footers and other boilerplate;
it also reads title, author, date and site name from meta tags, JSON-LD and bylines.
It is given the HTML only (never asked to fetch) and nothing in the page is executed.
A publication time in the page's meta tags is kept, since trafilatura keeps dates only.
"""

from __future__ import annotations

import logging
from pathlib import Path

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.metadata import META_URL

from corpus.cleaning import lines_as_paragraphs
from corpus.dates import parse_date
from corpus.errors import CorpusError, one_line
from corpus.files import read_text
from corpus.outlet import with_stated_outlet
from corpus.records import Article, article_id_for

log = logging.getLogger(__name__)

_PUBLISHED_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@name="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//meta[@name="pubdate" or @name="publishdate" or @name="date"]/@content',
    '//*[@itemprop="datePublished"]/@datetime',
    "//article//time/@datetime",
    "//time[@pubdate]/@datetime",
)

# Page chrome that is never article text; pruned before extraction so that trafilatura's
# fallback extractors cannot pick up a menu when a page has little else.
_CHROME_XPATHS = (
    "//nav", "//footer", "//aside",
    '//*[@role="navigation" or @role="contentinfo" or @role="complementary" or @role="banner"]',
)


def _published_with_time(page: str) -> str | None:
    """A full publication datetime from meta tags, if the page gives one with a time."""
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, etree.ParserError):
        return None
    for xpath in _PUBLISHED_XPATHS:
        for value in tree.xpath(xpath):
            iso = parse_date(str(value))
            if iso:
                return iso
    return None


def _outlet(sitename: str | None, url: str | None) -> str | None:
    """The site name the page gives, but not one trafilatura only made up from the URL."""
    if not sitename:
        return None
    from_url = META_URL.match(url or "")
    if from_url and from_url[1] == sitename:
        return None
    return one_line(sitename)


def article_from_html(page: str, *, name: str, location: str, url: str | None = None,
                      fallback_title: str | None = None) -> Article:
    """One Article from an HTML page; `fallback_title` if the page has none."""
    doc = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False,
                                      include_tables=True, include_images=False,
                                      prune_xpath=list(_CHROME_XPATHS))
    text = lines_as_paragraphs(doc.text or "") if doc is not None else ""
    if not text:
        raise CorpusError(name, "no article text found in the page")
    published = _published_with_time(page) or parse_date(doc.date or "")
    title = one_line(doc.title or "") or fallback_title
    if not title:
        raise CorpusError(name, "page has no title")
    head, _, rest = text.partition("\n\n")
    if head == title and rest:
        text = rest  # the page's headline repeated as the first paragraph
    outlet, text = with_stated_outlet(_outlet(doc.sitename, url), text)
    return Article(
        id=article_id_for(location),
        title=title,
        text=text,
        outlet=outlet,
        author=one_line(doc.author or "") or None,
        published=published,
        url=url,
        location=location,
        extra={k: v for k, v in {"description": doc.description}.items() if v},
    )


def read_html_file(path: Path, name: str) -> list[Article]:
    """The one article in an .html/.htm file."""
    page = read_text(path, name)
    return [article_from_html(page, name=name, location=str(path.resolve()),
                              fallback_title=path.stem)]

