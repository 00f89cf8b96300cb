"""Every file is read on its own: one that cannot be read or parsed is one line naming it,
and the others are still read (issue 11, failure 1)."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus import CorpusError, read_sources
from corpus.upload import MAX_UPLOAD_BYTES, TooLarge, UnsupportedUpload, read_upload, read_uploads
from tests.corpus.making import make_docx, make_pdf

GOOD = """---
title: Harbour reopens
outlet: Coast Daily
published: 2021-11-20
---
The harbour reopened on Monday after storms closed it for a week, the port authority said.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("front", "problem"), [
    ("published: 2021-13-45", "field 'published' is not a date: '2021-13-45'"),  # unquoted: a YAML timestamp
    ("published: 2021-02-30", "field 'published' is not a date"),
    ("date: 2021-11-17 25:99:00", "field 'published' is not a date"),
    ("title: &t [*t]", "aliases"),  # a value that contains itself
    ("title: !!binary zz", "not valid YAML"),
    ("published: !!timestamp soon", "field 'published' is not a date: 'soon'"),  # stays text
    ("? [a]: b", "not valid YAML"),
])
def test_a_bad_front_matter_file_is_named_and_the_others_are_read(tmp_path: Path, front: str, problem: str):
    write(tmp_path, "a-good.md", GOOD)
    write(tmp_path, "b-bad.md", f"---\n{front}\n---\nThe ferry left at noon, the captain said.\n")
    write(tmp_path, "c-good.md", GOOD.replace("Harbour reopens", "Harbour busy").replace("Monday", "Tuesday"))
    articles, errors = read_sources([str(tmp_path)])
    assert sorted(a.title for a in articles) == ["Harbour busy", "Harbour reopens"]
    assert len(errors) == 1
    message = str(errors[0])
    assert message.startswith(str(tmp_path / "b-bad.md") + ": ") and "\n" not in message
    assert problem in message


def test_a_single_bad_file_given_with_good_ones(tmp_path: Path):
    good = write(tmp_path, "good.md", GOOD)
    bad = write(tmp_path, "bad.md", "---\ntitle: T\npublished: 2021-13-45\n---\nText here.\n")
    articles, errors = read_sources([str(bad), str(good)])
    assert [a.title for a in articles] == ["Harbour reopens"]
    assert [e.source for e in errors] == [str(bad)]


# Front matter made of keys the readers know and values of every YAML shape, plus raw bytes.
_KEYS = st.sampled_from(["title", "published", "date", "author", "outlet", "url", "id", "tags", "x"])
_SCALARS = st.one_of(
    st.text(alphabet=string.printable, max_size=30),
    st.from_regex(r"\d{1,5}-\d{1,3}-\d{1,3}( \d{1,2}:\d{1,2}(:\d{1,2})?)?", fullmatch=True),
    st.sampled_from(["~", "null", "yes", "[]", "{}", "[a, b]", "{a: 1}", "&x 1", "*x", "!!binary zz",
                     "!!timestamp x", "!!python/object:os.system x", "1e99999", "'", '"', "|", ">", "- a"]),
)
_FRONT = st.lists(st.tuples(_KEYS, _SCALARS), max_size=6).map(
    lambda pairs: "---\n" + "".join(f"{k}: {v}\n" for k, v in pairs) + "---\n")
_FILES = st.lists(st.one_of(
    st.tuples(st.sampled_from([".md", ".txt"]), st.tuples(_FRONT, st.text(max_size=200)).map(
        lambda parts: (parts[0] + parts[1]).encode("utf-8", "surrogatepass"))),
    st.tuples(st.sampled_from([".md", ".txt", ".html", ".jsonl"]), st.binary(max_size=300)),
    st.tuples(st.just(".jsonl"), st.lists(st.dictionaries(_KEYS, _SCALARS, max_size=4), max_size=3).map(
        lambda rows: "\n".join(str(r).replace("'", '"') for r in rows).encode())),
), min_size=1, max_size=5)


@given(files=_FILES)
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_files_never_raise_and_each_problem_is_one_line(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("random")
    write(folder, "000-good.md", GOOD)
    for n, (suffix, data) in enumerate(files):
        (folder / f"f{n}{suffix}").write_bytes(data)
    articles, errors = read_sources([str(folder)])
    assert "Harbour reopens" in [a.title for a in articles]
    for err in errors:
        assert isinstance(err, CorpusError)
        assert "\n" not in str(err) and str(err).startswith(str(folder))


def test_uploads_one_list_of_types_one_limit():
    articles = read_upload("story.md", GOOD.encode())
    assert articles[0].title == "Harbour reopens" and articles[0].location.startswith("api://upload/")
    with pytest.raises(UnsupportedUpload, match=r"scan\.png: unsupported file type '\.png'"):
        read_upload("scan.png", b"\x89PNG")
    with pytest.raises(TooLarge, match="at most 10 MB"):
        read_upload("big.txt", b"word " * (MAX_UPLOAD_BYTES // 5 + 1))
    with pytest.raises(CorpusError, match="bad.md: field 'published' is not a date"):
        read_upload("bad.md", b"---\ntitle: T\npublished: 2021-13-45\n---\nText.\n")
    found, errors = read_uploads([("a.md", GOOD.encode()), ("b.pdf", b"%PDF"), ("c.txt", b"...!!!")])
    assert [a.title for a in found] == ["Harbour reopens"]
    assert [str(e).split(":")[0] for e in errors] == ["b.pdf", "c.txt"]


def test_documents_upload_through_the_same_call():
    pdf = make_pdf([["Harbour reopens", "The harbour in Port Ellis reopened on Monday after the storms, "
                     "the port authority said."]], meta={"/Title": "Harbour reopens"})
    docx = make_docx(title="Ferry strike", paragraphs=["Ferry crews in Port Ellis stopped work on Tuesday, "
                                                       "their union said."])
    found, errors = read_uploads([("harbour.pdf", pdf), ("ferry.docx", docx), ("broken.pdf", b"%PDF-1.4")])
    assert sorted(a.title for a in found) == ["Ferry strike", "Harbour reopens"]
    assert all(a.location.startswith("api://upload/") for a in found)
    assert [str(e).split(":")[0] for e in errors] == ["broken.pdf"]
