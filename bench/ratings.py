"""The four sets of sentences rated by people, and the split that is never trained on.

../shared/data/sentiment/ (see ../shared/data/README.md) holds Amazon review snippets, tweets,
movie review snippets and New York Times opinion snippets, each rated -4..+4 by 10 to 20 people;
the files give the mean. Every sentence is in the held-out fifth or not by a digest of its set and
id, so the split is the same on every machine and for every run, and a sentence added to a file
later does not move the others. `bench/train_tagger.py` trains on the rest (choosing its settings
on a validation fifth of it); `bench/sentiment.py` reports on the held-out fifth only.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ticker.records import Bucket

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "sentiment"
SETS: dict[str, str] = {
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "tweets": "tweets_GroundTruth.txt",
    "movies": "movieReviewSnippets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}
FOLDS = 5  # one fifth held out, one fifth of the rest for validation
Part = Literal["train", "validation", "test"]

# Gold mapping of the human mean (-4..+4). A mean of 10-20 raters is pulled toward 0, so one
# point from neutral is already a clear lean; ugly (<= -2) is the harshest third of negatives.
GOLD_GOOD = 1.0
GOLD_BAD = -1.0
GOLD_UGLY = -2.0


@dataclass(frozen=True)
class Rated:
    """One rated sentence."""

    set: str
    id: str
    mean: float
    text: str

    @property
    def part(self) -> Part:
        """Which part of the split the sentence is in: never changes for a (set, id)."""
        fold = int(hashlib.sha256(f"{self.set}:{self.id}".encode()).hexdigest()[:8], 16) % FOLDS
        return "test" if fold == 0 else "validation" if fold == 1 else "train"


def read(path: Path, name: str) -> list[Rated]:
    """`id<TAB>mean<TAB>text` lines; CRLF, no header, HTML entities (`&amp;`) decoded."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            ident, mean, text = line.split("\t", 2)
            found.append(Rated(name, ident, float(mean), html.unescape(text)))
    return found


def load(folder: Path = DATA, sets: tuple[str, ...] = tuple(SETS)) -> list[Rated]:
    """Every sentence of the named sets, in file order."""
    missing = [SETS[s] for s in sets if not (folder / SETS[s]).is_file()]
    if missing:
        raise SystemExit(f"no ground-truth file {', '.join(missing)} in {folder} (pass --data DIR)")
    return [r for s in sets for r in read(folder / SETS[s], s)]


def gold_bucket(mean: float, ugly_cut: float = GOLD_UGLY) -> Bucket:
    """The bucket people put a sentence in, from the mean of their -4..+4 ratings."""
    if mean <= ugly_cut:
        return "ugly"
    if mean <= GOLD_BAD:
        return "bad"
    if mean >= GOLD_GOOD:
        return "good"
    return "neutral"
