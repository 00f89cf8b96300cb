"""Publication dates: ISO 8601, as precise as given, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from corpus.dates import normalise_date, parse_date


@pytest.mark.parametrize(("text", "expected"), [
    ("November 18, 2021", "2021-11-18"),
    ("Wednesday, November 17th, 2021 | 2:03 pm", "2021-11-17T14:03:00"),
    ("17 November 2021 at 14:03 GMT", "2021-11-17T14:03:00+00:00"),
    ("2021-11-17T14:03:00+04:00", "2021-11-17T14:03:00+04:00"),
    ("Nov 2021", "2021-11"),
    ("2021", None),
    ("November 18", None),
    ("None", None),
    ("7 soldiers killed", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_normalise_date_values():
    assert normalise_date(None) is None
    assert normalise_date("  ") is None
    assert normalise_date(dt.date(2021, 11, 18)) == "2021-11-18"
    assert normalise_date(dt.datetime(2021, 11, 18, 9, 5)) == "2021-11-18T09:05:00"
    with pytest.raises(ValueError, match="not a date"):
        normalise_date("soonish")
