"""A conversation: the questions so far, so a follow-up is read in their light."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.lexicon import focus_terms, is_event
from index.text import stem, words

if TYPE_CHECKING:
    from assistant.api import Assistant
    from assistant.records import Answer

_FOLLOW_UP_START = re.compile(r"^\s*(and|but|also|what about|how about|and what|so|then)\b", re.I)
_ORIGINAL_WORDS = re.compile(r"[^\W_]+")
_PRONOUNS = {"they", "them", "their", "it", "its", "he", "him", "his", "she", "her", "those", "these",
             "that", "there", "this"}


def is_follow_up(question: str) -> bool:
    """A question that leans on the one before: "and how many were wounded?"."""
    ws = words(question)
    return bool(_FOLLOW_UP_START.match(question)) or bool(_PRONOUNS & set(ws)) or len(focus_terms(question)) < 2


def interpret(question: str, previous: str | None) -> str:
    """The question with what it leaves out taken from the previous one.

    Words of the previous question that name who or what (not what happened) are
    carried over; what happened is replaced by the follow-up's own event words.
    """
    if not previous or not is_follow_up(question):
        return question
    new_terms = set(focus_terms(question))
    has_event = any(is_event(t) for t in new_terms)
    carried = []
    for word in _ORIGINAL_WORDS.findall(previous):
        folded = words(word)
        if not folded:
            continue
        token = stem(folded[0])
        if token in new_terms or token not in focus_terms(previous):
            continue
        if has_event and is_event(token):
            continue
        if word not in carried:
            carried.append(word)
    return f"{question.strip()} ({' '.join(carried)})" if carried else question


@dataclass
class Conversation:
    """Questions and answers so far, against one assistant."""

    assistant: Assistant
    turns: list[Answer] = field(default_factory=list)
    id: str = ""

    def ask(self, question: str, **options: Any) -> Answer:
        previous = self.turns[-1].interpreted_as if self.turns else None
        answer = self.assistant.ask(question, context=previous, **options)
        self.turns.append(answer)
        return answer
