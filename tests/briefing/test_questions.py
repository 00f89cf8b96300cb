"""The QUESTIONS file: plain lines or a YAML list with filters; errors name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.questions import MAX_QUESTIONS, QuestionsError, read_questions


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_text_file_one_question_a_line(tmp_path):
    path = write(tmp_path, "q.txt", "# morning\nHow many were wounded?\n\n   What did   Baku say?  \n")
    questions = read_questions(path)
    assert [(q.text, q.line) for q in questions] == [("How many were wounded?", 2), ("What did Baku say?", 4)]
    assert questions[0].options() == {"k": 5, "sources": None, "since": None, "until": None}


def test_yaml_list_with_filters(tmp_path):
    path = write(tmp_path, "q.yaml", (
        "- How many were wounded?\n"
        "- question: How many were captured?\n"
        "  sources: AFP\n"
        "  since: 2021-11-16\n"
        "  until: '2021-11-18'\n"
        "  k: 3\n"
        "- question: Who attacked?\n"
        "  sources: [AFP, Azernews]\n"))
    first, second, third = read_questions(path)
    assert (first.text, first.line, first.sources) == ("How many were wounded?", 1, [])
    assert second.options() == {"k": 3, "sources": ["AFP"], "since": "2021-11-16", "until": "2021-11-18"}
    assert (second.line, third.sources) == (2, ["AFP", "Azernews"])


def test_a_dash_list_in_a_txt_file_is_read_as_yaml(tmp_path):
    path = write(tmp_path, "q.txt", "- How many were wounded?\n- question: Who attacked?\n  k: 2\n")
    assert [q.k for q in read_questions(path)] == [5, 2]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("q.yaml", "- ok?\n- question: fine?\n  sorces: AFP\n", r"q.yaml:3: unknown key 'sorces'"),
    ("q.yaml", "- ok?\n- question: [a, b\n", r"q.yaml:\d+: not valid YAML"),
    ("q.yaml", "- ok?\n- sources: AFP\n", r"q.yaml:2: this item has no 'question:'"),
    ("q.yaml", "- ok?\n- question: fine?\n  k: 0\n", r"q.yaml:3: 'k' must be a whole number from 1 to 50"),
    ("q.yaml", "- ok?\n- question: fine?\n  since: [1]\n", r"q.yaml:3: 'since' must be a date"),
    ("q.yaml", "- ok?\n- question: fine?\n  sources: [AFP, 3]\n", r"q.yaml:3: 'sources' must be"),
    ("q.yaml", "- ok?\n- [a, b]\n", r"q.yaml:2: each item must be a question"),
    ("q.yaml", "question: not a list\n", r"q.yaml:1: a YAML questions file must be a list"),
    ("q.yaml", "- ok?\n- 42\n", r"q.yaml:2: a question must be text, not int"),
    ("q.txt", "fine?\n" + "x" * 1001 + "\n", r"q.txt:2: the question is too long"),
    ("q.txt", "\n# only a comment\n\n", r"q.txt: no questions in the file"),
    ("q.txt", b"fine?\nbad \xff byte\n", r"q.txt:2: not UTF-8 text"),
    ("q.txt", b"fine?\n\x00\n", r"q.txt:2: not a text file"),
])
def test_bad_files_say_where(tmp_path, name, content, message):
    with pytest.raises(QuestionsError, match=message) as caught:
        read_questions(write(tmp_path, name, content))
    assert "\n" not in str(caught.value)


def test_too_many_questions(tmp_path):
    path = write(tmp_path, "q.txt", "".join(f"question {i}?\n" for i in range(MAX_QUESTIONS + 1)))
    with pytest.raises(QuestionsError, match=rf"q.txt:{MAX_QUESTIONS + 1}: too many questions"):
        read_questions(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(QuestionsError, match="no such file"):
        read_questions(tmp_path / "absent.txt")
    with pytest.raises(QuestionsError, match="is a folder"):
        read_questions(tmp_path)
