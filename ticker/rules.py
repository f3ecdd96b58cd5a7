"""Moderation rules: auto-approve, hold and hide rules that an admin lists in order.

A rule is conditions (source, score, score band, bucket, language, words or a pattern,
metadata) matched all or any, and an action. At ingest the judge asks the enabled rules in
order and the first that matches decides, after the built-in flags (ticker/moderation.py):

- `hide` hides the comment, whatever the flags said;
- `hold` makes it wait for a curator with the rule's reason (the flag `rule`), even a clean one;
- `approve` clears the flags the rule names in `overrides` (by default a score the words
  contradict and a language the tagger cannot read; profanity only when listed). A flag it may
  not clear keeps the comment waiting, and the rules after it are not asked.

Rules are plain data that pickle (compiled patterns included), so a worker process gets them in
the judge's recipe. A `RuleSet` carries the version of the rules table it was read at, so a
long-lived pipeline reloads only when an admin changed something.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Literal, get_args

from ticker import masks
from ticker.records import ALL_BUCKETS, SCALES, Scale, State
from ticker.rows import shown_column
from ticker.sentiment import score_band
from ticker.store import NotFound, Store, now

Action = Literal["approve", "hold", "hide"]
ACTIONS: tuple[Action, ...] = get_args(Action)
MATCHES = ("all", "any")
KINDS = ("source", "bucket", "language", "score", "band", "words", "pattern", "meta")
BANDS = ("low", "middle", "high")  # NPS 0-6 / 7-8 / 9-10; CSAT and stars 1-2 / 3 / 4-5
FLAGS = ("mixed", "untagged language", "profanity")  # what an approve rule may clear
DEFAULT_OVERRIDES = ("mixed", "untagged language")
HELD = "rule"  # the flag of a comment a hold rule keeps waiting
ACTOR = "rule:"  # the log's actor of a rule's act: rule:NAME
PAST = {"approve": "approved", "hold": "held", "hide": "hidden"}  # for the card: "held by rule X"
MAX_NAME, MAX_REASON, MAX_VALUES, MAX_VALUE, MAX_PATTERN = 80, 200, 100, 200, 200
TEXT_CHARS = 10_000  # rules read this much of a comment (a pattern's cost stays bounded)
PREVIEW_DAYS, PREVIEW_SAMPLES, PREVIEW_ROWS = 30, 20, 50_000
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORDS = re.compile(r"\w+")
# A group holding a quantifier, itself repeated: (a+)+, (\w*)*, the backtracking that never ends
_NESTED = re.compile(r"\((?:[^()\\]|\\.)*[+*}]\)[+*{]")


class RuleError(ValueError):
    """A rule that cannot be saved; the message names the field and what would fix it."""


def fold(text: str) -> str:
    """Text as rules compare it: accents off, case folded (`Café` and `cafe` are one word)."""
    if text.isascii():
        return text.lower()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


@dataclass(frozen=True)
class Facts:
    """What rules look at in a comment: as the judge has it, or as the store holds it."""

    source: str
    text: str
    score: float | None
    scale: Scale | None
    bucket: str
    language: str | None
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Condition:
    """One test on a comment; `values` are a set to be in, or the phrases of `words`, as the
    admin wrote them (`wanted` and `regex` are what is compared)."""

    kind: str
    values: tuple[str, ...] = ()
    key: str = ""  # meta: the metadata label
    scale: Scale | None = None  # score: the scale the numbers are on
    at_least: float | None = None
    at_most: float | None = None
    pattern: str = ""
    regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    wanted: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def holds(self, f: Facts, text: str) -> bool:
        """Whether the comment passes; `text` is its folded text."""
        kind = self.kind
        if kind == "source":
            return f.source in self.values
        if kind == "bucket":
            return f.bucket in self.values
        if kind == "language":
            return (f.language or "").lower() in self.values
        if kind == "meta":
            return fold(str(f.meta.get(self.key, "")).strip()) in self.wanted
        if kind in ("words", "pattern"):
            assert self.regex is not None
            return self.regex.search(text) is not None
        if f.score is None or f.scale is None:
            return False
        if kind == "band":
            return score_band(f.score, f.scale) in self.values
        return (
            f.scale == self.scale
            and (self.at_least is None or f.score >= self.at_least)
            and (self.at_most is None or f.score <= self.at_most)
        )

    def sql(self) -> tuple[str, list[Any]] | None:
        """The same test in SQL on `v`, where it can be one (to narrow a preview)."""
        if self.kind in ("source", "bucket", "language"):
            column = "lower(v.language)" if self.kind == "language" else f"v.{self.kind}"
            return f"{column} IN ({', '.join('?' for _ in self.values)})", list(self.values)
        if self.kind == "score":
            clauses, args = ["v.scale = ?"], list[Any]([self.scale])
            for op, bound in ((">=", self.at_least), ("<=", self.at_most)):
                if bound is not None:
                    clauses.append(f"v.score {op} ?")
                    args.append(bound)
            return " AND ".join(clauses), args
        if self.kind == "band":
            return "v.score IS NOT NULL", []
        return None

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "meta":
            return {"kind": "meta", "key": self.key, "values": list(self.values)}
        if self.kind == "score":
            return {"kind": "score", "scale": self.scale, "at_least": self.at_least,
                    "at_most": self.at_most}  # fmt: skip
        if self.kind == "pattern":
            return {"kind": "pattern", "pattern": self.pattern}
        return {"kind": self.kind, "values": list(self.values)}


@dataclass(frozen=True)
class Rule:
    name: str
    action: Action
    conditions: tuple[Condition, ...]
    match: str = "all"
    reason: str = ""
    enabled: bool = True
    overrides: tuple[str, ...] = DEFAULT_OVERRIDES
    id: int | None = None
    position: int = 0
    version: int = 0

    @cached_property
    def reads_text(self) -> bool:
        return any(c.kind in ("words", "pattern") for c in self.conditions)

    @cached_property
    def cheap_first(self) -> tuple[Condition, ...]:
        """The conditions with the text's last: a source or a value often decides alone."""
        return tuple(sorted(self.conditions, key=lambda c: c.kind in ("words", "pattern")))

    def matches(self, f: Facts, text: str = "") -> bool:
        """All (or any) of the conditions hold; `text` is the folded text, if it is needed.
        A plain loop: this runs for every rule on every comment of an import."""
        if self.reads_text and not text:
            text = fold(f.text[:TEXT_CHARS])
        every = self.match == "all"
        for c in self.cheap_first:
            if c.holds(f, text) is not every:
                return not every
        return every

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "position": self.position,
            "enabled": self.enabled,
            "match": self.match,
            "conditions": [c.to_dict() for c in self.conditions],
            "action": self.action,
            "reason": self.reason,
            "overrides": list(self.overrides),
            "version": self.version,
        }

    def definition(self) -> str:
        """What the rules table stores besides the name, position and enabled columns."""
        d = self.to_dict()
        return json.dumps({k: d[k] for k in ("match", "conditions", "action", "reason",
                                             "overrides")}, ensure_ascii=False)  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """A rule from what an admin sent; RuleError names the first field that is wrong."""
        if not isinstance(data, Mapping):
            raise RuleError("a rule is a JSON object with name, conditions and action")
        name = _text(data.get("name"), "name", MAX_NAME, required=True)
        action = data.get("action")
        if action not in ACTIONS:
            raise RuleError(f"action is one of {', '.join(ACTIONS)}")
        match = data.get("match", "all")
        if match not in MATCHES:
            raise RuleError("match is all (every condition) or any (one is enough)")
        enabled = data.get("enabled", True)
        if not isinstance(enabled, bool):
            raise RuleError("enabled is true or false")
        raw = data.get("conditions")
        if not isinstance(raw, list) or not 1 <= len(raw) <= len(KINDS) + MAX_VALUES:
            raise RuleError("conditions is a list of 1 or more conditions (source, score…)")
        conditions = tuple(_condition(c, f"conditions[{i}]") for i, c in enumerate(raw))
        seen: set[tuple[str, str]] = set()
        for i, c in enumerate(conditions):
            if (c.kind, c.key) in seen:
                what = f"'meta' condition on {c.key!r}" if c.kind == "meta" else f"{c.kind!r} one"
                raise RuleError(f"conditions[{i}] is a second {what}; put its values in the first")
            seen.add((c.kind, c.key))
        overrides = data.get("overrides", list(DEFAULT_OVERRIDES))
        if not isinstance(overrides, list) or any(o not in FLAGS for o in overrides):
            raise RuleError(f"overrides is a list of the flags an approve may clear: {FLAGS}")
        return cls(
            name=name,
            action=action,
            conditions=conditions,
            match=match,
            reason=_text(data.get("reason", ""), "reason", MAX_REASON, required=action == "hold"),
            enabled=enabled,
            overrides=tuple(dict.fromkeys(overrides)),
        )


def _text(value: Any, name: str, limit: int, required: bool = False) -> str:
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        need = f"1 to {limit}" if required else f"at most {limit}"
        raise RuleError(f"{name} is text of {need} characters")
    return " ".join(value.split())


def _number(value: Any, name: str, scale: str) -> float | None:
    if value is None:
        return None
    low, high = SCALES[scale]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise RuleError(f"{name} is a number on the {scale} scale, {low} to {high}")
    return float(value)


def _values(raw: Mapping[str, Any], at: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    values = raw.get("values")
    if (
        not isinstance(values, list)
        or not 1 <= len(values) <= MAX_VALUES
        or not all(isinstance(v, str) and v.strip() and len(v) <= MAX_VALUE for v in values)
    ):
        raise RuleError(f"{at}.values is a list of 1 to {MAX_VALUES} non-empty strings")
    for v in values:
        if allowed is not None and v not in allowed:
            raise RuleError(f"{at}.values: {v[:40]!r} is not one of {', '.join(allowed)}")
    return [v.strip() for v in values]


def _condition(raw: Any, at: str) -> Condition:
    """One condition, checked; a pattern is compiled here, so a bad one fails on save."""
    if not isinstance(raw, Mapping) or raw.get("kind") not in KINDS:
        raise RuleError(f"{at}.kind is one of {', '.join(KINDS)}")
    kind = str(raw["kind"])
    if kind == "source":
        return Condition(kind, tuple(_values(raw, at)))
    if kind == "bucket":
        return Condition(kind, tuple(_values(raw, at, ALL_BUCKETS)))
    if kind == "band":
        return Condition(kind, tuple(_values(raw, at, BANDS)))
    if kind == "language":
        return Condition(kind, tuple(v.lower() for v in _values(raw, at)))
    if kind == "meta":
        key = _text(raw.get("key"), f"{at}.key", MAX_VALUE, required=True)
        values = _values(raw, at)
        return Condition(kind, tuple(values), key=key, wanted=frozenset(map(fold, values)))
    if kind == "score":
        scale = raw.get("scale")
        if scale not in SCALES:
            raise RuleError(f"{at}.scale is one of {', '.join(SCALES)} (the scores' own scale)")
        least = _number(raw.get("at_least"), f"{at}.at_least", scale)
        most = _number(raw.get("at_most"), f"{at}.at_most", scale)
        if least is None and most is None:
            raise RuleError(f"{at} needs at_least, at_most or both")
        if least is not None and most is not None and least > most:
            raise RuleError(f"{at}.at_least ({least:g}) is above at_most ({most:g})")
        return Condition(kind, scale=scale, at_least=least, at_most=most)
    if kind == "words":
        values = _values(raw, at)
        phrases = [_WORDS.findall(fold(v)) for v in values]
        if not all(phrases):
            raise RuleError(f"{at}.values: each word or phrase needs a letter or a digit")
        alternatives = "|".join(r"\W+".join(map(re.escape, words)) for words in phrases)
        regex = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        return Condition(kind, tuple(values), regex=regex)
    return _pattern(raw, at)


def _pattern(raw: Mapping[str, Any], at: str) -> Condition:
    source = raw.get("pattern")
    if not isinstance(source, str) or not source or len(source) > MAX_PATTERN:
        raise RuleError(f"{at}.pattern is a regular expression of 1 to {MAX_PATTERN} characters")
    nested = _NESTED.search(source)
    if nested:
        raise RuleError(
            f"{at}.pattern repeats a group that repeats ({nested.group()!r} at position "
            f"{nested.start()}), which can take forever on some comments; drop one repeat"
        )
    try:  # accents off, as the text is; case through the flag (folding \W would make it \w)
        regex = re.compile(_MARKS.sub("", unicodedata.normalize("NFKD", source)), re.IGNORECASE)
    except re.error as exc:
        raise RuleError(f"{at}.pattern is not a valid regular expression: {exc}") from None
    except (RecursionError, OverflowError, ValueError):
        raise RuleError(f"{at}.pattern is too complex a regular expression") from None
    return Condition("pattern", pattern=source, regex=regex)


@dataclass(frozen=True)
class RuleSet:
    """The enabled rules in order, as of `version` of the rules table."""

    rules: tuple[Rule, ...] = ()
    version: int = 0

    def decide(
        self, f: Facts, state: State, flags: tuple[str, ...]
    ) -> tuple[State, tuple[str, ...], dict[str, str] | None]:
        """The state and flags after the rules, and the log's mark of the rule that acted
        (None when none changed anything: an approve of a comment nothing held is no act)."""
        text = ""
        for rule in self.rules:
            if rule.reads_text and not text:
                text = fold(f.text[:TEXT_CHARS])
            if not rule.matches(f, text):
                continue
            after: State
            if rule.action == "hold":
                after, flags = "pending", flags if HELD in flags else (*flags, HELD)
            elif rule.action == "hide":
                after = "hidden"
            elif state == "approved" or any(x not in rule.overrides for x in flags):
                return state, flags, None
            else:
                after = "approved"
            return after, flags, mark(rule, state, after)
        return state, flags, None


def mark(rule: Rule, before: str, after: str) -> dict[str, str]:
    """The curation log's row for a rule's act, as the store writes it (ticker/store.py)."""
    detail: dict[str, Any] = {"before": {"state": before}, "after": {"state": after}}
    detail |= {"rule": rule.id, "version": rule.version}
    if rule.reason:
        detail["reason"] = rule.reason
    return {
        "actor": f"{ACTOR}{rule.name}",
        "action": rule.action,
        "state": after,
        "detail": json.dumps(detail, ensure_ascii=False),
    }


# -- the rules table -------------------------------------------------------------------------


def version(store: Store) -> int:
    """The rules table's version: it moves on every save, removal and reordering."""
    return int(store.db.execute("SELECT n FROM rules_version").fetchone()[0])


def current(store: Store) -> RuleSet:
    """The enabled rules, in order, for the judge."""
    return RuleSet(tuple(r for r in listed(store) if r.enabled), version(store))


def changed(store: Store, known: int) -> RuleSet | None:
    """The rules, if they changed since version `known` (one indexed read otherwise)."""
    return current(store) if version(store) != known else None


def listed(store: Store) -> list[Rule]:
    """Every rule in order, disabled ones included."""
    found = []
    for r in store.db.query("SELECT * FROM rules ORDER BY position, id"):
        d = json.loads(r["definition"])
        rule = Rule.from_dict({**d, "name": r["name"], "enabled": bool(r["enabled"])})
        found.append(replace(rule, id=r["id"], position=r["position"], version=r["version"]))
    return found


def get(store: Store, rule_id: int) -> Rule:
    for rule in listed(store):
        if rule.id == rule_id:
            return rule
    raise NotFound(f"no rule {rule_id}")


def _changed(store: Store, actor: str, action: str, detail: dict[str, Any]) -> None:
    store.db.execute("UPDATE rules_version SET n = n + 1")
    store.record(actor, action, detail)


def save(store: Store, actor: str, data: Mapping[str, Any], rule_id: int | None = None) -> Rule:
    """Create a rule, last in order (or change rule `rule_id`, in its place); logged."""
    rule = Rule.from_dict(data)
    stamp = now()
    with store.transaction():
        if rule_id is not None:
            get(store, rule_id)  # NotFound before anything else is said of it
        twin = store.db.execute(
            "SELECT id FROM rules WHERE name = ? COLLATE NOCASE AND id IS NOT ?",
            [rule.name, rule_id],
        ).fetchone()
        if twin:
            raise RuleError(f"name: rule {twin[0]} is already called {rule.name!r}; pick another")
        values = [rule.name, int(rule.enabled), rule.definition(), actor, stamp]
        if rule_id is None:
            rule_id = store.db.execute(
                "INSERT INTO rules (name, enabled, definition, actor, updated_at, created_at, "
                "position, version) VALUES (?, ?, ?, ?, ?, ?, "
                "(SELECT coalesce(max(position), 0) + 1 FROM rules), 1)",
                [*values, stamp],
            ).lastrowid
        else:
            store.db.execute(
                "UPDATE rules SET name = ?, enabled = ?, definition = ?, actor = ?, "
                "updated_at = ?, version = version + 1 WHERE id = ?",
                [*values, rule_id],
            )
        assert rule_id is not None
        saved = get(store, rule_id)
        _changed(store, actor, "rule saved", saved.to_dict())
    return saved


def remove(store: Store, actor: str, rule_id: int) -> None:
    with store.transaction():
        gone = get(store, rule_id)
        store.db.execute("DELETE FROM rules WHERE id = ?", [rule_id])
        _changed(store, actor, "rule removed", gone.to_dict())


def reorder(store: Store, actor: str, ids: list[int]) -> list[Rule]:
    """Put the rules in this order; `ids` names every rule once."""
    with store.transaction():
        have = [r.id or 0 for r in listed(store)]
        if sorted(ids) != sorted(have):
            raise RuleError(f"ids lists every rule once, in the new order: {have}")
        store.db.conn.executemany(
            "UPDATE rules SET position = ? WHERE id = ?", list(enumerate(ids, start=1))
        )
        _changed(store, actor, "rules reordered", {"order": ids})
        return listed(store)


def preview(store: Store, data: Mapping[str, Any]) -> dict[str, Any]:
    """How many of the last 30 days' comments a rule (saved or not) matches, and the newest few.

    The newest PREVIEW_ROWS comments of the window are walked down the date index (so the cost
    is bounded whatever the store holds; `complete` says whether that was the whole window).
    SQL narrows them by the conditions it can test (source, bucket, language, score); words,
    patterns and metadata are tested here on the rows it streams.
    """
    rule = Rule.from_dict({**data, "enabled": True})
    since = (datetime.now(UTC) - timedelta(days=PREVIEW_DAYS)).isoformat(timespec="seconds")
    where: list[str] = []
    args: list[Any] = [since, PREVIEW_ROWS]
    tests = [c.sql() for c in rule.conditions]
    narrowing = [t for t in tests if t is not None]
    if rule.match == "all":
        where += [t[0] for t in narrowing]
        args += [a for t in narrowing for a in t[1]]
    elif len(narrowing) == len(tests):
        where.append("(" + " OR ".join(f"({t[0]})" for t in narrowing) + ")")
        args += [a for t in narrowing for a in t[1]]
    window = "SELECT rowid AS r FROM verbatims WHERE sort_at >= ? ORDER BY sort_at DESC LIMIT ?"
    sql = (
        "SELECT v.id, v.source, v.text, v.shown_text, v.curator_masks, v.score, v.scale, "
        f"v.bucket, v.language, v.meta, v.state, v.sort_at FROM ({window}) AS w "
        f"JOIN verbatims v ON v.rowid = w.r WHERE {' AND '.join(where) or '1'}"
    )
    metas = any(c.kind == "meta" for c in rule.conditions)
    matched = 0
    samples: list[dict[str, Any]] = []
    for r in store.db.query(sql, args):
        meta = json.loads(r["meta"] or "{}") if metas else {}
        f = Facts(r["source"], r["text"], r["score"], r["scale"], r["bucket"], r["language"], meta)
        if not rule.matches(f):
            continue
        matched += 1
        if len(samples) < PREVIEW_SAMPLES:
            shown = masks.applied(shown_column(r), masks.parse(r.get("curator_masks")))
            samples.append({"id": r["id"], "text": shown, "bucket": r["bucket"],
                            "state": r["state"], "given_at": r["sort_at"]})  # fmt: skip
    in_window = store.db.execute(  # the date index alone
        "SELECT count(*) FROM (SELECT 1 FROM verbatims WHERE sort_at >= ? LIMIT ?)",
        [since, PREVIEW_ROWS + 1],
    ).fetchone()[0]
    return {
        "matched": matched,
        "examined": min(in_window, PREVIEW_ROWS),
        "complete": in_window <= PREVIEW_ROWS,
        "days": PREVIEW_DAYS,
        "samples": samples,
    }
