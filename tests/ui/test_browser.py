"""End to end in a real headless Chromium: start the chat page with `streamlit run` on a
free local port, ask a question, wait for the answer, and check that the citations
and the opposing-claims columns are on the page. A screenshot is kept in
tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant
from briefing import render_briefing
from briefing.display import shorten
from tests.briefing.hostile import BIDI, FRONT_MATTER, LONG_WORD, SHIPS_Q, VESSELS_Q, hostile_article
from tests.server.conftest import LiveServer, serve
from ui.conversations import LABEL_CHARS

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "corpus" / "seeds"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

HOSTILE = """---
title: "Harbour <script>window.__hostile = 1</script> report"
outlet: "<b>Bold</b> Times"
published: "2024-06-01"
---

The harbour master said 37 <script>alert('x')</script> cargo ships were delayed by the storm.
Officials posted a notice saying [click here](https://evil.example/phish) for **urgent** refunds.
The pilots' union wrote <img src=x onerror="window.__hostile = 2"> that the <a href="https://evil.example">delays</a>
cost the port millions.
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed at /usr/bin/chromium "
                              "(apt-get install -y chromium); the browser test needs a real browser"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The chat page served by `streamlit run` on a free port, over a fresh seed index."""
    folder = tmp_path_factory.mktemp("browser") / "index"
    Assistant.build(folder, [str(SEEDS)], progress=False)
    port = _free_port()
    log = (tmp_path_factory.mktemp("browser-log") / "streamlit.log").open("w")
    env = {**os.environ, "ASSISTANT_INDEX": str(folder)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"streamlit did not start: {Path(log.name).read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture
def page(tmp_path: Path):
    """A page in a fresh headless Chromium profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def ask(page, question: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.wait_for(timeout=90_000)
    box.fill(question)
    box.press("Enter")


def settle(page) -> None:
    """Wait until the script run is over (no 'running' widget) and the page has painted."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=90_000)
    page.wait_for_timeout(300)


def screenshot(page, name: str) -> None:
    """The whole answer in one picture: a tall window, scrolled to the first question."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 2000})
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})


def test_question_shows_citations_and_opposing_claims_side_by_side(app_url: str, page, tmp_path: Path) -> None:
    page.goto(app_url)
    page.get_by_text("Ask the news, with sources").wait_for(timeout=90_000)
    ask(page, "How many Armenian servicemen were captured?")
    page.locator(".na-card").first.wait_for(timeout=90_000)
    settle(page)

    lead = page.locator(".na-lead").first.inner_text()
    assert "captured" in lead
    assert page.get_by_role("button", name="Deploy").count() == 0  # .streamlit/config.toml: toolbarMode
    assert page.get_by_text("Deploy", exact=True).count() == 0
    cards = page.locator(".na-card")
    assert cards.count() >= 2
    assert page.locator(".na-card mark").first.inner_text().strip() in page.locator(".na-card").first.inner_text()

    # the disagreement: one column per side, next to each other, 13 against 12
    sides = page.locator(".na-side")
    assert sides.count() >= 2, "no opposing-claims columns on the page"
    positions = [sides.nth(i).locator(".na-position").inner_text() for i in range(sides.count())]
    assert any("13" in p for p in positions) and any("12" in p or "dozen" in p for p in positions), positions
    first, second = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert first and second
    assert second["x"] > first["x"] + first["width"] - 1, "the sides are not side by side"
    assert abs(second["y"] - first["y"]) < first["height"], "the sides are not on one row"

    screenshot(page, "chat-captured.png")

    # the follow-up keeps the conversation, and the abstention says so plainly
    ask(page, "How many civilians were killed in the clashes?")
    page.get_by_text("Not in the sources").wait_for(timeout=90_000)
    settle(page)
    assert page.locator(".na-question").count() == 2
    screenshot(page, "chat-abstain.png")


def test_conversation_downloads_as_a_briefing(app_url: str, page, tmp_path: Path) -> None:
    page.goto(app_url)
    ask(page, "How many Armenian servicemen were captured?")
    page.locator(".na-side").first.wait_for(timeout=90_000)
    settle(page)
    page.set_viewport_size({"width": 1440, "height": 2000})  # the whole answer and the popover in view
    page.get_by_role("button", name="Download briefing").click()
    button = page.get_by_role("button", name="Download HTML page")
    button.wait_for(timeout=30_000)
    with page.expect_download(timeout=90_000) as download:
        button.click()
    saved = tmp_path / "briefing.html"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".html")
    briefing = saved.read_text(encoding="utf-8")
    assert "How many Armenian servicemen were captured?" in briefing
    assert "Disputed facts" in briefing and "13 captured" in briefing and "12 Armenian servicemen" in briefing


def test_hostile_article_uploaded_in_the_browser_shows_as_text(app_url: str, page, tmp_path: Path) -> None:
    article = tmp_path / "harbour.md"
    article.write_text(HOSTILE, encoding="utf-8")
    page.goto(app_url)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(article))
    page.get_by_text("Added").wait_for(timeout=90_000)
    ask(page, "How many cargo ships were delayed by the storm?")
    page.locator(".na-card").first.wait_for(timeout=90_000)
    settle(page)
    lead = page.locator(".na-lead").first
    assert "37 <script>alert('x')</script> cargo ships" in lead.inner_text()  # shown as typed
    assert lead.locator("script").count() == 0
    assert page.locator(".na-src-outlet", has_text="<b>Bold</b> Times").count() == 1
    assert page.locator("img[onerror]").count() == 0
    assert page.locator("a[href*='evil.example'], a[href^='javascript']").count() == 0
    assert page.evaluate("() => window.__hostile === undefined")
    screenshot(page, "hostile.png")


# Whether anything is wider than the window or spills out of its box: the page's scrolling
# element and Streamlit's main area must not scroll sideways, and no card may be wider inside
# than its box. Returns the offenders, as "what: inner width > box width".
OVERFLOW_JS = """(selector) => {
  const out = [];
  const root = document.scrollingElement;
  if (root.scrollWidth > window.innerWidth + 1) out.push(`page: ${root.scrollWidth} > ${window.innerWidth}`);
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
    if (box.right > window.innerWidth + 1) out.push(`${el.className}: right edge ${box.right} > ${window.innerWidth}`);
  }
  return out;
}"""
WIDTHS = (1400, 400)


def overflow(page, selector: str) -> list[str]:
    return page.evaluate(OVERFLOW_JS, selector)


def shown_text(page) -> str:
    return page.evaluate("() => document.body.innerText")


@pytest.fixture(scope="module")
def hostile_api(seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The HTTP API over a copy of the seed index with the hostile article added."""
    from tests.conftest import copy_index

    folder = copy_index(seed_index_dir, tmp_path_factory.mktemp("hostile-api") / "index")
    Assistant.open(folder, refresh=False).ingest_articles([hostile_article()], progress=False)
    yield from serve(folder)


def test_hostile_article_fits_its_cards_at_desktop_and_phone_width(app_url: str, page, tmp_path: Path) -> None:
    article = tmp_path / "storm.md"
    article.write_text(FRONT_MATTER, encoding="utf-8")
    page.goto(app_url)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(article))
    page.get_by_text("Added").wait_for(timeout=90_000)
    ask(page, SHIPS_Q)
    page.locator(".na-card").first.wait_for(timeout=90_000)
    settle(page)
    ask(page, VESSELS_Q)
    page.get_by_text("fishing vessels sank").first.wait_for(timeout=90_000)
    settle(page)
    text = shown_text(page)
    assert LONG_WORD[:200] in text.replace("\n", "")
    assert "Inspectors said 01 fishing vessels sank in the harbour overnight." in text
    assert not any(ch in BIDI for ch in text)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1200})
        page.wait_for_timeout(600)
        assert overflow(page, ".na-card, .na-lead, .na-question, [data-testid=stMain]") == [], width
        card = page.locator(".na-card", has_text="37 cargo ships").first
        box = card.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"hostile-page-{width}.png"), full_page=True)


def test_hostile_briefing_and_api_card_fit_at_desktop_and_phone_width(hostile_api: LiveServer, page,
                                                                        tmp_path: Path) -> None:
    answers = []
    for question in (SHIPS_Q, VESSELS_Q):
        response = hostile_api.client.post("/ask", json={"question": question})
        assert response.status_code == 200
        answers.append(response.json())
    engine = Assistant.open(hostile_api.index, refresh=False)
    briefing = tmp_path / "briefing.html"
    briefing.write_bytes(render_briefing([engine.ask(q) for q in (SHIPS_Q, VESSELS_Q)], title="Storm",
                                         sources=engine.sources(), fmt="html"))
    pages = {"briefing": briefing.as_uri(), "card": f"{hostile_api.url}/answers/{answers[0]['id']}/card"}
    for name, url in pages.items():
        page.goto(url)
        text = shown_text(page)
        assert LONG_WORD[:200] in text.replace("\n", "") and not any(ch in BIDI for ch in text), name
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 1200})
            page.wait_for_timeout(300)
            assert overflow(page, "article, section, table, blockquote, p") == [], (name, width)
            page.screenshot(path=str(ARTIFACTS / f"hostile-{name}-{width}.png"), full_page=True)


def test_disagreements_tab_lists_every_dispute(app_url: str, page) -> None:
    page.goto(app_url)
    page.get_by_role("tab", name="Where sources disagree").click()
    page.locator(".na-side").first.wait_for(timeout=90_000)
    settle(page)
    assert page.locator(".na-dispute-head").count() >= 2
    screenshot(page, "disagreements.png")


def test_api_docs_render_their_operations_offline(hostile_api: LiveServer, page) -> None:
    """/docs with every request that leaves the app refused: Swagger UI must come from the app itself."""
    outside: list[str] = []

    def only_the_app(route) -> None:
        if route.request.url.startswith(hostile_api.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_app)
    schema = hostile_api.client.get("/openapi.json").json()
    paths = {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1400})
        page.goto(f"{hostile_api.url}/docs")
        page.locator(".opblock").first.wait_for(timeout=60_000)
        shown = set()
        for block in page.locator(".opblock-summary").all():
            method = block.locator(".opblock-summary-method").inner_text().strip().upper()
            path = block.locator(".opblock-summary-path").inner_text().strip().replace("\u200b", "")
            shown.add(f"{method} {path}")
        assert shown == paths
        assert page.get_by_text("News assistant API").first.is_visible()
        page.locator(".opblock-summary", has_text="/ask").first.click()  # an operation opens with its schema
        page.get_by_text("Request body").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / f"api-docs-{width}.png"), full_page=True)
    assert outside == []


def test_citation_number_shows_its_quote_and_source_on_hover_and_focus(app_url: str, page) -> None:
    page.goto(app_url)
    ask(page, "How many Azerbaijani soldiers were wounded?")
    page.locator(".na-lead .na-ref").first.wait_for(timeout=90_000)
    settle(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1200})
        page.mouse.move(0, 0)
        page.wait_for_timeout(300)
        ref = page.locator(".na-lead .na-ref").first
        tip = ref.locator(".na-tip")
        assert not tip.is_visible()
        number = ref.evaluate("el => el.firstChild.textContent.trim()")
        card = page.locator(f"[id$='-{number}'].na-card").first
        quote = card.locator("mark").inner_text().strip()
        ref.hover()
        tip.wait_for(state="visible", timeout=5_000)
        assert quote in tip.inner_text()
        assert card.locator(".na-outlet").inner_text().strip() in tip.locator(".na-tip-src").inner_text()
        box = tip.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
        page.screenshot(path=str(ARTIFACTS / f"citation-tip-hover-{width}.png"))
        page.mouse.move(0, 0)
        page.wait_for_timeout(200)
        assert not tip.is_visible()
        ref.focus()  # a keyboard user reaches the number with Tab
        tip.wait_for(state="visible", timeout=5_000)
        assert quote in tip.inner_text()
        ref.blur()


FERRY = """---
title: "Island ferry cancelled for a second day"
outlet: "Coast Courier"
author: "Ana Lopez"
published: "2024-03-05"
url: "https://example.org/news/ferry"
---

The island ferry did not sail on Tuesday because of the storm, the shipping line said.

Port officials said waves of six metres had been measured outside the harbour overnight.

{history}

The cancellation stranded about two hundred passengers in town for a second night.

Hotels near the harbour offered rooms at half price, the tourism office said.
"""


def test_citation_opens_its_article_with_the_sentence_highlighted(app_url: str, page, tmp_path: Path) -> None:
    article = tmp_path / "ferry.md"
    history = "\n\n".join(f"The old harbour wall, section {n}, was rebuilt in {1900 + n} by the town's masons, "
                            "the museum's records show." for n in range(1, 31))  # the cited sentence is far down
    article.write_text(FERRY.format(history=history), encoding="utf-8")
    page.goto(app_url)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(article))
    page.get_by_text("Added").wait_for(timeout=90_000)
    ask(page, "How many passengers were stranded by the ferry cancellation?")
    page.locator(".na-card").first.wait_for(timeout=90_000)
    settle(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        card = page.locator(".na-card").first
        cited = card.locator("mark").inner_text().strip()
        assert "two hundred passengers" in cited
        page.get_by_role("button", name="Read the article").first.click()
        dialog = page.get_by_role("dialog")
        reader = dialog.locator(".na-reader")
        reader.wait_for(timeout=30_000)
        assert reader.locator(".na-reader-title").inner_text() == "Island ferry cancelled for a second day"
        meta = reader.locator(".na-reader-meta").inner_text()
        assert "Coast Courier" in meta and "Ana Lopez" in meta and "5 Mar 2024" in meta
        assert reader.locator("a", has_text="Original article").get_attribute("href") == \
            "https://example.org/news/ferry"
        text = reader.locator(".na-reader-text").inner_text()
        assert "did not sail on Tuesday" in text and "half price" in text and "section 30" in text  # all of it
        mark = reader.locator("mark#na-cited")
        assert mark.inner_text().strip() == cited
        page.wait_for_timeout(600)
        box, view = mark.bounding_box(), page.viewport_size
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= view["height"], "not scrolled to"
        assert overflow(page, ".na-reader") == []
        page.screenshot(path=str(ARTIFACTS / f"reader-{width}.png"))
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden", timeout=10_000)


HISTORY_QUESTIONS = ("How many Azerbaijani soldiers were wounded?", "and how many were captured?")
HOSTILE_TITLE = "<img src=x onerror=\"window.__hostile = 3\"> **Bold** :red[red] [x](https://evil.example)"


SIDEBAR_LABELS_JS = """() => {
  const seen = new Map();
  for (const el of document.querySelectorAll("[data-testid=stSidebar] [class*='st-key-conv-open-']")) {
    const id = el.className.match(/st-key-conv-open-(\\w+)/)[1];
    const button = [...el.querySelectorAll("button")].find(b => b.checkVisibility());  // not its hidden twin
    if (seen.has(id) || !button) continue;
    const copy = button.cloneNode(true);
    copy.querySelectorAll("[data-testid=stIconMaterial]").forEach(icon => icon.remove());
    seen.set(id, copy.textContent.trim());
  }
  return [...seen.values()];
}"""


def sidebar_labels(page, at_least: int = 1) -> list[str]:
    """The conversations the sidebar lists, top first, as shown (their icon left out), once it
    shows at least `at_least` (the list is drawn at the end of a run, after the answers)."""
    page.wait_for_function(f"() => ({SIDEBAR_LABELS_JS})().length >= {at_least}", timeout=30_000)
    return page.evaluate(SIDEBAR_LABELS_JS)


def test_conversation_is_kept_across_a_reload_and_listed_in_the_sidebar(app_url: str, page) -> None:
    from urllib.parse import parse_qs, urlparse

    page.goto(app_url)
    ask(page, "How many Armenian servicemen were captured?")  # an earlier conversation, to list below
    page.locator(".na-card").first.wait_for(timeout=90_000)
    settle(page)
    page.get_by_role("button", name="New conversation").click()
    settle(page)
    for n, question in enumerate(HISTORY_QUESTIONS, start=1):
        ask(page, question)
        page.locator(".na-question").nth(n - 1).wait_for(timeout=90_000)
        settle(page)
    cid = parse_qs(urlparse(page.url).query)["c"][0]  # the URL names the conversation

    page.reload()
    page.locator(".na-question").nth(1).wait_for(timeout=90_000)
    settle(page)
    assert page.locator(".na-question").all_inner_texts() == list(HISTORY_QUESTIONS)
    assert "Read as: and how many were captured? (" in shown_text(page)  # its follow-up as read then
    labels = sidebar_labels(page)
    # newest first, each named by its first question, shortened at a word
    assert labels[0] == shorten(HISTORY_QUESTIONS[0], LABEL_CHARS)
    assert labels[1] == shorten("How many Armenian servicemen were captured?", LABEL_CHARS)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(600)
        expand = page.get_by_test_id("stExpandSidebarButton")
        if expand.is_visible():  # a narrow window folds the sidebar away: open it, as a reader would
            expand.click()
            page.wait_for_timeout(600)
        page.locator(f".st-key-conv-open-{cid} button:visible").wait_for(state="visible", timeout=10_000)
        page.evaluate("() => document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")  # questions in view
        page.wait_for_timeout(300)
        assert overflow(page, "[data-testid=stSidebarContent]") == [], width
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"history-{width}.png"))
    page.set_viewport_size({"width": 1440, "height": 1000})

    # a new session (no id in the URL) starts empty and opens the conversation from the list
    page.goto(app_url)
    page.get_by_text("Ask the news, with sources").wait_for(timeout=90_000)
    settle(page)
    assert page.locator(".na-question").count() == 0
    page.locator(f".st-key-conv-open-{cid} button:visible").click()
    page.locator(".na-question").nth(1).wait_for(timeout=90_000)
    settle(page)
    assert page.locator(".na-question").all_inner_texts() == list(HISTORY_QUESTIONS)

    # renamed in its menu to a hostile title: shown as typed, nothing of it obeyed
    page.locator(f".st-key-conv-menu-{cid} button:visible").first.click()
    title = page.locator(f".st-key-conv-title-{cid} input")
    title.wait_for(timeout=30_000)
    title.fill(HOSTILE_TITLE)
    title.press("Enter")
    settle(page)
    page.locator(f".st-key-conv-rename-{cid} button:visible").click()
    settle(page)
    page.keyboard.press("Escape")
    page.reload()
    page.locator(".na-question").nth(1).wait_for(timeout=90_000)
    settle(page)
    assert sidebar_labels(page)[0] == shorten(HOSTILE_TITLE, LABEL_CHARS)  # as typed, every mark kept
    assert page.locator("[data-testid=stSidebar] img[onerror]").count() == 0
    assert page.locator("[data-testid=stSidebar] a[href*='evil.example']").count() == 0
    assert page.evaluate("() => window.__hostile === undefined")
