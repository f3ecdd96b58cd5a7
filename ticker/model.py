"""The learned layer: a small linear model that reads VADER's scores and the words around them.

VADER adds up word valences; people also read context ("it fell apart", "after an hour it starts
skipping"). A multinomial logistic regression over VADER's four scores, the words and the pairs
of neighbouring words, trained on about 19,000 sentences rated by people (`python -m
bench.train_tagger`, docs/sentiment.md), gives the probability of each of four buckets. Running
it is a dictionary look-up per word and per pair and four sums: pure Python, no numpy, a few
microseconds a comment. The weights ship in the package (`tagger_model.json.gz`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

CLASSES = ("good", "neutral", "bad", "ugly")
MODEL_FILE = "tagger_model.json.gz"
FORMAT = 1
START, END = "<s>", "</s>"
# Where VADER's compound is cut into bins: the model learns its own curve over the compound
# instead of a straight line (VADER's 0.4 and 0.8 are not twice apart to people).
COMPOUND_BINS = (-0.7, -0.4, -0.1, 0.1, 0.4, 0.7)
DENSE = (
    "compound",
    "pos",
    "neg",
    "neu",
    "compound_signed_square",
    *(f"compound_bin{i}" for i in range(len(COMPOUND_BINS) + 1)),
)


def dense_features(scores: Mapping[str, float]) -> list[float]:
    """VADER's scores as the model's dense inputs, in the order of `DENSE`."""
    c = scores["compound"]
    bins = [0.0] * (len(COMPOUND_BINS) + 1)
    bins[bisect_right(COMPOUND_BINS, c)] = 1.0  # how many cuts the compound reaches
    return [c, scores["pos"], scores["neg"], scores["neu"], c * abs(c), *bins]


Term = str | tuple[str, str]  # a word, or a pair of neighbouring words


def terms(words: Sequence[str]) -> list[Term]:
    """The words (lowercased, as VADER split them) and each pair of neighbours, with the ends.

    Pairs are tuples, not joined strings: no string is built, and a tuple of two words hashes
    from the words' own cached hashes. A term that occurs twice counts twice.
    """
    return [*words, *pairwise([START, *words, END])]


def term_name(term: Term) -> str:
    """How a term is written in the weights file: a pair as its two words with a space."""
    return term if isinstance(term, str) else " ".join(term)


def term_from_name(name: str) -> Term:
    """The inverse of `term_name`; a word never holds a space (VADER splits on them)."""
    first, space, second = name.partition(" ")
    return (first, second) if space else name


class Probabilities(NamedTuple):
    """What the model says of a text: the probability of each bucket, summing to 1."""

    good: float
    neutral: float
    bad: float
    ugly: float

    @property
    def negative(self) -> float:
        return self.bad + self.ugly

    @property
    def polarity(self) -> str:
        """The most likely of positive, neutral and negative (bad and ugly together)."""
        best = max(self.good, self.neutral, self.negative)
        if best == self.negative:
            return "negative"
        return "positive" if best == self.good else "neutral"


class TextModel:
    """The trained weights, and the dot products that turn a text's features into buckets."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        if data.get("format") != FORMAT or tuple(data["classes"]) != CLASSES:
            raise ValueError(f"not a tagger model of format {FORMAT} with classes {CLASSES}")
        if tuple(data["dense_names"]) != DENSE:
            raise ValueError("the model's dense features are not this code's: retrain it")
        self.version: str = data["version"]
        self.bias: tuple[float, ...] = tuple(data["bias"])
        self.dense: tuple[tuple[float, ...], ...] = tuple(tuple(w) for w in data["dense"])
        self.weights: dict[Term, tuple[float, ...]] = {
            term_from_name(name): tuple(w) for name, w in data["terms"].items()
        }
        self.info: dict[str, Any] = dict(data.get("info", {}))
        # The compound's bins are one-hot: fold the bin's weights into the bias, once.
        bins = len(DENSE) - len(COMPOUND_BINS) - 1
        self._continuous = tuple(self.dense[:bins])
        self._by_bin = tuple(
            tuple(b + w for b, w in zip(self.bias, self.dense[bins + i], strict=True))
            for i in range(len(COMPOUND_BINS) + 1)
        )

    @classmethod
    def load(cls, path: Path | None = None) -> TextModel:
        """The shipped model, or the one at `path` (a `.json.gz` written by `save`)."""
        if path is None:
            raw = resources.files("ticker").joinpath(MODEL_FILE).read_bytes()
        else:
            raw = path.read_bytes()
        return cls(json.loads(gzip.decompress(raw)))

    def logits(self, scores: Mapping[str, float], words: Sequence[str]) -> list[float]:
        """The four classes' scores before the softmax: `dense_features` · weights + terms."""
        c = scores["compound"]
        row = self._by_bin[bisect_right(COMPOUND_BINS, c)]  # the bias plus the bin's weights
        wc, wp, wn, wu, ws = self._continuous  # DENSE's order: compound, pos, neg, neu, c|c|
        pos, neg, neu, square = scores["pos"], scores["neg"], scores["neu"], c * abs(c)
        z = [
            row[k] + c * wc[k] + pos * wp[k] + neg * wn[k] + neu * wu[k] + square * ws[k]
            for k in range(len(CLASSES))
        ]
        found = [w for w in map(self.weights.get, terms(words)) if w is not None]
        for k, column in enumerate(zip(*found, strict=True)):
            z[k] += math.fsum(column)  # exact, so the order of the terms cannot matter
        return z

    def probabilities(self, scores: Mapping[str, float], words: Sequence[str]) -> Probabilities:
        """The probability of each bucket for a text with these VADER scores and words."""
        z = self.logits(scores, words)
        top = max(z)
        e = [math.exp(v - top) for v in z]
        total = sum(e)
        return Probabilities(e[0] / total, e[1] / total, e[2] / total, e[3] / total)


def save(
    path: Path,
    bias: Sequence[float],
    dense: Sequence[Sequence[float]],
    weights: Mapping[Term, Sequence[float]],
    info: Mapping[str, Any],
    digits: int = 4,
) -> str:
    """Write a model file that `TextModel.load` reads; returns its version.

    The version is a digest of the weights, so the same training gives the same file and the
    same version, and any retraining that changes a weight changes the version stored in tags.
    """

    def rounded(ws: Sequence[float]) -> list[float]:
        return [round(float(w), digits) for w in ws]

    body = {
        "format": FORMAT,
        "classes": list(CLASSES),
        "dense_names": list(DENSE),
        "bias": rounded(bias),
        "dense": [rounded(w) for w in dense],
        "terms": dict(sorted((term_name(t), rounded(w)) for t, w in weights.items())),
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]
    version = f"lr{FORMAT}-{digest}"
    text = json.dumps({"version": version, **body, "info": dict(info)}, separators=(",", ":"))
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return version
