"""`voc-ticker serve` as an admin runs it: the config file's settings reach the server intact."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import UNIT, voc_command
from tests.web.test_webhooks import generic_headers

CONFIG = r"""
mask_patterns = ['order=ORD-\d{3,6}', 'acct=AC/\d+/']
log_level = "warning"

[sources.kiosk]
adapter = "webhook"
secret_env = "VOC_TEST_GENERIC_SECRET"
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The real command on port 0; yields its HTTP and stream URLs, as it printed them."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text(CONFIG)
    args = ("--config", str(config), "serve", "--port", "0", "--db", str(tmp_path / "v.db"))
    with voc_command(*args, env={"VOC_TEST_GENERIC_SECRET": "generic-secret"}) as proc:
        line = proc.stdout.readline()
        found = re.search(r"serving on (http://[\d.]+:\d+)/ \(stream on port (\d+)\)", line)
        assert found, line
        http, port = found.groups()
        yield http, f"ws://127.0.0.1:{port}"


def test_mask_patterns_with_commas_and_slashes_mask_on_screens(served: tuple[str, str]) -> None:
    """A pattern holding a comma ({3,6}) and one ending in '/' mask comments on screens."""
    http, ws_url = served
    body = json.dumps(
        {"id": "r-1", "text": "Order ORD-12345 came late; my account AC/778/ was charged twice."}
    ).encode()
    delivered = httpx.post(
        f"{http}/webhooks/kiosk", content=body, headers=generic_headers(body), timeout=30 * UNIT
    )
    assert delivered.status_code == 200, delivered.text
    with connect(f"{ws_url}/ws/feeds/all") as ws:
        snapshot = json.loads(ws.recv(timeout=30 * UNIT))
    [item] = snapshot["items"]
    assert item["text"] == "Order [order] came late; my account [acct] was charged twice."
