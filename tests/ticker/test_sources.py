"""Sources in the config file: each mistake named, secrets only from the environment, and no
platform known to the core (the adapters here are stand-ins; ingest/registry.py has the real)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ticker.settings import Settings, SettingsError
from ticker.sources import AdapterSpec, Source, load_sources


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str
    needs: Mapping[str, str] = field(default_factory=dict)


ADAPTERS: dict[str, AdapterSpec] = {
    s.name: s
    for s in (
        Spec("hook", "webhook"),
        Spec("hosted", "pull", {"survey": "F-12 (form id)"}),
        Spec(
            "account",
            "pull",
            {"survey": "S1", "user": "bot@acme.example", "url": "https://a.example"},
        ),
        Spec("files", "export"),
    )
}

GOOD = """
port = 9000

[sources.kiosk]
adapter = "hook"
secret_env = "KIOSK_SECRET"

[sources.fb]
adapter = "hook"
secret_env = "FB_SECRET"
text = ["q2"]
score = "q1"
scale = "csat5"
"""


def load(tmp_path: Path, text: str) -> dict[str, Source]:
    config = tmp_path / "voc-ticker.toml"
    config.write_text(text)
    return load_sources(config, ADAPTERS)


def test_sources_and_settings_share_one_file(tmp_path: Path) -> None:
    """The same voc-ticker.toml holds settings and [sources.NAME] tables."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text(GOOD)
    assert Settings.load(config, env={}).port == 9000
    assert load_sources(config, ADAPTERS)["fb"] == Source(
        "fb", "hook", "FB_SECRET", ("q2",), "q1", "csat5"
    )


def test_no_config_file_has_no_sources() -> None:
    """Without a config file there are no sources, whatever the adapters."""
    assert load_sources(None, ADAPTERS) == {}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('adapter = "smoke-signals"\nsecret_env = "X"', "adapter 'smoke-signals' must be one of"),
        ('adapter = ["hook"]\nsecret_env = "X"', r"adapter \['hook'\] must be one of hook, "),
        ('adapter = "hook"', "secret_env must name"),
        ('adapter = "hook"\nsecret_env = "X"\nsecret = "hunter2"', "unknown key"),
        ('adapter = "hook"\nsecret_env = "X"\ntext = "q1"', "text must be a list"),
        ('adapter = "hook"\nsecret_env = "X"\nscale = "percent"', "scale 'percent'"),
        ('adapter = "hook"\nsecret_env = "X"\nscale = ["nps"]', r"scale \['nps'\] must be"),
        ('adapter = "hook"\nsecret_env = "X"\nmeta = "plan"', "meta must list fields"),
        ('adapter = "hook"\nsecret_env = "X"\nurl = "ftp://x"', "url must be the API's address"),
        (
            'adapter = "hosted"\nsecret_env = "X"',
            "survey must be the id of the survey to pull, e.g. F-12 \\(form id\\)",
        ),
        ('adapter = "hosted"\nsecret_env = "X"\nsurvey = " "', "survey must be the id"),
    ],
)
def test_each_mistake_is_named(tmp_path: Path, table: str, message: str) -> None:
    """A bad source table says which source and what to change."""
    with pytest.raises(SettingsError, match=r"\[sources\.s\]: " + message):
        load(tmp_path, f"[sources.s]\n{table}\n")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('survey = "S1"\nuser = "b@a"', "url must be the API's address, e.g. https://a.example"),
        (
            'survey = "S1"\nurl = "https://a.example"',
            "user must name the account the token belongs to, e.g. bot@acme.example",
        ),
        ('url = "https://a.example"\nuser = "b@a"', "survey must be the id of the survey to pull"),
    ],
)
def test_what_an_adapter_needs_is_asked_for_with_its_example(
    tmp_path: Path, table: str, message: str
) -> None:
    """Each key an adapter needs is refused when missing, with the adapter's own example, url
    first, then user, then survey, whatever order the adapter lists them in."""
    with pytest.raises(SettingsError, match=message):
        load(tmp_path, f'[sources.s]\nadapter = "account"\nsecret_env = "X"\n{table}\n')


def test_a_needed_url_loses_its_trailing_slash(tmp_path: Path) -> None:
    """`https://a.example/` and `https://a.example` are the same API."""
    found = load(
        tmp_path,
        '[sources.s]\nadapter = "account"\nsecret_env = "X"\nsurvey = 7\n'
        'user = "b@a"\nurl = "https://a.example/"\n',
    )
    assert (found["s"].url, found["s"].survey) == ("https://a.example", "7")


def test_meta_as_a_list_or_with_labels(tmp_path: Path) -> None:
    """A list keeps fields under their names, a table under labels; numeric ids may be
    written unquoted."""
    found = load(
        tmp_path,
        '[sources.a]\nadapter = "hook"\nsecret_env = "X"\nmeta = ["plan"]\n'
        '[sources.b]\nadapter = "hosted"\nsecret_env = "X"\nsurvey = 152299962\n'
        "meta = {store = 503}\n",
    )
    assert found["a"].meta == (("plan", "plan"),)
    assert (found["b"].meta, found["b"].survey) == ((("store", "503"),), "152299962")
    assert found["b"].pick({"503": "Paris", "x": "y"}, {"question": "Why?"}) == {
        "store": "Paris",
        "question": "Why?",
    }


def test_a_secret_comes_only_from_the_environment() -> None:
    """An unset variable is named in the error; its value is read when needed."""
    source = Source("kiosk", "hook", "KIOSK_SECRET")
    assert source.secret({"KIOSK_SECRET": "s3cret"}) == "s3cret"
    with pytest.raises(SettingsError, match="KIOSK_SECRET is not set"):
        source.secret({})


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("every = 0.5", "every must be a number of seconds"),
        ('cron = "every hour"', "cron must be a crontab line"),
    ],
)
def test_schedules_are_checked(tmp_path: Path, extra: str, message: str) -> None:
    """A schedule that cannot run is refused when the config is read."""
    with pytest.raises(SettingsError, match=message):
        load(
            tmp_path, f'[sources.s]\nadapter = "hosted"\nsecret_env = "X"\nsurvey = "F"\n{extra}\n'
        )


@pytest.mark.parametrize("adapter", ["hook", "files"])
def test_only_pulled_sources_have_schedules(tmp_path: Path, adapter: str) -> None:
    """A webhook is pushed to and an export imported, never pulled."""
    with pytest.raises(SettingsError, match="only API sources"):
        load(tmp_path, f'[sources.s]\nadapter = "{adapter}"\nsecret_env = "X"\nevery = 60\n')
