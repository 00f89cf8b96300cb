"""BM25 with bm25s, and transliterated spellings (Kalbajar / Kelbajar) matching each other."""

import numpy as np

from index.lexical import LexicalIndex
from index.text import is_variant, tokens

TEXTS = ["Armenian troops attacked positions in Kelbajar and Lachin.",
         "The attack hit the Kalbajar and Lachin districts.",
         "Talks in Brussels ended without a statement."]


def test_either_spelling_finds_both(tmp_path):
    index = LexicalIndex.build([11, 22, 33], TEXTS)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    for query in ("Kalbajar", "Kelbajar"):
        assert {sid for sid, _ in loaded.search(query, 3)} == {11, 22}


def test_filters_restrict_the_result():
    index = LexicalIndex.build([11, 22, 33], TEXTS)
    assert [sid for sid, _ in index.search("Lachin", 3, allowed=np.array([22]))] == [22]
    assert index.search("Lachin", 3, allowed=np.array([33])) == []


def test_variants_are_close_spellings_only():
    assert is_variant("kalbajar", "kelbajar")
    assert not is_variant("armenia", "romania")
    assert tokens("The soldiers’ positions") == ["soldier", "posit"]
