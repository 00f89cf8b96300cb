"""Sentence splitting: offline punkt, verbatim offsets, news abbreviations."""

from index.split import split_sentences


def spans(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in split_sentences(text)]


def test_offsets_give_the_sentence_verbatim():
    text = "Seven died. Ten more were wounded, the ministry said.\n\nArmenia reported 13 captured."
    found = split_sentences(text)
    assert [text[s:e] for s, e, _ in found] == [
        "Seven died.", "Ten more were wounded, the ministry said.", "Armenia reported 13 captured."]
    assert [p for _, _, p in found] == [0, 0, 1]


def test_news_abbreviations_do_not_end_sentences():
    text = "Lt. Gen. Ivanov met Col. Smith on Nov. 16 in the U.S. capital. They spoke for an hour."
    assert spans(text) == ["Lt. Gen. Ivanov met Col. Smith on Nov. 16 in the U.S. capital.",
                           "They spoke for an hour."]


def test_a_sentence_never_crosses_a_paragraph_break():
    assert spans("A headline without a period\n\nThe body starts here.") == [
        "A headline without a period", "The body starts here."]


def test_punctuation_only_lines_are_not_sentences():
    assert spans("---\n\n* * *\n\nReal text.") == ["Real text."]
