"""Tags that believe the customer: what a survey score allows the text to say (#8 item 5)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticker.moderation import flags, initial_state
from ticker.records import SCALES, Scale
from ticker.sentiment import Tagger, score_band

TEXTS = [
    "Love the colour, but it fell apart",
    "Absolutely love it, wonderful and amazing!",
    "Great service, the technician was friendly and quick. Thanks!",
    "it's fine I guess",
    "Fine.",
    "The parcel came on Tuesday.",
    "Delivery was late and nobody called me.",
    "The refund took six weeks, disappointing",
    "Terrible, awful, the worst experience, I hate it",
    "the app is shit, logs me out every day",
    "great, another delay",
    "Couldn't be happier",
    "after about an hour it starts skipping",
    "Fucking brilliant service, thank you so much!",
    "Service nul, je ne reviendrai jamais.",
    "😡😡",
    "ok",
]
SCORES: list[tuple[Scale, int]] = [
    (scale, v)  # type: ignore[misc]
    for scale, (low, high) in SCALES.items()
    for v in range(low, high + 1)
]
VOCABULARY = (
    "the and but not no never love hate great awful late again thanks for nothing fell apart "
    "refund delivery app crashes fine ok good bad worst best rude helpful slow quick still "
    "another wonderful couldn't be happier !! . ,"
)
WORDS = st.sampled_from(VOCABULARY.split())
ANY_TEXT = st.one_of(
    st.sampled_from(TEXTS),
    st.lists(WORDS, min_size=1, max_size=25).map(" ".join),
    st.text(max_size=80),
)


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT, scored=st.sampled_from(SCORES), language=st.sampled_from([None, "en", "de"]))
def test_every_score_keeps_its_promise(
    tagger: Tagger, text: str, scored: tuple[Scale, int], language: str | None
) -> None:
    """Low scores are never good or neutral; high ones never bad or ugly unless mixed."""
    scale, value = scored
    tag = tagger.tag(text, value, scale, language)
    band = score_band(value, scale)
    if tag.bucket == "noise":
        return
    if band == "low":
        assert tag.bucket in ("bad", "ugly"), (text, scored, tag)
    elif band == "high":
        assert tag.bucket in ("good", "neutral") or tag.mixed, (text, scored, tag)
    else:
        expected = tagger.tag(text, language=language).bucket
        assert tag.bucket == expected and not tag.mixed, (text, scored, tag)
    if tag.mixed:
        assert initial_state(tag, flags(text, tag)) == "pending"


@pytest.mark.parametrize(
    ("scale", "value", "band"),
    [
        ("nps", 0, "low"),
        ("nps", 6, "low"),
        ("nps", 6.5, "middle"),
        ("nps", 7, "middle"),
        ("nps", 8, "middle"),
        ("nps", 9, "high"),
        ("csat5", 2, "low"),
        ("csat5", 2.5, "middle"),
        ("csat5", 3, "middle"),
        ("csat5", 4, "high"),
        ("stars5", 1, "low"),
        ("stars5", 4, "high"),
    ],
)
def test_the_bands_of_each_scale(scale: Scale, value: float, band: str) -> None:
    """Detractors and 1-2 are low, promoters and 4-5 high, the rest middle."""
    assert score_band(value, scale) == band


@pytest.mark.parametrize("stars", [1, 2])
def test_a_polite_complaint_with_a_bottom_score_is_not_hidden(tagger: Tagger, stars: int) -> None:
    """ "Love the colour, but it fell apart" with one or two stars is bad, not good or neutral."""
    tag = tagger.tag("Love the colour, but it fell apart", stars, "stars5")
    assert tag.bucket == "bad" and not tag.mixed


@pytest.mark.parametrize("score", [4, 5, 6])
def test_a_detractors_lukewarm_words_are_a_complaint(tagger: Tagger, score: int) -> None:
    """A detractor's "it's fine I guess" is shown as bad: never hidden as neutral."""
    assert tagger.tag("it's fine I guess", score, "nps").bucket == "bad"


def test_a_detractors_neutral_words_are_a_complaint(tagger: Tagger) -> None:
    """A fact with a 2 is bad: the score says how the customer feels about it."""
    assert tagger.tag("The parcel came on Tuesday.", 2, "nps").bucket == "bad"


def test_bottom_score_with_negative_text_is_ugly(tagger: Tagger) -> None:
    """The bottom of the scale with negative words is among the harshest."""
    assert tagger.tag("The refund took six weeks, disappointing", 1, "csat5").bucket == "ugly"


def test_detractor_with_praise_is_mixed(tagger: Tagger) -> None:
    """A 0 with glowing praise waits for a curator as bad (people misread the scale)."""
    tag = tagger.tag("Absolutely love it, wonderful and amazing!", 0, "nps")
    assert tag.bucket == "bad" and tag.mixed


def test_promoter_with_harsh_text_is_mixed(tagger: Tagger) -> None:
    """A 10 with hateful text keeps its harsh bucket and waits for a curator."""
    tag = tagger.tag("Terrible, awful, the worst experience, I hate it", 10, "nps")
    assert tag.bucket == "ugly" and tag.mixed


@pytest.mark.parametrize(("score", "scale"), [(9, "nps"), (4, "csat5"), (4, "stars5")])
def test_a_promoters_mild_complaint_is_neutral(tagger: Tagger, score: int, scale: Scale) -> None:
    """A happy customer's small gripe is not shown as a complaint, nor as praise."""
    tag = tagger.tag("Delivery was late and nobody called me.", score, scale)
    assert tag.bucket == "neutral" and not tag.mixed


@pytest.mark.parametrize(("score", "scale"), [(10, "nps"), (4, "csat5"), (5, "stars5")])
def test_a_promoters_plain_words_are_good(tagger: Tagger, score: int, scale: Scale) -> None:
    """A fact from a promoter (or a 4) is good: the score is the customer's word."""
    assert tagger.tag("The parcel came on Tuesday.", score, scale).bucket == "good"


@pytest.mark.parametrize(("score", "scale"), [(7, "nps"), (8, "nps"), (3, "csat5")])
def test_middle_scores_go_by_the_text(tagger: Tagger, score: int, scale: Scale) -> None:
    """A passive or a 3 gets the text's own bucket, with no contradiction to flag."""
    for text in TEXTS:
        tag = tagger.tag(text, score, scale)
        assert tag.bucket == tagger.tag(text).bucket and not tag.mixed, text
