"""Do sources give the same answer? Mentions of one slot compared: disputes and agreements.

A `Mention` is one sentence's answer to a question (or, at ingest, to what two nearly
identical sentences both speak of): a typed value, who says it, who reports it, when.
Two mentions speak of the same thing when what they share once their answers are set
aside agrees: their sentences are close in meaning (stored vectors), they tie the value
to no different years, and the values are of one magnitude (not a count against a total
ten times it). Among such mentions:

- values that cannot both be true are a dispute, one side per value ("update" when one
  outlet or speaker revises its own figure later);
- one value given by two or more independent articles is an agreement — never beside a
  dispute on the same slot.

`touches` is the one place that decides whether a dispute bears on a question.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from assistant.values import Value, comparable_dates, name_key

SAME_THING = 0.35  # cosine of two sentences' vectors from which they may speak of one thing
MAX_SIDES = 4  # more distinct answers than this are several things mixed up, not one dispute
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
NUMERIC = ("number", "money", "percent", "score")


@dataclass
class Mention:
    """One sentence's answer of the asked kind, with who says it and who reports it."""

    sentence_id: int
    article_id: str
    text: str  # the sentence, verbatim
    value: Value
    vector: np.ndarray = field(repr=False)
    reporter: str  # the outlet (or the article's title) that prints it
    speaker: str | None = None  # whom the sentence attributes it to
    published: str | None = None
    relevance: float = 1.0

    @property
    def who(self) -> str:
        return self.speaker or self.reporter


@dataclass
class FoundSide:
    position: str  # the value, as the sources word it
    speaker: str  # who holds it ("the fire service; Metro Wire")
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Found:
    """A dispute or agreement among mentions, before it becomes records with citations."""

    kind: str  # numeric | entity | date | update | verdict | agreement
    about: str
    sides: list[FoundSide]
    reason: str = ""

    @property
    def id(self) -> str:
        ids = sorted(m.sentence_id for s in self.sides for m in s.mentions)
        return f"{self.kind}-" + hashlib.sha1(f"{self.kind}|{ids}".encode()).hexdigest()[:12]

    @property
    def summary(self) -> str:
        if self.kind == "agreement":
            side = self.sides[0]
            n = len({m.article_id for m in side.mentions})
            return f"{side.position}: {n} sources ({side.speaker})"
        return f"{self.about}: " + " vs ".join(f"{s.position} ({s.speaker})" for s in self.sides)


def _years(mention: Mention) -> set[str]:
    """Years the sentence names outside its answer."""
    text = mention.text[:mention.value.start] + " " + mention.text[mention.value.end:]
    return set(_YEAR.findall(text))


def same_thing(a: Mention, b: Mention) -> bool:
    """Do two mentions answer one question about one event?"""
    if a.sentence_id == b.sentence_id or a.text == b.text:
        return False  # one sentence (or one copied) says one thing
    if not a.value.comparable(b.value):
        return False
    ya, yb = _years(a), _years(b)
    if a.value.kind != "date" and ya and yb and not ya & yb:
        return False
    return float(a.vector @ b.vector) >= SAME_THING


def _opposed(a: Mention, b: Mention) -> bool:
    """Values that cannot both be true; a place the other sentence also names is not opposed
    (lists: "Lyon and Nice" against "Nice")."""
    if a.value.kind != b.value.kind or a.value.agrees(b.value):
        return False
    if a.value.kind == "date" and not comparable_dates(a.value, b.value):
        return False  # "Friday" and "2022" say different things, not different dates
    if a.value.kind == "place":
        if a.value.key in name_key(b.text) or b.value.key in name_key(a.text):
            return False
    return True


def _kind_of(value: Value) -> str:
    return "numeric" if value.kind in NUMERIC else "date" if value.kind == "date" else "entity"


def _positions(mentions: list[Mention]) -> list[list[Mention]]:
    """Group mentions by value: exact values first; a range joins the one value it fits,
    stands alone when it fits none, and is left out when it fits several."""
    exact = [m for m in mentions if m.value.low is None or m.value.low == m.value.high]
    loose = [m for m in mentions if m not in exact]
    groups: list[list[Mention]] = []
    for m in sorted(exact, key=lambda m: -len(m.value.key or m.value.text)):
        home = next((g for g in groups if g[0].value.agrees(m.value)), None)
        (home.append(m) if home else groups.append([m]))
    for m in loose:
        fitting = [g for g in groups if g[0].value.agrees(m.value)]
        if not fitting:
            groups.append([m])
        elif len(fitting) == 1:
            fitting[0].append(m)
    return groups


def _side(group: list[Mention]) -> FoundSide:
    group = sorted(group, key=lambda m: (m.published or "", m.article_id, -m.relevance))
    speakers = list(dict.fromkeys(m.who for m in group))
    position = max(group, key=lambda m: (m.value.low is not None and m.value.low == m.value.high, m.relevance))
    return FoundSide(position.value.label, "; ".join(speakers), group)


def _is_update(sides: list[FoundSide]) -> bool:
    """One outlet giving different figures at different times: a revision."""
    def owners(side: FoundSide) -> set[tuple[str, str]]:
        return {(m.reporter.casefold(), m.published or "") for m in side.mentions}
    for a in sides:
        for b in sides:
            if a is b:
                continue
            for who_a, when_a in owners(a):
                if any(who_a == who_b and when_a and when_b and when_a < when_b for who_b, when_b in owners(b)):
                    return True
    return False


def compare(mentions: list[Mention], about: str) -> tuple[list[Found], list[Found]]:
    """Disputes and agreements among mentions of one slot (see the module doc)."""
    linked = [m for m in mentions if any(same_thing(m, o) for o in mentions if o is not m)]
    groups = _positions(linked)
    opposed = [g for g in groups if any(
        any(_opposed(x, y) and same_thing(x, y) for x in g for y in h) for h in groups if h is not g)]
    disputes: list[Found] = []
    if 2 <= len(opposed) <= MAX_SIDES:
        sides = sorted((_side(g) for g in opposed), key=lambda s: (s.mentions[0].published or "", -len(s.mentions)))
        kind = "update" if _is_update(sides) else _kind_of(opposed[0][0].value)
        reason = (f"{len(sides)} different answers of one kind from sentences that speak of the same thing "
                  f"({', '.join(s.position for s in sides)})")
        disputes.append(Found(kind, about, sides, reason))
    agreements = []
    if not disputes:
        for g in groups:
            if len({m.article_id for m in g}) >= 2:
                agreements.append(Found("agreement", about, [_side(g)],
                                        "the same answer from independent articles"))
    return disputes, agreements


def verdict(mentions: list[tuple[Mention, str]], about: str) -> list[Found]:
    """A supports-vs-refutes dispute from (mention, stance) pairs, stance 'supports' or 'refutes'."""
    by = defaultdict(list)
    for m, stance in mentions:
        by[stance].append(m)
    if not by["supports"] or not by["refutes"]:
        return []
    sides = [FoundSide(stance, "; ".join(dict.fromkeys(m.who for m in by[stance])), by[stance])
             for stance in ("supports", "refutes")]
    return [Found("verdict", about, sides, "sources support and refute the statement")]


def touches(found: Found, answering: set[int]) -> bool:
    """Does a dispute bear on the question? Each of its sides must hold a sentence judged
    to answer the question (`answering`: their sentence ids)."""
    return len(found.sides) >= 2 and all(any(m.sentence_id in answering for m in side.mentions)
                                         for side in found.sides)


@dataclass
class StoredSide:
    """A side as stored with the index: its value and the sentences that hold it."""

    position: str
    speaker: str
    sentence_ids: list[int]
    speakers: list[str | None]  # who says it, per sentence (None: the outlet reports it)

    def to_dict(self) -> dict:
        return {"position": self.position, "speaker": self.speaker, "sentence_ids": self.sentence_ids,
                "speakers": self.speakers}

    @classmethod
    def from_dict(cls, data: dict) -> StoredSide:
        return cls(str(data["position"]), str(data["speaker"]), [int(i) for i in data["sentence_ids"]],
                   list(data.get("speakers") or [None] * len(data["sentence_ids"])))


@dataclass
class Finding:
    """A dispute or agreement as a record that round-trips through JSON (stored at ingest)."""

    id: str
    kind: str
    about: str
    summary: str
    reason: str
    sides: list[StoredSide]
    article_ids: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, found: Found) -> Finding:
        sides = [StoredSide(s.position, s.speaker, [m.sentence_id for m in s.mentions],
                            [m.speaker for m in s.mentions]) for s in found.sides]
        articles = sorted({m.article_id for s in found.sides for m in s.mentions})
        return cls(found.id, found.kind, found.about, found.summary, found.reason, sides, articles)

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "about": self.about, "summary": self.summary,
                "reason": self.reason, "sides": [s.to_dict() for s in self.sides], "article_ids": self.article_ids}

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        return cls(str(data["id"]), str(data["kind"]), str(data.get("about", "")), str(data.get("summary", "")),
                   str(data.get("reason", "")), [StoredSide.from_dict(s) for s in data.get("sides", [])],
                   list(data.get("article_ids", [])))
