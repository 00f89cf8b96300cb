"""General English, read once from `data/english.json`: the only word lists answering uses.

Nothing here names a topic: numbers in words, range modifiers, calendar words, speech
verbs, question words and the nouns that say which kind of answer a question wants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
    return English(
        number_words=dict(data["number_words"]),
        scales=dict(data["scales"]),
        vague_numbers={k: (float(a), float(b)) for k, (a, b) in data["vague_numbers"].items()},
        range_modifiers={k: tuple(v) for k, v in data["range_modifiers"].items()},
        months=frozenset(data["months"]),
        weekdays=frozenset(data["weekdays"]),
        relative_times=frozenset(data["relative_times"]),
        years_back=dict(data["years_back"]),
        measure_groups=tuple(frozenset(g) for g in data["measure_groups"]),
        speech_verbs=frozenset(data["speech_verbs"]),
        attribution_phrases=tuple(data["attribution_phrases"]),
        pronouns=frozenset(data["pronouns"]),
        generic_speakers=tuple(data["generic_speakers"]),
        auxiliaries=frozenset(data["auxiliaries"]),
        negations=frozenset(data["negations"]),
        question_words=frozenset(data["question_words"]),
        answer_nouns={k: frozenset(v) for k, v in data["answer_nouns"].items()},
        money_symbols=frozenset(data["money_symbols"]),
        generic_nouns=frozenset(data["generic_nouns"]),
        irregular_verbs=dict(data["irregular_verbs"]),
        derivations=dict(data["derivations"]),
        light_verbs=frozenset(data["light_verbs"]),
        blame_verbs=frozenset(data["blame_verbs"]),
        units=frozenset(data["units"]),
        organisation_words=frozenset(data["organisation_words"]),
        reason_markers=frozenset(data["reason_markers"]),
    )


def lemma_stem(word: str) -> str:
    """The stem of a word's base form: irregular verbs and derived nouns brought to their verb
    first ("broke" -> "break", "dead" -> "die", "injuries" -> "injure")."""
    from index.text import stem

    folded = word.casefold()
    e = english()
    return stem(e.irregular_verbs.get(folded) or e.derivations.get(folded) or folded)
