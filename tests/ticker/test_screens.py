"""Screens and display tokens: schedules, pairing by code, registration, revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ticker import display_tokens, screens
from ticker.feeds import Feed
from ticker.screens import RevokedKey, ScreenError
from ticker.store import NotFound, Store

KEY = "vocd_" + "k" * 43
OTHER = "vocd_" + "o" * 43
MINE, THEIRS = screens.key_digest(KEY), screens.key_digest(OTHER)  # as the server knows them
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


@pytest.fixture
def feeds(store: Store) -> Store:
    for name in ("lobby", "canteen"):
        store.save_feed(Feed.from_dict({"name": name, "access": "token"}))
    return store


def fields(**more: object) -> dict[str, object]:
    return {"name": "Lobby TV", "location": "Berlin, floor 1", "feed": "lobby", **more}


def test_a_schedule_picks_the_feed_by_weekday_and_local_time(feeds: Store) -> None:
    code = screens.pair(feeds, MINE)
    slots = [
        {"days": WEEKDAYS, "start": "11:30", "end": "14:00", "feed": "canteen"},
        {"days": ["sat"], "start": "00:00", "end": "24:00", "feed": "canteen"},
    ]
    screen = screens.register(
        feeds, code, fields(schedule=slots, timezone="Europe/Berlin"), "cx@example.com"
    )
    monday_noon_berlin = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # 12:00 CET
    assert screen.feed_at(monday_noon_berlin) == "canteen"
    assert screen.feed_at(monday_noon_berlin + timedelta(hours=2)) == "lobby"  # 14:00: ended
    assert screen.feed_at(datetime(2026, 12, 5, 23, 30, tzinfo=UTC)) == "lobby"  # Sunday 00:30
    assert screen.feed_at(datetime(2026, 12, 5, 8, 0, tzinfo=UTC)) == "canteen"  # Saturday


@pytest.mark.parametrize(
    ("slots", "said"),
    [
        (
            [
                {"days": WEEKDAYS, "start": "08:00", "end": "12:00", "feed": "lobby"},
                {"days": ["fri", "sat"], "start": "11:00", "end": "13:00", "feed": "canteen"},
            ],
            "overlap on fri from 11:00",
        ),
        ([{"days": ["mon"], "start": "14:00", "end": "09:00", "feed": "x"}], "not after it"),
        ([{"days": ["monday"], "start": "08:00", "end": "09:00", "feed": "x"}], "days are"),
        ([{"days": ["mon"], "start": "8am", "end": "09:00", "feed": "x"}], "HH:MM"),
        ([{"days": ["mon"], "start": "08:00", "end": "09:00"}], "name the feed"),
        ("mornings", "a list"),
    ],
)
def test_a_bad_schedule_says_what_to_change(slots: object, said: str) -> None:
    with pytest.raises(ScreenError, match=said):
        screens.schedule_of(slots)


def test_slots_that_touch_do_not_overlap() -> None:
    slots = [
        {"days": ["mon"], "start": "08:00", "end": "12:00", "feed": "a"},
        {"days": ["mon"], "start": "12:00", "end": "18:00", "feed": "b"},
    ]
    assert len(screens.schedule_of(slots)) == 2


def test_pairing_keeps_one_code_per_key_and_registration_makes_its_token(feeds: Store) -> None:
    code = screens.pair(feeds, MINE)
    assert screens.pair(feeds, MINE) == code  # a reload shows the same code
    assert screens.pair(feeds, THEIRS) != code
    assert len(code) == screens.CODE_LENGTH
    assert set(code) <= set(screens.CODE_ALPHABET)
    assert screens.paired(feeds, MINE) is None
    typed = f"{code[:3].lower()} - {code[3:].lower()}"
    screen = screens.register(feeds, typed, fields(), "cx@example.com")
    assert screens.paired(feeds, MINE) == screen
    assert screens.waiting_code(feeds, MINE) is None
    token = display_tokens.find(feeds, KEY)
    assert token is not None and token.kind == "screen" and token.covers("lobby")
    assert not token.covers("canteen")
    with pytest.raises(ScreenError, match="registered already"):
        screens.register(feeds, code, fields(), "cx@example.com")
    log = [e["action"] for e in feeds.curation_log()]
    assert "screen registered" in log


def test_a_wrong_code_or_feed_is_refused_and_harms_nothing(feeds: Store) -> None:
    code = screens.pair(feeds, MINE)
    with pytest.raises(ScreenError, match="no screen shows the code"):
        screens.register(feeds, "AAAAAA" if code != "AAAAAA" else "CCCCCC", fields(), "cx")
    with pytest.raises(NotFound, match="nosuch"):
        screens.register(feeds, code, fields(feed="nosuch"), "cx")
    with pytest.raises(ScreenError, match="time zone"):
        screens.register(feeds, code, fields(timezone="Mars/Olympus"), "cx")
    assert screens.listed(feeds) == []
    assert screens.register(feeds, code, fields(), "cx").name == "Lobby TV"


def test_a_changed_schedule_moves_the_token_and_removal_revokes_it(feeds: Store) -> None:
    screen = screens.register(feeds, screens.pair(feeds, MINE), fields(), "cx")
    slot = {"days": ["mon"], "start": "12:00", "end": "13:00", "feed": "canteen"}
    screens.change(feeds, screen.id, fields(schedule=[slot]), "cx")
    token = display_tokens.find(feeds, KEY)
    assert token is not None and token.covers("canteen")
    screens.remove(feeds, screen.id, "cx")
    assert display_tokens.find(feeds, KEY) is None
    assert display_tokens.live(feeds) == {}
    with pytest.raises(RevokedKey):
        screens.pair(feeds, MINE)  # a removed screen makes a new key, then shows a new code


def test_an_embed_token_is_shown_once_and_stored_as_a_digest(feeds: Store) -> None:
    secret, token = display_tokens.add(feeds, "Intranet home", ["lobby"], "cx")
    assert secret.startswith(display_tokens.PREFIX)
    stored = feeds.db.execute("SELECT * FROM display_tokens").fetchall()
    assert all(secret not in str(row) for row in stored)
    assert display_tokens.find(feeds, secret) == token
    assert display_tokens.find(feeds, secret + "x") is None
    with pytest.raises(display_tokens.DisplayTokenError, match="label"):
        display_tokens.add(feeds, "  ", ["lobby"], "cx")
    display_tokens.revoke(feeds, token.id, "cx")
    assert display_tokens.find(feeds, secret) is None


def test_status_tells_online_offline_and_lost() -> None:
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def seen(ago: float | None) -> screens.Screen:
        last = None if ago is None else (at - timedelta(seconds=ago)).isoformat()
        return screens.Screen(
            "s1", "TV", "Lobby", "lobby", (), "UTC", "t1", "cx", "", last, None, None
        )

    assert seen(None).status(at, 65, 10) == "waiting"
    assert seen(30).status(at, 65, 10) == "online"
    assert seen(120).status(at, 65, 10) == "offline"
    assert seen(11 * 60).status(at, 65, 10) == "lost"
