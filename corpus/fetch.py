"""HTTP fetching for the web reader: a timeout, a size cap and text content types only.

Kept apart from article building so that every way a URL can fail (refused, silent,
4xx/5xx, binary, huge, wrongly encoded) is decided in one place, as one clear line.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import requests

from corpus.errors import CorpusError
from corpus.files import decode_text

MAX_BYTES = 5 * 1024 * 1024
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
