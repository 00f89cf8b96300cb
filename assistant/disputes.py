"""Disputes and agreements: claims about one subject, compared within and across sources.

Claims are grouped by subject key first ("wounded|azerbaijani", "blame|armenian|azerbaijani"),
so the work grows with the size of each group, never with all pairs of claims. Claims of
different articles are only compared when the articles tell the same story (TF-IDF cosine
of their texts, published within a month of each other). Within a group:

- numeric: incompatible ranges for one quantity ("10" vs "2"; "at least one" fits "one");
  `update` instead when the sides differ only in time and a later report revises the figure;
- blame: each side names the other as the aggressor;
- framing: one event told in opposing terms (retreat vs ceasefire, liberation vs cession);
- agreement: one value given by two or more independent sources.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from dateutil import parser as dateparser

from assistant.claim_vocabulary import COUNTRY, EVENTS
from assistant.claims import nationality
from assistant.records import Claim
from corpus.records import Article
from index.records import Sentence
from index.text import stem, words

log = logging.getLogger(__name__)

# Two articles tell the same story when the TF-IDF cosine of their texts reaches SAME_STORY,
# they share SHARED_NAMES names (so a tiny corpus, where IDF means little, is safe too)
# and were published within STORY_DAYS. On FNC-1 bodies (pairs sharing a related
# headline vs random pairs) this links 83% of same-story pairs and 0.2% of others.
SAME_STORY = 0.15
SHARED_NAMES = 2
STORY_DAYS = 31
_NAME = re.compile(r"(?<![.!?\n]\s)(?<![\n“\"])(?<!^)\b([A-Z][a-z]+(?:[- ][A-Z][a-z]+)*)")
_NOT_NAMES = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
              "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december", "the", "he", "she", "it", "they", "we", "i", "a", "an", "in", "on"}
_UPDATE_CUE = re.compile(r"\b(rose|risen|rises|climbed|increased|jumped|up from|revised|updated|"
                         r"new toll|now stands|has grown)\b", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_ORG = {"ministry", "forces", "force", "army", "military", "government", "council", "agency", "office",
        "police", "department", "committee", "news", "press", "reuters", "state", "armed"}
MAX_RATIO = 10  # figures further apart than this count different things
MAX_POSITIONS = 4  # more distinct figures than this are several events mixed up, not one dispute
_OPPOSED_FRAMES = {"territory": ({"liberation"}, {"ceded"}), "outcome": ({"retreated"}, {"ceasefire"})}


def find_disputes(claims: Iterable[Claim], articles: dict[str, Article],
                  sentences: dict[int, Sentence]) -> tuple[list[dict], list[dict]]:
    """All disputes and agreements among `claims`, as JSON-able records (see module doc)."""
    groups: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.article_id in articles:
            groups[claim.subject].append(claim)
    multi = sorted({c.article_id for g in groups.values() if len({x.article_id for x in g}) > 1 for c in g})
    story = _StoryLinks(multi, articles)
    disputes: list[dict] = []
    agreements: list[dict] = []
    for subject, group in sorted(groups.items()):
        for cluster in story.clusters(group):
            kind = cluster[0].kind
            if kind == "count":
                found, agreed = _numeric(subject, cluster, articles, sentences)
                disputes += found
                agreements += agreed
            elif kind == "blame":
                disputes += _blame(subject, cluster, articles, sentences)
            elif kind == "framing":
                disputes += _framing(subject, cluster, articles, sentences)
    log.info("%d disputes and %d agreements from %d subjects", len(disputes), len(agreements), len(groups))
    return disputes, agreements


class _StoryLinks:
    """Which articles report the same story: cosine of TF-IDF vectors and close dates."""

    def __init__(self, article_ids: list[str], articles: dict[str, Article]) -> None:
        self.index = {aid: i for i, aid in enumerate(article_ids)}
        self.articles = articles
        self.matrix = None
        if len(article_ids) > 1:
            from sklearn.feature_extraction.text import TfidfVectorizer

            texts = [f"{articles[a].title}\n{articles[a].text}" for a in article_ids]
            self.matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1).fit_transform(texts)
        self.names = {a: _names(articles[a].text) for a in article_ids}

    def same(self, a: str, b: str) -> bool:
        if a == b:
            return True
        if self.matrix is None or a not in self.index or b not in self.index:
            return False
        days = _days_apart(self.articles[a], self.articles[b])
        if days is not None and days > STORY_DAYS:
            return False
        if len(self.names[a] & self.names[b]) < SHARED_NAMES:
            return False
        return float(self.matrix[self.index[a]].multiply(self.matrix[self.index[b]]).sum()) >= SAME_STORY

    def clusters(self, group: list[Claim]) -> list[list[Claim]]:
        """Split a subject's claims into stories: an article joins the first story whose
        every article tells the same story as it (no chaining from story to story)."""
        stories: list[list[str]] = []
        for a in sorted({c.article_id for c in group}, key=lambda a: (self.articles[a].published or "", a)):
            home = next((s for s in stories if all(self.same(a, b) for b in s)), None)
            if home is None:
                stories.append([a])
            else:
                home.append(a)
        story_of = {a: i for i, s in enumerate(stories) for a in s}
        out: dict[int, list[Claim]] = defaultdict(list)
        for claim in group:
            out[story_of[claim.article_id]].append(claim)
        return list(out.values())


def _names(text: str) -> set[str]:
    """Capitalised names inside sentences, countries folded to one key ("Armenia" = "Armenian")."""
    out = set()
    for name in _NAME.findall(text):
        if name.lower() not in _NOT_NAMES:
            out.add(nationality(name.split()) or name.lower())
    return out


def _published(article: Article) -> date | None:
    if not article.published:
        return None
    try:
        return dateparser.isoparse(article.published).date()
    except ValueError:
        return None


def _days_apart(a: Article, b: Article) -> int | None:
    da, db = _published(a), _published(b)
    return abs((da - db).days) if da and db else None


def source_label(article: Article) -> str:
    """A short name for where a claim was printed: outlet, else author, else the title."""
    if article.outlet or article.author:
        return article.outlet or article.author or ""
    return article.title if len(article.title) <= 48 else article.title[:45].rstrip() + "…"


def speaker_key(name: str) -> str:
    """One key for one speaker however named: "Baku's defence ministry" = "Azerbaijan's Defense Ministry"."""
    out = set()
    for w in words(name):
        if w in ("the", "a", "an", "in", "of", "s"):
            continue
        out.add(nationality([w]) or {"defense": "defence"}.get(w, w))
    return " ".join(sorted(out))


def _display(claim: Claim, articles: dict[str, Article], sentences: dict[int, Sentence]) -> str:
    if claim.speaker is None:
        return source_label(articles[claim.article_id])
    text = sentences[claim.sentence_id].text if claim.sentence_id in sentences else ""
    return claim.speaker + (", in a statement" if re.search(r"\bin a statement\b", text) else "")


def _side(position: str, claims: list[Claim], articles: dict[str, Article],
          sentences: dict[int, Sentence]) -> dict:
    speakers: dict[str, str] = {}
    claims = sorted(claims, key=lambda c: _first_seen([c], articles, sentences))
    for c in claims:
        speakers.setdefault(speaker_key(c.speaker) if c.speaker else f"@{c.article_id}",
                            _display(c, articles, sentences))
    return {
        "position": position,
        "speaker": "; ".join(speakers.values()),
        "sentence_ids": list(dict.fromkeys(c.sentence_id for c in claims)),
        "claims": [{"sentence_id": c.sentence_id, "article_id": c.article_id, "speaker": c.speaker,
                    "quote": c.quote, "value": c.value, "outlet": source_label(articles[c.article_id]),
                    "published": articles[c.article_id].published} for c in claims],
    }


def _record(kind: str, subject: str, about: str, reason: str, sides: list[dict]) -> dict:
    ids = sorted(i for s in sides for i in s["sentence_ids"])
    digest = hashlib.sha1(f"{kind}|{subject}|{ids}".encode()).hexdigest()[:12]
    summary = f"{about}: " + " vs ".join(f"{s['position']} ({s['speaker']})" for s in sides)
    return {"id": f"{kind}-{digest}", "kind": kind, "about": about, "summary": summary, "reason": reason,
            "subject": subject, "sides": sides}


def _fmt(x: float) -> str:
    return "∞" if math.isinf(x) else f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _fits(a: Claim, b: Claim) -> bool:
    return max(a.low or 0, b.low or 0) <= min(a.high if a.high is not None else math.inf,
                                              b.high if b.high is not None else math.inf)


def _context(claim: Claim, sentences: dict[int, Sentence]) -> tuple[set[str], set[str]]:
    """(names, years) the claim's sentence ties it to: places and people other than the
    speaker, countries and institutions ("Westgate Mall", "Kampala"; "2013")."""
    sentence = sentences.get(claim.sentence_id)
    if sentence is None:
        return set(), set()
    speaker = set(words(claim.speaker or ""))
    names = {n for n in _names(sentence.text) if n not in COUNTRY and not set(n.split()) & (_ORG | speaker)
             and not all(nationality([part]) for part in re.split(r"[- ]", n))}  # "Armenia-Azerbaijan"
    return names, set(_YEAR.findall(sentence.text))


def _events(claims: list[Claim], articles: dict[str, Article], sentences: dict[int, Sentence]) -> list[list[Claim]]:
    """Split claims on one quantity into events: two claims whose sentences name only
    different places (or only different years) count different things."""
    def comparable(a: tuple[set[str], set[str]], b: tuple[set[str], set[str]]) -> bool:
        return (not a[0] or not b[0] or bool(a[0] & b[0])) and (not a[1] or not b[1] or bool(a[1] & b[1]))

    events: list[list[tuple[Claim, tuple[set[str], set[str]]]]] = []
    for claim in sorted(claims, key=lambda c: _first_seen([c], articles, sentences)):
        context = _context(claim, sentences)
        home = next((e for e in events if all(comparable(context, other) for _, other in e)), None)
        if home is None:
            events.append([(claim, context)])
        else:
            home.append((claim, context))
    return [[c for c, _ in e] for e in events]


def _conflict(a: Claim, b: Claim, sentences: dict[int, Sentence]) -> bool:
    """Two figures for one quantity that cannot both hold. Figures in one sentence (or in
    one sentence copied by two outlets) and figures a factor of ten apart ("8" vs "790")
    count different things."""
    same_text = a.sentence_id in sentences and b.sentence_id in sentences and \
        sentences[a.sentence_id].text == sentences[b.sentence_id].text
    if a.sentence_id == b.sentence_id or same_text or _fits(a, b):
        return False
    low = min(a.high if a.high is not None else math.inf, b.high if b.high is not None else math.inf)
    high = max(a.low or 0, b.low or 0)
    return high <= MAX_RATIO * max(low, 1)


def _numeric(subject: str, claims: list[Claim], articles: dict[str, Article],
             sentences: dict[int, Sentence]) -> tuple[list[dict], list[dict]]:
    disputes: list[dict] = []
    agreements: list[dict] = []
    for event in _events(claims, articles, sentences):
        found, agreed = _numeric_event(subject, event, articles, sentences)
        disputes += found
        agreements += agreed
    return disputes, agreements


def _numeric_event(subject: str, claims: list[Claim], articles: dict[str, Article],
                   sentences: dict[int, Sentence]) -> tuple[list[dict], list[dict]]:
    points: dict[float, list[Claim]] = defaultdict(list)
    ranges: dict[tuple[float, float], list[Claim]] = defaultdict(list)
    for c in claims:
        if c.low is None:
            continue
        if c.low == c.high:
            points[c.low].append(c)
        else:
            ranges[(c.low, c.high if c.high is not None else math.inf)].append(c)
    positions: list[tuple[str, list[Claim]]] = [(_fmt(v), cs) for v, cs in sorted(points.items())]
    for (low, high), cs in sorted(ranges.items()):
        fitting = [i for i, (_, pcs) in enumerate(positions[:len(points)]) if _fits(cs[0], pcs[0])]
        if not fitting:
            positions.append((cs[0].value or f"{_fmt(low)}–{_fmt(high)}", cs))
        elif len(fitting) == 1:
            positions[fitting[0]][1].extend(cs)  # compatible with one value only: corroborates it
    about = claims[0].about
    agreements = [_agreement(subject, about, pos, cs, articles) for pos, cs in positions
                  if len({source_label(articles[c.article_id]) for c in cs}) > 1]
    distinct = [(p, cs) for p, cs in positions if cs]
    opposed = {i for i, a in enumerate(distinct) for j, b in enumerate(distinct) if i != j
               and any(_conflict(x, y, sentences) for x in a[1] for y in b[1])}
    distinct = sorted((distinct[i] for i in opposed), key=lambda pc: _first_seen(pc[1], articles, sentences))
    if len(distinct) < 2:
        return [], agreements
    if len(distinct) > MAX_POSITIONS:
        log.debug("%s: %d figures, taken for several events", subject, len(distinct))
        return [], agreements
    sides = [_side(p, cs, articles, sentences) for p, cs in distinct]
    kind, reason = _numeric_kind(distinct, articles, sentences)
    return [_record(kind, subject, about, reason, sides)], agreements


def _first_seen(claims: list[Claim], articles: dict[str, Article], sentences: dict[int, Sentence]) -> tuple:
    """Sort key: the earliest publication, then the earliest sentence, among `claims`."""
    return min((str(articles[c.article_id].published or ""), c.article_id,
                sentences[c.sentence_id].position if c.sentence_id in sentences else 0) for c in claims)


def _numeric_kind(positions: list[tuple[str, list[Claim]]], articles: dict[str, Article],
                  sentences: dict[int, Sentence]) -> tuple[str, str]:
    """`update` when a later report revises the figure, else `numeric`."""
    values = " vs ".join(p for p, _ in positions)
    texts = [sentences[c.sentence_id].text for _, cs in positions for c in cs if c.sentence_id in sentences]
    shared = [set(c.article_id for c in cs) for _, cs in positions]
    cross_only = all(not (a & b) for i, a in enumerate(shared) for b in shared[i + 1:])
    dated = [max((d for c in cs if (d := _published(articles[c.article_id]))), default=None)
             for _, cs in positions]
    keys = [{speaker_key(c.speaker) for c in cs if c.speaker} for _, cs in positions]
    same_speaker = bool(keys) and all(k and k == keys[0] for k in keys)
    if any(_UPDATE_CUE.search(t) for t in texts) and (cross_only or len(set(texts)) < len(texts)):
        return "update", f"the figure changes over time ({values}); a report says it was revised"
    if cross_only and all(dated) and len(set(dated)) == len(dated) and same_speaker:
        order = sorted(zip(dated, (p for p, _ in positions), strict=True))
        return "update", (f"the same source gives {order[0][1]} on {order[0][0]} and {order[-1][1]} "
                          f"on {order[-1][0]}: a later figure replaces an earlier one")
    note = " (both from the same speaker, perhaps at different times)" if same_speaker else ""
    return "numeric", f"incompatible values for the same quantity: {values}{note}"


def _agreement(subject: str, about: str, value: str, claims: list[Claim], articles: dict[str, Article]) -> dict:
    sources = list(dict.fromkeys(source_label(articles[c.article_id]) for c in claims))
    event = subject.split("|")[0]
    count = "both sources" if len(sources) == 2 else f"{len(sources)} sources"
    ids = list(dict.fromkeys(c.sentence_id for c in claims))
    digest = hashlib.sha1(f"agreement|{subject}|{sorted(ids)}".encode()).hexdigest()[:12]
    return {"id": f"agreement-{digest}", "about": about, "value": value, "subject": subject,
            "summary": f"{value} {event}: {count} ({'; '.join(sources)})", "sentence_ids": ids,
            "sources": sources}


def _event_day(claim: Claim, article: Article) -> date | None:
    """The day a blame claim's event happened, when the sentence names it ("on November 18")."""
    published = _published(article)
    if not claim.value or not published:
        return None
    try:
        return dateparser.parse(claim.value, default=dateparser.parse(str(published))).date()
    except (ValueError, OverflowError):
        return None


def _blame(subject: str, claims: list[Claim], articles: dict[str, Article],
           sentences: dict[int, Sentence]) -> list[dict]:
    by_actor: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_actor[c.actor or ""].append(c)
    if len(by_actor) < 2:
        return []
    kept: dict[str, list[Claim]] = {}
    for actor, cs in by_actor.items():  # an event dated after the other side went to print is another event
        others = [d for a, ocs in by_actor.items() if a != actor for c in ocs
                  if (d := _published(articles[c.article_id]))]
        latest = max(others, default=None)
        kept[actor] = [c for c in cs if not (latest and (day := _event_day(c, articles[c.article_id]))
                                             and day > latest)]
    kept = {a: cs for a, cs in kept.items() if cs}
    if len(kept) < 2:
        return []
    names = {a: COUNTRY.get(a, a.title()) for a in kept}
    order = sorted(kept, key=lambda a: _first_seen(kept[a], articles, sentences))
    sides = [_side(f"{names[a]} attacked", kept[a], articles, sentences) for a in order]
    reason = "each side names the other as the aggressor: " + "; ".join(
        f"{len(cs)} claim(s) that {names[a]} attacked" for a, cs in sorted(kept.items()))
    about = "Who started the fighting between " + " and ".join(names[a] for a in sorted(kept))
    return [_record("blame", subject, about, reason, sides)]


def _framing(subject: str, claims: list[Claim], articles: dict[str, Article],
             sentences: dict[int, Sentence]) -> list[dict]:
    topic = subject.split("|")[1]
    by_frame: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_frame[c.frame or ""].append(c)
    first, second = _OPPOSED_FRAMES.get(topic, (set(), set()))
    left = [f for f in by_frame if any(w in f for w in first)]
    right = [f for f in by_frame if any(w in f for w in second)]
    if not left or not right:
        return []
    frames = sorted(left + right, key=lambda f: _first_seen(by_frame[f], articles, sentences))
    outlets = {c.article_id for f in frames for c in by_frame[f]}
    if len(outlets) < 2:
        return []  # one source using both terms is not a disagreement between sources
    sides = [_side(f, by_frame[f], articles, sentences) for f in frames]
    reason = f"the same event told in opposing terms: {' / '.join(frames)}"
    return [_record("framing", subject, claims[0].about, reason, sides)]


_BLAME_Q = re.compile(r"\b(who|which side)\b.*\b(start|began|begin|initiat|provok|attack|fired first|blame|"
                      r"responsib|aggressor)|\b(started|initiated|provoked)\b.*\b(fight|clash|war|hostil)", re.I)
_OUTCOME_Q = re.compile(r"\b(end|ended|ending|outcome|retreat\w*|won|win)\b", re.I)
_TERRITORY_Q = re.compile(r"\b(territor\w*|occupation|liberat\w*|cede[ds]?|land)\b", re.I)


def relevance(question: str, record: dict) -> float:
    """How closely a stored dispute or agreement touches `question` (0: not at all).

    The question is read with the same vocabulary as the claims: a casualty word and a
    nationality pick count subjects, "who started ..." picks blame, "how did it end" picks
    outcome framing. Used to choose the pairs an answer shows.
    """
    subject = record.get("subject", "")
    parts = subject.split("|")
    q_words = words(question)
    if parts[0] in ("killed", "wounded", "captured", "missing", "arrested", "hostages", "evacuated",
                    "displaced", "casualties"):
        events = {EVENTS.get(stem(w)) for w in q_words} - {None}
        if parts[0] not in events:
            return 0.0
        asked = nationality(q_words)
        if asked and parts[1] and asked != parts[1]:
            return 0.0
        earlier = parts[-1] == "earlier"
        return 1.0 if bool(re.search(r"\b(19|20)\d\d\b|\bwar\b", question)) == earlier else 0.3
    if parts[0] == "blame":
        return 1.0 if _BLAME_Q.search(question) else 0.0
    if parts[0] == "framing":
        pattern = _OUTCOME_Q if parts[1] == "outcome" else _TERRITORY_Q
        return 1.0 if pattern.search(question) else 0.0
    return 0.0
