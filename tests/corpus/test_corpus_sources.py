"""Folders, read_sources and every per-file error: one line naming the file, no traceback."""

from __future__ import annotations

import codecs
import os
import pickle

import pytest

from corpus import DEFAULT_CORPUS, CorpusError, read_source, read_sources


def md(title: str, body: str = "Body.") -> str:
    return f"---\ntitle: {title}\n---\n{body}\n"


def make_tree(root):
    (root / "b" / "deep").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.md").write_text(md("A"), encoding="utf-8")
    (root / "b" / "c.txt").write_text(md("C"), encoding="utf-8")
    (root / "b" / "deep" / "d.html").write_text(
        "<html><head><title>D</title></head><body><article><p>" + "Deep text. " * 30
        + "</p></article></body></html>", encoding="utf-8")
    (root / "b" / "e.jsonl").write_text('{"title": "E", "text": "Line."}\n', encoding="utf-8")
    (root / "B.md").write_text(md("Upper"), encoding="utf-8")
    (root / ".secret.md").write_text(md("Hidden file"), encoding="utf-8")
    (root / ".hidden" / "x.md").write_text(md("Hidden folder"), encoding="utf-8")
    (root / "notes.odt").write_bytes(b"PK\x03\x04\x00\x01")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")


def test_folder_recursion_sorted_skips_hidden_and_unsupported(tmp_path):
    make_tree(tmp_path)
    titles = [a.title for a in read_source(str(tmp_path))]
    assert titles == ["Upper", "A", "C", "D", "E"]


def test_folder_with_a_bad_file_gives_good_articles_and_one_error(tmp_path):
    make_tree(tmp_path)
    bad = tmp_path / "b" / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02 binary")
    articles, errors = read_sources([str(tmp_path)])
    assert [a.title for a in articles] == ["Upper", "A", "C", "D", "E"]
    assert [str(e) for e in errors] == [f"{bad}: not a text file (binary content)"]
    with pytest.raises(CorpusError, match="bad.txt"):
        read_source(str(tmp_path))


def test_read_sources_collects_per_source_and_keeps_an_article_once(tmp_path):
    make_tree(tmp_path)
    sources = [str(tmp_path / "a.md"), str(tmp_path), str(tmp_path / "missing.md"), str(tmp_path / "a.md")]
    articles, errors = read_sources(sources)
    assert [a.title for a in articles] == ["A", "Upper", "C", "D", "E"]
    assert [str(e) for e in errors] == [f"{tmp_path / 'missing.md'}: no such file or folder"]


def test_same_explicit_id_in_two_files_is_an_error(tmp_path):
    (tmp_path / "one.md").write_text("---\ntitle: One\nid: x\n---\nBody.\n", encoding="utf-8")
    (tmp_path / "two.md").write_text("---\ntitle: Two\nid: x\n---\nBody.\n", encoding="utf-8")
    articles, errors = read_sources([str(tmp_path)])
    assert [a.title for a in articles] == ["One"]
    assert "id 'x' is already used by" in str(errors[0])


def test_empty_folder(tmp_path):
    (tmp_path / "only.odt").write_bytes(b"PK\x03\x04")
    with pytest.raises(CorpusError, match="folder has no readable files"):
        read_source(str(tmp_path))


def test_default_corpus_reads_the_two_seed_articles():
    articles, errors = read_sources([str(DEFAULT_CORPUS)])
    assert errors == []
    assert sorted(a.title for a in articles) == [
        "7 Azerbaijani soldiers killed in clashes with Armenia",
        "Seven Azerbaijani Servicemen Martyred in Latest Border Clashes with Armenia",
    ]
    assert all(a.outlet is None and "\u00a0" not in a.text for a in articles)


ERROR_CASES = {
    "missing.txt": (None, "no such file or folder"),
    "notes.bin": (b"text", "unsupported file type .bin"),
    "no_suffix": (b"text", "unsupported file type (none)"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file (binary content)"),
    "controls.txt": (bytes(range(1, 32)) * 4, "not a text file (binary content)"),
    "empty.txt": (b"", "empty file"),
    "blank.md": (b" \n\t\n  \n", "empty file"),
    "bom_only.md": (codecs.BOM_UTF8 + b"\n", "empty file"),
    "latin1.txt": ("Caf\u00e9 news\n\nBody.".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 3)"),
    "utf16.txt": ("Title\n\nBody.".encode("utf-16"), "UTF-16/UTF-32, not UTF-8"),
    "title_only.md": (b"---\ntitle: Only a title\n---\n", "no article text"),
    "page.html": (b"<html><head><title>T</title></head><body></body></html>", "no article text"),
}


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_each_error_is_one_clear_line_naming_the_file(tmp_path, name):
    content, problem = ERROR_CASES[name]
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    articles, errors = read_sources([str(path)])
    assert articles == []
    assert len(errors) == 1 and isinstance(errors[0], CorpusError)
    message = str(errors[0])
    assert message.startswith(f"{path}: "), message
    assert problem in message
    assert "\n" not in message and "Traceback" not in message
    with pytest.raises(CorpusError):
        read_source(str(path))


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(CorpusError, match=r"pipe\.txt: not a regular file"):
        read_source(str(fifo))


def test_other_url_schemes_are_refused():
    with pytest.raises(CorpusError, match=r"^ftp://example\.org/a\.txt: only http:// and https://"):
        read_source("ftp://example.org/a.txt")


def test_corpus_error_is_picklable_and_keeps_its_parts():
    err = pickle.loads(pickle.dumps(CorpusError("a.txt", "empty\nfile")))
    assert (str(err), err.source, err.problem) == ("a.txt: empty file", "a.txt", "empty file")
