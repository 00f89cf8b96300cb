"""Gold question-and-answer sets: reading and validating them.

A gold file is JSON Lines, one item per line (see `eval/GOLD_FORMAT.md`). `load_gold`
checks every field and raises `GoldError` naming the file, the line and the field at
fault, so a user can fix a hand-written set without guessing:

    gold.jsonl: line 7: field 'evidence[1].quote' must be a non-empty string, got 12
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_GOLD: Path = Path(__file__).resolve().parent / "gold" / "seeds.jsonl"

REQUIRED = ("id", "question", "answers", "answerable", "evidence", "conflicts")
OPTIONAL = ("history", "note", "notes", "tags", "kind")
# What an item asks for (optional `kind`): benches break their figures down by it.
KINDS = ("number", "person", "org", "place", "date", "money", "percent", "verdict", "manner", "other")


class GoldError(ValueError):
    """A gold file that is not in the format; the message is one line naming line and field."""

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source, self.line = source, line
        self.problem = " ".join(str(problem).split())
        where = f"{source}: line {line}" if line is not None else source
        super().__init__(f"{where}: {self.problem}")


@dataclass(frozen=True)
class Quote:
    """Exact words from one sentence of the article titled `title`."""

    title: str
    quote: str


@dataclass(frozen=True)
class Conflict:
    """Two claims that disagree and must be shown side by side."""

    claims: tuple[Quote, Quote]
    about: str


@dataclass(frozen=True)
class GoldItem:
    """One gold question with what a correct response cites, answers and shows."""

    id: str
    question: str
    answers: tuple[str, ...]
    answerable: bool
    evidence: tuple[Quote, ...]
    conflicts: tuple[Conflict, ...]
    history: tuple[str, ...] = ()  # questions asked before, in the same conversation
    note: str = ""
    kind: str = ""  # one of KINDS, or "" when the file does not say
    line: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        data.pop("line")
        return data


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _string(value: Any, name: str, *, empty_ok: bool = False) -> str:
    if not isinstance(value, str) or (not empty_ok and not value.strip()):
        raise ValueError(f"field '{name}' must be a non-empty string, got {_describe(value)}")
    return value


def _list(value: Any, name: str) -> list:
    if not isinstance(value, list):
        raise ValueError(f"field '{name}' must be a list, got {_describe(value)}")
    return value


def _quote(value: Any, name: str) -> Quote:
    if not isinstance(value, dict):
        raise ValueError(f"field '{name}' must be an object {{\"title\", \"quote\"}}, got {_describe(value)}")
    for key in ("title", "quote"):
        if key not in value:
            raise ValueError(f"field '{name}.{key}' is missing")
    unknown = sorted(set(value) - {"title", "quote"})
    if unknown:
        raise ValueError(f"field '{name}' has unknown key(s) {', '.join(map(repr, unknown))}")
    return Quote(_string(value["title"], f"{name}.title"), _string(value["quote"], f"{name}.quote"))


def _conflict(value: Any, name: str) -> Conflict:
    if not isinstance(value, dict):
        raise ValueError(f"field '{name}' must be an object {{\"claims\", \"about\"}}, got {_describe(value)}")
    if "claims" not in value:
        raise ValueError(f"field '{name}.claims' is missing")
    claims = _list(value["claims"], f"{name}.claims")
    if len(claims) != 2:
        raise ValueError(f"field '{name}.claims' must hold exactly 2 claims, got {len(claims)}")
    first, second = (_quote(c, f"{name}.claims[{i}]") for i, c in enumerate(claims))
    about = _string(value.get("about", ""), f"{name}.about", empty_ok=True)
    return Conflict((first, second), about)


def parse_item(record: Any) -> GoldItem:
    """Validate one decoded JSON value as a gold item; ValueError names the field at fault."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {_describe(record)}")
    for key in REQUIRED:
        if key not in record:
            raise ValueError(f"field '{key}' is missing")
    item_id = record["id"]
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        item_id = str(item_id)
    item_id = _string(item_id, "id")
    question = _string(record["question"], "question")
    answers = tuple(_string(a, f"answers[{i}]") for i, a in enumerate(_list(record["answers"], "answers")))
    answerable = record["answerable"]
    if not isinstance(answerable, bool):
        raise ValueError(f"field 'answerable' must be true or false, got {_describe(answerable)}")
    evidence = tuple(_quote(q, f"evidence[{i}]") for i, q in enumerate(_list(record["evidence"], "evidence")))
    conflicts = tuple(_conflict(c, f"conflicts[{i}]")
                      for i, c in enumerate(_list(record["conflicts"], "conflicts")))
    history = tuple(_string(q, f"history[{i}]")
                    for i, q in enumerate(_list(record.get("history", []), "history")))
    if not answerable:
        for key, value in (("answers", answers), ("evidence", evidence), ("conflicts", conflicts)):
            if value:
                raise ValueError(f"field '{key}' must be empty when 'answerable' is false")
    elif not answers and not evidence:
        raise ValueError("an answerable item needs at least one of 'answers' or 'evidence'")
    note = record.get("note", record.get("notes", ""))
    note = note if isinstance(note, str) else json.dumps(note, ensure_ascii=False)
    kind = record.get("kind", "")
    if kind not in ("", *KINDS):
        raise ValueError(f"field 'kind' must be one of {', '.join(KINDS)}; got {_describe(kind)}")
    extra = {k: v for k, v in record.items() if k not in REQUIRED and k not in OPTIONAL}
    return GoldItem(item_id, question, answers, answerable, evidence, conflicts, history, note, kind, extra=extra)


def parse_gold(text: str, source: str = "<gold>") -> list[GoldItem]:
    """Parse a whole gold file's text; blank lines are skipped, ids must be unique."""
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(source, f"not valid JSON ({exc.msg} at column {exc.colno})", number) from None
        try:
            item = parse_item(record)
        except ValueError as exc:
            raise GoldError(source, str(exc), number) from None
        if item.id in seen:
            raise GoldError(source, f"field 'id': {item.id!r} is already used on line {seen[item.id]}", number)
        seen[item.id] = number
        if item.extra:
            log.warning("%s: line %d: unknown field(s) %s ignored", source, number,
                        ", ".join(map(repr, sorted(item.extra))))
        items.append(replace(item, line=number))
    if not items:
        raise GoldError(source, "no gold items (the file is empty)")
    return items


def load_gold(path: Path | str) -> list[GoldItem]:
    """Read and validate the gold file at `path`. Raises GoldError (one line) on any problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise GoldError(str(path), "no such file") from None
    except IsADirectoryError:
        raise GoldError(str(path), "is a folder, not a gold .jsonl file") from None
    except OSError as exc:
        raise GoldError(str(path), f"cannot read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise GoldError(str(path), "not UTF-8 text", line) from None
    return parse_gold(text, str(path))
