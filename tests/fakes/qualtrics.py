"""A local Qualtrics speaking the v3 response-export flow: `POST .../export-responses` (CSV only,
startDate inclusive / endDate exclusive on RecordedDate), polling `.../export-responses/{progressId}`
until complete or failed, and `.../export-responses/{fileId}/file` serving a zip that holds one
three-header-row CSV. X-API-TOKEN auth, and the `{"meta": {"httpStatus", "error"}}` body."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import quote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.api import FakeAPI, running

__all__ = [
    "NPS_TEXT",
    "REASON_TEXT",
    "SURVEY_ID",
    "SURVEY_NAME",
    "TOKEN",
    "FakeQualtrics",
    "Row",
    "export_csv",
    "row",
    "running",
]

TOKEN = "qx-token"
SURVEY_ID = "SV_3gXsSh7kDGyhQQa"
SURVEY_NAME = "Customer Pulse"
NPS_TEXT = "How likely are you to recommend us to a friend or colleague?"
REASON_TEXT = "What is the main reason for your score?"
RECORDED_FORMAT = "%Y-%m-%d %H:%M:%S"  # RecordedDate and friends in the CSV

# (response_id, recorded_date "YYYY-MM-DD HH:MM:SS", NPS 0..10 or None, comment,
#  status "IP Address" for a real response or "Survey Preview")
Row = tuple[str, str, int | None, str, str]

# Column name, row-2 label, row-3 ImportId: the metadata columns a default export carries,
# then Q1 (NPS, with its group column) and Q2 (an essay box).
_COLUMNS: list[tuple[str, str, str]] = [
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
    ("Q1", NPS_TEXT, "QID1"),
    ("Q1_NPS_GROUP", f"{NPS_TEXT} - Group", "QID1_NPS_GROUP"),
    ("Q2", REASON_TEXT, "QID2_TEXT"),
]
_DURATION = 38  # seconds each fake respondent spends


@dataclass
class _Export:
    """One export job: its date range, how often it was polled, the file it produced."""

    start: datetime | None
    end: datetime | None
    polls: int = 0
    file_id: str | None = None


class _BadRequest(Exception):
    """A body Qualtrics would refuse with 400."""


@dataclass
class FakeQualtrics(FakeAPI):
    csv_text: str  # what a full export holds, e.g. export_csv(rows)
    survey_name: str = SURVEY_NAME  # names the zip and the CSV inside it
    polls_before_complete: int = 2  # progress polls answered inProgress before the last one
    fail_export: bool = False  # the last poll says "failed" with fileId null
    corrupt_zip: bool = False  # the file download is not a zip
    bodies: list[dict[str, Any]] = field(default_factory=list)  # each POSTed export body
    exports: dict[str, _Export] = field(default_factory=dict)  # by progressId

    def error(self, status: int, message: str) -> dict[str, Any]:
        """Qualtrics' meta envelope; only AUTH_1 and ATP_2 are codes seen in the wild."""
        code = f"E_{status}"  # not documented: adapters should only log it
        if status == 401:
            code, message = "AUTH_1", "Unrecognized X-API-TOKEN."
        return _meta(status, {"errorMessage": message, "errorCode": code})

    def refused(self, request: Request, authorized: bool) -> Response | None:
        """The base refusal, but no X-API-TOKEN header at all is Qualtrics' 400 ATP_2."""
        if not authorized and "x-api-token" not in request.headers:
            self.requests.append(str(request.url))
            message = "Expected authorization in headers, but none provided."
            body = _meta(400, {"errorMessage": message, "errorCode": "ATP_2"})
            return JSONResponse(body, status_code=400)
        return super().refused(request, authorized)

    def _gate(self, request: Request) -> Response | None:
        """Auth, queued failures, then the survey id: the answer when the request stops here."""
        if refused := self.refused(request, request.headers.get("x-api-token") == TOKEN):
            return refused
        if request.path_params["survey_id"] != SURVEY_ID:
            return self._bad(404, "Invalid survey ID: " + request.path_params["survey_id"])
        return None

    def _bad(self, status: int, message: str) -> Response:
        return JSONResponse(self.error(status, message), status_code=status)

    def app(self) -> Starlette:
        async def start_export(request: Request) -> Response:
            if stop := self._gate(request):
                return stop
            try:
                body = json.loads(await request.body())
            except ValueError:
                return self._bad(400, "The request body is not valid JSON.")
            if isinstance(body, dict):
                self.bodies.append(body)
            try:
                export = _export_for(body)
            except _BadRequest as exc:
                return self._bad(400, str(exc))
            progress_id = f"ES_fake{len(self.exports) + 1:011d}"
            self.exports[progress_id] = export
            result = {"progressId": progress_id, "percentComplete": 0.0, "status": "inProgress"}
            return JSONResponse({"result": result, "meta": _meta(200)["meta"]})

        async def export_progress(request: Request) -> Response:
            if stop := self._gate(request):
                return stop
            export = self.exports.get(request.path_params["progress_id"])
            if export is None:
                return self._bad(404, "No export with this progress ID.")
            export.polls += 1
            result: dict[str, Any]
            if export.polls <= self.polls_before_complete:
                done = 100.0 * (export.polls - 1) / self.polls_before_complete
                result = {"percentComplete": round(done, 1), "status": "inProgress"}
            elif self.fail_export:
                result = {"fileId": None, "percentComplete": 100.0, "status": "failed"}
            else:
                export.file_id = export.file_id or f"{uuid.uuid4()}-def"
                result = {"fileId": export.file_id, "percentComplete": 100.0, "status": "complete"}
            return JSONResponse({"result": result, "meta": _meta(200)["meta"]})

        async def export_file(request: Request) -> Response:
            if stop := self._gate(request):
                return stop
            file_id = request.path_params["file_id"]
            export = next((e for e in self.exports.values() if e.file_id == file_id), None)
            if export is None:
                return self._bad(404, "No export file with this file ID.")
            headers = {
                "content-disposition": f"attachment; filename={quote_plus(self.survey_name)}.zip"
            }
            if self.corrupt_zip:
                content = b"<html><body>Something went wrong</body></html>"
            else:
                content = self._zip(export)
            return Response(content, media_type="application/zip", headers=headers)

        base = "/API/v3/surveys/{survey_id}/export-responses"
        return Starlette(
            routes=[
                Route(base, start_export, methods=["POST"]),
                Route(base + "/", start_export, methods=["POST"]),  # qualtRics sends the slash
                Route(base + "/{progress_id}", export_progress),
                Route(base + "/{file_id}/file", export_file),
            ]
        )

    def _zip(self, export: _Export) -> bytes:
        """The export file: one CSV (BOM, CRLF) with the header rows and the rows in range."""
        records = list(csv.reader(io.StringIO(self.csv_text.removeprefix("\ufeff"))))
        header, data = records[:3], records[3:]
        recorded = header[0].index("RecordedDate")
        kept = [
            r
            for r in data
            if _in_range(
                datetime.strptime(r[recorded], RECORDED_FORMAT).replace(tzinfo=UTC), export
            )
        ]
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(header + kept)
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{self.survey_name}.csv", text.getvalue().encode("utf-8-sig"))
        return packed.getvalue()


def _meta(status: int, error: dict[str, str] | None = None) -> dict[str, Any]:
    """The `meta` envelope every Qualtrics answer carries."""
    meta: dict[str, Any] = {
        "requestId": str(uuid.uuid4()),
        "httpStatus": f"{status} - {HTTPStatus(status).phrase}",
    }
    if error is not None:
        meta["error"] = error
    return {"meta": meta}


def _export_for(body: Any) -> _Export:
    """The export a start body asks for; _BadRequest when Qualtrics would refuse it."""
    if not isinstance(body, dict):
        raise _BadRequest("The request body must be a JSON object.")
    if body.get("format") != "csv":
        raise _BadRequest("Invalid or missing format: this fake exports csv only.")
    return _Export(start=_date(body, "startDate"), end=_date(body, "endDate"))


def _date(body: dict[str, Any], name: str) -> datetime | None:
    """An ISO 8601 date from the body (2026-11-01T00:00:00Z); no zone is taken as UTC."""
    raw = body.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise _BadRequest(f"{name} must be an ISO 8601 date.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _in_range(recorded: datetime, export: _Export) -> bool:
    """startDate inclusive, endDate exclusive, so one run's end can be the next run's start."""
    if export.start is not None and recorded < export.start:
        return False
    return export.end is None or recorded < export.end


def _nps_group(score: int | None) -> str:
    if score is None:
        return ""
    return "Detractor" if score <= 6 else "Passive" if score <= 8 else "Promoter"


def row(
    i: int,
    recorded_date: str,
    score: int | None = 9,
    comment: str = "Quick delivery, friendly support.",
    status: str = "IP Address",
) -> Row:
    """A Row with a Qualtrics-looking response id (R_ and 15 characters)."""
    return (f"R_fake{i:011d}", recorded_date, score, comment, status)


def export_csv(rows: Sequence[Row]) -> str:
    """The CSV of a default (useLabels) export: column names, question texts, ImportIds, then
    one line per row."""
    lines: list[list[str]] = [
        [name for name, _, _ in _COLUMNS],
        [label for _, label, _ in _COLUMNS],
        [
            json.dumps({"ImportId": import_id}, separators=(",", ":"))
            for _, _, import_id in _COLUMNS
        ],
    ]
    for response_id, recorded_date, score, comment, status in rows:
        end = datetime.strptime(recorded_date, RECORDED_FORMAT)
        preview = status == "Survey Preview"
        lines.append(
            [
                (end - timedelta(seconds=_DURATION)).strftime(RECORDED_FORMAT),
                recorded_date,
                status,
                "" if preview else "203.0.113.7",
                "100",
                str(_DURATION),
                "True",
                recorded_date,
                response_id,
                "",
                "",
                "",
                "",
                "47.115097045898",
                "7.2315979003906",
                "preview" if preview else "anonymous",
                "EN",
                "" if score is None else str(score),
                _nps_group(score),
                comment,
            ]
        )
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(lines)
    return text.getvalue()
