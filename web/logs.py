"""Display tokens never reach the logs: players carry them in URLs, and servers log URLs.

uvicorn logs each request's path with its query string (`uvicorn.access`) and each websocket's
(`uvicorn.error`); the filter rewrites a `token=` value in a record's message and arguments to
`[redacted]`, keeping the arguments' shape that uvicorn's access formatter unpacks.
"""

from __future__ import annotations

import logging
import re

TOKEN = re.compile(r"((?:^|[?&;\s])token=)[^&\s\"';]+", re.IGNORECASE)
LOGGERS = ("uvicorn.access", "uvicorn.error", "websockets.server", "voc_ticker")
REDACTED = r"\1[redacted]"


def redacted(text: str) -> str:
    return TOKEN.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redacted(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redacted(a) if isinstance(a, str) else a for a in record.args)
        return True


def keep_tokens_out() -> None:
    """Install the filter on every logger that may print a URL (once per process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
