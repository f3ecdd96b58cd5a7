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
from typing import Any

from ticker.records import SCALES
from ticker.settings import SettingsError

ADAPTERS = (
    "webhook",
    "typeform-webhook",
    "formbricks-webhook",
    "delighted-webhook",
    "zendesk",
    "delighted",
    "qualtrics",
    "surveymonkey",
    "typeform",
)
PULLED = ("zendesk", "delighted", "qualtrics", "surveymonkey", "typeform")  # fetched from an API
URL_NEEDED = {  # an account's own address (no shared API host)
    "zendesk": "https://acme.zendesk.com",
    "qualtrics": "https://iad1.qualtrics.com (your datacenter)",
}
USER_NEEDED = ("zendesk",)  # the account the token belongs to
SURVEY_NEEDED = {"qualtrics": "SV_…", "surveymonkey": "123456789", "typeform": "lT9Z2j (form id)"}


@dataclass(frozen=True)
class Source:
    """One configured source."""

    name: str
    adapter: str
    secret_env: str
    text: tuple[str, ...] = ()  # question ids or refs whose answers are comments
    score: str | None = None  # question id or ref holding the score
    scale: str | None = None
    url: str | None = None  # an API's base URL, e.g. https://acme.zendesk.com
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


def load_sources(config: Path | None) -> dict[str, Source]:
    """The sources of a config file (none without one); SettingsError says what is wrong."""
    if config is None:
        return {}
    try:
        tables = tomllib.loads(config.read_text(encoding="utf-8")).get("sources", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read sources from {config}: {exc}") from None
    return {name: _source(name, table) for name, table in tables.items()}


def _source(name: str, table: Any) -> Source:
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
    if adapter not in ADAPTERS:
        raise SettingsError(f"{where}: adapter {adapter!r} must be one of {', '.join(ADAPTERS)}")
    secret_env = table.get("secret_env")
    if not isinstance(secret_env, str) or not secret_env:
        raise SettingsError(f"{where}: secret_env must name the environment variable of its secret")
    text = table.get("text", [])
    if not isinstance(text, list) or not all(isinstance(t, str | int) for t in text):
        raise SettingsError(f"{where}: text must be a list of question ids or refs")
    scale = table.get("scale")
    if scale is not None and scale not in SCALES:
        raise SettingsError(f"{where}: scale {scale!r} must be nps, csat5 or stars5")
    url, user = table.get("url"), table.get("user")
    if adapter in URL_NEEDED or url is not None:
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            example = URL_NEEDED.get(adapter, "https://…")
            raise SettingsError(f"{where}: url must be the API's address, e.g. {example}")
        url = url.rstrip("/")
    if adapter in USER_NEEDED and (not isinstance(user, str) or not user):
        raise SettingsError(f"{where}: user must name the account the token belongs to")
    survey = _id(table.get("survey"))
    if adapter in SURVEY_NEEDED and (not isinstance(survey, str) or not survey.strip()):
        raise SettingsError(
            f"{where}: survey must be the id of the survey to pull, e.g. {SURVEY_NEEDED[adapter]}"
        )
    every, cron = table.get("every"), table.get("cron")
    if every is not None and (not isinstance(every, int | float) or every < 1):
        raise SettingsError(f"{where}: every must be a number of seconds, 1 or more")
    if cron is not None and (not isinstance(cron, str) or len(cron.split()) != 5):
        raise SettingsError(f'{where}: cron must be a crontab line like "*/15 * * * *"')
    if (every is not None or cron is not None) and adapter not in PULLED:
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


def _id(value: Any) -> Any:
    """Survey and question ids as text: SurveyMonkey's are numbers people write unquoted."""
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
