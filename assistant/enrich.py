"""Ingest hook (an `index.library.Enricher`): claims per article, then disputes over all.

Claims are stored per article, so an incremental ingest re-parses only the articles
that changed; disputes and agreements depend on every claim, so they are recomputed
from the stored claims each time (cheap: grouping by subject, no parsing).
"""

from __future__ import annotations

import logging
import math
import time

from assistant.claims import extract_claims_many
from assistant.disputes import find_disputes
from assistant.records import Claim
from index.store import SentenceDB

log = logging.getLogger(__name__)


def _stored(claim: Claim) -> dict:
    """The claim as strict JSON: an open upper bound ("at least one") is stored as null."""
    data = claim.to_dict()
    if data["high"] is not None and math.isinf(data["high"]):
        data["high"] = None
    return data


def _loaded(data: dict) -> Claim:
    claim = Claim(**data)
    if claim.low is not None and claim.high is None:
        claim.high = math.inf
    return claim


def enrich(db: SentenceDB, changed_article_ids: list[str], removed_article_ids: list[str]) -> None:
    """Recompute the claims of changed articles, then all disputes and agreements."""
    started = time.perf_counter()
    db.clear_annotations("claim", list(changed_article_ids) + list(removed_article_ids))
    items = [(article, db.article_sentences(aid)) for aid in changed_article_ids
             if (article := db.article(aid)) is not None]
    found = extract_claims_many(items)
    rows = [(f"{c.sentence_id}:{i}", aid, _stored(c)) for aid, claims in found.items()
            for i, c in enumerate(claims)]
    db.put_annotations("claim", rows)
    parsed = time.perf_counter()

    claims = [_loaded(data) for data in db.annotations("claim")]
    articles = {a.id: a for a in db.articles()}
    sentences = db.sentences({c.sentence_id for c in claims})
    disputes, agreements = find_disputes(claims, articles, sentences)
    db.clear_annotations("dispute")
    db.put_annotations("dispute", [(d["id"], None, d) for d in disputes])
    db.clear_annotations("agreement")
    db.put_annotations("agreement", [(a["id"], None, a) for a in agreements])
    log.info("claims: %d new from %d articles in %.1fs; %d disputes, %d agreements from %d claims in %.1fs",
             len(rows), len(items), parsed - started, len(disputes), len(agreements), len(claims),
             time.perf_counter() - parsed)
