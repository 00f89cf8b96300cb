"""Who says it: the person or body a sentence attributes its claim to.

Read with general English patterns: "X said", "..., X said", "..., said X", "according
to X", a quote attributed after it. A speaker that is only a pronoun or a generic body
("he said", "the ministry said", "It also reported that ...") is resolved to the nearest
named speaker in the sentences before it, so the claim carries its real source. An
article's author is never a speaker: a sentence that names none is reported by its outlet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.english import english

_NAME_WORDS = r"((?:[\w’'.&-]+\s+){0,7}?[\w’'.&-]+)"
MAX_LABEL = 48


@lru_cache(maxsize=1)
def _patterns() -> list[re.Pattern[str]]:
    e = english()
    verbs = "|".join(sorted(e.speech_verbs, key=len, reverse=True))
    phrases = "|".join(re.escape(p) for p in e.attribution_phrases)
    return [
        re.compile(r"\b(?:" + phrases + r")\s+" + _NAME_WORDS + r"\s*(?=[,.;:]|$)", re.I),
        re.compile(r"[,”\"]\s+" + _NAME_WORDS + r"\s+(?:also\s+|later\s+|earlier\s+|had\s+|has\s+)?(?:" + verbs
                   + r")\b"),
        re.compile(r"[,”\"]\s+(?:" + verbs + r")\s+" + _NAME_WORDS + r"\s*(?=[,.;:]|$)"),
        re.compile(r"^[“\"]?" + _NAME_WORDS + r"\s+(?:also\s+|later\s+|earlier\s+|had\s+|has\s+|have\s+)?(?:"
                   + verbs + r")\b(?:\s+(?:that|on|in)\b|\s*,|\s+[a-z])"),
    ]


def _clean(name: str) -> str:
    name = name.strip(" ,.;:“”\"'")
    name = re.sub(r"\s+(also|later|earlier|had|has|have)$", "", name)
    return re.sub(r"\s+(on|in)\s+(a|an|the)\s+\w+$", "", name)


def speaker_in(sentence: str) -> str | None:
    """The speaker a sentence names, as written ("the city's fire service", "he"), or None."""
    for pattern in _patterns():
        match = pattern.search(sentence)
        if match:
            name = _clean(match.group(1))
            if name and len(name.split()) <= 8 and not re.match(r"^(it|this|that)\s+(is|was)\b", name, re.I):
                return name
    return None


def is_named(name: str) -> bool:
    """A speaker that says who it is ("Dana Brooks", "the regional fire service"), not a
    pronoun, a possessive ("its filing") or a bare generic body ("the ministry", "officials")."""
    e = english()
    folded = name.casefold()
    words_ = folded.split()
    if not words_ or folded in e.pronouns or folded in e.generic_speakers or words_[0] in e.pronouns:
        return False
    body = re.sub(r"^(the|a|an)\s+", "", name, flags=re.I)
    return any(w[:1].isupper() for w in body.split()) or len(body.split()) >= 2


def leans_back(sentence: str) -> bool:
    """Does the sentence lean on the one before for who is speaking ("It also reported ...")?"""
    name = speaker_in(sentence)
    if name is not None:
        return not is_named(name)
    first = re.sub(r"^[“\"]", "", sentence.lstrip()).split(" ", 1)[0].casefold().strip(",")
    return first in english().pronouns


def resolve(sentence: str, before: Sequence[str]) -> str | None:
    """The named speaker of `sentence`, looking back through the sentences `before` it
    (nearest last) when it names only a pronoun or a generic body."""
    name = speaker_in(sentence)
    if name is not None and is_named(name):
        return name
    if name is None and not leans_back(sentence):
        return None
    for earlier in reversed(before):
        found = speaker_in(earlier)
        if found and is_named(found):
            return found
    return None  # "the company said" with no name before it: the outlet reports it


def short_title(title: str, limit: int = MAX_LABEL) -> str:
    """A title cut at a word boundary, never mid-word, with an ellipsis when cut."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[:limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return (cut or title[:limit]) + "…"


def reporter(outlet: str | None, title: str) -> str:
    """Who reports a sentence that names no speaker: the outlet, else the article's title."""
    return outlet or short_title(title)
