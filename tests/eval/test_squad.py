"""SQuAD 2.0 harness: the loader and its offsets, the split by article, answer citations, and a
run through a real index of a tiny SQuAD-shaped file (the real file in the slow test)."""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.records import Citation, Source
from eval import command, squad
from eval.data import DataMissing, data_root

DATA = data_root()
needs_squad = pytest.mark.skipif(not (DATA / "squad2" / squad.DEV_FILE).is_file(),
                                 reason=f"SQuAD 2.0 data absent: {DATA / 'squad2' / squad.DEV_FILE} not found")

# Four articles, two paragraphs each; answers in both paragraphs, repeated words before the
# answer, one unanswerable question per article.
ARTICLES = {
    "Kestrel_lighthouse": [
        "The Kestrel lighthouse stands on a granite headland. The Kestrel lighthouse was built in 1834 by the harbour "
        "board. "
        "Its lamp burned whale oil until 1901.",
        "The tower is 41 metres tall. Keepers lived in the tower until automation in 1982, when the last "
        "keeper, Ada Morrow, retired.",
    ],
    "Alder_river": [
        "The Alder river rises in the Fenwick hills. It flows east for 212 kilometres before it reaches the sea.",
        "Salmon return to the Alder every autumn. A weir at Millbrook was removed in 2009 to let them pass.",
    ],
    "Quill_school": [
        "Quill school was founded by the weavers' guild. Its first pupils were twelve apprentices.",
        "The school moved to a larger building on Copper street in 1957. Today it teaches about 600 pupils.",
    ],
    "Harrow_bridge": [
        "Harrow bridge crosses the Tamsin estuary. The bridge has seven stone arches.",
        "Construction of the bridge began in 1768 and took nine years. Tolls were charged until 1880.",
    ],
}
# (article, paragraph, question, answer text or None for unanswerable)
QUESTIONS = [
    ("Kestrel_lighthouse", 0, "When was the Kestrel lighthouse built?", "1834"),
    ("Kestrel_lighthouse", 0, "What did the Kestrel lighthouse lamp burn until 1901?", "whale oil"),
    ("Kestrel_lighthouse", 1, "Who was the last keeper of the Kestrel lighthouse?", "Ada Morrow"),
    ("Kestrel_lighthouse", 1, "Who designed the Kestrel lighthouse lamp?", None),
    ("Alder_river", 0, "Where does the Alder river rise?", "Fenwick hills"),
    ("Alder_river", 1, "When was the weir at Millbrook removed?", "2009"),
    ("Alder_river", 1, "How many salmon were counted in the Alder in 2009?", None),
    ("Quill_school", 0, "Who founded Quill school?", "the weavers' guild"),
    ("Quill_school", 1, "Where did Quill school move in 1957?", "Copper street"),
    ("Quill_school", 1, "Who was the first headmaster of Quill school?", None),
    ("Harrow_bridge", 0, "How many arches does Harrow bridge have?", "seven"),
    ("Harrow_bridge", 1, "When did construction of Harrow bridge begin?", "1768"),
    ("Harrow_bridge", 1, "What did a toll on Harrow bridge cost?", None),
]


def tiny_squad() -> dict:
    """The data above in SQuAD 2.0's JSON shape (answer_start: first occurrence in the paragraph)."""
    data = []
    for title, paragraphs in ARTICLES.items():
        entries = []
        for number, context in enumerate(paragraphs):
            qas = []
            for i, (article, p, question, answer) in enumerate(QUESTIONS):
                if article != title or p != number:
                    continue
                answers = [] if answer is None else [{"text": answer, "answer_start": context.index(answer)}] * 2
                qas.append({"id": f"q{i}", "question": question, "answers": answers,
                            "is_impossible": answer is None})
            entries.append({"context": context, "qas": qas})
        data.append({"title": title, "paragraphs": entries})
    return {"version": "v2.0", "data": data}


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "squad2" / squad.DEV_FILE
    path.parent.mkdir()
    path.write_text(json.dumps(tiny_squad()), encoding="utf-8")
    return path


def check_offsets(articles: list[squad.SquadArticle]) -> int:
    """Assert every answer's offset points at its text in the article text; return how many were checked."""
    checked = 0
    for article in articles:
        text = squad.article_text(article)
        for question in article.questions:
            assert question.article_title == article.title
            assert question.answerable == bool(question.answers), question.id
            for answer in question.answers:
                assert text[answer.start:answer.start + len(answer.text)] == answer.text, question.id
                checked += 1
    return checked


# loading ---------------------------------------------------------------------------

def test_loader_reads_articles_questions_and_article_offsets(tiny_file: Path):
    articles = squad.load_squad(tiny_file)
    assert [a.title for a in articles] == list(ARTICLES)
    assert [a.paragraphs for a in articles] == list(ARTICLES.values())
    assert len(squad.questions(articles)) == len(QUESTIONS)
    assert check_offsets(articles) == 2 * sum(answer is not None for *_, answer in QUESTIONS)
    # The article text is the paragraphs with a blank line between them, so an answer in
    # the second paragraph lies after the first one and the separator.
    lighthouse = articles[0]
    assert squad.article_text(lighthouse) == "\n\n".join(ARTICLES["Kestrel_lighthouse"])
    keeper = next(q for q in lighthouse.questions if q.question.startswith("Who was the last keeper"))
    assert keeper.answers[0].start > len(ARTICLES["Kestrel_lighthouse"][0]) + 2
    unanswerable = [q for q in squad.questions(articles) if not q.answerable]
    assert len(unanswerable) == 4 and all(q.answers == [] for q in unanswerable)


def test_loader_accepts_the_data_folder_or_the_file(tiny_file: Path):
    assert squad.load_squad(tiny_file.parent.parent) == squad.load_squad(tiny_file)
    assert squad.load_squad(tiny_file.parent) == squad.load_squad(tiny_file)


def test_loader_finds_an_answer_whose_start_is_off(tiny_file: Path):
    data = tiny_squad()
    qa = data["data"][1]["paragraphs"][1]["qas"][0]  # "When was the weir at Millbrook removed?" -> 2009
    qa["answers"] = [{"text": "2009", "answer_start": 3}]
    tiny_file.write_text(json.dumps(data), encoding="utf-8")
    articles = squad.load_squad(tiny_file)
    assert check_offsets(articles) > 0


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('{"version": "v2.0"}', "no 'data' list"),
    ('{"data": [{"title": "A"}]}', "lacks 'title' or 'paragraphs'"),
    ('{"data": [{"title": "A", "paragraphs": [{"context": "", "qas": []}]}]}', "'context' is missing or empty"),
    ('{"data": [{"title": "A", "paragraphs": [{"context": "Some text.", "qas": 3}]}]}', "'qas' is not a list"),
    ('{"data": [{"title": "A", "paragraphs": [{"context": "Some text.", "qas": [{"answers": []}]}]}]}',
     "a question lacks 'id' or 'question'"),
    ('{"data": [{"title": "A", "paragraphs": [{"context": "Some text.", "qas": [{"id": "x", "question": "Q?", '
     '"answers": [{"text": "absent", "answer_start": 0}], "is_impossible": false}]}]}]}', "is not in its paragraph"),
])
def test_bad_files_are_named_in_one_line(tmp_path: Path, content: str, message: str):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(squad.SquadFormatError, match=message) as caught:
        squad.load_squad(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_missing_data_says_where(tmp_path: Path):
    with pytest.raises(DataMissing, match=r"squad2: .*dev-v2.0.json not found"):
        squad.load_squad(tmp_path)


# the split ---------------------------------------------------------------------------

def test_split_is_by_article_deterministic_and_alternating(tiny_file: Path):
    articles = squad.load_squad(tiny_file)
    train, held_out = squad.split(articles)
    # Sorted titles: Alder_river, Harrow_bridge, Kestrel_lighthouse, Quill_school.
    assert [a.title for a in train] == ["Alder_river", "Kestrel_lighthouse"]
    assert [a.title for a in held_out] == ["Harrow_bridge", "Quill_school"]
    shuffled = list(articles)
    random.Random(7).shuffle(shuffled)
    assert squad.split(shuffled) == (train, held_out)
    assert {p for a in train for p in a.paragraphs}.isdisjoint(p for a in held_out for p in a.paragraphs)
    assert {q.id for q in squad.questions(train)}.isdisjoint(q.id for q in squad.questions(held_out))
    assert len(squad.questions(train)) + len(squad.questions(held_out)) == len(QUESTIONS)


def test_to_articles_gives_stable_distinct_ids_and_the_article_text(tiny_file: Path):
    articles = squad.load_squad(tiny_file)
    records = squad.to_articles(articles)
    again = squad.to_articles(squad.load_squad(tiny_file))
    assert [r.id for r in records] == [r.id for r in again]
    assert len({r.id for r in records}) == len(records)
    for article, record in zip(articles, records):
        assert record.text == squad.article_text(article)
        assert record.outlet == "Wikipedia" and record.published is None
        assert record.title == article.title.replace("_", " ")
        assert record.id == squad.article_id(article.title)
        assert len(record.paragraphs) == len(article.paragraphs)


# answer citations --------------------------------------------------------------------

def citation(title: str, start: int, end: int, text: str = "") -> Citation:
    source = Source(squad.article_id(title), title.replace("_", " "), "Wikipedia", None, None, None,
                    squad.location_of(title), start, end)
    return Citation(id=1, sentence=text, context=text, score=0.5, source=source, number=1)


def test_is_answer_citation_on_overlap_only(tiny_file: Path):
    articles = squad.load_squad(tiny_file)
    lighthouse = articles[0]
    text = squad.article_text(lighthouse)
    built = next(q for q in lighthouse.questions if q.question == "When was the Kestrel lighthouse built?")
    start = text.index("The Kestrel lighthouse was built")
    end = text.index("Its lamp") - 1
    answer = built.answers[0]
    assert squad.is_answer_citation(built, citation(lighthouse.title, start, end, text[start:end]))
    # One character of overlap at either end is enough; touching is not.
    assert squad.is_answer_citation(built, citation(lighthouse.title, answer.end - 1, answer.end + 30))
    assert squad.is_answer_citation(built, citation(lighthouse.title, answer.start - 30, answer.start + 1))
    assert not squad.is_answer_citation(built, citation(lighthouse.title, answer.end, answer.end + 30))
    assert not squad.is_answer_citation(built, citation(lighthouse.title, answer.start - 30, answer.start))
    # The first sentence of the article does not hold the answer.
    assert not squad.is_answer_citation(built, citation(lighthouse.title, 0, text.index(". The Kestrel") + 1))
    # The same offsets in another article are not the answer.
    assert not squad.is_answer_citation(built, citation("Alder_river", start, end))
    unanswerable = next(q for q in lighthouse.questions if not q.answerable)
    assert not squad.is_answer_citation(unanswerable, citation(lighthouse.title, 0, len(text)))


# through a real index ------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_index(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("squad")
    path = folder / squad.DEV_FILE
    path.write_text(json.dumps(tiny_squad()), encoding="utf-8")
    articles = squad.load_squad(path)
    assistant = squad.open_index(folder / "index", articles, progress=False)
    return articles, assistant, folder / "index"


def test_cited_offsets_are_article_offsets(tiny_index):
    articles, assistant, _ = tiny_index
    texts = {squad.article_id(a.title): squad.article_text(a) for a in articles}
    answer = assistant.ask("When was the Kestrel lighthouse built?")
    assert answer.supported and answer.citations
    for c in answer.citations:
        assert texts[c.source.article_id][c.source.start:c.source.end] == c.sentence
    built = next(q for q in squad.questions(articles) if q.question == "When was the Kestrel lighthouse built?")
    holding = [c for c in answer.citations if squad.is_answer_citation(built, c)]
    assert [c.sentence for c in holding] == ["The Kestrel lighthouse was built in 1834 by the harbour board."]
    top = holding[0]
    # The same sentence cited for another question is not its answer.
    weir = next(q for q in squad.questions(articles) if q.question.startswith("When was the weir"))
    assert not squad.is_answer_citation(weir, top)
    assert not squad.is_answer_citation(weir, replace(top, source=replace(top.source,
                                                                           article_id=squad.article_id("Alder_river"))))


def test_score_squad_on_the_tiny_index(tiny_index):
    articles, assistant, _ = tiny_index
    asked = squad.questions(articles)
    result = squad.score_squad(assistant, asked, progress=False)
    assert (result.n, result.answerable, result.unanswerable) == (13, 9, 4)
    assert set(result.baselines) == {"dense", "hybrid"}
    assert all(f.n == 9 for f in result.baselines.values())
    by_id = {o.id: o for o in result.outcomes}
    easy = by_id["q0"]  # "When was the Kestrel lighthouse built?"
    assert easy.supported and easy.rank == 1 and easy.baseline_ranks == {"dense": 1, "hybrid": 1}
    assert all(o.rank is None for o in result.outcomes if not o.answerable)
    assert result.top5 >= result.rank1 and result.latency_ms_p95 >= result.latency_ms_p50 > 0
    assert json.loads(json.dumps(result.summary()))["baselines"]["dense"]["n"] == 9


def test_open_index_reuses_an_unchanged_index_and_rebuilds_a_changed_one(tiny_index):
    articles, assistant, folder = tiny_index
    version = assistant.index.manifest
    again = squad.open_index(folder, articles, progress=False)
    assert again.index.version == assistant.index.version
    fewer = squad.open_index(folder, articles[:2], progress=False)
    assert fewer.index.version != assistant.index.version
    assert {s.title for s in fewer.sources()} == {"Kestrel lighthouse", "Alder river"}
    assert version.sentences > fewer.index.manifest.sentences


def test_open_index_refuses_a_folder_that_is_not_an_index(tmp_path: Path, tiny_file: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not an index"):
        squad.open_index(folder, squad.load_squad(tiny_file), progress=False)
    assert (folder / "keep.txt").read_text() == "mine"


# the real file ------------------------------------------------------------------------

@pytest.mark.slow
@needs_squad
def test_the_real_dev_set():
    articles = squad.load_squad()
    asked = squad.questions(articles)
    assert len(articles) == 35 and sum(len(a.paragraphs) for a in articles) == 1204
    assert len(asked) == 11873 and sum(not q.answerable for q in asked) == 5945
    assert len({q.id for q in asked}) == len(asked)
    assert check_offsets(articles) > 5928  # every answerable question has at least one answer
    train, held_out = squad.split(articles)
    assert (len(train), len(held_out)) == (18, 17)
    assert {a.title for a in train}.isdisjoint(a.title for a in held_out)
    assert {p for a in train for p in a.paragraphs}.isdisjoint(p for a in held_out for p in a.paragraphs)
    assert len({r.id for r in squad.to_articles(articles)}) == 35


# `assistant eval --squad` --------------------------------------------------------------

def run_eval(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="assistant eval")
    command.add_arguments(parser)
    code = command.run(parser.parse_args(list(argv)))
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_squad_command_scores_the_held_out_half(capsys, monkeypatch, tmp_path: Path, tiny_file: Path):
    monkeypatch.setattr(command, "SQUAD_INDEX", tmp_path / "squad-index")
    code, out, err = run_eval(capsys, "--squad", "--data", str(tiny_file.parent.parent), "--json")
    assert code == 0, err
    data = json.loads(out)
    # Held out: Harrow_bridge and Quill_school, 3 + 3 questions, 2 + 2 answerable.
    assert data["held_out"] == ["Harrow_bridge", "Quill_school"]
    assert (data["n"], data["answerable"], data["unanswerable"], data["k"]) == (6, 4, 2, 5)
    assert set(data["baselines"]) == {"dense", "hybrid"} and data["targets"]["top5"] == 0.9
    code, out, err = run_eval(capsys, "--squad", "--data", str(tiny_file), "--limit", "2")
    assert code == 0, err
    assert "2 questions asked" in out and "search, dense only" in out and "answer-or-abstain" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--data", "/nonexistent/data"], "squad2: /nonexistent/data/squad2/dev-v2.0.json not found"),
    (["--corpus", "news/"], "--squad indexes the held-out SQuAD articles itself"),
    (["--limit", "0"], "--limit must be at least 1"),
])
def test_eval_squad_user_errors_exit_2_with_one_line(capsys, argv, message):
    code, out, err = run_eval(capsys, "--squad", *argv)
    assert code == 2 and out == ""
    assert err.startswith("assistant eval: error: ") and message in err and err.count("\n") == 1
