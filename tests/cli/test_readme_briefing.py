"""The README's briefing example runs as written on the default corpus: its questions file,
taken from the README itself, makes a briefing whose filtered question cites only the named
source (a name that is not indexed would stop it with status 2)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def readme_questions() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Briefings"):]
    return re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)


def test_the_readme_briefing_example_runs_as_written(seed_index_dir: Path, tmp_path: Path):
    questions = tmp_path / "questions.yaml"
    questions.write_text(readme_questions(), encoding="utf-8")
    filtered = [item for item in yaml.safe_load(questions.read_text(encoding="utf-8")) if isinstance(item, dict)]
    assert filtered and all(item.get("sources") for item in filtered)
    done = subprocess.run([sys.executable, "-m", "cli.main", "--index", str(seed_index_dir), "brief", str(questions),
                           "--format", "md"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    named = filtered[0]["sources"]
    section = done.stdout[done.stdout.index(filtered[0]["question"]):]
    section = section[:section.index("\n## ")] if "\n## " in section else section
    footnotes = re.findall(r"^\[\^(\d+)\]: (.*)$", done.stdout, re.MULTILINE)
    cited = {n for n in re.findall(r"\[\^(\d+)\]", section)}
    assert cited, section
    for number, note in footnotes:
        if number in cited:
            assert any(name in note for name in named), note
