"""The tagger: VADER's scores read by a small learned model, then the survey score, into a bucket.

The text is read first (`Tagger.reading`): VADER's scores and the words go through the learned
layer (ticker/model.py), which gives the probability of good, neutral, bad and ugly; profanity,
customer-service sarcasm and reversed praise (ticker/idioms.py) are rules on top. Then the
score, the customer's own word, decides where it may: a detractor is never good and never
hidden as neutral, a promoter is never bad unless a curator is asked to look
(docs/sentiment.md, "Scores").

Thresholds are data, versioned with the tagger: changing one, the lexicon or the model means a
new version, so stored tags say which rules made them. The values were chosen by measurement on
a validation split (bench/train_tagger.py) and are reported on a split never trained on
(bench/sentiment.py, docs/sentiment.md), not by taste.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, NamedTuple

from ticker.idioms import is_reversed_praise, is_sarcastic
from ticker.lexicon import CX_LEXICON
from ticker.lexicon import VERSION as LEXICON_VERSION
from ticker.model import Probabilities, TextModel
from ticker.records import SCALES, Bucket, Scale, Tag
from ticker.vader import Vader

VADER_VERSION = "vader3.3.2"
# Languages whose comments the tagger can read: VADER's lexicon and the model are English.
READABLE = frozenset({"en"})
UNKNOWN_LANGUAGES = frozenset({"", "und", "unknown", "zxx", "mul"})
Band = Literal["low", "middle", "high"]
Turn = Literal["sarcastic", "praise"]


@dataclass(frozen=True)
class Thresholds:
    """Where the buckets begin; see docs/sentiment.md for how each was measured."""

    version: str = "t3"
    ugly: float = 0.4  # P(ugly) at or above which negative text is ugly
    strongly_positive: float = 0.8  # P(good) at or above which text is strongly positive
    strongly_negative: float = 0.85  # P(bad or ugly) at or above which it is strongly negative


class Reading(NamedTuple):
    """What the text alone says: a bucket, and whether it says so strongly."""

    bucket: Bucket
    strongly_positive: bool
    strongly_negative: bool
    turn: Turn | None  # sarcasm or reversed praise (ticker/idioms.py) overruled the model
    probabilities: Probabilities


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
_NOISE_WORDS = max(len(n.split()) for n in NOISE)  # a longer answer is never a stock one
_PROFANITY = re.compile(
    r"\b(f+u+c+k\w*|f\*+(?:k|ck|ing|in)?\w*|sh[i1]t\w*|bullsh[i1]t|wtf|assholes?|bastards?|"
    r"dickheads?|motherf\w+|piss(?:ed)? off|screw you|crap(?:py)?)\b",
    re.IGNORECASE,
)


def is_noise(text: str) -> bool:
    """True for answers that say nothing ("n/a", "-", "nothing"), kept but not shown."""
    if len(text.split(maxsplit=_NOISE_WORDS)) > _NOISE_WORDS and any(c.isalnum() for c in text):
        return False  # the common case, decided without folding the whole comment
    folded = unicodedata.normalize("NFKC", text).strip().lower().rstrip(".!")
    if not any(
        unicodedata.category(c)[0] in "LN" or unicodedata.category(c) == "So" for c in folded
    ):
        return True  # punctuation only; an emoji-only answer still says something
    return folded in NOISE or " ".join(folded.split()) in NOISE


# A piece of every word the pattern matches: most comments hold none, and a dozen `in` tests
# cost less than the pattern's search.
_PROFANE_HINTS = ("ck", "f*", "hit", "h1t", "wtf", "assh", "bastard", "dickhead", "motherf",
                  "piss", "screw", "crap")  # fmt: skip


def is_profane(text: str) -> bool:
    """True when the text swears; such comments are ugly and wait for a curator."""
    low = text.lower()
    return any(h in low for h in _PROFANE_HINTS) and _PROFANITY.search(text) is not None


def score_band(score: float, scale: Scale) -> Band:
    """Low (NPS 0-6 detractors, CSAT or stars 1-2), high (NPS 9-10, 4-5) or middle.

    4 is high on the five-point scales: CSAT's own measure counts 4 and 5 as satisfied, as NPS
    counts 9 and 10 as promoters. A score between two points falls by the same cuts (NPS 6.5 is
    middle, 2.5 stars middle).
    """
    low, high = (6, 9) if scale == "nps" else (2, 4)
    if score <= low:
        return "low"
    return "high" if score >= high else "middle"


def readable(language: str | None) -> bool:
    """Whether the tagger can read a comment in this language (None: unknown, read it)."""
    if language is None:
        return True
    primary = language.strip().lower().replace("_", "-").split("-")[0]
    return primary in UNKNOWN_LANGUAGES or primary in READABLE


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
    """Tags verbatims; holds the VADER lexicon and the model (load once per process)."""

    def __init__(
        self,
        thresholds: Thresholds | None = None,
        score_chars: int = 2000,
        model: TextModel | None = None,
    ) -> None:
        self.thresholds = thresholds or Thresholds()
        self.score_chars = score_chars
        self.model = model or TextModel.load()
        self._vader = analyser()
        self.version = (
            f"{VADER_VERSION}-{LEXICON_VERSION}-{self.model.version}-{self.thresholds.version}"
        )

    def scores(self, text: str) -> tuple[dict[str, float], list[str]]:
        """VADER's scores of the scored prefix of the text, and the words it read."""
        return self._vader.scores_and_words(scoring_text(text, self.score_chars))

    def compound(self, text: str) -> float:
        """VADER's compound score of the scored prefix of the text (what tags store)."""
        return float(self.scores(text)[0]["compound"])

    def reading(self, text: str) -> Reading:
        """The bucket the text alone earns (no score, English), and how strongly it says so."""
        scores, words = self.scores(text)
        return self._read(text, scores, words, is_profane(text))

    def tag(
        self,
        text: str,
        score: float | None = None,
        scale: Scale | None = None,
        language: str | None = None,
    ) -> Tag:
        """Bucket a comment from its text, then let its survey score overrule where it must.

        `language` is the comment's language code (`en`, `fr-CA`…) when known: in a language
        the tagger cannot read (`READABLE`), the bucket comes from the score alone, and a
        comment with no score, or a middle one, is `untagged` (it waits for a curator).
        """
        if is_noise(text):
            return Tag("noise", 0.0, False, False, self.version)
        band = score_band(score, scale) if score is not None and scale else None
        profane = is_profane(text)
        scores, words = self.scores(text)
        compound = float(scores["compound"])
        if not readable(language):
            return Tag(by_score(band), compound, False, profane, self.version)
        read = self._read(text, scores, words, profane)
        bottom = band == "low" and normalized_score(score, scale) <= -1  # type: ignore[arg-type]
        bucket, mixed = decide(read, band, bottom)
        return Tag(bucket, compound, mixed, profane, self.version)

    def _read(
        self, text: str, scores: dict[str, float], words: list[str], profane: bool
    ) -> Reading:
        t = self.thresholds
        p = self.model.probabilities(scores, words)
        polarity = p.polarity
        turned: Turn | None = None
        if polarity != "negative" and is_sarcastic(text, self._fragment):
            polarity = turned = "sarcastic"
        elif polarity != "positive" and is_reversed_praise(text):
            polarity = turned = "praise"
        strongly_positive = polarity == "positive" and p.good >= t.strongly_positive
        bucket: Bucket
        if profane and not strongly_positive:
            bucket = "ugly"  # swearing that is not praise ("f***ing brilliant, thank you!")
        elif polarity == "negative":
            bucket = "ugly" if p.ugly >= t.ugly else "bad"
        elif polarity == "sarcastic":
            bucket = "bad"
        elif polarity in ("positive", "praise"):
            bucket = "good"
        else:
            bucket = "neutral"
        strongly_negative = bucket == "ugly" or p.bad + p.ugly >= t.strongly_negative
        return Reading(bucket, strongly_positive, strongly_negative, turned, p)

    def _fragment(self, text: str) -> float:
        return float(self._vader.scores_and_words(text)[0]["compound"])


def analyser() -> Vader:
    """VADER with the service-word lexicon: what the tagger and the model's training read."""
    vader = Vader()
    vader.lexicon.update(CX_LEXICON)
    return vader


def decide(read: Reading, band: Band | None, bottom: bool) -> tuple[Bucket, bool]:
    """The bucket and the mixed flag, from the text's reading and the score's band.

    - no score, or a middle one (NPS 7-8, 3): the text decides.
    - low: never good, never neutral. Ugly when the text is (harsh words, swearing) or when a
      bottom score (NPS 0-3, 1) comes with negative words; else bad. Strongly positive text is
      a contradiction: mixed, so a curator looks (often a misread scale).
    - high: never bad or ugly unless mixed. Negative text that is strong (ugly, or P(negative)
      at `strongly_negative`) keeps its bucket and is mixed; milder complaints are neutral;
      anything else is good, the customer's word.
    """
    if band is None or band == "middle":
        return read.bucket, False
    if band == "low":
        harsh = read.bucket == "ugly" or (bottom and read.bucket == "bad")
        return ("ugly" if harsh else "bad"), read.strongly_positive
    if read.bucket in ("bad", "ugly"):
        return (read.bucket, True) if read.strongly_negative else ("neutral", False)
    return "good", False


def by_score(band: Band | None) -> Bucket:
    """The bucket of a comment the tagger cannot read: the score's, or untagged."""
    if band == "low":
        return "bad"
    return "good" if band == "high" else "untagged"
