"""The HTTP API over a real index, started with uvicorn and called over HTTP with httpx."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import httpx
import pytest

from assistant import Answer, Assistant
from tests.briefing.parsing import assert_inert, norm, parse_html

ROOT = Path(__file__).resolve().parents[2]
WOUNDED = "How many Azerbaijani soldiers were wounded?"
CAPTURED = "How many Armenian servicemen were captured?"
FLOOD = {"title": "Floods in Springfield", "outlet": "Springfield Courier", "published": "2021-11-20",
         "text": "Officials said that 40 residents of Springfield were evacuated on Monday as the river rose.\n\n"
                 "The mayor said the levee held overnight."}


def ask(api, question: str, **body) -> dict:
    response = api.client.post("/ask", json={"question": question, **body})
    assert response.status_code == 200, response.text
    return response.json()


def ingest(api, **kwargs) -> dict:
    """POST /ingest, then follow its job to the end: the job's report."""
    response = api.client.post("/ingest", **kwargs)
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/jobs/{job['id']}" and job["status"] in ("queued", "running")
    deadline = time.monotonic() + 300
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
        job = api.client.get(f"/jobs/{job['id']}").json()
    assert job["status"] == "done", job
    assert job["progress"]["done"] == job["progress"]["total"]
    return job["report"]


def assert_problem(response: httpx.Response, status: int, fragment: str) -> None:
    """A 4xx with a one-line detail saying what is wrong, and no traceback."""
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and fragment in detail, detail
    assert "Traceback" not in response.text


def test_health(api):
    body = api.client.get("/health").json()
    assert body["status"] == "ok" and body["articles"] == 2 and body["sentences"] > 20


def test_ask_returns_exactly_the_cli_json(api):
    got = ask(api, WOUNDED)
    assert set(got) == {f.name for f in fields(Answer)} | {"conversation_id"}
    expected = Assistant.open(api.index, refresh=False).ask(WOUNDED).to_dict()
    for record in (got, expected):
        record.pop("id")
    got.pop("conversation_id")
    assert got == json.loads(json.dumps(expected))
    assert got["supported"] and got["citations"][0]["source"]["title"]


def test_schema_documents_the_answer(api):
    schema = api.client.get("/openapi.json").json()
    ask_schema = schema["paths"]["/ask"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    name = ask_schema["$ref"].rsplit("/", 1)[-1]
    properties = set(schema["components"]["schemas"][name]["properties"])
    assert properties == {f.name for f in fields(Answer)} | {"conversation_id"}
    assert {"/ask", "/sources", "/disputes", "/ingest", "/health", "/answers/{answer_id}/card"} <= set(schema["paths"])
    assert set(schema["paths"]["/ingest"]["post"]["requestBody"]["content"]) == {"application/json",
                                                                               "multipart/form-data"}


def test_follow_up_in_a_conversation(api):
    first = ask(api, CAPTURED)
    follow = ask(api, "and how many were killed?", conversation_id=first["conversation_id"])
    assert follow["conversation_id"] == first["conversation_id"]
    assert follow["interpreted_as"] != follow["question"] and "armenian" in follow["interpreted_as"].lower()
    fresh = ask(api, "and how many were killed?")
    assert fresh["conversation_id"] != first["conversation_id"]
    assert fresh["interpreted_as"] == fresh["question"]


def test_filters_reach_the_engine(api):
    late = ask(api, WOUNDED, filters={"since": "2021-11-18"})
    assert late["filters"] == {"sources": [], "since": "2021-11-18", "until": None}
    assert all(c["source"]["published"] >= "2021-11-18" for c in late["citations"] + late["related"])


def test_sources(api):
    sources = api.client.get("/sources").json()
    titles = {s["title"] for s in sources}
    assert "7 Azerbaijani soldiers killed in clashes with Armenia" in titles
    assert all({"article_id", "outlet", "published", "sentences"} <= set(s) for s in sources)


def test_disputes(api):
    disputes = api.client.get("/disputes").json()
    assert disputes and all(len(d["sides"]) >= 2 for d in disputes)
    assert all(c["sentence"] for d in disputes for s in d["sides"] for c in s["citations"])
    listed = [[{c["id"] for c in side["citations"]} for side in d["sides"]] for d in disputes]
    for question in (WOUNDED, CAPTURED):
        answer = ask(api, question)
        assert answer["disputes"], question
        for dispute in answer["disputes"]:  # the disagreement an answer shows is in the corpus-wide list too
            sides = [{c["id"] for c in side["citations"]} for side in dispute["sides"]]
            assert any(sum(any(s & t for t in other) for s in sides) >= 2 for other in listed), dispute["summary"]


def test_card_is_escaped_html(api):
    answer = ask(api, WOUNDED)
    response = api.client.get(f"/answers/{answer['id']}/card")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "script-src" not in response.headers["content-security-policy"]
    root = parse_html(response.text)
    assert_inert(root)
    card = root.find("article", "na-card")
    assert card.attrs["data-answer-id"] == answer["id"]
    text = norm(card.text)
    assert answer["citations"][0]["sentence"] in text
    assert len(card.find("ol", "notes").find_all("li")) >= len(answer["citations"])
    if answer["disputes"]:
        assert card.find(cls="disputed-facts") is not None
    assert_problem(api.client.get("/answers/doesnotexist/card"), 404, "no answer 'doesnotexist'")


def test_ingest_json_then_ask_it(api):
    report = ingest(api, json={"articles": [FLOOD]})
    assert report["added"] == ["Floods in Springfield"] and report["articles"] == 3
    answer = ask(api, "How many residents of Springfield were evacuated?")
    assert answer["supported"] and answer["citations"][0]["source"]["outlet"] == "Springfield Courier"
    assert answer["citations"][0]["source"]["location"].startswith("api://article/")
    again = ingest(api, json={"articles": [FLOOD]})
    assert again["added"] == [] and again["unchanged"] == 1 and again["articles"] == 3
    assert "Springfield Courier" in {s["outlet"] for s in api.client.get("/sources").json()}


def test_ingest_upload_files(api):
    md = ("---\ntitle: Bridge closed in Shelbyville\noutlet: Shelbyville Times\npublished: 2021-11-21\n---\n\n"
          "The council closed the old bridge in Shelbyville after engineers found 3 cracked girders.\n")
    jsonl = json.dumps({"title": "Ferry resumes", "text": "The Ogdenville ferry resumed service with 2 boats on "
                        "Tuesday after the storm.", "outlet": "Ogdenville Post"}) + "\n"
    report = ingest(api, files=[("files", ("bridge.md", md.encode(), "text/markdown")),
                                ("files", ("ferry.jsonl", jsonl.encode(), "application/jsonl"))],
                    data={"articles": json.dumps([{**FLOOD, "title": "Floods again",
                                                   "text": FLOOD["text"] + " Schools stayed shut."}])})
    assert sorted(report["added"]) == ["Bridge closed in Shelbyville", "Ferry resumes", "Floods again"]
    answer = ask(api, "How many girders were cracked in the Shelbyville bridge?")
    assert answer["supported"] and answer["citations"][0]["source"]["title"] == "Bridge closed in Shelbyville"


def test_hostile_article_is_inert_in_the_card(api):
    hostile = {"title": "<img src=x onerror=alert(1)>Port strike",
               "text": "Union leaders said <script>alert('x')</script> 300 dockers in Capital City walked out "
                       "on Friday <b onclick=alert(2)>today</b>.",
               "outlet": "<i>Wire</i> & co", "url": "https://example.org/strike?a=1&b=<x>"}
    assert ingest(api, json={"articles": [hostile]})["added"]
    answer = ask(api, "How many dockers in Capital City walked out?")
    assert answer["supported"] and "<script>" in answer["citations"][0]["sentence"]
    html = api.client.get(f"/answers/{answer['id']}/card").text
    root = parse_html(html)
    assert_inert(root)
    text = norm(root.text)
    assert "<script>alert('x')</script>" in text and "<b onclick=alert(2)>today</b>" in text
    assert "<i>Wire</i> & co" in text


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "fragment"), [
    ("post", "/ask", {"json": {}}, 422, "question: Field required"),
    ("post", "/ask", {"json": {"question": ""}}, 422, "question: String should have at least 1 character"),
    ("post", "/ask", {"json": {"question": "   "}}, 422, "question: Value error, has no words"),
    ("post", "/ask", {"json": {"question": "?!?!...;;"}}, 422, "question: Value error, has no words"),
    ("post", "/ask", {"json": {"question": "x" * 1001}}, 422, "at most 1000 characters"),
    ("post", "/ask", {"json": {"question": "Who?", "k": 0}}, 422, "k: Input should be greater than or equal to 1"),
    ("post", "/ask", {"json": {"question": "Who?", "colour": 1}}, 422, "colour: Extra inputs are not permitted"),
    ("post", "/ask", {"json": {"question": "Who?\u0000"}}, 422, "NUL"),
    ("post", "/ask", {"content": b"{nope", "headers": {"content-type": "application/json"}}, 422,
     "the body is not valid JSON"),
    ("post", "/ask", {"json": {"question": "Who?", "filters": {"since": "yesterday-ish"}}}, 422,
     "filters.since: Value error, must be an ISO 8601 date"),
    ("post", "/ask", {"json": {"question": "Who?", "filters": {"since": "November 16, 2021"}}}, 422,
     "filters.since"),
    ("post", "/ask", {"content": b'{"question": "Who \xff?"}', "headers": {"content-type": "application/json"}},
     422, "the body is not valid JSON"),
    ("post", "/ask", {"json": {"question": "Who?", "filters": {"sources": ["Nobody Weekly"]}}}, 400,
     "no indexed source is called 'Nobody Weekly'"),
    ("post", "/ask", {"json": {"question": "Who?", "conversation_id": "abc"}}, 404, "unknown conversation_id 'abc'"),
    ("post", "/ask", {"json": {"question": "Who?", "conversation_id": "../x"}}, 422, "conversation_id"),
    ("get", "/ask", {}, 405, "Method Not Allowed"),
    ("get", "/nowhere", {}, 404, "Not Found"),
    ("post", "/ingest", {"json": {"articles": []}}, 422, "articles: List should have at least 1 item"),
    ("post", "/ingest", {"json": {"articles": [{"title": "No text"}]}}, 422, "articles.0.text: Field required"),
    ("post", "/ingest", {"json": {"articles": [{"title": "t", "text": "x", "url": "javascript:alert(1)"}]}}, 422,
     "articles.0.url"),
    ("post", "/ingest", {"json": {"articles": [{"title": "t", "text": "x", "published": "not a date"}]}}, 422,
     "articles.0.published"),
    ("post", "/ingest", {"files": [("files", ("a.md", b"---\ntitle: T\npublished: 2021-13-45\n---\nText.\n",
                                               "text/markdown"))]}, 422, "a.md: field 'published' is not a date"),
    ("post", "/ingest", {"files": [("files", ("scan.png", b"\x89PNG", "image/png"))]}, 415,
     "unsupported file type '.png'"),
    ("post", "/ingest", {"content": b"", "headers": {"content-type": "multipart/form-data; boundary=x"}}, 422,
     "nothing to ingest"),
    ("get", "/jobs/nosuchjob", {}, 404, "no ingest job 'nosuchjob'"),
    ("post", "/ingest", {"json": {"articles": [{"title": "t", "text": "... --- ..."}]}}, 422,
     "articles[0]: the text has no words to index"),
    ("post", "/ingest", {"content": b"title,text", "headers": {"content-type": "text/csv"}}, 415,
     "send application/json"),
    ("post", "/ingest", {"files": [("files", ("a.pdf", b"%PDF-1.4", "application/pdf"))]}, 422, "a.pdf: "),
    ("post", "/ingest", {"files": [("files", ("a.md", b"\x00\x01binary", "text/markdown"))]}, 422,
     "a.md: not a text file"),
    ("post", "/ingest", {"files": [("files", ("a.txt", b"   ", "text/plain"))]}, 422, "a.txt: empty file"),
    ("post", "/ingest", {"files": [("files", ("a.jsonl", b'{"title": "t"}\n', "application/jsonl"))]}, 422,
     "a.jsonl: line 1: field 'text'"),
    ("post", "/ingest", {"files": [("other", ("a.md", b"text", "text/markdown"))]}, 422, "unknown form field 'other'"),
    ("post", "/ingest", {"content": b"x" * (3 * 1024 * 1024), "headers": {"content-type": "application/json"}}, 413,
     "request body too large"),
])
def test_bad_requests_get_a_clear_4xx(api, method, path, kwargs, status, fragment):
    assert_problem(getattr(api.client, method)(path, **kwargs), status, fragment)


@pytest.mark.parametrize("path", ["/ask", "/ingest"])
def test_streamed_body_over_the_limit_is_refused(api, path):
    def chunks():  # no Content-Length: sent chunked
        for _ in range(40):
            yield b"x" * (128 * 1024)

    response = api.client.post(path, content=chunks(), headers={"content-type": "application/json"})
    assert_problem(response, 413, "request body too large")
    assert api.client.get("/health").status_code == 200


def test_streamed_body_under_the_limit_is_read(api):
    def chunks():
        yield b'{"question": '
        yield json.dumps(WOUNDED).encode()
        yield b"}"

    response = api.client.post("/ask", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json()["supported"], response.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_command_listens_on_loopback(api_index):
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "--index", str(api_index), "serve",
                                "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "assistant serve did not answer"
                time.sleep(0.5)
        assert health.json()["status"] == "ok"
        with socket.create_connection(("127.0.0.1", port)) as busy_check:
            assert busy_check
        again = subprocess.run([sys.executable, "-m", "cli.main", "--index", str(api_index), "serve",
                                "--port", str(port)], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert again.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in again.stderr
        assert "Traceback" not in again.stderr
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_serve_rejects_a_bad_port(api_index):
    done = subprocess.run([sys.executable, "-m", "cli.main", "serve", "--port", "70000"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "port 70000 is out of range" in done.stderr
