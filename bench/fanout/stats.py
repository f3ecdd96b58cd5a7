"""Figures pooled from many clients: nearest-rank percentiles, differences, merged tallies."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile: a value some client actually saw, never an interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def delta(after: float | None, before: float | None, scale: float = 1.0) -> float | None:
    """after - before (scaled, rounded), or None if either is unknown."""
    return None if after is None or before is None else round((after - before) * scale, 3)


def merge_counts(answers: Iterable[Mapping[str, Any]], key: str) -> dict[str, int]:
    """One tally from every load process's tally under `key` (errors, close codes)."""
    return dict(sum((Counter(a[key]) for a in answers), Counter[str]()))
