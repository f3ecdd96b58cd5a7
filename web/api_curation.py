"""The API of the queue, the curation actions, undo and the log (what curators do all day)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ticker import audit, curation, queue, spotlight
from ticker.masks import DEFAULT_LABEL
from ticker.queue import Query
from ticker.records import ALL_BUCKETS
from ticker.store import Store
from web.api import Operation, Param, int_field, query_lists, state_of, text_field
from web.auth import Identity, Refused, may_curate

ID = Param("id", "path", {"type": "string"}, "the comment's id")
REASON = {"type": "string", "maxLength": curation.MAX_REASON, "description": "why, for the log"}
CARD = {"type": "object", "description": "a comment as the console shows it"}
PAGE = {
    "type": "object",
    "properties": {"items": {"type": "array"}, "next": {"type": ["integer", "null"]}},
}


def _card(store: Store, vid: str) -> dict[str, Any]:
    row = store.row(vid)
    latest = store.latest_event(vid)
    return queue.card(row, store.event(latest) if latest else None)


async def checked(request: Request, who: Identity, work: Callable[[Guard], Any]) -> Any:
    """Run a curation on the writer, after checking the curator may act on each comment."""
    state = state_of(request)
    feeds = await state.readers.run(Store.feeds) if who.user.feeds else []

    def guarded(store: Store) -> Any:
        return work(Guard(store, who, feeds))

    return await state.write(guarded)


class Guard:
    """A store whose `row` refuses comments outside a limited curator's feeds."""

    def __init__(self, store: Store, who: Identity, feeds: list[Any]) -> None:
        self.store, self.who, self.feeds = store, who, feeds

    def check_feed(self, feed: str) -> None:
        if self.who.user.feeds and feed not in self.who.user.feeds:
            raise Refused(403, f"{self.who.user.email} does not curate the feed {feed!r}")

    def check(self, vid: str) -> None:
        if not self.who.user.feeds:
            return
        if not may_curate(self.who, self.feeds, self.store.row(vid)):
            raise Refused(
                403,
                f"comment {vid} is outside the feeds {self.who.user.email} curates "
                f"({', '.join(self.who.user.feeds)})",
            )


def _acting(action: str, **fixed: Any) -> Callable[..., Any]:
    async def act(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
        vid = request.path_params["id"]
        args: dict[str, Any] = dict(fixed)
        if action in ("approve", "hide", "pin", "unpin", "retag", "mask", "unmask"):
            args["reason"] = text_field(body, "reason", "")
        if action == "retag":
            args["bucket"] = text_field(body, "bucket")
        if action == "mask":
            args.update(start=int_field(body, "start"), end=int_field(body, "end"))
            args["label"] = text_field(body, "label", DEFAULT_LABEL)
        if action == "unmask":
            args["start"] = int_field(body, "start")
        if action == "note":
            args["text"] = text_field(body, "text")
        if action == "spotlight":
            args.update(feed=text_field(body, "feed"), seconds=int_field(body, "seconds"))
            args["reason"] = text_field(body, "reason", "")

        def work(guard: Guard) -> dict[str, Any]:
            if "feed" in args:
                guard.check_feed(args["feed"])
            guard.check(vid)
            curation.ACTIONS[action](guard.store, vid, who.actor, **args)
            return _card(guard.store, vid)

        result: dict[str, Any] = await checked(request, who, work)
        return result

    act.__name__ = f"{action}_comment" if action != "note" else "add_note"
    return act


async def list_queue(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    q = Query.parse(query_lists(request))
    result: dict[str, Any] = await state_of(request).readers.run(lambda s: queue.search(s, q))
    return result


async def list_matching_ids(
    request: Request, who: Identity, body: dict[str, Any]
) -> dict[str, Any]:
    q = Query.parse(query_lists(request))
    cap = curation.MAX_BULK
    result: dict[str, Any] = await state_of(request).readers.run(
        lambda s: queue.matching_ids(s, q, cap)
    )
    return result


async def get_counts(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, int]:
    return await state_of(request).readers.run(queue.counts)


async def get_comment(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    vid = request.path_params["id"]

    def read(store: Store) -> dict[str, Any]:
        found = _card(store, vid)
        found["notes"] = curation.notes(store, vid)
        found["events"] = audit.events(store, audit.LogQuery(verbatim=vid), page=False)["items"]
        return found

    result: dict[str, Any] = await state_of(request).readers.run(read)
    return result


async def bulk_action(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    ids = body.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise Refused(422, "ids must be a list of comment ids")
    action = text_field(body, "action")
    args: dict[str, Any] = {"reason": text_field(body, "reason", "")}
    if action == "retag":
        args["bucket"] = text_field(body, "bucket")

    def work(guard: Guard) -> dict[str, Any]:
        for vid in curation.check_bulk(ids, action):
            guard.check(vid)
        batch, count = curation.bulk(guard.store, ids, action, who.actor, **args)
        return {"batch": batch, "count": count}

    result: dict[str, Any] = await checked(request, who, work)
    return result


async def undo_event(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    number = queue.whole_number("event", request.path_params["event"])

    def work(guard: Guard) -> dict[str, Any]:
        event = guard.store.event(number)
        guard.check(event["verbatim_id"])
        undone = curation.undo(guard.store, number, who.actor)
        return {"undid": undone.event, "comment": _card(guard.store, undone.stored.id)}

    result: dict[str, Any] = await checked(request, who, work)
    return result


async def undo_batch(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    batch = request.path_params["batch"]

    def work(guard: Guard) -> dict[str, Any]:
        for event in guard.store.batch_events(batch):
            guard.check(event["verbatim_id"])
        undone = curation.undo_batch(guard.store, batch, who.actor)
        return {"undid": undone, "count": len(undone)}

    result: dict[str, Any] = await checked(request, who, work)
    return result


async def end_spotlight(request: Request, who: Identity, body: dict[str, Any]) -> dict[str, Any]:
    feed = request.path_params["feed"]

    def work(guard: Guard) -> dict[str, Any]:
        guard.check_feed(feed)
        spotlight.end(guard.store, feed, who.actor)
        return {"feed": feed, "spotlight": None}

    result: dict[str, Any] = await checked(request, who, work)
    return result


async def list_log(request: Request, who: Identity, body: dict[str, Any]) -> Any:
    state = state_of(request)
    params = dict(request.query_params)
    feed_name = params.get("feed")
    feed = (await state.readers.run(lambda s: s.feed(feed_name))).filter if feed_name else None
    q = audit.LogQuery.parse(params, feed)
    as_csv = params.get("format") == "csv"
    found = await state.readers.run(lambda s: audit.events(s, q, page=not as_csv))
    if as_csv:
        return Response(
            audit.as_csv(found["items"]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="voc-ticker-log.csv"'},
        )
    return found


def _params(*specs: tuple[str, dict[str, Any], str, bool]) -> tuple[Param, ...]:
    return tuple(Param(name, "query", schema, text, many) for name, schema, text, many in specs)


_S = {"type": "string"}
QUEUE_PARAMS = _params(
    ("state", {"enum": list(queue.STATES)}, "pending, approved or hidden", True),
    ("bucket", {"enum": list(ALL_BUCKETS)}, "the tagger's (or a curator's) bucket", True),
    ("source", _S, "a source's name", True),
    ("reason", {"enum": list(queue.REASONS)}, "why a comment waits", True),
    ("language", _S, "ISO 639-1 code", False),
    ("min_score", {"type": "number"}, "lowest score", False),
    ("max_score", {"type": "number"}, "highest score", False),
    ("since", {"type": "string", "format": "date"}, "given on or after", False),
    ("until", {"type": "string", "format": "date"}, "given on or before", False),
    ("meta", _S, "KEY=VALUE, e.g. region=EMEA", True),
    ("q", {"type": "string", "maxLength": 500}, "words to search for", False),
    ("before", {"type": "integer"}, "the `next` of the previous page", False),
    ("limit", {"type": "integer", "minimum": 1, "maximum": queue.MAX_PAGE}, "page size", False),
)
LOG_PARAMS = _params(
    ("actor", _S, "who acted", False),
    ("action", _S, "approve, hide, pin, mask, retag, note, undo, edit…", False),
    ("verbatim", _S, "one comment's id", False),
    ("feed", _S, "events on the comments a feed takes", False),
    ("since", {"type": "string", "format": "date"}, "on or after", False),
    ("until", {"type": "string", "format": "date"}, "on or before", False),
    ("before", {"type": "integer"}, "the `next` of the previous page", False),
    ("limit", {"type": "integer", "minimum": 1, "maximum": audit.MAX_PAGE}, "page size", False),
    ("format", {"enum": ["json", "csv"]}, "csv: every matching event as a file", False),
)


def _body(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _action_ops() -> list[Operation]:
    plain = _body({"reason": REASON})
    bodies = {
        "approve": plain,
        "hide": _body({"reason": REASON}),
        "pin": plain,
        "unpin": plain,
        "retag": _body({"bucket": {"enum": list(ALL_BUCKETS)}, "reason": REASON}, ("bucket",)),
        "mask": _body(
            {
                "start": {"type": "integer", "minimum": 0},
                "end": {"type": "integer", "minimum": 1},
                "label": {"type": "string", "maxLength": 40},
                "reason": REASON,
            },
            ("start", "end"),
        ),
        "unmask": _body({"start": {"type": "integer", "minimum": 0}, "reason": REASON}, ("start",)),
        "spotlight": _body(
            {
                "feed": {"type": "string"},
                "seconds": {
                    "type": "integer",
                    "minimum": spotlight.MIN_SECONDS,
                    "maximum": spotlight.MAX_SECONDS,
                },
                "reason": REASON,
            },
            ("feed", "seconds"),
        ),
    }
    ops = [
        Operation(
            "POST",
            f"/api/v1/comments/{{id}}/{action}",
            "curate",
            curation.ACTIONS[action].__doc__ or action,
            _acting(action),
            (ID,),
            body,
            CARD,
            tags=("curation",),
        )
        for action, body in bodies.items()
    ]
    ops.append(
        Operation(
            "POST",
            "/api/v1/comments/{id}/notes",
            "curate",
            "Add an internal note (the console shows it, screens never do).",
            _acting("note"),
            (ID,),
            _body({"text": {"type": "string", "maxLength": curation.MAX_NOTE}}, ("text",)),
            CARD,
            201,
            ("curation",),
        )
    )
    return ops


OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/queue",
        "read",
        "Comments newest first, filtered and searched.",
        list_queue,
        QUEUE_PARAMS,
        answer=PAGE,
        tags=("queue",),
    ),
    Operation(
        "GET",
        "/api/v1/queue/ids",
        "read",
        "The ids of every comment the filters match, up to 10,000 (to act on all of them).",
        list_matching_ids,
        QUEUE_PARAMS,
        answer={
            "type": "object",
            "properties": {"ids": {"type": "array"}, "more": {"type": "boolean"}},
        },
        tags=("queue",),
    ),
    Operation(
        "GET",
        "/api/v1/counts",
        "read",
        "How many comments are pending, approved and hidden.",
        get_counts,
        tags=("queue",),
    ),
    Operation(
        "GET",
        "/api/v1/comments/{id}",
        "read",
        "One comment with its notes and its events.",
        get_comment,
        (ID,),
        answer=CARD,
        tags=("queue",),
    ),
    *_action_ops(),
    Operation(
        "POST",
        "/api/v1/bulk",
        "curate",
        "One action on many comments: one batch, one undo.",
        bulk_action,
        body=_body(
            {
                "ids": {"type": "array", "items": {"type": "string"}, "maxItems": 10000},
                "action": {"enum": list(curation.BULK)},
                "bucket": {"enum": list(ALL_BUCKETS)},
                "reason": REASON,
            },
            ("ids", "action"),
        ),
        tags=("curation",),
    ),
    Operation(
        "POST",
        "/api/v1/events/{event}/undo",
        "curate",
        "Undo one event, if it is still the latest on its comment.",
        undo_event,
        (Param("event", "path", {"type": "integer"}, "the event's number"),),
        tags=("curation",),
    ),
    Operation(
        "POST",
        "/api/v1/batches/{batch}/undo",
        "curate",
        "Undo a whole bulk action.",
        undo_batch,
        (Param("batch", "path", {"type": "string"}, "the batch's id"),),
        tags=("curation",),
    ),
    Operation(
        "DELETE",
        "/api/v1/feeds/{feed}/spotlight",
        "curate",
        "End a feed's spotlight now: its screens go back to the playlist.",
        end_spotlight,
        (Param("feed", "path", {"type": "string"}, "the feed's name"),),
        tags=("curation",),
    ),
    Operation(
        "GET",
        "/api/v1/log",
        "read",
        "The curation log, newest first (or as CSV).",
        list_log,
        LOG_PARAMS,
        answer=PAGE,
        tags=("log",),
    ),
]
