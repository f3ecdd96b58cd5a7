"""The versioned schema: each migration runs once, in order, inside a transaction."""

from __future__ import annotations

import hashlib
import json

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("voc-ticker")


@migrations()
def m001_initial(db: Database) -> None:
    """Sources, verbatims, feeds, the curation log and the quarantine."""
    db.table("sources").create(
        {"name": str, "kind": str, "created_at": str, "last_ingest_at": str}, pk="name"
    )
    db.table("verbatims").create(
        {
            "id": str,
            "source": str,
            "response_id": str,
            "text": str,
            "score": float,
            "scale": str,
            "given_at": str,
            "meta": str,
            "compound": float,
            "bucket": str,
            "mixed": int,
            "flags": str,
            "tagger_version": str,
            "state": str,
            "pinned": int,
            "ingested_at": str,
        },
        pk="id",
        not_null={"source", "text", "bucket", "state", "pinned", "ingested_at"},
        defaults={"pinned": 0, "mixed": 0, "flags": "[]", "meta": "{}"},
        foreign_keys=[("source", "sources", "name")],
    )
    db.table("verbatims").create_index(["state", "bucket", "given_at"])
    db.table("feeds").create(
        {"name": str, "title": str, "definition": str, "created_at": str, "updated_at": str},
        pk="name",
    )
    db.table("curation_log").create(
        {"id": int, "at": str, "actor": str, "action": str, "verbatim_id": str, "detail": str},
        pk="id",
        not_null={"at", "actor", "action"},
    )
    db.table("curation_log").create_index(["verbatim_id"])
    db.table("quarantine").create(
        {
            "id": int,
            "source": str,
            "origin": str,
            "line": int,
            "reason": str,
            "raw": str,
            "at": str,
        },
        pk="id",
    )


@migrations()
def m002_quarantine_key(db: Database) -> None:
    """Each quarantined row once: re-importing a file must not repeat its bad rows."""
    db.table("quarantine").add_column("key", str)
    db.table("quarantine").create_index(["key"], unique=True)


@migrations()
def m003_masked_text(db: Database) -> None:
    """The masked copy screens get, and which kinds of personal data were masked in it."""
    db.table("verbatims").add_column("shown_text", str)
    db.table("verbatims").add_column("masked", str, not_null_default="[]")


@migrations()
def m004_deliveries(db: Database) -> None:
    """Webhook deliveries already taken, so a replayed one is answered but not stored twice."""
    db.table("deliveries").create(
        {"source": str, "delivery": str, "at": str}, pk=("source", "delivery")
    )


@migrations()
def m005_source_cursor(db: Database) -> None:
    """Where an API pull resumes, committed with the rows it brought; and its last failure."""
    db.table("sources").add_column("cursor", str)
    db.table("sources").add_column("last_error", str)
    db.table("sources").add_column("last_error_at", str)


@migrations()
def m006_source_pulls(db: Database) -> None:
    """When a source's last pull read everything, and what it added and quarantined."""
    db.table("sources").add_column("last_pull_at", str)
    db.table("sources").add_column("last_pull_added", int)
    db.table("sources").add_column("last_pull_quarantined", int)


@migrations()
def m007_sort_key(db: Database) -> None:
    """The feeds' sort key stored, with indexes a playlist query walks and stops in: ordering by
    `coalesce(given_at, ingested_at)` sorted every approved comment of a bucket on each change."""
    db.table("verbatims").add_column("sort_at", str)
    db.execute("UPDATE verbatims SET sort_at = coalesce(given_at, ingested_at)")
    db.execute("DROP INDEX IF EXISTS idx_verbatims_state_bucket_given_at")
    db.table("verbatims").create_index(["state", "bucket", "pinned", "sort_at"])
    db.table("verbatims").create_index(["source", "state", "bucket", "pinned", "sort_at"])


@migrations()
def m008_quarantine_key_without_path(db: Database) -> None:
    """A quarantined row's key no longer includes the file's path: the same file imported by
    another path found its bad rows new again. Rows that were twins under the old key go."""
    seen: set[str] = set()
    for row in list(db.query("SELECT id, source, line, raw FROM quarantine ORDER BY id")):
        material = json.dumps([row["source"], row["line"], row["raw"]], ensure_ascii=False)
        key = hashlib.sha256(material.encode()).hexdigest()[:24]
        if key in seen:
            db.execute("DELETE FROM quarantine WHERE id = ?", [row["id"]])
        else:
            seen.add(key)
            db.execute("UPDATE quarantine SET key = ? WHERE id = ?", [key, row["id"]])


@migrations()
def m009_language(db: Database) -> None:
    """Each comment's language (ticker/language.py), so one the tagger cannot read is not
    scored as English; unknown (NULL) for what was stored before."""
    db.table("verbatims").add_column("language", str)


# The metadata rows of one comment, for the keys feeds filter on (`meta_keys`).
META_ROWS = (
    "SELECT j.key, j.value, {row}.state, {row}.bucket, {row}.pinned, {row}.sort_at, "
    "{row}.source, {row}.rowid FROM {tables}json_each({row}.meta) AS j "
    "WHERE j.type = 'text' AND j.key IN (SELECT key FROM meta_keys)"
)


@migrations()
def m010_meta_index(db: Database) -> None:
    """Metadata a feed filters on (region=LATAM) as rows it can walk by index, newest first:
    with `json_extract` a rare value read every approved comment of a bucket on each change.

    Only the keys some feed filters on are kept (`meta_keys`, filled as feeds are saved), so an
    import pays for nothing no feed asks; triggers keep the rows in step with every write,
    whichever process or tool makes it."""
    db.execute("CREATE TABLE meta_keys (key TEXT PRIMARY KEY)")
    db.execute(
        "CREATE TABLE verbatim_meta (key TEXT, value TEXT, state TEXT, bucket TEXT, "
        "pinned INTEGER, sort_at TEXT, source TEXT, vrow INTEGER, "
        "PRIMARY KEY (key, value, state, bucket, pinned, sort_at, vrow)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX idx_verbatim_meta_vrow ON verbatim_meta (vrow)")
    new = META_ROWS.format(row="new", tables="")
    wanted = "WHEN EXISTS (SELECT 1 FROM meta_keys)"
    db.execute(
        f"CREATE TRIGGER verbatim_meta_insert AFTER INSERT ON verbatims {wanted} BEGIN "
        f"INSERT OR IGNORE INTO verbatim_meta {new}; END"
    )
    db.execute(
        "CREATE TRIGGER verbatim_meta_update AFTER UPDATE OF meta, source, state, bucket, pinned, "
        f"sort_at ON verbatims {wanted} BEGIN DELETE FROM verbatim_meta WHERE vrow = old.rowid; "
        f"INSERT OR IGNORE INTO verbatim_meta {new}; END"
    )
    db.execute(
        f"CREATE TRIGGER verbatim_meta_delete AFTER DELETE ON verbatims {wanted} BEGIN "
        "DELETE FROM verbatim_meta WHERE vrow = old.rowid; END"
    )
    for (definition,) in db.execute("SELECT definition FROM feeds").fetchall():
        for key in json.loads(definition).get("filter", {}).get("meta", {}):
            db.execute("INSERT OR IGNORE INTO meta_keys (key) VALUES (?)", [key])
    every = META_ROWS.format(row="verbatims", tables="verbatims, ")
    db.execute(f"INSERT OR IGNORE INTO verbatim_meta {every}")


@migrations()
def m011_console(db: Database) -> None:
    """The console's ground: people, their sessions and API tokens, failed sign-ins (for the
    lockout), curators' notes and masks and re-tags, bulk actions in the log, and full-text
    search over what curators see (FTS5)."""
    db.execute(
        "CREATE TABLE users (email TEXT PRIMARY KEY, role TEXT NOT NULL, feeds TEXT NOT NULL "
        "DEFAULT '[]', password_hash TEXT, origin TEXT NOT NULL, created_at TEXT NOT NULL, "
        "updated_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE sessions (id TEXT PRIMARY KEY, email TEXT NOT NULL REFERENCES users(email) "
        "ON DELETE CASCADE, csrf TEXT NOT NULL, via TEXT NOT NULL, address TEXT, "
        "created_at TEXT NOT NULL, seen_at TEXT NOT NULL, expires_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_sessions_email ON sessions (email)")
    db.execute(
        "CREATE TABLE api_tokens (id TEXT PRIMARY KEY, email TEXT NOT NULL REFERENCES "
        "users(email) ON DELETE CASCADE, scope TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, "
        "label TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, expires_at TEXT, "
        "last_used_at TEXT, revoked_at TEXT)"
    )
    db.execute("CREATE TABLE signin_failures (key TEXT NOT NULL, at TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE oidc_states (state TEXT PRIMARY KEY, nonce TEXT NOT NULL, verifier TEXT "
        "NOT NULL, next TEXT NOT NULL, created_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_signin_failures ON signin_failures (key, at)")
    db.execute(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, verbatim_id TEXT NOT NULL, actor TEXT NOT "
        "NULL, at TEXT NOT NULL, text TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_notes_verbatim ON notes (verbatim_id)")
    db.execute(
        "CREATE TABLE labels (id INTEGER PRIMARY KEY, verbatim_id TEXT NOT NULL, bucket TEXT "
        "NOT NULL, tagged TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE action_notes (id INTEGER PRIMARY KEY, you_said TEXT NOT NULL, "
        "we_did TEXT NOT NULL, owner TEXT NOT NULL, status TEXT NOT NULL, due TEXT, "
        "actor TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE action_links (note INTEGER NOT NULL REFERENCES action_notes(id) "
        "ON DELETE CASCADE, verbatim_id TEXT NOT NULL, PRIMARY KEY (note, verbatim_id))"
    )
    db.execute("CREATE INDEX idx_action_links_verbatim ON action_links (verbatim_id)")
    db.execute(
        "CREATE TABLE spotlights (feed TEXT PRIMARY KEY, verbatim_id TEXT NOT NULL, "
        "until TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL)"
    )
    db.table("verbatims").add_column("curator_masks", str, not_null_default="[]")
    # The queue walks newest first (rowid) and stops at a page: an index on one column holds its
    # rows in (value, rowid) order, so a state, a source or a language is a range read backwards.
    for column in ("state", "source", "language", "sort_at"):
        db.execute(f"CREATE INDEX idx_verbatims_{column} ON verbatims ({column})")
    db.execute("CREATE INDEX idx_verbatim_meta_value ON verbatim_meta (key, value, vrow)")
    db.table("verbatims").add_column("bucket_by", str)
    db.table("curation_log").add_column("batch", str)
    db.execute("CREATE INDEX idx_curation_log_batch ON curation_log (batch)")
    db.execute("CREATE INDEX idx_curation_log_at ON curation_log (at)")
    db.execute(
        "CREATE VIRTUAL TABLE verbatims_fts USING fts5(shown_text, content='verbatims', "
        "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
    )
    # New comments are indexed by `Store.store_rows`, the one insert, a chunk per statement
    # (a trigger per row cost three times as much); a change of the text and a removal, by these.
    db.execute(
        "CREATE TRIGGER verbatims_fts_update AFTER UPDATE OF shown_text ON verbatims BEGIN "
        "INSERT INTO verbatims_fts (verbatims_fts, rowid, shown_text) "
        "VALUES ('delete', old.rowid, old.shown_text); "
        "INSERT INTO verbatims_fts (rowid, shown_text) VALUES (new.rowid, new.shown_text); END"
    )
    db.execute(
        "CREATE TRIGGER verbatims_fts_delete AFTER DELETE ON verbatims BEGIN "
        "INSERT INTO verbatims_fts (verbatims_fts, rowid, shown_text) "
        "VALUES ('delete', old.rowid, old.shown_text); END"
    )
    db.execute("INSERT INTO verbatims_fts (verbatims_fts) VALUES ('rebuild')")


@migrations()
def m012_outlets(db: Database) -> None:
    """Slack and Teams outlets: when each last sent and failed, when it tries again, which
    digest it sent last (one process sends it), and where its instant posting stands."""
    db.execute(
        "CREATE TABLE outlets (name TEXT PRIMARY KEY, last_sent_at TEXT, last_error TEXT, "
        "last_error_at TEXT, failures INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, "
        "digest_for TEXT, after_rowid INTEGER, after_log INTEGER)"
    )


@migrations()
def m013_screens(db: Database) -> None:
    """Who may watch a feed that needs a token, and the office screens registered to watch."""
    db.execute(
        "CREATE TABLE display_tokens (id TEXT PRIMARY KEY, kind TEXT NOT NULL, label TEXT NOT "
        "NULL, feeds TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_by TEXT NOT NULL, "
        "created_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT)"
    )
    db.execute(
        "CREATE TABLE screens (id TEXT PRIMARY KEY, name TEXT NOT NULL, location TEXT NOT NULL, "
        "feed TEXT NOT NULL, schedule TEXT NOT NULL DEFAULT '[]', timezone TEXT NOT NULL, "
        "token_id TEXT NOT NULL REFERENCES display_tokens(id), registered_by TEXT NOT NULL, "
        "registered_at TEXT NOT NULL, last_seen_at TEXT, showing TEXT, address TEXT)"
    )
    db.execute(
        "CREATE TABLE screen_pairings (code TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, "
        "created_at TEXT NOT NULL, expires_at TEXT NOT NULL, screen_id TEXT)"
    )


@migrations()
def m014_rules(db: Database) -> None:
    """Moderation rules in order (ticker/rules.py), and a version every change moves, so a
    long-lived pipeline reloads them only when they changed (one read per chunk)."""
    db.execute(
        "CREATE TABLE rules (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, "
        "position INTEGER NOT NULL, enabled INTEGER NOT NULL, definition TEXT NOT NULL, "
        "version INTEGER NOT NULL, actor TEXT NOT NULL, created_at TEXT NOT NULL, "
        "updated_at TEXT NOT NULL)"
    )
    db.execute("CREATE TABLE rules_version (n INTEGER NOT NULL)")
    db.execute("INSERT INTO rules_version (n) VALUES (0)")
