"""Running the server: uvicorn with the websocket settings the stream needs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import uvicorn

from ticker.settings import ENV_PREFIX, Settings


def serve(settings: Settings, config: Path | None = None) -> None:
    """Serve `web.app` with these settings (handed over as VOC_* variables, its one input)."""
    os.environ.update(environment(settings))
    if config is not None:
        os.environ["VOC_CONFIG"] = str(config.resolve())  # the app reads its [sources] there
    uvicorn.run("web.app:from_environment", factory=True, **uvicorn_options(settings))


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn must run the app: the CLI and the tests share these."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "ws": "web.uvicorn_ws:AbortableWebSockets",
        "ws_max_size": settings.max_message_bytes,
        "ws_per_message_deflate": False,  # it triples memory per connection and doubles CPU
        "ws_ping_interval": None,  # the hub's heartbeats; a stalled client is aborted on overflow
        "proxy_headers": True,
        "timeout_graceful_shutdown": 3,
    }


def environment(settings: Settings) -> dict[str, str]:
    """The settings as VOC_* environment variables."""
    env = {}
    for name, _var, _default, _help in Settings.describe():
        value = getattr(settings, name)
        if isinstance(value, tuple):
            value = ",".join(value)
        env[ENV_PREFIX + name.upper()] = "" if value is None else str(value)
    return env
