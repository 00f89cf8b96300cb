"""Bad input: one clear line on stderr, exit status 2, no traceback, the index unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from index.library import current_version

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
])
def test_bad_questions(seed_index_dir: Path, question: str, words: list[str]):
    result = cli("--index", str(seed_index_dir), "ask", question)
    assert_refused(result, *words)
    assert result.stderr.strip().count("\n") == 0


def make_bad_files(folder: Path) -> dict[str, list[str]]:
    """name -> words its refusal must contain."""
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00\xff" * 50)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9 owners said the border was calm.".encode("latin-1"))
    (folder / "nosentences.md").write_text("---\ntitle: Only a title\n---\n\n* * *\n", encoding="utf-8")
    return {"binary.txt": ["binary"], "empty.txt": ["empty"], "latin1.txt": ["utf-8"],
            "nosentences.md": ["nosentences.md"]}


def test_bad_files_are_refused_one_by_one_and_lose_nothing(own_index: Path, tmp_path: Path):
    before = current_version(own_index)
    for name, words in make_bad_files(tmp_path).items():
        result = cli("--index", str(own_index), "ingest", str(tmp_path / name), "--no-progress")
        assert_refused(result, name, *words)
        assert current_version(own_index).exists()
    result = cli("--index", str(own_index), "sources", "--json")
    assert result.returncode == 0 and result.stdout.count('"article_id"') == 2
    assert before.exists() or current_version(own_index) is not None


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
