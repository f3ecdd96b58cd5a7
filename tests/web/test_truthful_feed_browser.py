"""Issue 10's whole story in one run: a feed built for a lobby screen, its honesty meter, a
rule holding refunds, a "you said, we did" note, and a registered /display screen in the cards
layout that shows the note after the comment it answers (the README's screenshot)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser

from tests.conftest import UNIT, Running, add, serving, token_for
from tests.web.conftest import SHOTS
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.settings import Settings
from ticker.store import Store

pytestmark = pytest.mark.browser
WIDGET = "document.querySelector('voc-ticker')"
LATE = Verbatim("support", "Parcels came without warning, nobody was home", "b1", 2, "csat5")
COMMENTS = [
    Verbatim("support", "The engineer was brilliant and fixed it in minutes", "g1", 5, "csat5"),
    LATE,
    Verbatim("support", "Three weeks and still no answer. Useless.", "u1", 1, "csat5"),
    Verbatim("support", "Friendly staff at the counter, quick too", "g2", 4, "csat5"),
]
LOBBY = {
    "name": "lobby",
    "title": "Lobby: what customers said this month",
    "filter": {"sources": ["support"], "max_age_days": 30},
    "mix": {"shares": {"good": 0.5, "bad": 0.3, "ugly": 0.2}, "size": 20},
    "display": {"layout": "cards", "theme": "dark", "pacing": "fixed", "dwell_seconds": 60},
    "access": "token",
}


@pytest.fixture
def server(settings: Settings, store: Store, tagger: Tagger) -> Iterator[Running]:
    add(store, tagger, *COMMENTS)
    with serving(settings) as running:
        yield running


def test_a_feed_its_meter_a_rule_and_a_note_on_a_registered_screen(
    server: Running, store: Store, tagger: Tagger, browser: Browser
) -> None:
    admin = {"Authorization": f"Bearer {token_for(store, 'cx@example.com', 'admin')}"}
    api = httpx.Client(base_url=server.http, headers=admin, timeout=30 * UNIT)
    try:
        saved = api.put("/api/v1/feeds/lobby", json=LOBBY)
        assert saved.status_code == 200, saved.text
        mix = api.get("/api/v1/feeds/lobby/mix").json()
        assert mix["praise_wall"] is False and mix["shown"]["ugly"] == 1

        rule = {
            "name": "Refunds to finance",
            "action": "hold",
            "reason": "finance answers refunds",
            "conditions": [{"kind": "words", "values": ["refund"]}],
        }
        assert api.post("/api/v1/rules", json=rule).status_code == 201
        [held] = add(store, tagger, Verbatim("support", "Where is my refund?", "r1", 1, "csat5"))
        assert store.get(held).state == "pending"
        assert any(e["actor"] == "rule:Refunds to finance" for e in store.curation_log(held))

        note = {
            "you_said": "parcels came without warning.",
            "we_did": "an SMS an hour before delivery, since March.",
            "owner": "Logistics",
            "status": "done",
            "due": "2026-03-01",
            "comments": [LATE.key],
        }
        assert api.post("/api/v1/actions", json=note).status_code == 201

        tv = browser.new_context(viewport={"width": 1920, "height": 1080}, service_workers="block")
        try:
            screen = tv.new_page()
            screen.goto(f"{server.pages}/screen")  # an edge's, where there are edges
            screen.wait_for_function(
                "() => /-/.test(document.querySelector('[data-voc-screen-code]').textContent)",
                timeout=10_000 * UNIT,
            )
            code = screen.locator("[data-voc-screen-code]").text_content() or ""
            body = {
                "code": code,
                "name": "Lobby TV",
                "location": "Berlin, floor 1",
                "feed": "lobby",
            }
            assert api.post("/api/v1/screens", json=body).status_code == 201
            screen.wait_for_url("**/display/lobby?token=*", timeout=15_000 * UNIT)
            shown = f"{WIDGET}?.shadowRoot"
            screen.wait_for_function(
                f"() => {shown}?.querySelector('.b-action, [data-bucket=action]')",
                timeout=15_000 * UNIT,
            )
            order = screen.evaluate(
                f"[...{shown}.querySelectorAll('[data-id]')].map(e => e.dataset.id)"
            )
            assert order.index("action-1") == order.index(LATE.key) + 1
            assert held not in order  # held by the rule: not on screens
            screen.screenshot(path=str(SHOTS / "display-cards-action.png"))
        finally:
            tv.close()
    finally:
        api.close()
