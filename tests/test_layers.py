"""Data flows one way: corpus -> index -> assistant -> eval / briefing -> ui / server -> cli.

A module may import its own layer and those before it, never one after it. The one
exception is `assistant/__main__.py`, the `python -m assistant` shim for the command.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["corpus", "index", "assistant", "ui", "eval", "briefing", "server", "cli"]
# Briefings are rendered by the chat page's download button and the API's answer cards.
LEVEL = {"corpus": 0, "index": 1, "assistant": 2, "eval": 3, "briefing": 3, "ui": 3.5, "server": 3.5, "cli": 4}
EXEMPT = {ROOT / "assistant" / "__main__.py"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(LEVEL)


def test_nothing_downstream_is_imported_upstream():
    offences = []
    for package in ORDER:
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
            if path in EXEMPT:
                continue
            for name in imported_packages(path):
                allowed = LEVEL[name] < LEVEL[package] or name == package
                if not allowed:
                    offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offences == []
