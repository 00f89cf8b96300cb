"""Tokens for lexical search: folded, stemmed, and grouped by spelling variant.

Transliterated place names come in several spellings (Tchaikovsky / Tschaikowsky). A token's
`skeleton` (its consonants, after the first letter) puts such variants in one group,
and a query token is expanded to the indexed tokens of its group that are within a
small edit distance, so either spelling finds both.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from index.nltk_light import nltk_module

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# NLTK's Snowball stemmer, loaded without the rest of NLTK (which would pull SciPy and scikit-learn).
_STEMMER = nltk_module("nltk.stem.snowball").SnowballStemmer("english")

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves also said says say according
""".split())


def fold(text: str) -> str:
    """Lower-case, accents removed, curly apostrophes made straight."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("’", "'").casefold()


def words(text: str) -> list[str]:
    """The words of `text`, folded; possessive 's dropped, hyphenated parts kept apart."""
    out = []
    for match in _WORD.finditer(fold(text)):
        word = match.group(0)
        if word.endswith("'s"):
            word = word[:-2]
        out.extend(part for part in re.split(r"[-']", word) if part)
    return out


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stem(word) if word.isalpha() else word


def tokens(text: str) -> list[str]:
    """Stemmed content tokens of `text` for BM25."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def skeleton(token: str) -> str:
    """First letter plus the consonants after it, doubled letters collapsed."""
    if len(token) < 5 or not token.isalpha():
        return token
    rest = re.sub(r"[aeiouy]", "", token[1:])
    return token[0] + re.sub(r"(.)\1+", r"\1", rest)


def is_variant(a: str, b: str) -> bool:
    """Two spellings of one name: same skeleton and nearly the same letters."""
    return a == b or (skeleton(a) == skeleton(b) and SequenceMatcher(None, a, b).ratio() >= 0.8)
