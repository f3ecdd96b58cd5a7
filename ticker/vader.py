"""VADER, scoring exactly as vaderSentiment 3.3.2 does, about a third faster.

Two passes of the library cost a third of a score and change nothing on most comments:
rebuilding every text character by character to swap emoji for their names (the identity on a
text with no emoji, which includes all of ASCII), and lowercasing every word of the text again
for each negation check, then scanning the list of negations, to look at one word. The methods
below are the library's own (MIT licence, C.J. Hutto) without that waste; the scores are
checked identical by tests/ticker/test_vader.py.
"""

from __future__ import annotations

from typing import Any

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    N_SCALAR,
    NEGATE,
    SentimentIntensityAnalyzer,
    SentiText,
)

_NEGATE = frozenset(NEGATE)


def _negated(word: str) -> bool:
    """vaderSentiment's `negated([word])`, for the one word it is always given here."""
    return word in _NEGATE or "n't" in word


class Vader(SentimentIntensityAnalyzer):  # type: ignore[misc]
    def polarity_scores(self, text: str) -> dict[str, float]:
        if not text.isascii():  # the emoji lexicon has no ASCII keys
            return dict(super().polarity_scores(text))
        text = text.strip()
        sentitext = SentiText(text)
        sentiments: list[Any] = []
        words = sentitext.words_and_emoticons
        for i, item in enumerate(words):
            valence = 0
            if item.lower() in BOOSTER_DICT:
                sentiments.append(valence)
                continue
            if i < len(words) - 1 and item.lower() == "kind" and words[i + 1].lower() == "of":
                sentiments.append(valence)
                continue
            sentiments = self.sentiment_valence(valence, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        return dict(self.score_valence(sentiments, text))

    @staticmethod
    def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
        low = [str(w).lower() for w in words[max(0, i - 3) : i]]
        low = [""] * (3 - len(low)) + low  # low[-k] is the word k places before the item
        if start_i == 0 and _negated(low[-1]):
            valence = valence * N_SCALAR
        if start_i == 1:
            if low[-2] == "never" and low[-1] in ("so", "this"):
                valence = valence * 1.25
            elif low[-2] == "without" and low[-1] == "doubt":
                pass
            elif _negated(low[-2]):
                valence = valence * N_SCALAR
        if start_i == 2:
            if (low[-3] == "never" and low[-2] in ("so", "this")) or low[-1] in ("so", "this"):
                valence = valence * 1.25
            elif low[-3] == "without" and "doubt" in (low[-2], low[-1]):
                pass
            elif _negated(low[-3]):
                valence = valence * N_SCALAR
        return valence
