"""Which stored disputes and agreements touch a question.

A dispute touches a question when one of its sentences is among the passages found
for it and what it is about (its event: wounded, captured, who attacked) is what the
question asks about. Without the second test, a question about Armenian dead would
show the dispute over Armenians captured, because one sentence reports both.
"""

from __future__ import annotations

from assistant.lexicon import covers, group_of, is_event
from index.text import stem, words


def topic_stems(record: dict) -> set[str]:
    text = " ".join([record.get("subject", "").replace("|", " "), record.get("about", "")])
    return {stem(w) for w in words(text)}


def on_topic(record: dict, terms: list[str]) -> bool:
    """Does the question ask about what this record is about?"""
    topic = topic_stems(record)
    events = [t for t in topic if is_event(t)]
    asked_events = [t for t in terms if is_event(t)]
    if record.get("kind") in ("blame", "framing") and not asked_events:
        return any(covers(t, topic) for t in terms)
    if events and asked_events:
        return any(group_of(e) == group_of(a) or e == a for e in events for a in asked_events)
    return sum(covers(t, topic) for t in terms) >= 2


def touching(records: list[dict], pool: dict[int, float], terms: list[str]) -> list[tuple[dict, float]]:
    """Records with a sentence in `pool` (sentence id -> score) and on the question's topic,
    most relevant first."""
    found = []
    for record in records:
        ids = record.get("sentence_ids") or [i for side in record.get("sides", [])
                                              for i in side.get("sentence_ids", [])]
        scores = [pool[i] for i in ids if i in pool]
        if scores and on_topic(record, terms):
            found.append((record, max(scores)))
    found.sort(key=lambda pair: -pair[1])
    return found
