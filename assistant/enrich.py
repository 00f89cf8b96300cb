"""Ingest hook (an `index.library.Enricher`): the corpus-wide list of disputes and agreements.

The same comparison as at question time (`assistant.compare`), run over pairs of
sentences that say nearly the same thing: each sentence holding a figure is paired with
its nearest sentences by stored vector, their figures are aligned by the words around
them ("10 more were WOUNDED" / "two troops were WOUNDED"), and every connected group of
aligned figures is compared. Only the articles an ingest adds or changes are searched
from; findings that touch no changed article are kept as they are.
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict

import numpy as np
from tqdm import tqdm

from assistant.compare import Finding, Mention, compare
from assistant.english import english, lemma_stem
from assistant.entities import tagged
from assistant.speakers import reporter, resolve
from assistant.values import Value, numbers
from index.records import Sentence
from index.store import SentenceDB

log = logging.getLogger(__name__)

PAIR_MIN = 0.6  # cosine from which two sentences are compared at ingest
NEIGHBOURS = 8
MAX_GROUP = 8
BATCH = 256  # sentences searched for their neighbours at once
KIND = "finding"


def _frame(sentence: str, value: Value) -> set[str]:
    """What a figure counts: the verb (or adjective) of its clause nearest after it ("10 more were
    *wounded*", "13 *captured*"), else nearest before it, else the noun after it."""
    doc = tagged(sentence)
    speech = english().speech_verbs | english().auxiliaries
    clause = [t for t in doc if not _split(sentence, value, t.idx)]
    after = [t for t in clause if t.idx >= value.end]
    before = [t for t in clause if t.idx < value.start][::-1]
    for tokens in (after, before):
        for t in tokens[:6]:
            predicate = t.pos_ == "VERB" or (t.pos_ == "ADJ" and (t.i + 1 >= len(doc) or
                                                                  doc[t.i + 1].pos_ not in ("NOUN", "PROPN", "ADJ")))
            comparative = t.tag_ in ("JJR", "RBR") or t.lower_ in ("other", "others", "another")
            if predicate and not comparative and t.lower_ not in speech and t.is_alpha:
                return {lemma_stem(t.lower_)}
    nouns = [t for t in after[:3] if t.pos_ == "NOUN"]
    return {lemma_stem(nouns[0].lower_)} if nouns else set()


def _split(sentence: str, value: Value, at: int) -> bool:
    """Is position `at` in another clause than the value (a comma, semicolon or "and" between)?"""
    low, high = sorted((at, value.start if at < value.start else value.end))
    between = sentence[low:high]
    return bool(re.search(r"[,;:()“”\"]|\band\b", between))


def _about(sentence: str, value: Value) -> str:
    rest = sentence[value.end:].split(",")[0].split(";")[0]
    return " ".join(rest.split()[:7]).strip(" .”\"") or sentence[:60]


def enrich(db: SentenceDB, changed: list[str], removed: list[str], vectors=None) -> None:
    """Recompute the findings that touch the changed or removed articles."""
    started = time.perf_counter()
    touched = set(changed) | set(removed)
    kept = [f for f in (Finding.from_dict(d) for d in db.annotations(KIND)) if not set(f.article_ids) & touched]
    found: list[Finding] = []
    if vectors is not None and changed:
        found = _findings(db, changed, vectors)
    known = {f.id for f in kept}
    db.clear_annotations(KIND)
    db.put_annotations(KIND, [(f.id, None, f.to_dict()) for f in kept + [f for f in found if f.id not in known]])
    log.info("disputes and agreements: %d new, %d kept, in %.1fs", len(found), len(kept),
             time.perf_counter() - started)


def _findings(db: SentenceDB, changed: list[str], vectors) -> list[Finding]:
    queries = [s for aid in changed for s in db.article_sentences(aid) if numbers(s.text)]
    if not queries:
        return []
    own = vectors.vectors([s.id for s in queries])
    pairs: dict[int, set[int]] = defaultdict(set)
    for start in tqdm(range(0, len(queries), BATCH), desc="comparing", unit="batch", disable=len(queries) < 5 * BATCH,
                      leave=False):
        found = vectors.search_many(own[start:start + BATCH], NEIGHBOURS + 1)
        for sentence, near in zip(queries[start:start + BATCH], found, strict=True):
            pairs[sentence.id].update(other for other, score in near if other != sentence.id and score >= PAIR_MIN)
    ids = set(pairs) | {o for others in pairs.values() for o in others}
    sentences = db.sentences(ids)
    values = {sid: numbers(s.text) for sid, s in sentences.items()}
    stored = dict(zip(sorted(ids), vectors.vectors(sorted(ids)), strict=True))
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def root(node: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for a, others in pairs.items():
        for b in others:
            if a not in sentences or b not in sentences or sentences[a].text == sentences[b].text:
                continue
            for i, va in enumerate(values[a]):
                frame_a = _frame(sentences[a].text, va)
                for j, vb in enumerate(values[b]):
                    if va.kind == vb.kind and frame_a and frame_a == _frame(sentences[b].text, vb):
                        parent[root((a, i))] = root((b, j))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for node in list(parent):
        groups[root(node)].append(node)
    kept = [nodes for nodes in groups.values() if 2 <= len(nodes) <= MAX_GROUP]
    # only the articles the groups quote are read (their metadata), not every article's text
    articles = {aid: db.article(aid) for aid in {sentences[sid].article_id for nodes in kept for sid, _ in nodes}}
    out = []
    for nodes in kept:
        mentions = [_mention(db, sentences[sid], values[sid][i], stored[sid], articles) for sid, i in nodes]
        first = min(nodes)
        disputes, agreements = compare(mentions, _about(sentences[first[0]].text, values[first[0]][first[1]]))
        out += [Finding.of(f) for f in disputes + agreements]
    return out


def _mention(db: SentenceDB, sentence: Sentence, value: Value, vector: np.ndarray, articles) -> Mention:
    article = articles[sentence.article_id]
    before = [s.text for s in db.article_sentences(sentence.article_id)
              if sentence.position - 3 <= s.position < sentence.position]
    return Mention(sentence.id, article.id, sentence.text, value, vector, reporter(article.outlet, article.title),
                   resolve(sentence.text, before), article.published)
