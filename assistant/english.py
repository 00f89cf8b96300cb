"""General English, read once from `data/english.json`: the only word lists answering uses.

Nothing here names a topic: numbers in words, range modifiers, calendar words, speech
verbs, question words and the nouns that say which kind of answer a question wants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import get_args, get_origin, get_type_hints

DATA = Path(__file__).resolve().parent / "data" / "english.json"


@dataclass(frozen=True)
class English:
    number_words: dict[str, int]
    scales: dict[str, int]
    vague_numbers: dict[str, tuple[float, float]]
    range_modifiers: dict[str, tuple[str, ...]]
    months: frozenset[str]
    weekdays: frozenset[str]
    relative_times: frozenset[str]
    years_back: dict[str, int]  # "last year": 1
    measure_groups: tuple[frozenset[str], ...]  # words for one measure ("revenue", "sales")
    speech_verbs: frozenset[str]
    attribution_phrases: tuple[str, ...]
    pronouns: frozenset[str]
    generic_speakers: tuple[str, ...]
    auxiliaries: frozenset[str]
    negations: frozenset[str]
    question_words: frozenset[str]
    answer_nouns: dict[str, frozenset[str]]
    money_symbols: frozenset[str]
    generic_nouns: frozenset[str]
    irregular_verbs: dict[str, str]
    derivations: dict[str, str]
    light_verbs: frozenset[str]
    blame_verbs: frozenset[str]
    units: frozenset[str]
    organisation_words: frozenset[str]
    reason_markers: frozenset[str]

    @property
    def calendar(self) -> frozenset[str]:
        return self.months | self.weekdays


@lru_cache(maxsize=1)
def english() -> English:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    hints = get_type_hints(English)
    return English(**{f.name: _as(hints[f.name], data[f.name]) for f in fields(English)})


def _as(hint, value):
    """A JSON value as the type its field declares (lists become frozensets or tuples, numbers floats)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is dict:
        return {key: _as(args[1], item) for key, item in value.items()}
    if origin is frozenset:
        return frozenset(_as(args[0], item) for item in value)
    if origin is tuple:
        kinds = [args[0]] * len(value) if len(args) == 2 and args[1] is Ellipsis else list(args)
        return tuple(_as(kind, item) for kind, item in zip(kinds, value, strict=True))
    return float(value) if hint is float else value


def lemma_stem(word: str) -> str:
    """The stem of a word's base form: irregular verbs and derived nouns brought to their verb
    first ("broke" -> "break", "dead" -> "die", "injuries" -> "injure")."""
    from index.text import stem

    folded = word.casefold()
    e = english()
    return stem(e.irregular_verbs.get(folded) or e.derivations.get(folded) or folded)
