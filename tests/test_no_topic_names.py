"""The answering code knows no topic: no name of the default corpus's story in assistant/ or index/."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = re.compile(r"armenia|azerbaijan|baku|yerevan|kalbajar|kelbajar|lachin|pashinyan|martyr", re.I)


def test_no_default_corpus_names_in_answering_code():
    found = []
    for folder in ("assistant", "index"):
        for path in sorted((ROOT / folder).rglob("*")):
            if "built" in path.relative_to(ROOT).parts:  # a built index (git-ignored) holds article text
                continue
            if path.is_file() and path.suffix in (".py", ".json", ".txt", ".toml", ".yaml"):
                for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                    if NAMES.search(line):
                        found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert not found, "\n".join(found)
