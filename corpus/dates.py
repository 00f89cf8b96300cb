"""Publication dates normalised to ISO 8601, as precise as the source gives them.

A date stays a date ("2021-11-18"); a date with a time keeps the time
("2021-11-17T14:03:00", plus the offset when the source gives one). A month alone
gives "2021-11". Nothing is guessed: a string without a year is not a date.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from dateutil import parser as dateparser

log = logging.getLogger(__name__)

# Two defaults that differ in every field: a field the string does not give takes the
# default, so comparing the two parses tells which fields the source actually had.
_DEFAULT_A = dt.datetime(2000, 1, 1, 0, 0, 0)
_DEFAULT_B = dt.datetime(2001, 2, 2, 1, 1, 1)

_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
           r"Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WEEKDAY = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_TIME = (r"(?:,?\s+(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?"
         r"(?:\s*[A-Z]{2,4}|\s*[+-]\d{2}:?\d{2})?)?")
# A date written out at the end of a line, e.g. a byline "By A. Writer November 18, 2021".
TRAILING_DATE_RE = re.compile(
    rf"(?P<date>{_WEEKDAY}(?:{_MONTHS}\s+{_DAY},?\s+\d{{4}}|{_DAY}\s+{_MONTHS},?\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?)?){_TIME})\s*$",
    re.IGNORECASE,
)


def parse_date(text: str) -> str | None:
    """ISO 8601 for a string that is a date and nothing else (no fuzzy matching), else None."""
    text = " ".join(text.replace("|", " ").split())
    if not text or not any(ch.isdigit() for ch in text):
        return None
    try:
        a = dateparser.parse(text, default=_DEFAULT_A)
        b = dateparser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError, TypeError):
        return None
    if a.year != b.year or a.month != b.month:
        return None  # no year or no month: too vague to be a publication date
    if a.day != b.day:
        return f"{a.year:04d}-{a.month:02d}"
    if a.hour != b.hour:
        return a.date().isoformat()
    return a.isoformat()  # fields the string leaves out (seconds) are 0 from _DEFAULT_A


def normalise_date(value: object) -> str | None:
    """ISO 8601 for a date, datetime or date string; None for None or an empty string.

    Raises ValueError when a non-empty value is not a date, so the caller can say
    which field of which file is wrong.
    """
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        if not value.strip():
            return None
        iso = parse_date(value)
        if iso is None:
            raise ValueError(f"not a date: {value.strip()[:60]!r}")
        return iso
    raise ValueError(f"not a date: {value!r}"[:80])
