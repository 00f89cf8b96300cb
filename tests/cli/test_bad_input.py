"""Bad input: one clear line on stderr, exit status 2, no traceback, the index unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from index.library import current_version
from index.manifest import Manifest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    for word in words:
        assert word.casefold() in message.casefold(), message


@pytest.mark.parametrize("question, words", [
    ("", ["empty"]),
    ("   \t ", ["empty"]),
    ("x" * 100_000, ["too long", "100,000"]),
    ("?!?!...;;", ["has no words"]),
    ("— … ¿? ¡! «»", ["has no words"]),
])
def test_bad_questions(seed_index_dir: Path, question: str, words: list[str]):
    result = cli("--index", str(seed_index_dir), "ask", question)
    assert_refused(result, *words)
    assert result.stderr.strip().count("\n") == 0


def cli_bytes(*args: bytes) -> subprocess.CompletedProcess:
    """The command with arguments as raw bytes, as a shell passes them."""
    return subprocess.run([sys.executable.encode(), b"-m", b"assistant", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize(("args", "words"), [
    ([b"ask", b"Who attacked \xff\xfe?"], ["the question is not valid UTF-8"]),
    ([b"ask", b"Who attacked?", b"--source", b"Caf\xe9 Times"], ["--source is not valid UTF-8"]),
])
def test_arguments_that_are_not_utf8(seed_index_dir: Path, args: list[bytes], words: list[str]):
    result = cli_bytes(b"--index", str(seed_index_dir).encode(), *args)
    assert_refused(result, *words)
    assert result.stderr.strip().count("\n") == 0


def test_index_that_is_a_file_or_holds_no_index(tmp_path: Path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("hello", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    for command in (["ask", "Who attacked?"], ["sources"], ["disputes"], ["ingest", str(a_file)]):
        assert_refused(cli("--index", str(a_file), *command), "is a file, not an index folder")
    for command in (["ask", "Who attacked?"], ["sources"], ["disputes"]):
        assert_refused(cli("--index", str(tmp_path / "typo"), *command), "no such folder", "ingest PATH")
        assert_refused(cli("--index", str(empty), *command), "no index in this folder")
    assert not (tmp_path / "typo").exists()  # a reading command creates nothing


def make_bad_files(folder: Path) -> dict[str, list[str]]:
    """name -> words its refusal must contain."""
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00\xff" * 50)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9 owners said the border was calm.".encode("latin-1"))
    (folder / "nosentences.md").write_text("---\ntitle: Only a title\n---\n\n* * *\n", encoding="utf-8")
    return {"binary.txt": ["binary"], "empty.txt": ["empty"], "latin1.txt": ["utf-8"],
            "nosentences.md": ["nosentences.md"]}


def test_bad_files_are_refused_one_by_one_and_lose_nothing(own_index: Path, tmp_path: Path):
    before = Manifest.load(current_version(own_index))
    for name, words in make_bad_files(tmp_path).items():
        result = cli("--index", str(own_index), "ingest", str(tmp_path / name), "--no-progress")
        assert_refused(result, name, *words)
        assert current_version(own_index).exists()
    result = cli("--index", str(own_index), "sources", "--json")
    assert result.returncode == 0 and result.stdout.count('"article_id"') == 2
    after = Manifest.load(current_version(own_index))  # the same articles, the same sentences
    assert (after.corpus_fingerprint, after.articles, after.sentences) == \
        (before.corpus_fingerprint, before.articles, before.sentences)


def test_missing_path_and_silent_url(own_index: Path, tmp_path: Path):
    assert_refused(cli("--index", str(own_index), "ingest", str(tmp_path / "nope.txt")), "nope.txt")
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert_refused(cli("--index", str(own_index), "ingest", f"http://127.0.0.1:{port}/story.html"),
                   f"127.0.0.1:{port}")


def test_duplicate_article_is_skipped(own_index: Path, tmp_path: Path):
    seed = next((ROOT / "corpus" / "seeds").glob("*.md"))
    (tmp_path / "copy.md").write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("--index", str(own_index), "ingest", str(tmp_path / "copy.md"), "--no-progress")
    assert_refused(result, "same text as")
    listed = cli("--index", str(own_index), "sources", "--json")
    assert listed.stdout.count('"article_id"') == 2


def test_bad_filters(seed_index_dir: Path):
    assert_refused(cli("--index", str(seed_index_dir), "ask", "Who attacked?", "--since", "yesterdayish"),
                   "not a date")
    assert_refused(cli("--index", str(seed_index_dir), "ask", "Who attacked?", "--source", "Nowhere Times"),
                   "Nowhere Times")
    assert_refused(cli("--index", str(seed_index_dir), "ask", "Who attacked?", "--k", "0"), "k must")


BAD_DATE = "---\ntitle: Ferry strike\npublished: 2021-13-45\n---\nThe ferry crews stopped work on Monday.\n"
GOOD = ("---\ntitle: Harbour reopens\noutlet: Coast Daily\npublished: 2021-11-20\n---\n"
        "The harbour in Port Ellis reopened on Monday after storms closed it for a week, the port authority said.\n")


def test_a_bad_date_refuses_one_file_and_not_the_others(own_index: Path, tmp_path: Path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "bad.md").write_text(BAD_DATE, encoding="utf-8")
    (folder / "good.md").write_text(GOOD, encoding="utf-8")
    result = cli("--index", str(own_index), "ingest", str(folder), "--no-progress")
    assert_refused(result, "bad.md", "field 'published' is not a date: '2021-13-45'")
    assert "added 1" in result.stdout
    listed = cli("--index", str(own_index), "sources", "--json")
    assert listed.returncode == 0 and "Harbour reopens" in listed.stdout and "Ferry strike" not in listed.stdout


def test_a_bad_file_dropped_into_an_ingested_folder_does_not_stop_answers(own_index: Path, tmp_path: Path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD, encoding="utf-8")
    assert cli("--index", str(own_index), "ingest", str(folder), "--no-progress").returncode == 0
    (folder / "bad.md").write_text(BAD_DATE, encoding="utf-8")
    (folder / "later.md").write_text(GOOD.replace("Harbour reopens", "Harbour busy").replace("Port Ellis", "Lowport"),
                                     encoding="utf-8")
    asked = cli("--index", str(own_index), "ask", "When did the harbour in Lowport reopen?", "--json")
    assert asked.returncode == 0, asked.stderr
    assert "Traceback" not in asked.stderr
    assert '"title": "Harbour busy"' in asked.stdout  # the good file added beside the bad one was read
    listed = cli("--index", str(own_index), "sources", "--json")
    assert listed.returncode == 0 and "Ferry strike" not in listed.stdout
