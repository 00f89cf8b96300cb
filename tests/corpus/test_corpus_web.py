"""URLs and feeds against a real http.server on 127.0.0.1 (no mocks, no internet)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from corpus import CorpusError, article_id_for, read_source, read_sources

BODY = ("Seven servicemen were killed in clashes on the border on Tuesday, the defence ministry said "
        "in a statement. Ten more were wounded, according to the ministry, which blamed the other "
        "side for starting the fighting along the shared border in the evening.")


def article_page(title: str, meta: str = "") -> bytes:
    return (f"<!DOCTYPE html><html><head><title>{title}</title>{meta}</head><body>"
            f"<nav><a href='/'>Home</a> <a href='/world'>World news menu</a></nav>"
            f"<article><h1>{title}</h1><p>{BODY}</p><p>Second paragraph of {title}, "
            f"with more words so that the extractor keeps it as article text.</p></article>"
            f"<footer>Copyright Example News, all rights reserved.</footer></body></html>").encode()


def rss(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example Wire</title><link>{base}/</link>
<item><title>Entry one title</title><link>{base}/one.html</link>
  <author>one@example.org (Feed Author)</author><pubDate>Wed, 17 Nov 2021 14:03:00 +0400</pubDate></item>
<item><title>Missing page</title><link>{base}/gone.html</link></item>
<item><title>Entry two title</title><link>{base}/two.html</link></item>
</channel></rss>""".encode()


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Daily</title><id>urn:x</id>
<updated>2021-11-18T10:00:00Z</updated>
<entry><title>Atom entry</title><link href="/bare.html"/><id>urn:1</id>
  <updated>2021-11-18T10:00:00Z</updated><author><name>Atom Writer</name></author></entry>
<entry><title>Plain entry</title><link href="/plain.txt"/><id>urn:2</id>
  <updated>2021-11-18T11:00:00Z</updated></entry>
</feed>"""


def routes(base: str) -> dict[str, tuple[int, str, bytes]]:
    meta = ('<meta name="author" content="Page Author">'
            '<meta property="article:published_time" content="2021-11-16T09:00:00Z">'
            '<meta property="og:site_name" content="Example News">')
    return {
        "/story.html": (200, "text/html; charset=utf-8", article_page("Page story", meta)),
        "/one.html": (200, "text/html", article_page("Page one", meta)),
        "/two.html": (200, "text/html", article_page("Page two")),
        "/bare.html": (200, "text/html", article_page("")),
        "/plain.txt": (200, "text/plain; charset=utf-8",
                       "Plain Headline\n\nBy Pat Doe\n\nPlain\u00a0 body text.\n".encode()),
        "/latin1.html": (200, "text/html; charset=iso-8859-1", article_page("Caf\u00e9").replace(
            b"Caf\xc3\xa9", b"Caf\xe9")),
        "/feed.rss": (200, "application/rss+xml", rss(base)),
        "/feed.atom": (200, "application/xml", ATOM),  # recognised by sniffing
        "/feed.txt": (200, "text/plain", ATOM),  # misconfigured server: still a feed
        "/image.png": (200, "image/png", b"\x89PNG\r\n\x1a\n"),
        "/empty.html": (200, "text/html", b""),
        "/broken.html": (500, "text/html", b"oops"),
        "/huge.html": (200, "text/html", b"<p>" + b"x" * (5 * 1024 * 1024 + 10)),
        "/data.xml": (200, "application/xml", b"<?xml version='1.0'?><catalog><book/></catalog>"),
    }


class Handler(BaseHTTPRequestHandler):
    table: dict[str, tuple[int, str, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, content_type, body = self.table.get(self.path, (404, "text/html", b"not found"))
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (size cap): expected

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.table = routes(base)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()


def test_url_page(server):
    url = f"{server}/story.html"
    [article] = read_source(url)
    assert (article.title, article.author, article.outlet) == ("Page story", "Page Author", "Example News")
    assert article.published == "2021-11-16T09:00:00+00:00"
    assert article.url == article.location == url
    assert article.id == article_id_for(url)
    assert article.paragraphs[0] == BODY
    assert "Home" not in article.text and "Copyright" not in article.text


def test_url_plain_text_and_declared_charset(server):
    [plain] = read_source(f"{server}/plain.txt")
    assert (plain.title, plain.author, plain.text) == ("Plain Headline", "Pat Doe", "Plain body text.")
    [latin] = read_source(f"{server}/latin1.html")
    assert latin.title == "Caf\u00e9"


def test_rss_feed_fetches_entries_and_keeps_going(server):
    articles, errors = read_sources([f"{server}/feed.rss"])
    one, two = articles
    assert (one.title, one.author, one.url) == ("Page one", "Page Author", f"{server}/one.html")
    assert one.extra["feed"] == f"{server}/feed.rss"
    # The page lacks author and date: the entry's are used; the outlet is the feed's title.
    assert (two.title, two.author, two.outlet) == ("Page two", None, "Example Wire")
    assert [str(e) for e in errors] == [
        f"{server}/gone.html: server answered 404 Not Found (entry 2 of feed {server}/feed.rss)"]
    with pytest.raises(CorpusError, match="gone.html"):
        read_source(f"{server}/feed.rss")


def test_rss_entry_metadata_fills_page_gaps(server):
    Handler.table["/one-bare.rss"] = (200, "application/rss+xml", f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Wire</title>
<item><title>Entry title</title><link>{server}/bare.html</link>
<author>x@example.org (Feed Author)</author><pubDate>Wed, 17 Nov 2021 14:03:00 +0400</pubDate></item>
</channel></rss>""".encode())
    [article] = read_source(f"{server}/one-bare.rss")
    assert article.title == "Entry title"
    assert article.author == "Feed Author"
    assert article.published == "2021-11-17T14:03:00+04:00"


def test_atom_feed_sniffed_with_relative_links(server):
    bare, plain = read_source(f"{server}/feed.atom")
    assert (bare.title, bare.author, bare.published, bare.outlet) == (
        "Atom entry", "Atom Writer", "2021-11-18T10:00:00+00:00", "Atom Daily")
    assert bare.location == f"{server}/bare.html"
    assert (plain.title, plain.author, plain.text) == ("Plain Headline", "Pat Doe", "Plain body text.")
    assert [a.location for a in read_source(f"{server}/feed.txt")] == [bare.location, plain.location]


@pytest.mark.parametrize(("path", "problem"), [
    ("/missing.html", "server answered 404 Not Found"),
    ("/broken.html", "server answered 500"),
    ("/image.png", "not a text page (content type image/png)"),
    ("/empty.html", "server sent an empty page"),
    ("/huge.html", "page larger than 5 MB"),
    ("/data.xml", "XML that is not an RSS or Atom feed"),
])
def test_url_errors(server, path, problem):
    url = server + path
    articles, errors = read_sources([url])
    assert articles == [] and len(errors) == 1
    assert str(errors[0]).startswith(f"{url}: {problem}")
    assert "\n" not in str(errors[0])


def test_connection_refused():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x.html"
    with pytest.raises(CorpusError) as caught:
        read_source(url)
    assert str(caught.value) == f"{url}: could not connect (connection refused)"


def test_server_that_never_answers():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)  # accepts the connection in the kernel, never replies
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/slow.html"
        with pytest.raises(CorpusError) as caught:
            read_source(url, timeout=0.3)
    assert str(caught.value) == f"{url}: no answer from the server within 0.3 s"
