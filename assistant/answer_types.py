"""What kind of answer a question wants: a number, a person, a place, a date, a verdict...

Read from the question's wording alone (general English: wh-words and the noun after
"which"/"what"), never from a topic. `focus` holds the stems of the question's content
words, so a candidate answer can be tied to what the question asks about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.english import english
from index.text import STOPWORDS, stem, words

KINDS = ("number", "money", "percent", "score", "date", "person", "org", "place", "reason", "manner", "verdict",
         "other")
# The kinds whose answers are values that can be compared between sources.
VALUE_KINDS = frozenset({"number", "money", "percent", "score", "date", "person", "org", "place"})
SCORE_NOUNS = frozenset({"score", "scoreline", "result"})
NUMBER_NOUNS = frozenset({"number", "toll", "count", "tally", "total", "figure", "attendance", "turnout",
                          "population", "amount", "quantity", "size", "length", "distance", "age",
                          "height", "weight", "duration", "capacity", "temperature", "magnitude", "speed",
                          "level", "depth", "margin"})
_QUANTITY = re.compile(r"^(how|by how) (many|much|long|far|big|large|old|high|tall|heavy|deep|wide|often|fast)\b")
_DATE = re.compile(r"^(when|since when|until when|by when|from when)\b|"
                   r"^(what|which) (time|year|date|day|month|season|decade)\b|"
                   r"^(in|on|at|from) (what|which) (year|date|day|month|time)\b")
_PLACE = re.compile(r"^where\b|^(in|at|from|to|near) (what|which) (\w+ ){0,1}(city|town|country|place|region|"
                    r"district|province|state|area|venue|location|stadium|county|village)\b")
_WHO = re.compile(r"^(who|whom|whose)\b|^(by|to|from|with|for) (whom|who)\b")
# "which company ...", "what was the revenue": the noun that names the answer. After "what did/does",
# the noun is who acts ("what did the president say"), not the answer: only a copula lets it through.
_WHICH = re.compile(r"^(?:in |at |by |for |from |of |to |on )?(?:what|which)\s+(?!did |does |do |has |had |have )"
                    r"(?:(?:was|were|is|are|will be) (?:the |a |an |its |their |his |her )?)?((?:[\w-]+ ){0,2}[\w-]+)")
_WHY = re.compile(r"^(why|for what reason|what for)\b")
_HOW = re.compile(r"^how (did|does|do|was|were|is|are|has|have|had|will|would|could|can)\b")


@dataclass(frozen=True)
class AnswerType:
    """The answer a question wants: its kind, and the stems of what it asks about."""

    kind: str
    focus: tuple[str, ...] = ()
    measure: bool = False  # "how long / far / old ...": a figure with a unit ("1,007 km", "44 days")
    noun: str = ""  # the stem of the noun that names the answer ("which *district*s" -> "district")

    @property
    def compares_values(self) -> bool:
        return self.kind in VALUE_KINDS


def _noun_kind(phrase: str) -> str | None:
    """The kind a noun names ("company" -> org, "revenue" -> money), or None."""
    nouns = english().answer_nouns
    for word in reversed(words(phrase)):
        for kind in ("money", "percent", "date", "place", "org", "person", "reason", "manner"):
            if word in nouns[kind] or stem(word) in {stem(n) for n in nouns[kind]}:
                return kind
        if word in NUMBER_NOUNS:
            return "number"
        if word in SCORE_NOUNS:
            return "score"
    return None


def _focus(question: str) -> tuple[str, ...]:
    skip = STOPWORDS | english().question_words | english().auxiliaries
    out: list[str] = []
    for word in words(question):
        if word in skip or len(word) < 2:
            continue
        token = stem(word)
        if token not in out:
            out.append(token)
    return tuple(out)


@lru_cache(maxsize=4096)
def answer_type(question: str) -> AnswerType:
    """The kind of answer `question` wants (one of KINDS) and its focus stems."""
    q = " ".join(words(question.replace("%", " percent")))
    q = re.sub(r"^(and|but|so|also|then|ok|okay|now)\s+", "", q)
    focus = _focus(question)
    english_ = english()
    if m := _QUANTITY.match(q):
        rest = q[m.end():]
        paid = re.search(r"\b(cost|pay|paid|earn|spend|spent|raise|raised|owe|charge|sell|sold|worth|fine|fined)\w*",
                         rest)
        # "how much did it cost", "how big is the fine", "how high is the rent": an amount of money
        measured = re.match(r"\s*(?:(?:is|are|was|were|will be) )?(?:(?:the|a|an|its|their|his|her) )?([\w-]+)", rest)
        if m.group(2) == "much" and (_noun_kind(rest) == "money" or paid) or \
                m.group(2) in ("big", "large", "high") and measured and _noun_kind(measured.group(1)) == "money":
            return AnswerType("money", focus)
        if re.search(r"\b(percent|per cent|percentage)\b", rest):
            return AnswerType("percent", focus)
        return AnswerType("number", focus, measure=m.group(2) not in ("many", "much", "often"))
    if re.match(r"^(what|which) (percentage|percent|proportion|share|fraction)\b", q):
        return AnswerType("percent", focus)
    if _DATE.match(q):
        return AnswerType("date", focus)
    if m := _PLACE.match(q):
        return AnswerType("place", focus, noun=stem(m.group(4)) if m.group(4) else "")
    if _WHO.match(q):
        return AnswerType("person", focus)
    if _WHY.match(q):
        return AnswerType("reason", focus)
    if _HOW.match(q):
        return AnswerType("manner", focus)
    if m := _WHICH.match(q):
        kind = _noun_kind(m.group(1))
        if kind:
            head = [w for w in words(m.group(1)) if w not in STOPWORDS]
            return AnswerType(kind, focus, noun=stem(head[0]) if head and kind in ("place", "org", "person") else "")
        return AnswerType("other", focus)
    first = q.split(" ", 1)[0] if q else ""
    if first in english_.auxiliaries or not question.rstrip().endswith("?"):
        return AnswerType("verdict", focus)
    return AnswerType("other", focus)
