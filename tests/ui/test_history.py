"""The sidebar's conversation history, driven through streamlit.testing's AppTest on the real
engine and a private copy of the seed index: conversations stored as they are asked, listed
newest first by their first question, reopened from the URL (a reload) or the list, renamed
(hostile titles stay text) and deleted after a confirm step."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.history import History
from briefing.display import shorten
from tests.ui.test_app import APP, TIMEOUT, ask, page_html
from ui import render
from ui.conversations import LABEL_CHARS, PARAM

WOUNDED = "How many Azerbaijani soldiers were wounded?"
CAPTURED = "How many Armenian servicemen were captured?"
FOLLOW_UP = "and how many were killed?"
HOSTILE = "<script>alert(1)</script> **Bold** [phish](https://evil.example) :red[red] $x$ <img src=x onerror=alert(2)>"


def start(folder: Path, monkeypatch: pytest.MonkeyPatch, cid: str | None = None) -> AppTest:
    """The page opened afresh (a new browser session), on `?c=cid` when given."""
    monkeypatch.setenv("ASSISTANT_INDEX", str(folder))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if cid:
        at.query_params[PARAM] = cid
    at.run()
    assert not at.exception, at.exception
    return at


def listed(at: AppTest) -> list[str]:
    """The ids of the conversations the sidebar lists, top first."""
    return [b.key.removeprefix("conv-open-") for b in at.sidebar.button if b.key and b.key.startswith("conv-open-")]


def click(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception, at.exception


def test_conversations_are_kept_listed_and_reopened_after_a_reload(own_index: Path, monkeypatch):
    at = start(own_index, monkeypatch)
    assert listed(at) == []
    ask(at, WOUNDED)
    ask(at, FOLLOW_UP)
    cid = at.session_state["conversation"].id
    assert at.query_params[PARAM] == cid  # the URL names it: a reload comes back to it
    assert listed(at) == [cid]
    assert at.button(key=f"conv-open-{cid}").label == render.md_escape(shorten(WOUNDED, LABEL_CHARS))
    assert at.button(key=f"conv-open-{cid}").proto.type == "secondary"  # the one shown stands out

    reloaded = start(own_index, monkeypatch, cid)
    turns = reloaded.session_state["turns"]
    assert [t.question for t in turns] == [WOUNDED, FOLLOW_UP]
    assert [t.answer for t in turns] == at.session_state["conversation"].turns  # the same records
    assert len(reloaded.chat_message) == 4
    answer = ask(reloaded, "and how many were captured?")  # read in the light of the reopened conversation
    assert answer.interpreted_as == at.session_state["conversation"].assistant.ask(
        "and how many were captured?", context=turns[-1].answer.interpreted_as).interpreted_as
    assert answer.interpreted_as != answer.question
    assert len(History.of_index(own_index).load(cid)) == 3

    gone = start(own_index, monkeypatch, "feedfacecafe")  # an id the history does not hold: a new one
    assert gone.session_state["turns"] == [] and PARAM not in gone.query_params


def test_open_another_conversation_from_the_list(own_index: Path, monkeypatch):
    at = start(own_index, monkeypatch)
    ask(at, WOUNDED)
    first = at.session_state["conversation"].id
    click(at, next(b.key for b in at.button if b.label == "New conversation"))
    assert at.session_state["turns"] == [] and PARAM not in at.query_params
    ask(at, CAPTURED)
    second = at.session_state["conversation"].id
    assert listed(at) == [second, first]  # newest first

    click(at, f"conv-open-{first}")
    assert [t.question for t in at.session_state["turns"]] == [WOUNDED]
    assert at.query_params[PARAM] == first
    assert [at.button(key=f"conv-open-{c}").proto.type for c in (first, second)] == ["secondary", "tertiary"]
    ask(at, FOLLOW_UP)
    assert [a.question for a in History.of_index(own_index).load(first)] == [WOUNDED, FOLLOW_UP]
    assert listed(at) == [first, second]  # the one just added to comes first


def test_rename_keeps_a_hostile_title_as_text(own_index: Path, monkeypatch):
    at = start(own_index, monkeypatch)
    ask(at, WOUNDED)
    cid = at.session_state["conversation"].id
    at.text_input(key=f"conv-title-{cid}").set_value(HOSTILE)
    click(at, f"conv-rename-{cid}")
    assert History.of_index(own_index).info(cid).title == HOSTILE
    shown = at.button(key=f"conv-open-{cid}").label
    assert shown == render.md_escape(shorten(HOSTILE, LABEL_CHARS))  # every mark escaped: shown as typed
    assert "<script>" not in page_html(at) and "<img" not in page_html(at)

    at.text_input(key=f"conv-title-{cid}").set_value("   ")  # cleared: named by its first question again
    click(at, f"conv-rename-{cid}")
    assert at.button(key=f"conv-open-{cid}").label == render.md_escape(shorten(WOUNDED, LABEL_CHARS))


def test_delete_asks_first_and_then_forgets_the_conversation(own_index: Path, monkeypatch):
    at = start(own_index, monkeypatch)
    ask(at, CAPTURED)
    kept = at.session_state["conversation"].id
    click(at, next(b.key for b in at.button if b.label == "New conversation"))
    ask(at, WOUNDED)
    doomed = at.session_state["conversation"].id

    click(at, f"conv-delete-{doomed}")
    assert any("cannot be undone" in w.value for w in at.sidebar.warning)
    click(at, f"conv-delete-no-{doomed}")  # cancelled: nothing lost
    assert not at.sidebar.warning and listed(at) == [doomed, kept]

    click(at, f"conv-delete-{doomed}")
    click(at, f"conv-delete-yes-{doomed}")
    assert listed(at) == [kept]
    assert [c.id for c in History.of_index(own_index).list()] == [kept]
    # it was the one shown: the page starts afresh, and a reload does not bring it back
    assert at.session_state["turns"] == [] and not at.chat_message and PARAM not in at.query_params
    assert start(own_index, monkeypatch, doomed).session_state["turns"] == []
