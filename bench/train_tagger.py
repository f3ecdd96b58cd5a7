"""Train the tagger's learned layer from the rated sentences and write its weights file.

Run from the repository root (numpy is needed here only: `pip install -e '.[train]'`):

    python -m bench.train_tagger            # writes ticker/tagger_model.json.gz (~1-2 min)
    python -m bench.train_tagger --out PATH # somewhere else, e.g. to compare

The model (ticker/model.py) is a multinomial logistic regression over VADER's scores, the words
and the pairs of neighbouring words, for four classes (good, neutral, bad, ugly: the gold
buckets of bench/ratings.py). The held-out fifth of every set is never read here. The L2
penalty is chosen on the validation fifth; so are the `Thresholds` this prints (the bench then
reports both on the held-out fifth). The final model is fitted on train + validation. The same
data and code give the same file, byte for byte, and the same version.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.ratings import DATA, Rated, gold_bucket, load
from ticker.model import (
    CLASSES,
    DENSE,
    MODEL_FILE,
    Term,
    dense_features,
    save,
    term_name,
    terms,
)
from ticker.sentiment import Thresholds, analyser, scoring_text

Array = npt.NDArray[np.float64]
OUT = Path(__file__).resolve().parent.parent / "ticker" / MODEL_FILE
PENALTIES = (1e-4, 3e-4, 1e-3, 3e-3)  # L2 on the word weights; the dense inputs get a tenth
MIN_COUNT = 2  # a word or pair seen in one sentence only says nothing about the next
ITERATIONS = 500
RATE = 0.1
PRUNE = 0.0005  # a term whose every weight rounds below this is dropped from the file
UGLY_FLOOR, UGLY_MIN_TAGGED = 0.6, 30  # what is shown as ugly is right three times in five
STRONG_PRECISION = 0.9  # "strongly positive" is right nine times in ten


@dataclass(frozen=True)
class Example:
    """One sentence as the model sees it."""

    dense: list[float]
    terms: Counter[Term]
    label: int
    rated: Rated


@dataclass
class Matrix:
    """A sparse design matrix: (row, column, value) triples, and the number of rows."""

    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    vals: Array
    n: int
    d: int

    def times(self, w: Array) -> Array:
        """X @ w for w of shape (d, k)."""
        return np.stack(
            [
                np.bincount(self.rows, weights=self.vals * w[self.cols, k], minlength=self.n)
                for k in range(w.shape[1])
            ],
            axis=1,
        )

    def transposed_times(self, g: Array) -> Array:
        """X.T @ g for g of shape (n, k)."""
        return np.stack(
            [
                np.bincount(self.cols, weights=self.vals * g[self.rows, k], minlength=self.d)
                for k in range(g.shape[1])
            ],
            axis=1,
        )


def examples(rated: Sequence[Rated]) -> list[Example]:
    """Features exactly as the tagger computes them at run time (same analyser, same prefix)."""
    vader = analyser()
    out = []
    for r in rated:
        scores, words = vader.scores_and_words(scoring_text(r.text, 2000))
        label = CLASSES.index(gold_bucket(r.mean))
        out.append(Example(dense_features(scores), Counter(terms(words)), label, r))
    return out


def vocabulary(train: Sequence[Example]) -> list[Term]:
    """The terms seen in at least MIN_COUNT training sentences, sorted (stable columns)."""
    counts = Counter(t for e in train for t in e.terms)
    return sorted((t for t, n in counts.items() if n >= MIN_COUNT), key=term_name)


def design(items: Sequence[Example], vocab: dict[Term, int]) -> Matrix:
    """Columns: the dense inputs, then one per vocabulary term (its count), then the bias."""
    nd = len(DENSE)
    d = nd + len(vocab) + 1
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, e in enumerate(items):
        found = sorted((nd + vocab[t], float(n)) for t, n in e.terms.items() if t in vocab)
        cols += [*range(nd), *(c for c, _ in found), d - 1]
        vals += [*e.dense, *(n for _, n in found), 1.0]
        rows += [i] * (nd + len(found) + 1)
    return Matrix(np.array(rows), np.array(cols), np.array(vals), len(items), d)


def softmax(z: Array) -> Array:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: Array = e / e.sum(axis=1, keepdims=True)
    return out


def fit(x: Matrix, labels: Sequence[int], penalty: float) -> Array:
    """Multinomial logistic regression, L2-penalised, by full-batch Adam (deterministic)."""
    y = np.eye(len(CLASSES))[np.array(labels)]
    w = np.zeros((x.d, len(CLASSES)))
    reg = np.full((x.d, 1), penalty)
    reg[: len(DENSE)] = penalty / 10
    reg[-1] = 0.0
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, ITERATIONS + 1):
        grad = x.transposed_times((softmax(x.times(w)) - y) / x.n) + reg * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def polarity(p: Array) -> npt.NDArray[np.int64]:
    """0 positive, 1 neutral, 2 negative: the argmax of P(good), P(neutral), P(bad) + P(ugly)."""
    out: npt.NDArray[np.int64] = np.stack([p[:, 0], p[:, 1], p[:, 2] + p[:, 3]], 1).argmax(1)
    return out


def macro_f1(gold: npt.NDArray[np.int64], tagged: npt.NDArray[np.int64]) -> float:
    """Mean F1 of positive, neutral and negative."""
    f1s = []
    for c in range(3):
        hits = float(((gold == c) & (tagged == c)).sum())
        p, r = hits / max(1, (tagged == c).sum()), hits / max(1, (gold == c).sum())
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(f1s) / 3


def standard_error(gold: npt.NDArray[np.int64], tagged: npt.NDArray[np.int64]) -> float:
    """Bootstrap standard error of macro-F1 on these items (200 resamples, fixed seed)."""
    rng = np.random.default_rng(0)
    n = len(gold)
    picks = [rng.integers(0, n, n) for _ in range(200)]
    return float(np.std([macro_f1(gold[i], tagged[i]) for i in picks]))


def gold_polarity(items: Sequence[Example]) -> npt.NDArray[np.int64]:
    return np.array([min(e.label, 2) for e in items])


def thresholds(p: Array, items: Sequence[Example]) -> tuple[Thresholds, list[str]]:
    """The thresholds the validation fifth supports, and the curves behind them."""
    labels = np.array([e.label for e in items])
    negative = polarity(p) == 2
    notes = ["ugly: P(ugly) cut among negative text; precision (gold ugly) and coverage"]
    ugly = 0.95
    for cut in np.arange(0.60, 0.09, -0.05):
        tagged = negative & (p[:, 3] >= cut)
        n = int(tagged.sum())
        precision = float((labels[tagged] == 3).mean()) if n else 0.0
        coverage = float((tagged & (labels == 3)).sum() / max(1, (labels == 3).sum()))
        notes.append(
            f"  {cut:.2f}: {n:5d} tagged, precision {precision:.1%}, coverage {coverage:.1%}"
        )
        if n >= UGLY_MIN_TAGGED and precision >= UGLY_FLOOR:
            ugly = round(float(cut), 2)
    strong = {}
    for name, column, right in (
        ("positive", p[:, 0], labels == 0),
        ("negative", None, labels >= 2),
    ):
        values = p[:, 2] + p[:, 3] if column is None else column
        chosen = 0.95
        notes.append(f"strongly {name}: P cut, precision (gold {name}), share of sentences")
        for cut in np.arange(0.95, 0.49, -0.05):
            tagged = values >= cut
            precision = float(right[tagged].mean()) if tagged.any() else 0.0
            notes.append(f"  {cut:.2f}: precision {precision:.1%}, share {tagged.mean():.1%}")
            if tagged.sum() >= UGLY_MIN_TAGGED and precision >= STRONG_PRECISION:
                chosen = round(float(cut), 2)
        strong[name] = chosen
    found = Thresholds(
        ugly=ugly, strongly_positive=strong["positive"], strongly_negative=strong["negative"]
    )
    return found, notes


def model_probabilities(w: Array, x: Matrix) -> Array:
    return softmax(x.times(w))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.train_tagger", description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the four sets")
    parser.add_argument("--out", type=Path, default=OUT, help=f"weights file (default {OUT})")
    parser.add_argument("--penalties", help="comma-separated L2 penalties to try")
    args = parser.parse_args(argv)
    penalties = [float(x) for x in args.penalties.split(",")] if args.penalties else PENALTIES
    started = time.perf_counter()
    rated = [r for r in load(args.data) if r.part != "test"]  # the held-out fifth is never read
    items = examples(rated)
    train = [e for e in items if e.rated.part == "train"]
    valid = [e for e in items if e.rated.part == "validation"]
    print(f"{len(train):,} training and {len(valid):,} validation sentences")
    vocab = {t: i for i, t in enumerate(vocabulary(train))}
    x_train, x_valid = design(train, vocab), design(valid, vocab)
    gold = gold_polarity(valid)
    results = []
    for penalty in penalties:
        w = fit(x_train, [e.label for e in train], penalty)
        p = model_probabilities(w, x_valid)
        results.append((macro_f1(gold, polarity(p)), penalty, p))
        print(f"penalty {penalty:g}: validation macro-F1 {results[-1][0]:.3f}")
    best_f1, _, best_p = max(results, key=lambda r: r[0])
    noise = standard_error(gold, polarity(best_p))
    # The strongest penalty within one standard error of the best: the model that leans most
    # on VADER and least on this data's words, for comments that are not like these sentences.
    best_f1, penalty, p_valid = max(
        (r for r in results if r[0] >= best_f1 - noise), key=lambda r: r[1]
    )
    print(f"one standard error of validation macro-F1: {noise:.3f}")
    found, notes = thresholds(p_valid, valid)
    print(f"chosen penalty {penalty:g} (validation macro-F1 {best_f1:.3f})")
    print("\n".join(notes))
    final = train + valid
    vocab = {t: i for i, t in enumerate(vocabulary(final))}
    w = fit(design(final, vocab), [e.label for e in final], penalty)
    nd = len(DENSE)
    weights = {
        t: w[nd + i].tolist() for t, i in vocab.items() if float(np.abs(w[nd + i]).max()) >= PRUNE
    }
    info = {
        "data": "../shared/data/sentiment (Hutto & Gilbert, ICWSM 2014), all four sets",
        "held_out": "sha256('set:id') % 5 == 0, never read by training",
        "sentences": len(final),
        "penalty": penalty,
        "validation_macro_f1": round(best_f1, 4),
        "iterations": ITERATIONS,
        "min_count": MIN_COUNT,
    }
    version = save(args.out, w[-1].tolist(), w[:nd].tolist(), weights, info)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB, {len(weights):,} terms), version {version}")
    current = Thresholds()
    if (found.ugly, found.strongly_positive, found.strongly_negative) != (
        current.ugly,
        current.strongly_positive,
        current.strongly_negative,
    ):
        print(f"validation suggests {found}; Thresholds() is {current}: update it and its version")
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
