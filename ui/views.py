"""The parts of the chat page that show answers and disputes (Streamlit calls only;
all HTML comes escaped from `ui.render`)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from assistant import Agreement, Answer, Citation, Dispute
from ui import render as r

READING = "reading"  # session key: the citation whose article the reader dialog shows next


@dataclass
class Turn:
    """One question in the chat and what came back: an answer or a one-line error."""

    question: str
    answer: Answer | None = None
    error: str | None = None


def open_reader(citation: Citation) -> None:
    """Ask the page to open this citation's article in the reader (on the rerun the click makes)."""
    st.session_state[READING] = citation


def read_button(c: Citation, key: str) -> None:
    """The button under a quote that opens its article in the page."""
    st.button("Read the article", key=f"read-{key}-{c.id}", icon=":material/article:", type="tertiary",
              on_click=open_reader, args=(c,), help=f"{r.source_name(c.source)}: the whole article, "
                                                    "with this sentence highlighted")


def show_cards(citations: list[Citation], key: str, answer_id: str = "", *, related: bool = False) -> None:
    """Citation cards, each with its button to read the whole article."""
    with st.container(gap="small"):
        for c in citations:
            st.html(r.citation_card(c, answer_id, related=related))
            read_button(c, key)


def show_dispute(d: Dispute, key: str = "") -> None:
    """A disagreement as columns, one per side, with a 'vs' between them."""
    with st.container(border=True):
        st.html(r.dispute_head(d))
        widths: list[float] = []
        for i in range(len(d.sides)):
            widths += [1.0] if i == 0 else [0.14, 1.0]
        if d.sides:
            columns = st.columns(widths, gap="small", vertical_alignment="top")
            for i, side in enumerate(d.sides):
                if i:
                    with columns[2 * i - 1]:
                        st.html(r.versus_html())
                with columns[2 * i]:
                    st.html(r.side_html(side, i))
                    for c in side.citations[:r.SHOWN_QUOTES]:
                        read_button(c, f"{key}-{d.id}-{i}")
        if d.reason:
            st.html(r.reason_html(d))


def show_answer(answer: Answer) -> None:
    """Lead answer, agreement badges, disputes side by side, citation cards; or, when
    the sources do not answer, say so with the related passages folded away."""
    notes = []
    if answer.interpreted_as and answer.interpreted_as != answer.question:
        notes.append(f"Read as: {answer.interpreted_as}")
    if note := r.filters_note(answer.filters):
        notes.append(note)
    if notes:
        st.html(f'<div class="na-note">{" · ".join(r.esc(n) for n in notes)}</div>')
    if not answer.supported:
        st.html(r.abstain_html(answer))
        if answer.related:
            with st.expander(f"Related passages ({len(answer.related)}), not an answer"):
                show_cards(answer.related, f"{answer.id}-related", related=True)
        return
    st.html(r.lead_html(answer))
    if answer.agreements:
        st.html("".join(r.agreement_badge(a) for a in answer.agreements))
    if answer.disputes:
        st.html(f'<div class="na-section">Where the sources disagree ({len(answer.disputes)})</div>')
        for d in answer.disputes:
            show_dispute(d, answer.id)
    st.html(f'<div class="na-section">Quoted sources ({len(answer.citations)})</div>')
    show_cards(answer.citations, answer.id, answer.id)
    if answer.related:
        with st.expander(f"Also related ({len(answer.related)}), not part of the answer"):
            show_cards(answer.related, f"{answer.id}-related", related=True)


def show_turn(turn: Turn) -> None:
    """The question and its answer as two chat messages."""
    with st.chat_message("user"):
        st.html(r.text_html(turn.question))
    with st.chat_message("assistant"):
        if turn.error:
            st.error(r.md_escape(turn.error))
        elif turn.answer is not None:
            show_answer(turn.answer)


def show_disagreements(disputes: list[Dispute], agreements: list[Agreement]) -> None:
    """Every disagreement in the corpus, and what the sources agree on."""
    if not disputes:
        st.info("No disagreements found between the indexed articles.")
    else:
        kinds: dict[str, int] = {}
        for d in disputes:
            kinds[d.kind] = kinds.get(d.kind, 0) + 1
        counts = ", ".join(f"{n} {r.KIND_LABELS.get(k, k).lower()}" for k, n in kinds.items())
        st.html(f'<div class="na-note">{len(disputes)} disagreements between the indexed articles: '
                f"{r.esc(counts)}.</div>")
        for d in disputes:
            show_dispute(d, "corpus")
    if agreements:
        st.html(f'<div class="na-section">Where they agree ({len(agreements)})</div>')
        st.html("".join(r.agreement_badge(a) for a in agreements))


