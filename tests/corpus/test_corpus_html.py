"""HTML files: trafilatura finds title, author, date and the article text, not the chrome."""

from __future__ import annotations

import pytest

from corpus import CorpusError, article_id_for, read_source

PARAGRAPHS = [
    "Seven servicemen were killed in clashes on the border on Tuesday, the defence ministry "
    "said in a statement issued late in the evening.",
    "Ten more were wounded, according to the ministry, which blamed the other side for "
    "starting the fighting along the shared border.",
    "A ceasefire brokered by Russia was reached later that day, officials in both capitals "
    "said, though each accused the other of violations.",
]


def page(head: str = "", byline: str = "") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Border clashes leave seven dead | Example News</title>{head}
<script>document.title = "hacked"; fetch("http://127.0.0.1:9/steal");</script>
<style>body {{ color: red }}</style></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/subscribe">Subscribe now</a></nav>
<header><div class="logo">Example News</div></header>
<article><h1>Border clashes leave seven dead</h1>{byline}
{body}
</article>
<aside><h3>Most read</h3><ul><li><a href="/x">Celebrity gossip roundup</a></li></ul></aside>
<footer><p>Copyright 2021 Example News. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


HEAD = """
<meta property="og:site_name" content="Example News">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2021-11-17T14:03:00+04:00">"""


def test_html_metadata_and_main_text(tmp_path):
    path = tmp_path / "story.html"
    path.write_text(page(HEAD), encoding="utf-8")
    [article] = read_source(str(path))
    assert article.title == "Border clashes leave seven dead"
    assert article.author == "Jane Reporter"
    assert article.published == "2021-11-17T14:03:00+04:00"
    assert article.outlet == "Example News"
    assert article.text == "\n\n".join(PARAGRAPHS)
    assert article.id == article_id_for(str(path.resolve()))
    for boilerplate in ("Home", "Subscribe", "Copyright", "Privacy", "Celebrity", "hacked", "color"):
        assert boilerplate not in article.text


def test_html_byline_and_date_only(tmp_path):
    path = tmp_path / "story.htm"
    path.write_text(page('\n<meta name="date" content="2021-11-17">',
                         '<p class="byline">By <span class="author">Jane Reporter</span></p>'),
                    encoding="utf-8")
    [article] = read_source(str(path))
    assert article.author == "Jane Reporter"
    assert article.published == "2021-11-17"
    assert article.outlet is None  # the page does not name its site in metadata
    assert article.paragraphs == PARAGRAPHS


def test_html_without_article_text(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>Nothing</title></head><body><nav>Home</nav></body></html>",
                    encoding="utf-8")
    with pytest.raises(CorpusError, match=r"empty\.html: no article text"):
        read_source(str(path))
