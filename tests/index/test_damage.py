"""A damaged index is one line naming the damaged part and the command that rebuilds it, and
that command restores it; half-built versions left by killed writers are cleaned up; a
version another reader holds is kept until it lets go (issue 11, failures 2 and 6)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import Assistant, AssistantError
from index.library import Index, IndexUnusable, current_version, recorded_sources

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "corpus" / "seeds"
QUESTION = "How many Armenian servicemen were captured?"


def run_cli(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def truncate(path: Path, fraction: float = 0.5) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(int(path.stat().st_size * fraction))


def bump_sentences(version: Path) -> None:
    data = json.loads((version / "manifest.json").read_text())
    data["sentences"] += 1
    (version / "manifest.json").write_text(json.dumps(data))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated FAISS": (lambda v: truncate(v / "vectors.faiss"), "vectors: vectors.faiss is cut short"),
    "truncated SQLite": (lambda v: truncate(v / "index.sqlite"), "SQLite database: index.sqlite is cut short"),
    "missing BM25": (lambda v: shutil.rmtree(v / "bm25"), "BM25 index: bm25 is missing"),
    "missing vectors": (lambda v: (v / "vectors.faiss").unlink(), "vectors: vectors.faiss is missing"),
    "missing manifest": (lambda v: (v / "manifest.json").unlink(), "manifest.json is missing"),
    "missing version": (lambda v: shutil.rmtree(v), "which is missing"),
    "counts disagree": (bump_sentences, "counts: the manifest says 2 articles and"),
}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    Assistant.build(folder, [str(SEEDS)], progress=False)
    return folder


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damage_is_one_line_and_rebuild_restores(built: Path, kind: str):
    damage, words = DAMAGE[kind]
    damage(current_version(built))
    with pytest.raises(AssistantError, match="damaged") as caught:
        Assistant.open(built)
    assert words in str(caught.value) and f"assistant --index {built} ingest --rebuild" in str(caught.value)

    for args in (["ask", QUESTION], ["ingest", str(SEEDS / "missing.md"), "--no-progress"], ["sources"]):
        result = run_cli("--index", str(built), *args)
        assert result.returncode == 2, result
        assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0, result.stderr
        assert "is damaged" in result.stderr and words in result.stderr and "ingest --rebuild" in result.stderr

    rebuilt = run_cli("--index", str(built), "ingest", "--rebuild", "--no-progress")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"rebuilding {built} from its 1 recorded sources" in rebuilt.stderr
    assert Assistant.open(built).ask(QUESTION).supported


def test_unreadable_part_names_the_permission(built: Path):
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:  # root reads any file: drop the capabilities that let it
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot make a file unreadable to the reader")
        drop = "-dac_override,-dac_read_search"
        prefix = ("setpriv", "--bounding-set", drop, "--inh-caps", drop)
    (current_version(built) / "vectors.faiss").chmod(0o000)
    result = run_cli("--index", str(built), "ask", QUESTION, prefix=prefix)
    assert result.returncode == 2, result
    assert "vectors: cannot read vectors.faiss (permission denied)" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0


def test_sources_are_recorded_outside_the_version(built: Path):
    shutil.rmtree(current_version(built))
    assert recorded_sources(built) == [str(SEEDS)]


def test_a_half_built_version_is_removed_on_open_but_not_while_a_writer_works(built: Path):
    leftover = built / "v-20000101T000000000000-99999"  # as a killed writer leaves it: no manifest
    (leftover / "bm25").mkdir(parents=True)
    (leftover / "index.sqlite").write_bytes(b"x" * 1000)
    with open(built / ".lock", "a") as lock:  # a live writer holds the lock
        fcntl.flock(lock, fcntl.LOCK_EX)
        Assistant.open(built, refresh=False)
        assert leftover.exists(), "a version a live writer may be building was removed"
    Assistant.open(built, refresh=False)
    assert not leftover.exists()
    assert [p.name for p in built.glob("v-*")] == [current_version(built).name]


def test_after_an_unclean_stop_open_runs_quick_check(built: Path):
    import sqlite3

    database = current_version(built) / "index.sqlite"
    with sqlite3.connect(database) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'annotations'").fetchone()[0]
    conn.close()
    with open(database, "r+b") as handle:  # damage the claims table's own page: no count reads it
        handle.seek((root - 1) * page_size + 8)
        handle.write(b"\xff" * 200)
    Index.open(built).close()  # the cheap checks pass
    leftover = built / "v-20000101T000000000000-99999"  # a killed writer's half-built version
    leftover.mkdir()
    with pytest.raises(IndexUnusable, match=r"SQLite database: (index.sqlite is cut short|quick_check says)"):
        Index.open(built)
    assert not leftover.exists()


def test_a_version_a_reader_holds_is_kept_until_it_lets_go(built: Path, tmp_path: Path):
    reader = Index.open(built)
    held = reader.version
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "port.md").write_text("---\ntitle: Port strike\n---\nDockers in Capital City walked out on Friday, "
                                    "the union said.\n", encoding="utf-8")
    result = run_cli("--index", str(built), "ingest", str(folder), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert current_version(built) != held
    assert held.exists(), "the version a reader holds was deleted under it"
    assert reader.db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 2  # still readable
    reader.close()
    assert not held.exists(), "the last reader out did not remove the superseded version"
    assert [p.name for p in built.glob("v-*")] == [current_version(built).name]
