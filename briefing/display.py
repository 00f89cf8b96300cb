"""Article text made fit to show on any surface: the page, the briefings, the API card, the terminal.

The stored text is never changed; these functions only shape what a reader sees.

- Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069)
  are dropped, so a quote shows its characters in the order they are stored: an
  article cannot make "01" display as "10" or turn a source line around.
- A name is shortened at a word, never mid-word ("Seven soldiers killed in…").
"""

from __future__ import annotations

import re

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
ELLIPSIS = "…"


def display_text(text: object) -> str:
    """The text with its bidirectional controls removed; None becomes ''."""
    return BIDI_CONTROLS.sub("", "" if text is None else str(text))


def shorten(text: object, limit: int = 60) -> str:
    """The text on one line, at most `limit` characters, cut at a word with an ellipsis.

    A first word longer than `limit` has no word boundary to cut at; only then is the
    word itself cut."""
    words = display_text(text).split()
    line = " ".join(words)
    if len(line) <= limit:
        return line
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word])) + len(ELLIPSIS) > limit:
            break
        kept.append(word)
    if not kept:
        return words[0][: max(1, limit - len(ELLIPSIS))] + ELLIPSIS
    return " ".join(kept).rstrip(",;:—–-") + ELLIPSIS
