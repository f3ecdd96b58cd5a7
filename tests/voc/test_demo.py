"""`voc-ticker demo`, the README's first command, as a user runs it."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from tests.conftest import UNIT, voc_command


def test_demo_loads_the_samples_serves_them_and_trickles_more(tmp_path: Path) -> None:
    """The demo prints its URL, serves every sample comment and keeps adding new ones."""
    env = {"VOC_TRICKLE_SECONDS": "0.2", "VOC_LOG_LEVEL": "warning"}
    demo_db = str(tmp_path / "d.db")
    with voc_command("demo", "--port", "0", "--db", demo_db, env=env, cwd=tmp_path) as demo:
        lines: list[str] = []
        deadline = time.monotonic() + 60 * UNIT
        while not any("open http://" in line for line in lines):
            assert time.monotonic() < deadline and demo.poll() is None, "".join(lines)
            lines.append(demo.stdout.readline())
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", lines[-1])
        assert found, lines[-1]  # --port 0: the port the OS gave is the one printed
        port = int(found.group(1))
        first = _wait_for_health(port)
        assert first["comments"] >= 500
        later = first
        while later["comments"] <= first["comments"]:
            assert time.monotonic() < deadline, "nothing was trickled in"
            time.sleep(0.2)
            later = _wait_for_health(port)
        page = httpx.get(f"http://127.0.0.1:{port}/embed/all")
        assert page.status_code == 200 and "<voc-ticker" in page.text


def _wait_for_health(port: int) -> dict[str, int]:
    deadline = time.monotonic() + 20 * UNIT
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz").json()  # type: ignore[no-any-return]
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the demo server did not answer"
            time.sleep(0.1)
