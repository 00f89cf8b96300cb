"""Fixtures for the briefing tests: a fresh index of corpus/seeds per test module."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Answer, Assistant
from corpus import DEFAULT_CORPUS

SEED_QUESTIONS = ["How many Azerbaijani soldiers were wounded?", "How many Armenian servicemen were captured?"]


@pytest.fixture(scope="module")
def briefing_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the seed articles in a temporary folder (never index/built)."""
    folder = tmp_path_factory.mktemp("briefing-index") / "index"
    Assistant.build(folder, [str(DEFAULT_CORPUS)], progress=False)
    return folder


@pytest.fixture(scope="module")
def briefing_assistant(briefing_index: Path) -> Assistant:
    return Assistant.open(briefing_index, refresh=False)


@pytest.fixture(scope="module")
def seed_answers(briefing_assistant: Assistant) -> list[Answer]:
    """The seed questions, then a follow-up and a question the corpus cannot answer."""
    conversation = briefing_assistant.conversation()
    for question in [*SEED_QUESTIONS, "and how many were killed?", "What is the capital of France?"]:
        conversation.ask(question)
    return conversation.turns
