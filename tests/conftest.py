"""Shared fixtures: one index of the default corpus per test session, in a temp folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import Assistant

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built index of corpus/seeds; tests that change an index copy it first."""
    folder = tmp_path_factory.mktemp("seed-index") / "index"
    Assistant.build(folder, [str(SEEDS)], progress=False)
    return folder


@pytest.fixture(scope="session")
def seed_assistant(seed_index_dir: Path) -> Assistant:
    return Assistant.open(seed_index_dir, refresh=False)


def copy_index(source: Path, target: Path) -> Path:
    """A copy of an index folder (its `current` link stays relative, so it points into the copy)."""
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture(scope="session")
def copy_seed_index(seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """copy_seed_index(name) -> a fresh private copy of the seed index, for wider scopes."""
    return lambda name="index": copy_index(seed_index_dir, tmp_path_factory.mktemp(name) / "index")


@pytest.fixture
def own_index(seed_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the seed index, safe to change."""
    return copy_index(seed_index_dir, tmp_path / "index")
