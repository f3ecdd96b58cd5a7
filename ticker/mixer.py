"""The mixer: a feed's playlist from its candidates under a mix policy.

Never a wall of praise, never a wall of rage: each bucket gets its share of the playlist (capped
by supply, the rest filled from the others), spread evenly by smooth weighted round robin so the
shares hold over any window, freshest first within a bucket, no repeats, and never two `spaced`
buckets (ugly, by default) in a row, including across the wrap from the last item to the first.
Floors come before shares; a cap on ugly per hour of screen time comes after both (not below
the ugly floor).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from ticker.feeds import MixPolicy
from ticker.records import Stored


def quotas(supply: dict[str, int], policy: MixPolicy) -> dict[str, int]:
    """How many of each bucket the playlist takes: its floor first, then shares of the size,
    capped by supply.

    What a capped bucket cannot use goes to the others in proportion to their shares; buckets
    without a share (a feed that also shows `neutral`) get only what is left after that.
    """
    size = min(policy.size, sum(supply.values()))
    taken = {b: min(policy.floors.get(b, 0), n) for b, n in supply.items()}
    while sum(taken.values()) > size:  # floors beyond the room pins left: trim the largest
        taken[max(taken, key=lambda b: (taken[b], b))] -= 1
    for weighted in (True, False):
        while (left := size - sum(taken.values())) > 0:
            weights = {
                b: policy.shares.get(b, 0.0) if weighted else 1.0
                for b in supply
                if taken[b] < supply[b] and (policy.shares.get(b, 0.0) > 0 or not weighted)
            }
            if not weights:
                break
            total = sum(weights.values())
            exact = {b: left * w / total for b, w in weights.items()}
            grant = {b: min(supply[b] - taken[b], int(x)) for b, x in exact.items()}
            spare = left - sum(grant.values())
            for b in sorted(exact, key=lambda b: exact[b] - int(exact[b]), reverse=True):
                if spare and taken[b] + grant[b] < supply[b]:  # largest remainders first
                    grant[b] += 1
                    spare -= 1
            for b, n in grant.items():
                taken[b] += n
    _separable(taken, supply, policy)
    return {b: n for b, n in taken.items() if n}


def _separable(taken: dict[str, int], supply: dict[str, int], policy: MixPolicy) -> None:
    """Trade spaced comments for others while the others cannot go between them all (the
    spacing would drop the excess, a floor of ugly with it) and there are others to take."""
    spaced = [b for b in taken if b in policy.spaced]
    while sum(taken[b] for b in spaced) > sum(n for b, n in taken.items() if b not in spaced):
        others = [b for b in supply if b not in policy.spaced and taken.get(b, 0) < supply[b]]
        if not others or not spaced:
            return
        given = max(others, key=lambda b: (policy.shares.get(b, 0.0), supply[b] - taken[b], b))
        give = max(spaced, key=lambda b: (taken[b] - policy.floors.get(b, 0), taken[b], b))
        taken[give] -= 1
        taken[given] = taken.get(given, 0) + 1


def build_playlist(
    candidates: Sequence[Stored],
    policy: MixPolicy,
    seconds: Callable[[Stored], float] | None = None,
) -> list[Stored]:
    """Pinned first, then the mix; candidates arrive freshest first within each bucket.

    With `policy.ugly_per_hour` and `seconds` (each comment's time on screen, ticker/pacing.py)
    the playlist holds no more ugly than the cap allows in the screen time of one cycle (never
    fewer than their floor, never a pin dropped), the room they leave going to the others.
    """
    playlist = _mixed(candidates, policy, None)
    if seconds is None or policy.ugly_per_hour is None:
        return playlist
    while True:
        allowed = ugly_allowed(policy, sum(map(seconds, playlist)), len(playlist))
        ugly = _count(playlist, "ugly")
        if ugly <= allowed:
            return playlist
        fewer = _mixed(candidates, policy, allowed)
        if _count(fewer, "ugly") >= ugly:  # only pins are left over the cap
            return playlist
        playlist = fewer


def ugly_allowed(policy: MixPolicy, cycle: float, size: int) -> int:
    """How many ugly comments a playlist whose one cycle takes `cycle` seconds of screen time
    may hold under the cap per hour (`size`, all of them, without a cap); never below their
    floor, so that a floor stays a promise."""
    if policy.ugly_per_hour is None:
        return size
    return max(policy.floors.get("ugly", 0), math.floor(policy.ugly_per_hour * cycle / 3600))


def _count(playlist: Sequence[Stored], bucket: str) -> int:
    return sum(1 for s in playlist if s.bucket == bucket)


def _mixed(candidates: Sequence[Stored], policy: MixPolicy, ugly: int | None) -> list[Stored]:
    """The playlist, with at most `ugly` ugly comments (pins included) when that is given."""
    seen: set[str] = set()
    pinned: list[Stored] = []
    pools: dict[str, list[Stored]] = {}
    for c in candidates:
        if c.id in seen:
            continue
        seen.add(c.id)
        if c.pinned:
            pinned.append(c)
        else:
            pools.setdefault(c.bucket, []).append(c)
    pinned = pinned[: policy.size]
    if ugly is not None and "ugly" in pools:
        pools["ugly"] = pools["ugly"][: max(0, ugly - _count(pinned, "ugly"))]
    floors = {b: max(0, n - _count(pinned, b)) for b, n in policy.floors.items()}
    room = replace(policy, size=policy.size - len(pinned), floors=floors)
    want = quotas({b: len(p) for b, p in pools.items()}, room)
    order = _interleave(want, policy.spaced, last=pinned[-1].bucket if pinned else None)
    cursor = dict.fromkeys(pools, 0)
    mixed = []
    for bucket in order:
        mixed.append(pools[bucket][cursor[bucket]])
        cursor[bucket] += 1
    playlist = pinned + mixed
    while (
        len(playlist) > 1
        and not playlist[-1].pinned  # a curator's pin is never dropped
        and {playlist[0].bucket, playlist[-1].bucket} <= set(policy.spaced)
    ):
        playlist.pop()  # the widget cycles: the last item is followed by the first
    return playlist


def _interleave(want: dict[str, int], spaced: Sequence[str], last: str | None) -> list[str]:
    """Smooth weighted round robin over the quotas, never a spaced bucket after another.

    When spaced items are as many as the rest they are the constraint: each goes as soon as it may,
    which alternates them with the others and fits the most of them.
    """
    total = sum(want.values())
    left = dict(want)
    credit = dict.fromkeys(want, 0)
    order: list[str] = []
    for _ in range(total):
        for b in left:
            credit[b] += want[b]
        allowed = [b for b in left if left[b] and not (b in spaced and last in spaced)]
        if not allowed:
            break  # only spaced buckets remain: stop rather than put two in a row
        crowded = sum(left.get(b, 0) for b in spaced) >= sum(
            n for b, n in left.items() if b not in spaced
        )
        urgent = [b for b in allowed if b in spaced] if crowded else []
        pick = max(urgent or allowed, key=lambda b: (credit[b], want[b], b))
        credit[pick] -= total
        left[pick] -= 1
        order.append(pick)
        last = pick
    return order
