"""Sources in the config file: each mistake named, secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticker.redact import Redactor
from ticker.settings import Settings, SettingsError
from ticker.sources import ADAPTERS, Source, load_sources

GOOD = """
port = 9000

[sources.kiosk]
adapter = "webhook"
secret_env = "KIOSK_SECRET"

[sources.fb]
adapter = "formbricks-webhook"
secret_env = "FB_SECRET"
text = ["q2"]
score = "q1"
scale = "csat5"
"""


def test_sources_and_settings_share_one_file(tmp_path: Path) -> None:
    """The same voc-ticker.toml holds settings and [sources.NAME] tables."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text(GOOD)
    assert Settings.load(config, env={}).port == 9000
    assert load_sources(config)["fb"] == Source(
        "fb", "formbricks-webhook", "FB_SECRET", ("q2",), "q1", "csat5"
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('adapter = "smoke-signals"\nsecret_env = "X"', "adapter 'smoke-signals' must be one of"),
        ('adapter = "webhook"', "secret_env must name"),
        ('adapter = "webhook"\nsecret_env = "X"\nsecret = "hunter2"', "unknown key"),
        ('adapter = "webhook"\nsecret_env = "X"\ntext = "q1"', "text must be a list"),
        ('adapter = "webhook"\nsecret_env = "X"\nscale = "percent"', "scale 'percent'"),
        ('adapter = "webhook"\nsecret_env = "X"\nmeta = "plan"', "meta must list fields"),
        ('adapter = "typeform"\nsecret_env = "X"', "survey must be the id"),
        ('adapter = "qualtrics"\nsecret_env = "X"\nsurvey = "SV_1"', "url must be"),
    ],
)
def test_each_mistake_is_named(tmp_path: Path, table: str, message: str) -> None:
    """A bad source table says which source and what to change."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text(f"[sources.s]\n{table}\n")
    with pytest.raises(SettingsError, match=r"\[sources\.s\].*" + message.replace("(", r"\(")):
        load_sources(config)


def test_meta_as_a_list_or_with_labels(tmp_path: Path) -> None:
    """A list keeps fields under their names, a table under labels; SurveyMonkey's numeric
    ids may be written unquoted."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text(
        '[sources.a]\nadapter = "webhook"\nsecret_env = "X"\nmeta = ["plan"]\n'
        '[sources.b]\nadapter = "surveymonkey"\nsecret_env = "X"\nsurvey = 152299962\n'
        "meta = {store = 503}\n"
    )
    found = load_sources(config)
    assert found["a"].meta == (("plan", "plan"),)
    assert (found["b"].meta, found["b"].survey) == ((("store", "503"),), "152299962")
    assert found["b"].pick({"503": "Paris", "x": "y"}, {"question": "Why?"}) == {
        "store": "Paris",
        "question": "Why?",
    }


def test_a_secret_comes_only_from_the_environment() -> None:
    """An unset variable is named in the error; its value is read when needed."""
    source = Source("kiosk", "webhook", "KIOSK_SECRET")
    assert source.secret({"KIOSK_SECRET": "s3cret"}) == "s3cret"
    with pytest.raises(SettingsError, match="KIOSK_SECRET is not set"):
        source.secret({})


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('adapter = "zendesk"\nsecret_env = "ZD"\nuser = "a@b.c"', "url must be the API's address"),
        (
            'adapter = "zendesk"\nsecret_env = "ZD"\nurl = "https://acme.zendesk.com"',
            "user must name",
        ),
    ],
)
def test_api_sources_need_their_address_and_account(
    tmp_path: Path, table: str, message: str
) -> None:
    """A pulled source without url or user is refused with what to add."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text(f"[sources.s]\n{table}\n")
    with pytest.raises(SettingsError, match=message):
        load_sources(config)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("every = 0.5", "every must be a number of seconds"),
        ('cron = "every hour"', "cron must be a crontab line"),
    ],
)
def test_schedules_are_checked(tmp_path: Path, extra: str, message: str) -> None:
    """A schedule that cannot run is refused when the config is read."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text(
        f'[sources.s]\nadapter = "zendesk"\nsecret_env = "ZD"\nurl = "https://a.zendesk.com"\nuser = "a@b.c"\n{extra}\n'
    )
    with pytest.raises(SettingsError, match=message):
        load_sources(config)


def test_only_api_sources_have_schedules(tmp_path: Path) -> None:
    """A webhook is pushed to, never pulled."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text('[sources.s]\nadapter = "webhook"\nsecret_env = "X"\nevery = 60\n')
    with pytest.raises(SettingsError, match="only API sources"):
        load_sources(config)


def test_the_example_config_loads() -> None:
    """voc-ticker.example.toml, the documented example, is valid for settings and sources."""
    example = Path(__file__).resolve().parents[2] / "voc-ticker.example.toml"
    settings = Settings.load(example, env={})
    sources = load_sources(example)
    assert (
        settings.allowed_hosts == ("ticker.example.com",)
        and settings.mask_patterns[0] == "order=ORD-\\d{6}"
    )
    assert Redactor(patterns=settings.mask_patterns).mask("ORD-123456 lost")[0] == "[order] lost"
    assert {s.adapter for s in sources.values()} == set(ADAPTERS)  # one of every adapter
