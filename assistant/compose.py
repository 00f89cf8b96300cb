"""From hits to an Answer: pick what is quoted, decide whether it answers at all.

Nothing is written here: the lead is one or two retrieved sentences, verbatim. The
question's focus terms (content words) must each be spoken to by the retrieved
passages, else the assistant abstains and shows the passages as related only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.lexicon import covers, essential_terms, focus_terms, passage_stems
from assistant.retrieval import Hit

_NUMBER = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|"
    r"hundreds?|thousands?|several|few)\b", re.IGNORECASE)
# "..., he said" or "It also reported ...": the sentence leans on the one before for its speaker.
_ANAPHORA = re.compile(r"\b(he|she|they|it)\s+(also\s+)?(said|added|says|told|stated|noted|reported|continued)\b|"
                       r"^[“\"]?(He|She|They|It|The ministry)\b")
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
    """Score each hit by retrieval rank and by how much of the question it covers.

    Coverage is weighted by how rare each term is among the hits: in a pool where
    every sentence says "Azerbaijani", the one that also says "wounded" wins.
    """
    terms = focus_terms(question)
    wanted = expected_type(question)
    top = max((h.score for h in hits), default=1.0) or 1.0
    numbers = set(_DIGITS.findall(question))
    covered = []
    for hit in hits:
        context = contexts.get(hit.sentence.id, hit.sentence.text)
        sentence_stems = passage_stems(hit.sentence.text)
        window_stems = passage_stems(context + " " + hit.article.title)
        covered.append((hit, context, [t for t in terms if covers(t, sentence_stems)],
                        [t for t in terms if covers(t, window_stems)]))
    weight = {t: math.log(1 + len(hits) / (1 + sum(t in c[2] for c in covered))) + 0.1 for t in terms}
    total = sum(weight.values())
    judged = []
    for hit, context, in_sentence, in_window in covered:
        share = sum(weight[t] for t in in_sentence) / total if terms else 1.0
        window_share = sum(weight[t] for t in in_window) / total if terms else 1.0
        typed = 1.0 if wanted is None or wanted.search(hit.sentence.text) else 0.0
        same_numbers = len(numbers & set(_DIGITS.findall(context))) / len(numbers) if numbers else 0.0
        score = (hit.score / top + (hit.dense or 0.0) + 0.6 * share + 0.5 * window_share
                 + 0.3 * typed + 0.2 * same_numbers)
        judged.append(Judged(hit, context, in_sentence, in_window, score))
    carry_on(judged)
    judged.sort(key=lambda j: -j.rank_score)
    return terms, judged


def carry_on(judged: list[Judged]) -> None:
    """A sentence that carries on a better one in the same paragraph ("..., he said";
    "Armed forces of Azerbaijan responded") shares its subject: lift it halfway."""
    by_place = {(j.hit.sentence.article_id, j.hit.sentence.position): j for j in judged}
    for j in judged:
        s = j.hit.sentence
        before = by_place.get((s.article_id, s.position - 1))
        linked = before and (before.hit.sentence.paragraph == s.paragraph or _ANAPHORA.search(s.text))
        if linked and before.rank_score > j.rank_score:
            j.rank_score = (j.rank_score + before.rank_score) / 2


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
