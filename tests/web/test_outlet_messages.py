"""Slack and Teams messages as the platforms check them: Block Kit limits and escaping, an
Adaptive Card that fits 28 KB, customer text that can neither ping nor link."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.slack import FakeSlack
from tests.fakes.teams import FakeTeams
from ticker.digest import Digest
from ticker.honesty import Meter
from web import slack, teams

PARIS = ZoneInfo("Europe/Paris")
HOSTILE = "Hey <!channel> see <https://evil.example|your bill> & [click](https://evil.example)"


def item(n: int, bucket: str, text: str) -> dict[str, Any]:
    return {
        "id": f"id{n}",
        "text": text,
        "bucket": bucket,
        "score": 1 if bucket == "ugly" else 9,
        "scale": "nps",
        "source": "retail",
        "given_at": None,
        "pinned": False,
        "meta": {"store": "Leeds"},
    }


def made(examples: dict[str, list[dict[str, Any]]]) -> Digest:
    until = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)
    counts = {"good": 12, "bad": 5, "ugly": 3}
    meter = Meter("all", 1, {"good": 6, "bad": 3, "ugly": 1}, counts)
    return Digest("all", "All comments", 1, until - timedelta(days=1), until, meter, examples)


def body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def test_slack_digest_passes_block_kit_and_escapes_customer_text() -> None:
    """Counts and mix as fields; a comment's `<!channel>` and links arrive as plain text."""
    d = made({"good": [item(1, "good", "Lovely")], "bad": [], "ugly": [item(2, "ugly", HOSTILE)]})
    payload = slack.digest_message(d, PARIS)
    assert FakeSlack().check(body(payload)) == payload
    text = json.dumps(payload)
    assert "<!channel>" not in text and "<https://" not in text
    assert "&lt;!channel&gt;" in text and "&amp;" in text
    fields = [f["text"] for f in payload["blocks"][1]["fields"]]
    assert fields[0] == "*The good*\n12 said (60 %) · 60 % on screen"
    assert payload["text"] == "All comments, the last day: 20 comments (12 good, 5 bad, 3 ugly)"
    context = payload["blocks"][2]["elements"][0]["text"]
    assert "Sun 06 Jan 09:00 to Mon 07 Jan 09:00 (Europe/Paris)" in context


def test_slack_digest_stays_within_50_blocks_and_3000_characters() -> None:
    """Ten long examples of each bucket still make a message Slack takes."""
    many = {b: [item(i, b, "word " * 900) for i in range(10)] for b in ("good", "bad", "ugly")}
    payload = slack.digest_message(made(many), PARIS)
    assert FakeSlack().check(body(payload)) == payload
    assert len(payload["blocks"]) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in payload["blocks"])


def test_teams_card_shows_customer_text_only_as_text_runs() -> None:
    """Comments go in TextRuns (no Markdown); the card has the schema Teams Workflows takes."""
    d = made({"good": [], "bad": [], "ugly": [item(2, "ugly", HOSTILE)]})
    payload = teams.digest_message(d, PARIS)
    assert FakeTeams().check(body(payload)) == payload
    card = payload["attachments"][0]["content"]
    assert (card["type"], card["version"], payload["attachments"][0]["contentUrl"]) == (
        "AdaptiveCard",
        "1.4",
        None,
    )
    blocks = json.dumps([e for e in card["body"] if e["type"] == "TextBlock"])
    assert "evil.example" not in blocks
    assert HOSTILE in json.dumps(card["body"], ensure_ascii=False)


def test_a_teams_digest_over_28_kb_leaves_examples_out_and_says_so() -> None:
    """Thirty long comments in three-byte characters: some go, the card fits and tells how many."""
    wide = "Très déçu — ça n’a pas marché, vraiment ça ne va pas " * 12
    many = {b: [item(i, b, wide) for i in range(10)] for b in ("good", "bad", "ugly")}
    payload = teams.digest_message(made(many), PARIS)
    assert teams.size(payload) <= teams.MAX_BYTES
    assert FakeTeams().check(body(payload)) == payload
    note = payload["attachments"][0]["content"]["body"][-1]["text"]
    assert note.endswith("comments left out to fit Teams' 28 KB message limit.")
    kept = sum(
        len(c["items"]) == 2
        for c in payload["attachments"][0]["content"]["body"]
        if c["type"] == "Container"
    )
    assert 0 < kept < 30 and note.startswith(f"{30 - kept} ")


def test_an_ugly_post_is_one_comment_with_its_line() -> None:
    """The instant post: a lead line and the comment, escaped for Slack, runs for Teams."""
    one = item(3, "ugly", "Rude <b>staff</b>")
    posted = slack.ugly_message("Retail", one)
    assert FakeSlack().check(body(posted)) == posted
    assert (
        posted["blocks"][1]["text"]["text"]
        == ">Rude &lt;b&gt;staff&lt;/b&gt;\n_NPS 1 · retail · store Leeds_"
    )
    card = teams.ugly_message("Retail", one)
    assert FakeTeams().check(body(card)) == card
