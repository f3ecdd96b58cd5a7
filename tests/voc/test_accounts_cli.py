"""`voc-ticker users` and `voc-ticker tokens` as an admin runs them on the server."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from ticker.accounts import Accounts
from ticker.passwords import verify
from ticker.store import Store
from voc.cli import main


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def voc(db: Path, *args: str, stdin: str = "") -> Done:
    """The command in this process, as `voc-ticker ARGS --db DB` with `stdin` piped in."""
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch("sys.stdin", io.StringIO(stdin)),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main([*args, "--db", str(db)])
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    return Done(code, out.getvalue(), err.getvalue())


def test_users_are_added_with_a_password_from_stdin(tmp_path: Path) -> None:
    """The password comes from standard input, is hashed, and signs in; never an argument."""
    db = tmp_path / "voc.db"
    done = voc(db, "users", "add", "Ann@Example.com", "--role", "admin", stdin="tall ships sail\n")
    assert done.returncode == 0 and done.stdout.strip() == "added ann@example.com as admin"
    store = Store(db)
    assert verify(Accounts(store).password_hash("ann@example.com"), "tall ships sail")
    store.close()
    listed = voc(db, "users", "list")
    assert "ann@example.com" in listed.stdout and "admin" in listed.stdout
    assert "--password" not in voc(db, "users", "add", "--help").stdout


def test_a_weak_password_or_a_bad_role_is_one_line(tmp_path: Path) -> None:
    """A refused password or role: one line saying why, exit 1 (2 for argparse), no account."""
    db = tmp_path / "voc.db"
    weak = voc(db, "users", "add", "bo@example.com", "--role", "curator", stdin="password1234\n")
    assert weak.returncode == 1
    assert weak.stderr.strip() == (
        "voc-ticker: that password is one of the most common ones; choose another"
    )
    bad = voc(db, "users", "add", "bo@example.com", "--role", "boss", stdin="x")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    assert voc(db, "users", "list").stdout == ""


def test_roles_change_people_go_and_the_last_admin_stays(tmp_path: Path) -> None:
    """set-role and remove take effect; the only admin cannot be removed."""
    db = tmp_path / "voc.db"
    voc(db, "users", "add", "ann@example.com", "--role", "admin", "--sso")
    voc(db, "users", "add", "bo@example.com", "--role", "viewer", "--sso")
    changed = voc(db, "users", "set-role", "bo@example.com", "curator", "--feeds", "support")
    assert changed.stdout.strip() == "bo@example.com is now curator"
    last = voc(db, "users", "remove", "ann@example.com")
    assert last.returncode == 1 and "last admin" in last.stderr
    assert voc(db, "users", "remove", "bo@example.com").returncode == 0
    store = Store(db)
    assert [u.email for u in Accounts(store).users()] == ["ann@example.com"]
    store.close()


def test_a_token_is_printed_once_and_revoked(tmp_path: Path) -> None:
    """`tokens add` prints the secret alone on stdout (for scripts); list never shows it."""
    db = tmp_path / "voc.db"
    voc(db, "users", "add", "ann@example.com", "--role", "admin", "--sso")
    made = voc(db, "tokens", "add", "--user", "ann@example.com", "--scope", "curate")
    secret = made.stdout.strip()
    assert made.returncode == 0 and secret.startswith("voc_") and "shown this once" in made.stderr
    listed = voc(db, "tokens", "list")
    assert secret not in listed.stdout and "curate" in listed.stdout
    token_id = listed.stdout.split()[0]
    assert voc(db, "tokens", "revoke", token_id).returncode == 0
    store = Store(db)
    assert Accounts(store).token(secret) is None
    store.close()
