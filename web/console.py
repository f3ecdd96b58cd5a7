"""The console's pages: sign-in and sign-out, the queue, the log, sources and users.

Pages are Jinja2 templates (autoescaped) that carry no customer text: the page's script reads
everything through the REST API (web/api_*.py), so the console can do nothing the API cannot,
and customer text reaches the page only through `textContent`. A strict CSP allows no inline
script or style.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ticker import passwords
from ticker.accounts import Accounts, LockedOut
from ticker.curation import HIDE_REASONS
from ticker.store import Store
from web.auth import COOKIE, Identity, Refused, client_address, identify
from web.state import AppState
from web.templating import next_page, render, secure, session_cookie
from web.webhooks import TooBig, read_limited

SIGNIN_COOKIE = "voc_signin"  # the sign-in form's own CSRF token (double submit)
MAX_FORM = 8192
MAX_DELAY = 8.0
PAGES = {
    "queue": ("Queue", "read"),
    "feeds": ("Feeds", "read"),
    "actions": ("You said, we did", "read"),
    "log": ("Log", "read"),
    "sources": ("Sources", "read"),
    "rules": ("Rules", "read"),
    "outlets": ("Outlets", "curate"),
    "screens": ("Screens", "read"),
    "users": ("Users and tokens", "admin"),
}
BUILDER = ("Feed builder", "curate")  # /console/feeds/NAME, under Feeds in the menu


async def _form(request: Request) -> dict[str, str]:
    try:
        raw = await read_limited(request, MAX_FORM)
    except TooBig:
        raise Refused(413, "the form is too large") from None
    fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[-1] for k, v in fields.items()}


def _signin_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    state: AppState = request.app.state.voc
    token = secrets.token_urlsafe(24)
    page = render(
        "console/signin.html",
        status,
        csrf=token,
        next=next_page(request.query_params.get("next")),
        sso=state.settings.oidc_label if state.settings.oidc_issuer else None,
        signed_out=request.query_params.get("signed_out") == "1",
        **context,
    )
    page.set_cookie(
        SIGNIN_COOKIE,
        token,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=secure(request),
    )
    return page


async def signin(request: Request) -> Response:
    if request.method == "GET":
        return _signin_page(request)
    state: AppState = request.app.state.voc
    try:
        form = await _form(request)
    except Refused as exc:
        return _signin_page(request, exc.status, error=exc.message)
    email = form.get("email", "").strip().lower()
    sent, expected = form.get("csrf", ""), request.cookies.get(SIGNIN_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        return _signin_page(
            request,
            403,
            email=email,
            error="This form had expired or did not come from this page; please sign in again.",
        )
    address = client_address(request)
    try:
        await state.readers.run(lambda s: Accounts(s).check_lockout(email, address))
    except LockedOut as exc:
        page = _signin_page(request, 429, email=email, error=f"Sign-in refused: {exc}.")
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    stored = await state.readers.run(lambda s: Accounts(s).password_hash(email))
    password = form.get("password", "")
    if not await asyncio.to_thread(passwords.verify, stored, password):
        failures = await state.readers.run(lambda s: Accounts(s).failures(email))
        await state.write(lambda s: Accounts(s).failed(email, address))
        delay = state.settings.signin_delay_seconds
        await asyncio.sleep(min(delay * 2**failures, MAX_DELAY) if delay else 0)
        return _signin_page(request, 401, email=email, error="Wrong email or password.")
    if stored and passwords.needs_rehash(stored):
        digest = await asyncio.to_thread(passwords.hash_password, password)
        await state.write(lambda s: Accounts(s).set_password(email, digest))
    hours = state.settings.session_hours

    def begin(store: Store) -> str:
        accounts = Accounts(store)
        accounts.clear_failures(email)
        return accounts.start_session(email, address, hours)[0]

    secret = await state.write(begin)
    answer = RedirectResponse(next_page(form.get("next")), 303)
    session_cookie(answer, request, secret, hours)
    answer.delete_cookie(SIGNIN_COOKIE, path="/console")
    return answer


async def signout(request: Request) -> Response:
    """The form's sign-out: ends the session and its console connections, then the cookie."""
    state: AppState = request.app.state.voc
    try:
        who = await identify(request)
        form = await _form(request)
    except Refused:
        who, form = None, {}
    if who is not None and who.session is not None:
        if not hmac.compare_digest(form.get("csrf", ""), who.session.csrf):
            return render(
                "console/error.html",
                403,
                message="The sign-out form had expired; reload the page and sign out again.",
            )
        session = who.session.id
        await state.write(lambda s: Accounts(s).end_session(session))
        state.consoles.end(session=session)
    answer = RedirectResponse("/console/signin?signed_out=1", 303)
    answer.delete_cookie(COOKIE, path="/")
    return answer


async def _signed_in(request: Request) -> tuple[Identity | None, str | None, Response | None]:
    """The person a console page is for, with a session (a proxy's person gets one now)."""
    state: AppState = request.app.state.voc
    try:
        who = await identify(request)
    except Refused as exc:
        return None, None, render("console/error.html", exc.status, message=exc.message)
    if who is None or who.token is not None:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return None, None, RedirectResponse(f"/console/signin?next={target}", 303)
    if who.session is None:  # vouched for by the proxy: a session, so that CSRF can hold
        email, address, hours = (
            who.user.email,
            client_address(request),
            state.settings.session_hours,
        )
        secret, session = await state.write(
            lambda s: Accounts(s).start_session(email, address, hours, via="proxy")
        )
        return Identity(session.user, "session", session=session), secret, None
    return who, None, None


def _page(name: str) -> Any:
    title, need = BUILDER if name == "feed" else PAGES[name]

    async def page(request: Request) -> Response:
        who, secret, refused = await _signed_in(request)
        if refused is not None:
            return refused
        assert who is not None and who.session is not None
        if not who.may(need):
            answer = render(
                "console/error.html",
                403,
                who=who,
                csrf=who.session.csrf,
                pages=_nav(who),
                message=f"{title} is for {need}s; you are signed in as a {who.user.role}.",
            )
        else:
            answer = render(
                f"console/{name}.html",
                who=who,
                csrf=who.session.csrf,
                pages=_nav(who),
                current="feeds" if name == "feed" else name,
                hide_reasons=HIDE_REASONS,
                title=title,
                feed=request.path_params.get("feed", ""),
            )
        if secret:
            session_cookie(answer, request, secret, request.app.state.voc.settings.session_hours)
        return answer

    page.__name__ = f"{name}_page"
    return page


def _nav(who: Identity) -> list[tuple[str, str]]:
    return [(name, title) for name, (title, need) in PAGES.items() if who.may(need)]


(
    queue_page,
    feeds_page,
    actions_page,
    log_page,
    sources_page,
    rules_page,
    outlets_page,
    screens_page,
    users_page,
) = (_page(n) for n in PAGES)
feed_page = _page("feed")
