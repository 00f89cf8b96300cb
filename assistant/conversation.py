"""A conversation: the questions so far, so a follow-up is read in their light."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.answer_types import answer_type
from assistant.english import english
from index.text import STOPWORDS, words

if TYPE_CHECKING:
    from assistant.api import Assistant
    from assistant.history import History
    from assistant.records import Answer

log = logging.getLogger(__name__)

_FOLLOW_UP_START = re.compile(r"^\s*(and|but|also|what about|how about|and what|so|then)\b", re.I)
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_WH = re.compile(r"^\s*(how (many|much|long|far|old)|what|which|who|whom|whose|when|where|why|how)\b\s*", re.I)


def is_follow_up(question: str) -> bool:
    """A question that leans on the one before: "and how many were wounded?"."""
    ws = words(question)
    pronouns = english().pronouns - {"i", "we"}
    return bool(_FOLLOW_UP_START.match(question)) or bool(pronouns & set(ws)) or len(answer_type(question).focus) < 2


def _subject(question: str) -> list[str]:
    """Who or what a question asks about: the words between its wh-phrase and its first
    auxiliary verb ("How many [French fans] were injured"), and its names."""
    rest = _WH.sub("", question, count=1)
    tokens = _WORD.findall(rest)
    auxiliaries = english().auxiliaries
    cut = next((i for i, t in enumerate(tokens) if t.casefold() in auxiliaries), len(tokens))
    skip = STOPWORDS | english().question_words
    # "Who directed The Salt Road": no auxiliary, so the words are what happened, not who: names only
    subject = [t for t in tokens[:cut] if t.casefold() not in skip] if cut < len(tokens) else []
    names = [t for t in tokens[cut:] if t[:1].isupper()] if cut < len(tokens) else \
        [t for t in tokens if t[:1].isupper() and t.casefold() not in skip]
    return list(dict.fromkeys(subject + names))


def interpret(question: str, previous: str | None) -> str:
    """The question with what it leaves out taken from the previous one: who or what the
    previous question asked about, when the follow-up does not name it itself."""
    if not previous or not is_follow_up(question):
        return question
    own = set(words(question))
    carried = [w for w in _subject(previous) if not set(words(w)) & own]
    return f"{question.strip()} ({' '.join(carried)})" if carried else question


@dataclass
class Conversation:
    """Questions and answers so far, against one assistant. With a `history`, every answer
    is stored there as it comes (under this conversation's id), so the conversation can be
    reopened after a restart."""

    assistant: Assistant
    turns: list[Answer] = field(default_factory=list)
    id: str = ""
    history: History | None = None
    unsaved: str | None = None  # why the last answer could not be stored in the history, if it could not

    @classmethod
    def resume(cls, assistant: Assistant, history: History, cid: str) -> Conversation:
        """The stored conversation `cid`, its answers read back; follow-ups go on from its last."""
        return cls(assistant, turns=history.load(cid), id=cid, history=history)

    @classmethod
    def stored(cls, assistant: Assistant, history: History) -> Conversation:
        """A new conversation kept in `history` (listed there from its first answer)."""
        return cls(assistant, id=assistant.conversation().id, history=history)

    def ask(self, question: str, **options: Any) -> Answer:
        previous = self.turns[-1].interpreted_as if self.turns else None
        answer = self.assistant.ask(question, context=previous, **options)
        self.turns.append(answer)
        if self.history is not None:
            try:  # the answer is given even when the history cannot keep it
                self.history.append_turn(self.id, answer)
                self.unsaved = None
            except (sqlite3.Error, OSError) as exc:
                self.unsaved = f"this answer is not kept in the conversation history ({exc})"
                log.warning("conversation %s: %s", self.id, self.unsaved)
        return answer
