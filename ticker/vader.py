"""VADER, scoring exactly as vaderSentiment 3.3.2 does, in about half the time.

Three passes of the library cost half of a score and change nothing on most comments:
rebuilding every text character by character to swap emoji for their names (the identity on a
text with no emoji, which includes all of ASCII); lowercasing every word of the text again for
each negation and idiom check, to look at three words; and calling the full valence method for
each word that is not in the lexicon, whose valence is 0 whatever its neighbours. The methods
below are the library's own (MIT licence, C.J. Hutto) without that waste; the scores are
checked identical to the library's by tests/ticker/test_vader.py, on all four rated sets.

`scores_and_words` also hands back the lowercased words it scored, so the learned layer
(ticker/model.py) reads the same words without splitting the text again.
"""

from __future__ import annotations

import string
from typing import Any

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
    allcap_differential,
    scalar_inc_dec,
)

_NEGATE = frozenset(NEGATE)
_PUNCTUATION = string.punctuation


def _negated(word: str) -> bool:
    """vaderSentiment's `negated([word])`, for the one word it is always given here."""
    return word in _NEGATE or "n't" in word


def _words(text: str) -> list[str]:
    """`SentiText._words_and_emoticons`: punctuation stripped unless that leaves two characters."""
    out = []
    for token in text.split():
        stripped = token.strip(_PUNCTUATION)
        out.append(token if len(stripped) <= 2 else stripped)
    return out


class Vader(SentimentIntensityAnalyzer):  # type: ignore[misc]
    def polarity_scores(self, text: str) -> dict[str, float]:
        return self.scores_and_words(text)[0]

    def scores_and_words(self, text: str) -> tuple[dict[str, float], list[str]]:
        """VADER's four scores of the text, and its words lowercased as VADER split them."""
        if not text.isascii():  # the emoji lexicon has no ASCII keys
            scores = dict(super().polarity_scores(text))
            return scores, [w.lower() for w in SentiText(text.strip()).words_and_emoticons]
        text = text.strip()
        words = _words(text)
        low = [w.lower() for w in words]
        lexicon = self.lexicon
        cap_diff = allcap_differential(words)
        sentiments: list[Any] = []
        last = len(low) - 1
        for i, item in enumerate(low):
            if item not in lexicon or item in BOOSTER_DICT:
                sentiments.append(0)  # no valence of its own; it only modifies its neighbours
            elif i < last and item == "kind" and low[i + 1] == "of":
                sentiments.append(0)
            else:
                sentiments.append(self._valence(i, words, low, cap_diff))
        if "but" in low:
            sentiments = self._but_check(words, sentiments)
        return dict(self.score_valence(sentiments, text)), low

    def _valence(self, i: int, words: list[str], low: list[str], cap_diff: bool) -> float:
        """vaderSentiment's `sentiment_valence` for a lexicon word, on lowercased words given."""
        lexicon = self.lexicon
        item, item_low = words[i], low[i]
        valence: float = lexicon[item_low]
        if item_low == "no" and i != len(words) - 1 and low[i + 1] in lexicon:
            valence = 0.0  # "no" negates the next word instead
        if (
            (i > 0 and low[i - 1] == "no")
            or (i > 1 and low[i - 2] == "no")
            or (i > 2 and low[i - 3] == "no" and low[i - 1] in ("or", "nor"))
        ):
            valence = lexicon[item_low] * N_SCALAR
        if item.isupper() and cap_diff:
            valence = valence + C_INCR if valence > 0 else valence - C_INCR
        for start_i in range(3):
            if i > start_i and low[i - (start_i + 1)] not in lexicon:
                s = scalar_inc_dec(words[i - (start_i + 1)], valence, cap_diff)
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = _negation(valence, low, start_i, i)
                if start_i == 2:
                    valence = _idioms(valence, low, i)
        return _least(valence, low, i, lexicon)

    @staticmethod
    def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
        return _negation(valence, [str(w).lower() for w in words], start_i, i)


def _negation(valence: float, words: list[str], start_i: int, i: int) -> float:
    """vaderSentiment's `_negation_check`, on lowercased words."""
    low = words[max(0, i - 3) : i]
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


def _idioms(valence: float, low: list[str], i: int) -> float:
    """vaderSentiment's `_special_idioms_check` (called with i >= 3), on lowercased words."""
    onezero = f"{low[i - 1]} {low[i]}"
    twoonezero = f"{low[i - 2]} {low[i - 1]} {low[i]}"
    twoone = f"{low[i - 2]} {low[i - 1]}"
    threetwoone = f"{low[i - 3]} {low[i - 2]} {low[i - 1]}"
    threetwo = f"{low[i - 3]} {low[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in SPECIAL_CASES:
            valence = SPECIAL_CASES[seq]
            break
    if len(low) - 1 > i:
        zeroone = f"{low[i]} {low[i + 1]}"
        if zeroone in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroone]
    if len(low) - 1 > i + 1:
        zeroonetwo = f"{low[i]} {low[i + 1]} {low[i + 2]}"
        if zeroonetwo in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in BOOSTER_DICT:
            valence = valence + BOOSTER_DICT[n_gram]
    return valence


def _least(valence: float, low: list[str], i: int, lexicon: dict[str, float]) -> float:
    """vaderSentiment's `_least_check`, on lowercased words."""
    if i > 1 and low[i - 1] not in lexicon and low[i - 1] == "least":
        if low[i - 2] != "at" and low[i - 2] != "very":
            valence = valence * N_SCALAR
    elif i > 0 and low[i - 1] not in lexicon and low[i - 1] == "least":
        valence = valence * N_SCALAR
    return valence
