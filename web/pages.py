"""The HTML pages: `/` (about, live preview, embed snippets), `/embed/{feed}`, `/display/{feed}`."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from ticker.feeds import DEFAULT_FEED, LAYOUTS, FeedError
from ticker.store import NotFound, Store
from web.redis_link import RedisBroker
from web.session import NotNow, Streaming
from web.state import AppState

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; "
)


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


async def _page(request: Request, name: str, feed: str, framing: str) -> Response:
    state: Streaming = request.app.state.voc
    try:
        title = await state.title_of(feed)
    except NotFound:
        return HTMLResponse(f"<h1>No feed named {html.escape(feed)}</h1>", status_code=404)
    except FeedError:
        return HTMLResponse(f"<h1>Feed {html.escape(feed)} is misconfigured</h1>", status_code=503)
    except NotNow:  # a screen's page: it tries again by itself, no script needed
        return HTMLResponse(
            '<meta http-equiv="refresh" content="10">'
            f"<h1>{html.escape(feed)} cannot be shown right now; trying again in 10 seconds</h1>",
            status_code=503,
            headers={"Retry-After": "10"},
        )
    origin = f"{request.url.scheme}://{request.url.netloc}"
    stream = ""
    direct = request.url.port == state.settings.port  # not through a proxy that routes /ws/
    if state.settings.stream_url:  # the edges, under a name of their own
        stream = f' stream="{html.escape(state.settings.stream_url)}"'
    elif state.settings.stream_at and direct:  # the websockets library's server, its own port
        scheme = "wss" if request.url.scheme == "https" else "ws"
        url = f"{scheme}://{request.url.hostname}:{state.settings.stream_at}"
        stream = f' stream="{html.escape(url)}"'
    layout = request.query_params.get("layout")  # else the feed's own display.layout
    theme = request.query_params.get("theme")  # a display is dark unless asked for light
    token = request.query_params.get("token")  # a display token, for the widget's stream
    body = _template(name).safe_substitute(
        layout_attr=f' layout="{layout}"' if layout in LAYOUTS else "",
        theme="light" if theme == "light" else "dark",
        token_attr=f' token="{html.escape(token)}"' if token else "",
        feed=html.escape(feed),
        title=html.escape(title),
        origin=html.escape(origin),
        stream_attr=stream,
        stream_code=html.escape(stream, quote=False),
    )
    return HTMLResponse(body, headers={"Content-Security-Policy": _CSP + framing})


async def index(request: Request) -> Response:
    return await _page(request, "index.html", DEFAULT_FEED, "frame-ancestors 'self'")


async def embed(request: Request) -> Response:
    """Framable from anywhere: the intranet decides where it goes; the stream checks Origin."""
    return await _page(request, "embed.html", request.path_params["feed"], "frame-ancestors *")


async def display(request: Request) -> Response:
    return await _page(
        request, "display.html", request.path_params["feed"], "frame-ancestors 'self'"
    )


async def screen(request: Request) -> Response:
    """A new screen's code (web/static/screen.js); once registered it moves to /display."""
    origin = f"{request.url.scheme}://{request.url.netloc}"
    body = _template("screen.html").safe_substitute(origin=html.escape(origin))
    headers = {
        "Content-Security-Policy": _CSP + "frame-ancestors 'none'",
        "Cache-Control": "no-store",
    }
    return HTMLResponse(body, headers=headers)


async def service_worker(request: Request) -> Response:
    """At the root so that its scope covers /display/; never cached, so an update is seen."""
    return FileResponse(
        STATIC / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Content-Security-Policy": "default-src 'self'"},
    )


async def healthz(request: Request) -> Response:
    state: AppState = request.app.state.voc
    comments = await state.readers.run(Store.total)
    answer = {"ok": True, "role": "origin", "clients": state.hub.count(), "comments": comments}
    if isinstance(state.hub.broker, RedisBroker):
        answer.update(state.hub.broker.link.to_dict())
        edges = await state.hub.broker.edges()
        answer["edges"] = edges
        answer["clients_on_edges"] = sum(e["clients"] or 0 for e in edges)
    return JSONResponse(answer)
