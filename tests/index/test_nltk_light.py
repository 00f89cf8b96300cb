"""NLTK modules loaded alone (index/nltk_light.py) behave as the ones full NLTK imports, and
the start of a process that stems words does not import NLTK's heavy dependencies.

Each check runs in a fresh interpreter: in the test process NLTK may already be imported,
which takes the ordinary path and would prove nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Words the Snowball English algorithm treats specially, besides the corpus vocabulary.
SPECIAL = ["skis", "skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early", "only",
           "singly", "sky", "news", "howe", "atlas", "cosmos", "bias", "andes", "inning", "innings",
           "outing", "outings", "canning", "cannings", "herring", "herrings", "earring", "earrings",
           "proceed", "exceed", "succeed", "generously", "communism", "arsenal", "generate",
           "'quoted'", "o'neill's", "yelling", "hopping", "captured", "killed", "wounded", "1980s"]

LIGHT = r"""
import json, sys
from index.text import stem
from index.nltk_light import nltk_module
punkt = nltk_module("nltk.tokenize.punkt")
heavy = sorted(m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("nltk", "scipy", "sklearn", "pandas"))
words, text = json.loads(sys.stdin.read())
print(json.dumps({"heavy": sorted(set(heavy)), "stems": [stem(w) for w in words],
                  "sentences": punkt.PunktSentenceTokenizer().tokenize(text)}))
"""

FULL = r"""
import json, sys
import nltk
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize.punkt import PunktSentenceTokenizer
stemmer = SnowballStemmer("english")
words, text = json.loads(sys.stdin.read())
print(json.dumps({"stems": [stemmer.stem(w) if w.isalpha() else w for w in words],
                  "sentences": PunktSentenceTokenizer().tokenize(text)}))
"""

AFTER = r"""
from index.text import stem
import nltk
from nltk.stem.snowball import SnowballStemmer
from nltk.probability import FreqDist
assert nltk.stem.snowball.SnowballStemmer is SnowballStemmer
assert SnowballStemmer("english").stem("captured") == stem("captured") == "captur"
assert FreqDist("abca")["a"] == 2
print("ok")
"""


def _python(code: str, stdin: str = "") -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _corpus() -> tuple[list[str], str]:
    from index.text import words

    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "seeds").glob("*.md")))
    return sorted(set(words(text)) | set(SPECIAL)), text


def test_light_modules_give_what_full_nltk_gives_without_its_heavy_imports():
    vocabulary, text = _corpus()
    assert len(vocabulary) > 300
    payload = json.dumps([vocabulary, text])
    light = json.loads(_python(LIGHT, payload))
    full = json.loads(_python(FULL, payload))
    assert light["heavy"] == []
    assert light["stems"] == full["stems"]
    assert light["sentences"] == full["sentences"] and len(light["sentences"]) > 20


def test_nltk_imports_whole_after_a_light_load():
    assert _python(AFTER).strip() == "ok"
