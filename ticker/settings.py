"""Settings as data: one frozen dataclass, read from the environment or TOML at the entry point."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "VOC_"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting and the fix."""


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Everything an admin can configure; each field has a default and a help text."""

    db: Path = _setting(Path("voc-ticker.db"), "Path of the SQLite database file.")  # noqa: RUF009
    host: str = _setting("127.0.0.1", "Interface the server listens on.")
    port: int = _setting(
        8000, "TCP port the server listens on; 0 picks free ports (printed at start)."
    )
    allowed_origins: tuple[str, ...] = _setting(
        (),
        "Origins (scheme://host[:port]) allowed to open the stream, comma-separated; the "
        "server's own origin and clients that send no Origin are always allowed; `*` allows any.",
    )
    allowed_hosts: tuple[str, ...] = _setting(
        ("*",),
        "Host names the server answers to, comma-separated (ticker.example.com, *.example.com); "
        "set it in production so that no other DNS name (DNS rebinding) reaches the stream.",
    )
    stream_port: int | None = _setting(
        None,
        "Port of the stream, served by the websockets library's own server in the same process "
        "(the fastest; docs/deployment.md); unset means the HTTP port + 1; 0 serves the stream "
        "on the HTTP port itself, through Starlette (one port, for a few thousand screens).",
    )
    client_backlog_kb: int = _setting(
        256,
        "KiB waiting to be sent to one client before it is dropped as too slow (it reconnects).",
    )
    display_chars: int = _setting(
        1000, "Characters of a comment sent to tickers; longer ones end in an ellipsis."
    )
    max_message_bytes: int = _setting(
        4096, "Largest websocket frame a client may send; bigger ones close the socket (1009)."
    )
    heartbeat_seconds: float = _setting(20.0, "Seconds between heartbeats on each stream.")
    watch_seconds: float = _setting(
        0.05, "How often the server checks the database for changes made by other processes."
    )
    phone_regions: tuple[str, ...] = _setting(
        ("US", "GB", "DE", "FR"),
        "Regions whose phone-number formats are masked in comments (ISO codes, comma-separated).",
    )
    mask_patterns: tuple[str, ...] = _setting(
        (),
        "Your own things to mask, as NAME=REGEX (e.g. order=ORD-\\d{6}); a list in the TOML file "
        "when a regex holds a comma.",
    )
    score_chars: int = _setting(
        2000, "Characters of a comment that the tagger scores (the whole text is always stored)."
    )
    tag_workers: int = _setting(
        0, "Processes that tag comments during a large import; 0 means one per CPU core."
    )
    trickle_seconds: float = _setting(4.0, "Seconds between comments trickled in by `demo`.")
    pull_in_server: bool = _setting(
        True,
        "Run the scheduled pulls (`every`/`cron` sources) in the server; false when a "
        "`voc-ticker worker` process runs them, e.g. beside several server processes.",
    )
    outlet_timeout_seconds: float = _setting(
        10.0, "Seconds a Slack or Teams webhook has to answer before the message is retried."
    )
    outlet_retry_seconds: float = _setting(
        30.0,
        "First wait before a Slack or Teams message that failed (5xx, timeout) is tried again; "
        "doubled with each try, four tries in all.",
    )
    outlet_poll_seconds: float = _setting(
        15.0, "How often outlets with `instant_ugly` look for new ugly comments to post."
    )
    session_hours: float = _setting(
        12.0, "Hours a console session lasts without use; each use extends it."
    )
    signin_delay_seconds: float = _setting(
        0.5,
        "Delay added to the answer of a failed sign-in, doubled with each further failure "
        "(up to 8 s), before the account or address is locked for 15 minutes.",
    )
    trusted_proxies: tuple[str, ...] = _setting(
        (),
        "Addresses or networks (10.0.0.5, 10.1.0.0/16) of an identity-aware proxy whose "
        "`proxy_header` names the signed-in person; the header from any other address is ignored.",
    )
    proxy_header: str = _setting(
        "X-Forwarded-Email", "Header in which a trusted proxy names the signed-in person's email."
    )
    external_role: str = _setting(
        "",
        "Role given to a person a trusted proxy or OpenID Connect signs in who has no account "
        "yet (viewer, curator, admin); empty: none, an admin adds them first.",
    )
    oidc_issuer: str = _setting(
        "",
        "OpenID Connect issuer for console sign-in (https://login.microsoftonline.com/TENANT/v2.0, "
        "https://ACCOUNT.okta.com, https://accounts.google.com, a Keycloak realm); empty: off.",
    )
    oidc_client_id: str = _setting("", "The console's client id at the OpenID provider.")
    oidc_client_secret_env: str = _setting(
        "VOC_OIDC_CLIENT_SECRET",
        "Environment variable holding the client secret (unset: a public client, PKCE only).",
    )
    oidc_label: str = _setting("single sign-on", "What the sign-in button calls the provider.")
    oidc_role_claim: str = _setting(
        "groups", "ID token claim whose values `oidc_roles` maps to roles (groups, roles)."
    )
    oidc_roles: tuple[str, ...] = _setting(
        (),
        "CLAIM_VALUE=role pairs, comma-separated (cx-admins=admin,cx-team=curator); the highest "
        "role matched is given at each sign-in. No match: the role an admin gave, or "
        "`external_role`.",
    )
    public_url: str = _setting(
        "",
        "The console's address as people reach it (https://voc.example.com), for the OpenID "
        "redirect; empty: the address of each request.",
    )
    display_token_check_seconds: float = _setting(
        15.0,
        "How often open screens are checked against revoked display tokens: a revoked token's "
        "screens go dark within this time (at once when revoked on this server).",
    )
    screen_heartbeat_seconds: float = _setting(
        30.0, "Seconds between a registered screen's heartbeats (it is online while they come)."
    )
    screen_offline_minutes: float = _setting(
        10.0, "Minutes a registered screen may be offline before the console flags it as lost."
    )
    redis_url: str = _setting(
        "",
        "Redis for stream edges (redis://host:6379/0): the server, as origin, writes each feed's "
        "snapshot and changes there for `voc-ticker edge` processes to serve; empty: one process.",
    )
    stream_url: str = _setting(
        "",
        "Where screens stream from when that is another host than the pages' "
        "(wss://screens.example.com, the edges' name); empty: the host the page came from.",
    )
    log_level: str = _setting("info", "Log level: debug, info, warning or error.")

    @classmethod
    def load(
        cls, config: Path | None = None, env: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        """Build settings from a TOML file, then the environment, then explicit overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        config = config or (Path(env["VOC_CONFIG"]) if env.get("VOC_CONFIG") else None)
        if config is not None:
            try:
                values.update(tomllib.loads(config.read_text(encoding="utf-8")))
                values.pop("sources", None)  # ticker/sources.py reads those tables
                values.pop("outlets", None)  # and ticker/outlets.py these
            except OSError as exc:
                raise SettingsError(f"cannot read config file {config}: {exc.strerror}") from exc
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"config file {config} is not valid TOML: {exc}") from exc
        for f in dataclasses.fields(cls):
            name = ENV_PREFIX + f.name.upper()
            if name in env:
                values[f.name] = env[name]
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = sorted(set(values) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(unknown)}; see the README's table")
        hints = typing.get_type_hints(cls)
        return cls(**{k: _coerce(k, hints[k], v) for k, v in values.items()})

    @property
    def stream_at(self) -> int:
        """The port the websockets server streams on; 0 when the HTTP port serves the stream."""
        return self.port + 1 if self.stream_port is None else self.stream_port

    @staticmethod
    def describe() -> list[tuple[str, str, str, str]]:
        """Rows of (setting, environment variable, default, help) for docs and `--help`."""
        rows = []
        for f in dataclasses.fields(Settings):
            default = f.default
            shown = ",".join(default) if isinstance(default, tuple) else str(default)
            shown = "" if default is None else shown
            rows.append((f.name, ENV_PREFIX + f.name.upper(), shown, f.metadata["help"]))
        return rows


_PORTS = ("port", "stream_port")


def _coerce(name: str, kind: Any, value: Any) -> Any:
    try:
        if kind is Path:
            return Path(value)
        if kind is bool:
            return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
        if kind in (int, float):
            result = kind(value)
            if result < 0:
                raise ValueError("must not be negative")
            if name in _PORTS and result > 65535:
                raise ValueError("a port is 0-65535")
            return result
        if typing.get_origin(kind) is tuple:
            items = value.split(",") if isinstance(value, str) else list(value)
            found = tuple(str(i).strip() for i in items if str(i).strip())
            # An origin has no path: "https://b.example/" is "https://b.example". Other lists
            # keep every character (a mask pattern may well end in "/").
            if name == "trusted_proxies":
                for network in found:
                    ipaddress.ip_network(network, strict=False)  # ValueError names it
            return tuple(i.rstrip("/") for i in found) if name == "allowed_origins" else found
        if isinstance(kind, types.UnionType) and int in typing.get_args(kind):  # stream_port
            return None if value in (None, "") else _coerce(name, int, value)
        if name == "external_role" and value not in ("", "viewer", "curator", "admin"):
            raise ValueError("is one of viewer, curator, admin, or empty for none")
        if name == "stream_url":
            if value and not str(value).startswith(("ws://", "wss://")):
                raise ValueError("is a websocket address, wss://host[:port], or empty")
            return str(value).rstrip("/")
        if isinstance(kind, types.UnionType) or kind is str:
            return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name}={value!r} is not valid: {exc}") from exc
    return value
