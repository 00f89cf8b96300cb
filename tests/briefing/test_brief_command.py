"""`assistant brief` end to end through the CLI, on a temporary index of the seeds."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from docx import Document

from cli.main import main
from tests.briefing.conftest import SEED_QUESTIONS
from tests.briefing.parsing import parse_html

ROOT = Path(__file__).resolve().parents[2]


def questions_file(tmp_path: Path) -> Path:
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(SEED_QUESTIONS) + "\n", encoding="utf-8")
    return path


def test_writes_each_format(briefing_index, tmp_path, capsys):
    questions = questions_file(tmp_path)
    for suffix in ("html", "docx", "md"):
        out = tmp_path / f"brief.{suffix}"
        assert main(["--index", str(briefing_index), "brief", str(questions), "--title", "Daily",
                     "--out", str(out)]) == 0
        assert f"wrote {out} ({suffix}): 2 questions, 2 answered" in capsys.readouterr().err
    assert parse_html((tmp_path / "brief.html").read_text("utf-8")).find("h1").text == "Daily"
    assert Document(io.BytesIO((tmp_path / "brief.docx").read_bytes())).paragraphs[0].text == "Daily"
    assert (tmp_path / "brief.md").read_text("utf-8").startswith("# Daily\n")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_format_option_wins_and_stdout(briefing_index, tmp_path, capsys):
    questions = questions_file(tmp_path)
    assert main(["--index", str(briefing_index), "brief", str(questions), "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and SEED_QUESTIONS[0] in out


def test_bad_questions_file_exits_2_with_the_line(briefing_index, tmp_path, capsys):
    bad = tmp_path / "q.yaml"
    bad.write_text("- fine?\n- question: ok?\n  colour: red\n", encoding="utf-8")
    assert main(["--index", str(briefing_index), "brief", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and f"{bad}:3: unknown key 'colour'" in err


def test_engine_error_is_reported_on_its_line(briefing_index, tmp_path, capsys):
    path = tmp_path / "q.yaml"
    path.write_text(f"- {SEED_QUESTIONS[0]}\n- question: {SEED_QUESTIONS[1]}\n  sources: Nobody Weekly\n",
                    encoding="utf-8")
    assert main(["--index", str(briefing_index), "brief", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: no indexed source is called 'Nobody Weekly'" in err


def test_unwritable_out(briefing_index, tmp_path, capsys):
    out = tmp_path / "missing" / "brief.md"
    assert main(["--index", str(briefing_index), "brief", str(questions_file(tmp_path)), "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_process_prints_no_traceback(briefing_index, tmp_path):
    bad = tmp_path / "q.txt"
    bad.write_bytes(b"fine?\n\xff\n")
    done = subprocess.run([sys.executable, "-m", "cli.main", "--index", str(briefing_index), "brief", str(bad)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and f"{bad}:2: not UTF-8 text" in done.stderr
