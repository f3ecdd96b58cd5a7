"""People and programs: users with a role, their sessions, API tokens and failed sign-ins.

One identity model whatever the way in (a local password, a trusted proxy's header, OpenID
Connect): a user is an email with a role, and optionally the feeds a curator is limited to.
Sessions and tokens are stored as SHA-256 digests of random secrets (the secrets have 256 bits,
so a fast digest is enough; a stolen database yields no usable cookie or token).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from ticker import passwords
from ticker.store import NotFound, Store

Role = Literal["viewer", "curator", "admin"]
Scope = Literal["read", "curate", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
SCOPES: tuple[Scope, ...] = get_args(Scope)
RANK: dict[str, int] = {"viewer": 0, "read": 0, "curator": 1, "curate": 1, "admin": 2}
TOKEN_PREFIX = "voc_"
# Lockout: this many failures within the window lock the account (or the address) until the
# window has passed since the last one. An address gets more: offices share one.
WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
OIDC_STATE_LIFE = timedelta(minutes=10)  # from the sign-in button to the provider's answer


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


class LockedOut(AccountError):
    """Too many failed sign-ins; `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    email: str
    role: Role
    feeds: tuple[str, ...]  # a curator limited to these feeds; () is every feed
    origin: str  # local, proxy or oidc: how the account was made
    created_at: str

    def may(self, need: str) -> bool:
        """True if the role reaches the role or scope `need`."""
        return RANK[self.role] >= RANK[need]

    def to_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "role": self.role,
            "feeds": list(self.feeds),
            "origin": self.origin,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class Session:
    id: str  # the digest, never the cookie's secret
    user: User
    csrf: str
    via: str
    seen_at: str


@dataclass(frozen=True)
class Token:
    id: str
    user: User
    scope: Scope
    label: str
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None

    def may(self, need: str) -> bool:
        """A token may what both its scope and its owner's role reach."""
        return RANK[self.scope] >= RANK[need] and self.user.may(need)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.user.email,
            "scope": self.scope,
            "label": self.label,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "last_used_at": self.last_used_at,
            "revoked_at": self.revoked_at,
        }


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normal_email(email: str) -> str:
    """The one spelling of an address: trimmed and lowercased; AccountError if not one."""
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email):
        raise AccountError(f"{email!r} is not an email address")
    return email


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def check_scope(scope: str) -> Scope:
    if scope not in SCOPES:
        raise AccountError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    return scope


def _user(row: Any) -> User:
    return User(
        row["email"], row["role"], tuple(json.loads(row["feeds"])), row["origin"], row["created_at"]
    )


class Accounts:
    """The account tables of one store. Writes run in the store's transactions, so a CLI in
    another process and the server see each other's changes at once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # -- users --------------------------------------------------------------------------------

    def user(self, email: str) -> User:
        rows = list(self.db.query("SELECT * FROM users WHERE email = ?", [normal_email(email)]))
        if not rows:
            raise NotFound(f"no user {email!r}")
        return _user(rows[0])

    def users(self) -> list[User]:
        return [_user(r) for r in self.db.query("SELECT * FROM users ORDER BY email")]

    def add_user(
        self,
        email: str,
        role: str,
        password_hash: str | None = None,
        origin: str = "local",
        feeds: tuple[str, ...] = (),
    ) -> User:
        email, role = normal_email(email), check_role(role)
        stamp = _stamp(datetime.now(UTC))
        with self.store.transaction():
            if self.db.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchone():
                raise AccountError(f"{email} already has an account (users set-role changes it)")
            self.db.execute(
                "INSERT INTO users (email, role, feeds, password_hash, origin, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [email, role, json.dumps(list(feeds)), password_hash, origin, stamp, stamp],
            )
        return self.user(email)

    def set_role(self, email: str, role: str, feeds: tuple[str, ...] | None = None) -> User:
        """Change a role (and a curator's feeds); every session and token follows at once."""
        user = self.user(email)
        role = check_role(role)
        with self.store.transaction():
            self._keep_an_admin(user, role)
            self.db.execute(
                "UPDATE users SET role = ?, feeds = ?, updated_at = ? WHERE email = ?",
                [
                    role,
                    json.dumps(list(user.feeds if feeds is None else feeds)),
                    _stamp(datetime.now(UTC)),
                    user.email,
                ],
            )
        return self.user(email)

    def set_password(self, email: str, password_hash: str) -> None:
        user = self.user(email)
        with self.store.transaction():
            self.db.execute(
                "UPDATE users SET password_hash = ?, updated_at = ? WHERE email = ?",
                [password_hash, _stamp(datetime.now(UTC)), user.email],
            )

    def remove_user(self, email: str) -> None:
        """Remove a person: their sessions and tokens end with them."""
        user = self.user(email)
        with self.store.transaction():
            self._keep_an_admin(user, None)
            self.db.execute("DELETE FROM sessions WHERE email = ?", [user.email])
            self.db.execute("DELETE FROM api_tokens WHERE email = ?", [user.email])
            self.db.execute("DELETE FROM users WHERE email = ?", [user.email])

    def _keep_an_admin(self, user: User, role: str | None) -> None:
        if user.role != "admin" or role == "admin":
            return
        admins = self.db.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0]
        if admins <= 1:
            raise AccountError(f"{user.email} is the last admin; make another admin first")

    def password_hash(self, email: str) -> str | None:
        row = self.db.execute(
            "SELECT password_hash FROM users WHERE email = ?", [email.strip().lower()]
        ).fetchone()
        return row[0] if row else None

    # -- failed sign-ins ------------------------------------------------------------------------

    def check_lockout(self, email: str, address: str) -> None:
        """Raise LockedOut if this account or this address failed too often of late."""
        now = datetime.now(UTC)
        since = _stamp(now - WINDOW)
        for key, limit, what in (
            (f"account:{email.strip().lower()}", ACCOUNT_LIMIT, "this account"),
            (f"address:{address}", ADDRESS_LIMIT, "your address"),
        ):
            count, last = self.db.execute(
                "SELECT count(*), max(at) FROM signin_failures WHERE key = ? AND at > ?",
                [key, since],
            ).fetchone()
            if count >= limit:
                until = datetime.fromisoformat(last) + WINDOW
                seconds = max(1, int((until - now).total_seconds()))
                minutes = -(-seconds // 60)
                raise LockedOut(
                    f"too many failed sign-ins for {what}; try again in {minutes} minute"
                    f"{'s' if minutes != 1 else ''}, or ask an admin to reset the password",
                    seconds,
                )

    def failures(self, email: str) -> int:
        """Recent failed sign-ins of an account (each one slows the next answer)."""
        since = _stamp(datetime.now(UTC) - WINDOW)
        key = f"account:{email.strip().lower()}"
        sql = "SELECT count(*) FROM signin_failures WHERE key = ? AND at > ?"
        return int(self.db.execute(sql, [key, since]).fetchone()[0])

    def failed(self, email: str, address: str) -> None:
        stamp = _stamp(datetime.now(UTC))
        with self.store.transaction():
            self.db.execute(
                "DELETE FROM signin_failures WHERE at < ?", [_stamp(datetime.now(UTC) - WINDOW)]
            )
            self.db.conn.executemany(
                "INSERT INTO signin_failures (key, at) VALUES (?, ?)",
                [(f"account:{email.strip().lower()}", stamp), (f"address:{address}", stamp)],
            )

    def clear_failures(self, email: str) -> None:
        with self.store.transaction():
            key = f"account:{email.strip().lower()}"
            self.db.execute("DELETE FROM signin_failures WHERE key = ?", [key])

    # -- OpenID Connect sign-ins in flight ----------------------------------------------------

    def save_oidc_state(self, state: str, nonce: str, verifier: str, next_url: str) -> None:
        now = datetime.now(UTC)
        with self.store.transaction():
            self.db.execute(
                "DELETE FROM oidc_states WHERE created_at < ?", [_stamp(now - OIDC_STATE_LIFE)]
            )
            self.db.execute(
                "INSERT INTO oidc_states (state, nonce, verifier, next, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [state, nonce, verifier, next_url, _stamp(now)],
            )

    def take_oidc_state(self, state: str) -> dict[str, Any] | None:
        """The sign-in a callback's state belongs to, once: a replayed state finds nothing."""
        since = _stamp(datetime.now(UTC) - OIDC_STATE_LIFE)
        with self.store.transaction():
            rows = list(
                self.db.query(
                    "SELECT * FROM oidc_states WHERE state = ? AND created_at >= ?", [state, since]
                )
            )
            self.db.execute("DELETE FROM oidc_states WHERE state = ?", [state])
        return rows[0] if rows else None

    # -- sessions -------------------------------------------------------------------------------

    def start_session(
        self, email: str, address: str, hours: float, via: str = "password"
    ) -> tuple[str, Session]:
        """A new session; returns the cookie's secret (shown once) and the session.

        `via` is how the person proved who they are: password, proxy or oidc."""
        user = self.user(email)
        secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.store.transaction():
            self.db.execute(
                "INSERT INTO sessions (id, email, csrf, via, address, created_at, seen_at, "
                "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    digest(secret),
                    user.email,
                    csrf,
                    via,
                    address,
                    _stamp(now),
                    _stamp(now),
                    _stamp(now + timedelta(hours=hours)),
                ],
            )
        return secret, Session(digest(secret), user, csrf, via, _stamp(now))

    def session(self, secret: str) -> Session | None:
        """The live session a cookie's secret opens, with its user as they are now."""
        rows = list(
            self.db.query(
                "SELECT s.id, s.csrf, s.via, s.seen_at, u.* FROM sessions s JOIN users u "
                "ON u.email = s.email WHERE s.id = ? AND s.expires_at > ?",
                [digest(secret), _stamp(datetime.now(UTC))],
            )
        )
        if not rows:
            return None
        row = rows[0]
        return Session(row["id"], _user(row), row["csrf"], row["via"], row["seen_at"])

    def session_alive(self, session_id: str) -> User | None:
        """The user of a session that still holds (by its digest), for open connections."""
        rows = list(
            self.db.query(
                "SELECT u.* FROM sessions s JOIN users u ON u.email = s.email "
                "WHERE s.id = ? AND s.expires_at > ?",
                [session_id, _stamp(datetime.now(UTC))],
            )
        )
        return _user(rows[0]) if rows else None

    def touch_session(self, session_id: str, hours: float) -> None:
        """Slide an active session's expiry (called at most every few minutes per session)."""
        now = datetime.now(UTC)
        with self.store.transaction():
            self.db.execute(
                "UPDATE sessions SET seen_at = ?, expires_at = ? WHERE id = ?",
                [_stamp(now), _stamp(now + timedelta(hours=hours)), session_id],
            )

    def end_session(self, session_id: str) -> None:
        with self.store.transaction():
            self.db.execute("DELETE FROM sessions WHERE id = ?", [session_id])

    def end_sessions(self, email: str) -> int:
        """Sign a person out everywhere (a lost laptop); returns how many sessions ended."""
        with self.store.transaction():
            done = self.db.execute("DELETE FROM sessions WHERE email = ?", [normal_email(email)])
        return max(done.rowcount, 0)

    # -- API tokens -----------------------------------------------------------------------------

    def add_token(
        self, email: str, scope: str, days: int | None = 90, label: str = ""
    ) -> tuple[str, Token]:
        """A new token; returns its secret (shown once, stored only as a digest) and the token."""
        user = self.user(email)
        scope = check_scope(scope)
        if not user.may(scope):
            raise AccountError(f"{user.email} is a {user.role}; a {scope} token would do more")
        if days is not None and days < 1:
            raise AccountError("a token's expiry must be at least one day")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        token_id = secrets.token_hex(6)
        with self.store.transaction():
            self.db.execute(
                "INSERT INTO api_tokens (id, email, scope, hash, label, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    token_id,
                    user.email,
                    scope,
                    digest(secret),
                    label,
                    _stamp(now),
                    _stamp(now + timedelta(days=days)) if days else None,
                ],
            )
        return secret, self._token("t.id = ?", token_id)

    def token(self, secret: str) -> Token | None:
        """The live token a secret names: not revoked, not expired, its owner still there."""
        try:
            token = self._token("t.hash = ?", digest(secret))
        except NotFound:
            return None
        if token.revoked_at or (token.expires_at and token.expires_at <= _stamp(datetime.now(UTC))):
            return None
        return token

    def tokens(self, email: str | None = None) -> list[Token]:
        where, args = ("t.email = ?", [normal_email(email)]) if email else ("1", [])
        sql = f"{_TOKENS} WHERE {where} ORDER BY t.created_at"
        return [_token(r) for r in self.db.query(sql, args)]

    def _token(self, where: str, value: str) -> Token:
        rows = list(self.db.query(f"{_TOKENS} WHERE {where}", [value]))
        if not rows:
            raise NotFound(f"no API token {value!r}")
        return _token(rows[0])

    def revoke_token(self, token_id: str) -> Token:
        self._token("t.id = ?", token_id)
        with self.store.transaction():
            self.db.execute(
                "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                [_stamp(datetime.now(UTC)), token_id],
            )
        return self._token("t.id = ?", token_id)

    def token_used(self, token_id: str) -> None:
        with self.store.transaction():
            self.db.execute(
                "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                [_stamp(datetime.now(UTC)), token_id],
            )


_TOKENS = (
    "SELECT t.id AS token_id, t.scope, t.label, t.created_at AS token_created_at, t.expires_at, "
    "t.last_used_at, t.revoked_at, u.* FROM api_tokens t JOIN users u ON u.email = t.email"
)


def _token(row: Any) -> Token:
    return Token(
        row["token_id"],
        _user(row),
        row["scope"],
        row["label"],
        row["token_created_at"],
        row["expires_at"],
        row["last_used_at"],
        row["revoked_at"],
    )


def new_password_hash(password: str, email: str) -> str:
    """Check a new password against the rules and hash it (PasswordRejected says which rule)."""
    passwords.check(password, email)
    return passwords.hash_password(password)
