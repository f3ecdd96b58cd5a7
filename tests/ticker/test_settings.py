"""Settings: defaults, environment, TOML, clear errors, and a README that lists them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from ticker.settings import Settings, SettingsError


def test_environment_overrides_defaults() -> None:
    """VOC_* variables set the matching fields, typed."""
    s = Settings.load(
        env={"VOC_PORT": "9000", "VOC_ALLOWED_ORIGINS": "https://a.example, https://b.example/"}
    )
    assert s.port == 9000
    assert s.allowed_origins == ("https://a.example", "https://b.example")


def test_toml_file_then_environment_then_overrides(tmp_path: Path) -> None:
    """A TOML file is the base; the environment and explicit options win over it."""
    cfg = tmp_path / "voc.toml"
    cfg.write_text('port = 7000\nhost = "0.0.0.0"\nheartbeat_seconds = 30\n')
    s = Settings.load(cfg, env={"VOC_PORT": "7100"}, host="127.0.0.2")
    assert (s.port, s.host, s.heartbeat_seconds) == (7100, "127.0.0.2", 30.0)


def test_bad_value_names_the_setting() -> None:
    """A value of the wrong type says which setting and what it got."""
    with pytest.raises(SettingsError, match="port='eighty'"):
        Settings.load(env={"VOC_PORT": "eighty"})


def test_unknown_setting_in_file_is_an_error(tmp_path: Path) -> None:
    """A typo in the config file is reported, not silently ignored."""
    cfg = tmp_path / "voc.toml"
    cfg.write_text("prot = 7000\n")
    with pytest.raises(SettingsError, match="unknown setting.*prot"):
        Settings.load(cfg, env={})


def test_broken_toml_is_a_clear_error(tmp_path: Path) -> None:
    """A config file that is not TOML says so and where."""
    cfg = tmp_path / "voc.toml"
    cfg.write_text("port = \n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        Settings.load(cfg, env={})


def test_readme_settings_table_is_complete() -> None:
    """Every setting appears in the README's table with its environment variable."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [var for name, var, _d, _h in Settings.describe() if f"`{var}`" not in readme]
    assert missing == []


def test_stream_port_defaults_to_the_next_port_and_zero_means_the_http_port() -> None:
    """Unset, the stream is on port + 1; 0 puts it on the HTTP port; a number is that port."""
    assert Settings(port=9000).stream_at == 9001
    assert Settings.load(env={"VOC_STREAM_PORT": "0"}).stream_at == 0
    assert Settings.load(env={"VOC_STREAM_PORT": "7001", "VOC_PORT": "7000"}).stream_at == 7001


def test_a_stream_url_is_a_websocket_address() -> None:
    """Screens on edges under their own name: a wrong scheme is a clear error, not a blank screen."""
    assert Settings.load(env={"VOC_STREAM_URL": "wss://screens.example.com/"}).stream_url == (
        "wss://screens.example.com"
    )
    with pytest.raises(SettingsError, match="stream_url.*websocket address"):
        Settings.load(env={"VOC_STREAM_URL": "https://screens.example.com"})
