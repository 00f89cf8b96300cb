"""Claims read from the seed articles and from news-like sentences, with the real spaCy model."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import pytest

from assistant.claims import extract_claims, is_candidate, nationality
from assistant.records import Claim
from corpus import read_source
from corpus.records import Article
from index.library import make_sentences
from index.records import Sentence

ROOT = Path(__file__).resolve().parents[2]
AFP = "7 Azerbaijani soldiers killed in clashes with Armenia"
AZERNEWS = "Seven Azerbaijani Servicemen Martyred in Latest Border Clashes with Armenia"


@lru_cache(maxsize=1)
def seeds() -> tuple[tuple[Article, list[Sentence]], ...]:
    """(article, sentences) of both seeds: corpus/seeds/*.md, else the raw ../shared/seeds."""
    paths = sorted((ROOT / "corpus" / "seeds").glob("*.md")) or sorted(
        (ROOT.parent / "shared" / "seeds").glob("*.txt"))
    return tuple((a, make_sentences(a)) for p in paths for a in read_source(str(p)))


def by_title(title: str) -> tuple[Article, list[Sentence]]:
    return next(item for item in seeds() if item[0].title == title)


def sentence_with(words: str) -> Sentence:
    """The one seed sentence that contains `words`."""
    found = [s for _, ss in seeds() for s in ss if words in s.text]
    assert len(found) == 1, f"{words!r} is in {len(found)} seed sentences"
    return found[0]


@pytest.fixture(scope="module")
def claims() -> list[Claim]:
    return [c for article, sentences in seeds() for c in extract_claims(article, sentences)]


def claims_of(claims: list[Claim], words: str, kind: str | None = None) -> list[Claim]:
    sid = sentence_with(words).id
    return [c for c in claims if c.sentence_id == sid and (kind is None or c.kind == kind)]


def one_count(claims: list[Claim], words: str, event: str) -> Claim:
    found = [c for c in claims_of(claims, words, "count") if c.subject.startswith(event + "|")]
    assert len(found) == 1, found
    return found[0]


def read(text: str, published: str = "2021-11-17") -> list[Claim]:
    article = Article(id="t1", title="test", text=text, published=published)
    return extract_claims(article, make_sentences(article))


def test_wounded_ten_and_two_with_their_speakers(claims):
    ten = one_count(claims, "10 more were wounded", "wounded")
    two = one_count(claims, "adding that two Azerbaijani troops were wounded", "wounded")
    assert (ten.subject, ten.low, ten.high, ten.value) == ("wounded|azerbaijani", 10, 10, "10")
    assert (two.subject, two.low, two.high, two.value) == ("wounded|azerbaijani", 2, 2, "two")
    assert ten.speaker == "Baku’s defence ministry"  # speaker after the closing quote
    assert two.speaker == "Azerbaijan’s defence ministry"
    assert ten.about == "Wounded Azerbaijani soldiers"


def test_captured_thirteen_twelve_and_a_dozen(claims):
    thirteen = one_count(claims, "Armenia reported one dead, 13 captured", "captured")
    twelve = one_count(claims, "12 Armenian servicemen were captured", "captured")
    dozen = one_count(claims, "a dozen others captured", "captured")
    assert {c.subject for c in (thirteen, twelve, dozen)} == {"captured|armenian"}
    assert (thirteen.low, twelve.low, dozen.low, dozen.high) == (13, 12, 12, 12)
    assert dozen.value == "a dozen"
    assert thirteen.speaker == "Armenia"  # "Armenia reported ..."
    assert twelve.speaker == "the Armenian defence ministry"  # "It also reported": resolved


def test_at_least_one_is_an_open_range_resolved_through_the_ministry(claims):
    claim = one_count(claims, "at least one of its soldier died", "killed")
    assert (claim.subject, claim.low, claim.high, claim.value) == ("killed|armenian", 1, math.inf, "at least one")
    assert claim.speaker == "the Armenian defence ministry"  # "The ministry said" -> earlier named speaker


def test_seven_killed_in_both_articles(claims):
    afp = one_count(claims, "Seven Azerbaijani troops have been killed", "killed")
    azernews = one_count(claims, "Seven servicemen of the Azerbaijan Armed Forces", "killed")
    assert afp.subject == azernews.subject == "killed|azerbaijani"
    assert afp.low == azernews.low == 7
    assert afp.speaker == "officials in Baku"
    assert azernews.speaker == "Azerbaijan’s Defense Ministry"  # "the country’s Defense Ministry reported"


def test_more_than_6500_belongs_to_the_earlier_war(claims):
    claim = one_count(claims, "more than 6,500 dead", "killed")
    assert (claim.low, claim.high, claim.value) == (6501, math.inf, "more than 6,500")
    assert claim.subject.endswith("|earlier")


def test_ten_more_according_to_the_ministry(claims):
    claim = one_count(claims, "Ten more were also wounded", "wounded")
    assert claim.subject == "wounded|azerbaijani"  # "more" continues the Azerbaijani dead before it
    assert claim.speaker == "Azerbaijan’s Defense Ministry"


def test_no_count_from_sentences_that_count_no_casualty(claims):
    assert claims_of(claims, "One of the martyrs was a lieutenant", "count") == []
    assert claims_of(claims, "1,007-kilometer borderline", "count") == []
    assert claims_of(claims, "lost control of two military positions", "count") != []  # the dead, not "two"
    assert all(c.low == 1 for c in claims_of(claims, "lost control of two military positions", "count"))


def test_speakers_of_quotes_pronouns_and_according_to(claims):
    assert {c.speaker for c in claims_of(claims, "Pashinyan accused Azerbaijan")} == {"Pashinyan"}
    assert {c.speaker for c in claims_of(claims, "All the responsibility")} == {
        "Azerbaijan’s President Ilham Aliyev"}
    # the quote opens here and closes in the next sentence, which names the speaker
    assert {c.speaker for c in claims_of(claims, "Under the mediation of the Russian side")} == {
        "the Armenian defence ministry"}
    assert {c.speaker for c in claims_of(claims, "Chavushoglu blamed Armenia")} == {
        "Turkish Foreign Minister Mevlut Chavushoglu"}


def test_blame_actor_and_target(claims):
    def blame(words: str) -> tuple[str | None, str | None]:
        found = claims_of(claims, words, "blame")
        assert len(found) == 1, found
        return found[0].actor, found[0].target

    assert blame("Armenian troops attacked Azerbaijani positions") == ("armenian", "azerbaijani")
    assert blame("massive attack of the Armenian troops") == ("armenian", "azerbaijani")
    assert blame("Azerbaijani forces tried to") == ("azerbaijani", "armenian")
    assert blame("Pashinyan accused Azerbaijan") == ("azerbaijani", "armenian")
    assert blame("Chavushoglu blamed Armenia") == ("armenian", "azerbaijani")
    assert claims_of(claims, "The two sides accused each other", "blame") == []


def test_framings(claims):
    assert [c.frame for c in claims_of(claims, "liberated over 300 settlements", "framing")] == [
        "liberation from occupation"]
    assert [c.frame for c in claims_of(claims, "saw Armenia cede swathes", "framing")] == [
        "Armenia ceded territory"]
    assert [c.frame for c in claims_of(claims, "Armenian troops retreated", "framing")] == [
        "Armenian forces retreated"]
    assert [c.frame for c in claims_of(claims, "reached a Russia-brokered ceasefire", "framing")] == [
        "a ceasefire was agreed"]


@pytest.mark.parametrize(("text", "event", "low", "high"), [
    ("At least 20 people were killed in the blast, police said.", "killed", 20, math.inf),
    ("Dozens of protesters were arrested on Sunday.", "arrested", 24, 144),
    ("Twenty-five soldiers were wounded, the army said.", "wounded", 25, 25),
    ("The attack killed about 100 civilians, officials said.", "killed", 90, 110),
    ("Officials said 1.5 million people were displaced by the fighting.", "displaced", 1_500_000, 1_500_000),
    ("Nearly 40 people are missing after the flood.", "missing", 36, 40),
])
def test_values_as_ranges(text, event, low, high):
    counts = [c for c in read(text) if c.kind == "count"]
    assert [(c.subject.split("|")[0], c.low, c.high) for c in counts] == [(event, low, high)]


def test_negated_and_non_casualty_numbers_make_no_claim():
    assert [c for c in read("Two soldiers were not wounded in the exchange of fire.") if c.kind == "count"] == []
    assert [c for c in read("The ministry said 300 settlements were rebuilt in 2021.") if c.kind == "count"] == []


def test_he_said_is_the_last_named_speaker():
    text = ("Defence Minister John Smith said the base was calm on Monday.\n\n"
            "“Three of our soldiers were wounded,” he said.")
    counts = [c for c in read(text) if c.kind == "count"]
    assert [(c.speaker, c.low) for c in counts] == [("Defence Minister John Smith", 3)]


def test_prefilter_keeps_claims_and_drops_the_rest():
    assert is_candidate("Seven servicemen died and 10 more were wounded")
    assert is_candidate("Pashinyan accused Azerbaijan of aggression")
    assert not is_candidate("Baku is convinced that there should be a peace agreement between Armenia and Azerbaijan.")


def test_nationality_names_capitals_and_demonyms():
    assert nationality(["Baku’s", "defence", "ministry"]) == "azerbaijani"
    assert nationality(["the", "defence", "ministry", "in", "Yerevan"]) == "armenian"
    assert nationality(["North", "Korean", "troops"]) == "north korean"
    assert nationality(["the", "ministry"]) is None


def test_claims_point_into_their_article():
    article, sentences = by_title(AFP)
    ids = {s.id for s in sentences}
    assert all(c.sentence_id in ids and c.article_id == article.id for c in extract_claims(article, sentences))
    assert by_title(AZERNEWS)[0].id != article.id
