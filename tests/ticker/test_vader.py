"""The faster VADER scores exactly as the library does."""

from __future__ import annotations

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer, SentiText

from tests.conftest import ROOT
from ticker.vader import Vader

SHARED = ROOT.parent / "shared" / "data" / "sentiment"


def texts() -> list[str]:
    found = [
        "Great service!!",
        "NOT good at all",
        "kind of ok but the delivery was late",
        "   padded   ",
        "I don't love it :(",
        "The BEST app, but it crashes",
        "",
        "😡 awful",
        "Très bien",
        "no problems, never had a bad day",
        "sort of kind of nice",
        "No no no, not good or bad",
        "at least it works, the very least",
        "the shit, kiss of death, yeah right, kind of cool",
        "I am NOT happy with THE service",
        "least",
    ]
    for path in sorted(SHARED.glob("*_GroundTruth.txt")):  # all four rated sets, 23,703 lines
        found += [
            line.split("\t")[2] for line in path.read_text(encoding="utf-8").splitlines() if line
        ]
    for path in (ROOT / "sample_feedback").glob("*.jsonl"):
        found += [line for line in path.read_text(encoding="utf-8").splitlines()]
    return found


def test_scores_are_identical_to_vader_sentiment() -> None:
    """Every score of the faster path equals vaderSentiment's own, emoji and all."""
    original, fast = SentimentIntensityAnalyzer(), Vader()
    for text in texts():
        assert fast.polarity_scores(text) == original.polarity_scores(text), text


def test_the_words_handed_back_are_the_ones_vader_scored() -> None:
    """`scores_and_words` gives VADER's own split, lowercased, for ASCII and emoji alike."""
    fast = Vader()
    for text in ("Great, SERVICE!!", "😡 awful... :)", "  padded  "):
        scores, words = fast.scores_and_words(text)
        assert scores == fast.polarity_scores(text)
        assert words == [w.lower() for w in SentiText(text.strip()).words_and_emoticons]
