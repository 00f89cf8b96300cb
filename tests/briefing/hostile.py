"""A hostile article for every surface's tests: a 3,000-character word, bidirectional
overrides that would show "01" as "10", and Markdown/maths/markup characters."""

from __future__ import annotations

from corpus.records import Article

LONG_WORD = "Harbourmaster" + "x" * 2987  # 3,000 characters, no break anywhere
RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# Each sentence answers one question; the stored sentences keep every character.
SHIPS = f"The port authority said 37 cargo ships were delayed by the storm at {LONG_WORD} quay."
VESSELS = f"Inspectors said {RLO}01{PDF} fishing vessels sank in the harbour {RLI}overnight{PDI}."
REFUNDS = ("Officials promised refunds of $5 and $6 million, :red[urgent] ==now== ^soon^ ~later~ "
           "{.big} %%note%% #harbour @mayor **bold** _it_ `code` [x](https://evil.example) <b>hi</b> &amp; done.")

SHIPS_Q = "How many cargo ships were delayed by the storm?"
VESSELS_Q = "How many fishing vessels sank in the harbour?"
REFUNDS_Q = "What refunds did the officials promise?"

TITLE = f"Storm at the {RLO}rabrah{PDF} $1 report"
TEXT = f"{SHIPS}\n\n{VESSELS}\n\n{REFUNDS}"

FRONT_MATTER = f"""---
title: "{TITLE}"
outlet: "Harbour {RLO}semiT{PDF} Gazette"
published: "2024-06-01"
---

{TEXT}
"""


def hostile_article() -> Article:
    return Article(id="hostile-harbour", title=TITLE, text=TEXT, outlet=f"Harbour {RLO}semiT{PDF} Gazette",
                   published="2024-06-01", location="test://hostile-harbour")


def without_bidi(text: str) -> str:
    return "".join(ch for ch in text if ch not in BIDI)
