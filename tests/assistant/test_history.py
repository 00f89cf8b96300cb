"""Stored conversations (assistant.history): real answers from the seed index written to a
real SQLite file and read back as the same records; reopened conversations read follow-ups
in context; the file outlives ingests and a writer killed mid-write."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from assistant import Answer, Assistant, AssistantError, Conversation
from assistant.history import FILE_NAME, History, UnknownConversation, answer_from_dict
from index import library

ROOT = Path(__file__).resolve().parents[2]
KILLED = "How many Azerbaijani servicemen were killed in the clashes?"
WOUNDED_FOLLOW_UP = "and how many were wounded?"
CAPTURED = "How many Armenian servicemen were captured?"
NOT_ANSWERED = "What is the price of wheat in Canada?"


@pytest.fixture(scope="module")
def answers(seed_assistant: Assistant) -> dict[str, Answer]:
    """Real answers: one with agreements or disputes, a follow-up, one the sources do not answer."""
    conv = seed_assistant.conversation()
    return {"killed": conv.ask(KILLED), "follow_up": conv.ask(WOUNDED_FOLLOW_UP),
            "captured": seed_assistant.ask(CAPTURED), "none": seed_assistant.ask(NOT_ANSWERED)}


def test_answers_come_back_as_the_same_records(tmp_path: Path, answers: dict[str, Answer]):
    history = History(tmp_path / FILE_NAME)
    assert any(a.disputes or a.agreements for a in answers.values())  # the nested records are exercised
    assert not answers["none"].supported
    for answer in answers.values():
        history.append_turn("c1", answer)
    back = History(tmp_path / FILE_NAME).load("c1")  # a fresh handle: read from the file
    assert back == list(answers.values())
    assert all(type(c).__name__ == "Citation" for a in back for c in a.citations + a.related)
    assert [json.dumps(a.to_dict()) for a in back] == [json.dumps(a.to_dict()) for a in answers.values()]


def test_list_rename_delete(tmp_path: Path, answers: dict[str, Answer]):
    history = History(tmp_path / FILE_NAME)
    history.append_turn("older", answers["captured"])
    time.sleep(0.01)
    history.append_turn("newer", answers["killed"])
    history.append_turn("newer", answers["follow_up"])
    listed = history.list()
    assert [c.id for c in listed] == ["newer", "older"]
    assert listed[0].title == KILLED and listed[0].turns == 2 and not listed[0].named
    assert listed[1].title == CAPTURED and listed[1].turns == 1

    time.sleep(0.01)
    history.append_turn("older", answers["none"])  # added to: now the most recent
    assert [c.id for c in history.list()] == ["older", "newer"]

    history.rename("newer", "  Casualties\n on the border ")
    info = history.info("newer")
    assert info.title == "Casualties on the border" and info.named
    history.rename("newer", "   ")  # a blank title names it by its first question again
    assert history.info("newer").title == KILLED and not history.info("newer").named

    history.delete("older")
    assert [c.id for c in history.list()] == ["newer"]
    with pytest.raises(UnknownConversation):
        history.load("older")
    with sqlite3.connect(tmp_path / FILE_NAME) as db:  # its turns went with it
        assert db.execute("SELECT COUNT(*) FROM turns WHERE conversation = 'older'").fetchone() == (0,)
    for act in (lambda: history.rename("nope", "x"), lambda: history.delete("nope")):
        with pytest.raises(UnknownConversation, match="nope"):
            act()


def test_hostile_title_is_stored_as_typed(tmp_path: Path, answers: dict[str, Answer]):
    history = History(tmp_path / FILE_NAME)
    cid = history.create()
    title = "<script>alert(1)</script> **bold** [x](javascript:alert(2)) :red[red] $x$ ' OR 1=1; --"
    history.rename(cid, title)
    assert history.info(cid).title == title
    assert history.info(cid).turns == 0


def test_a_reopened_conversation_reads_follow_ups_in_context(tmp_path: Path, seed_assistant: Assistant):
    history = History.of_index(tmp_path)
    first = Conversation.stored(seed_assistant, history)
    first.ask(KILLED)
    expected = seed_assistant.conversation()
    expected.ask(KILLED)
    expected = expected.ask(WOUNDED_FOLLOW_UP)

    reopened = Conversation.resume(seed_assistant, History.of_index(tmp_path), first.id)
    follow_up = reopened.ask(WOUNDED_FOLLOW_UP)
    assert follow_up.interpreted_as != WOUNDED_FOLLOW_UP  # it gained the first question's subject
    assert follow_up.interpreted_as == expected.interpreted_as
    assert [a.question for a in history.load(first.id)] == [KILLED, WOUNDED_FOLLOW_UP]


def test_an_answer_the_history_cannot_keep_is_still_given(tmp_path: Path, seed_assistant: Assistant):
    history = History.of_index(tmp_path)
    conversation = Conversation.stored(seed_assistant, history)
    (tmp_path / FILE_NAME).unlink()
    (tmp_path / FILE_NAME).mkdir()  # the file is gone and nothing can take its place
    answer = conversation.ask(KILLED)
    assert answer.supported and conversation.turns == [answer]
    assert "not kept" in conversation.unsaved


def test_history_outlives_ingests(own_index: Path, tmp_path: Path, answers: dict[str, Answer]):
    history = History.of_index(own_index)
    history.append_turn("kept", answers["killed"])
    before = library.current_version(own_index)
    article = tmp_path / "new.md"
    article.write_text("---\ntitle: Harbour report\noutlet: Port News\npublished: 2024-06-01\n---\n\n"
                       "The harbour master said 37 cargo ships were delayed by the storm.\n", encoding="utf-8")
    engine = Assistant.open(own_index, refresh=False)
    engine.ingest([str(article)], progress=False)
    engine.ingest([], rebuild=True, progress=False)  # a rebuild starts a fresh version too
    engine.index.close()
    library.clean_stale(own_index)
    assert library.current_version(own_index) != before
    assert not before.exists()  # the old version was cleaned up, the history was not
    assert (own_index / FILE_NAME).exists()
    assert History.of_index(own_index).load("kept") == [answers["killed"]]


WRITER = """
import json, sys
from assistant.history import History, answer_from_dict
answer = answer_from_dict(json.loads(open(sys.argv[2], encoding="utf-8").read()))
history = History(sys.argv[1])
print("ready", flush=True)
while True:
    history.append_turn(sys.argv[3], answer)
"""


def test_writers_killed_mid_write_leave_only_whole_turns(tmp_path: Path, answers: dict[str, Answer]):
    path = tmp_path / FILE_NAME
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(answers["killed"].to_dict()), encoding="utf-8")
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(answer), "shared"], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for w in writers:
            assert w.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        while History(path).info("shared") is None or History(path).info("shared").turns < 20:
            assert time.monotonic() < deadline, "the writers stored nothing"
            time.sleep(0.05)
    finally:
        for w in writers:
            w.send_signal(signal.SIGKILL)
            w.wait()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        positions = [p for (p,) in db.execute("SELECT position FROM turns WHERE conversation = 'shared' "
                                              "ORDER BY position")]
    assert positions == list(range(len(positions)))  # two writers, no gap and no position taken twice
    stored = History(path).load("shared")
    assert len(stored) == len(positions) >= 20
    assert all(a == answers["killed"] for a in stored)


def test_unusable_file_is_one_clear_error(tmp_path: Path, answers: dict[str, Answer]):
    path = tmp_path / FILE_NAME
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(AssistantError, match="conversation history"):
        History(path)
    with pytest.raises(AssistantError, match="cannot be read back"):
        answer_from_dict({**asdict(answers["killed"]), "citations": [{"id": 1}]})
