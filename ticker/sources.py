"""Sources in one file: the `[sources.NAME]` tables of voc-ticker.toml.

A source names its adapter, which questions hold comments and scores, and the environment
variable that holds its secret. Secrets are read from the environment when needed and never
stored in the database or written to a log.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ticker.records import SCALES
from ticker.settings import SettingsError

# What an adapter may need of its source, and what to say when a source lacks it.
NEEDS = {
    "url": "url must be the API's address",
    "user": "user must name the account the token belongs to",
    "survey": "survey must be the id of the survey to pull",
}


class AdapterSpec(Protocol):
    """What checking a source needs to know of its adapter (ingest/registry.py holds them)."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...  # "export", "pull" or "webhook"

    @property
    def needs(self) -> Mapping[str, str]: ...  # a key of NEEDS -> an example value


@dataclass(frozen=True)
class Source:
    """One configured source."""

    name: str
    adapter: str
    secret_env: str
    text: tuple[str, ...] = ()  # question ids or refs whose answers are comments
    score: str | None = None  # question id or ref holding the score
    scale: str | None = None
    url: str | None = None  # an API's base URL (an account's own host, a region's)
    user: str | None = None  # the account the API token belongs to
    survey: str | None = None  # the survey (or form) an API source pulls
    meta: tuple[tuple[str, str], ...] | None = None  # (label, field) kept as metadata
    every: float | None = None  # pull every so many seconds while the server runs…
    cron: str | None = None  # …or on a crontab schedule ("*/15 * * * *")

    def pick(self, available: Mapping[str, Any], default: Mapping[str, str]) -> dict[str, str]:
        """The metadata to keep: the fields `meta` names, under their labels, or the adapter's
        default; the question's wording stays either way."""
        if self.meta is None:
            return dict(default)
        kept = {
            label: str(available[name])
            for label, name in self.meta
            if available.get(name) not in (None, "") and not isinstance(available[name], dict)
        }
        if "question" in default:
            kept["question"] = default["question"]
        return kept

    def secret(self, env: Mapping[str, str] | None = None) -> str:
        """The secret from the environment; SettingsError names the variable if it is unset."""
        value = (os.environ if env is None else env).get(self.secret_env, "")
        if not value:
            raise SettingsError(
                f"source {self.name!r}: environment variable {self.secret_env} is not set"
            )
        return value


def load_sources(config: Path | None, adapters: Mapping[str, AdapterSpec]) -> dict[str, Source]:
    """The sources of a config file (none without one), each naming one of `adapters`;
    SettingsError says what is wrong."""
    tables = config_tables(config, "sources", "source (docs/sources.md)")
    return {name: _source(name, table, adapters) for name, table in tables.items()}


def config_tables(config: Path | None, key: str, each: str) -> dict[str, Any]:
    """The `[KEY.NAME]` tables of a config file (none without one); SettingsError says what
    is wrong, `each` naming what one table is."""
    if config is None:
        return {}
    try:
        tables = tomllib.loads(config.read_text(encoding="utf-8")).get(key, {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read {key} from {config}: {exc}") from None
    if not isinstance(tables, dict):
        raise SettingsError(f"{config}: {key} must be tables, one [{key}.NAME] per {each}")
    return tables


def _source(name: str, table: Any, adapters: Mapping[str, AdapterSpec]) -> Source:
    where = f"[sources.{name}]"
    if not isinstance(table, dict):
        raise SettingsError(f"{where} must be a table")
    keys = {
        "adapter",
        "secret_env",
        "text",
        "score",
        "scale",
        "url",
        "user",
        "survey",
        "meta",
        "every",
        "cron",
    }
    unknown = set(table) - keys
    if unknown:
        raise SettingsError(f"{where}: unknown key(s) {sorted(unknown)}")
    adapter = table.get("adapter")
    if not isinstance(adapter, str) or adapter not in adapters:
        raise SettingsError(f"{where}: adapter {adapter!r} must be one of {', '.join(adapters)}")
    needs = adapters[adapter].needs
    secret_env = table.get("secret_env")
    if not isinstance(secret_env, str) or not secret_env:
        raise SettingsError(f"{where}: secret_env must name the environment variable of its secret")
    text = table.get("text", [])
    if not isinstance(text, list) or not all(isinstance(t, str | int) for t in text):
        raise SettingsError(f"{where}: text must be a list of question ids or refs")
    scale = table.get("scale")
    if scale is not None and (not isinstance(scale, str) or scale not in SCALES):
        raise SettingsError(f"{where}: scale {scale!r} must be nps, csat5 or stars5")
    url, user, survey = table.get("url"), table.get("user"), _id(table.get("survey"))
    given = {"url": url, "user": user, "survey": survey}
    for key, problem in NEEDS.items():  # in this order, whatever order the adapter names them
        value = given[key]
        asked = key in needs or (key == "url" and value is not None)
        if asked and not _usable(key, value):
            raise SettingsError(f"{where}: {problem}, e.g. {needs.get(key, 'https://…')}")
    if isinstance(url, str):
        url = url.rstrip("/")
    every, cron = table.get("every"), table.get("cron")
    if every is not None and (not isinstance(every, int | float) or every < 1):
        raise SettingsError(f"{where}: every must be a number of seconds, 1 or more")
    if cron is not None and (not isinstance(cron, str) or len(cron.split()) != 5):
        raise SettingsError(f'{where}: cron must be a crontab line like "*/15 * * * *"')
    if (every is not None or cron is not None) and adapters[adapter].kind != "pull":
        raise SettingsError(f"{where}: only API sources are pulled on a schedule")
    meta = _meta(where, table.get("meta"))
    score = _id(table.get("score"))
    if score is not None and not isinstance(score, str):
        raise SettingsError(f"{where}: score must be a question id or ref")
    return Source(
        name,
        adapter,
        secret_env,
        tuple(str(t) for t in text),
        score,
        scale,
        url,
        user,
        survey,
        meta,
        every,
        cron,
    )


def _meta(where: str, value: Any) -> tuple[tuple[str, str], ...] | None:
    """`meta = ["plan", "store"]` keeps fields under their names; `meta = {store = "q7"}`
    under a label of your choosing (what a feed's display shows)."""
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return tuple((str(v), str(v)) for v in value)
    if isinstance(value, dict) and all(isinstance(v, str | int) for v in value.values()):
        return tuple((str(k), str(v)) for k, v in value.items())
    raise SettingsError(
        f'{where}: meta must list fields (["plan"]) or label them ({{store = "q7"}})'
    )


def _usable(key: str, value: Any) -> bool:
    """A needed key's value is there and of its kind: an http(s) address, a non-blank id."""
    if key == "url":
        return isinstance(value, str) and value.startswith(("https://", "http://"))
    return isinstance(value, str) and bool(value.strip())


def _id(value: Any) -> Any:
    """Survey and question ids as text: some platforms' are numbers people write unquoted."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def health(
    configured: Mapping[str, Source], seen: Mapping[str, dict[str, Any]], env: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Each source's state for `voc-ticker sources` and /api/sources.

    `ok`: it has brought comments and its last problem (if any) is older than its last import,
    or its last pull read everything and quarantined nothing; `degraded`: its latest rows went
    to quarantine, or its last pull failed; `auth failed`: the platform refused its
    credentials; `waiting`: nothing received yet; `misconfigured`: its secret's environment
    variable is not set.
    """
    rows = []
    for name in sorted(set(configured) | set(seen)):
        info = dict(seen.get(name, {"name": name, "comments": 0, "quarantined": 0}))
        info["name"] = name
        source = configured.get(name)
        if source is not None:
            info["adapter"] = source.adapter
        last_ok, last_bad = info.get("last_ingest_at") or "", info.get("last_error_at") or ""
        pulled = info.get("last_pull_at") or ""
        if source is not None and not env.get(source.secret_env):
            info["status"] = "misconfigured"
            info["last_error"] = f"environment variable {source.secret_env} is not set"
        elif pulled and pulled >= last_bad:  # the last pull says how the source is now
            info["status"] = "degraded" if info.get("last_pull_quarantined") else "ok"
        elif str(info.get("last_error") or "").startswith("auth:") and last_bad >= last_ok:
            info["status"] = "auth failed"  # stopped until someone fixes the credentials
        elif not info.get("comments") and not last_bad:
            info["status"] = "waiting"
        elif last_bad and last_bad >= last_ok:
            info["status"] = "degraded"
        else:
            info["status"] = "ok"
        rows.append(info)
    return rows
