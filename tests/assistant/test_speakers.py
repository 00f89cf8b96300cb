"""Who says it: attribution read from general English, resolved back through the article."""

from __future__ import annotations

from assistant.speakers import leans_back, reporter, resolve, short_title, speaker_in

ARTICLE = [
    "The regional fire service said on Monday that 30 people were injured in the warehouse blaze.",
    "It also reported that two firefighters were taken to hospital.",
    "“The building could not be saved,” said Chief Officer Dana Brooks.",
    "The owner, according to Harbour Logistics, had no insurance.",
    "Police said the cause was not yet known.",
]


def test_the_speaker_a_sentence_names():
    assert speaker_in(ARTICLE[0]) == "The regional fire service"
    assert speaker_in(ARTICLE[2]) == "Chief Officer Dana Brooks"
    assert speaker_in("Revenue fell 3%, the company's chief financial officer Ana Ruiz said.") == \
        "the company's chief financial officer Ana Ruiz"
    assert speaker_in("The bridge reopened on Friday.") is None


def test_a_sentence_that_leans_back_takes_the_speaker_before_it():
    assert leans_back(ARTICLE[1])
    assert resolve(ARTICLE[1], ARTICLE[:1]) == "The regional fire service"
    assert resolve(ARTICLE[4], ARTICLE[:4]) == "Police"


def test_a_generic_speaker_with_no_name_before_it_is_left_to_the_outlet():
    assert resolve("The company said revenue rose.", []) is None
    assert reporter(None, "Calder Foods beats forecasts") == "Calder Foods beats forecasts"
    assert reporter("Metro Wire", "Calder Foods beats forecasts") == "Metro Wire"


def test_titles_are_shortened_at_a_word():
    title = "Seventeen injured as fire sweeps through historic warehouse district on the river front"
    short = short_title(title, 40)
    assert short.endswith("…") and len(short) <= 41
    assert title.startswith(short[:-1]) and title[len(short) - 1] == " "
