"""A local Slack incoming webhook (`POST /services/T…/B…/…`): Block Kit checked as Slack does
(50 blocks, 3,000 characters a section text, 150 a header, 10 fields of 2,000), about one
message a second, and its plain-text errors: 400 `invalid_payload` / `no_text` /
`invalid_blocks`, 403 `action_prohibited`, 404 `no_service`, 410 `channel_is_archived`,
429 `rate_limited` with Retry-After, 500; `ok` on success."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import PlainTextResponse, Response

from tests.fakes.api import running
from tests.fakes.chat import FakeChat, Refusal, parsed

__all__ = ["PATH", "FakeSlack", "running"]

PATH = "/services/T0000TEST/B0000TEST/not-a-real-secret"
ERRORS = {
    400: "invalid_payload",
    403: "action_prohibited",
    404: "no_service",
    410: "channel_is_archived",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}
TEXT_TYPES = ("mrkdwn", "plain_text")


def _text(obj: Any, limit: int, types: tuple[str, ...] = TEXT_TYPES) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("type") in types
        and isinstance(obj.get("text"), str)
        and 0 < len(obj["text"]) <= limit
    )


def _block(block: Any) -> bool:
    if not isinstance(block, dict):
        return False
    kind = block.get("type")
    if kind == "header":
        return _text(block.get("text"), 150, ("plain_text",))
    if kind == "divider":
        return set(block) <= {"type", "block_id"}
    if kind == "context":
        elements = block.get("elements")
        return (
            isinstance(elements, list)
            and 0 < len(elements) <= 10
            and all(_text(e, 3000) for e in elements)
        )
    if kind == "section":
        fields = block.get("fields")
        if fields is not None and not (
            isinstance(fields, list)
            and 0 < len(fields) <= 10
            and all(_text(f, 2000) for f in fields)
        ):
            return False
        return _text(block["text"], 3000) if "text" in block else fields is not None
    return False


@dataclass(kw_only=True)
class FakeSlack(FakeChat):
    path: str = PATH
    per_second: int = 1

    def check(self, body: bytes) -> dict[str, Any]:
        message = parsed(body, Refusal(400, "invalid_payload"))
        blocks = message.get("blocks")
        if not message.get("text") and not blocks:
            raise Refusal(400, "no_text")
        if blocks is not None and not (
            isinstance(blocks, list) and len(blocks) <= 50 and all(map(_block, blocks))
        ):
            raise Refusal(400, "invalid_blocks")
        return message

    def answer(self, status: int, error: str, headers: dict[str, str]) -> Response:
        return PlainTextResponse(error, status, headers=headers)

    def ok(self) -> Response:
        return PlainTextResponse("ok")

    def errors(self) -> dict[int, str]:
        return ERRORS
