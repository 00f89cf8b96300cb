"""Answer types from the question's wording, and candidate answers in sentences, on varied topics."""

from __future__ import annotations

import math

import pytest

from assistant.answer_types import answer_type
from assistant.values import dates, numbers, of_kind


@pytest.mark.parametrize("question, kind", [
    ("How many people were injured in the fire?", "number"),
    ("What was the death toll of the earthquake?", "number"),
    ("How much did the club pay for the striker?", "money"),
    ("How much revenue did Calder Foods report?", "money"),
    ("How big is the fine imposed on the bank?", "money"),
    ("How high is the rent for a studio flat?", "money"),
    ("How big is the new stadium?", "number"),
    ("What percentage of voters backed the measure?", "percent"),
    ("What share of the vote did Okonjo get?", "percent"),
    ("What was the final score of the cup final?", "score"),
    ("When did the museum open?", "date"),
    ("In what year was the bridge built?", "date"),
    ("From when can residents apply?", "date"),
    ("Where was the summit held?", "place"),
    ("In which city did the protest take place?", "place"),
    ("Who directed the film?", "person"),
    ("Which company bought the brewery?", "org"),
    ("Why did the airline cancel the flights?", "reason"),
    ("What was the aim of the strike?", "reason"),
    ("How did the talks end?", "manner"),
    ("Did the drug reduce mortality?", "verdict"),
    ("Vitamin D supplements reduce the risk of fractures.", "verdict"),
    ("What weapons did the rebels use?", "other"),
])
def test_the_kind_of_answer_a_question_wants(question, kind):
    assert answer_type(question).kind == kind


def test_focus_keeps_what_the_question_is_about():
    focus = answer_type("How many firefighters were injured in the warehouse fire?").focus
    assert {"firefight", "injur", "warehous", "fire"} <= set(focus)
    assert "how" not in focus and "mani" not in focus


@pytest.mark.parametrize("text, expected", [
    ("Seven miners died and 10 more were hurt.", [(7, 7), (10, 10)]),
    ("At least 12 people died; a dozen were missing.", [(12, math.inf), (12, 12)]),
    ("The war left more than 6,500 dead.", [(6501, math.inf)]),
    ("Twenty-five houses and dozens of cars burned.", [(25, 25), (24, 144)]),
    ("Nearly 300 workers joined the strike.", [(270, 300)]),
    ("The gauge measured 187mm of rain and the road was shut for 40km.", [(187, 187), (40, 40)]),
])
def test_numbers_in_digits_words_and_ranges(text, expected):
    assert [(v.low, v.high) for v in numbers(text) if v.kind == "number"] == expected


def test_money_percent_score_and_dates_are_their_own_kinds():
    text = "Revenue rose to $4.2 billion, up 12% from 2020; the club won 3-1 on Saturday, 6 May 2023 at 18:30."
    kinds = {(v.kind, v.text) for v in numbers(text)}
    assert ("money", "$4.2 billion") in kinds and ("percent", "12%") in kinds and ("score", "3-1") in kinds
    assert all(v.kind != "number" or v.text not in ("2020", "2023", "6") for v in numbers(text))
    found = {d.text for d in dates(text)}
    assert "2020" in found and "18:30" in found and any("6 May 2023" in d for d in found)


def test_values_agree_when_both_can_be_true():
    twelve = numbers("There were 12 deaths.")[0]
    assert twelve.agrees(numbers("at least 12 deaths")[0]) and twelve.agrees(numbers("about 11 deaths")[0])
    assert not twelve.agrees(numbers("13 deaths")[0])
    assert not numbers("17 dead")[0].agrees(numbers("at least 14 dead")[0])  # a floor well below is another count
    may, sixth = dates("in May 2023")[0], dates("on 6 May")[0]
    assert may.agrees(sixth) and not sixth.agrees(dates("on 9 May")[0])
    assert not numbers("3-1")[0].agrees(numbers("3-2")[0])


def test_names_need_a_parse_and_are_compared_by_their_words():
    from assistant.entities import doc_of

    text = "The film was directed by Maren Holt and produced by Lumen Pictures."
    found = of_kind("person", text, doc_of(text))
    assert any(v.key == "maren holt" for v in found)
    holt = next(v for v in found if v.key == "maren holt")
    assert holt.agrees(holt.__class__("person", "Holt", 0, 4, key="holt"))


def test_two_floors_far_apart_are_two_counts():
    from assistant.values import numbers

    over_300, over_6500 = numbers("over 300 villages")[0], numbers("more than 6,500 dead")[0]
    assert not over_300.agrees(over_6500)
    at_least_12, more_than_12 = numbers("at least 12 people")[0], numbers("more than 12 people")[0]
    assert at_least_12.agrees(more_than_12)
    # "more than 25,000" begins at 25,001: the same figure as "25,000" said another way
    assert numbers("more than 25,000 marched")[0].agrees(numbers("a crowd of 25,000")[0])
    assert not numbers("40.8 degrees")[0].agrees(numbers("41 degrees")[0])


def test_years_meant_counts_back_from_the_report():
    from assistant.values import years_meant

    assert years_meant("The war that ended a year ago left 40 dead.", "2021-11-17") == {2020}
    assert years_meant("In 2019 the river flooded.", "2024-01-01") == {2019}
    assert years_meant("Seven died on Tuesday.", "2021-11-17") == set()


def _judged(text: str):
    from assistant.judge import Judged
    from assistant.retrieval import Hit
    from corpus.records import Article
    from index.records import Sentence

    article = Article(id="a", title="A report", text=text)
    return Judged(Hit(Sentence(1, "a", 0, 0, len(text), text), article, 1.0), text, 1.0)


def test_a_verb_is_used_by_its_noun_in_a_passage():
    """'conversion' speaks of converting (a passage that uses the noun uses the verb)."""
    from assistant.judge import _missing, question_verbs

    verbs = question_verbs("How much did it cost to convert the mill?")
    assert "convert" in {v[:7] for v in verbs}
    assert not _missing(verbs, [_judged("The £30 million conversion of the mill cost a lot.")], 10)
    assert _missing(verbs, [_judged("The mill cost £30 million to buy.")], 10)


def test_a_figure_the_sentence_names_as_another_measure_does_not_answer():
    """'net profit' is not answered by 'revenue of $4.2 billion'; 'sales' and 'revenue' are one measure."""
    from assistant.compose import _measured_as_asked
    from assistant.values import numbers

    revenue = "Calder reported revenue of $4.2 billion and a net profit of $310 million."
    v42, v310 = numbers(revenue)
    assert not _measured_as_asked(v42, revenue, "What was Calder's net profit?")
    assert _measured_as_asked(v310, revenue, "What was Calder's net profit?")
    sales = "Sales rose 9% to $4.6 billion in the quarter."
    assert _measured_as_asked(numbers(sales)[1], sales, "How much revenue did Calder make?")
    assert _measured_as_asked(v42, revenue, "How much did Calder make?")  # the question names no measure
