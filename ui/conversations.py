"""The page's conversations: which one it shows (its id in the URL, `?c=ID`, so a reload or
a restart reopens it) and the sidebar's history of stored ones, newest first, each labelled
by its title or first question, to open, rename or delete (after a confirm step).

The conversations live in the index folder's history (`assistant.history`); titles are
the user's text and are shown only through `ui.render`'s escaping helpers.
"""

from __future__ import annotations

import logging

import streamlit as st

from assistant import Assistant, AssistantError, Conversation
from assistant.history import ConversationInfo, History
from briefing.display import shorten
from ui import render as r
from ui.views import Turn

log = logging.getLogger(__name__)

PARAM = "c"  # the URL query parameter holding the open conversation's id
CONFIRM = "confirm_delete"  # session key: the conversation whose deletion waits for a confirm
HISTORY_NOTE = "history_note"  # session key: a one-line note about the history (opened, deleted, not found)
LABEL_CHARS = 56
SCROLL_AFTER = 8  # more conversations than this scroll in a box of their own


def open_history(engine: Assistant) -> History | None:
    """The history kept in the engine's index folder; None (said once in the log) when unusable."""
    try:
        return History.of_index(engine.folder)
    except (AssistantError, OSError) as exc:
        log.warning("conversations are not kept: %s", exc)
        return None


def label(info: ConversationInfo) -> str:
    """The conversation's name in the list: its title or first question, shortened at a word."""
    return shorten(info.title, LABEL_CHARS)


# which conversation the page shows ------------------------------------------------------
def _show(conversation: Conversation) -> None:
    state = st.session_state
    state["conversation"] = conversation
    state["turns"] = [Turn(a.question, answer=a) for a in conversation.turns]
    state.pop(CONFIRM, None)
    if conversation.turns:
        st.query_params[PARAM] = conversation.id
    elif PARAM in st.query_params:
        del st.query_params[PARAM]


def new_conversation(engine: Assistant, history: History | None) -> None:
    """Start afresh: no questions, follow-ups read alone; listed once it has an answer."""
    _show(Conversation.stored(engine, history) if history else engine.conversation())


def open_conversation(engine: Assistant, history: History, cid: str) -> bool:
    """Show the stored conversation `cid`, follow-ups going on from its last question."""
    try:
        _show(Conversation.resume(engine, history, cid))
    except AssistantError as exc:  # deleted meanwhile (another tab), or an answer that cannot be read back
        st.session_state[HISTORY_NOTE] = str(exc)
        new_conversation(engine, history)
        return False
    return True


def start(engine: Assistant, history: History | None) -> None:
    """The conversation for a new session: the one the URL names, when it is stored, else a new one."""
    cid = st.query_params.get(PARAM)
    if cid and history is not None and history.exists(cid):
        open_conversation(engine, history, cid)
    else:
        new_conversation(engine, history)


def remember(conversation: Conversation) -> None:
    """After an answer: the URL names the conversation, so a reload comes back to it."""
    if conversation.history is not None and conversation.unsaved is None:
        st.query_params[PARAM] = conversation.id


# the sidebar's history ---------------------------------------------------------------------
def _rename(history: History, cid: str) -> None:
    title = st.session_state.get(f"conv-title-{cid}", "")
    try:
        history.rename(cid, title)
    except AssistantError as exc:
        st.session_state[HISTORY_NOTE] = str(exc)


def _delete(engine: Assistant, history: History, cid: str) -> None:
    state = st.session_state
    state.pop(CONFIRM, None)
    try:
        history.delete(cid)
    except AssistantError as exc:
        state[HISTORY_NOTE] = str(exc)
    if state["conversation"].id == cid:
        new_conversation(engine, history)


def _ask_confirm(cid: str) -> None:
    st.session_state[CONFIRM] = cid


def _cancel() -> None:
    st.session_state.pop(CONFIRM, None)


def _row(engine: Assistant, history: History, info: ConversationInfo, current: str) -> None:
    name = label(info)
    opened = info.id == current
    when = info.updated[:16].replace("T", " ")
    row = st.container(horizontal=True, wrap=False, vertical_alignment="center", gap="small",
                       key=f"conv-row-{info.id}")  # one row, also on a phone
    row.button(r.md_escape(name), key=f"conv-open-{info.id}", type="secondary" if opened else "tertiary",
               icon=":material/chat:" if opened else None, width="stretch", wrap=True,
               on_click=open_conversation, args=(engine, history, info.id),
               help=r.md_escape(f"{info.turns} question{'' if info.turns == 1 else 's'}, last {when} UTC"))
    with row.popover("", icon=":material/more_vert:", type="tertiary", key=f"conv-menu-{info.id}",
                     help="Rename or delete"):
        st.text_input("Title", value=info.title if info.named else "", key=f"conv-title-{info.id}",
                      max_chars=200, placeholder=name,
                      help="Empty: named by its first question")
        st.button("Rename", key=f"conv-rename-{info.id}", icon=":material/edit:",
                  on_click=_rename, args=(history, info.id))
        st.button("Delete…", key=f"conv-delete-{info.id}", icon=":material/delete:",
                  on_click=_ask_confirm, args=(info.id,))
    if st.session_state.get(CONFIRM) == info.id:
        st.warning(r.md_escape(f"Delete “{name}” and its {info.turns} question(s)? This cannot be undone."))
        yes, no = st.columns(2)
        yes.button("Delete", key=f"conv-delete-yes-{info.id}", type="primary", width="stretch",
                   on_click=_delete, args=(engine, history, info.id))
        no.button("Cancel", key=f"conv-delete-no-{info.id}", width="stretch", on_click=_cancel)


def show_history(engine: Assistant, history: History | None) -> None:
    """The stored conversations, newest first, each to open, rename or delete."""
    st.markdown("### Conversations")
    if note := st.session_state.pop(HISTORY_NOTE, None):
        st.info(r.md_escape(note))
    if history is None:
        st.caption("Conversations are not kept: the history file in the index folder cannot be used.")
        return
    stored = history.list()
    if not stored:
        st.caption("Your questions are kept here, with their answers, to come back to.")
        return
    current = st.session_state["conversation"].id
    box = st.container(height=320) if len(stored) > SCROLL_AFTER else st.container()
    with box:
        for info in stored:
            _row(engine, history, info, current)
