"""The mixer: shares over any window, supply caps, spacing, freshness, pins (property-based)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ticker.feeds import MixPolicy
from ticker.mixer import build_playlist, quotas
from ticker.records import Stored

SHARES = {"good": 0.5, "bad": 0.35, "ugly": 0.15}


def stored(i: int, bucket: str, pinned: bool = False, given_at: str | None = None) -> Stored:
    return Stored(
        id=f"{bucket}-{i}",
        source="s",
        text=f"{bucket} {i}",
        shown_text=f"{bucket} {i}",
        score=None,
        scale=None,
        given_at=given_at,
        meta={},
        bucket=bucket,
        compound=0.0,
        state="approved",  # type: ignore[arg-type]
        pinned=pinned,
        ingested_at="2026-01-01T00:00:00+00:00",
    )


def pool(good: int, bad: int, ugly: int) -> list[Stored]:
    return [
        stored(i, b) for b, n in (("good", good), ("bad", bad), ("ugly", ugly)) for i in range(n)
    ]


supplies = st.integers(0, 80)


@settings(max_examples=1000, deadline=None)
@given(supplies, supplies, supplies, st.integers(1, 120))
def test_no_repeats_and_size_capped_by_supply(g: int, b: int, u: int, size: int) -> None:
    """A playlist never repeats an item and is as long as size and supply allow."""
    playlist = build_playlist(pool(g, b, u), MixPolicy(SHARES, size))
    ids = [s.id for s in playlist]
    assert len(ids) == len(set(ids))
    fits = max(2 * (g + b), 1 if u else 0)  # ugly alternate with the rest, the wrap included
    assert len(playlist) == min(size, g + b + u, fits)


@settings(max_examples=1000, deadline=None)
@given(supplies, supplies, supplies, st.integers(2, 120))
def test_never_two_ugly_in_a_row_even_across_the_wrap(g: int, b: int, u: int, size: int) -> None:
    """The widget cycles, so the last and first items are neighbours too."""
    playlist = build_playlist(pool(g, b, u), MixPolicy(SHARES, size))
    buckets = [s.bucket for s in playlist]
    pairs = list(zip(buckets, buckets[1:] + buckets[:1], strict=True)) if len(buckets) > 1 else []
    assert ("ugly", "ugly") not in pairs


@settings(max_examples=200, deadline=None)
@given(st.integers(20, 120), st.integers(4, 40))
def test_shares_hold_over_any_window_when_supply_allows(size: int, window: int) -> None:
    """With enough of everything, every window holds each bucket's share within two items."""
    playlist = build_playlist(pool(200, 200, 200), MixPolicy(SHARES, size))
    buckets = [s.bucket for s in playlist]
    assert len(buckets) == size
    for start in range(0, max(1, size - window + 1)):
        counts = Counter(buckets[start : start + window])
        n = len(buckets[start : start + window])
        for bucket, share in SHARES.items():
            assert abs(counts[bucket] - share * n) <= 2, (bucket, start, buckets)


@given(supplies, supplies, st.integers(1, 120))
def test_an_empty_bucket_is_filled_from_the_others(g: int, b: int, size: int) -> None:
    """With no ugly comments the playlist is still full, from good and bad by their shares."""
    playlist = build_playlist(pool(g, b, 0), MixPolicy(SHARES, size))
    assert len(playlist) == min(size, g + b)


def test_bad_and_ugly_are_present_whenever_they_exist() -> None:
    """Never a wall of praise: one bad and one ugly among a thousand good still show."""
    playlist = build_playlist(pool(1000, 1, 1), MixPolicy(SHARES, 20))
    assert {"bad", "ugly"} <= {s.bucket for s in playlist}


def test_quotas_follow_shares_and_supply() -> None:
    """Shares of the size, capped by supply, the remainder to the others."""
    assert quotas({"good": 100, "bad": 100, "ugly": 100}, MixPolicy(SHARES, 60)) == {
        "good": 30,
        "bad": 21,
        "ugly": 9,
    }
    assert quotas({"good": 100, "bad": 2, "ugly": 1}, MixPolicy(SHARES, 20)) == {
        "good": 17,
        "bad": 2,
        "ugly": 1,
    }


def test_unshared_buckets_fill_only_what_is_left() -> None:
    """A feed that also shows neutral gets neutral only when the shared buckets run out."""
    assert quotas({"good": 50, "neutral": 50}, MixPolicy(SHARES, 10)) == {"good": 10}
    assert quotas({"good": 3, "neutral": 50}, MixPolicy(SHARES, 10)) == {"good": 3, "neutral": 7}


def test_fresher_first_within_a_bucket() -> None:
    """Candidates arrive freshest first; the playlist keeps that order within a bucket."""
    items = [stored(i, "good") for i in range(5)]
    playlist = build_playlist(items, MixPolicy(SHARES, 3))
    assert [s.id for s in playlist] == ["good-0", "good-1", "good-2"]


def test_pinned_items_come_first() -> None:
    """A pinned comment leads the playlist whatever its bucket."""
    items = [*pool(10, 10, 10), stored(99, "bad", pinned=True)]
    assert build_playlist(items, MixPolicy(SHARES, 10))[0].id == "bad-99"


def test_pinned_comments_are_never_dropped() -> None:
    """Two pinned ugly comments both stay, even where spacing would drop the last."""
    items = [stored(1, "ugly", pinned=True), stored(2, "ugly", pinned=True)]
    assert {s.id for s in build_playlist(items, MixPolicy(SHARES, 10))} == {"ugly-1", "ugly-2"}


def test_an_ugly_floor_takes_the_others_it_needs_between() -> None:
    """Four ugly promised, four bad to go between them: the playlist takes all four bad (it
    took three, the rest of the room going to ugly that the spacing then dropped, the floor
    with them; found by the property test below)."""
    policy = MixPolicy({"good": 1.0}, 10, floors={"ugly": 4})
    playlist = build_playlist(pool(0, 4, 7), policy)
    assert Counter(s.bucket for s in playlist) == {"ugly": 4, "bad": 4}
    assert quotas({"bad": 4, "ugly": 7}, policy) == {"bad": 4, "ugly": 6}


@settings(max_examples=100, deadline=None)
@given(supplies, supplies, supplies, st.integers(0, 5), st.integers(0, 5), st.integers(10, 60))
def test_floors_hold_whenever_the_comments_exist(
    g: int, b: int, u: int, bad: int, ugly: int, size: int
) -> None:
    """At least the floor of a bucket when there are that many, whatever its share."""
    policy = MixPolicy({"good": 1.0}, size, floors={"bad": bad, "ugly": ugly})
    counts = Counter(s.bucket for s in build_playlist(pool(g, b, u), policy))
    assert counts["bad"] >= min(bad, b)
    if g + b >= ugly:  # spacing needs a comment between two ugly ones
        assert counts["ugly"] >= min(ugly, u)


def ten_seconds(s: Stored) -> float:
    return 10.0


def test_the_ugly_cap_counts_one_cycles_screen_time() -> None:
    """60 comments of 10 s are a 10-minute loop: 12 ugly an hour allow 2 in it, not 9."""
    policy = MixPolicy(SHARES, 60, ugly_per_hour=12)
    playlist = build_playlist(pool(100, 100, 100), policy, ten_seconds)
    assert len(playlist) == 60
    assert Counter(s.bucket for s in playlist)["ugly"] == 2
    assert Counter(s.bucket for s in build_playlist(pool(100, 100, 100), policy))["ugly"] == 9


def test_the_ugly_cap_never_takes_them_below_their_floor_or_drops_a_pin() -> None:
    """A floor is a promise and a pin a curator's choice: the cap yields to both."""
    floored = MixPolicy(SHARES, 60, floors={"ugly": 4}, ugly_per_hour=0)
    assert (
        Counter(s.bucket for s in build_playlist(pool(100, 100, 100), floored, ten_seconds))["ugly"]
        == 4
    )
    pinned = [*pool(100, 100, 100), stored(500, "ugly", pinned=True)]
    capped = build_playlist(pinned, MixPolicy(SHARES, 60, ugly_per_hour=0), ten_seconds)
    assert [s.id for s in capped if s.bucket == "ugly"] == ["ugly-500"]
