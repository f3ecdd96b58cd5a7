"""The tagger: buckets, score blending, contradictions, noise and the scoring cap."""

from __future__ import annotations

import pytest

from ticker.sentiment import Tagger, is_noise, normalized_score, scoring_text


@pytest.mark.parametrize("text", ["n/a", "N/A", "-", ".", "nothing", "No comment.", "  ", "?!"])
def test_answers_that_say_nothing_are_noise(tagger: Tagger, text: str) -> None:
    """Placeholder answers are kept as noise, not shown as neutral comments."""
    assert tagger.tag(text).bucket == "noise"


def test_an_emoji_only_answer_is_not_noise() -> None:
    """An emoji says something; only punctuation and stock phrases are noise."""
    assert not is_noise("😡😡")


def test_clear_praise_is_good(tagger: Tagger) -> None:
    """Plainly positive text is good."""
    assert (
        tagger.tag("Great service, the technician was friendly and quick. Thanks!").bucket == "good"
    )


def test_clear_complaint_is_bad(tagger: Tagger) -> None:
    """Plainly negative text that is not the harshest is bad."""
    assert tagger.tag("Delivery was late and nobody called me.").bucket == "bad"


def test_harsh_text_is_ugly(tagger: Tagger) -> None:
    """Strongly negative text is ugly."""
    assert (
        tagger.tag("Worst company ever. Awful, useless, I hate you, total scam.").bucket == "ugly"
    )


def test_profanity_is_ugly(tagger: Tagger) -> None:
    """Swearing in a complaint makes it ugly whatever the compound says."""
    tag = tagger.tag("the app is shit, logs me out every day")
    assert tag.bucket == "ugly" and tag.profane


def test_detractor_lukewarm_text_is_not_good(tagger: Tagger) -> None:
    """A detractor's 'fine I guess' must not be shown as praise."""
    assert tagger.tag("it's fine I guess", None, None).bucket in ("good", "neutral")
    assert tagger.tag("it's fine I guess", 2, "nps").bucket not in ("good",)


def test_bottom_score_with_negative_text_is_ugly(tagger: Tagger) -> None:
    """The bottom of the scale with negative words is among the harshest."""
    assert tagger.tag("The refund took six weeks, disappointing", 1, "csat5").bucket == "ugly"


def test_promoter_with_harsh_text_is_mixed(tagger: Tagger) -> None:
    """A 10 with hateful text is a contradiction for a human to look at."""
    assert tagger.tag("Terrible, awful, the worst experience, I hate it", 10, "nps").mixed


def test_detractor_with_praise_is_mixed(tagger: Tagger) -> None:
    """A 0 with glowing praise is a contradiction too (people misread the scale)."""
    assert tagger.tag("Absolutely love it, wonderful and amazing!", 0, "nps").mixed


def test_scores_map_onto_the_scales_neutral_points() -> None:
    """NPS passives and a CSAT 3 are neutral; the ends are -1 and 1."""
    assert normalized_score(7, "nps") == 0 and normalized_score(10, "nps") == 1
    assert normalized_score(0, "nps") == -1 and normalized_score(3, "csat5") == 0
    assert normalized_score(1, "stars5") == -1 and normalized_score(5, "stars5") == 1


def test_only_a_prefix_of_a_long_comment_is_scored() -> None:
    """VADER's cost grows faster than the text, so a capped prefix is scored."""
    text = "word " * 10_000
    assert len(scoring_text(text, 2000)) <= 2000
    assert scoring_text("short", 2000) == "short"


def test_a_huge_comment_is_tagged_by_its_beginning(tagger: Tagger) -> None:
    """A 10 MB comment gets a bucket without scoring all of it."""
    text = "Terrible delivery, awful service. " + "x " * 5_000_000
    assert tagger.tag(text).bucket in ("bad", "ugly")
