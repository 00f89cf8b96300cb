"""The assistant beside other processes: it follows a newer index version, takes uploads
through one call, and survives any file dropped into an ingested folder (issue 11).

`Assistant.follow_current`, `ingest_upload` and `ingest_uploads` come from the
`assistant.lifecycle.Lifecycle` mixin (`class Assistant(Lifecycle)`).
"""

from __future__ import annotations

import shutil
import string
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import Assistant
from corpus.upload import MAX_UPLOAD_BYTES
from index.library import current_version

ROOT = Path(__file__).resolve().parents[2]
PORT = ("---\ntitle: Port strike\noutlet: Harbour Wire\n---\n"
        "Dockers in Capital City walked out on Friday, the union said.\n")


def test_an_assistant_follows_an_ingest_by_another_process(own_index: Path, tmp_path: Path):
    reader = Assistant.open(own_index, refresh=False)
    held = reader.index.version
    assert reader.follow_current() is False  # nothing newer: one readlink, no reload
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "port.md").write_text(PORT, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "assistant", "--index", str(own_index), "ingest", str(folder),
                           "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert held.exists() and not reader.is_current()  # kept for the reader that holds it
    assert reader.follow_current() is True
    assert reader.index.version == current_version(own_index)
    assert "Port strike" in {s.title for s in reader.sources()}
    assert not held.exists()  # let go by its last reader, so removed


def test_uploads_go_through_one_call(own_index: Path):
    assistant = Assistant.open(own_index, refresh=False)
    report = assistant.ingest_upload("port.md", PORT.encode())
    assert report.added == ["Port strike"]
    report = assistant.ingest_uploads([("port.md", PORT.encode()), ("scan.png", b"\x89PNG"),
                                       ("big.txt", b"word " * (MAX_UPLOAD_BYTES // 5 + 1)),
                                       ("bad.md", b"---\ntitle: T\npublished: 2021-13-45\n---\nText.\n")])
    assert report.unchanged == 1 and not report.added
    assert [r.split(":")[0] for r in report.rejected] == ["scan.png", "big.txt", "bad.md"]
    source = next(s for s in assistant.sources() if s.title == "Port strike")
    assert source.location.startswith("api://upload/")


_FRONT_VALUES = st.one_of(st.text(alphabet=string.printable, max_size=20),
                          st.from_regex(r"\d{4}-\d{1,2}-\d{1,2}", fullmatch=True),
                          st.sampled_from(["&a [*a]", "!!binary zz", "[1, {a: b}]", "'", "~", "2021-13-45"]))
_FILES = st.lists(st.one_of(
    st.tuples(st.sampled_from(["md", "txt", "html", "jsonl"]), st.binary(max_size=200)),
    st.tuples(st.just("md"), st.tuples(st.dictionaries(st.sampled_from(["title", "published", "author", "x"]),
                                                       _FRONT_VALUES, max_size=3),
                                       st.text(max_size=120)).map(
        lambda p: ("---\n" + "".join(f"{k}: {v}\n" for k, v in p[0].items()) + "---\n" + p[1])
        .encode("utf-8", "surrogatepass"))),
), min_size=1, max_size=3)


def test_random_files_in_an_ingested_folder_never_break_ingest_or_ask(tmp_path_factory):
    base = tmp_path_factory.mktemp("random-folder")
    folder = base / "news"
    folder.mkdir()
    (folder / "port.md").write_text(PORT, encoding="utf-8")
    index = base / "index"
    Assistant.build(index, [str(folder)], progress=False)

    @given(files=_FILES)
    @settings(max_examples=12, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(files) -> None:
        for old in folder.glob("r-*"):
            old.unlink()
        for n, (suffix, data) in enumerate(files):
            (folder / f"r-{n}.{suffix}").write_bytes(data)
        opened = Assistant.open(index)  # refreshes from the folder: re-reads what changed
        assert "Port strike" in {s.title for s in opened.sources()}
        opened.ask("Who walked out in Capital City?")
        opened.ingest([str(folder)], progress=False)
        opened.ask("Who walked out in Capital City?")

    check()
    shutil.rmtree(base, ignore_errors=True)


def test_a_bad_file_in_an_ingested_folder_is_named_once_and_the_rest_answers(tmp_path: Path, caplog):
    import logging

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.md").write_text("---\ntitle: Port strike\n---\nDockers in Capital City walked out on Friday, "
                                    "the union said. About 1,200 workers joined the strike.\n", encoding="utf-8")
    Assistant.build(tmp_path / "index", [str(folder)], progress=False)
    (folder / "bad.md").write_text("---\npublished: 2021-13-45\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="assistant.api"):
        first = Assistant.open(tmp_path / "index")
        answer = first.ask("How many workers joined the strike?")
        Assistant.open(tmp_path / "index")  # opened again: the file is known, nothing to say
    assert answer.supported and "1,200" in answer.citations[0].sentence
    named = [r.getMessage() for r in caplog.records if "bad.md" in r.getMessage()]
    assert len(named) == 1, named
