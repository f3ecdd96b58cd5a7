"""App Store Connect customer reviews pulled from a local server that checks ES256 tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from ingest import appstore
from ingest.api import PullError
from ingest.pull import PullReport
from ingest.registry import load_sources
from tests.fakes.appstore import APP, ISSUER, KEY_ID, FakeAppStore, customer_review, key_pair
from tests.fakes.appstore import running as serving
from tests.ingest.conftest import Sleeps, pulled
from ticker.pipeline import Pipeline
from ticker.settings import SettingsError
from ticker.sources import Source, health
from ticker.store import Store

KEY, PEM = key_pair()  # made for this run; no real key is ever committed


def source(url: str, user: str = f"{ISSUER}/{KEY_ID}") -> Source:
    return Source("app-store", "appstore", "ASC_KEY", url=url, user=user, survey=APP)


def fake(reviews: list[dict[str, Any]], **kw: Any) -> FakeAppStore:
    return FakeAppStore(KEY.public_key(), reviews, **kw)


def run(pipeline: Pipeline, url: str, sleeps: Sleeps | None = None, env: str = PEM) -> PullReport:
    return pulled(pipeline, source(url), {"ASC_KEY": env}, sleeps)


def many(n: int, start: int = 0) -> list[dict[str, Any]]:
    """Reviews an hour apart, ratings 1-5 in turn."""
    return [customer_review(i, rating=1 + i % 5) for i in range(start, start + n)]


def test_pages_are_followed_by_links_next(pipeline: Pipeline, store: Store) -> None:
    """450 reviews, 200 a page, newest first: three pages, each asked as the last one linked."""
    server = fake(many(450))
    with serving(server) as url:
        report = run(pipeline, url)
    assert (report.pages, report.added, report.skipped) == (3, 450, 0)
    first, *linked = server.requests
    assert first.endswith(f"/v1/apps/{APP}/customerReviews?sort=-createdDate&limit=200")
    assert all("cursor=" in r for r in linked) and len(linked) == 2
    assert store.cursor("app-store") == "2026-11-20T13:00:00+00:00"  # the newest, in UTC


def test_title_and_body_are_the_comment_with_a_star_score(pipeline: Pipeline, store: Store) -> None:
    """A 1-star review's title and body make its text; territory kept, nickname never."""
    reviews = [customer_review(1, 1, "Crashes", "Every time I open a photo."), many(1, 2)[0]]
    reviews.append(customer_review(3, 4, title="Good", body=None))
    with serving(fake(reviews)) as url:
        run(pipeline, url)
    rows = {
        r["text"]: r
        for r in store.db.query("SELECT text, score, scale, meta, given_at FROM verbatims")
    }
    crash = rows["Crashes\nEvery time I open a photo."]
    assert (crash["score"], crash["scale"]) == (1.0, "stars5")
    assert crash["given_at"] == "2026-11-01T21:00:00+00:00"  # 13:00 Pacific
    assert crash["meta"] == '{"territory": "USA"}' and "Reviewer" not in str(rows)
    assert rows["Good"]["score"] == 4.0


def test_a_second_pull_stops_at_reviews_already_seen(pipeline: Pipeline, store: Store) -> None:
    """The next pull reads newest first and stops a day before the cursor: one page, 5 new."""
    server = fake(many(450))
    with serving(server) as url:
        run(pipeline, url)
        server.reviews += many(5, start=450)
        server.requests.clear()
        report = run(pipeline, url)
    assert (report.added, len(server.requests)) == (5, 1)
    assert store.cursor("app-store") == "2026-11-20T18:00:00+00:00"


def test_a_review_listed_late_is_read_within_the_overlap(pipeline: Pipeline, store: Store) -> None:
    """Apple lists a review hours after it was written: one 3 hours older than the cursor."""
    server = fake(many(30))
    with serving(server) as url:
        run(pipeline, url)
        server.reviews.append(
            customer_review(26, 2, "Late", "Listed after the last pull.") | {"id": "late"}
        )
        report = run(pipeline, url)
    assert report.added == 1 and store.count() == 31


def test_an_edited_review_updates_the_stored_one(pipeline: Pipeline, store: Store) -> None:
    """The customer rewrites a review (same id, listed anew): it is updated, not added again."""
    server = fake(many(10))
    with serving(server) as url:
        run(pipeline, url)
        server.reviews[4] = customer_review(
            4, 5, "Fixed", "Works again.", created="2026-11-02T09:00:00-08:00"
        )
        report = run(pipeline, url)
    assert (report.added, report.updated, store.count()) == (0, 1, 10)
    texts = {r["text"] for r in store.db.query("SELECT text FROM verbatims")}
    assert "Fixed\nWorks again." in texts


def test_a_pull_killed_half_way_resumes_without_loss(pipeline: Pipeline, store: Store) -> None:
    """The server dies after one page: the cursor has not moved, the rerun reads it all once."""
    server = fake(many(450), fail_from=2)
    with serving(server) as url:
        with pytest.raises(PullError, match="gave up"):
            run(pipeline, url)
        assert store.count() == 200 and store.cursor("app-store") is None
        server.fail_from = None
        report = run(pipeline, url)
    assert report.added == 250 and store.count() == 450


def test_the_token_is_es256_with_key_id_issuer_and_a_short_life() -> None:
    """Header alg ES256, kid, typ JWT; claims iss, iat, exp within 20 minutes, aud."""
    signer = appstore.token(source("https://x"), PEM)
    token = signer.sign(1_700_000_000)
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(
        token,
        KEY.public_key(),
        algorithms=["ES256"],
        audience="appstoreconnect-v1",
        options={"verify_exp": False},
    )
    assert header == {"alg": "ES256", "kid": KEY_ID, "typ": "JWT"}
    assert claims == {
        "iss": ISSUER,
        "iat": 1_700_000_000,
        "exp": 1_700_000_000 + appstore.LIFETIME,
        "aud": "appstoreconnect-v1",
    }
    assert appstore.LIFETIME <= 20 * 60


def test_a_token_signed_with_another_key_is_auth_failed(pipeline: Pipeline, store: Store) -> None:
    """401 from Apple stops at once; the source shows `auth failed` and what to fix."""
    _, other = key_pair()
    server = fake(many(3))
    with serving(server) as url, pytest.raises(PullError) as failed:
        run(pipeline, url, env=other)
    assert failed.value.kind == "auth" and "refused the credentials (401" in str(failed.value)
    assert "Provide a properly configured and signed bearer token" in str(failed.value)  # Apple's
    assert len(server.requests) == 1
    [row] = health({"app-store": source("x")}, store.source_health(), {"ASC_KEY": PEM})
    assert row["status"] == "auth failed"


def test_an_expired_token_is_refused(pipeline: Pipeline, store: Store) -> None:
    """Where the server's clock is 30 minutes ahead, our token has expired: 401, auth failed."""
    with serving(fake(many(3), clock_ahead=1800)) as url, pytest.raises(PullError) as failed:
        run(pipeline, url)
    assert failed.value.kind == "auth"


def test_429_is_waited_out_and_the_retry_signs_a_new_token(
    pipeline: Pipeline, store: Store
) -> None:
    """Retry-After is honoured; the retry carries a token of its own (ES256 signs afresh)."""
    server = fake(many(3), failures=[(429, {"Retry-After": "7"})])
    sleeps = Sleeps()
    with serving(server) as url:
        report = run(pipeline, url, sleeps)
    assert sleeps == [7.0] and report.added == 3 and len(server.tokens) == 2


def test_server_errors_are_retried_with_backoff(pipeline: Pipeline, store: Store) -> None:
    """503 twice, then the page: waits of 1 s and 2 s, nothing lost."""
    sleeps = Sleeps()
    with serving(fake(many(3), failures=[(503, {}), (503, {})])) as url:
        report = run(pipeline, url, sleeps)
    assert sleeps == [1.0, 2.0] and report.added == 3


def test_the_secret_may_name_the_p8_file(tmp_path: Path, pipeline: Pipeline, store: Store) -> None:
    """The variable holds the key's path (a mounted secret) instead of its text."""
    path = tmp_path / f"AuthKey_{KEY_ID}.p8"
    path.write_text(PEM)
    with serving(fake(many(2))) as url:
        assert run(pipeline, url, env=str(path)).added == 2


def test_a_key_with_escaped_newlines_is_read() -> None:
    """A PEM squeezed onto one line with `\\n` (a .env file) is the same key."""
    signer = appstore.token(source("https://x"), PEM.replace("\n", "\\n"))
    assert signer.key.private_numbers() == KEY.private_numbers()


@pytest.mark.parametrize(
    ("user", "secret", "message"),
    [
        (ISSUER, PEM, "user must be ISSUER_ID/KEY_ID"),
        (f"{ISSUER}/", PEM, "user must be ISSUER_ID/KEY_ID"),
        (f"{ISSUER}/{KEY_ID}", "MIGTAgEAMBMGByqGSM49secret", "neither a .p8 private key"),
        (f"{ISSUER}/{KEY_ID}", "-----BEGIN PRIVATE KEY-----\nsecret\n", "not a readable .p8"),
    ],
)
def test_a_bad_user_or_key_stops_before_any_request(user: str, secret: str, message: str) -> None:
    """What is wrong is named (the key's text never), and the source is `auth` failed."""
    server = fake([])
    with serving(server) as url, httpx.Client() as client, pytest.raises(PullError) as failed:
        next(appstore.pages(source(url, user), secret, None, client, Sleeps()))
    assert message in str(failed.value) and "secret" not in str(failed.value)
    assert failed.value.kind == "auth" and server.requests == []


def test_an_rsa_key_is_not_an_es256_key() -> None:
    """A key of the wrong kind is named as such."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(65537, 2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(PullError, match=r"not an ES256 \(P-256\) key"):
        appstore.private_key("ASC_KEY", pem.decode())
    p384 = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(PullError, match="P-256"):
        appstore.private_key("ASC_KEY", p384.decode())


def test_a_malformed_review_is_quarantined_and_the_rest_go_in(
    pipeline: Pipeline, store: Store
) -> None:
    """A review whose rating is text is kept in the quarantine; the others are stored."""
    bad = customer_review(5)
    bad["attributes"]["rating"] = "five"
    with serving(fake([*many(3), bad])) as url:
        report = run(pipeline, url)
    assert (report.added, report.quarantined) == (3, 1)


def test_a_changed_schema_is_reported(pipeline: Pipeline, store: Store) -> None:
    """An answer without a data list stops the pull with a clear reason."""
    server = fake([], body_override={"reviews": []})
    with serving(server) as url, pytest.raises(PullError, match="no data list"):
        run(pipeline, url)
    assert store.count() == 0


def test_links_next_to_another_host_is_not_followed(pipeline: Pipeline, store: Store) -> None:
    """The token goes to the API's own host only."""
    server = fake(many(250), next_host="http://elsewhere.example")
    with serving(server) as url, pytest.raises(PullError, match="another host"):
        run(pipeline, url)
    assert len(server.requests) == 1


def test_a_source_needs_the_app_and_the_issuer_and_key(tmp_path: Path) -> None:
    """The config names the app in `survey` and ISSUER_ID/KEY_ID in `user`, with examples."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text('[sources.ios]\nadapter = "appstore"\nsecret_env = "K"\nuser = "a/b"\n')
    with pytest.raises(SettingsError, match=r"survey must be the id.*Apple ID"):
        load_sources(config)
    config.write_text('[sources.ios]\nadapter = "appstore"\nsecret_env = "K"\nsurvey = 123\n')
    with pytest.raises(SettingsError, match="user must name.*ISSUER_ID/KEY_ID"):
        load_sources(config)
    config.write_text(
        f'[sources.ios]\nadapter = "appstore"\nsecret_env = "K"\nsurvey = {APP}\n'
        f'user = "{ISSUER}/{KEY_ID}"\nevery = 3600\n'
    )
    assert load_sources(config)["ios"].survey == APP
