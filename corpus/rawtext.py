"""Raw article text (copied from a web page, no front matter) to title, byline, date, body.

The header is every line before the body starts. Rules, applied to header lines in order:

1. Page furniture is dropped: "Last update: <date>" / "Updated: <date>" (the page's, not
   the article's date), "<Name> logo" (at most three words before "logo"), a lone
   "None" / "null" / "undefined" (an empty field of the page), separator-only lines.
   The lone-value, logo and separator lines are dropped from the body too: they are
   never prose.
2. "By <author> [<date>]" is the byline; a date at its end is the publication date.
3. A line that is only a date (a weekday, a time and "|" separators allowed), or
   "Published: <date>", gives the publication date.
4. The first other line that reads like a headline (at most 30 words, not ending in
   ".", ",", ";" or ":", also not before a closing quote) is the title; a Markdown
   "# " is taken off it. Without one, the caller's fallback title (the file name) is used.
5. Captions: a paragraph explicitly marked as a caption, i.e. starting with "Caption:",
   "Photo:", "Image:" or "Picture:", is kept as its own paragraph, marker included,
   wherever it stands. An unmarked line between the title and the body that ends in a
   photo credit (" / Name / Agency", or a parenthesised "(Photo ...)") is caption
   furniture of the page layout and is dropped.
6. "Source: <outlet>" (or "Via: <outlet>") names the outlet (`corpus.outlet`).
7. The first line that is none of the above starts the body. Nothing else is inferred about
   the outlet: it is None unless the text names it (here, or in the body: `corpus.outlet`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.cleaning import split_paragraphs
from corpus.dates import TRAILING_DATE_RE, parse_date
from corpus.outlet import source_line

_LONE_VALUE_RE = re.compile(r"^(?:none|null|undefined|nan)$", re.IGNORECASE)
_LOGO_RE = re.compile(r"^(?:\S+\s+){0,3}logo$", re.IGNORECASE)
_SEPARATORS_RE = re.compile(r"^[|•·\-–—_*=~\s]+$")
_UPDATED_RE = re.compile(r"^(?:last\s+)?updated?\s*(?:on)?\s*:?\s*(?P<date>.+)$", re.IGNORECASE)
_PUBLISHED_RE = re.compile(r"^(?:published|posted|date)\s*(?:on)?\s*:\s*(?P<date>.+)$",
                           re.IGNORECASE)
_BYLINE_RE = re.compile(r"^by\s+(?P<rest>\S.*)$", re.IGNORECASE)
# One to eight words, starting with a capital, not ending a sentence ("Jr." and initials may).
_NAME_RE = re.compile(r"^[A-Z\u00c0-\u00de]\S*(?:\s+\S+){0,7}$(?<![!?])(?<!\w{4}\.)")
_MARKED_CAPTION_RE = re.compile(r"^(?:caption|photo|image|picture)\s*:", re.IGNORECASE)
_CREDIT_RE = re.compile(
    r"(?:\s/\s[^/]{1,60}\s/\s[^/]{1,60}$)|(?:\((?:photo|image|picture|credit)[^()]*\)$)",
    re.IGNORECASE)
_SEPARATOR_CHARS = " \t,;|-–—•·"
MAX_HEADER_LINES = 12
MAX_TITLE_WORDS = 30


@dataclass
class RawParts:
    """What the header rules found, and the body paragraphs."""

    title: str | None = None
    author: str | None = None
    published: str | None = None
    outlet: str | None = None
    paragraphs: list[str] = field(default_factory=list)


def is_furniture(line: str) -> bool:
    """Lines that are never prose: empty page fields, logos, separator rows."""
    line = line.strip()
    return bool(_LONE_VALUE_RE.match(line) or _LOGO_RE.match(line) or _SEPARATORS_RE.match(line))


def _byline(line: str) -> tuple[str | None, str | None] | None:
    """(author, published) for a "By ..." line, else None."""
    match = _BYLINE_RE.match(line)
    if not match or len(line.split()) > 20:
        return None
    rest, published = match["rest"], None
    date = TRAILING_DATE_RE.search(rest)
    if date:
        published = parse_date(date["date"])
        if published:
            rest = rest[: date.start()]
    author = rest.strip(_SEPARATOR_CHARS) or None
    if author and not _NAME_RE.match(author):
        return None  # "By noon, the crowd had grown." is prose, not a byline
    return author, published


def _date_line(line: str) -> str | None:
    """The ISO date of a line that is only a date (or "Published: <date>")."""
    match = _PUBLISHED_RE.match(line)
    candidate = match["date"] if match else line
    if len(candidate.split()) > 12:
        return None
    return parse_date(candidate.strip(_SEPARATOR_CHARS))


def _headline(line: str) -> str | None:
    line = line.removeprefix("# ").strip() if line.startswith("# ") else line
    words = line.split()
    if not words or len(words) > MAX_TITLE_WORDS or line.rstrip("\"'\u201d\u2019\u00bb)")[-1:] in ".,;:":
        return None
    return line


def parse_raw(text: str) -> RawParts:
    """Split raw article text into header fields and body paragraphs (see module rules)."""
    blocks = split_paragraphs(text)
    parts = RawParts()
    kept: list[str] = []  # marked captions met in the header
    seen = 0
    for b, block in enumerate(blocks):
        lines = block.split("\n")
        for i, line in enumerate(lines):
            seen += 1
            if seen > MAX_HEADER_LINES:
                return _finish(parts, kept, ["\n".join(lines[i:]), *blocks[b + 1:]])
            updated = _UPDATED_RE.match(line)
            if is_furniture(line) or (updated and parse_date(updated["date"])):
                continue
            byline = _byline(line) if parts.author is None else None
            if byline:
                parts.author = byline[0]
                parts.published = parts.published or byline[1]
                continue
            outlet = source_line(line) if parts.outlet is None else None
            if outlet:
                parts.outlet = outlet
                continue
            published = _date_line(line) if parts.published is None else None
            if published:
                parts.published = published
                continue
            if _MARKED_CAPTION_RE.match(line):
                kept.append("\n".join(lines[i:]))
                break
            if parts.title is None and (title := _headline(line)):
                parts.title = title
                continue
            if parts.title is not None and _CREDIT_RE.search(line):
                continue
            return _finish(parts, kept, ["\n".join(lines[i:]), *blocks[b + 1:]])
    return _finish(parts, kept, [])


def _finish(parts: RawParts, kept: list[str], body: list[str]) -> RawParts:
    parts.paragraphs = [*kept, *(p for p in body if p.strip() and not is_furniture(p))]
    if parts.title is not None and not parts.paragraphs:
        # A lone headline-like paragraph is the text itself, not a title over nothing.
        parts.paragraphs, parts.title = [parts.title], None
    return parts
