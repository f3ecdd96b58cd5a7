"""The faster VADER scores exactly as the library does."""

from __future__ import annotations

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tests.conftest import ROOT
from ticker.vader import Vader

AMAZON = ROOT.parent / "shared" / "data" / "sentiment" / "amazonReviewSnippets_GroundTruth.txt"


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
    ]
    if AMAZON.exists():
        found += [
            line.split("\t")[2] for line in AMAZON.read_text(encoding="utf-8").splitlines() if line
        ]
    for path in (ROOT / "sample_feedback").glob("*.jsonl"):
        found += [line for line in path.read_text(encoding="utf-8").splitlines()]
    return found


def test_scores_are_identical_to_vader_sentiment() -> None:
    """Every score of the faster path equals vaderSentiment's own, emoji and all."""
    original, fast = SentimentIntensityAnalyzer(), Vader()
    for text in texts():
        assert fast.polarity_scores(text) == original.polarity_scores(text), text
