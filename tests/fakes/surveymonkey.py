"""A local SurveyMonkey speaking API v3 `GET /v3/surveys/{id}/details` and
`GET /v3/surveys/{id}/responses/bulk`: bearer token auth, page/per_page with absolute
`links.next`, `start_modified_at`, `sort_by=date_modified`, X-Ratelimit headers on every answer,
and the `{"error": {id, name, docs, message, http_status_code}}` body."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.api import FakeAPI, running

__all__ = [
    "NPS_HEADING",
    "PAGE_ID",
    "SURVEY_ID",
    "TOKEN",
    "FakeSurveyMonkey",
    "choice_answer",
    "details",
    "essay",
    "nps",
    "nps_answer",
    "response",
    "running",
    "single_choice",
    "text_answer",
]

TOKEN = "sm-token"
SURVEY_ID = "152299962"
PAGE_ID = "38137491"
COLLECTOR_ID = "211979517"
API = "https://api.surveymonkey.com/v3"
NPS_HEADING = "How likely is it that you would recommend us to a friend or colleague?"
MAX_PER_PAGE = 100  # /responses/bulk: "Max of 100 allowed per page"
MINUTE_LIMIT, DAY_LIMIT = 120, 500  # a draft/private app's quota

# id, name, message per the docs' error-code table (1040 from the current docs).
_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("1003", "Bad Request", "Invalid URL parameters."),
    401: ("1011", "Authorization Error", "The authorization token provided was invalid."),
    404: ("1020", "Resource Not Found", "There was an error retrieving the requested resource."),
    429: ("1040", "Rate Limit Reached", "Too many requests were made, try again later."),
    500: ("1050", "Internal Server Error", "Oh bananas! We couldn't process your request."),
    503: ("1051", "Internal Server Error", "Service unreachable. Please try again later."),
}
_NOT_PROVIDED = ("1010", "Authorization Error", "The authorization token was not provided.")
_EXPIRED = ("1012", "Authorization Error", "The authorization token provided has expired.")


def _body(status: int, error_id: str, name: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "id": error_id,
            "name": name,
            "docs": "https://developer.surveymonkey.com/api/v3/#error-codes",
            "message": message,
            "http_status_code": status,
        }
    }


@dataclass
class FakeSurveyMonkey(FakeAPI):
    details: dict[str, Any]  # what /details answers for SURVEY_ID
    responses: list[dict[str, Any]]  # in insertion order, the order bulk serves without sort_by
    details_override: dict[str, Any] | None = None  # a changed survey, served from now on
    token_expired: bool = False  # refuse even the right token with 401 id "1012"

    def error(self, status: int, message: str) -> dict[str, Any]:
        """SurveyMonkey's body for this status; the message is SurveyMonkey's own."""
        error_id, name, text = _ERRORS.get(status, (str(status), "Error", message))
        return _body(status, error_id, name, text)

    def refused(self, request: Request, authorized: bool) -> Response | None:
        """The base refusal, but with SurveyMonkey's 1010/1012 and rate-limit headers."""
        answer: Response | None
        if not authorized and "authorization" not in request.headers:
            self.requests.append(str(request.url))
            answer = JSONResponse(_body(401, *_NOT_PROVIDED), status_code=401)
        elif authorized and self.token_expired:
            self.requests.append(str(request.url))
            answer = JSONResponse(_body(401, *_EXPIRED), status_code=401)
        else:
            answer = super().refused(request, authorized)
        if answer is not None:
            self._rate_headers(answer)
        return answer

    def _rate_headers(self, answer: Response) -> Response:
        """Plausible quota headers; a queued failure's own headers win."""
        used = len(self.requests)
        plausible = {
            "X-Ratelimit-App-Global-Minute-Limit": str(MINUTE_LIMIT),
            "X-Ratelimit-App-Global-Minute-Remaining": (
                "0" if answer.status_code == 429 else str(max(0, MINUTE_LIMIT - used))
            ),
            "X-Ratelimit-App-Global-Minute-Reset": "42",
            "X-Ratelimit-App-Global-Day-Limit": str(DAY_LIMIT),
            "X-Ratelimit-App-Global-Day-Remaining": str(max(0, DAY_LIMIT - used)),
            "X-Ratelimit-App-Global-Day-Reset": "43200",
        }
        for name, value in plausible.items():
            answer.headers.setdefault(name, value)
        return answer

    def _authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token == TOKEN

    def _answer(self, status: int, body: dict[str, Any]) -> Response:
        return self._rate_headers(JSONResponse(body, status_code=status))

    def app(self) -> Starlette:
        async def survey_details(request: Request) -> Response:
            if refused := self.refused(request, self._authorized(request)):
                return refused
            if request.path_params["survey_id"] != self.details["id"]:
                return self._answer(404, self.error(404, "no such survey"))
            return self._answer(200, self.details_override or self.details)

        async def responses_bulk(request: Request) -> Response:
            if refused := self.refused(request, self._authorized(request)):
                return refused
            if request.path_params["survey_id"] != self.details["id"]:
                return self._answer(404, self.error(404, "no such survey"))
            try:
                return self._answer(200, self._bulk(request))
            except ValueError:
                return self._answer(400, self.error(400, "bad query"))

        return Starlette(
            routes=[
                Route("/v3/surveys/{survey_id}/details", survey_details),
                Route("/v3/surveys/{survey_id}/responses/bulk", responses_bulk),
            ]
        )

    def _bulk(self, request: Request) -> dict[str, Any]:
        """One page of responses; ValueError for a parameter SurveyMonkey would refuse."""
        q = request.query_params
        per_page, page = int(q.get("per_page", "50")), int(q.get("page", "1"))
        if not 1 <= per_page <= MAX_PER_PAGE or page < 1:
            raise ValueError("per_page or page out of range")
        chosen = list(self.responses)
        # The docs say "responses modified after this date"; the fake keeps date_modified ==
        # start too (>=), so a client that resumes from its last date_modified must dedupe.
        if (start := q.get("start_modified_at")) is not None:
            chosen = [r for r in chosen if _when(r["date_modified"]) >= _moment(start)]
        if (end := q.get("end_modified_at")) is not None:
            chosen = [r for r in chosen if _when(r["date_modified"]) < _moment(end)]
        if (status := q.get("status")) is not None:
            chosen = [r for r in chosen if r["response_status"] == status]
        if (sort_by := q.get("sort_by")) is not None:
            order = q.get("sort_order", "ASC").upper()
            if sort_by != "date_modified" or order not in ("ASC", "DESC"):
                raise ValueError("unsupported sort")
            # Stable, so equal date_modified keep insertion order (reversed for DESC).
            chosen.sort(key=lambda r: _when(r["date_modified"]))
            if order == "DESC":
                chosen.reverse()
        total = len(chosen)
        last = max(1, math.ceil(total / per_page))
        links = {"self": _page_url(request, page, per_page)}
        if page > 1:
            links["prev"] = _page_url(request, page - 1, per_page)
        if page < last:
            links["next"] = _page_url(request, page + 1, per_page)
        links["last"] = _page_url(request, last, per_page)
        return {
            "per_page": per_page,
            "total": total,
            "page": page,
            "links": links,
            "data": chosen[(page - 1) * per_page : page * per_page],
        }


def _page_url(request: Request, page: int, per_page: int) -> str:
    """The absolute URL of another page: the same query, this page."""
    return str(request.url.include_query_params(page=page, per_page=per_page))


def _when(stamp: str) -> datetime:
    """A payload timestamp ("2018-05-31T23:32:58+00:00"); no offset means UTC."""
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _moment(raw: str) -> datetime:
    """A filter date: YYYY-MM-DDTHH:MM:SS with no offset, implicitly UTC (or just a date)."""
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is not None:
        raise ValueError("SurveyMonkey date strings carry no offset")
    return moment.replace(tzinfo=UTC)


def _question(
    qid: str, family: str, subtype: str, heading: str, answers: dict[str, Any] | None = None
) -> dict[str, Any]:
    question: dict[str, Any] = {
        "id": qid,
        "href": f"{API}/surveys/{SURVEY_ID}/pages/{PAGE_ID}/questions/{qid}",
        "position": 1,
        "visible": True,
        "family": family,
        "subtype": subtype,
        "headings": [{"heading": heading}],
        "sorting": None,
        "required": None,
        "validation": None,
        "forced_ranking": False,
    }
    if answers is not None:
        question["answers"] = answers
    return question


def details(
    questions: list[dict[str, Any]], title: str = "Customer Satisfaction"
) -> dict[str, Any]:
    """/details for SURVEY_ID: one page holding these questions, numbered in order."""
    numbered = [{**q, "position": n} for n, q in enumerate(questions, start=1)]
    return {
        "id": SURVEY_ID,
        "title": title,
        "nickname": "",
        "language": "en",
        "question_count": len(numbered),
        "page_count": 1,
        "response_count": 0,
        "date_created": "2026-10-01T09:00:00",
        "date_modified": "2026-10-01T09:30:00",
        "href": f"{API}/surveys/{SURVEY_ID}",
        "analyze_url": f"https://www.surveymonkey.com/analyze/{SURVEY_ID}",
        "pages": [
            {
                "id": PAGE_ID,
                "title": "",
                "description": "",
                "position": 1,
                "question_count": len(numbered),
                "href": f"{API}/surveys/{SURVEY_ID}/pages/{PAGE_ID}",
                "questions": numbered,
            }
        ],
    }


def essay(qid: str, heading: str) -> dict[str, Any]:
    """An open comment box (family open_ended, subtype essay)."""
    return _question(qid, "open_ended", "essay", heading)


def _nps_row(qid: str) -> str:
    return f"{qid}00"


def _choice_id(qid: str, position: int) -> str:
    """Choice ids derived from the question id, so answers can be built without /details."""
    return f"{qid}{position:02d}"


def nps(qid: str, heading: str = NPS_HEADING) -> dict[str, Any]:
    """The question-bank NPS: a one-row matrix rating with 11 choices (score = position - 1)
    whose weights are the NPS bucket: -100 detractor, 0 passive, 100 promoter."""
    choices = []
    for score in range(11):
        text, description = str(score), ""
        if score == 0:
            text, description = "Not at all likely - 0", "Not at all likely"
        elif score == 10:
            text, description = "Extremely likely - 10", "Extremely likely"
        choices.append(
            {
                "description": description,
                "weight": -100 if score <= 6 else 0 if score <= 8 else 100,
                "visible": True,
                "id": _choice_id(qid, score + 1),
                "is_na": False,
                "text": text,
                "position": score + 1,
            }
        )
    rows = [{"visible": True, "text": "", "position": 1, "id": _nps_row(qid)}]
    return _question(qid, "matrix", "rating", heading, {"rows": rows, "choices": choices})


def single_choice(qid: str, heading: str, labels: list[str]) -> dict[str, Any]:
    """A single-answer vertical list; choice ids as in `choice_answer(qid, position)`."""
    choices = [
        {"visible": True, "is_na": False, "text": label, "position": n, "id": _choice_id(qid, n)}
        for n, label in enumerate(labels, start=1)
    ]
    return _question(qid, "single_choice", "vertical", heading, {"choices": choices})


def nps_answer(qid: str, score: int) -> list[dict[str, str]]:
    """The answers of an `nps(qid)` question scored 0..10."""
    if not 0 <= score <= 10:
        raise ValueError(f"an NPS score is 0..10, not {score}")
    return [{"choice_id": _choice_id(qid, score + 1), "row_id": _nps_row(qid)}]


def choice_answer(qid: str, position: int) -> list[dict[str, str]]:
    """The answers of a `single_choice(qid, ...)` question that picked this (1-based) choice."""
    return [{"choice_id": _choice_id(qid, position)}]


def text_answer(text: str) -> list[dict[str, str]]:
    """The answers of an open-ended question."""
    return [{"text": text}]


def response(
    i: int,
    answers_by_qid: dict[str, list[dict[str, Any]]],
    modified: str,
    status: str = "completed",
) -> dict[str, Any]:
    """A bulk item shaped like the CSAT-template sample; `modified` like
    "2026-11-01T10:00:00+00:00" becomes date_modified, created 8 seconds before."""
    rid = str(10044868600 + i)
    created = (_when(modified) - timedelta(seconds=8)).astimezone(UTC).isoformat()
    return {
        "id": rid,
        "recipient_id": "",
        "collection_mode": "default",
        "response_status": status,
        "custom_value": "",
        "first_name": "",
        "last_name": "",
        "email_address": "",
        "ip_address": "124.157.87.99",
        "logic_path": {},
        "metadata": {},
        "page_path": [],
        "collector_id": COLLECTOR_ID,
        "survey_id": SURVEY_ID,
        "custom_variables": {},
        "edit_url": f"https://www.surveymonkey.com/r/?sm=fake{rid}",
        "analyze_url": f"https://www.surveymonkey.com/analyze/browse/{SURVEY_ID}?respondent_id={rid}",
        "total_time": 8,
        "date_modified": modified,
        "date_created": created,
        "href": f"{API}/surveys/{SURVEY_ID}/responses/{rid}",
        "pages": [
            {
                "id": PAGE_ID,
                "questions": [
                    {"id": qid, "answers": answers} for qid, answers in answers_by_qid.items()
                ],
            }
        ],
    }
