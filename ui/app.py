"""The chat page: ask the indexed news articles, read quoted answers with their sources,
and see where the sources disagree, side by side.

Run it with `streamlit run ui/app.py`. It opens the default index (built from the
default corpus on first use) or the index folder named by $ASSISTANT_INDEX. All
answering happens in the engine (`assistant.Assistant`); this file only shows it.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run ui/app.py` puts ui/, not the project, on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from assistant import Assistant, AssistantError, Citation, IngestReport, SourceInfo  # noqa: E402
from assistant.lifecycle import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES  # noqa: E402
from briefing import MEDIA_TYPES, render_briefing  # noqa: E402
from briefing.display import shorten  # noqa: E402
from corpus import DEFAULT_CORPUS  # noqa: E402
from ui import conversations  # noqa: E402
from ui import render as r  # noqa: E402
from ui.views import READING, Turn, show_disagreements, show_turn  # noqa: E402

log = logging.getLogger(__name__)

INDEX_ENV = "ASSISTANT_INDEX"
UPLOAD_TYPES = [suffix.lstrip(".") for suffix in UPLOAD_SUFFIXES]  # the engine's list: one list of accepted types
UPLOAD_MB = MAX_UPLOAD_BYTES // 2**20
BRIEF_FORMATS = {"html": "HTML page", "docx": "Word (DOCX)", "md": "Markdown"}
VIEWS = (":material/forum: Ask the articles", ":material/compare_arrows: Where sources disagree")
EXAMPLES = (
    "How many Armenian servicemen were captured?",
    "How many Azerbaijani soldiers were wounded?",
    "Who started the fighting on the border?",
    "How many Azerbaijani servicemen were killed in the clashes?",
)


@dataclass
class Filters:
    """The sidebar's filters, as `Assistant.ask` takes them."""

    sources: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None

    def options(self) -> dict:
        return {"sources": self.sources or None, "since": self.since, "until": self.until}


# the engine, once per process --------------------------------------------------
def index_dir() -> str | None:
    """The index folder from $ASSISTANT_INDEX, or None for the default index."""
    return os.environ.get(INDEX_ENV) or None


WARM_UP = "How many people were killed?"


@st.cache_resource(show_spinner="Loading the articles…")
def load_engine(folder: str | None) -> Assistant:
    """The assistant over `folder` (None: the default index), opened once per process.
    A question asked in the background loads the models an answer needs while the page
    is drawn and the first question typed; a question asked meanwhile waits for it."""
    engine = Assistant.open(folder)
    lock = engine_lock(folder)
    lock.acquire()  # taken here, released by the warm-up thread: no question can run before it

    def warm_up() -> None:
        try:
            engine.ask(WARM_UP)
        except AssistantError as exc:
            log.info("warm-up question refused: %s", exc)
        except Exception:  # noqa: BLE001 - a failed warm-up must not take the page down; the first question will tell
            log.warning("warm-up question failed", exc_info=True)
        finally:
            lock.release()

    threading.Thread(target=warm_up, name="engine-warm-up", daemon=True).start()
    return engine


@st.cache_resource
def engine_lock(folder: str | None) -> threading.Lock:
    """Serialises asking and ingesting on one engine across browser sessions."""
    return threading.Lock()


def follow_current(engine: Assistant) -> None:
    """Switch to a newer index version made by another process (`assistant ingest`, the HTTP
    API, another page), so this rerun shows and answers from it. One readlink when nothing
    changed; the switch itself waits for a question being answered on the old version."""
    if engine.is_current():
        return
    with engine_lock(index_dir()):
        if engine.follow_current():
            log.info("the page now reads the index's newer version")


# sidebar ------------------------------------------------------------------------
def _day(published: str | None) -> date | None:
    try:
        return date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None


def source_label(name: str, outlets: set[str]) -> str:
    """How a filter value is shown: an outlet as it is, an article title quoted and
    shortened at a word (the engine is given the whole title)."""
    return shorten(name, 60) if name in outlets else r.title_label(name)


def show_sources(sources: list[SourceInfo]) -> None:
    """The indexed articles: outlet, title, date, sentence count."""
    with st.expander(f"Indexed articles ({len(sources)})", expanded=len(sources) <= 6):
        if not sources:
            st.caption("Nothing indexed yet: add articles below.")
            return
        ordered = sorted(sources, key=lambda s: (s.published or "", s.title), reverse=True)
        st.html("".join(r.source_row(s.title, s.outlet, s.published, s.sentences) for s in ordered))


def show_filters(sources: list[SourceInfo]) -> Filters:
    """Outlet and date filters; they apply to the next answers."""
    filters = Filters()
    outlets = {s.outlet for s in sources if s.outlet}
    values = sorted(outlets, key=str.casefold) + sorted({s.title for s in sources if not s.outlet}, key=str.casefold)
    filters.sources = st.multiselect(
        "Outlets", values, key="f_sources", placeholder="All outlets",
        format_func=lambda name: source_label(name, outlets),
        help="Answer only from these. Articles that name no outlet are listed by their title, in quotes.")
    days = sorted(d for s in sources if (d := _day(s.published)))
    if days:
        full = (days[0], days[-1])
        if st.session_state.get("f_dates_full") != full:
            # the corpus grew: keep a narrowed range, widen one that covered everything
            if st.session_state.get("f_dates") in (None, st.session_state.get("f_dates_full")):
                st.session_state["f_dates"] = full
            st.session_state["f_dates_full"] = full
        picked = st.date_input("Published between", min_value=full[0], max_value=full[1],
                               key="f_dates", format="YYYY-MM-DD",
                               help="Answer only from articles published in this range.")
        picked = tuple(picked) if isinstance(picked, list | tuple) else (picked,)
        if picked and picked[0] and picked[0] > full[0]:
            filters.since = picked[0].isoformat()
        if len(picked) > 1 and picked[1] and picked[1] < full[1]:
            filters.until = picked[1].isoformat()
        if filters.since or filters.until:
            st.caption("Undated articles are left out while a date range is set.")
    return filters


def report_notices(label: str, report: IngestReport) -> list[tuple[str, str]]:
    """(level, message) lines that say what an ingest did with `label`."""
    notes: list[tuple[str, str]] = []
    for title in report.added:
        notes.append(("success", f"Added “{title}” from {label}."))
    for title in report.updated:
        notes.append(("info", f"Updated “{title}” from {label}."))
    for line in report.duplicates:
        notes.append(("warning", f"Not added, already indexed: {line}"))
    for line in report.rejected:  # one line each, naming the file refused and why
        notes.append(("error", f"Rejected: {line}"))
    if not notes:
        notes.append(("info", f"{label}: already indexed, nothing changed."))
    return notes


def progress_bar(count: int):
    """A progress bar for reading `count` item(s), and the `on_progress(done, total)` that
    moves it as the sentences are embedded."""
    bar = st.progress(0.0, text=f"Reading {count} item(s)…")

    def moved(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Embedding sentences: {done:,} of {total:,}")

    return bar, moved


def _update_under_bar(label: str, count: int, update) -> None:
    """Run `update(on_progress)` (an index update of `count` items) under a progress bar and the
    engine lock; its outcome, one line per refused item, goes to the sidebar notices."""
    bar, moved = progress_bar(count)
    try:
        with engine_lock(index_dir()):
            report = update(moved)
    except AssistantError as exc:
        notices = [("error", f"{label}: {exc}")]
    else:
        notices = report_notices(label, report)
    bar.progress(1.0, text="Done.")
    st.session_state["notices"] = notices


def ingest(engine: Assistant, url: str) -> None:
    """Fetch and add an article or feed URL under a progress bar; the outcome goes to the sidebar notices."""
    _update_under_bar(url, 1, lambda moved: engine.ingest([url], progress=False, on_progress=moved))


def ingest_uploads(engine: Assistant, uploads: list) -> None:
    """Hand the uploaded files (name, bytes) to the engine in one index update: it reads them,
    refuses a file of another type or over its size limit, and adds the rest."""
    label = uploads[0].name if len(uploads) == 1 else f"{len(uploads)} uploads"
    _update_under_bar(label, len(uploads), lambda moved: engine.ingest_uploads(
        [(u.name, u.getvalue()) for u in uploads], on_progress=moved))


def show_add_articles(engine: Assistant) -> None:
    """The upload box and the URL box; both ingest through the engine."""
    st.markdown("**Add articles**")
    uploads = st.file_uploader(
        "Upload articles", type=UPLOAD_TYPES, accept_multiple_files=True, max_upload_size=UPLOAD_MB,
        key=f"uploads_{st.session_state['uploader_round']}",
        help="Text or Markdown (optional front matter: title, outlet, author, published, url), "
             "an HTML page, a PDF or Word (.docx) document, or JSON lines, one article per line; "
             f"at most {UPLOAD_MB} MB a file.")
    if uploads:
        ingest_uploads(engine, uploads)
        st.session_state["uploader_round"] += 1  # a fresh, empty upload box next time
        st.rerun()
    with st.form("url_form", clear_on_submit=True, border=False):
        url = st.text_input("Article or feed URL", placeholder="https://…")
        if st.form_submit_button("Fetch and add") and url.strip():
            url = url.strip()
            if not re.match(r"^https?://", url, re.I):
                st.session_state["notices"] = [("error", f"{url}: give an http:// or https:// address.")]
            else:
                ingest(engine, url)
            st.rerun()


def show_notices() -> None:
    """What the last upload or fetch did, until the next one."""
    show = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
    for level, text in st.session_state.get("notices", []):
        show[level](r.md_escape(text))


def sidebar(engine: Assistant) -> Filters:
    """Sources, filters and the ways to add articles; returns the filters."""
    with st.sidebar:
        st.markdown("### Sources")
        sources_box, filters_box, notices_box, add_box = (st.container() for _ in range(4))
        with add_box:
            st.divider()
            show_add_articles(engine)
        sources = engine.sources()
        with sources_box:
            show_sources(sources)
        with filters_box:
            st.markdown("**Filters** · apply to the next answers")
            filters = show_filters(sources)
        with notices_box:
            show_notices()
    return filters


def ask(engine: Assistant, question: str, filters: Filters) -> Turn:
    """Ask the conversation, keeping follow-ups in context; errors become one line."""
    conversation = st.session_state["conversation"]
    try:
        with engine_lock(index_dir()):
            answer = conversation.ask(question, **filters.options())
    except AssistantError as exc:
        return Turn(question, error=str(exc))
    conversations.remember(conversation)
    if conversation.unsaved:
        st.toast(r.md_escape(conversation.unsaved), icon=":material/warning:")
    return Turn(question, answer=answer)


def has_default_corpus(engine: Assistant) -> bool:
    """Whether the default articles are indexed (the example questions are about them)."""
    seeds = DEFAULT_CORPUS.resolve()
    return any(Path(s.location).resolve().is_relative_to(seeds) for s in engine.sources() if "://" not in s.location)


def chat(engine: Assistant, filters: Filters, question: str | None) -> None:
    """The conversation so far, then the new question and its answer."""
    turns: list[Turn] = st.session_state["turns"]
    if not turns and not question:
        examples = st.empty()
        with examples.container():
            if not has_default_corpus(engine):
                st.caption("Type a question about the indexed articles in the box below.")
            else:
                st.markdown("**Try a question**")
                columns = st.columns(2)
                for i, example in enumerate(EXAMPLES):
                    if columns[i % 2].button(example, key=f"example_{i}", width="stretch"):
                        question = example
        if question:
            examples.empty()
    for turn in turns:
        show_turn(turn)
    if question:
        with st.spinner("Finding the sentences that answer it…"):
            turn = ask(engine, question, filters)
        turns.append(turn)
        show_turn(turn)


def filters_line(filters: Filters, total: int, outlets: set[str] = frozenset()) -> str:
    """What the next answer will read from."""
    parts = []
    if filters.sources:
        parts.append("only " + ", ".join(source_label(name, outlets) for name in filters.sources))
    if filters.since:
        parts.append(f"from {filters.since}")
    if filters.until:
        parts.append(f"until {filters.until}")
    if not parts:
        return f"Next answers read all {total} indexed articles."
    return "Next answers read " + " · ".join(parts) + " (change this in the sidebar)."


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "briefing"


def show_conversation_tools(engine: Assistant, turns: list[Turn]) -> None:
    """Download the conversation so far as a briefing, or start a new conversation."""
    answers = [t.answer for t in turns if t.answer is not None]
    if not turns:
        return
    if answers:
        with st.popover("Download briefing", icon=":material/download:",
                        help="The answers so far as a briefing, with footnotes and the disputed facts"):
            title = st.text_input("Title", value="News briefing", key="brief_title").strip() or "News briefing"
            fmt = st.radio("Format", list(BRIEF_FORMATS), format_func=BRIEF_FORMATS.get, key="brief_fmt",
                           horizontal=True)
            sources = engine.sources()

            def data() -> bytes:
                return render_briefing(answers, title=title, sources=sources, fmt=fmt)

            st.download_button(f"Download {BRIEF_FORMATS[fmt]}", data=data, on_click="ignore", type="primary",
                               file_name=f"{_slug(title)}-{date.today().isoformat()}.{fmt}",
                               mime=MEDIA_TYPES.get(fmt), key="brief_download")
    if st.button("New conversation", icon=":material/add_comment:",
                 help="Start afresh (follow-ups read alone); this one stays in the sidebar's history"):
        conversations.new_conversation(engine, conversations.open_history(engine))
        st.rerun()


# the reader -------------------------------------------------------------------------
@st.dialog("Source article", width="large")
def read_article(engine: Assistant, citation: Citation) -> None:
    """The whole article a citation comes from, its sentence highlighted and scrolled to."""
    article = engine.article(citation.source.article_id)
    if article is None:
        st.warning("This article is no longer in the index.")
        return
    span = r.cited_span(article.text, citation.sentence, citation.source.start, citation.source.end)
    st.html(r.reader_html(article.title, article.outlet, article.author, article.published, article.url,
                          article.location, article.text, span))
    st.html(r.SCROLL_TO_CITED, unsafe_allow_javascript=True)  # our script only: no article text in it


# the page ----------------------------------------------------------------------
def main() -> None:
    st.set_page_config(page_title="Ask the news, with sources", page_icon="⚖", layout="wide",
                       initial_sidebar_state="expanded")
    st.html(r.CSS)
    try:
        engine = load_engine(index_dir())
    except AssistantError as exc:
        st.error(r.md_escape(f"The index could not be opened: {exc}"))
        st.stop()
    follow_current(engine)
    state = st.session_state
    state.setdefault("uploader_round", 0)
    history = conversations.open_history(engine)
    if "conversation" not in state:
        conversations.start(engine, history)  # the one the URL names (a reload), else a new one
    with st.sidebar:
        history_box = st.container()  # filled last, so it lists the answer this run adds
    filters = sidebar(engine)
    st.html('<div class="na-hero"><h1>Ask the news, with sources</h1><p>Every answer is quoted word for word '
            "from the articles and cited. Where the articles disagree, each side is shown next to the other."
            "</p></div>")
    ask_tab, disputes_tab = st.tabs(VIEWS, key="view", on_change="rerun")
    question = None
    if ask_tab.open is not False:
        question = st.chat_input("Ask about the articles, e.g. How many Armenian servicemen were captured?",
                                 max_chars=1000)
    with ask_tab:
        tools = st.container(horizontal=True, vertical_alignment="center")
        sources = engine.sources()
        line = filters_line(filters, len(sources), {s.outlet for s in sources if s.outlet})
        tools.html(f'<div class="na-note">{r.esc(line)}</div>')
        chat(engine, filters, question)
        with tools:
            show_conversation_tools(engine, state["turns"])
    with history_box:
        conversations.show_history(engine, history)
    if disputes_tab.open:
        with disputes_tab:
            show_disagreements(engine.disputes(), engine.agreements())
    if (citation := state.pop(READING, None)) is not None:
        read_article(engine, citation)


main()
