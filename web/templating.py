"""Rendering the console's pages: Jinja2 (autoescaped), a strict CSP, the session cookie."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web.auth import COOKIE
from web.pages import TEMPLATES

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    body = _env.get_template(name).render(**context)
    return HTMLResponse(body, status, headers={"Content-Security-Policy": CSP})


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def session_cookie(response: Response, request: Request, secret: str, hours: float) -> None:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )


def next_page(raw: str | None) -> str:
    """Where to go after signing in: only a console page of this site (no open redirect)."""
    if raw and raw.startswith("/console") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/console"
