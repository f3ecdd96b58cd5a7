"""Outlets from the config file: schedules, clear errors, the URL only from the environment,
and what the store keeps of each (health, one digest per run, the instant cursor)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, add
from ticker import outlets
from ticker.outlets import Outlet, Schedule, load_outlets
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings, SettingsError
from ticker.store import Store

CONFIG = """
db = "x.db"

[outlets.cx-slack]
kind = "slack"
feed = "all"
url_env = "VOC_SLACK_CX"
digest = "daily 09:00"
instant_ugly = true
timezone = "Europe/Paris"

[outlets.teams-weekly]
kind = "teams"
url_env = "VOC_TEAMS_CX"
digest = "Weekly MON 08:30"
examples = 5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "voc-ticker.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_outlets_are_read_from_the_config_and_settings_ignore_them(tmp_path: Path) -> None:
    """Each [outlets.NAME] becomes an Outlet; the settings loader leaves those tables alone."""
    path = write(tmp_path, CONFIG)
    found = load_outlets(path)
    assert found["cx-slack"] == Outlet(
        "cx-slack", "slack", "VOC_SLACK_CX", "all", Schedule(None, 9, 0), True, "Europe/Paris"
    )
    weekly = found["teams-weekly"]
    assert (str(weekly.digest), weekly.digest and weekly.digest.days) == ("weekly mon 08:30", 7)
    assert (weekly.feed, weekly.timezone, weekly.examples, weekly.instant_ugly) == (
        "all",
        "UTC",
        5,
        False,
    )
    assert Settings.load(path, env={}).db == Path("x.db")
    assert load_outlets(None) == {}


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ('kind = "discord"\nurl_env = "X"\ndigest = "daily 09:00"', 'kind must be "slack" or'),
        ('kind = "slack"\nurl = "https://hooks.slack.com/x"', "unknown key(s) ['url']"),
        ('kind = "slack"\ndigest = "daily 09:00"', "url_env must name the environment variable"),
        ('kind = "slack"\nurl_env = "X"', "give it a digest"),
        ('kind = "slack"\nurl_env = "X"\ndigest = "hourly"', 'digest must be "daily HH:MM"'),
        ('kind = "slack"\nurl_env = "X"\ndigest = "daily 25:00"', "is not a time of day"),
        ('kind = "slack"\nurl_env = "X"\ndigest = "weekly someday 09:00"', "DAY: mon"),
        (
            'kind = "slack"\nurl_env = "X"\ndigest = "daily 09:00"\ntimezone = "Mars/Base"',
            "time zone",
        ),
        ('kind = "teams"\nurl_env = "X"\ninstant_ugly = "yes"', "instant_ugly must be true"),
        ('kind = "teams"\nurl_env = "X"\ninstant_ugly = true\nfeed = "No Such"', "feed must be"),
        ('kind = "teams"\nurl_env = "X"\ninstant_ugly = true\nexamples = 99', "from 0 to 10"),
    ],
)
def test_a_bad_outlet_names_its_fix(tmp_path: Path, table: str, said: str) -> None:
    """Every mistake is a SettingsError that names the outlet and what to change."""
    path = write(tmp_path, f"[outlets.broken]\n{table}\n")
    with pytest.raises(SettingsError) as caught:
        load_outlets(path)
    assert "[outlets.broken]" in str(caught.value) and said in str(caught.value)


def test_the_url_comes_only_from_the_environment() -> None:
    """An unset variable or one that is no URL says which variable; a URL is used as is."""
    o = Outlet("o", "slack", "VOC_SLACK_CX", digest=Schedule(None, 9, 0))
    with pytest.raises(SettingsError, match="VOC_SLACK_CX is not set"):
        o.url({})
    with pytest.raises(SettingsError, match="VOC_SLACK_CX is not an https:// URL"):
        o.url({"VOC_SLACK_CX": "hooks.slack.com/services/x"})
    assert o.url({"VOC_SLACK_CX": "https://hooks.slack.com/s/x "}) == "https://hooks.slack.com/s/x"


def test_health_follows_what_the_store_kept(store: Store) -> None:
    """Waiting, healthy, failing with its error, retrying with a next attempt, misconfigured."""
    configured = {
        "a": Outlet("a", "slack", "A", digest=Schedule(0, 9, 0)),
        "b": Outlet("b", "teams", "B", instant_ugly=True),
    }
    env = {"A": "https://a.example/hook", "B": "https://b.example/hook"}

    def status() -> dict[str, str]:
        rows = outlets.health(configured, outlets.states(store), env, {"a": "2030-01-07T08:00"})
        return {r["name"]: r["status"] for r in rows}

    assert status() == {"a": "waiting", "b": "waiting"}
    outlets.sent(store, "a")
    outlets.failed(store, "b", "Teams answered 404: WorkflowNotFound", 60)
    assert status() == {"a": "healthy", "b": "retrying"}
    outlets.failed(store, "a", "Slack answered 500: internal_error", None)
    rows = outlets.health(configured, outlets.states(store), {}, {"a": "2030-01-07T08:00"})
    assert [r["status"] for r in rows] == ["misconfigured", "misconfigured"]
    assert rows[0]["last_error"] == "environment variable A is not set"
    rows = outlets.health(configured, outlets.states(store), env, {}, feeds={"support"})
    assert rows[0]["last_error"] == "no feed named 'all': define it, or change the feed"
    rows = outlets.health(configured, outlets.states(store), env, {"a": "2030-01-07T08:00"})
    assert (rows[0]["status"], rows[0]["failures"], rows[0]["next_digest"]) == (
        "failing",
        1,
        "2030-01-07T08:00",
    )
    assert rows[1]["last_error"] == "Teams answered 404: WorkflowNotFound"


def test_a_digest_is_claimed_once_per_run(store: Store, settings: Settings) -> None:
    """Two processes on one schedule: only the first claim of a run wins; the next run is new."""
    other = Store(settings.db)
    try:
        assert outlets.claim_digest(store, "a", "2030-01-07T08:00:00+00:00")
        assert not outlets.claim_digest(other, "a", "2030-01-07T08:00:00+00:00")
        assert outlets.claim_digest(other, "a", "2030-01-08T08:00:00+00:00")
    finally:
        other.close()


def test_the_cursor_starts_now_and_moves_only_from_where_it_is(
    store: Store, tagger: Tagger
) -> None:
    """A new outlet does not post the store's history; a stale move (another process's) fails."""
    add(store, tagger, Verbatim("s", "Worst service ever, rude and useless", "u1", 1, "csat5"))
    start = outlets.cursor(store, "o")
    assert start[0] == store.total() and outlets.cursor(store, "o") == start
    assert outlets.advance(store, "o", start, (start[0] + 1, start[1]))
    assert not outlets.advance(store, "o", start, (start[0] + 2, start[1]))
    assert outlets.cursor(store, "o") == (start[0] + 1, start[1])


def test_the_example_config_has_an_outlet_of_each_kind() -> None:
    """voc-ticker.example.toml's outlets load: one Slack, one Teams."""
    found = load_outlets(ROOT / "voc-ticker.example.toml")
    assert sorted(o.kind for o in found.values()) == ["slack", "teams"]
    assert str(found["leadership-teams"].digest) == "weekly mon 08:30"
