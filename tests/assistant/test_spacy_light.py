"""spaCy as assistant/entities.py imports and loads it (without PyTorch and spaCy's command
line, the tokenizer read from the model alone) tokenizes, tags, parses and finds entities
exactly as a plain `import spacy` and `spacy.load` do, and leaves torch and
spacy.cli importable afterwards. Each side runs in a fresh interpreter: in the test process
spaCy or torch may already be imported, which would prove nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LIGHT = r"""
import json, sys
from assistant.entities import doc_of, tagged
texts = json.loads(sys.stdin.read())
tags = [[(t.text, t.whitespace_, t.pos_, t.tag_) for t in tagged(x)] for x in texts]
parses = [[(t.dep_, t.head.i, t.ent_type_) for t in doc_of(x)] for x in texts]
skipped = sorted(m for m in ("torch", "typer", "weasel", "spacy.cli") if m in sys.modules)
import torch, spacy, spacy.cli
from spacy.cli.info import info
assert callable(info) and torch.tensor([1]).item() == 1
print(json.dumps({"tags": tags, "parses": parses, "skipped": skipped}))
"""

PLAIN = r"""
import json, sys
import spacy
from assistant.entities import MODEL
texts = json.loads(sys.stdin.read())
tagger = spacy.load(MODEL, disable=["parser", "ner", "lemmatizer"])
full = spacy.load(MODEL, disable=["lemmatizer"])
print(json.dumps({"tags": [[(t.text, t.whitespace_, t.pos_, t.tag_) for t in tagger(x)] for x in texts],
                  "parses": [[(t.dep_, t.head.i, t.ent_type_) for t in full(x)] for x in texts]}))
"""


def _python(code: str, stdin: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_light_spacy_gives_the_same_tags_parses_and_entities_and_leaves_torch_importable():
    from index.split import split_sentences

    text = "\n\n".join(p.read_text(encoding="utf-8").split("---", 2)[-1]
                       for p in sorted((ROOT / "corpus" / "seeds").glob("*.md")))
    sentences = [text[s:e] for s, e, _ in split_sentences(text)][:40]
    sentences += ["How many servicemen were captured?", "Who started the fighting on the border?",
                  "Don't the U.S. troops' 1,000km e.g. N.Y.C. at 3pm :) can't say, it's 'unclear'."]
    payload = json.dumps(sentences)
    light, plain = _python(LIGHT, payload), _python(PLAIN, payload)
    assert light["skipped"] == []
    assert light["tags"] == plain["tags"] and light["parses"] == plain["parses"]
    assert any(ent for parse in light["parses"] for _, _, ent in parse)
