"""Accounts: people with roles, passwords and their rules, sessions, tokens, the lockout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import PASSWORD, make_user, password_hash
from ticker import passwords
from ticker.accounts import ACCOUNT_LIMIT, ADDRESS_LIMIT, AccountError, Accounts, LockedOut
from ticker.passwords import PasswordRejected
from ticker.store import Store


def test_people_are_added_listed_changed_and_removed(store: Store) -> None:
    """An email is one spelling whatever the case, and a role change is kept."""
    accounts = Accounts(store)
    make_user(store, "Ann@Example.com ", "admin")
    make_user(store, "bob@example.com", "curator", ("support",))
    assert [(u.email, u.role) for u in accounts.users()] == [
        ("ann@example.com", "admin"),
        ("bob@example.com", "curator"),
    ]
    assert accounts.user("BOB@example.com").feeds == ("support",)
    assert accounts.set_role("bob@example.com", "viewer").role == "viewer"
    accounts.remove_user("bob@example.com")
    assert [u.email for u in accounts.users()] == ["ann@example.com"]


def test_the_same_person_twice_and_bad_roles_are_refused(store: Store) -> None:
    """A second account for one email, a made-up role or a non-address: a clear message."""
    make_user(store, "ann@example.com", "admin")
    with pytest.raises(AccountError, match="already has an account"):
        make_user(store, "ANN@example.com", "viewer")
    with pytest.raises(AccountError, match="not one of viewer, curator, admin"):
        make_user(store, "cy@example.com", "owner")
    with pytest.raises(AccountError, match="not an email address"):
        make_user(store, "cy", "viewer")


def test_the_last_admin_stays(store: Store) -> None:
    """Nobody can lock the team out by demoting or removing the only admin."""
    accounts = Accounts(store)
    make_user(store, "ann@example.com", "admin")
    with pytest.raises(AccountError, match="last admin"):
        accounts.set_role("ann@example.com", "curator")
    with pytest.raises(AccountError, match="last admin"):
        accounts.remove_user("ann@example.com")
    make_user(store, "bob@example.com", "admin")
    accounts.remove_user("ann@example.com")
    assert [u.email for u in accounts.users()] == ["bob@example.com"]


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short pw", "at least 12"),
        ("password1234", "most common"),
        ("Qwertyuiop123!", "most common"),
        ("annabel-secret-words", "account's name"),
        ("abababababababab", "so few characters"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule(password: str, rule: str) -> None:
    """Length, the 30,000 most common passwords, the account's name, a repeated character."""
    with pytest.raises(PasswordRejected, match=rule):
        passwords.check(password, "annabel@example.com")


def test_passwords_are_argon2id_and_verified() -> None:
    """The stored hash is Argon2id; only the right password matches; no hash matches nothing."""
    stored = password_hash()
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, PASSWORD)
    assert not passwords.verify(stored, PASSWORD + "x")
    assert not passwords.verify(None, PASSWORD)
    assert not passwords.verify("not a hash", PASSWORD)


def test_sessions_open_follow_the_user_and_end(store: Store) -> None:
    """A session sees its user as they are now; ended or expired, it opens nothing."""
    accounts = Accounts(store)
    make_user(store, "ann@example.com", "admin")
    make_user(store, "bob@example.com", "curator")
    secret, session = accounts.start_session("bob@example.com", "10.0.0.1", hours=1)
    assert session.id not in secret and len(secret) >= 40  # the store keeps a digest only
    accounts.set_role("bob@example.com", "viewer")
    found = accounts.session(secret)
    assert found is not None and found.user.role == "viewer"
    accounts.end_session(session.id)
    assert accounts.session(secret) is None
    short, _ = accounts.start_session("bob@example.com", "10.0.0.1", hours=-1)
    assert accounts.session(short) is None
    again, _ = accounts.start_session("bob@example.com", "10.0.0.1", hours=1)
    accounts.remove_user("bob@example.com")
    assert accounts.session(again) is None


def test_tokens_are_capped_by_their_owner_expire_and_revoke(store: Store) -> None:
    """A token does what both its scope and its owner's role allow, until revoked."""
    accounts = Accounts(store)
    make_user(store, "ann@example.com", "admin")
    make_user(store, "cy@example.com", "viewer")
    with pytest.raises(AccountError, match="a viewer; a curate token would do more"):
        accounts.add_token("cy@example.com", "curate")
    secret, token = accounts.add_token("ann@example.com", "curate", days=30, label="script")
    assert secret.startswith("voc_")
    found = accounts.token(secret)
    assert found is not None and found.may("curate") and not found.may("admin")
    accounts.set_role("ann@example.com", "admin")
    accounts.revoke_token(token.id)
    assert accounts.token(secret) is None
    assert accounts.token("voc_made-up") is None
    store.db.execute("UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00Z', revoked_at = NULL")
    assert accounts.token(secret) is None


def test_failed_sign_ins_lock_the_account_then_the_address(store: Store) -> None:
    """Five failures lock an account for 15 minutes; twenty from one address lock the address."""
    accounts = Accounts(store)
    for _ in range(ACCOUNT_LIMIT):
        accounts.check_lockout("ann@example.com", "10.0.0.9")
        accounts.failed("ann@example.com", "10.0.0.9")
    with pytest.raises(LockedOut, match="this account; try again in 15 minutes") as locked:
        accounts.check_lockout("ann@example.com", "10.0.0.8")
    assert 800 < locked.value.retry_after <= 900
    for i in range(ADDRESS_LIMIT - ACCOUNT_LIMIT):
        accounts.failed(f"p{i}@example.com", "10.0.0.9")
    with pytest.raises(LockedOut, match="your address"):
        accounts.check_lockout("zed@example.com", "10.0.0.9")
    accounts.check_lockout("zed@example.com", "10.0.0.7")  # another address may still try
    old = (datetime.now(UTC) - timedelta(minutes=16)).isoformat(timespec="seconds")
    store.db.execute("UPDATE signin_failures SET at = ?", [old.replace("+00:00", "Z")])
    accounts.check_lockout("ann@example.com", "10.0.0.9")  # the window has passed
