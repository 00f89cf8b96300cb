"""JSON Lines: one article per line; bad lines are errors naming line and field."""

from __future__ import annotations

import json

import pytest

from corpus import CorpusError, article_id_for, read_source, read_sources


def write_lines(tmp_path, lines: list[str]):
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = {"title": "Talks resume", "text": "First.\n\nSecond.", "outlet": "Example Times",
        "author": "Ann Lee", "published": "2021-11-18T09:00:00Z", "url": "https://example.org/t",
        "section": "world"}


def test_jsonl_fields_ids_and_locations(tmp_path):
    path = write_lines(tmp_path, [
        json.dumps(GOOD),
        "",
        json.dumps({"title": "Body field", "body": "One line.\nAnother line.", "id": 42}),
    ])
    first, second = read_source(str(path))
    absolute = str(path.resolve())
    assert first.location == f"{absolute}#line-1"
    assert first.id == article_id_for(f"{absolute}#line-1")
    assert (first.title, first.outlet, first.author, first.url) == (
        "Talks resume", "Example Times", "Ann Lee", "https://example.org/t")
    assert first.published == "2021-11-18T09:00:00+00:00"
    assert first.text == "First.\n\nSecond."
    assert first.extra == {"section": "world"}
    assert (second.id, second.location) == ("42", f"{absolute}#42")
    assert second.text == "One line.\n\nAnother line."


@pytest.mark.parametrize(("line", "problem"), [
    ("{not json", "line 2: not valid JSON"),
    ("[1, 2]", "line 2: expected a JSON object"),
    (json.dumps({"text": "Body."}), "line 2: field 'title' is missing"),
    (json.dumps({"title": "T"}), "line 2: field 'text' (or 'body') is missing"),
    (json.dumps({"title": "T", "text": "  "}), "line 2: field 'text' is empty"),
    (json.dumps({"title": "T", "text": 5}), "line 2: field 'text' must be text"),
    (json.dumps({"title": "T", "text": "B", "published": "someday"}), "line 2: field 'published'"),
    (json.dumps({"title": ["T"], "text": "B", "author": {"n": 1}}), "line 2: field 'author' must be text"),
])
def test_jsonl_bad_line_names_line_and_field(tmp_path, line, problem):
    path = write_lines(tmp_path, [json.dumps(GOOD), line, json.dumps({**GOOD, "title": "Third"})])
    articles, errors = read_sources([str(path)])
    assert [a.title for a in articles] == ["Talks resume", "Third"]
    assert len(errors) == 1
    message = str(errors[0])
    assert message.startswith(f"{path}: {problem}"), message
    assert "\n" not in message
    with pytest.raises(CorpusError, match="line 2"):
        read_source(str(path))


def test_jsonl_repeated_id_is_an_error(tmp_path):
    path = write_lines(tmp_path, [json.dumps({**GOOD, "id": "a"}), json.dumps({**GOOD, "id": "a"})])
    articles, errors = read_sources([str(path)])
    assert len(articles) == 1
    assert "line 2: field 'id' repeats 'a' from line 1" in str(errors[0])


def test_jsonl_text_with_unicode_line_separator_stays_one_line(tmp_path):
    path = write_lines(tmp_path, [json.dumps({"title": "T", "text": "a\u2028b"}, ensure_ascii=False)])
    [article] = read_source(str(path))
    assert article.text == "a\u2028b"
