"""Readers follow writers, and questions are answered during an ingest (issue 11, failures 4 and 8).

A live server over its own index: another process ingests into the same index, and the
server sees the new articles within a second of the switch with no failed request; an
ingest through the API runs as a background job while /ask keeps answering.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.library import current_name
from tests.server.conftest import LiveServer, serve

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "How many Azerbaijani soldiers were wounded?"


@pytest.fixture
def live(copy_seed_index) -> Iterator[LiveServer]:
    yield from serve(copy_seed_index("follow-index"))


class Asker:
    """Clients asking in a loop until stopped, counting answers and failures."""

    def __init__(self, server: LiveServer, clients: int = 2) -> None:
        self.server, self.stop = server, threading.Event()
        self.ok, self.failures = 0, []
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def _run(self) -> None:
        import httpx

        with httpx.Client(base_url=self.server.url, timeout=120) as client:
            while not self.stop.is_set():
                try:
                    response = client.post("/ask", json={"question": QUESTION})
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                    continue
                if response.status_code == 200:
                    self.ok += 1
                else:
                    self.failures.append(f"{response.status_code} {response.text[:200]}")

    def __enter__(self) -> Asker:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=120)


def titles(server: LiveServer) -> set[str]:
    response = server.client.get("/sources")
    assert response.status_code == 200, response.text
    return {s["title"] for s in response.json()}


def test_a_server_sees_another_process_ingest_within_a_second(live: LiveServer, tmp_path: Path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "port.md").write_text("---\ntitle: Port strike in Capital City\noutlet: Harbour Wire\n---\n"
                                    "Dockers in Capital City walked out on Friday, the union said.\n", encoding="utf-8")
    before = current_name(live.index)
    with Asker(live) as asker:
        writer = subprocess.Popen([sys.executable, "-m", "assistant", "--index", str(live.index), "ingest",
                                   str(folder), "--no-progress"], cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while current_name(live.index) == before:  # the moment the other process switches `current`
            assert writer.poll() is None or writer.returncode == 0, writer.communicate()
            assert time.monotonic() < deadline, "the other process never switched the index"
            time.sleep(0.005)
        # The first request made after the switch already reads the new version (each request
        # checks `current`), so "within a second" holds whatever the machine's load; the
        # latency itself is measured by bench/reliability_bench.py, not asserted here.
        assert "Port strike in Capital City" in titles(live)
        assert writer.wait(timeout=300) == 0, writer.communicate()
        time.sleep(0.3)  # and it keeps answering from the new version
    assert asker.failures == [] and asker.ok > 0, asker.failures[:3]
    response = live.client.post("/ask", json={"question": "Who walked out in Capital City on Friday?",
                                               "filters": {"sources": ["Harbour Wire"]}})
    assert response.status_code == 200, response.text  # the filter knows the new outlet
    quoted = response.json()["citations"] + response.json()["related"]
    assert quoted and {c["source"]["outlet"] for c in quoted} == {"Harbour Wire"}  # retrieval reads it too
    versions = [p.name for p in live.index.glob("v-*")]
    assert versions == [current_name(live.index)], "the version left behind was not removed once let go"


def test_questions_are_answered_while_an_api_ingest_runs(live: LiveServer):
    articles = [{"title": f"Bulletin {i}", "outlet": "Test Wire",
                 "text": " ".join(f"Officials in district {j} of region {i} counted {i + j} damaged homes on day {j}."
                                  for j in range(20))} for i in range(150)]
    response = live.client.post("/ingest", json={"articles": articles})
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    answered_during, statuses, progress = 0, set(), []
    deadline = time.monotonic() + 600
    while True:
        job = live.client.get(f"/jobs/{job_id}").json()
        statuses.add(job["status"])
        progress.append(job["progress"]["done"])
        if job["status"] not in ("queued", "running"):
            break
        answer = live.client.post("/ask", json={"question": QUESTION})
        assert answer.status_code == 200, answer.text
        if live.client.get(f"/jobs/{job_id}").json()["status"] == "running":
            answered_during += 1  # answered while the job was still at work
        assert time.monotonic() < deadline
    assert job["status"] == "done", job
    assert len(job["report"]["added"]) == 150 and job["report"]["articles"] == 152
    assert "running" in statuses and answered_during >= 3, (statuses, answered_during)
    assert progress == sorted(progress) and job["progress"]["done"] == job["progress"]["total"] > 0
    assert "Bulletin 7" in titles(live)  # the server follows the version its own job wrote


def test_a_job_says_what_it_is(live: LiveServer):
    response = live.client.post("/ingest", json={"articles": [{"title": "One", "text": "One short article text."}]})
    job = response.json()
    assert set(job) == {"id", "status", "articles", "submitted", "started", "finished", "progress", "report", "error"}
    assert job["articles"] == 1 and job["report"] is None and job["error"] is None
