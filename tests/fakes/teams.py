"""A local Microsoft Teams Workflows webhook ("Post to a channel when a webhook request is
received"): a message with Adaptive Card attachments checked for their shape, 28 KB at most
(413 "Request Entity too large"), four requests a second (429 with Retry-After), errors as
`{"error": {"code", "message"}}`, and 202 Accepted with no body on success."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse, Response

from tests.fakes.api import running
from tests.fakes.chat import FakeChat, Refusal, parsed

__all__ = ["PATH", "FakeTeams", "running"]

PATH = "/workflows/not-a-real-id/triggers/manual/paths/invoke"
MAX_BYTES = 28 * 1024
CARD = "application/vnd.microsoft.card.adaptive"
ELEMENTS = {"TextBlock", "RichTextBlock", "FactSet", "Container", "ColumnSet", "Image"}
ERRORS = {
    400: "InvalidRequestContent",
    401: "DirectApiAuthorizationRequired",
    403: "AuthorizationFailed",
    404: "WorkflowNotFound",
    413: "RequestEntityTooLarge",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
}


def _element(e: Any) -> bool:
    if not isinstance(e, dict) or e.get("type") not in ELEMENTS:
        return False
    if e["type"] == "TextBlock":
        return isinstance(e.get("text"), str)
    if e["type"] == "RichTextBlock":
        runs = e.get("inlines")
        return isinstance(runs, list) and all(
            isinstance(r, dict) and r.get("type") == "TextRun" and isinstance(r.get("text"), str)
            for r in runs
        )
    if e["type"] == "FactSet":
        facts = e.get("facts")
        return isinstance(facts, list) and all(
            isinstance(f, dict)
            and isinstance(f.get("title"), str)
            and isinstance(f.get("value"), str)
            for f in facts
        )
    if e["type"] == "Container":
        return isinstance(e.get("items"), list) and all(map(_element, e["items"]))
    return True


def _card(attachment: Any) -> bool:
    if not isinstance(attachment, dict) or attachment.get("contentType") != CARD:
        return False
    content = attachment.get("content")
    return (
        isinstance(content, dict)
        and content.get("type") == "AdaptiveCard"
        and isinstance(content.get("version"), str)
        and isinstance(content.get("body"), list)
        and all(map(_element, content["body"]))
    )


@dataclass(kw_only=True)
class FakeTeams(FakeChat):
    path: str = PATH
    per_second: int = 4

    def check(self, body: bytes) -> dict[str, Any]:
        if len(body) > MAX_BYTES:
            raise Refusal(413, "RequestEntityTooLarge")
        message = parsed(body, Refusal(400, "InvalidRequestContent"))
        attachments = message.get("attachments")
        if message.get("type") != "message" or not isinstance(attachments, list) or not attachments:
            raise Refusal(400, "InvalidRequestContent")
        if not all(map(_card, attachments)):
            raise Refusal(400, "InvalidRequestContent")
        return message

    def answer(self, status: int, error: str, headers: dict[str, str]) -> Response:
        words = {"RequestEntityTooLarge": "Request Entity too large"}.get(error, error)
        return JSONResponse({"error": {"code": error, "message": words}}, status, headers=headers)

    def ok(self) -> Response:
        return Response(status_code=202)

    def errors(self) -> dict[int, str]:
        return ERRORS
