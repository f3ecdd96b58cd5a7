"""The one registry of adapters: each declared once, with what it needs, and documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import delighted, registry, typeform, webhooks, zendesk
from ingest.adapter import Pull, Webhook
from ingest.registry import ADAPTERS, PULLED, WEBHOOKS, load_sources, pulled, webhook
from tests.conftest import ROOT
from ticker.redact import Redactor
from ticker.settings import Settings, SettingsError
from ticker.sources import NEEDS, Source


def test_the_example_config_loads_with_one_of_every_adapter() -> None:
    """voc-ticker.example.toml, the documented example, is valid for settings and sources."""
    example = ROOT / "voc-ticker.example.toml"
    settings = Settings.load(example, env={})
    sources = load_sources(example)
    assert (
        settings.allowed_hosts == ("ticker.example.com",)
        and settings.mask_patterns[0] == "order=ORD-\\d{6}"
    )
    assert Redactor(patterns=settings.mask_patterns).mask("ORD-123456 lost")[0] == "[order] lost"
    assert {s.adapter for s in sources.values()} == set(ADAPTERS)


def test_a_platform_adapter_loads_as_today(tmp_path: Path) -> None:
    """A Formbricks source with its questions and scale, as the config file says."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text(
        '[sources.fb]\nadapter = "formbricks-webhook"\nsecret_env = "FB_SECRET"\n'
        'text = ["q2"]\nscore = "q1"\nscale = "csat5"\n'
    )
    assert load_sources(config)["fb"] == Source(
        "fb", "formbricks-webhook", "FB_SECRET", ("q2",), "q1", "csat5"
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('adapter = "smoke-signals"\nsecret_env = "X"', "adapter 'smoke-signals' must be one of"),
        ('adapter = "typeform"\nsecret_env = "X"', r"survey must be the id.*e\.g\. lT9Z2j"),
        ('adapter = "surveymonkey"\nsecret_env = "X"', r"survey must be the id.*e\.g\. 123456789"),
        ('adapter = "qualtrics"\nsecret_env = "X"\nsurvey = "SV_1"', "url must be.*iad1"),
        ('adapter = "qualtrics"\nsecret_env = "X"\nurl = "https://a.b"', r"survey.*e\.g\. SV_"),
        ('adapter = "zendesk"\nsecret_env = "ZD"\nuser = "a@b.c"', "url must be the API's address"),
        ('adapter = "zendesk"\nsecret_env = "ZD"\nurl = "https://a.zendesk.com"', "user must name"),
        ('adapter = "webhook"\nsecret_env = "X"\nevery = 60', "only API sources"),
        ('adapter = "typeform-webhook"\nsecret_env = "X"\ncron = "* * * * *"', "only API sources"),
    ],
)
def test_each_platforms_needs_are_named(tmp_path: Path, table: str, message: str) -> None:
    """A source missing what its platform needs is refused with the platform's example."""
    config = tmp_path / "voc-ticker.toml"
    config.write_text(f"[sources.s]\n{table}\n")
    with pytest.raises(SettingsError, match=r"\[sources\.s\]: " + message):
        load_sources(config)


def test_every_adapter_is_declared_once_with_known_needs() -> None:
    """Names are unique, kinds match the functions, and needs are keys a source has."""
    assert len(registry.DECLARED) == len(ADAPTERS)
    for adapter in ADAPTERS.values():
        assert set(adapter.needs) <= set(NEEDS), adapter.name
        assert adapter.kind == ("pull" if isinstance(adapter, Pull) else "webhook")
    assert set(PULLED) | set(WEBHOOKS) == set(ADAPTERS) and not set(PULLED) & set(WEBHOOKS)


def test_lookups_by_kind() -> None:
    """`pulled` and `webhook` find an adapter of their kind only, with its functions."""
    assert (found := pulled("typeform")) is not None and found.pages is typeform.pages
    assert webhook("typeform") is None and pulled("typeform-webhook") is None
    assert (hook := webhook("typeform-webhook")) is not None
    assert (hook.verify, hook.parse) == (typeform.verify_webhook, typeform.parse_webhook)
    assert webhook("webhook") == webhooks.ADAPTERS[0] and pulled("nowhere") is None
    assert {a.name for a in delighted.ADAPTERS} == {"delighted", "delighted-webhook"}


def test_a_name_twice_or_an_unknown_need_is_refused() -> None:
    """Two adapters of one name, or a need no source can say, fail when the code loads."""
    with pytest.raises(ValueError, match="two adapters are named 'zendesk'"):
        registry._by_name((*zendesk.ADAPTERS, *zendesk.ADAPTERS))
    with pytest.raises(ValueError, match="needs \\['token'\\]"):
        Pull("x", zendesk.pages, needs={"token": "abc"})
    with pytest.raises(ValueError, match="needs \\['region'\\]"):
        Webhook("y", webhooks.verify_generic, webhooks.parse_generic, needs={"region": "eu"})


def test_every_adapter_is_documented() -> None:
    """docs/sources.md names every adapter in its table of keys and shows each in an example."""
    doc = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| `adapter` |"))
    for name in ADAPTERS:
        assert f"`{name}`" in row, name
        assert f'adapter = "{name}"' in doc, name
