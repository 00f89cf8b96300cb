"""The default corpus: the Markdown seeds match the raw originals and the gold quotes.

The raw originals and the gold set live outside the repository (../shared); these
tests are skipped where that folder is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpus import DEFAULT_CORPUS, read_source

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
RAW_SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold" / "seeds.jsonl"
_QUOTES_RE = re.compile("[\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb`]")


def normalise(text: str) -> str:
    """The gold README's matching: case folded, white space collapsed, quotes ignored."""
    return " ".join(_QUOTES_RE.sub("", text).casefold().split())


def seeds_by_title() -> dict:
    return {a.title: a for a in read_source(str(DEFAULT_CORPUS))}


@pytest.mark.skipif(not RAW_SEEDS.is_dir(), reason=f"raw seed articles not present at {RAW_SEEDS}")
def test_raw_seed_text_reads_the_same_as_the_markdown_seed():
    seeds = seeds_by_title()
    raw_files = sorted(RAW_SEEDS.glob("*.txt"))
    assert len(raw_files) == len(seeds) == 2
    for raw_file in raw_files:
        [raw] = read_source(str(raw_file))
        seed = seeds[raw.title]
        assert (raw.title, raw.author, raw.published, raw.outlet, raw.text) == (
            seed.title, seed.author, seed.published, seed.outlet, seed.text)


def test_seed_metadata():
    seeds = seeds_by_title()
    martyred = seeds["Seven Azerbaijani Servicemen Martyred in Latest Border Clashes with Armenia"]
    killed = seeds["7 Azerbaijani soldiers killed in clashes with Armenia"]
    assert (martyred.author, martyred.published, martyred.outlet) == ("Mushvig Mehdiyev", "2021-11-18", None)
    assert (killed.author, killed.published, killed.outlet) == (None, "2021-11-17T14:03:00", None)
    assert martyred.paragraphs[0].startswith("Seven servicemen of the Azerbaijan Armed Forces")
    assert killed.paragraphs[0].startswith("Seven Azerbaijani troops have been killed")
    for seed in (martyred, killed):
        assert seed.title not in seed.text
        assert "\u00a0" not in seed.text and "\n\n\n" not in seed.text
        assert "Newsroom logo" not in seed.text and "Sputnik" not in seed.text


@pytest.mark.skipif(not GOLD.is_file(), reason=f"gold set not present at {GOLD}")
def test_every_gold_quote_is_in_the_article_with_its_title():
    texts = {title: normalise(a.text) for title, a in seeds_by_title().items()}
    quotes = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        quotes += item["evidence"]
        quotes += [claim for conflict in item["conflicts"] for claim in conflict["claims"]]
    assert quotes
    missing = [q for q in quotes if normalise(q["quote"]) not in texts[q["title"]]]
    assert missing == []
