"""How well the tagger's buckets agree with people, on sentences it was never trained on.

Run from the repository root:

    python -m bench.sentiment               # held-out figures: the tagger beside VADER alone
    python -m bench.sentiment --scores      # plus every scale and score over the held-out texts
    python -m bench.sentiment --data DIR    # the four sets from another folder

The data is the held-out fifth of the four rated sets (bench/ratings.py: 4,683 sentences);
docs/sentiment.md explains the gold mapping, the conventions and what the figures mean.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bench.ratings import DATA, ROOT, SETS, Rated, gold_bucket, load
from ticker.records import SCALES, Bucket, Scale
from ticker.sentiment import (
    Reading,
    Tagger,
    decide,
    is_noise,
    is_profane,
    normalized_score,
    score_band,
    scoring_text,
)

# The gold buckets that count as a hit for a tagged bucket, and that a bucket should cover:
# ugly is a subset of negative, so a gold-ugly comment tagged bad is still a correct "bad".
RIGHT: dict[Bucket, frozenset[Bucket]] = {
    "good": frozenset({"good"}),
    "bad": frozenset({"bad", "ugly"}),
    "ugly": frozenset({"ugly"}),
    "neutral": frozenset({"neutral"}),
}
REPORTED: tuple[Bucket, ...] = ("good", "bad", "ugly", "neutral")
Polarity = Literal["positive", "negative", "neutral"]
POLARITIES: tuple[Polarity, ...] = ("positive", "negative", "neutral")
POLARITY: dict[Bucket, Polarity] = {
    "good": "positive",
    "bad": "negative",
    "ugly": "negative",
    "neutral": "neutral",
    "noise": "neutral",  # neither is shown on a ticker
    "untagged": "neutral",
}
ROUNDS = 500  # bootstrap resamples: enough for a stable 95% interval
Pairs = Counter[tuple[Bucket, Bucket]]  # (gold, tagged) -> count
Tagging = Callable[[str], Bucket]


@dataclass(frozen=True)
class Row:
    """One bucket's line in the table."""

    bucket: Bucket
    precision: float
    coverage: float
    tagged: int
    gold: int


@dataclass(frozen=True)
class Scores:
    """The figures for one tagging of the held-out sentences."""

    rows: tuple[Row, ...]
    accuracy: float
    macro_f1: float
    ugly_off_target: float  # share of tagged ugly that people did not find negative at all

    def row(self, bucket: Bucket) -> Row:
        return next(r for r in self.rows if r.bucket == bucket)


def ratio(part: int, whole: int) -> float:
    """A share that is NaN, not a crash, when nothing was counted."""
    return part / whole if whole else math.nan


def f1(precision: float, recall: float) -> float:
    """Harmonic mean, 0 when either side is 0 or undefined (an empty class scores nothing)."""
    if math.isnan(precision) or math.isnan(recall) or precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def score(pairs: Pairs) -> Scores:
    """All the figures for one set of (gold, tagged) counts."""
    rows = []
    for b in REPORTED:
        tagged = sum(n for (_, t), n in pairs.items() if t == b)
        hits = sum(n for (g, t), n in pairs.items() if t == b and g in RIGHT[b])
        gold = sum(n for (g, _), n in pairs.items() if g in RIGHT[b])
        covered = sum(n for (g, t), n in pairs.items() if g in RIGHT[b] and t in RIGHT[b])
        rows.append(Row(b, ratio(hits, tagged), ratio(covered, gold), tagged, gold))
    confusion: Counter[tuple[Polarity, Polarity]] = Counter()
    for (g, t), n in pairs.items():
        confusion[POLARITY[g], POLARITY[t]] += n
    f1s = []
    for p in POLARITIES:
        tagged = sum(n for (_, t), n in confusion.items() if t == p)
        gold = sum(n for (g, _), n in confusion.items() if g == p)
        f1s.append(f1(ratio(confusion[p, p], tagged), ratio(confusion[p, p], gold)))
    accuracy = ratio(sum(confusion[p, p] for p in POLARITIES), sum(confusion.values()))
    ugly = sum(n for (_, t), n in pairs.items() if t == "ugly")
    off = sum(n for (g, t), n in pairs.items() if t == "ugly" and g not in RIGHT["bad"])
    return Scores(tuple(rows), accuracy, statistics.fmean(f1s), ratio(off, ugly))


def pct(x: float) -> str:
    """A share as a fixed-width percentage, a dash when undefined."""
    return "    - " if math.isnan(x) else f"{100 * x:5.1f}%"


def vader_t2(tagger: Tagger) -> Tagging:
    """The text path of the tagger before #8 (t2): VADER + the lexicon, fixed thresholds."""

    def bucket(text: str) -> Bucket:
        if is_noise(text):
            return "noise"
        c = tagger.compound(text)
        if c <= -0.7 or (is_profane(text) and c < 0.3):
            return "ugly"
        return "good" if c >= 0.3 else "bad" if c <= -0.1 else "neutral"

    return bucket


def vader_paper() -> Tagging:
    """Plain vaderSentiment as its authors use it: positive >= 0.05, negative <= -0.05."""
    vader = SentimentIntensityAnalyzer()

    def bucket(text: str) -> Bucket:
        c = vader.polarity_scores(scoring_text(text, 2000))["compound"]
        return "good" if c >= 0.05 else "bad" if c <= -0.05 else "neutral"

    return bucket


def print_table(name: str, s: Scores) -> None:
    """Precision and coverage (recall) per bucket, then the 3-class figures."""
    print(f"{name}: macro-F1 {s.macro_f1:.3f}, accuracy {pct(s.accuracy).strip()}")
    print(f"  {'bucket':<8} {'precision':>9} {'recall':>9} {'tagged':>7} {'gold':>6}")
    for r in s.rows:
        print(
            f"  {r.bucket:<8} {pct(r.precision):>9} {pct(r.coverage):>9} {r.tagged:>7} {r.gold:>6}"
        )
    print(f"  ugly tagged but not negative to people: {pct(s.ugly_off_target).strip()}")


def bootstrap(
    golds: Sequence[Bucket], a: Sequence[Bucket], b: Sequence[Bucket]
) -> tuple[float, float]:
    """95% interval of macro-F1(b) - macro-F1(a) over paired resamples of the items."""
    rng = random.Random(0)
    n = len(golds)
    diffs = []
    for _ in range(ROUNDS):
        picks = rng.choices(range(n), k=n)
        sa = score(Counter((golds[i], a[i]) for i in picks)).macro_f1
        sb = score(Counter((golds[i], b[i]) for i in picks)).macro_f1
        diffs.append(sb - sa)
    diffs.sort()
    return diffs[int(0.025 * ROUNDS)], diffs[int(0.975 * ROUNDS) - 1]


def held_out(tagger: Tagger, test: Sequence[Rated]) -> None:
    """The tagger beside VADER alone on the held-out fifth: pooled, then per set."""
    golds = [gold_bucket(r.mean) for r in test]
    taggings: list[tuple[str, Tagging]] = [
        (f"tagger {tagger.version}", lambda text: tagger.tag(text).bucket),
        ("VADER alone, the tagger's rules before #8 (t2)", vader_t2(tagger)),
        ("plain vaderSentiment, +-0.05 (the paper's cut)", vader_paper()),
    ]
    tagged = {name: [f(r.text) for r in test] for name, f in taggings}
    print(f"held-out fifth of the four sets: N = {len(test):,} (never trained on)")
    print("gold (human mean): good >= +1.0, bad <= -1.0, ugly <= -2.0, else neutral")
    print("bad: a gold-ugly item tagged bad is correct; its recall counts bad + ugly tagged")
    print()
    for name, tags in tagged.items():
        print_table(name, score(Counter(zip(golds, tags, strict=True))))
        print()
    names = list(tagged)
    print(f"macro-F1 per set          {'N':>5}" + "".join(f"{n.split(',')[0]:>22}" for n in names))
    for s in SETS:
        idx = [i for i, r in enumerate(test) if r.set == s]
        figures = [score(Counter((golds[i], tagged[n][i]) for i in idx)).macro_f1 for n in names]
        print(f"{s:<25} {len(idx):>5}" + "".join(f"{x:>22.3f}" for x in figures))
    for other in names[1:]:
        low, high = bootstrap(golds, tagged[other], tagged[names[0]])
        gain = (
            score(Counter(zip(golds, tagged[names[0]], strict=True))).macro_f1
            - score(Counter(zip(golds, tagged[other], strict=True))).macro_f1
        )
        print(
            f"tagger minus {other.split(',')[0]}: macro-F1 {gain:+.3f}, "
            f"95% interval {low:+.3f} .. {high:+.3f} ({ROUNDS} paired resamples)"
        )


def every_score() -> list[tuple[Scale, int]]:
    """Each scale with each of its whole scores."""
    return [(scale, v) for scale, (lo, hi) in SCALES.items() for v in range(lo, hi + 1)]  # type: ignore[misc]


def t2_scored(compound: float, profane: bool, score_: int, scale: Scale) -> Bucket:
    """The tagger before #8 with a score: 0.65 x compound + 0.35 x score, bottom-score ugly."""
    norm = normalized_score(score_, scale)
    blended = 0.65 * compound + 0.35 * norm
    if compound <= -0.7 or (norm <= -1 and compound <= -0.2) or (profane and compound < 0.3):
        return "ugly"
    return "good" if blended >= 0.3 else "bad" if blended <= -0.1 else "neutral"


def scored(tagger: Tagger, test: Sequence[Rated]) -> None:
    """Every scale and score over the held-out texts: what each band makes of them."""
    texts = [r.text for r in test if not is_noise(r.text)]
    readings: list[tuple[Reading, float, bool]] = [
        (tagger.reading(t), tagger.compound(t), is_profane(t)) for t in texts
    ]
    for text, (read, _, _) in list(zip(texts, readings, strict=True))[:200]:  # mirror check
        for scale, v in (("nps", 2), ("nps", 7), ("csat5", 5)):
            tag = tagger.tag(text, v, scale)  # type: ignore[arg-type]
            bottom = normalized_score(v, scale) <= -1  # type: ignore[arg-type]
            if (tag.bucket, tag.mixed) != decide(read, score_band(v, scale), bottom):  # type: ignore[arg-type]
                raise SystemExit(f"decide disagrees with Tagger.tag on {text!r}: fix the bench")
    print()
    print(f"every score over the {len(texts):,} held-out texts (shares of texts; mixed waits)")
    print(
        f"{'scale':<6} {'score':>5} {'band':<6} {'good':>6} {'neutral':>7} {'bad':>6} {'ugly':>6}"
        f" {'mixed':>6}   before #8: {'good':>6} {'neutral':>7} {'bad':>6} {'ugly':>6}"
    )
    n = len(texts)
    for scale, v in every_score():
        band = score_band(v, scale)
        bottom = normalized_score(v, scale) <= -1
        now: Counter[str] = Counter()
        before: Counter[str] = Counter()
        for read, compound, profane in readings:
            bucket, mixed = decide(read, band, bottom)
            now[bucket] += 1
            now["mixed"] += mixed
            before[t2_scored(compound, profane, v, scale)] += 1
        cells = "".join(
            f" {pct(now[b] / n):>{w}}"
            for b, w in (("good", 6), ("neutral", 7), ("bad", 6), ("ugly", 6), ("mixed", 6))
        )
        old = "".join(
            f" {pct(before[b] / n):>{w}}"
            for b, w in (("good", 6), ("neutral", 7), ("bad", 6), ("ugly", 6))
        )
        print(f"{scale:<6} {v:>5} {band:<6}{cells}   {'':>10}{old}")


def survey_check(tagger: Tagger) -> None:
    """sample_feedback/'s English comments: how often the text alone agrees with the score.

    Not a benchmark (no one rated these comments; the project wrote them for the demo), but
    the only survey-shaped text here: a low score read as negative text, a high one as positive.
    """
    items: list[tuple[str, float, Scale]] = []
    folder = ROOT / "sample_feedback"
    for line in (folder / "nps_relationship.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d.get("nps") is not None and d.get("language", "en") == "en":
            items.append((d["why"], float(d["nps"]), "nps"))
    with (folder / "support_csat.csv").open(encoding="utf-8-sig") as export:
        items += [(r["Comment"], float(r["CSAT (1-5)"]), "csat5") for r in csv.DictReader(export)]
    items = [(t, v, s) for t, v, s in items if t and not is_noise(t) and t.isascii()]
    t2 = vader_t2(tagger)
    print()
    print(f"sample_feedback, {len(items)} English comments with a low or high score:")
    for name, f in (("tagger", lambda t: tagger.reading(t).bucket), ("VADER alone (t2)", t2)):
        agree = total = 0
        for text, v, scale in items:
            band = score_band(v, scale)
            if band != "middle":
                total += 1
                agree += POLARITY[f(text)] == ("negative" if band == "low" else "positive")
        print(f"  {name:<18} text agrees with the score {agree}/{total} ({agree / total:.1%})")


def main(argv: Sequence[str] | None = None) -> None:
    """Print the held-out figures, then the per-score table if asked."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.sentiment",
        description="Measure the tagger's buckets against human ratings, on held-out sentences.",
    )
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the four sets")
    parser.add_argument("--scores", action="store_true", help="every scale and score, too")
    args = parser.parse_args(argv)
    test = [r for r in load(args.data) if r.part == "test"]
    tagger = Tagger()
    held_out(tagger, test)
    survey_check(tagger)
    if args.scores:
        scored(tagger, test)


if __name__ == "__main__":
    main()
