"""The index folder: incremental ingest, persistence across processes, atomic updates."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant, AssistantError
from index.library import current_version

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = """---
title: Drone strike reported near Lake Sevan
outlet: Test Wire
published: 2021-11-20
---
A drone struck a depot near Lake Sevan on Saturday, the regional governor said.

Nobody was hurt in the strike, according to local officials.
"""


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_only_new_or_changed_articles_are_embedded(own_index: Path, tmp_path: Path):
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "sevan.md").write_text(ARTICLE, encoding="utf-8")
    assistant = Assistant.open(own_index, refresh=False)

    first = assistant.ingest([str(folder)], progress=False)
    assert first.added == ["Drone strike reported near Lake Sevan"]
    assert first.sentences_embedded == 2
    answer = assistant.ask("What did the drone strike near Lake Sevan hit?")
    assert answer.citations[0].source.title == "Drone strike reported near Lake Sevan"

    again = assistant.ingest([str(folder)], progress=False)
    assert (again.added, again.updated, again.sentences_embedded, again.unchanged) == ([], [], 0, 1)

    (folder / "sevan.md").write_text(ARTICLE.replace("a depot", "a fuel depot"), encoding="utf-8")
    changed = assistant.ingest([str(folder)], progress=False)
    assert changed.updated == ["Drone strike reported near Lake Sevan"] and changed.sentences_embedded == 2

    (folder / "sevan.md").unlink()
    removed = assistant.ingest([str(folder)], progress=False)
    assert removed.removed == ["Drone strike reported near Lake Sevan"]
    titles = {c.source.title for c in assistant.ask("What did the drone strike near Lake Sevan hit?").related}
    assert "Drone strike reported near Lake Sevan" not in titles
    assert len(assistant.sources()) == 2


def test_answers_survive_the_process(seed_index_dir: Path, seed_assistant: Assistant):
    question = "How many Armenian servicemen were captured?"
    here = seed_assistant.ask(question)
    result = run_cli("--index", str(seed_index_dir), "ask", question, "--json")
    assert result.returncode == 0, result.stderr
    there = json.loads(result.stdout)
    assert [c["id"] for c in there["citations"]] == [c.id for c in here.citations]
    assert there["lead"] == here.lead


def test_a_kill_during_ingest_leaves_the_previous_index_whole(own_index: Path, tmp_path: Path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(120):  # enough text that embedding takes several seconds
        body = " ".join(f"Report {i} line {j}: officials in district {j} counted {i + j} damaged homes."
                        for j in range(25))
        (folder / f"a{i:03d}.txt").write_text(f"Bulletin number {i}\n\n{body}\n", encoding="utf-8")
    before = current_version(own_index)
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "--index", str(own_index), "ingest",
                             str(folder), "--no-progress"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not [p for p in own_index.glob("v-*") if p != before]:
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the embedding of ~3,000 sentences
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert current_version(own_index) == before
    assistant = Assistant.open(own_index, refresh=False)
    assert len(assistant.sources()) == 2
    assert assistant.ask("How many Azerbaijani servicemen were killed in the clashes?").supported

    small = tmp_path / "small"
    small.mkdir()
    (small / "sevan.md").write_text(ARTICLE, encoding="utf-8")
    assert assistant.ingest([str(small)], progress=False).added
    assert len(list(own_index.glob("v-*"))) == 1, "the half-written version was not cleaned up"


def test_an_index_from_another_model_is_refused(own_index: Path):
    manifest = current_version(own_index) / "manifest.json"
    data = json.loads(manifest.read_text())
    data["model"], data["dimensions"] = "some-other-model", 768
    manifest.write_text(json.dumps(data))
    with pytest.raises(AssistantError, match="built with model some-other-model"):
        Assistant.open(own_index)
    result = run_cli("--index", str(own_index), "ask", "Who attacked?")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "some-other-model" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_index_older_than_its_files_is_refreshed_on_open(tmp_path: Path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "sevan.md").write_text(ARTICLE, encoding="utf-8")
    Assistant.build(tmp_path / "index", [str(folder)], progress=False)
    (folder / "sevan.md").write_text(ARTICLE.replace("a depot", "an ammunition depot"), encoding="utf-8")
    (folder / "later.md").write_text(ARTICLE.replace("Lake Sevan", "Lake Arpi").replace("Saturday", "Sunday"),
                                     encoding="utf-8")
    assistant = Assistant.open(tmp_path / "index")
    assert not assistant.index.stale_files()
    answer = assistant.ask("What did the drone strike near Lake Sevan hit?")
    assert "ammunition depot" in answer.citations[0].sentence
    assert len(assistant.sources()) == 2  # the new file in the ingested folder too
    (folder / "later.md").unlink()
    assert len(Assistant.open(tmp_path / "index").sources()) == 1


def test_a_deleted_file_disappears_from_answers(tmp_path: Path):
    single = tmp_path / "sevan.md"
    single.write_text(ARTICLE, encoding="utf-8")
    assistant = Assistant.build(tmp_path / "index", [str(ROOT / "corpus" / "seeds"), str(single)], progress=False)
    assert len(assistant.sources()) == 3
    single.unlink()
    reopened = Assistant.open(tmp_path / "index")
    assert len(reopened.sources()) == 2
    assert Assistant.open(tmp_path / "index").refresh() is None  # up to date now: nothing to redo


def test_the_default_index_is_rebuilt_not_refused(own_index: Path, monkeypatch: pytest.MonkeyPatch):
    import assistant.api

    manifest = current_version(own_index) / "manifest.json"
    data = json.loads(manifest.read_text())
    data["schema"] = 1
    manifest.write_text(json.dumps(data))
    with pytest.raises(AssistantError, match="schema 1"):
        Assistant.open(own_index)  # an index the user names is refused with a hint
    monkeypatch.setattr(assistant.api, "DEFAULT_INDEX", own_index)
    rebuilt = Assistant.open()  # the default index is rebuilt from its sources
    assert rebuilt.index.manifest.schema == 2 and len(rebuilt.sources()) == 2
    assert rebuilt.ask("How many Armenian servicemen were captured?").disputes
