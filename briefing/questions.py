"""The QUESTIONS file of `assistant brief`: one question a line, or a YAML list.

Plain text: one question per line; blank lines and lines starting with "#" are skipped.

YAML (a .yaml/.yml file, or any file whose first line that counts starts with "-"):

    - How many Azerbaijani soldiers were wounded?
    - question: How many Armenian servicemen were captured?
      sources: [AFP]          # or one name; outlets or article titles
      since: 2021-11-16
      until: 2021-11-18
      k: 5

Every error names the file and the line: "questions.yaml:4: unknown key 'sorces' ...".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.api import MAX_QUESTION_CHARS
from assistant.errors import AssistantError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1024 * 1024
MAX_QUESTIONS = 200
KEYS = ("question", "sources", "since", "until", "k")


class QuestionsError(AssistantError):
    """A QUESTIONS file that cannot be used; str() is "<file>:<line>: <problem>"."""

    def __init__(self, name: str, line: int | None, problem: str) -> None:
        self.name, self.line, self.problem = name, line, " ".join(problem.split())
        super().__init__(f"{name}:{line}: {self.problem}" if line else f"{name}: {self.problem}")


@dataclass
class Question:
    """One question of the briefing, with its own filters."""

    text: str
    line: int
    sources: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None
    k: int = 5

    def options(self) -> dict:
        """Keyword arguments for `Assistant.ask` / `Conversation.ask`."""
        return {"k": self.k, "sources": self.sources or None, "since": self.since, "until": self.until}


def _checked(text: object, name: str, line: int) -> str:
    if not isinstance(text, str):
        raise QuestionsError(name, line, f"a question must be text, not {_kind(text)}")
    if "\x00" in text:
        raise QuestionsError(name, line, "the question contains a NUL character")
    text = " ".join(text.split())
    if not text:
        raise QuestionsError(name, line, "the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionsError(name, line, f"the question is too long ({len(text):,} characters; "
                                         f"at most {MAX_QUESTION_CHARS:,})")
    return text


def _kind(value: object) -> str:
    return {dict: "a mapping", list: "a list", type(None): "empty"}.get(type(value), type(value).__name__)


def _is_yaml(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".yaml", ".yml"):
        return True
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped.startswith("-")
    return False


def parse_text(text: str, name: str) -> list[Question]:
    """Questions from plain text, one a line."""
    questions = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            questions.append(Question(_checked(stripped, name, number), number))
    return questions


def _date(value: object, key: str, name: str, line: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise QuestionsError(name, line, f"'{key}' must be a date such as 2021-11-16, not {_kind(value)}")


def _item(node: yaml.Node, loader: yaml.SafeLoader, name: str) -> Question:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return Question(_checked(loader.construct_object(node, deep=True), name, line), line)
    if not isinstance(node, yaml.MappingNode):
        raise QuestionsError(name, line, "each item must be a question or a mapping with 'question:'")
    values: dict[str, tuple[object, int]] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_line = key_node.start_mark.line + 1
        if key not in KEYS:
            raise QuestionsError(name, key_line, f"unknown key {str(key)!r}: use {', '.join(KEYS)}")
        values[key] = (loader.construct_object(value_node, deep=True), value_node.start_mark.line + 1)
    if "question" not in values:
        raise QuestionsError(name, line, "this item has no 'question:'")
    question = Question(_checked(values["question"][0], name, values["question"][1]), line)
    if "sources" in values:
        sources, at = values["sources"]
        sources = [sources] if isinstance(sources, str) else sources
        if not isinstance(sources, list) or not all(isinstance(s, str) and s.strip() for s in sources):
            raise QuestionsError(name, at, "'sources' must be an outlet name or a list of them")
        question.sources = [" ".join(s.split()) for s in sources]
    for key in ("since", "until"):
        if key in values:
            setattr(question, key, _date(values[key][0], key, name, values[key][1]))
    if "k" in values:
        k, at = values["k"]
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 50:
            raise QuestionsError(name, at, f"'k' must be a whole number from 1 to 50, not {k!r}")
        question.k = k
    return question


def parse_yaml(text: str, name: str) -> list[Question]:
    """Questions from a YAML list, each a string or a mapping with filters."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return []
        if not isinstance(root, yaml.SequenceNode):
            raise QuestionsError(name, root.start_mark.line + 1,
                                 "a YAML questions file must be a list of '- question' items")
        return [_item(node, loader, name) for node in root.value]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or "not valid YAML"
        raise QuestionsError(name, mark.line + 1 if mark else None, f"not valid YAML: {problem}") from None
    finally:
        loader.dispose()


def parse_questions(text: str, name: str, *, as_yaml: bool | None = None) -> list[Question]:
    """The questions in `text`; YAML when `as_yaml`, or when it looks like a YAML list."""
    use_yaml = _is_yaml(Path(name), text) if as_yaml is None else as_yaml
    questions = parse_yaml(text, name) if use_yaml else parse_text(text, name)
    if not questions:
        raise QuestionsError(name, None, "no questions in the file (one question a line, or a YAML list)")
    if len(questions) > MAX_QUESTIONS:
        raise QuestionsError(name, questions[MAX_QUESTIONS].line,
                             f"too many questions ({len(questions)}; at most {MAX_QUESTIONS})")
    log.info("%s: %d questions (%s)", name, len(questions), "YAML" if use_yaml else "text")
    return questions


def read_questions(path: Path) -> list[Question]:
    """The questions of a QUESTIONS file, or a QuestionsError saying what is wrong and where."""
    name = str(path)
    try:
        if path.is_dir():
            raise QuestionsError(name, None, "is a folder, not a file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise QuestionsError(name, None, f"file too large (at most {MAX_FILE_BYTES // 1024} KB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise QuestionsError(name, None, "no such file") from None
    except OSError as err:
        raise QuestionsError(name, None, f"cannot read the file ({err.strerror or err})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise QuestionsError(name, line, "not UTF-8 text; save the file as UTF-8") from None
    if "\x00" in text:
        raise QuestionsError(name, text[:text.index("\x00")].count("\n") + 1, "not a text file (NUL byte)")
    return parse_questions(text, name)
