"""App Store Connect customer reviews: `GET /v1/apps/{id}/customerReviews`, newest first.

Every request carries a JSON Web Token signed ES256 with the team's API key (the `.p8` file):
header `kid` the key's id, claims `iss` the issuer id, `iat`, `exp` (Apple refuses more than 20
minutes) and `aud` `appstoreconnect-v1`. A token is signed for each request, retries included,
so a long rate-limit wait never sends an expired one. Pages (JSON:API, `data[]` of
`customerReviews`) are followed by `links.next`, on the API's own host only: the token goes
nowhere else. A review's comment is its title and body, its 1-5 rating a star score; the
territory is kept, the reviewer's nickname never.

The cursor is the newest `createdDate` of a complete pull. The next pull reads from the newest
down to a day before it: Apple lists a review once it has processed it, which may be hours after
it was written, and rows are keyed by the review's id, so the overlap stores nothing twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from ingest.adapter import Pull
from ingest.api import Page, PullError, Sleep, get_json
from ingest.dates import given_or_none
from ingest.personal import labels
from ingest.webhooks import shape
from ticker.pipeline import Row
from ticker.records import RecordError, Verbatim
from ticker.sources import Source
from ticker.store import QuarantinedRow

API = "https://api.appstoreconnect.apple.com"
AUDIENCE = "appstoreconnect-v1"
LIFETIME = 600  # seconds a token lives; Apple refuses tokens that live over 20 minutes
PAGE_SIZE = 200  # the most `limit` may ask for
OVERLAP = timedelta(days=1)
PLATFORM = "App Store Connect"


class Token(httpx.Auth):
    """`Authorization: Bearer <JWT>`, signed afresh for every request httpx sends."""

    def __init__(self, issuer: str, key_id: str, key: ec.EllipticCurvePrivateKey) -> None:
        self.issuer, self.key_id, self.key = issuer, key_id, key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.sign(time.time())}"
        yield request

    def sign(self, now: float) -> str:
        """A token issued at `now`, expiring LIFETIME seconds later."""
        issued = int(now)
        claims = {"iss": self.issuer, "iat": issued, "exp": issued + LIFETIME, "aud": AUDIENCE}
        headers = {"kid": self.key_id, "typ": "JWT"}
        return jwt.encode(claims, self.key, algorithm="ES256", headers=headers)


def token(source: Source, secret: str) -> Token:
    """The source's signer: `user` is ISSUER_ID/KEY_ID, the secret the .p8 key or its path.

    Raises PullError (`auth`: someone must fix the source) naming what is wrong, never the key.
    """
    issuer, _, key_id = (source.user or "").partition("/")
    if not issuer.strip() or not key_id.strip() or "/" in key_id:
        raise PullError(
            "auth",
            f"user must be ISSUER_ID/KEY_ID (Users and Access > Integrations > App Store Connect "
            f"API), not {source.user!r}",
        )
    return Token(issuer.strip(), key_id.strip(), private_key(source.secret_env, secret))


def private_key(variable: str, secret: str) -> ec.EllipticCurvePrivateKey:
    """The P-256 key: the PEM text in the variable (`\\n` escapes allowed), or the file it names."""
    pem = secret.replace("\\n", "\n").strip()
    if not pem.startswith("-----BEGIN"):
        try:
            pem = Path(pem).expanduser().read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError, ValueError):
            raise PullError(
                "auth",
                f"{variable} holds neither a .p8 private key (PEM) nor a readable file's path",
            ) from None
    try:
        key = load_pem_private_key(pem.encode("ascii", "replace"), password=None)
    except (ValueError, TypeError):
        raise PullError(
            "auth", f"the key in {variable} is not a readable .p8 private key"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise PullError("auth", f"the key in {variable} is not an ES256 (P-256) key")
    return key


def pages(
    source: Source, secret: str, cursor: str | None, client: httpx.Client, sleep: Sleep = time.sleep
) -> Iterator[Page]:
    """Every review newer than the cursor less the overlap, newest first, a page at a time."""
    auth, base = token(source, secret), source.url or API
    url = f"{base}/v1/apps/{source.survey}/customerReviews"
    params: dict[str, Any] = {"sort": "-createdDate", "limit": PAGE_SIZE}
    seen = _when(cursor)
    since, newest = (seen - OVERLAP if seen else None), seen
    while True:
        body = get_json(client, url, params, sleep, PLATFORM, auth=auth)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise PullError("schema", "the answer has no data list; has the API changed?")
        rows: list[Row] = []
        skipped, older = 0, False
        for item in data:
            created = _when(item.get("attributes", {}).get("createdDate")) if _is(item) else None
            if since and created and created < since:
                older = True  # sorted newest first: the rest were read before
                break
            newest = max(newest or created, created) if created else newest
            try:
                found = review(source, item)
            except RecordError as exc:
                rows.append(QuarantinedRow(0, str(exc), json.dumps(item, default=str)[:100_000]))
                continue
            rows += [found] if found else []
            skipped += found is None
        links = body.get("links")
        following = links.get("next") if isinstance(links, dict) else None
        done = older or not following
        yield Page(rows, _text(newest) if done else cursor, skipped)
        if done:
            return
        url, params = _on(base, str(following)), {}


def review(source: Source, item: Any) -> Verbatim | None:
    """A customer review as a verbatim; None without words; RecordError when malformed."""
    if not _is(item):
        raise RecordError("not a customerReviews resource with an attributes object")
    attributes: dict[str, Any] = item["attributes"]
    words = [attributes.get("title"), attributes.get("body")]
    if any(w is not None and not isinstance(w, str) for w in words):
        raise RecordError(f"the title or body of review {item.get('id')!r} is not text")
    rating = attributes.get("rating")
    if rating is not None and (not isinstance(rating, int) or isinstance(rating, bool)):
        raise RecordError(f"the rating of review {item.get('id')!r} is {shape(rating)}")
    text = "\n".join(w for w in words if w and w.strip())
    if not text:
        return None
    territory = attributes.get("territory")
    default = {"territory": territory} if isinstance(territory, str) and territory else {}
    return Verbatim(
        source=source.name,
        text=text,
        response_id=str(item["id"]) if item.get("id") else None,
        score=None if rating is None else float(rating),
        scale=None if rating is None else "stars5",
        given_at=given_or_none(attributes.get("createdDate")),
        meta=source.pick(labels(attributes), default),  # reviewerNickname: personal, never kept
    )


def _is(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("type") == "customerReviews"
        and isinstance(item.get("attributes"), dict)
    )


def _when(value: Any) -> datetime | None:
    """A createdDate (`2026-11-15T08:10:34-08:00`) or a cursor as an aware time; None if neither."""
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _text(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat(timespec="seconds") if when else None


def _on(base: str, link: str) -> str:
    """`links.next` if it is on the API's own host: the token is sent to no other."""
    if urlsplit(link)[:2] != urlsplit(base)[:2]:
        raise PullError("schema", f"links.next leads to another host ({link[:100]}); not followed")
    return link


ADAPTERS = (
    Pull(
        "appstore",
        pages,
        needs={
            "survey": "1234567890 (the app's Apple ID)",
            "user": "69a6de70-…-e053-5b8c7c11a4d1/2X9R4HXF34 (ISSUER_ID/KEY_ID)",
        },
    ),
)
