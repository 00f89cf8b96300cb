"""Text clean-up shared by every reader: spaces, line ends and paragraphs.

Readers hand over text in many shapes; `Article.text` always has one shape:
paragraphs separated by exactly one blank line ("\\n\\n"), no non-breaking spaces
(a run of spaces holding one becomes a single space), no trailing spaces. Words,
quotes, apostrophes and other spacing (e.g. aligned code in Markdown) are kept.
"""

from __future__ import annotations

import re

# No-break space, figure space, narrow no-break space, with any plain spaces around them.
_NBSP_RE = re.compile("[ \t]*[\u00a0\u2007\u202f][ \t\u00a0\u2007\u202f]*")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n\s*")


def normalise_spaces(text: str) -> str:
    """Unify line ends, turn non-breaking spaces into plain ones, drop a BOM."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return _NBSP_RE.sub(" ", text)


def tidy_paragraph(paragraph: str) -> str:
    """Strip trailing spaces from each line and blank edges from the paragraph."""
    lines = [line.rstrip() for line in paragraph.split("\n")]
    return "\n".join(lines).strip()


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a text whose paragraphs are separated by blank lines."""
    parts = _BLANK_LINE_RE.split(normalise_spaces(text))
    return [p for p in (tidy_paragraph(part) for part in parts) if p]


def join_paragraphs(paragraphs: list[str]) -> str:
    """The `Article.text` form: paragraphs joined by exactly one blank line."""
    return "\n\n".join(p for p in (tidy_paragraph(q) for q in paragraphs) if p)


def lines_as_paragraphs(text: str) -> str:
    """For extractors that put one paragraph per line (trafilatura's text output)."""
    return join_paragraphs(normalise_spaces(text).split("\n"))
