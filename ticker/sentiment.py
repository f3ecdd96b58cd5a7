"""The tagger: VADER's compound score, blended with the survey score, into a bucket.

Thresholds are data, versioned with the tagger: changing one means a new `version`, so stored
tags say which rules made them. The values were chosen by measurement (bench/sentiment.py and
docs/sentiment.md), not by taste.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ticker.lexicon import CX_LEXICON
from ticker.records import SCALES, Bucket, Scale, Tag
from ticker.vader import Vader


@dataclass(frozen=True)
class Thresholds:
    """Where the buckets begin; see docs/sentiment.md for how each was measured."""

    version: str = "vader3.3.2-cx1-t2"
    good: float = 0.3
    bad: float = -0.1
    ugly: float = -0.7
    ugly_with_bottom_score: float = -0.2
    score_weight: float = 0.35
    mixed_text: float = 0.5
    mixed_score: float = 0.6


NOISE = frozenset(
    [
        "n/a",
        "na",
        "n.a",
        "none",
        "nothing",
        "no",
        "nope",
        "nil",
        "null",
        "-",
        "--",
        "?",
        "idk",
        "asdf",
        "test",
        "testing",
        "x",
        "xx",
        "xxx",
        "no comment",
        "no comments",
        "nothing to add",
        "nothing else",
        "nothing to say",
        "not applicable",
        "no thanks",
        "nothing really",
        "not really",
        "rien",
        "nada",
        "keine",
        "nein",
    ]
)
_PROFANITY = re.compile(
    r"\b(f+u+c+k\w*|f\*+(?:k|ck|ing|in)?\w*|sh[i1]t\w*|bullsh[i1]t|wtf|assholes?|bastards?|"
    r"dickheads?|motherf\w+|piss(?:ed)? off|screw you|crap(?:py)?)\b",
    re.IGNORECASE,
)


def is_noise(text: str) -> bool:
    """True for answers that say nothing ("n/a", "-", "nothing"), kept but not shown."""
    folded = unicodedata.normalize("NFKC", text).strip().lower().rstrip(".!")
    if not any(
        unicodedata.category(c)[0] in "LN" or unicodedata.category(c) == "So" for c in folded
    ):
        return True  # punctuation only; an emoji-only answer still says something
    return folded in NOISE or " ".join(folded.split()) in NOISE


def is_profane(text: str) -> bool:
    """True when the text swears; such comments are ugly and wait for a curator."""
    return _PROFANITY.search(text) is not None


def normalized_score(score: float, scale: Scale) -> float:
    """Map a survey score onto -1..1 with the scale's own neutral point at 0.

    NPS passives (7) sit at 0, so a detractor's 0-4 is fully negative; CSAT and stars centre on 3.
    """
    low, high = SCALES[scale]
    if scale == "nps":
        neutral, below = 7.0, 4.0  # 3 and under are as negative as the scale goes
    else:
        neutral = (low + high) / 2
        below = neutral - low
    span = high - neutral if score >= neutral else below
    return max(-1.0, min(1.0, (score - neutral) / span))


def scoring_text(text: str, limit: int) -> str:
    """The prefix of a comment that is scored: VADER's cost grows faster than the text."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


class Tagger:
    """Tags verbatims; holds the VADER lexicon (load once per process)."""

    def __init__(self, thresholds: Thresholds | None = None, score_chars: int = 2000) -> None:
        self.thresholds = thresholds or Thresholds()
        self.score_chars = score_chars
        self._vader = Vader()
        self._vader.lexicon.update(CX_LEXICON)

    def compound(self, text: str) -> float:
        """VADER's compound score of the scored prefix of the text."""
        return float(self._vader.polarity_scores(scoring_text(text, self.score_chars))["compound"])

    def tag(self, text: str, score: float | None = None, scale: Scale | None = None) -> Tag:
        """Bucket a comment, blending in its survey score when it has one."""
        t = self.thresholds
        if is_noise(text):
            return Tag("noise", 0.0, False, False, t.version)
        compound = self.compound(text)
        profane = is_profane(text)
        norm = normalized_score(score, scale) if score is not None and scale else None
        blended = (
            compound if norm is None else (1 - t.score_weight) * compound + t.score_weight * norm
        )
        mixed = norm is not None and (
            (norm >= t.mixed_score and compound <= -t.mixed_text)
            or (norm <= -t.mixed_score and compound >= t.mixed_text)
        )
        bucket: Bucket
        bottom = norm is not None and norm <= -1.0
        if (
            compound <= t.ugly
            or (bottom and compound <= t.ugly_with_bottom_score)
            or (profane and compound < t.good)
        ):
            bucket = "ugly"
        elif blended >= t.good:
            bucket = "good"
        elif blended <= t.bad:
            bucket = "bad"
        else:
            bucket = "neutral"
        return Tag(bucket, compound, mixed, profane, t.version)
