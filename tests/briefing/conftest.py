"""Fixtures for the briefing tests: a fresh index of corpus/seeds per test module."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Answer, Assistant

SEED_QUESTIONS = ["How many Azerbaijani soldiers were wounded?", "How many Armenian servicemen were captured?"]


@pytest.fixture(scope="module")
def briefing_index(seed_index_dir: Path) -> Path:
    """The session's index of the seed articles (briefings only read it)."""
    return seed_index_dir


@pytest.fixture(scope="module")
def briefing_assistant(seed_assistant: Assistant) -> Assistant:
    return seed_assistant


@pytest.fixture(scope="module")
def seed_answers(briefing_assistant: Assistant) -> list[Answer]:
    """The seed questions, then a follow-up and a question the corpus cannot answer."""
    conversation = briefing_assistant.conversation()
    for question in [*SEED_QUESTIONS, "and how many were killed?", "What is the capital of France?"]:
        conversation.ask(question)
    return conversation.turns
