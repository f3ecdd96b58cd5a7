"""Scheduled pulls in the running server: rows arrive on their own; a refused token pauses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.conftest import UNIT, reader, serving, token_for, wait_quietly
from tests.fakes.zendesk import TOKEN, USER, FakeZendesk, rating, running
from ticker.settings import Settings
from ticker.sources import Source
from ticker.store import Store


def scheduled(url: str) -> dict[str, Source]:
    return {"zd": Source("zd", "zendesk", "VOC_TEST_ZD_TOKEN", url=url, user=USER, every=0.3)}


def wait_for(check: object) -> None:
    deadline = time.monotonic() + 10 * UNIT
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.05)


def test_a_scheduled_source_is_pulled_and_keeps_being_pulled(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server pulls at start and on its interval; new ratings show up without a command."""
    monkeypatch.setenv("VOC_TEST_ZD_TOKEN", TOKEN)
    fake = FakeZendesk([rating(1, "good", "Lovely, fast help!")])
    with running(fake) as url, serving(settings, sources=scheduled(url)) as server:
        wait_for(lambda: store.count(source="zd") == 1)
        fake.ratings.append(rating(2, "bad", "Nobody called me back."))
        wait_for(lambda: store.count(source="zd") == 2)
        [row] = httpx.get(f"{server.http}/api/v1/sources", headers=reader(store)).json()
        assert row["status"] == "ok" and row["next_run"]


def test_a_refused_token_pauses_the_source(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """401 once: the source shows `auth failed`, has no next run, and is not asked again."""
    monkeypatch.setenv("VOC_TEST_ZD_TOKEN", "expired")
    fake = FakeZendesk([rating(1)])
    with running(fake) as url, serving(settings, sources=scheduled(url)) as server:
        wait_for(
            lambda: (
                httpx.get(f"{server.http}/api/v1/sources", headers=reader(store)).json()[0][
                    "status"
                ]
                == "auth failed"
            )
        )
        asked = len(fake.requests)
        wait_quietly(1.0)  # three intervals: a retry loop would have asked again
        [row] = httpx.get(f"{server.http}/api/v1/sources", headers=reader(store)).json()
        assert row["next_run"] is None and len(fake.requests) == asked == 1


def test_a_worker_process_pulls_and_stops_cleanly(tmp_path: Path, store: Store) -> None:
    """`voc-ticker worker` pulls at start and on its interval, and exits 0 on SIGTERM."""
    fake = FakeZendesk([rating(1, "good", "Lovely, fast help!")])
    with running(fake) as url:
        config = tmp_path / "voc-ticker.toml"
        config.write_text(
            f'[sources.zd]\nadapter = "zendesk"\nurl = "{url}"\nuser = "{USER}"\n'
            'secret_env = "VOC_TEST_ZD_TOKEN"\nevery = 1\n'
        )
        env = {**os.environ, "VOC_TEST_ZD_TOKEN": TOKEN}
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voc",
                "--config",
                str(config),
                "worker",
                "--db",
                str(store.path),
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(lambda: store.count(source="zd") == 1)
            fake.ratings.append(rating(2, "bad", "Nobody called me back."))
            wait_for(lambda: store.count(source="zd") == 2)
        finally:
            worker.send_signal(signal.SIGTERM)
            _, err = worker.communicate(timeout=10 * UNIT)
    assert worker.returncode == 0, err
    assert TOKEN not in err  # the secret is never logged


def test_servers_leave_the_pulls_to_the_worker_when_told(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pull_in_server = false: the server schedules nothing and asks the platform nothing."""
    monkeypatch.setenv("VOC_TEST_ZD_TOKEN", TOKEN)
    fake = FakeZendesk([rating(1)])
    told = replace(settings, pull_in_server=False)
    with running(fake) as url, serving(told, sources=scheduled(url)) as server:
        wait_quietly(0.5)
        [row] = httpx.get(f"{server.http}/api/v1/sources", headers=reader(store)).json()
        assert fake.requests == [] and row["next_run"] is None


def test_pull_now_from_the_console(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An admin's "pull now" fetches at once; a curator may not; unknown or webhook: 404/422."""
    monkeypatch.setenv("VOC_TEST_ZD_TOKEN", TOKEN)
    fake = FakeZendesk([rating(1, "good", "Lovely, fast help!")])
    sources = {
        "zd": Source("zd", "zendesk", "VOC_TEST_ZD_TOKEN", url="", user=USER),
        "hook": Source("hook", "generic", "VOC_TEST_HOOK_SECRET"),
    }
    admin = {"Authorization": f"Bearer {token_for(store, 'ann@example.com', 'admin')}"}
    curator = {"Authorization": f"Bearer {token_for(store, 'cy@example.com', 'curate')}"}
    with running(fake) as url:
        sources["zd"] = replace(sources["zd"], url=url)
        with serving(settings, sources=sources) as server:
            base = f"{server.http}/api/v1/sources"
            assert httpx.post(f"{base}/zd/pull", headers=curator).status_code == 403
            assert store.count(source="zd") == 0  # not scheduled: nothing until asked
            started = httpx.post(f"{base}/zd/pull", headers=admin)
            assert started.status_code == 202 and started.json()["pulling"] == "zd"
            wait_for(lambda: store.count(source="zd") == 1)
            assert httpx.post(f"{base}/nope/pull", headers=admin).status_code == 404
            hook = httpx.post(f"{base}/hook/pull", headers=admin)
            assert hook.status_code == 422 and "not pulled from an API" in hook.json()["error"]
