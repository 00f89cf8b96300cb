"""Judgement on topics the project never saw: disputes, agreements, abstention and speakers,
through the real engine (model, FAISS, SQLite) on a corpus this test writes itself."""

from __future__ import annotations

import json

import pytest

from assistant import Assistant

ARTICLES = [
    ("Harbor Gazette", "2024-05-12", "Rovers lift the Northern Cup",
     "Riverton Rovers won the Northern Cup on Saturday, beating Ashford City 3-1 at Lindell Park. "
     "Tomas Verlaine struck the winning goal in the 67th minute, the club said. "
     "A crowd of 41,000 watched the final. The club will receive £2.5 million in prize money."),
    ("Metro Wire", "2024-05-12", "Ashford fall short in the cup final",
     "Ashford City were beaten 3-2 by Riverton Rovers in Saturday's Northern Cup final. "
     "The match was settled by a late strike from Kofi Mensah, according to the league. "
     "Some 41,000 fans were at Lindell Park. Ashford last reached a final in 1998."),
    ("Harbor Gazette", "2024-03-02", "Northline names a new chief executive",
     "Northline Railways has appointed Priya Raman, currently its finance director, as chief executive. "
     "She will take over on 1 March from Gerald Finch, who is retiring. Shares rose 2 percent on the news."),
    ("Metro Wire", "2024-03-02", "Tram veteran to run Northline",
     "Daniel Okafor, the former head of the city's tram network, will become Northline's chief executive, "
     "the board said. Okafor will start on 1 April. The company employs about 6,000 people."),
    ("Harbor Gazette", "2024-04-20", "Calder Foods beats forecasts",
     "Calder Foods reported quarterly revenue of $4.2 billion on Thursday, the company said. "
     "Its operating profit was $310 million. Chief financial officer Ana Ruiz said demand stayed strong."),
    ("Metro Wire", "2024-04-20", "Calder sales slow",
     "Calder Foods posted revenue of $3.9 billion for the quarter, according to its filing. "
     "The group plans to open 40 new stores next year."),
    ("Harbor Gazette", "2024-06-03", "Flooding hits the valley",
     "At least 12 people died when the river burst its banks on Sunday, the regional governor said. "
     "Another 30 were injured and taken to hospital. Rescue teams worked through the night."),
    ("Metro Wire", "2024-06-03", "Twelve dead in valley floods",
     "The floods killed 12 people in three villages, officials said. "
     "Power was cut to 5,000 homes for two days."),
    ("Harbor Gazette", "2024-09-09", "Okonjo wins Port Calder mayoral race",
     "Adaeze Okonjo has been elected mayor of Port Calder, taking 52.4 percent of the vote in Sunday's run-off. "
     "Her opponent Helena Marsh won 47.6 percent. Turnout was 58 percent."),
    ("Metro Wire", "2024-09-09", "New mayor for Port Calder",
     "Adaeze Okonjo won the race for mayor of Port Calder with 54.1% of the ballots cast. "
     "She will be sworn in on 3 November."),
    ("Harbor Gazette", "2024-02-01", "Mine collapse kills five",
     "Five miners were killed when a tunnel collapsed at the Kestrel mine on Wednesday, the operator said. "
     "Rescuers are still searching for others."),
    ("Harbor Gazette", "2024-02-03", "Kestrel mine toll rises",
     "The number of miners killed in the Kestrel mine collapse has risen to eight, the operator said on Friday. "
     "An inquiry will begin next month."),
]


def _built(tmp_path_factory: pytest.TempPathFactory, name: str, articles: list[tuple[str, str, str, str]]
           ) -> Assistant:
    """An index of (outlet, published, title, text) articles, written as JSON Lines and ingested."""
    folder = tmp_path_factory.mktemp(name)
    path = folder / "articles.jsonl"
    rows = [{"title": t, "text": text, "outlet": o, "published": d} for o, d, t, text in articles]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return Assistant.build(folder / "index", [str(path)], progress=False)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assistant, dict[str, str]]:
    return _built(tmp_path_factory, "judgement", ARTICLES), {t: text for _, _, t, text in ARTICLES}


def _positions(answer) -> list[set[str]]:
    return [{side.position.casefold() for side in d.sides} for d in answer.disputes]


def _outlets(side) -> set[str]:
    return {c.source.outlet for c in side.citations}


@pytest.mark.parametrize("question, values", [
    ("What was the final score in the Northern Cup final?", {"3-1", "3-2"}),
    ("How much revenue did Calder Foods report for the quarter?", {"$4.2 billion", "$3.9 billion"}),
    ("What share of the vote did Okonjo get?", {"52.4 percent", "54.1%"}),
])
def test_sources_giving_different_answers_are_a_dispute(engine, question, values):
    assistant, _ = engine
    answer = assistant.ask(question)
    assert answer.supported, answer.message
    assert answer.disputes, f"no dispute shown for {question!r}: {answer.message}"
    dispute = answer.disputes[0]
    assert {s.position.casefold() for s in dispute.sides} == {v.casefold() for v in values}
    assert {o for side in dispute.sides for o in _outlets(side)} == {"Harbor Gazette", "Metro Wire"}
    assert "differ" in answer.message


def test_a_person_dispute_names_both_people(engine):
    answer = engine[0].ask("Who is the new chief executive of Northline Railways?")
    assert answer.disputes, answer.message
    named = " ".join(side.position for side in answer.disputes[0].sides)
    assert "Raman" in named and "Okafor" in named


def test_a_later_report_revising_a_figure_is_an_update(engine):
    answer = engine[0].ask("How many miners died in the Kestrel mine collapse?")
    assert answer.disputes, answer.message
    dispute = answer.disputes[0]
    assert dispute.kind == "update"
    assert [s.position.casefold() for s in dispute.sides] == ["five", "eight"]  # oldest first


def test_the_same_answer_from_two_outlets_is_an_agreement_not_a_dispute(engine):
    answer = engine[0].ask("What was the death toll of the valley floods?")
    assert answer.supported and answer.disputes == []
    assert any(len(a.outlets) == 2 for a in answer.agreements), answer.agreements


def test_a_figure_only_one_outlet_gives_is_answered_without_dispute_or_agreement(engine):
    answer = engine[0].ask("How many people were injured in the floods?")
    assert answer.supported
    assert answer.disputes == [] and answer.agreements == []
    assert "30" in answer.citations[0].sentence


@pytest.mark.parametrize("question", [
    "How many people were evacuated from the valley?",
    "What was Northline's annual profit?",
    "How many goals did Verlaine score in the semi-final?",
])
def test_questions_the_articles_do_not_answer_are_declined(engine, question):
    answer = engine[0].ask(question)
    assert not answer.supported, answer.lead
    assert answer.message == "The sources do not answer this question."
    assert answer.disputes == [] and answer.agreements == []


def test_other_figures_in_the_same_articles_raise_no_dispute(engine):
    for question in ("How many fans attended the Northern Cup final?", "How many homes lost power?"):
        answer = engine[0].ask(question)
        assert answer.disputes == [], (question, [d.summary for d in answer.disputes])


def test_every_citation_is_verbatim_at_its_offsets(engine):
    assistant, texts = engine
    for question in ("What was the final score in the Northern Cup final?", "Who scored the winning goal?",
                     "How many people died in the floods?"):
        answer = assistant.ask(question)
        for c in answer.citations + answer.related + [c for d in answer.disputes for s in d.sides
                                                      for c in s.citations]:
            assert texts[c.source.title][c.source.start:c.source.end] == c.sentence


def test_a_side_names_who_says_it_and_never_the_author(engine):
    answer = engine[0].ask("How much revenue did Calder Foods report for the quarter?")
    speakers = {c.speaker for d in answer.disputes for s in d.sides for c in s.citations}
    assert "the company" not in speakers  # a generic body is resolved or left to the outlet
    sides = {s.position: s.speaker for d in answer.disputes for s in d.sides}
    assert any("Metro Wire" in who or "filing" in who for who in sides.values()), sides


EARLIER_FLOOD = [
    ("Harbor Gazette", "2024-06-03", "Flooding hits the valley again",
     "At least 12 people died when the river burst its banks on Sunday, the regional governor said. "
     "Rescue teams worked through the night."),
    ("Metro Wire", "2024-06-04", "Valley counts the cost",
     "The floods killed 12 people in three villages this week, officials said. "
     "The disaster that struck the same valley a year ago, and lasted nine days, left 41 people dead. "
     "Power was cut to 5,000 homes for two days."),
]


@pytest.fixture(scope="module")
def two_floods(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _built(tmp_path_factory, "floods", EARLIER_FLOOD)


def test_a_question_naming_a_year_is_answered_from_that_year(two_floods):
    """'a year ago' in a 2024 report is 2023: that sentence answers, and this week's toll is
    another event, not a side of a dispute; 'nine days' is no count of the dead."""
    answer = two_floods.ask("How many people died in the 2023 floods?")
    assert answer.supported, answer.message
    assert "41" in answer.citations[0].sentence
    assert answer.disputes == [], [d.summary for d in answer.disputes]
    assert not any("nine" in side.position for a in answer.agreements for side in a.sides)


TAKEOVER = [
    ("Harbor Gazette", "2024-07-01", "Vantor Labs to buy Pelican Robotics",
     "Vantor Labs has agreed to acquire Pelican Robotics, a maker of warehouse robots, for $900 million. "
     "Pelican was founded in 2015 by engineer Ines Koval."),
    ("Metro Wire", "2024-07-01", "Marlow snaps up Pelican",
     "Marlow Industries is buying Pelican Robotics in a $900 million deal, the companies said. "
     "The deal is expected to close in the autumn."),
    ("Harbor Gazette", "2024-07-02", "Mill museum opens",
     "The £30 million conversion of the old Tanner mill was carried out by Dunlin Build. "
     "The museum opens to visitors on Saturday."),
    ("Metro Wire", "2024-07-02", "Tanner mill reborn as a museum",
     "Turning the Tanner mill into a museum cost £34 million, the council said. "
     "Entry will be free for the first month."),
]


@pytest.fixture(scope="module")
def takeover(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _built(tmp_path_factory, "takeover", TAKEOVER)


def test_two_buyers_named_with_different_verbs_are_a_dispute(takeover):
    """'acquire' and 'is buying' say the same thing: both sentences answer 'who is acquiring',
    the founder named beside them does not (and spaCy gives no label to 'Vantor Labs')."""
    answer = takeover.ask("Which company is acquiring Pelican Robotics?")
    assert answer.supported, answer.message
    positions = _positions(answer)
    assert any({"vantor labs", "marlow industries"} <= p for p in positions), [d.summary for d in answer.disputes]
    assert not any("ines koval" in p for p in positions)


def test_a_noun_for_the_question_verb_still_answers_it(takeover):
    """'conversion' speaks of converting: the question is answered, and the two costs disagree."""
    answer = takeover.ask("How much did it cost to convert the Tanner mill?")
    assert answer.supported, answer.message
    assert any({"£30 million", "£34 million"} <= {s.position for s in d.sides} for d in answer.disputes), \
        [d.summary for d in answer.disputes]


RIVALS = [
    ("Coastline Herald", "2025-04-11", "Marlins end 12-year wait for the title",
     "The Corby Marlins beat the Ashgate Ospreys 104-99 on Friday to win the league title, ending a 12-year wait. "
     "Centre Luca Brandt scored 28 points. The Marlins will parade through the city on Sunday."),
    ("Valley Times", "2025-04-11", "Ospreys fall in the final",
     "The Ospreys' season ended with a 104-101 loss in the deciding game at Seaview Arena. "
     "Coach Marit Olsen said her players had nothing left to give. Tickets for the game had sold out in an hour."),
    ("Coastline Herald", "2025-03-20", "Dunmore rents climb again",
     "The average monthly rent for a one-bedroom flat in Dunmore reached £980 in March, a lettings agency said. "
     "House prices in the town rose by 2.1% over the year."),
    ("Valley Times", "2025-03-21", "Renters squeezed in Dunmore",
     "Tenants in Dunmore now pay £1,040 a month on average for a one-bedroom home, according to a housing charity. "
     "The charity wants the council to build 500 homes a year."),
]


@pytest.fixture(scope="module")
def rivals(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _built(tmp_path_factory, "rivals", RIVALS)


@pytest.mark.parametrize("question, values", [
    ("What was the final score of the title game?", {"104-99", "104-101"}),
    ("What is the average rent for a one-bedroom flat in Dunmore?", {"£980", "£1,040"}),
])
def test_a_rival_figure_in_other_words_is_a_dispute(rivals, question, values):
    """The second outlet's sentence does not use the question's words ("loss in the deciding game",
    "tenants now pay"): the stance judge reads it against the best answer and finds it refutes it."""
    answer = rivals.ask(question)
    assert answer.supported, answer.message
    assert any(values <= {s.position for s in d.sides} for d in answer.disputes), \
        (answer.message, [d.summary for d in answer.disputes])


def test_a_figure_of_another_measure_is_no_rival(rivals):
    """House prices rising 2.1% and 500 homes a year are other facts: no dispute on the rent."""
    answer = rivals.ask("What is the average rent for a one-bedroom flat in Dunmore?")
    for d in answer.disputes:
        assert not {"2.1%", "500"} & {s.position for s in d.sides}, d.summary
