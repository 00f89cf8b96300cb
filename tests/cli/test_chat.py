"""`assistant chat` run as a process with questions piped in, on a private copy of the seed
index: answers printed as `ask` prints them, follow-ups read in context (also in a later
process going on with a stored conversation), bad lines refused one line each."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from assistant.history import History

ROOT = Path(__file__).resolve().parents[2]
KILLED = "How many Azerbaijani servicemen were killed in the clashes?"
WOUNDED = "and how many were wounded?"


def chat(index: Path, stdin: bytes, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "assistant", "--index", str(index), "chat", *args], cwd=ROOT,
                            input=stdin, capture_output=True, timeout=300)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(),
                                       result.stderr.decode())


def conversation_id(result: subprocess.CompletedProcess) -> str:
    found = re.search(r"conversation ([0-9a-f]{12})", result.stderr)
    assert found, result.stderr
    return found.group(1)


def read_as(stdout: str) -> list[str]:
    return re.findall(r"^   \(read as: (.*)\)$", stdout, re.M)


def test_piped_questions_are_one_conversation_kept_in_the_history(own_index: Path):
    result = chat(own_index, f"{KILLED}\n\n{WOUNDED}\nquit\nHow many were captured?\n".encode())
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    asked = re.findall(r"^Q: (.*)$", result.stdout, re.M)
    assert asked == [KILLED, WOUNDED]  # the blank line skipped, nothing after `quit` asked
    (follow_up,) = read_as(result.stdout)
    assert follow_up.startswith(WOUNDED) and "servicemen" in follow_up  # the first question's subject
    assert "Citations:" in result.stdout

    stored = History.of_index(own_index).load(conversation_id(result))
    assert [a.question for a in stored] == [KILLED, WOUNDED]
    assert stored[1].interpreted_as == follow_up


def test_a_later_chat_goes_on_with_a_stored_conversation(own_index: Path):
    first = chat(own_index, f"{KILLED}\n".encode())
    cid = conversation_id(first)
    later = chat(own_index, f"{WOUNDED}\n".encode(), "--conversation", cid)  # end of input ends it
    assert later.returncode == 0, later.stderr
    assert "1 question so far" in later.stderr
    (follow_up,) = read_as(later.stdout)
    assert "servicemen" in follow_up
    assert len(History.of_index(own_index).load(cid)) == 2

    listing = chat(own_index, b"", "--list")
    assert listing.returncode == 0
    assert re.search(rf"^{cid} .* 2 questions  {re.escape(KILLED)}$", listing.stdout, re.M), listing.stdout


def test_bad_lines_are_refused_one_line_each_and_the_chat_goes_on(own_index: Path):
    result = chat(own_index, b"?!?!\n\xff\xfe who?\n" + b"x" * 2000 + f"\n{KILLED}\n".encode())
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    refusals = [line for line in result.stderr.splitlines() if line.startswith("assistant: ")]
    assert len(refusals) == 3, result.stderr
    assert "no words" in refusals[0] and "UTF-8" in refusals[1] and "too long" in refusals[2]
    assert re.findall(r"^Q: (.*)$", result.stdout, re.M) == [KILLED]  # the good question still answered


def test_unknown_conversation_and_hostile_titles(own_index: Path):
    result = chat(own_index, f"{KILLED}\n".encode(), "--conversation", "feedfacecafe")
    assert result.returncode == 2
    assert result.stderr.strip() == ("assistant: no conversation 'feedfacecafe' in the history "
                                     "(see `assistant chat --list`)")
    assert result.stdout == ""

    history = History.of_index(own_index)
    history.rename(history.create(), "\x1b[2J\x1b[31mred\u202eevil\x07")
    listing = chat(own_index, b"", "--list")
    assert listing.returncode == 0
    assert "\x1b" not in listing.stdout and "\u202e" not in listing.stdout and "\x07" not in listing.stdout
    assert "red" in listing.stdout and "evil" in listing.stdout
