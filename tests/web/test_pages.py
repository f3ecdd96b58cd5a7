"""The HTTP side: pages, their security headers, health and static assets."""

from __future__ import annotations

import gzip

import httpx

from tests.conftest import ROOT, Running

STATIC = ROOT / "web" / "static"


def test_pages_carry_a_strict_content_security_policy(client: httpx.Client) -> None:
    """No inline script may run on our pages; only the embed may be framed elsewhere."""
    index = client.get("/")
    embed = client.get("/embed/all")
    assert index.status_code == embed.status_code == 200
    assert "script-src 'self'" in index.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in index.headers["content-security-policy"]
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert index.headers["x-content-type-options"] == "nosniff"
    assert "<script src=" in index.text  # scripts come from files...
    assert "<script>" not in index.text and "<script " not in index.text.replace("<script src=", "")
    assert " on" + "click=" not in index.text  # ...and no inline handlers


def test_an_unknown_feed_page_is_a_404_that_escapes_the_name(client: httpx.Client) -> None:
    """A made-up feed in the URL is not reflected as markup."""
    response = client.get("/display/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert response.status_code == 404
    assert "<img" not in response.text and "&lt;img src=x onerror=alert(1)&gt;" in response.text


def test_the_index_offers_copyable_embed_snippets(client: httpx.Client) -> None:
    """The home page shows the script and iframe snippets for this server."""
    text = client.get("/").text
    assert f'&lt;voc-ticker feed="all" server="{str(client.base_url).rstrip("/")}"' in text
    assert "/embed/all" in text and "/display/all" in text


def test_health_counts_comments_and_clients(client: httpx.Client) -> None:
    """The health endpoint says the server is up and what it holds (with Redis, its link and
    edges too: tests/web/test_edges.py)."""
    said = client.get("/healthz").json()
    assert {k: said[k] for k in ("ok", "role", "clients", "comments")} == {
        "ok": True,
        "role": "origin",
        "clients": 0,
        "comments": 0,
    }


def test_widget_stays_within_its_size_budget() -> None:
    """ticker.js (which carries its CSS and three layouts) is at most 11 KB gzipped."""
    size = len(gzip.compress((STATIC / "ticker.js").read_bytes(), 9))
    print(f"ticker.js: {size} bytes gzipped")
    assert size <= 11 * 1024


def test_widget_never_writes_markup() -> None:
    """Comment text reaches the page only through textContent: no innerHTML anywhere."""
    source = (STATIC / "ticker.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source


def test_pages_point_the_widget_at_the_stream_port_only_when_reached_directly(
    client: httpx.Client, server: Running
) -> None:
    """Directly, the widget is told the stream's port; through a proxy it derives the URL;
    with `stream_url` (edges under a name of their own) it is told that, either way."""
    direct = client.get("/embed/all").text
    proxied = client.get("/embed/all", headers={"host": "ticker.example.com"}).text
    if server.settings.stream_url:
        assert f'stream="{server.settings.stream_url}"' in direct
        assert f'stream="{server.settings.stream_url}"' in proxied
        return
    expected = f'stream="ws://127.0.0.1:{server.settings.stream_at}"'
    assert (expected in direct) == bool(server.settings.stream_at)
    assert "stream=" not in proxied
