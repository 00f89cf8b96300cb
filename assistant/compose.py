"""From a judged pool to what the answer shows: answer or abstain, citations, lead,
and the disagreements and agreements among the sentences that answer.

Nothing is written here: the lead is retrieved sentences, verbatim. Every decision is
made from the judges' probabilities and the typed answers in the sentences:

- abstain when the answerability judge says nothing here answers;
- cite the sentences judged to answer, spread across sources by rank position;
- compare the typed answers of every judged sentence (not only the cited ones): two
  sources, or one source at two times, giving different answers about the same thing
  are a dispute; one answer from several sources, an agreement (`assistant.compare`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.answer_types import AnswerType
from assistant.compare import NUMERIC, SAME_THING, Found, Mention, compare, touches, verdict
from assistant.english import english, lemma_stem
from assistant.entities import agent_spans
from assistant.judge import Judged, answers, names_found, question_verb_words, question_verbs
from assistant.pool import Pool
from assistant.retrieval import diversified
from assistant.speakers import leans_back, reporter, resolve, speaker_in
from assistant.values import Value, entities, has_unit, mentioned_in, of_kind, years_meant
from index.text import STOPWORDS, stem, words

SLOT_MIN = 0.3  # support from which a sentence's answer takes part in a comparison
CITE_SHARE = 0.5  # a sentence is cited as support from this share of the best sentence's support
RELATED = 5  # other passages shown, folded, after the citations
SPEECH = frozenset(lemma_stem(w) for w in english().speech_verbs)
MAX_COMPARED = 20  # sentences compared per question, best first (the whole pool)
TIED_COSINE = 0.35  # cosine to the question from which a sentence holding a value may answer it
CLOSE = 0.15  # ... and at most this far below the best sentence's cosine
CLOSE_NAMES = 0.08  # the same for dates and names, which a story has many of
VERDICT_READ = 6  # sentences whose stance towards a statement is read
TIE_GAP = 0.15  # a verb-tied sentence this much below the closest candidate does not decide alone
YEAR_COSINE = 0.25  # how far in meaning a sentence of the year a question names is looked for
CONTENDER_COSINE = 0.3  # cosine to the question from which a sentence may contradict the best answer
CONTENDERS = 3  # sentences read against the best answer, closest to it first
FIGURES = ("number", "money", "percent", "score", "date")
CONFLICT = 0.8  # probability of "refutes" from which such a sentence gives a rival answer


@dataclass
class Composition:
    supported: bool
    cited: list[Judged] = field(default_factory=list)
    lead: list[Judged] = field(default_factory=list)
    related: list[Judged] = field(default_factory=list)
    disputes: list[Found] = field(default_factory=list)
    agreements: list[Found] = field(default_factory=list)
    speakers: dict[int, str] = field(default_factory=dict)  # sentence id -> who says it


def answer_value(kind: AnswerType, question: str, sentence: str, doc=None) -> Value | None:
    """The sentence's answer of the asked kind: among its candidates not named by the
    question, the one closest to the words it shares with the question (the first when
    it shares none)."""
    found = [v for v in of_kind(kind.kind, sentence, doc) if not mentioned_in(v, question)]
    if kind.kind == "date" and (years := set(re.findall(r"\b(?:19|20)\d\d\b", question))):
        found = [v for v in found if not (y := re.search(r"y=(\d{4})", v.key)) or y.group(1) in years]
    if kind.measure:  # the unit is part of the answer: "six weeks" and "44 days" are not compared
        found = [replace(v, key=unit) for v in found if (unit := has_unit(v, sentence))]
    elif re.match(r"\W*how many\b", question, re.I):  # a length of time or a distance ("a 44-day war")
        # is not a count of people or things, unless the question counts days or kilometres
        asked = {stem(w) for w in words(question)}
        found = [v for v in found if (unit := has_unit(v, sentence)) == "" or unit in asked]
    if kind.kind in ("money", "percent", "number"):  # "net *profit*": not a figure the sentence calls *revenue*
        found = [v for v in found if _measured_as_asked(v, sentence, question)]
    if kind.noun:  # "which districts": the names the sentence gives as districts, where it does
        named = [v for v in found if _tied(v, sentence, {kind.noun}, span=3)]
        found = named or found
    if kind.kind in ("person", "org", "place") and not {lemma_stem(w) for w in words(question)} & SPEECH:
        speaker = speaker_in(sentence) or ""  # who says it is not the answer (unless asked who said it)
        found = [v for v in found if v.text not in speaker]
    if doc is not None and kind.kind in ("person", "org"):  # who did it: the doer, not whom it was done to
        tiers = agent_spans(doc)
        # a country or a city that acts ("accused *the republic* of ...") answers "who" too
        found += [v for v in entities(sentence, doc) if v.kind == "place" and not mentioned_in(v, question)
                  and any(a <= v.start < b for tier in tiers for a, b in tier)]
        for tier in tiers:
            doers = [v for v in found if any(a <= v.start < b for a, b in tier)]
            if doers:
                found = doers
                break
    if kind.kind in ("person", "org", "place") and any(v.kind == kind.kind for v in found):
        found = [v for v in found if v.kind == kind.kind]  # a person for "who", a body for "which company"
    if len(found) <= 1:
        return found[0] if found else None
    focus = set(kind.focus) | set(question_verbs(question))
    in_clause = [v for v in found if _tied(v, sentence, focus, span=8)]  # its own clause names what is asked
    found = in_clause or found
    places = [m.start() for m in re.finditer(r"[^\W_]+", sentence)
              if _stem_of(m.group(0)) in focus or lemma_stem(m.group(0)) in focus]
    if not places:
        return found[0]
    return min(found, key=lambda v: min(abs(v.start - p) for p in places))


def _measured_as_asked(value: Value, sentence: str, question: str) -> bool:
    """Does the value measure what the question asks? When the question names a measure ("net
    profit") and the value's own clause names another ("revenue of $4.2 billion"; "sales" would be
    the same measure as "revenue"), it answers another question."""
    groups = english().measure_groups
    asked = {i for i, g in enumerate(groups) if set(words(question)) & g}
    if not asked:
        return True
    before = re.split(r"[,;:“”\"()]|\band\b|\bbut\b", sentence[:value.start])[-1]
    after = re.split(r"[,;:“”\"()]|\band\b|\bbut\b", sentence[value.end:])[0]
    near = set(words(before)[-5:] + words(after)[:5])
    own = {i for i, g in enumerate(groups) if near & g}
    return not own or bool(own & asked)


def answering(kind: AnswerType, question: str, judged: list[Judged],
              entity_doc: Callable[[Judged], object],
              alike: Callable[[str, tuple[str, ...]], bool] | None = None) -> dict[int, Value | None]:
    """The sentences that give an answer to the question, with their answer of the asked kind.

    A sentence answers when the support judge says so, or when it holds a value of the
    asked kind and is close in meaning to the question (within CLOSE of the best cosine).
    Where some such values sit right by the question's own verb ("13 *captured*" for "how
    many were captured"), or by a verb that means the same (`alike(word, verbs)`: "*buying*"
    for "acquiring"), only those count: the others count something else (and they are
    cited first).
    """
    top = judged[:MAX_COMPARED]
    values: dict[int, Value | None] = {}
    for j in top:  # only sentences that could pass are read (a parse costs milliseconds)
        if not kind.compares_values or (j.support < SLOT_MIN and (j.hit.dense or 0.0) < TIED_COSINE):
            values[j.id] = None
            continue
        doc = entity_doc(j) if kind.kind in ("person", "org", "place") else None
        values[j.id] = answer_value(kind, question, j.hit.sentence.text, doc)
    # closeness is measured against the best sentence that holds a value of the asked kind (a figure,
    # not a vague "thousands", which leaves the count open)
    vague = english().vague_numbers
    best = max(((j.hit.dense or 0.0) for j in top if values[j.id] is not None
                and values[j.id].text.casefold() not in vague), default=0.0)
    # Numbers are compared by closeness in meaning; dates and names, which a story has many
    # of, only from sentences nearly as close to the question as the best one.
    margin = CLOSE_NAMES if kind.kind in ("person", "org", "place", "date") else CLOSE
    named = {j.id: names_found(question, j.context + " " + j.hit.article.title) >= 0.5 for j in top}
    candidates = [j for j in top if j.support >= SLOT_MIN or (
        values[j.id] is not None and (j.hit.dense or 0.0) >= max(TIED_COSINE, best - margin)
        and named[j.id])]  # the names the question gives are (mostly) in the sentence's context
    of_year = _of_the_year(question, candidates, [j for j in top if (j.hit.dense or 0.0) >= YEAR_COSINE
                                                  and named[j.id]], values, kind, entity_doc)
    candidates = of_year or candidates
    # what the answer is tied to: the question's verb ("how many were *captured*"), else the noun
    # that names the answer ("which *districts*")
    verbs = set(question_verbs(question)) or ({kind.noun} if kind.noun else set())
    # a verb in other words ties a name ("Marlow *is buying* Pelican" for "who is acquiring Pelican"); not a
    # count: "one dead" beside "seven killed" often counts another side
    verb_words = question_verb_words(question) if kind.kind in ("person", "org", "place") else ()
    related = (lambda w, stems: _related(w, stems) or alike(w, verb_words)) if alike and verb_words else _related
    tied = [j for j in top if verbs and values[j.id] is not None and (j.hit.dense or 0.0) >= TIED_COSINE
            and named[j.id] and _tied(values[j.id], j.hit.sentence.text, verbs, related=related)]
    if of_year:  # the question's year decides first, then its verb among the sentences of that year
        tied = [j for j in of_year if verbs and values[j.id] is not None
                and _tied(values[j.id], j.hit.sentence.text, verbs)]
    closest = max((j.hit.dense or 0.0 for j in candidates), default=0.0)
    if tied and max(j.hit.dense or 0.0 for j in tied) < closest - TIE_GAP:
        tied = []  # the sentences by the question's verb are far weaker than the closest ones: a paraphrase
    return {j.id: values[j.id] for j in (tied or candidates)}


def _of_the_year(question: str, judged: list[Judged], wider: list[Judged], values: dict[int, Value | None],
                 kind: AnswerType, entity_doc: Callable[[Judged], object]) -> list[Judged]:
    """Where the question names a year ("the 2020 war"), the sentences that speak of that year,
    by name or counted back from their report's date ("a year ago"), when some do; looked for
    among `wider` (sentences further in meaning) when none of `judged` does. Else none."""
    asked = {int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", question)}
    if not asked:
        return []

    def of_year(j: Judged) -> bool:
        return bool(years_meant(j.hit.sentence.text, j.hit.article.published) & asked)

    wider = judged + [j for j in wider if j not in judged]
    for j in wider:
        if j.id not in values or values[j.id] is None:
            doc = entity_doc(j) if kind.kind in ("person", "org", "place") else None
            values[j.id] = answer_value(kind, question, j.hit.sentence.text, doc)
    return [j for j in wider if values[j.id] is not None and of_year(j)]


def echoes(kind: AnswerType, question: str, judged: list[Judged], answers_of: dict[int, Value | None]
           ) -> dict[int, Value]:
    """Sentences of other articles that give exactly a figure an answering sentence gives, in words
    close enough to the question: corroboration, so that agreeing outlets are heard (an exact
    copy of an answer cannot open a dispute)."""
    if kind.kind not in FIGURES or not answers_of:
        return {}
    given = [(j.hit.article.id, answers_of[j.id]) for j in judged if answers_of.get(j.id) is not None]
    out = {}
    for j in judged[:MAX_COMPARED]:
        if j.id in answers_of or (j.hit.dense or 0.0) < TIED_COSINE:
            continue
        value = answer_value(kind, question, j.hit.sentence.text)
        if value is not None and value.low is not None and value.low == value.high and any(
                article != j.hit.article.id and v.low == value.low and v.high == value.high and v.kind == value.kind
                for article, v in given):
            out[j.id] = value
    return out


def contenders(kind: AnswerType, question: str, judged: list[Judged], answers_of: dict[int, Value | None],
               conflict: Callable[[list[tuple[str, str]]], list[float]] | None,
               vectors: dict[int, np.ndarray]) -> dict[int, Value]:
    """Sentences that give another answer to what the best answering sentence says, in words the
    question's own did not reach ("won 98-91" against "lost 98-94 in Game 6"): of the pool's
    sentences that hold a different value of the asked kind and speak of what the best answer
    speaks of (their vectors close), the CONTENDERS closest, kept where the stance judge reads
    them as refuting the best answer (`conflict(pairs)`: for each (claim, sentence), the
    probability that the sentence refutes the claim)."""
    if conflict is None or kind.kind not in FIGURES:
        return {}  # names: a story has many, in many roles; the stance judge tells figures apart, not roles
    anchor = next((j for j in judged if answers_of.get(j.id) is not None), None)
    if anchor is None:
        return {}
    given = answers_of[anchor.id]
    found: list[tuple[float, Judged, Value]] = []
    for j in judged[:MAX_COMPARED]:
        if j.id in answers_of or j.hit.sentence.text == anchor.hit.sentence.text:
            continue
        near = float(vectors[j.id] @ vectors[anchor.id])
        if near < SAME_THING and (j.hit.dense or 0.0) < CONTENDER_COSINE:
            continue
        value = answer_value(kind, question, j.hit.sentence.text)  # a figure: no parse needed
        if value is not None and given.comparable(value) and not given.agrees(value):
            found.append((near, j, value))
    found = sorted(found, key=lambda f: -f[0])[:CONTENDERS]
    if not found:
        return {}
    refutes = conflict([(anchor.hit.sentence.text, j.hit.sentence.text) for _, j, _ in found])
    return {j.id: value for (_, j, value), p in zip(found, refutes, strict=True) if p >= CONFLICT}


def _tied(value: Value, sentence: str, focus: set[str], span: int = 5,
          related: Callable[[str, frozenset[str]], bool] | None = None) -> bool:
    """Is a word of the question within `span` content words of the value (in its clause)?"""
    before = re.split(r"[,;:“”\"()]|\band\b|\bbut\b", sentence[:value.start])[-1]
    after = re.split(r"[,;:“”\"()]|\band\b|\bbut\b", sentence[value.end:])[0]
    near = [w for w in words(before) if w not in STOPWORDS][-span:] + \
        [w for w in words(after) if w not in STOPWORDS][:span]
    focus = frozenset(focus)
    return any((related or _related)(w, focus) for w in near)


def _related(word: str, stems: set[str]) -> bool:
    """Is the word one of `stems` in another form ("broke"/break, "conversion"/convert, "director"/direct)?"""
    base = lemma_stem(word)
    return base in stems or _doer(word) in stems or (
        len(base) >= 6 and any(len(s) >= 6 and s[:6] == base[:6] for s in stems))


def _doer(word: str) -> str:
    """The verb an agent noun is made from ("director" -> direct, "buyer" -> buy), else ""."""
    for suffix in ("or", "er", "r"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return lemma_stem(word[:-len(suffix)])
    return ""


def _stem_of(word: str) -> str:
    folded = words(word)
    return stem(folded[0]) if folded else ""


def compose(question: str, kind: AnswerType, pool: Pool, judged: list[Judged], answerable: float,
            threshold: float, k: int, *, earlier: Callable[[int], list[str]], entity_doc: Callable[[Judged], object],
            stance: Callable[[str, list[str]], list[str]] | None = None,
            alike: Callable[[str, tuple[str, ...]], bool] | None = None,
            conflict: Callable[[list[tuple[str, str]]], list[float]] | None = None) -> Composition:
    """Decide what the answer shows (see the module doc).

    `earlier(sentence_id)` gives the sentences before one in its article (nearest last),
    for who is speaking; `entity_doc(judged)` its spaCy Doc, for names; `stance(claim,
    sentences)` labels each sentence 'supports', 'refutes' or 'neither' for verdicts;
    `alike(word, verbs)` says whether a word means what one of the question's verbs does.
    """
    if not answers(question, judged, answerable, threshold):
        return Composition(False, related=judged[:3])
    article_of: Callable[[Judged], str] = lambda j: j.hit.article.id  # noqa: E731
    answers_of = answering(kind, question, judged, entity_doc, alike)
    answers_of |= echoes(kind, question, judged, answers_of)
    answers_of |= contenders(kind, question, judged, answers_of, conflict, pool.vectors)
    if not answers_of and kind.kind in FIGURES or kind.kind in NUMERIC and all(v is None for v in answers_of.values()):
        # asked for a figure or a date and none is given (a date need not be one the reader of dates
        # knows: "in 1834", "the 15th century")
        return Composition(False, related=judged[:3])
    if answers_of:  # the sentences that hold an answer of the asked kind come first
        judged = [j for j in judged if j.id in answers_of] + [j for j in judged if j.id not in answers_of]
    best = max(j.support for j in judged)
    supporting = [judged[0]] + [j for j in judged[1:] if j.support >= CITE_SHARE * best or j.id in answers_of]
    compared = [j for j in judged if j.id in answers_of]
    speakers = {j.id: resolve(j.hit.sentence.text, earlier(j.id)) for j in compared + supporting[:k]}
    mentions = _mentions(compared, answers_of, pool, speakers)
    about = question.rstrip(" ?")
    answering_ids = {j.id for j in compared}
    if kind.kind == "verdict" and stance is not None:
        disputes = _verdicts(question, compared, pool, speakers, stance, about)
        agreements: list[Found] = []
    else:
        disputes, agreements = compare(mentions, about)
    disputes = [d for d in disputes if touches(d, answering_ids)]
    cited = diversified(supporting, k, article_of)
    side_ids = [m.sentence_id for d in disputes for s in d.sides for m in s.mentions[:1]]
    by_id = {j.id: j for j in judged}
    for sid in side_ids:  # each side of a dispute is heard among the citations
        if sid not in {j.id for j in cited}:
            cited = cited[:max(1, k - 1)] + [by_id[sid]] if len(cited) >= k else cited + [by_id[sid]]
    cited_ids = {j.id for j in cited}
    related = [j for j in judged if j.id not in cited_ids][:RELATED]
    return Composition(True, cited, lead_of(cited, mentions, bool(disputes)), related, disputes, agreements,
                       {sid: who for sid, who in speakers.items() if who})


def _mention(j: Judged, value: Value, pool: Pool, speakers: dict[int, str | None]) -> Mention:
    article = j.hit.article
    return Mention(j.id, article.id, j.hit.sentence.text, value, pool.vectors[j.id],
                   reporter(article.outlet, article.title), speakers.get(j.id), article.published, j.support)


def _mentions(compared: list[Judged], answers_of: dict[int, Value | None], pool: Pool,
              speakers: dict[int, str | None]) -> list[Mention]:
    return [_mention(j, value, pool, speakers) for j in compared if (value := answers_of.get(j.id)) is not None]


def _verdicts(question: str, compared: list[Judged], pool: Pool, speakers: dict[int, str | None],
              stance: Callable[[str, list[str]], list[str]], about: str) -> list[Found]:
    compared = compared[:VERDICT_READ]
    if len(compared) < 2:
        return []
    labels = stance(question, [j.hit.sentence.text for j in compared])
    pairs = []
    for j, label in zip(compared, labels, strict=True):
        if label in ("supports", "refutes"):
            pairs.append((_mention(j, Value("verdict", label, 0, 0, key=label), pool, speakers), label))
    return verdict(pairs, about)


def lead_of(cited: list[Judged], mentions: list[Mention], disputed: bool) -> list[Judged]:
    """The best sentence; a second from another source when it gives the same answer
    (never when the sources disagree: two figures in a row would read as a sum)."""
    if not cited:
        return []
    first = cited[0]
    if disputed:
        return [first]
    value_of = {m.sentence_id: m.value for m in mentions}
    for other in cited[1:3]:
        if other.hit.article.id == first.hit.article.id:
            continue
        a, b = value_of.get(first.id), value_of.get(other.id)
        if a is not None and b is not None and a.agrees(b) and other.support >= 0.6 * first.support:
            return [first, other]
    return [first]


def leaning(judged: Judged) -> bool:
    """Does the sentence lean on the one before it (quoted together in the lead)?"""
    return leans_back(judged.hit.sentence.text)
