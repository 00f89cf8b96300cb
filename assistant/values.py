"""Candidate answers in a sentence: numbers (digits or words, ranges), money, percentages,
dates, and names (people, organisations, places) from spaCy's entities.

A `Value` keeps its words verbatim and a form to compare by: a numeric range (`low`,
`high`: "at least 5" is 5..inf, "a dozen" is 12..12) or a folded name key. Two values
`agree` when they can both be true ("at least one" and "one"; "Smith" and "Jane Smith").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache

from assistant.english import english
from index.text import fold, stem, words

INF = math.inf
ENTITY_KINDS = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place",
                "NORP": "org", "WORK_OF_ART": "other", "EVENT": "other", "PRODUCT": "other"}
# Which entity kinds can answer each question kind ("who" may be answered by a body or a country).
ACCEPTS = {"person": {"person", "org"}, "org": {"org", "place", "person"}, "place": {"place"}}
MAX_RATIO = 10  # figures further apart than this count different things


@dataclass(frozen=True)
class Value:
    """One candidate answer inside a sentence."""

    kind: str  # number | money | percent | score | date | person | org | place
    text: str  # the words, verbatim
    start: int  # character offsets in the sentence
    end: int
    low: float | None = None  # numeric range, for numbers, money and percentages
    high: float | None = None
    key: str = ""  # for names and dates: what to compare by

    def agrees(self, other: Value) -> bool:
        """Can both be true? Overlapping ranges; names one within the other; dates not apart."""
        if self.low is not None and other.low is not None:
            return _ranges_agree(self, other) and _ranges_agree(other, self)
        if self.kind == "date" or other.kind == "date":
            return _dates_agree(self.key, other.key)
        a, b = self.key.split(), other.key.split()
        if not a or not b:
            return False
        return set(a) <= set(b) or set(b) <= set(a) or _spelled_alike(" ".join(a), " ".join(b))

    def comparable(self, other: Value) -> bool:
        """Could these be two answers to one question (not a count and a sum ten times it, not
        measures in two units)?"""
        if self.low is None or other.low is None:
            return True
        if self.key != other.key:
            return False
        low = min(self.high, other.high)
        high = max(self.low, other.low)
        return high <= MAX_RATIO * max(low, 1)

    @property
    def label(self) -> str:
        return self.text.strip()


def _ranges_agree(a: Value, b: Value) -> bool:
    """Overlapping ranges; but a floor ("at least 14") against an exact figure well above it
    ("17") is a different count, not the same one rounded (within a tenth it agrees)."""
    floor = a.high == INF or b.high == INF  # "more than 25,000" begins at 25,001: 25,000 said another way
    if max(a.low, b.low) > min(a.high, b.high) + (1.0 if floor else 0.0):
        return False
    if a.high == INF and b.low == b.high and b.low > max(a.low * 1.1, a.low + 1):
        return False
    if a.high == INF and b.high == INF and max(a.low, b.low) > max(min(a.low, b.low) * 1.1, min(a.low, b.low) + 1):
        return False  # "over 300" and "more than 6,500" are two counts, not one
    return True


def _spelled_alike(a: str, b: str) -> bool:
    """Two spellings of one name ("Tchaikovsky"/"Tschaikowsky", "Gaddafi"/"Qaddafi")."""
    return len(a) >= 5 and len(b) >= 5 and SequenceMatcher(None, a, b).ratio() >= 0.8


def _number_pattern() -> re.Pattern[str]:
    e = english()
    word_numbers = sorted(e.number_words, key=len, reverse=True)
    vague = sorted(e.vague_numbers, key=len, reverse=True)
    scales = [s for s in e.scales if len(s) > 2]
    modifiers = sorted({m for ms in e.range_modifiers.values() for m in ms if m != "or more"}, key=len, reverse=True)
    unit = r"(?:\s+(?:" + "|".join(scales) + r")|(?:bn|m|k)\b)?"
    digits = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    # a unit written on to the figure ("187mm", "40km"): the figure is read, the unit left to `has_unit`
    # (not one letter: "5m" is five million, "30c" could be cents)
    attached = sorted((u for u in e.units if len(u) in (2, 3) and u.isalpha()), key=len, reverse=True)
    worded = (r"(?:a |an )?(?:" + "|".join(word_numbers + scales) + r")(?:[\s-]+(?:and\s+)?(?:"
              + "|".join(word_numbers + scales) + r"))*")
    return re.compile(
        r"(?<![\w.,])(?P<mod>(?:" + "|".join(re.escape(m) for m in modifiers) + r")\s+)?"
        r"(?P<cur>[$€£¥₹]\s?|(?:us\$|usd|eur|gbp)\s?)?"
        r"(?P<num>" + digits + "|" + worded + "|" + "|".join(vague) + r")" + f"(?P<unit>{unit})"
        r"(?P<pct>\s?%|\s+per ?cent\b|\s+percent\b)?"
        r"(?P<more>\s+or more)?(?:(?![\w])|(?=(?:" + "|".join(attached) + r")\b))", re.IGNORECASE)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    e = english()
    months = "|".join(sorted(e.months, key=len, reverse=True))
    date = re.compile(
        r"\b(?:(?:" + "|".join(e.weekdays) + r"),?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + months
        + r")\.?(?:,?\s+\d{4})?|(?:" + months + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|(?:" + months
        + r")\.?\s+\d{4}|(?:" + "|".join(e.weekdays) + r")|(?:19|20)\d\d|\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?"
        r"|\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
    score = re.compile(r"(?<![\d,.])(\d{1,3})\s?[-–:]\s?(\d{1,3})(?![\d,.%])")
    return _number_pattern(), date, score


def _parse_number(text: str) -> float | None:
    e = english()
    text = text.lower().replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    total, current, seen = 0.0, 0.0, False
    for word in re.split(r"[\s-]+", text):
        if word in ("a", "an", "and", ""):
            continue
        if word in e.number_words:
            current += e.number_words[word]
            seen = True
        elif word in e.scales:
            current = (current or 1) * e.scales[word]
            seen = True
            if e.scales[word] >= 1000:
                total, current = total + current, 0.0
        else:
            try:
                current += float(word)
                seen = True
            except ValueError:
                return None
    return total + current if seen else None


def _range(modifier: str, n: float) -> tuple[float, float]:
    groups = english().range_modifiers
    m = modifier.strip().lower()
    if m in groups["at_least"]:
        return n, INF
    if m in groups["more_than"]:
        return n + (1 if n.is_integer() else 0), INF
    if m in groups["at_most"]:
        return 0, n
    if m in groups["less_than"]:
        return 0, n - (1 if n.is_integer() else 0)
    if m in groups["nearly"]:
        return math.floor(n * 0.9), n
    if m in groups["about"]:
        return math.floor(n * 0.9), math.ceil(n * 1.1)
    return n, n


def numbers(sentence: str) -> list[Value]:
    """Numbers, money and percentages in `sentence`, with ranges; years and times left to `dates`."""
    number_re, date_re, score_re = _patterns()
    taken = [m.span() for m in date_re.finditer(sentence) if not _is_bare_number(m.group(0), sentence, m)]
    out: list[Value] = []
    for m in score_re.finditer(sentence):
        if not any(a <= m.start() < b for a, b in taken) and not sentence[m.end():m.end() + 1].isalpha():
            out.append(Value("score", m.group(0), m.start(), m.end(), key=f"{m.group(1)}-{m.group(2)}"))
            taken.append(m.span())
    vague = english().vague_numbers
    for m in number_re.finditer(sentence):
        start, end = m.span()
        if any(a <= start < b or a < end <= b for a, b in taken):
            continue
        raw = m.group("num").lower()
        if raw in ("one", "a", "an") and not m.group("mod") and not m.group("cur"):
            if not re.match(r"\s*(of|more|in)\b", sentence[end:]) and _pronoun_one(sentence, end):
                continue
        if raw in vague:
            low, high = vague[raw]
        else:
            n = _parse_number(raw + (" " + m.group("unit").strip() if m.group("unit").strip() else ""))
            if n is None:
                continue
            low, high = _range(m.group("mod") or "", n)
            if m.group("more"):
                high = INF
        kind = "money" if m.group("cur") or _currency_after(sentence, end) else \
            "percent" if m.group("pct") else "number"
        if re.match(r"(st|nd|rd|th)\b", sentence[end:end + 2]):
            continue  # an ordinal
        out.append(Value(kind, m.group(0).strip(), start, end, low, high))
    return sorted(out, key=lambda v: v.start)


def _is_bare_number(text: str, sentence: str, match: re.Match[str]) -> bool:
    """A four-digit figure that a date pattern took for a year but that counts things ("2021 people")."""
    if not re.fullmatch(r"\d{4}", text):
        return False
    after = sentence[match.end():match.end() + 20].lower()
    return bool(re.match(r"\s+(people|persons|troops|soldiers|votes|cases|deaths|units|jobs|homes|members)", after))


def _pronoun_one(sentence: str, end: int) -> bool:
    """'one' used as a pronoun ("one of them", "the one who") rather than a count before a noun."""
    after = sentence[end:end + 12].lower()
    return not re.match(r"\s+[a-z]", after) or bool(re.match(r"\s+(who|that|which|another)\b", after))


def _currency_after(sentence: str, end: int) -> bool:
    after = words(sentence[end:end + 16])
    return bool(after) and after[0] in english().money_symbols


def dates(sentence: str) -> list[Value]:
    """Dates and times: "November 16, 2021", "16 Nov", "Tuesday", "2020", "18:30"."""
    _, date_re, _ = _patterns()
    return [Value("date", m.group(0), m.start(), m.end(), key=_date_key(m.group(0)))
            for m in date_re.finditer(sentence) if not _is_bare_number(m.group(0), sentence, m)]


def _date_key(text: str) -> str:
    """"y=2021 m=11 d=16" with only the parts the text gives; "wd=tuesday"; "t=18:30"."""
    e = english()
    folded = fold(text)
    parts = []
    if year := re.search(r"\b(19|20)\d\d\b", folded):
        parts.append(f"y={year.group(0)}")
    for i, month in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")):
        if re.search(r"\b" + month, folded):
            parts.append(f"m={i + 1}")
            if day := re.search(r"\b(\d{1,2})(st|nd|rd|th)?\b(?!:)", re.sub(r"\b(19|20)\d\d\b", "", folded)):
                parts.append(f"d={int(day.group(1))}")
            break
    for wd in e.weekdays:
        if wd in folded:
            parts.append(f"wd={wd}")
    if t := re.search(r"\d{1,2}:\d{2}", folded):
        parts.append(f"t={t.group(0)}")
    return " ".join(parts)


def comparable_dates(a: Value, b: Value) -> bool:
    """Do two dates give a part in common (a year, a month, a weekday, a time) to compare by?"""
    return bool({p.split("=")[0] for p in a.key.split()} & {p.split("=")[0] for p in b.key.split()})


def _dates_agree(a: str, b: str) -> bool:
    pa = dict(p.split("=", 1) for p in a.split())
    pb = dict(p.split("=", 1) for p in b.split())
    shared = set(pa) & set(pb)
    return all(pa[k] == pb[k] for k in shared)


def name_key(text: str) -> str:
    """A name folded for comparison: lower case, no "the", possessives and punctuation dropped."""
    return " ".join(w for w in words(text) if w not in ("the", "a", "an", "s", "of", "and"))


def entities(sentence: str, doc) -> list[Value]:
    """Names in a spaCy Doc of `sentence` as Values (persons, organisations, places)."""
    out = []
    for ent in doc.ents:
        kind = ENTITY_KINDS.get(ent.label_)
        if kind == "person" and len(ent) == 1 and ent[0].dep_ in ("amod", "compound") and ent[0].head.pos_ == "NOUN":
            kind = "org"  # one word naming a common noun ("Kenyan forces") is a people, not a person
        if kind == "org" and _looks_like_a_person(ent.text):
            kind = "person"  # the tagger often calls a two-word name a body
        if kind in ("person", "org", "place") and any(ch.isalpha() for ch in ent.text):
            text = re.sub(r"^(the|The)\s+", "", ent.text)
            text = re.sub(r"[’']s$", "", text)
            start = ent.start_char + (len(ent.text) - len(re.sub(r"^(the|The)\s+", "", ent.text)))
            out.append(Value(kind, text, start, start + len(text), key=name_key(text)))
    return out + _unlabelled_names(doc)


def _unlabelled_names(doc) -> list[Value]:
    """Runs of proper nouns the recogniser gave no label ("Orion Systems has agreed to ..."): a
    person when they read as one, else a body; calendar words are left to `dates`."""
    calendar = english().calendar
    taken = [(e.start_char, e.end_char) for e in doc.ents]  # every labelled name lies inside one
    out, run = [], []
    for token in [*doc, None]:
        if token is not None and token.pos_ == "PROPN" and token.is_alpha and token.lower_ not in calendar:
            run.append(token)
            continue
        if run:
            start, end = run[0].idx, run[-1].idx + len(run[-1])
            if not any(a < end and start < b for a, b in taken):
                text = doc.text[start:end]
                out.append(Value("person" if _looks_like_a_person(text) else "org", text, start, end,
                                 key=name_key(text)))
            run = []
    return out


def _looks_like_a_person(name: str) -> bool:
    """Two or three capitalised words, no figure, none that names a body ("Maren Holt", not
    "Carrow Construction" or "the Golden Heron")."""
    parts = name.split()
    return 2 <= len(parts) <= 3 and all(p[:1].isupper() and p.isalpha() for p in parts) and \
        not {p.casefold() for p in parts} & english().organisation_words


def of_kind(kind: str, sentence: str, doc=None) -> list[Value]:
    """The candidate answers of `kind` (an AnswerType kind) in `sentence`."""
    if kind in ("number", "money", "percent", "score"):
        return [v for v in numbers(sentence) if v.kind == kind]
    if kind == "date":
        return dates(sentence)
    if kind == "place" and doc is not None:  # a name after "at", "in", "to" is where ("landed at Dunmore")
        return [v if v.kind == "place" else replace(v, kind="place") for v in entities(sentence, doc)
                if v.kind == "place" or re.search(r"\b(at|in|to|into|near|from|outside|towards)\s+(the\s+)?$",
                                                   sentence[:v.start])]
    if kind in ACCEPTS and doc is not None:
        return [v for v in entities(sentence, doc) if v.kind in ACCEPTS[kind]]
    return []


def has_unit(value: Value, sentence: str) -> str:
    """The unit of a measure ("1,007-kilometre" -> "kilometre", "44 days" -> "day"), else ""."""
    after = re.match(r"[\s-]*([^\W\d_]+)", sentence[value.end:])
    unit = after.group(1).casefold() if after else ""
    return stem(unit) if unit in english().units else ""


def mentioned_in(value: Value, question: str) -> bool:
    """Is the value one the question itself names (so it cannot be the answer)?"""
    if value.low is not None:
        return any(value.agrees(q) and q.low == value.low for q in numbers(question))
    if value.kind == "date":
        return any(value.key and value.key == q.key for q in dates(question))
    q_stems = {stem(w) for w in words(question)}
    parts = [stem(w) for w in value.key.split()]
    return bool(parts) and all(p in q_stems or _same_root(p, q_stems) for p in parts)


def _same_root(token: str, stems: set[str]) -> bool:
    """A name and its adjective ("Kenya"/"Kenyan", "Japan"/"Japanese"): one is the other plus an ending."""
    if len(token) < 4:
        return False
    return any(len(s) >= 4 and (s.startswith(token[:max(4, len(token) - 2)])
                                or token.startswith(s[:max(4, len(s) - 2)])) for s in stems)


def years_meant(sentence: str, published: str | None) -> set[int]:
    """The years a sentence speaks of: those it names, and those it counts back from its
    article's date ("a year ago" in a 2021 report is 2020). Empty when it says neither."""
    years = {int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", sentence)}
    folded = fold(sentence)
    year = int(published[:4]) if published and published[:4].isdigit() else None
    if year is not None:
        years |= {year - back for phrase, back in english().years_back.items() if phrase in folded}
    return years
