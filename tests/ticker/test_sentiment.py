"""The tagger: text buckets, noise, profanity, sarcasm, languages and the scoring cap."""

from __future__ import annotations

import pytest

from ticker.model import TextModel
from ticker.sentiment import (
    READABLE,
    Tagger,
    Thresholds,
    is_noise,
    is_profane,
    normalized_score,
    readable,
    scoring_text,
)


@pytest.mark.parametrize("text", ["n/a", "N/A", "-", ".", "nothing", "No comment.", "  ", "?!"])
def test_answers_that_say_nothing_are_noise(tagger: Tagger, text: str) -> None:
    """Placeholder answers are kept as noise, not shown as neutral comments."""
    assert tagger.tag(text).bucket == "noise"


@pytest.mark.parametrize("text", ["n/a" + " " * 40, "  nothing   to   add  ", "- - - - - -"])
def test_padded_placeholders_are_still_noise(text: str) -> None:
    """The fast path for long answers does not miss a stock answer padded with spaces."""
    assert is_noise(text)


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


def test_a_complaint_told_as_a_fact_is_bad(tagger: Tagger) -> None:
    """The learned layer reads situations VADER has no word for (VADER: compound 0, neutral)."""
    text = "after about an hour it starts skipping"
    assert tagger.compound(text) == 0.0
    assert tagger.tag(text).bucket == "bad"


def test_harsh_text_is_ugly(tagger: Tagger) -> None:
    """Strongly negative text is ugly."""
    assert (
        tagger.tag("Worst company ever. Awful, useless, I hate you, total scam.").bucket == "ugly"
    )


def test_profanity_is_ugly(tagger: Tagger) -> None:
    """Swearing in a complaint makes it ugly whatever the compound says."""
    tag = tagger.tag("the app is shit, logs me out every day")
    assert tag.bucket == "ugly" and tag.profane


def test_swearing_at_a_joke_is_ugly(tagger: Tagger) -> None:
    """An insult is ugly even where its words look positive to VADER ("joke")."""
    tag = tagger.tag("you people are a f***ing joke")
    assert tag.bucket == "ugly" and tag.profane


def test_swearing_in_praise_stays_good(tagger: Tagger) -> None:
    """Strong praise with a swear word is good (it still waits, for the swearing)."""
    tag = tagger.tag("Fucking brilliant service, thank you so much!")
    assert tag.bucket == "good" and tag.profane


def test_profanity_hints_do_not_hide_a_swear_word() -> None:
    """The substring pre-check lets every form the pattern knows through."""
    for text in ("FUUUCK this", "f**k off", "bullsh1t", "wtf", "pissed off", "crappy app"):
        assert is_profane(text), text
    assert not is_profane("Checked the back door, thanks")


@pytest.mark.parametrize(
    "text",
    [
        "thanks for nothing",
        "Thanks a lot for wasting my whole Saturday.",
        "great, another delay",
        "Oh wonderful, lost again",
        "Great, another week without my parcel. Thanks a lot.",
        "Brilliant... still waiting for the refund",
        "Love how nobody answers the phone",
        "What a joke.",
        "Could be better.",
    ],
)
def test_customer_service_sarcasm_is_bad(tagger: Tagger, text: str) -> None:
    """Praise words wrapped round a complaint read as the complaint, not as praise."""
    read = tagger.reading(text)
    assert read.bucket == "bad" and read.turn == "sarcastic", read


@pytest.mark.parametrize(
    "text",
    [
        "Great, another perfect stay",
        "Perfect, no problems at all",
        "Great service, thanks!",
        "Love how easy the app is",
        "Thanks so much for fixing the boiler",
    ],
)
def test_sincere_praise_is_not_sarcasm(tagger: Tagger, text: str) -> None:
    """The sarcasm patterns do not fire on praise that looks like them."""
    read = tagger.reading(text)
    assert read.bucket == "good" and read.turn is None, read


def test_thanks_for_a_repair_is_not_sarcasm(tagger: Tagger) -> None:
    """ "Thanks for" + a problem word is not sarcasm: only "thanks for nothing" and its kin."""
    assert tagger.reading("Thanks for fixing the leak so quickly").turn is None


@pytest.mark.parametrize(
    "text", ["Couldn't be happier", "No complaints at all", "Can't fault them"]
)
def test_praise_in_negative_words_is_good(tagger: Tagger, text: str) -> None:
    """ "Couldn't be happier" is praise, though VADER reads "couldn't" as a negation."""
    assert tagger.tag(text).bucket == "good"


def test_stored_compound_is_vaders(tagger: Tagger) -> None:
    """The learned layer picks the bucket; the stored compound stays VADER's own."""
    text = "thanks for nothing"
    tag = tagger.tag(text)
    assert tag.bucket == "bad" and tag.compound == tagger.compound(text) > 0


def test_tags_name_the_rules_that_made_them(tagger: Tagger) -> None:
    """The version names VADER, the lexicon, the model's weights and the thresholds."""
    tag = tagger.tag("Great service")
    assert tag.version == tagger.version
    assert tagger.model.version in tag.version and tag.version.endswith(Thresholds().version)
    other = Tagger(Thresholds(version="t-test"), model=tagger.model)
    assert other.tag("Great service").version != tag.version


def test_the_shipped_model_loads_once_per_tagger() -> None:
    """A tagger given a model uses it (workers and tests need not reload the file)."""
    model = TextModel.load()
    assert Tagger(model=model).model is model


@pytest.mark.parametrize(
    ("language", "expected"),
    [(None, True), ("en", True), ("EN-gb", True), ("en_US", True), ("und", True), ("fr", False)],
)
def test_which_languages_the_tagger_reads(language: str | None, expected: bool) -> None:
    """English in any region is read; unknown or undetermined is read as today; others not."""
    assert readable(language) is expected
    assert "en" in READABLE


@pytest.mark.parametrize(
    ("score", "scale", "bucket"),
    [
        (2, "nps", "bad"),
        (6, "nps", "bad"),
        (1, "stars5", "bad"),
        (9, "nps", "good"),
        (4, "csat5", "good"),
        (7, "nps", "untagged"),
        (3, "stars5", "untagged"),
        (None, None, "untagged"),
    ],
)
def test_a_comment_the_tagger_cannot_read_goes_by_its_score(
    tagger: Tagger, score: float | None, scale: str | None, bucket: str
) -> None:
    """French is not read: the score decides; with none, or a middle one, it is untagged."""
    text = "Service nul, je ne reviendrai jamais."
    tag = tagger.tag(text, score, scale, language="fr")  # type: ignore[arg-type]
    assert tag.bucket == bucket and not tag.mixed


def test_an_unknown_language_is_read_as_english(tagger: Tagger) -> None:
    """language=None is today's behaviour: the text is read."""
    text = "Delivery was late and nobody called me."
    assert tagger.tag(text, language=None) == tagger.tag(text)
    assert tagger.tag(text, language="fr").bucket == "untagged"


def test_placeholders_are_noise_in_any_language(tagger: Tagger) -> None:
    """ "rien" or "n/a" says nothing whatever the language detector thought."""
    assert tagger.tag("rien", 2, "nps", language="fr").bucket == "noise"


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
