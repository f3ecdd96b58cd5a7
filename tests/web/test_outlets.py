"""Slack and Teams outlets on a real server against local fake Slack and Teams webhooks:
digests arrive with the right counts and only what screens show, an ugly comment is posted
once (a restart neither repeats nor skips it), 429 waits, a 5xx is retried, a 404 and a
timeout show in the API, and a bad config stops the server with a clear message."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import UNIT, Running, add, serving, token_for
from tests.fakes.api import running
from tests.fakes.slack import FakeSlack
from tests.fakes.teams import FakeTeams
from ticker import curation, outlets
from ticker.judge import Judge
from ticker.outlets import Outlet, Schedule
from ticker.records import Verbatim
from ticker.redact import Redactor
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store
from voc.cli import main
from web.courier import Courier, Undelivered

DAILY = Schedule(None, 9, 0)
SAID = [
    Verbatim("s", "Brilliant service, thank you so much", "g1", 5, "csat5"),
    Verbatim("s", "Great <script>alert(1)</script> app, works well", "g2", 5, "csat5"),
    Verbatim("s", "Late again and nobody called me back", "b1", 2, "csat5"),
    Verbatim("s", "Hidden remark, slow and late delivery", "b2", 2, "csat5"),
    Verbatim("s", "Worst company ever, useless and rude", "u1", 1, "csat5"),
]


SLACK, TEAMS = "VOC_TEST_SLACK", "VOC_TEST_TEAMS"
CONFIGURED = {
    o.name: o
    for o in (
        Outlet("cx-slack", "slack", SLACK, digest=DAILY),
        Outlet("cx-teams", "teams", TEAMS, digest=DAILY, timezone="Europe/Paris"),
        Outlet("teams-retry", "teams", TEAMS, digest=DAILY),
        Outlet("teams-404", "teams", TEAMS, digest=DAILY),
        Outlet("teams-hang", "teams", TEAMS, digest=DAILY),
        Outlet("no-url", "slack", "VOC_TEST_UNSET", digest=DAILY),
    )
}


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeSlack, FakeTeams]]:
    """One fake Slack and one fake Teams for the module, their URLs in the environment."""
    slack, teams = FakeSlack(), FakeTeams()
    with running(slack) as s, running(teams) as t, pytest.MonkeyPatch.context() as env:
        env.setenv(SLACK, s + slack.path)
        env.setenv(TEAMS, t + teams.path)
        yield slack, teams


@pytest.fixture
def slack(fakes: tuple[FakeSlack, FakeTeams]) -> FakeSlack:
    fakes[0].reset()
    return fakes[0]


@pytest.fixture
def teams(fakes: tuple[FakeSlack, FakeTeams]) -> FakeTeams:
    fakes[1].reset()
    return fakes[1]


def quick(settings: Settings) -> Settings:
    """Backoff and polls in hundredths of a second, so failing tests take no time."""
    return replace(
        settings, outlet_retry_seconds=0.05, outlet_timeout_seconds=0.2, outlet_poll_seconds=0.1
    )


@dataclass
class Served:
    server: Running
    store: Store
    admin: httpx.Client


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, tagger: Tagger, fakes: Any
) -> Iterator[Served]:
    """One server for the module, its store stocked, every outlet of CONFIGURED on it."""
    settings = quick(Settings(db=tmp_path_factory.mktemp("outlets") / "voc.db"))
    store = Store(settings.db)
    ids = add(store, tagger, *SAID)
    curation.hide(store, ids[3], "ann@example.com", "rude to staff")
    judge = Judge(tagger, Redactor())
    token = token_for(store, "ann@example.com", "admin")
    try:
        with serving(settings, outlets=CONFIGURED, judge=judge) as server:
            auth = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=server.http, headers=auth) as c:
                yield Served(server, store, c)
    finally:
        store.close()


def until(condition: Callable[[], Any], what: str) -> Any:
    """Wait for `condition` to hold (never a time limit on the behaviour, only a deadline)."""
    deadline = time.monotonic() + 10 * UNIT
    while not (found := condition()):
        assert time.monotonic() < deadline, f"waited in vain for {what}"
        time.sleep(0.02)
    return found


def health(c: httpx.Client, name: str) -> dict[str, Any]:
    rows = c.get("/api/v1/outlets").json()
    return next(r for r in rows if r["name"] == name)


def send(c: httpx.Client, name: str) -> None:
    answer = c.post(f"/api/v1/outlets/{name}/send")
    assert answer.status_code == 202, answer.text


def test_digests_arrive_at_slack_and_teams_with_counts_and_only_shown_text(
    served: Served, slack: FakeSlack, teams: FakeTeams, caplog: pytest.LogCaptureFixture
) -> None:
    """ "Send digest now": each fake gets one message, counts right, no hidden comment, the
    `<script>` comment as text; the API then says healthy; the URL is in no log line."""
    caplog.set_level(logging.INFO)
    c = served.admin
    assert health(c, "cx-slack")["status"] == "waiting"
    send(c, "cx-slack")
    send(c, "cx-teams")
    until(lambda: slack.accepted and teams.accepted, "both digests")
    until(lambda: health(c, "cx-teams")["status"] == "healthy", "the outcome recorded")
    row = health(c, "cx-slack")
    assert (row["status"], row["failures"], row["digest"]) == ("healthy", 0, "daily 09:00")
    assert row["next_digest"] and row["last_sent_at"]
    posted = json.dumps(slack.accepted[0], ensure_ascii=False)
    assert slack.accepted[0]["blocks"][1]["fields"][0]["text"].startswith("*The good*\n2 said")
    assert "*The bad*\\n2 said (40 %) · 25 % on screen" in posted  # the hidden one was said
    assert "Hidden remark" not in posted and "<script>" not in posted
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in posted
    card = json.dumps(teams.accepted[0], ensure_ascii=False)
    assert "Hidden remark" not in card and "Great <script>alert(1)</script> app" in card
    assert '"title": "The ugly", "value": "1 said (20 %) · 25 % on screen"' in card
    assert slack.path not in caplog.text and teams.path not in caplog.text
    assert "outlet cx-slack: sent" in caplog.text


def test_an_ugly_comment_is_posted_once_and_not_again_after_a_restart(
    settings: Settings, store: Store, tagger: Tagger, teams: FakeTeams
) -> None:
    """Each new ugly comment the feed shows is posted once, in order, across a restart."""
    instant = {"ugly": Outlet("ugly", "teams", TEAMS, instant_ugly=True)}
    judge = Judge(tagger, Redactor())
    add(store, tagger, Verbatim("s", "Awful and rude, before any outlet", "old", 1, "csat5"))
    with serving(quick(settings), outlets=instant, judge=judge):
        until(lambda: outlets.states(store).get("ugly", {}).get("after_rowid"), "the first poll")
        add(store, tagger, Verbatim("s", "Appalling, rude and useless staff", "u2", 1, "csat5"))
        add(store, tagger, Verbatim("s", "Lovely, quick and kind", "g9", 5, "csat5"))
        until(lambda: teams.accepted, "the ugly post")
    with serving(quick(settings), outlets=instant, judge=judge):
        add(store, tagger, Verbatim("s", "Terrible, the worst, never again", "u3", 1, "csat5"))
        until(lambda: len(teams.accepted) >= 2, "the next ugly post, after the restart")
    cards = [m["attachments"][0]["content"]["body"] for m in teams.accepted]
    assert [c[0]["inlines"][0]["text"] for c in cards] == ["New ugly comment on All comments"] * 2
    assert [c[1]["items"][0]["inlines"][0]["text"] for c in cards] == [
        "Appalling, rude and useless staff",
        "Terrible, the worst, never again",
    ]


def test_429_waits_its_retry_after_and_a_5xx_is_retried(served: Served, teams: FakeTeams) -> None:
    """Rate limited, then down twice, then up: the digest arrives, a second after the 429."""
    teams.queued.extend([429, 500, 502])
    send(served.admin, "teams-retry")
    until(lambda: teams.accepted, "the digest after retries")
    until(lambda: health(served.admin, "teams-retry")["status"] == "healthy", "healthy again")
    assert len(teams.requests) == 4
    waits = [b - a for a, b in zip(teams.arrived, teams.arrived[1:], strict=False)]
    assert waits[0] >= 0.95 and waits[1] >= 0.05 and waits[2] >= 0.1  # Retry-After: 1, backoff


async def test_backoff_doubles_and_slack_gets_a_message_a_second(
    fakes: tuple[FakeSlack, FakeTeams],
) -> None:
    """Each retry waits twice the last; two messages to one Slack channel go a second apart."""
    slack, teams = fakes
    slack.reset()
    teams.reset()
    courier = Courier(1.0, 0.1, 1.0, intervals={"slack": 1.0, "teams": 0.0})
    try:
        teams.queued.extend([500, 500, 500, 500])
        with pytest.raises(Undelivered, match=r"Teams answered 500: .*gave up after 4 tries"):
            await courier.post(CONFIGURED["teams-404"], {"type": "message", "attachments": []})
        waits = [b - a for a, b in zip(teams.arrived, teams.arrived[1:], strict=False)]
        assert waits[0] >= 0.1 and waits[1] >= 0.2 and waits[2] >= 0.4  # each twice the last
        for text in ("one", "two"):
            await courier.post(CONFIGURED["cx-slack"], {"text": text})
    finally:
        await courier.close()
    assert [m["text"] for m in slack.accepted] == ["one", "two"]
    assert len(slack.requests) == 2 and slack.arrived[1] - slack.arrived[0] >= 0.95


def test_a_404_is_kept_as_the_last_error_and_not_retried(served: Served, teams: FakeTeams) -> None:
    """A deleted Teams workflow: one request, the API says failing and why."""
    teams.queued.append(404)
    send(served.admin, "teams-404")
    row = until(
        lambda: (r := health(served.admin, "teams-404"))["status"] == "failing" and r,
        "the failure",
    )
    assert row["last_error"] == "Teams answered 404: WorkflowNotFound"
    assert row["failures"] == 1 and row["next_attempt_at"] is None and row["last_error_at"]
    assert health(served.admin, "cx-slack")["status"] != "failing"  # the others are untouched
    assert len(teams.requests) == 1 and not teams.accepted


def test_a_webhook_that_hangs_times_out_and_then_recovers(served: Served, teams: FakeTeams) -> None:
    """No answer within the timeout: tried four times, then failing; once it answers, healthy."""
    teams.hang = 0.4
    c = served.admin
    send(c, "teams-hang")
    row = until(lambda: (r := health(c, "teams-hang"))["status"] == "failing" and r, "timeouts")
    assert row["last_error"] == "Teams did not answer within 0.2 s (gave up after 4 tries)"
    assert len(teams.requests) == 4
    teams.hang = 0
    until(lambda: not health(c, "teams-hang")["sending"], "the first send to end")
    send(c, "teams-hang")
    until(lambda: health(c, "teams-hang")["status"] == "healthy", "the recovery")
    assert len(teams.accepted) == 1


def test_a_missing_url_and_unknown_outlets_say_so(served: Served) -> None:
    """No URL in the environment: misconfigured, naming the variable; viewers may not look."""
    row = health(served.admin, "no-url")
    assert row["status"] == "misconfigured"
    assert row["last_error"] == "environment variable VOC_TEST_UNSET is not set"
    missing = served.admin.post("/api/v1/outlets/nope/send")
    assert missing.status_code == 404 and "no outlet named 'nope'" in missing.json()["error"]
    viewer = {"Authorization": f"Bearer {token_for(served.store, 'vi@example.com', 'read')}"}
    assert httpx.get(served.server.http + "/api/v1/outlets", headers=viewer).status_code == 403


def test_a_bad_outlet_in_the_config_stops_serve_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`voc-ticker serve` with a mistyped outlet says which and what to change, exit 1."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text(
        f'db = "{tmp_path / "voc.db"}"\nport = 0\n\n'
        '[outlets.cx]\nkind = "slack"\nurl_env = "VOC_SLACK_CX"\ndigest = "daily at nine"\n',
        encoding="utf-8",
    )
    assert main(["--config", str(config), "serve"]) == 1
    said = capsys.readouterr().err
    assert said.startswith('voc-ticker: [outlets.cx]: digest must be "daily HH:MM"')
