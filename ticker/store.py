"""The store: the one place that speaks SQL (SQLite through sqlite-utils, WAL, migrations)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from ticker.feeds import Feed, FeedFilter, default_feed
from ticker.records import Stored
from ticker.rows import AT, INSERT, UPDATE, named
from ticker.rows import stored as _stored
from ticker.schema import META_ROWS, migrations


def now() -> str:
    """UTC now as ISO-8601, the one timestamp format the store writes."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def moment() -> str:
    """UTC now to the microsecond: a pull's end and its failure must be ordered within a
    second (it still sorts after `now()` of the same second, as `.` comes after `+`)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


T = TypeVar("T")
BUSY_TIMEOUT_MS = 10_000


class NotFound(LookupError):
    """No verbatim or feed with that id or name."""


class StoreError(Exception):
    """The database file cannot be used (a folder, not a database, no permission): one line."""


class Busy(StoreError):
    """Another process held the write lock for longer than the busy timeout; try again."""


@dataclass(frozen=True)
class QuarantinedRow:
    """A row that could not become a verbatim, kept with where it came from and why."""

    line: int
    reason: str
    raw: str


class Store:
    """Verbatims, feeds, the curation log and the quarantine in one SQLite file."""

    def __init__(self, path: Path | str, any_thread: bool = False) -> None:
        """Open (and migrate) the store; `any_thread` lets a pool close a reader's connection."""
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder; --db must name a database file")
        self._depth = 0
        try:
            self.db = Database(sqlite3.connect(self.path, check_same_thread=not any_thread))
            # Autocommit: no implicit (deferred) BEGIN. Every write goes through `transaction()`,
            # whose BEGIN IMMEDIATE takes the write lock up front, so the busy timeout applies
            # instead of SQLite refusing a deferred transaction's upgrade at once.
            self.db.conn.isolation_level = None
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")  # WAL: a crash loses no commit
            self.db.execute("PRAGMA foreign_keys = ON")
            if migrations.pending(self.db) or not self.db.table("feeds").count:
                with self.transaction():  # only now: opening a current store never waits
                    migrations.apply(self.db)
                    if not self.db.table("feeds").count:
                        self.save_feed(default_feed())
        except sqlite3.DatabaseError as exc:
            raise StoreError(_explain(self.path, exc)) from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, `BEGIN IMMEDIATE` at the outermost level; nested blocks are
        savepoints. Waits up to the busy timeout for another process's write lock."""
        if self._depth:
            self._depth += 1
            try:
                with self.db.atomic():
                    yield
            finally:
                self._depth -= 1
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            raise Busy(
                f"{self.path} stayed locked by another process for more than "
                f"{BUSY_TIMEOUT_MS / 1000:g} s; try again"
            ) from None
        self._depth = 1
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and _unwritable(exc):
                raise StoreError(_explain(self.path, exc)) from None
            raise
        finally:
            self._depth = 0

    def check_writable(self) -> None:
        """Raise StoreError now if writes would fail (a read-only file, a full disk), so a
        server says so at start instead of with its first webhook."""
        with self.transaction():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            self.db.execute(
                f"PRAGMA user_version = {int(version)}"
            )  # a real write, changing nothing

    def patience(self, seconds: float) -> None:
        """How long the next write waits for another process's lock (the busy timeout)."""
        self.db.execute(f"PRAGMA busy_timeout = {max(1, int(seconds * 1000))}")

    def write(self, work: Callable[[Store], T]) -> T:
        """Run `work` in one write transaction (a Writer runs it on its own thread instead)."""
        with self.transaction():
            return work(self)

    def change_marker(self) -> tuple[int, int]:
        """Changes whenever anyone (this connection or another process) commits a write."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        return int(version), self.db.conn.total_changes

    # -- ingest -------------------------------------------------------------------------------

    def ensure_source(self, name: str, kind: str) -> None:
        """Register a source the first time it is seen."""
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO sources (name, kind, created_at) VALUES (?, ?, ?)",
                [name, kind, now()],
            )

    def store_rows(
        self,
        rows: Sequence[tuple[Any, ...]],
        source: str,
        cursor: str | None = None,
        ruled: Mapping[str, Mapping[str, str]] | None = None,
    ) -> tuple[int, int]:
        """Store rows made by `row_for`; returns how many were new and how many were edits.

        A key stored before with the same words and score is left as it is (importing twice
        adds nothing). With other words or another score it is the customer's edit: the new
        text, score and tag replace the old, a curator's hide stands, a newly flagged comment
        waits again, and the log names the source as the one who changed it. A pull's cursor
        is committed in the same transaction, so a crash never skips or repeats a page.
        `ruled` holds the log rows of the moderation rules that acted (ticker/rules.py `mark`).
        """
        with self.transaction():
            before = self._current(row[AT["id"]] for row in rows)
            fresh = [row for row in rows if row[AT["id"]] not in before]
            edits = [row for row in rows if _edited(before.get(row[AT["id"]]), row)]
            last = self.total()
            # rowcount, not total_changes: that counts the metadata rows triggers add too
            added = max(self.db.conn.executemany(INSERT, fresh).rowcount, 0)
            if added:  # one statement for the chunk: a trigger per row cost three times as much
                self.db.execute(
                    "INSERT INTO verbatims_fts (rowid, shown_text) "
                    "SELECT rowid, shown_text FROM verbatims WHERE rowid > ?",
                    [last],
                )
            for row in edits:
                self._edit(source, before[row[AT["id"]]], named(row))
            if ruled:
                self._log_rules(ruled, last, [row[AT["id"]] for row in edits])
            stamp = now()
            self.db.execute("UPDATE sources SET last_ingest_at = ? WHERE name = ?", [stamp, source])
            if cursor is not None:
                self.db.execute("UPDATE sources SET cursor = ? WHERE name = ?", [cursor, source])
        return added, len(edits)

    def _log_rules(
        self, ruled: Mapping[str, Mapping[str, str]], last: int, edited: list[str]
    ) -> None:
        """The rules' acts on a chunk in one statement: on each comment it added, and on each
        edited one where the rule's state stood (a curator's hide stands over it)."""
        marks = [[v, m["actor"], m["action"], m["detail"], m["state"]] for v, m in ruled.items()]
        self.db.execute(
            "INSERT INTO curation_log (at, actor, action, verbatim_id, detail) "
            "SELECT ?, json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), v.id, "
            "json_extract(j.value, '$[3]') FROM json_each(?) AS j JOIN verbatims v "
            "ON v.id = json_extract(j.value, '$[0]') WHERE v.state = json_extract(j.value, '$[4]') "
            "AND (v.rowid > ? OR v.id IN (SELECT value FROM json_each(?)))",
            [now(), json.dumps(marks, ensure_ascii=False), last, json.dumps(edited)],
        )

    def _current(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        sql = (
            "SELECT id, text, score, scale, bucket, state FROM verbatims "
            "WHERE id IN (SELECT value FROM json_each(?))"
        )
        return {r["id"]: r for r in self.db.query(sql, [json.dumps(list(ids))])}

    def _edit(self, source: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.db.execute(UPDATE, new)
        after = self.db.execute("SELECT state FROM verbatims WHERE id = ?", [new["id"]]).fetchone()
        keys = ("text", "score", "scale", "bucket")
        detail = {
            "before": {k: old[k] for k in (*keys, "state")},
            "after": {**{k: new[k] for k in keys}, "state": after[0]},
        }
        self.db.table("curation_log").insert(
            {
                "at": now(),
                "actor": f"source:{source}",
                "action": "edit",
                "verbatim_id": new["id"],
                "detail": json.dumps(detail, ensure_ascii=False),
            }
        )

    def cursor(self, source: str) -> str | None:
        """Where the source's next pull resumes (None: from the beginning)."""
        row = self.db.execute("SELECT cursor FROM sources WHERE name = ?", [source]).fetchone()
        return row[0] if row else None

    def save_cursor(self, source: str, cursor: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE sources SET cursor = ? WHERE name = ?", [cursor, source])

    def source_pulled(self, source: str, added: int, quarantined: int) -> None:
        """Record a pull that read everything it was asked (what it added may be nothing)."""
        with self.transaction():
            self.db.execute(
                "UPDATE sources SET last_pull_at = ?, last_pull_added = ?, "
                "last_pull_quarantined = ? WHERE name = ?",
                [moment(), added, quarantined, source],
            )

    def source_failed(self, source: str, error: str) -> None:
        """Record why a source's last pull failed (shown by `voc-ticker sources`)."""
        with self.transaction():
            self.db.execute(
                "UPDATE sources SET last_error = ?, last_error_at = ? WHERE name = ?",
                [error, moment(), source],
            )

    def quarantine(self, source: str, origin: str, rows: Iterable[QuarantinedRow]) -> int:
        """Keep rows that could not be read, with their line and reason; the same row once.

        Returns how many were new (a pull re-reading a page finds its bad rows again)."""
        stamp = now()
        rows = [replace(r, reason=_storable(r.reason), raw=_storable(r.raw)) for r in rows]
        with self.transaction():
            done = self.db.conn.executemany(
                "INSERT OR IGNORE INTO quarantine (key, source, origin, line, reason, raw, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        quarantine_key(source, r),
                        source,
                        origin,
                        r.line,
                        r.reason,
                        r.raw,
                        stamp,
                    )
                    for r in rows
                ],
            )
        return max(done.rowcount, 0)

    def source_health(self) -> dict[str, dict[str, Any]]:
        """Per source: comments, last import, webhook deliveries and the last quarantined row."""
        health: dict[str, dict[str, Any]] = {}
        for row in self.db.query(
            "SELECT s.name, s.kind, s.last_ingest_at, s.last_pull_at, s.last_pull_added, "
            "s.last_pull_quarantined, "
            "s.last_error, s.last_error_at, "
            "(SELECT count(*) FROM verbatims v WHERE v.source = s.name) AS comments, "
            "(SELECT count(*) FROM quarantine q WHERE q.source = s.name) AS quarantined, "
            "(SELECT max(at) FROM deliveries d WHERE d.source = s.name) AS last_delivery_at "
            "FROM sources s ORDER BY s.name"
        ):
            health[row["name"]] = dict(row)
        for row in self.db.query(
            "SELECT source, reason, at FROM quarantine WHERE id IN "
            "(SELECT max(id) FROM quarantine GROUP BY source)"
        ):
            entry = health.get(row["source"])
            if entry is not None and (entry["last_error_at"] or "") <= row["at"]:
                entry["last_error"], entry["last_error_at"] = row["reason"], row["at"]
        for row in self.db.query(  # waiting for a curator: a language no tagger here reads
            "SELECT source, coalesce(language, '?') AS language, count(*) AS n FROM verbatims "
            "WHERE state = 'pending' AND bucket = 'untagged' GROUP BY source, language"
        ):
            if row["source"] in health:
                health[row["source"]].setdefault("untagged", {})[row["language"]] = row["n"]
        return health

    def delivered(self, source: str, delivery: str) -> bool:
        """True if this webhook delivery was taken before (a replay)."""
        sql = "SELECT 1 FROM deliveries WHERE source = ? AND delivery = ?"
        return self.db.execute(sql, [source, delivery]).fetchone() is not None

    def record_delivery(self, source: str, delivery: str) -> None:
        """Remember a delivery once what it brought is stored, so a failure is retried."""
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO deliveries (source, delivery, at) VALUES (?, ?, ?)",
                [source, delivery, now()],
            )

    def quarantined(self, source: str | None = None) -> list[dict[str, Any]]:
        where, args = ("source = ?", [source]) if source else (None, None)
        return list(self.db.table("quarantine").rows_where(where, args, order_by="id"))

    # -- reading ------------------------------------------------------------------------------

    def get(self, verbatim_id: str) -> Stored:
        rows = list(self.db.query("SELECT * FROM verbatims WHERE id = ?", [verbatim_id]))
        if not rows:
            raise NotFound(f"no verbatim with id {verbatim_id!r}")
        return _stored(rows[0])

    def total(self) -> int:
        """How many comments are stored, without counting them: rows are never deleted, so the
        last rowid is their number (`count()` reads the whole table; /healthz must not)."""
        return int(self.db.execute("SELECT coalesce(max(rowid), 0) FROM verbatims").fetchone()[0])

    def count(self, **where: str) -> int:
        clause = " AND ".join(f"{k} = ?" for k in where) or "1"
        return int(
            self.db.execute(
                f"SELECT count(*) FROM verbatims WHERE {clause}", list(where.values())
            ).fetchone()[0]
        )

    def candidates(self, filt: FeedFilter, per_bucket: int) -> list[Stored]:
        """Approved verbatims a feed may show, pinned then freshest first, `per_bucket` of each.

        Each query is one range of an index, read newest first and stopped at the limit, so the
        cost follows the playlist's size, not the store's: (state, bucket, pinned, sort_at), per
        source (source, state, …), or for a metadata filter the metadata rows' own index
        (key, value, [source,] state, bucket, pinned, sort_at). Pinned and unpinned are asked
        apart so that an age window stays a range.
        """
        pairs = sorted(filt.meta.items())
        walked = next((pair for pair in pairs if self._meta_indexed(pair[0])), None)
        sql, args = _candidates_query(filt, walked)
        found: list[Stored] = []
        limit = per_bucket
        for bucket in filt.buckets:
            rows: list[dict[str, Any]] = []
            for pinned in (1, 0):
                for source in filt.sources or (None,):
                    for value in walked[1] if walked else (None,):
                        asked = {**args, "bucket": bucket, "pinned": pinned, "source": source}
                        rows.extend(self.db.query(sql, {**asked, "value": value, "limit": limit}))
            if len(filt.sources) > 1 or (walked and len(walked[1]) > 1):  # each range's best
                rows.sort(key=lambda r: (r["pinned"], r["sort_at"], r["_rowid"]), reverse=True)
            found.extend(_stored(r) for r in rows[:per_bucket])
        return found

    # -- curation -----------------------------------------------------------------------------

    def curate(
        self,
        verbatim_id: str,
        action: str,
        actor: str,
        reason: str = "",
        batch: str | None = None,
        extra: dict[str, Any] | None = None,
        **change: Any,
    ) -> Stored:
        """Apply one curation action and record it in the log (before, after, why), in one
        transaction; `batch` ties together the events of one bulk action."""
        with self.transaction():
            row = self.row(verbatim_id)
            if change:
                sets = ", ".join(f"{k} = ?" for k in change)
                self.db.execute(
                    f"UPDATE verbatims SET {sets} WHERE id = ?", [*change.values(), verbatim_id]
                )
            detail: dict[str, Any] = {
                "before": {k: row[k] for k in change},
                "after": change,
                **(extra or {}),
            }
            if reason:
                detail["reason"] = reason
            self.db.execute(
                "INSERT INTO curation_log (at, actor, action, verbatim_id, detail, batch) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [now(), actor, action, verbatim_id, json.dumps(detail, ensure_ascii=False), batch],
            )
        return self.get(verbatim_id)

    def curate_many(
        self,
        changes: dict[str, dict[str, Any]],
        action: str,
        actor: str,
        reason: str,
        batch: str,
        extras: dict[str, dict[str, Any]] | None = None,
    ) -> int:
        """`curate` for many comments at once (id -> its change, the same columns for all): one
        batch in the log, each comment's own before and after. NotFound names a missing id,
        and nothing changes."""
        ids = list(changes)
        keys = list(changes[ids[0]]) if ids else []
        columns = ", ".join(keys)
        with self.transaction():
            before = {
                r["id"]: r
                for r in self.db.query(
                    f"SELECT id, {columns} FROM verbatims WHERE id IN "
                    "(SELECT value FROM json_each(?))",
                    [json.dumps(list(ids))],
                )
            }
            missing = [i for i in ids if i not in before]
            if missing:
                raise NotFound(f"no verbatim with id {missing[0]!r} ({len(missing)} missing)")
            sets = ", ".join(f"{k} = ?" for k in keys)
            self.db.conn.executemany(
                f"UPDATE verbatims SET {sets} WHERE id = ?",
                [(*(changes[i][k] for k in keys), i) for i in ids],
            )
            stamp, said = now(), {"reason": reason} if reason else {}
            self.db.conn.executemany(
                "INSERT INTO curation_log (at, actor, action, verbatim_id, detail, batch) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        stamp,
                        actor,
                        action,
                        i,
                        json.dumps(
                            {
                                "before": {k: before[i][k] for k in keys},
                                "after": changes[i],
                                **said,
                                **(extras or {}).get(i, {}),
                            },
                            ensure_ascii=False,
                        ),
                        batch,
                    )
                    for i in ids
                ],
            )
        return len(ids)

    def row(self, verbatim_id: str) -> dict[str, Any]:
        """A comment's whole row, every column (the console shows more than screens get)."""
        rows = list(self.db.query("SELECT * FROM verbatims WHERE id = ?", [verbatim_id]))
        if not rows:
            raise NotFound(f"no verbatim with id {verbatim_id!r}")
        return rows[0]

    def record(self, actor: str, action: str, detail: dict[str, Any]) -> None:
        """Log a change that is not to one comment (a feed, a token, a screen)."""
        self.db.execute(
            "INSERT INTO curation_log (at, actor, action, verbatim_id, detail) "
            "VALUES (?, ?, ?, NULL, ?)",
            [now(), actor, action, json.dumps(detail, ensure_ascii=False)],
        )

    def curation_log(self, verbatim_id: str | None = None) -> list[dict[str, Any]]:
        where, args = ("verbatim_id = ?", [verbatim_id]) if verbatim_id else (None, None)
        return list(self.db.table("curation_log").rows_where(where, args, order_by="id"))

    def event(self, event_id: int) -> dict[str, Any]:
        rows = list(self.db.query("SELECT * FROM curation_log WHERE id = ?", [event_id]))
        if not rows:
            raise NotFound(f"no curation event {event_id}")
        return rows[0]

    def latest_event(self, verbatim_id: str) -> int | None:
        """The id of the last event on a comment (only that one may be undone)."""
        sql = "SELECT max(id) FROM curation_log WHERE verbatim_id = ?"
        found = self.db.execute(sql, [verbatim_id]).fetchone()[0]
        return int(found) if found is not None else None

    def latest_events(self, ids: Sequence[str]) -> dict[str, int]:
        """The id of the last event on each of these comments."""
        sql = (
            "SELECT verbatim_id, max(id) FROM curation_log WHERE verbatim_id IN "
            "(SELECT value FROM json_each(?)) GROUP BY verbatim_id"
        )
        return dict(self.db.execute(sql, [json.dumps(list(ids))]).fetchall())

    def batch_events(self, batch: str) -> list[dict[str, Any]]:
        sql = "SELECT * FROM curation_log WHERE batch = ? ORDER BY id"
        return list(self.db.query(sql, [batch]))

    # -- feeds --------------------------------------------------------------------------------

    def save_feed(self, feed: Feed) -> None:
        """Create or change a feed. A metadata key no feed filtered on before is indexed now:
        one pass over the store (seconds at a million comments), once per key."""
        feed.validate()
        stamp = now()
        with self.transaction():
            for key in feed.filter.meta:
                self._index_meta_key(key)
            self.db.execute(  # created once; a change moves only updated_at
                "INSERT INTO feeds (name, title, definition, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET title = excluded.title, "
                "definition = excluded.definition, updated_at = excluded.updated_at",
                [feed.name, feed.title, json.dumps(feed.to_dict()), stamp, stamp],
            )

    def _index_meta_key(self, key: str) -> None:
        added = self.db.execute("INSERT OR IGNORE INTO meta_keys (key) VALUES (?)", [key])
        if added.rowcount:
            every = META_ROWS.format(row="verbatims", tables="verbatims, ")
            self.db.execute(f"INSERT OR IGNORE INTO verbatim_meta {every} AND j.key = ?", [key])

    def _meta_indexed(self, key: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM meta_keys WHERE key = ?", [key]).fetchone() is not None
        )

    def feed(self, name: str) -> Feed:
        rows = list(self.db.query("SELECT definition FROM feeds WHERE name = ?", [name]))
        if not rows:
            raise NotFound(f"no feed named {name!r}")
        return Feed.from_dict(json.loads(rows[0]["definition"]), stored=True)

    def has_feed(self, name: str) -> bool:
        return self.db.execute("SELECT 1 FROM feeds WHERE name = ?", [name]).fetchone() is not None

    def source_names(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM sources ORDER BY name")]

    def languages_seen(self) -> list[str]:
        """Every language a stored comment is in: one walk of the language index."""
        sql = "SELECT DISTINCT language FROM verbatims WHERE language IS NOT NULL ORDER BY 1"
        return [r[0] for r in self.db.execute(sql)]

    def recent_meta(self, limit: int) -> list[dict[str, str]]:
        """The metadata of the `limit` newest comments (a sample for a form's suggestions)."""
        sql = "SELECT meta FROM verbatims ORDER BY rowid DESC LIMIT ?"
        return [json.loads(r[0] or "{}") for r in self.db.execute(sql, [limit])]

    def feed_names(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM feeds ORDER BY name")]

    def feeds(self) -> list[Feed]:
        return [
            Feed.from_dict(json.loads(r["definition"]), stored=True)
            for r in self.db.query("SELECT definition FROM feeds ORDER BY name")
        ]


def _explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    """What to do about a database file SQLite refuses."""
    said = str(exc)
    if "not a database" in said:
        return f"{path} is not an SQLite database (is --db the right file?)"
    if "unable to open" in said:
        return f"cannot open {path}: check that its folder exists and is writable"
    if "locked" in said:
        return f"{path} is locked by another process for longer than {BUSY_TIMEOUT_MS // 1000} s"
    if "readonly" in said:
        return f"{path} is read-only: give this user write access to it and to its folder"
    if "full" in said:
        return f"the disk holding {path} is full"
    return f"{path}: {said}"


def _unwritable(exc: sqlite3.OperationalError) -> bool:
    """Errors no retry fixes: the file or the disk refuses writes."""
    said = str(exc)
    return "readonly" in said or "disk is full" in said or "disk I/O error" in said


def _storable(text: str) -> str:
    """Text SQLite can hold: half a character (a lone surrogate) kept as its escape, `\\ud800`.
    Only for the quarantine's copy of a bad row; a customer's words are never rewritten."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def quarantine_key(source: str, row: QuarantinedRow) -> str:
    """The same bad row of a source once, whichever path its file was imported from."""
    material = json.dumps([source, row.line, row.raw], ensure_ascii=False)
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def _edited(old: dict[str, Any] | None, row: tuple[Any, ...]) -> bool:
    """True when a stored response came back with other words or another score."""
    if old is None:
        return False
    return (old["text"], old["score"], old["scale"]) != (
        row[AT["text"]],
        row[AT["score"]],
        row[AT["scale"]],
    )


CHECKED = 10_000  # newest rows of a playlist range a language or score filter is checked on


def _candidates_query(
    filt: FeedFilter, walked: tuple[str, tuple[str, ...]] | None
) -> tuple[str, dict[str, Any]]:
    """The SQL of one (bucket, pinned, source[, value]) range of a feed's candidates, and its
    values.

    With `walked`, a metadata key that is indexed and its values, the walk is over
    `verbatim_meta` (kept by triggers, migration m010), one value at a time; other keys are
    checked on the rows that walk finds. Languages and score ranges are checked on the newest
    `CHECKED` rows of the range only: no index orders them by date, and a range that holds none
    of them must not be read to its end (a million rows, seconds) on every change.
    """
    args: dict[str, Any] = {}
    on = "m" if walked else "v"
    clauses = [f"{on}.state = 'approved'", f"{on}.bucket = :bucket", f"{on}.pinned = :pinned"]
    if filt.sources:
        clauses.append(f"{on}.source = :source")
    if filt.max_age_days is not None:
        clauses.append(f"{on}.sort_at >= :since")
        since = datetime.now(UTC) - timedelta(days=filt.max_age_days)
        args["since"] = since.isoformat(timespec="seconds")
    if walked:
        clauses += ["m.key = :key", "m.value = :value"]
        args["key"] = walked[0]

    def among(name: str, values: tuple[str, ...]) -> str:
        args.update({f"{name}_{j}": value for j, value in enumerate(values)})
        return f"({', '.join(f':{name}_{j}' for j in range(len(values)))})"

    for i, (key, wanted) in enumerate(p for p in sorted(filt.meta.items()) if p != walked):
        clauses.append(f"json_extract(v.meta, :mk{i}) IN {among(f'mv{i}', wanted)}")
        args[f"mk{i}"] = f'$."{key}"'
    checks = [f"v.language IN {among('lang', filt.languages)}"] if filt.languages else []
    ranges = []
    for i, (scale, (low, high)) in enumerate(sorted(filt.scores.items())):
        ranges.append(f"(v.scale = :sc{i} AND v.score BETWEEN :lo{i} AND :hi{i})")
        args.update({f"sc{i}": scale, f"lo{i}": low, f"hi{i}": high})
    if ranges:
        checks.append(f"({' OR '.join(ranges)})")
    where = " AND ".join(clauses)
    if walked:
        walk = (
            f"SELECT v.rowid AS _rowid, v.* FROM verbatim_meta m JOIN verbatims v "
            f"ON v.rowid = m.vrow WHERE {where} ORDER BY m.sort_at DESC, m.vrow DESC"
        )
    else:
        walk = (
            f"SELECT v.rowid AS _rowid, v.* FROM verbatims v WHERE {where} "
            "ORDER BY v.sort_at DESC, v.rowid DESC"
        )
    if not checks:
        return f"{walk} LIMIT :limit", args
    args["checked"] = CHECKED
    return (
        f"SELECT * FROM ({walk} LIMIT :checked) AS v WHERE {' AND '.join(checks)} "
        "ORDER BY v.sort_at DESC, v._rowid DESC LIMIT :limit",
        args,
    )
