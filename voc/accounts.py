"""`voc-ticker users …` and `voc-ticker tokens …`: accounts from the server's command line.

A password is read from standard input (a prompt on a terminal, a line from a pipe), never
from an argument, which any user of the machine could read in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from ticker.accounts import ROLES, SCOPES, AccountError, Accounts, new_password_hash
from ticker.passwords import PasswordRejected
from ticker.settings import Settings
from ticker.store import Store

Command = Callable[..., argparse.ArgumentParser]


class AccountCommandError(Exception):
    """A failure the user can fix (printed as one line by the command)."""


def add_commands(command: Command) -> None:
    c = command(
        "users", _users, "People who may use the console: add, list, remove, set-role.", db=False
    )
    verbs = _Verbs(c)
    add = verbs.add_parser("add", help="add a person; the password is read from standard input")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument(
        "--feeds", default="", help="a curator's feeds, comma-separated (all if unset)"
    )
    add.add_argument(
        "--sso", action="store_true", help="no password: signs in through the proxy or OpenID"
    )
    verbs.add_parser("list", help="everyone with an account")
    rm = verbs.add_parser("remove", help="remove a person; their sessions and tokens end")
    rm.add_argument("email")
    role = verbs.add_parser("set-role", help="change a role (takes effect at once)")
    role.add_argument("email")
    role.add_argument("role", choices=ROLES)
    role.add_argument("--feeds", default=None, help="a curator's feeds, comma-separated")
    pw = verbs.add_parser("set-password", help="a new password, read from standard input")
    pw.add_argument("email")
    out = verbs.add_parser("sign-out", help="end every session of a person (a lost laptop)")
    out.add_argument("email")

    c = command(
        "tokens", _tokens, "API tokens for scripts: add (printed once), list, revoke.", db=False
    )
    verbs = _Verbs(c)
    add = verbs.add_parser("add", help="make a token and print it (shown this once)")
    add.add_argument("--user", required=True, help="whose token (their role caps its scope)")
    add.add_argument("--scope", required=True, choices=SCOPES)
    add.add_argument("--days", type=int, default=90, help="expires after this many days (90)")
    add.add_argument("--label", default="", help="what uses it")
    verbs.add_parser("list", help="every token (never their secrets)")
    rv = verbs.add_parser("revoke", help="revoke a token by its id")
    rv.add_argument("id")


class _Verbs:
    """The verbs of a command, each taking --db after it (`users add EMAIL --db F`)."""

    def __init__(self, parent: argparse.ArgumentParser) -> None:
        self._sub = parent.add_subparsers(dest="verb", required=True, metavar="VERB")

    def add_parser(self, name: str, help: str) -> argparse.ArgumentParser:
        verb = self._sub.add_parser(name, help=help, description=help)
        verb.add_argument(
            "--db", type=Path, help="SQLite database (default: $VOC_DB or voc-ticker.db)"
        )
        return verb


def _password(email: str) -> str:
    """A new password from standard input: asked twice on a terminal, one line from a pipe."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"Password for {email}: ")
        if getpass.getpass("Again: ") != first:
            raise AccountCommandError("the two passwords differ; nothing changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _feeds(raw: str | None) -> tuple[str, ...] | None:
    return None if raw is None else tuple(f.strip() for f in raw.split(",") if f.strip())


def _users(args: argparse.Namespace, settings: Settings) -> int:
    with closing(Store(settings.db)) as store:
        accounts = Accounts(store)
        try:
            return _user_verb(args, accounts)
        except (AccountError, PasswordRejected) as exc:
            raise AccountCommandError(str(exc)) from None


def _user_verb(args: argparse.Namespace, accounts: Accounts) -> int:
    if args.verb == "list":
        for u in accounts.users():
            feeds = f" feeds={','.join(u.feeds)}" if u.feeds else ""
            print(f"{u.email:<36} {u.role:<8} {u.origin:<8} since {u.created_at}{feeds}")
        return 0
    if args.verb == "add":
        digest = None if args.sso else new_password_hash(_password(args.email), args.email)
        origin = "external" if args.sso else "local"
        user = accounts.add_user(args.email, args.role, digest, origin, _feeds(args.feeds) or ())
        print(f"added {user.email} as {user.role}")
    elif args.verb == "remove":
        accounts.remove_user(args.email)
        print(f"removed {args.email}: their sessions and tokens ended")
    elif args.verb == "set-role":
        user = accounts.set_role(args.email, args.role, _feeds(args.feeds))
        print(f"{user.email} is now {user.role}")
    elif args.verb == "set-password":
        user = accounts.user(args.email)
        accounts.set_password(user.email, new_password_hash(_password(user.email), user.email))
        ended = accounts.end_sessions(user.email)
        print(f"new password for {user.email}; {ended} session(s) signed out")
    elif args.verb == "sign-out":
        print(f"{accounts.end_sessions(args.email)} session(s) of {args.email} ended")
    return 0


def _tokens(args: argparse.Namespace, settings: Settings) -> int:
    with closing(Store(settings.db)) as store:
        accounts = Accounts(store)
        try:
            if args.verb == "add":
                secret, token = accounts.add_token(args.user, args.scope, args.days, args.label)
                print(secret)
                print(
                    f"token {token.id} for {token.user.email}, scope {token.scope}, expires "
                    f"{token.expires_at or 'never'}; shown this once",
                    file=sys.stderr,
                )
            elif args.verb == "list":
                for t in accounts.tokens():
                    _print_token(t.to_dict())
            else:
                revoked = accounts.revoke_token(args.id)
                print(f"revoked token {revoked.id} of {revoked.user.email}")
        except AccountError as exc:
            raise AccountCommandError(str(exc)) from None
    return 0


def _print_token(t: dict[str, Any]) -> None:
    state = f"revoked {t['revoked_at']}" if t["revoked_at"] else f"expires {t['expires_at']}"
    print(f"{t['id']}  {t['email']:<32} {t['scope']:<7} {state:<32} used {t['last_used_at']}")
