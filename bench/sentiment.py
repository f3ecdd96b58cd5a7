"""How well the tagger's buckets agree with people: the figures behind `Thresholds`.

Run from the repository root:

    python -m bench.sentiment                     # figures for the current Thresholds
    python -m bench.sentiment --sweep             # grid-search good / bad / ugly
    python -m bench.sentiment --compare 0.3 -0.1 -0.6   # current vs other thresholds
    python -m bench.sentiment --data PATH --gold-ugly -2.5   # another file or gold cut

The data is 3,708 Amazon review sentences, each rated -4..+4 by 20 people (see
../shared/data/README.md); docs/sentiment.md explains the gold mapping and the objective.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from ticker.records import Bucket
from ticker.sentiment import Tagger, Thresholds, is_noise, is_profane, scoring_text

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "../shared/data/sentiment/amazonReviewSnippets_GroundTruth.txt"

# Gold mapping of the human mean (-4..+4). A mean of 20 raters is pulled toward 0, so one point
# from neutral is already a clear lean; ugly (<= -2) is the harshest ~30% of the negatives.
GOLD_GOOD = 1.0
GOLD_BAD = -1.0
GOLD_UGLY = -2.0

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
}

# The sweep's grid, in hundredths so that printed values are exactly the tested ones.
GOOD_GRID = tuple(i / 100 for i in range(5, 65, 5))
BAD_GRID = tuple(-i / 100 for i in range(5, 55, 5))
UGLY_GRID = tuple(-i / 100 for i in range(30, 100, 5))
UGLY_FLOOR = 0.5  # of what is shown as ugly, at least half must be gold ugly
UGLY_MIN_TAGGED = 30  # below this a precision is a coin toss, not a measurement
ROUNDS = 500  # bootstrap resamples: enough for a stable 95% interval, about a second


@dataclass(frozen=True)
class Snippet:
    """One rated sentence from the ground-truth file."""

    id: str
    mean: float
    text: str


@dataclass(frozen=True)
class Features:
    """What the tagger reads from an unscored text, computed once so a sweep skips VADER."""

    compound: float
    noise: bool
    profane: bool


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
    """The figures for one set of thresholds."""

    rows: tuple[Row, ...]
    noise: int
    accuracy: float
    macro_f1: float
    confusion: Counter[tuple[Polarity, Polarity]]
    ugly_off_target: float  # share of tagged ugly that people did not find negative at all

    def row(self, bucket: Bucket) -> Row:
        """The line for one bucket, so the sweep can rank on it."""
        return next(r for r in self.rows if r.bucket == bucket)


Pairs = Counter[tuple[Bucket, Bucket]]  # (gold, tagged) -> count


def load(path: Path) -> list[Snippet]:
    """Read `id<TAB>mean<TAB>text` lines; CRLF and a missing final newline are both normal."""
    snippets = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            ident, mean, text = line.split("\t", 2)
            snippets.append(Snippet(ident, float(mean), text))
    return snippets


def gold_bucket(mean: float, ugly_cut: float = GOLD_UGLY) -> Bucket:
    """The bucket people put a sentence in, from the mean of their -4..+4 ratings."""
    if mean <= ugly_cut:
        return "ugly"
    if mean <= GOLD_BAD:
        return "bad"
    if mean >= GOLD_GOOD:
        return "good"
    return "neutral"


def features(tagger: Tagger, text: str) -> Features:
    """Everything `Tagger.tag` reads from an unscored text."""
    return Features(tagger.compound(text), is_noise(text), is_profane(text))


def plain_features(
    tagger: Tagger, feats: Sequence[Features], texts: Sequence[str]
) -> list[Features]:
    """The same features with vaderSentiment's own lexicon, to show what the tagger adds."""
    vader = SentimentIntensityAnalyzer()
    return [
        replace(f, compound=vader.polarity_scores(scoring_text(t, tagger.score_chars))["compound"])
        for f, t in zip(feats, texts, strict=True)
    ]


def bucket_for(f: Features, t: Thresholds) -> Bucket:
    """`Tagger.tag` for a text without a survey score, on precomputed features (for the sweep)."""
    if f.noise:
        return "noise"
    if f.compound <= t.ugly or (f.profane and f.compound < t.good):
        return "ugly"
    if f.compound >= t.good:
        return "good"
    if f.compound <= t.bad:
        return "bad"
    return "neutral"


def check_mirror(tagger: Tagger, snippets: Sequence[Snippet], feats: Sequence[Features]) -> None:
    """Stop if the sweep's `bucket_for` no longer matches the real tagger's rules."""
    for s, f in zip(snippets, feats, strict=True):
        if tagger.tag(s.text).bucket != bucket_for(f, tagger.thresholds):
            raise SystemExit(f"bucket_for disagrees with Tagger.tag on {s.id}: update the bench")


def ratio(part: int, whole: int) -> float:
    """A share that is NaN, not a crash, when nothing was counted."""
    return part / whole if whole else math.nan


def f1(precision: float, recall: float) -> float:
    """Harmonic mean, 0 when either side is 0 or undefined (an empty class scores nothing)."""
    if math.isnan(precision) or math.isnan(recall) or precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def bucket_rows(pairs: Pairs) -> tuple[Row, ...]:
    """Precision and coverage per shown bucket, with ugly counted as a kind of bad."""
    rows = []
    for b in REPORTED:
        tagged = sum(n for (_, t), n in pairs.items() if t == b)
        hits = sum(n for (g, t), n in pairs.items() if t == b and g in RIGHT[b])
        gold = sum(n for (g, _), n in pairs.items() if g in RIGHT[b])
        covered = sum(n for (g, t), n in pairs.items() if g in RIGHT[b] and t in RIGHT[b])
        rows.append(Row(b, ratio(hits, tagged), ratio(covered, gold), tagged, gold))
    return tuple(rows)


def score(pairs: Pairs) -> Scores:
    """All the figures for one set of (gold, tagged) counts."""
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
    noise = sum(n for (_, t), n in pairs.items() if t == "noise")
    return Scores(
        bucket_rows(pairs), noise, accuracy, statistics.fmean(f1s), confusion, ratio(off, ugly)
    )


def tag_all(feats: Sequence[Features], t: Thresholds) -> list[Bucket]:
    """Each item's bucket under one set of thresholds."""
    return [bucket_for(f, t) for f in feats]


def evaluate(golds: Sequence[Bucket], feats: Sequence[Features], t: Thresholds) -> Scores:
    """Score one set of thresholds on precomputed features."""
    return score(Counter(zip(golds, tag_all(feats, t), strict=True)))


def pct(x: float) -> str:
    """A share as a fixed-width percentage, a dash when undefined."""
    return "    - " if math.isnan(x) else f"{100 * x:5.1f}%"


def describe(t: Thresholds) -> str:
    """The three thresholds the bench moves, as one line."""
    return f"good >= {t.good:+.2f}, bad <= {t.bad:+.2f}, ugly <= {t.ugly:+.2f}"


def print_report(n: int, t: Thresholds, s: Scores, ugly_cut: float) -> None:
    """The main table: what an office screen would show, bucket by bucket."""
    print(f"thresholds {t.version}: {describe(t)}")
    print(
        f"gold (human mean): good >= {GOLD_GOOD:+.1f}, bad <= {GOLD_BAD:+.1f}, "
        f"ugly <= {ugly_cut:+.1f}, else neutral; N = {n}"
    )
    print()
    print(f"{'bucket':<8} {'precision':>9} {'coverage':>9} {'tagged':>7} {'gold':>6}")
    for row in s.rows:
        print(
            f"{row.bucket:<8} {pct(row.precision):>9} {pct(row.coverage):>9} "
            f"{row.tagged:>7} {row.gold:>6}"
        )
    print(f"{'noise':<8} {'':>9} {'':>9} {s.noise:>7} {'-':>6}")
    print(
        "bad: a gold-ugly item tagged bad is correct; coverage = gold bad+ugly tagged bad or ugly"
    )
    print(
        f"ugly tagged but not negative to people (gold > {GOLD_BAD:+.1f}): "
        f"{pct(s.ugly_off_target).strip()}"
    )
    print()
    print(
        f"3-class (positive/negative/neutral; noise counts as neutral): "
        f"accuracy {pct(s.accuracy).strip()}, macro-F1 {s.macro_f1:.3f}"
    )
    print(f"{'gold / tagged':<14}" + "".join(f"{p:>10}" for p in POLARITIES))
    for g in POLARITIES:
        print(f"{g:<14}" + "".join(f"{s.confusion[g, p]:>10}" for p in POLARITIES))


def print_compounds(rows: Sequence[tuple[str, float, Scores]]) -> None:
    """Pearson r and headline figures per compound source (the tagger vs plain VADER)."""
    print(
        f"{'compound from':<30} {'r':>6} {'macroF1':>8} {'goodP':>6} {'badP':>6} {'uglyP':>6}"
        f" {'uglyC':>6}"
    )
    for name, r, s in rows:
        print(
            f"{name:<30} {r:6.3f} {s.macro_f1:8.3f} {pct(s.row('good').precision)} "
            f"{pct(s.row('bad').precision)} {pct(s.row('ugly').precision)} "
            f"{pct(s.row('ugly').coverage)}"
        )


def grid(base: Thresholds) -> Iterable[Thresholds]:
    """Every combination worth testing: ugly below bad below 0 below good."""
    for good in GOOD_GRID:
        for bad in BAD_GRID:
            for ugly in UGLY_GRID:
                if ugly < bad:
                    yield replace(base, good=good, bad=bad, ugly=ugly)


def feasible(s: Scores, floor: float) -> bool:
    """Ugly must be right at least `floor` of the time, on enough items for that to mean much."""
    u = s.row("ugly")
    return u.tagged >= UGLY_MIN_TAGGED and u.precision >= floor


def objective(s: Scores) -> tuple[float, float]:
    """Rank by 3-class macro-F1, then by how many of the truly ugly are caught."""
    return round(s.macro_f1, 4), s.row("ugly").coverage


def run_grid(
    golds: Sequence[Bucket], feats: Sequence[Features], base: Thresholds
) -> list[tuple[Thresholds, Scores]]:
    """Score every grid point; identical items are grouped so each point costs little."""
    keys = Counter(zip(golds, feats, strict=True))
    results = []
    for t in grid(base):
        pairs: Pairs = Counter()
        for (g, f), n in keys.items():
            pairs[g, bucket_for(f, t)] += n
        results.append((t, score(pairs)))
    return results


def best_per_pair(ranked: Sequence[tuple[Thresholds, Scores]]) -> list[tuple[Thresholds, Scores]]:
    """Keep each (good, bad) pair once, with its best ugly, so the top rows differ usefully."""
    seen: set[tuple[float, float]] = set()
    out = []
    for t, s in ranked:
        if (t.good, t.bad) not in seen:
            seen.add((t.good, t.bad))
            out.append((t, s))
    return out


def print_leaders(rows: Sequence[tuple[Thresholds, Scores]]) -> None:
    """The sweep's best combinations, one line each."""
    print(
        f"{'good':>6} {'bad':>6} {'ugly':>6} {'macroF1':>8} {'acc':>6} {'goodP':>6} {'goodC':>6}"
        f" {'badP':>6} {'badC':>6} {'uglyP':>6} {'uglyC':>6} {'uglyN':>6}"
    )
    for t, s in rows:
        g, b, u = s.row("good"), s.row("bad"), s.row("ugly")
        print(
            f"{t.good:+6.2f} {t.bad:+6.2f} {t.ugly:+6.2f} {s.macro_f1:8.3f} {pct(s.accuracy)} "
            f"{pct(g.precision)} {pct(g.coverage)} {pct(b.precision)} {pct(b.coverage)} "
            f"{pct(u.precision)} {pct(u.coverage)} {u.tagged:>6}"
        )


def wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% interval of a proportion: how far a precision measured on few items can be trusted."""
    if n == 0:
        return math.nan, math.nan
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def print_ugly_curve(rows: Sequence[tuple[Thresholds, Scores]]) -> None:
    """Precision (with its 95% interval) against coverage as the ugly threshold moves."""
    print(
        f"{'ugly':>6} {'tagged':>6} {'precision':>9} {'95% interval':>14} {'coverage':>9}"
        f" {'not negative':>12}"
    )
    for t, s in sorted(rows, key=lambda ts: ts[0].ugly, reverse=True):
        u = s.row("ugly")
        low, high = wilson(u.precision, u.tagged)
        interval = f"{pct(low).strip()}-{pct(high).strip()}"
        print(
            f"{t.ugly:+6.2f} {u.tagged:>6} {pct(u.precision):>9} {interval:>14} "
            f"{pct(u.coverage):>9} {pct(s.ugly_off_target):>12}"
        )


def sweep(
    golds: Sequence[Bucket], feats: Sequence[Features], base: Thresholds, floor: float, top: int
) -> None:
    """Grid-search the thresholds; print the leaders, the ugly trade-off, and the current's gap."""
    results = run_grid(golds, feats, base)
    ranked = sorted(
        ((t, s) for t, s in results if feasible(s, floor)),
        key=lambda ts: objective(ts[1]),
        reverse=True,
    )
    print(
        f"sweep: {len(results)} combinations; feasible: ugly precision >= {pct(floor).strip()} "
        f"on >= {UGLY_MIN_TAGGED} tagged; ranked by macro-F1, then ugly coverage"
    )
    print_leaders(best_per_pair(ranked)[:top])
    if not ranked:
        print("no combination is feasible: lower --ugly-floor")
    print()
    print(
        f"ugly trade-off at the current good {base.good:+.2f}, bad {base.bad:+.2f} "
        "(macro-F1 does not depend on ugly):"
    )
    curve = [replace(base, ugly=u) for u in UGLY_GRID if u < base.bad]
    print_ugly_curve([(t, evaluate(golds, feats, t)) for t in curve])
    if ranked:
        print()
        compare(golds, feats, base, ranked[0][0])


def resample_scores(
    golds: Sequence[Bucket], tags: Sequence[Bucket], picks: Sequence[int]
) -> Scores:
    """Scores on one bootstrap resample of the items."""
    return score(Counter((golds[i], tags[i]) for i in picks))


FIGURES: tuple[tuple[str, Bucket | None], ...] = (
    ("macro-F1", None),
    ("good precision", "good"),
    ("bad precision", "bad"),
    ("bad coverage", "bad"),
    ("ugly precision", "ugly"),
    ("ugly coverage", "ugly"),
)


def figure(s: Scores, name: str, bucket: Bucket | None) -> float:
    """One named figure from the scores, for the comparison table."""
    if bucket is None:
        return s.macro_f1
    row = s.row(bucket)
    return row.precision if name.endswith("precision") else row.coverage


def compare(
    golds: Sequence[Bucket], feats: Sequence[Features], a: Thresholds, b: Thresholds
) -> None:
    """Paired bootstrap of b minus a: is a difference bigger than the luck of this sample?"""
    tags_a, tags_b = tag_all(feats, a), tag_all(feats, b)
    rng = random.Random(0)
    n = len(golds)
    diffs: dict[str, list[float]] = {name: [] for name, _ in FIGURES}
    for _ in range(ROUNDS):
        picks = rng.choices(range(n), k=n)
        sa, sb = resample_scores(golds, tags_a, picks), resample_scores(golds, tags_b, picks)
        for name, bucket in FIGURES:
            diffs[name].append(figure(sb, name, bucket) - figure(sa, name, bucket))
    full_a, full_b = evaluate(golds, feats, a), evaluate(golds, feats, b)
    print(f"A = {describe(a)}")
    print(f"B = {describe(b)}")
    print(
        f"{'figure':<16} {'A':>7} {'B':>7} {'B-A':>7} {'95% interval of B-A':>20}"
        f"  ({ROUNDS} paired resamples)"
    )
    for name, bucket in FIGURES:
        fa, fb = figure(full_a, name, bucket), figure(full_b, name, bucket)
        d = sorted(x for x in diffs[name] if not math.isnan(x))
        low, high = d[int(0.025 * len(d))], d[int(0.975 * len(d)) - 1]
        print(f"{name:<16} {fa:7.3f} {fb:7.3f} {fb - fa:+7.3f} {f'{low:+.3f} .. {high:+.3f}':>20}")


def main(argv: Sequence[str] | None = None) -> None:
    """Print the figures for the current thresholds, then the sweep or comparison if asked."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.sentiment",
        description="Measure the tagger's buckets against human ratings.",
    )
    parser.add_argument("--data", type=Path, default=DATA, help="ground-truth file")
    parser.add_argument("--sweep", action="store_true", help="grid-search good/bad/ugly")
    parser.add_argument("--top", type=int, default=10, help="sweep rows to print (default 10)")
    parser.add_argument(
        "--ugly-floor",
        type=float,
        default=UGLY_FLOOR,
        help=f"minimum ugly precision in the sweep (default {UGLY_FLOOR})",
    )
    parser.add_argument(
        "--gold-ugly",
        type=float,
        default=GOLD_UGLY,
        help=f"human mean at or below which a sentence is gold ugly (default {GOLD_UGLY})",
    )
    parser.add_argument(
        "--compare",
        type=float,
        nargs=3,
        metavar=("GOOD", "BAD", "UGLY"),
        help="bootstrap the current thresholds against these",
    )
    args = parser.parse_args(argv)
    if not args.data.is_file():
        parser.error(f"no ground-truth file at {args.data} (pass --data PATH)")
    snippets = load(args.data)
    texts, means = [s.text for s in snippets], [s.mean for s in snippets]
    tagger = Tagger()
    feats = [features(tagger, t) for t in texts]
    check_mirror(tagger, snippets, feats)
    golds = [gold_bucket(m, args.gold_ugly) for m in means]
    pairs = Counter((g, tagger.tag(t).bucket) for g, t in zip(golds, texts, strict=True))
    current = tagger.thresholds
    print_report(len(snippets), current, score(pairs), args.gold_ugly)
    print()
    plain = plain_features(tagger, feats, texts)
    print_compounds(
        [
            (
                name,
                statistics.correlation([f.compound for f in fs], means),
                evaluate(golds, fs, current),
            )
            for name, fs in (
                ("tagger (VADER + ticker lexicon)", feats),
                ("plain vaderSentiment", plain),
            )
        ]
    )
    if args.compare:
        print()
        good, bad, ugly = args.compare
        compare(golds, feats, current, replace(current, good=good, bad=bad, ugly=ugly))
    if args.sweep:
        print()
        sweep(golds, feats, current, args.ugly_floor, args.top)


if __name__ == "__main__":
    main()
