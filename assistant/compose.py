"""From hits to an Answer: pick what is quoted, decide whether it answers at all.

Nothing is written here: the lead is one or two retrieved sentences, verbatim. The
question's focus terms (content words) must each be spoken to by the retrieved
passages, else the assistant abstains and shows the passages as related only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.lexicon import covers, essential_terms, focus_terms, passage_stems
from assistant.retrieval import Hit

_NUMBER = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|"
    r"hundreds?|thousands?|several|few)\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d[\d,.:]*\d|\d")
_TIME = re.compile(
    r"\b(\d{1,2}:\d{2}|\d{4}|gmt|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"yesterday|today|morning|evening|night|week|month|year)\b", re.IGNORECASE)


@dataclass
class Judged:
    """A hit with what it covers of the question."""

    hit: Hit
    context: str
    sentence_terms: list[str]  # focus terms the sentence itself speaks to
    window_terms: list[str]  # focus terms the sentence, its neighbours or its title speak to
    rank_score: float


def expected_type(question: str) -> re.Pattern[str] | None:
    q = question.casefold()
    if re.search(r"\bhow (many|much|long|far|big|large|old|high)\b|\bnumber of\b", q):
        return _NUMBER
    if re.search(r"\bwhen\b|\bwhat time\b|\bwhat date\b", q):
        return _TIME
    return None


def judge(question: str, hits: list[Hit], contexts: dict[int, str]) -> tuple[list[str], list[Judged]]:
    """Score each hit by retrieval rank and by how much of the question it covers."""
    terms = focus_terms(question)
    wanted = expected_type(question)
    top = max((h.score for h in hits), default=1.0) or 1.0
    numbers = set(_DIGITS.findall(question))
    judged = []
    for hit in hits:
        context = contexts.get(hit.sentence.id, hit.sentence.text)
        sentence_stems = passage_stems(hit.sentence.text)
        window_stems = passage_stems(context + " " + hit.article.title)
        in_sentence = [t for t in terms if covers(t, sentence_stems)]
        in_window = [t for t in terms if covers(t, window_stems)]
        share = (len(in_sentence) / len(terms)) if terms else 1.0
        window_share = (len(in_window) / len(terms)) if terms else 1.0
        typed = 1.0 if wanted is None or wanted.search(hit.sentence.text) else 0.0
        same_numbers = len(numbers & set(_DIGITS.findall(context))) / len(numbers) if numbers else 0.0
        score = (hit.score / top + (hit.dense or 0.0) + 0.6 * share + 0.3 * window_share
                 + 0.3 * typed + 0.2 * same_numbers)
        judged.append(Judged(hit, context, in_sentence, in_window, score))
    judged.sort(key=lambda j: -j.rank_score)
    return terms, judged


def answers_question(question: str, terms: list[str], judged: list[Judged], depth: int = 5) -> bool:
    """True when the best passages speak to every essential term of the question (who
    or what it asks about, and what happened), and the best one alone to at least half
    of all its focus terms."""
    if not judged:
        return False
    if not terms:
        return True
    covered = {t for j in judged[:depth] for t in j.window_terms}
    best = judged[0]
    required = set(terms) & essential_terms(question)
    return covered >= required and len(best.window_terms) * 2 >= len(terms)


def lead_of(terms: list[str], judged: list[Judged]) -> list[Judged]:
    """The best sentence, and a second one when it adds what the first lacks: another
    part of a two-part question, or the same fact from another source."""
    if not judged:
        return []
    first = judged[0]
    for other in judged[1:4]:
        missing = set(terms) - set(first.window_terms)
        adds = missing & set(other.sentence_terms)
        close = other.rank_score >= 0.85 * first.rank_score
        second_source = (close and other.hit.article.id != first.hit.article.id
                         and len(other.window_terms) >= len(first.window_terms))
        if adds or second_source:
            return [first, other]
    return [first]
