"""A local App Store Connect that speaks the customer reviews API: ES256 tokens checked against
a test key pair's public key, JSON:API pages linked by `links.next`, and queued failures."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.api import FakeAPI, running

__all__ = ["APP", "ISSUER", "KEY_ID", "FakeAppStore", "customer_review", "key_pair", "running"]

APP, ISSUER, KEY_ID = "1234567890", "57246542-96fe-1a63-e053-0824d011072a", "2X9R4HXF34"
MAX_LIFETIME = 20 * 60  # Apple: a token that lives longer is refused
NOON = datetime(2026, 11, 1, 12, tzinfo=timezone(timedelta(hours=-8)))  # Apple writes local times


def key_pair() -> tuple[ec.EllipticCurvePrivateKey, str]:
    """A fresh P-256 key and its PEM, as an App Store Connect `.p8` file holds it (PKCS#8)."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key, pem.decode()


@dataclass
class FakeAppStore(FakeAPI):
    public_key: ec.EllipticCurvePublicKey
    reviews: list[dict[str, Any]]  # any order: served newest first, as `sort=-createdDate` asks
    clock_ahead: float = 0.0  # seconds the server's clock runs ahead (tokens look older)
    body_override: Any = None
    next_host: str | None = None  # links.next on another host (a test of the client's care)
    tokens: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def error(self, status: int, message: str) -> dict[str, Any]:
        """Apple's ErrorResponse, with its own words for a refused token."""
        codes = {401: "NOT_AUTHORIZED", 429: "RATE_LIMIT_EXCEEDED", 503: "SERVICE_UNAVAILABLE"}
        if status == 401:
            message = (
                "Provide a properly configured and signed bearer token, and make sure that it "
                "has not expired."
            )
        return {
            "errors": [
                {
                    "status": str(status),
                    "code": codes.get(status, "ERROR"),
                    "title": message,
                    "detail": message,
                }
            ]
        }

    def authorized(self, request: Request) -> bool:
        """A bearer JWT signed ES256 by our key, for our issuer and key, alive now, ≤ 20 min."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer":
            return False
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=["ES256"],
                audience="appstoreconnect-v1",
                issuer=ISSUER,
                options={
                    "require": ["iss", "iat", "exp", "aud"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidTokenError:
            return False
        self.tokens.append((header, claims))
        now = time.time() + self.clock_ahead
        return (
            header.get("kid") == KEY_ID
            and header.get("typ") == "JWT"
            and claims["iat"] <= now + 60
            and now < claims["exp"] <= claims["iat"] + MAX_LIFETIME
        )

    def app(self) -> Starlette:
        async def reviews(request: Request) -> Response:
            if refused := self.refused(request, self.authorized(request)):
                return refused
            if request.path_params["app"] != APP:
                return JSONResponse(self.error(404, "no app with this id"), status_code=404)
            if self.body_override is not None:
                return JSONResponse(self.body_override)
            query = request.query_params
            limit = int(query.get("limit", "50"))
            if not 1 <= limit <= 200 or query.get("sort", "-createdDate") != "-createdDate":
                return JSONResponse(self.error(400, "PARAMETER_ERROR.INVALID"), status_code=400)
            start = _offset(query.get("cursor"))
            ordered = sorted(self.reviews, key=_created, reverse=True)
            page = ordered[start : start + limit]
            links: dict[str, str] = {"self": str(request.url)}
            if start + limit < len(ordered):
                host = self.next_host or f"{request.url.scheme}://{request.url.netloc}"
                cursor = base64.urlsafe_b64encode(f"o:{start + limit}".encode()).decode()
                links["next"] = (
                    f"{host}{request.url.path}?cursor={cursor}&limit={limit}&sort=-createdDate"
                )
            return JSONResponse(
                {
                    "data": page,
                    "links": links,
                    "meta": {"paging": {"total": len(ordered), "limit": limit}},
                }
            )

        return Starlette(routes=[Route("/v1/apps/{app}/customerReviews", reviews)])


def _created(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["attributes"]["createdDate"])


def _offset(cursor: str | None) -> int:
    """Where an opaque cursor of ours points."""
    return int(base64.urlsafe_b64decode(cursor).decode()[2:]) if cursor else 0


def customer_review(
    i: int,
    rating: int = 5,
    title: str | None = "Love it",
    body: str | None = "Does exactly what I need, every day.",
    created: str | None = None,
) -> dict[str, Any]:
    """A customerReviews resource as the docs show it; review i is written i hours after noon
    on 1 November 2026 (Pacific time, as Apple writes it)."""
    when = created or (NOON + timedelta(hours=i)).isoformat()
    rid = f"00000028-b08c-0014-{i:04x}-fbd500000000"
    return {
        "type": "customerReviews",
        "id": rid,
        "attributes": {
            "rating": rating,
            "title": title,
            "body": body,
            "reviewerNickname": f"Reviewer {i}",
            "createdDate": when,
            "territory": "USA" if i % 2 else "DEU",
        },
        "relationships": {
            "response": {
                "links": {
                    "self": f"https://api.appstoreconnect.apple.com/v1/customerReviews/{rid}/relationships/response",
                    "related": f"https://api.appstoreconnect.apple.com/v1/customerReviews/{rid}/response",
                }
            }
        },
        "links": {"self": f"https://api.appstoreconnect.apple.com/v1/customerReviews/{rid}"},
    }
