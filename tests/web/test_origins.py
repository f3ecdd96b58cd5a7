"""Who may open the stream, decided without a socket: the Origin and Host headers."""

from __future__ import annotations

import pytest

from web.origins import host_allowed, origin_allowed

HTTP = 8000  # the server's pages; the stream has a port of its own, 8001
STREAM_HOST = "voc.example:8001"
LISTED = ("https://intranet.example",)


@pytest.mark.parametrize(
    ("origin", "host", "allowed", "expected"),
    [
        pytest.param(None, STREAM_HOST, (), True, id="no-origin-is-not-a-browser"),
        pytest.param(None, None, (), True, id="no-origin-no-host"),
        pytest.param("https://evil.example", STREAM_HOST, ("*",), True, id="star-allows-any"),
        pytest.param("null", STREAM_HOST, ("*",), True, id="star-allows-null"),
        pytest.param("https://intranet.example", STREAM_HOST, LISTED, True, id="listed"),
        pytest.param("https://intranet.example/", STREAM_HOST, LISTED, True, id="listed-slash"),
        pytest.param(
            "https://intranet.example",
            STREAM_HOST,
            ("https://intranet.example/",),
            True,
            id="list-entry-slash",
        ),
        pytest.param("null", "@", (), False, id="no-hostname-on-either-side"),
        pytest.param("http://:8001", ":8001", (), False, id="empty-hostnames-are-not-the-same"),
        pytest.param("HTTPS://Intranet.Example", STREAM_HOST, LISTED, True, id="listed-case"),
        pytest.param(
            "https://intranet.example",
            STREAM_HOST,
            ("HTTPS://INTRANET.EXAMPLE",),
            True,
            id="list-entry-case",
        ),
        pytest.param(
            "http://intranet.example", STREAM_HOST, LISTED, False, id="listed-other-scheme"
        ),
        pytest.param(
            "https://intranet.example:444", STREAM_HOST, LISTED, False, id="listed-other-port"
        ),
        pytest.param(
            "https://sub.intranet.example", STREAM_HOST, LISTED, False, id="listed-subdomain"
        ),
        pytest.param("https://evil.example", STREAM_HOST, LISTED, False, id="unlisted"),
        pytest.param("http://voc.example:8000", STREAM_HOST, (), True, id="own-http-port"),
        pytest.param("http://voc.example:8001", STREAM_HOST, (), True, id="own-stream-port"),
        pytest.param("http://voc.example:8000", "voc.example:8000", (), True, id="one-port"),
        pytest.param("http://VOC.Example:8000", "Voc.EXAMPLE:8001", (), True, id="own-host-case"),
        pytest.param("https://voc.example", "voc.example", (), True, id="own-default-port"),
        pytest.param("http://voc.example:9999", STREAM_HOST, (), False, id="own-host-other-port"),
        pytest.param("http://voc.example", STREAM_HOST, (), False, id="own-host-port-80"),
        pytest.param("http://evil.example:8001", STREAM_HOST, (), False, id="other-host-same-port"),
        pytest.param("http://voc.example.evil:8000", STREAM_HOST, (), False, id="suffixed-host"),
        pytest.param("http://[::1]:8001", "[::1]:8001", (), True, id="ipv6-stream-port"),
        pytest.param("http://[::1]:8000", "[::1]:8001", (), True, id="ipv6-http-port"),
        pytest.param("http://[::1]:9999", "[::1]:8001", (), False, id="ipv6-other-port"),
        pytest.param("http://[::2]:8001", "[::1]:8001", (), False, id="ipv6-other-address"),
        pytest.param("http://127.0.0.1:8000", "[::1]:8001", (), False, id="ipv4-vs-ipv6"),
        pytest.param(
            "http://voc.example:abc", STREAM_HOST, (), False, id="origin-port-not-a-number"
        ),
        pytest.param("http://voc.example:99999", STREAM_HOST, (), False, id="origin-port-too-big"),
        pytest.param("http://[::1", "[::1]:8001", (), False, id="origin-unclosed-bracket"),
        pytest.param("http://voc.example:8001", "voc.example:abc", (), False, id="host-port-bad"),
        pytest.param("http://[::1]:8001", "[::1:8001", (), False, id="host-unclosed-bracket"),
        pytest.param("http://voc.example:8001", None, (), False, id="no-host"),
        pytest.param("http://voc.example:8001", "", (), False, id="empty-host"),
        pytest.param("null", STREAM_HOST, (), False, id="null-origin"),
        pytest.param("", STREAM_HOST, (), False, id="empty-origin"),
    ],
)
def test_origin_allowed(
    origin: str | None, host: str | None, allowed: tuple[str, ...], expected: bool
) -> None:
    """No Origin, `*`, a listed origin or the server's own host (HTTP or stream port) is allowed."""
    assert origin_allowed(origin, host, HTTP, allowed) is expected


@pytest.mark.parametrize(
    ("host", "allowed", "expected"),
    [
        pytest.param("anything.example", ("*",), True, id="star"),
        pytest.param(None, ("*",), True, id="star-no-host"),
        pytest.param("voc.example", ("voc.example",), True, id="exact"),
        pytest.param("voc.example:8001", ("voc.example",), True, id="port-ignored"),
        pytest.param("VOC.Example:8001", ("voc.example",), True, id="host-case"),
        pytest.param("voc.example", ("VOC.EXAMPLE",), True, id="entry-case"),
        pytest.param("evil.example", ("voc.example",), False, id="other"),
        pytest.param("voc.example.evil", ("voc.example",), False, id="suffixed"),
        pytest.param("sub.voc.example", ("voc.example",), False, id="exact-is-not-a-pattern"),
        pytest.param("a.example.com", ("*.example.com",), True, id="pattern-subdomain"),
        pytest.param("a.b.example.com:8001", ("*.example.com",), True, id="pattern-deeper"),
        pytest.param("A.Example.COM", ("*.EXAMPLE.com",), True, id="pattern-case"),
        pytest.param("example.com", ("*.example.com",), False, id="pattern-not-the-apex"),
        pytest.param("evilexample.com", ("*.example.com",), False, id="pattern-not-a-suffix"),
        pytest.param("example.com.evil", ("*.example.com",), False, id="pattern-suffixed"),
        pytest.param("example.com", ("*.example.com", "example.com"), True, id="pattern-and-apex"),
        pytest.param("::1", ("::1",), False, id="ipv6-needs-brackets-in-host"),
        pytest.param("[::1]:8001", ("::1",), True, id="ipv6"),
        pytest.param("[::1", ("::1",), False, id="ipv6-unclosed-bracket"),
        # The port is not this check's business (nor Starlette's TrustedHostMiddleware's);
        # origin_allowed refuses a browser whose Host port cannot be read.
        pytest.param("voc.example:abc", ("voc.example",), True, id="bad-port-ignored"),
        pytest.param(None, ("voc.example",), False, id="no-host"),
        pytest.param("", ("voc.example",), False, id="empty-host"),
        pytest.param(":8001", ("voc.example",), False, id="port-only"),
        pytest.param("voc.example", (), False, id="nothing-allowed"),
    ],
)
def test_host_allowed(host: str | None, allowed: tuple[str, ...], expected: bool) -> None:
    """The Host names this server: `*`, an exact name, or a `*.` pattern below a domain."""
    assert host_allowed(host, allowed) is expected
