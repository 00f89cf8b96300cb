"""The outlet an article's own text states, for readers whose metadata does not give one.

Only what the text says explicitly is taken; nothing is guessed from style or topic:

1. A wire dateline opening the body: a place (and optionally a region or a date), the outlet
   in parentheses, then a dash: "WASHINGTON (Reuters) - ...", "KYIV, Ukraine (AP) — ...",
   "Baku, Nov 17 (AFP) – ...". The dateline stays in the text (it is part of the sentence).
2. A source line: "Source: AFP" (or "Sources:", "Via:"), alone on its line, as the first or
   the last paragraph of the body. It is metadata, not prose, so it leaves the text.

The outlet is one to five words starting with a capital or a digit ("RFE/RL", "20 Minutes"),
or one short lower-case name ("dpa"), and is not a photo credit, a time ("1430 GMT") or a URL.
"""

from __future__ import annotations

import re

_OUTLET = r"(?:[A-Z0-9][\w&.'’/\-]*(?:\s+[\w&.'’/\-]+){0,4}|[a-z]{2,6})"
# Place: capitalised words (upper-case datelines too), then up to two ", ..." parts (region, date).
_DATELINE_RE = re.compile(
    r"^[A-Z][\w.'’\-]*(?:\s+[\w.'’\-]+){0,3}(?:,\s*[\w.'’\-]+(?:\s+[\w.'’\-]+){0,3}){0,2}"
    rf"\s*\((?P<outlet>{_OUTLET})\)\s*[-–—]{{1,2}}\s*\S")
_SOURCE_LINE_RE = re.compile(rf"^(?:sources?|via)\s*:\s*(?P<outlet>{_OUTLET})\s*$", re.IGNORECASE)
_NOT_OUTLET_RE = re.compile(r"^(?:photo|image|picture|credit|file|video|update[d]?)\b|\d{3,}|\bGMT\b|"
                            r"://|^www\.", re.IGNORECASE)


def _checked(outlet: str | None) -> str | None:
    if not outlet:
        return None
    outlet = " ".join(outlet.split()).strip(" .-–—")
    return outlet if outlet and not _NOT_OUTLET_RE.search(outlet) else None


def source_line(line: str) -> str | None:
    """The outlet a "Source: X" line names, else None."""
    match = _SOURCE_LINE_RE.match(line.strip())
    return _checked(match["outlet"]) if match else None


def dateline(paragraph: str) -> str | None:
    """The outlet of a wire dateline opening `paragraph`, else None."""
    match = _DATELINE_RE.match(paragraph)
    return _checked(match["outlet"]) if match else None


def stated_outlet(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """(the outlet the body states, the paragraphs without a source line). A source line
    first or last in the body wins over a dateline; with neither, (None, paragraphs)."""
    if not paragraphs:
        return None, paragraphs
    for at in (0, -1):
        outlet = source_line(paragraphs[at])
        if outlet and len(paragraphs) > 1:
            rest = paragraphs[1:] if at == 0 else paragraphs[:-1]
            return outlet, rest
    return dateline(paragraphs[0]), paragraphs


# Metadata keys that name the outlet under another name (front matter, JSON records).
OUTLET_KEYS = ("publisher", "source", "site_name", "sitename", "site")


def outlet_field(meta: dict) -> str | None:
    """The outlet an other-named metadata field gives ("publisher: AFP"), not a URL."""
    for key in OUTLET_KEYS:
        value = meta.get(key)
        if isinstance(value, str) and (outlet := _checked(value)) and len(outlet.split()) <= 5:
            return outlet
    return None


def with_stated_outlet(outlet: str | None, text: str) -> tuple[str | None, str]:
    """(`outlet`, or else the one the text states; the text without a source line)."""
    stated, paragraphs = stated_outlet(text.split("\n\n"))
    return outlet or stated, "\n\n".join(paragraphs)
