"""Which stored disputes and agreements touch a question.

A dispute touches a question when one of its sentences is among the passages found
for it and the question asks about the dispute's issue:
- a count (wounded, captured, killed): the question asks about that event, and about
  the same group where it names one ("Armenian" is not "Azerbaijani");
- who started it: the question speaks of blame, or asks *who* attacked or started it,
  and is not about the ceasefire;
- how it ended: the question asks *how* it ended or whether anyone retreated;
- any other framing: the question names what the framing is about ("territory").
Without these tests a question about Armenian dead would show the dispute over
Armenians captured, because one sentence reports both.
"""

from __future__ import annotations

from assistant.lexicon import GROUPS, group_of, is_event, same_root
from index.text import STOPWORDS, stem, words

BLAME = {"blame", "accus", "respons", "fault", "guilt", "aggressor", "aggress", "provok", "provoc"}
INITIATION = {"start", "began", "begin", "initi", "spark", "trigger", "attack", "launch", "provok"}
ENDING = {"end", "ceasefir", "truce", "halt", "stop", "armistic", "retreat", "withdraw", "withdrew"}
NATIONALITY_ROOTS = ("armenia", "azerbaijan", "russia", "turk")


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOPWORDS}


def _nationalities(stems: set[str]) -> set[str]:
    return {root for root in NATIONALITY_ROOTS for s in stems if s.startswith(root)}


def _thing_group(token: str) -> bool:
    number = group_of(token)
    return number is not None and GROUPS[number][0] == "thing"


def on_topic(record: dict, question: str) -> bool:
    """Does `question` ask about the issue of this dispute or agreement?"""
    asked = _stems(question)
    folded = question.casefold()
    subject = record.get("subject", "")
    kind = record.get("kind", "numeric")
    if kind == "blame" or subject.startswith("blame"):
        if asked & ENDING or any(s.startswith("mediat") for s in asked):
            return False
        return bool(asked & BLAME) or ("who" in words(folded) and bool(asked & INITIATION))
    if subject.startswith("framing|outcome"):
        return bool(asked & ENDING) and "how" in words(folded)
    if kind == "framing":
        topic = _stems(record.get("about", "") + " " + subject.replace("|", " "))
        topic = {t for t in topic if not _thing_group(t) and t != "framing"}
        return any(same_root(t, a) or t == a for t in topic for a in asked)
    # counts: the same event, and the same group where the question names one
    event = stem(subject.split("|")[0]) if subject else ""
    asked_events = [a for a in asked if is_event(a)]
    if not event or not any(group_of(a) == group_of(event) or a == event for a in asked_events):
        return False
    named = _nationalities(asked)
    theirs = _nationalities(_stems(subject.replace("|", " ")))
    return not named or not theirs or bool(named & theirs)


def touching(records: list[dict], pool: dict[int, float], question: str) -> list[tuple[dict, float]]:
    """Records with a sentence in `pool` (sentence id -> score) that the question asks
    about, most relevant first."""
    found = []
    for record in records:
        ids = record.get("sentence_ids") or [i for side in record.get("sides", [])
                                              for i in side.get("sentence_ids", [])]
        scores = [pool[i] for i in ids if i in pool]
        if scores and on_topic(record, question):
            found.append((record, max(scores)))
    found.sort(key=lambda pair: -pair[1])
    return found


SIDE_BONUS = 0.3


def with_sides_first(judged: list, disputes: list[tuple[dict, float]]) -> list:
    """Lift the sentences that hold a side of a dispute the question asks about, so
    the citations hear each side: asked who started it, cite both accusations."""
    sides = {i for record, _ in disputes for side in record.get("sides", []) for i in side.get("sentence_ids", [])}
    if not sides:
        return judged
    for j in judged:
        if j.hit.sentence.id in sides:
            j.rank_score += SIDE_BONUS
    return sorted(judged, key=lambda j: -j.rank_score)
