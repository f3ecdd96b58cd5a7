"""Moderation rules: matching, validation, and what they do at ingest, in the log and the queue."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from tests.conftest import add
from ticker import curation, queue, rules
from ticker.judge import Judge
from ticker.pipeline import CHUNK, Pipeline, numbered
from ticker.records import Verbatim
from ticker.redact import Redactor
from ticker.rules import Facts, Rule, RuleError, RuleSet
from ticker.sentiment import Tagger
from ticker.store import NotFound, Store

PRAISE = "Lovely staff, quick and kind."
MIXED = "Absolutely terrible, worst service ever, I hate it"  # with a 10: flagged mixed
SWEARING = "Shit service at the store"  # flagged profanity


def rule(*conditions: dict[str, Any], **fields: Any) -> Rule:
    return Rule.from_dict({"name": "r", "action": "hide", "conditions": list(conditions), **fields})


def facts(text: str = "", **fields: Any) -> Facts:
    given: dict[str, Any] = {
        "source": "nps",
        "text": text,
        "score": None,
        "scale": None,
        "bucket": "good",
        "language": "en",
        **fields,
    }
    return Facts(**given)


def hold(
    name: str, *conditions: dict[str, Any], reason: str = "a person looks first"
) -> dict[str, Any]:
    return {"name": name, "action": "hold", "reason": reason, "conditions": list(conditions)}


WORDS = {"kind": "words", "values": ["refund", "charged twice"]}


def test_words_are_whole_words_in_any_case_or_accent() -> None:
    """A phrase matches across case, accents and punctuation between its words, never inside
    a longer word."""
    r = rule(WORDS)
    assert r.matches(facts("I want a REFÜND now"))
    assert r.matches(facts("I was Charged, twice!"))
    assert not r.matches(facts("refunded already"))
    assert not r.matches(facts("charged once"))
    café = rule({"kind": "words", "values": ["Café"]})
    assert café.matches(facts("the cafe was cold")) and café.matches(facts("CAFÉ"))


def test_all_needs_every_condition_and_any_one() -> None:
    """match all is an and, match any an or."""
    both = [WORDS, {"kind": "source", "values": ["app"]}]
    assert not rule(*both).matches(facts("refund please", source="nps"))
    assert rule(*both).matches(facts("refund please", source="app"))
    assert rule(*both, match="any").matches(facts("refund please", source="nps"))
    assert not rule(*both, match="any").matches(facts("thanks", source="nps"))


def test_each_condition_tests_its_own_field() -> None:
    """Source, bucket, language, score on its scale, band, pattern and metadata."""
    assert rule({"kind": "bucket", "values": ["ugly"]}).matches(facts(bucket="ugly"))
    assert not rule({"kind": "bucket", "values": ["ugly"]}).matches(facts(bucket="bad"))
    assert rule({"kind": "language", "values": ["DE"]}).matches(facts(language="de"))
    assert not rule({"kind": "language", "values": ["de"]}).matches(facts(language=None))
    nps_low = rule({"kind": "score", "scale": "nps", "at_most": 6})
    assert nps_low.matches(facts(score=6, scale="nps"))
    assert not nps_low.matches(facts(score=7, scale="nps"))
    assert not nps_low.matches(facts(score=2, scale="csat5"))  # another scale is not an NPS 2
    assert not nps_low.matches(facts())  # no score
    low = rule({"kind": "band", "values": ["low"]})
    assert low.matches(facts(score=6, scale="nps")) and low.matches(facts(score=2, scale="stars5"))
    assert not low.matches(facts(score=3, scale="csat5"))
    pattern = rule({"kind": "pattern", "pattern": r"ord-\d{4}"})
    assert pattern.matches(facts("about ORD-1234")) and not pattern.matches(facts("ord-12"))
    region = rule({"kind": "meta", "key": "region", "values": ["EMEA", "LatAm"]})
    assert region.matches(facts(meta={"region": "latam"}))
    assert not region.matches(facts(meta={"region": "APAC"})) and not region.matches(facts())


@pytest.mark.parametrize(
    ("pattern", "said"),
    [
        ("(refund", "missing ), unterminated subpattern at position 0"),
        ("[a-", "unterminated character set at position 0"),
        ("a{2,1}", "min repeat greater than max repeat at position 2"),
        ("(a+)+$", "repeats a group that repeats ('(a+)+' at position 0)"),
        ("x" * 201, "1 to 200 characters"),
    ],
)
def test_a_bad_pattern_is_refused_with_where_and_why(pattern: str, said: str) -> None:
    """An invalid or runaway regular expression names the condition, the error and its place."""
    with pytest.raises(RuleError) as raised:
        rule(WORDS, {"kind": "pattern", "pattern": pattern})
    assert str(raised.value).startswith("conditions[1].pattern") and said in str(raised.value)


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"name": " "}, "name is text of 1 to 80 characters"),
        ({"action": "delete"}, "action is one of approve, hold, hide"),
        ({"action": "hold"}, "reason is text of 1 to 200"),
        ({"match": "most"}, "match is all"),
        ({"conditions": []}, "conditions is a list of 1 or more"),
        ({"conditions": [{"kind": "colour"}]}, "conditions[0].kind is one of source"),
        ({"conditions": [{"kind": "bucket", "values": ["meh"]}]}, "'meh' is not one of good"),
        ({"conditions": [{"kind": "score", "scale": "csat5", "at_least": 9}]}, "1 to 5"),
        ({"conditions": [{"kind": "score", "scale": "nps"}]}, "needs at_least, at_most"),
        ({"conditions": [{"kind": "words", "values": ["!!"]}]}, "needs a letter or a digit"),
        ({"conditions": [WORDS, WORDS]}, "conditions[1] is a second 'words' one"),
        ({"overrides": ["hidden"]}, "overrides is a list of the flags"),
    ],
)
def test_a_rule_that_cannot_be_saved_says_which_field(fields: dict[str, Any], said: str) -> None:
    """Each refusal names the field and what it takes."""
    with pytest.raises(RuleError, match=None) as raised:
        Rule.from_dict({"name": "r", "action": "hide", "conditions": [WORDS], **fields})
    assert said in str(raised.value)


def test_a_rule_set_with_a_pattern_pickles_for_worker_processes() -> None:
    """The judge's recipe crosses to worker processes: its rules and their compiled patterns."""
    r = rule({"kind": "pattern", "pattern": "acme"}, id=None)
    again = pickle.loads(pickle.dumps(RuleSet((r,), 3)))
    assert again.version == 3 and again.rules[0].matches(facts("Try ACME instead"))


def test_the_first_matching_rule_decides_and_built_in_flags_meet_it() -> None:
    """Hold adds the rule's flag, hide hides, approve clears only the flags it names."""
    approve = Rule.from_dict({"name": "a", "action": "approve", "conditions": [WORDS]})
    held = Rule.from_dict(hold("h", WORDS))
    f = facts("refund")
    assert RuleSet((held, approve)).decide(f, "approved", ())[:2] == ("pending", ("rule",))
    assert RuleSet((approve, held)).decide(f, "pending", ("mixed",))[:2] == (
        "approved",
        ("mixed",),
    )
    kept = RuleSet((approve, held)).decide(f, "pending", ("profanity",))
    assert kept == ("pending", ("profanity",), None)  # not cleared; no later rule is asked
    assert RuleSet((approve,)).decide(f, "approved", ())[2] is None  # nothing to approve: no act
    assert RuleSet((approve,)).decide(facts("thanks"), "pending", ("mixed",))[2] is None


# -- at ingest ----------------------------------------------------------------------------------


def logged(store: Store, vid: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(e["actor"], e["action"], json.loads(e["detail"])) for e in store.curation_log(vid)]


def test_rules_act_at_ingest_and_the_log_names_them(store: Store, tagger: Tagger) -> None:
    """Hold, hide and approve at ingest, each comment's log row naming the rule, its id and
    version; a comment no rule acted on has no log row, and importing twice adds none."""
    held = rules.save(store, "ann", hold("Refunds", WORDS, reason="finance answers refunds"))
    hid = rules.save(
        store,
        "ann",
        {
            "name": "Rivals",
            "action": "hide",
            "conditions": [{"kind": "pattern", "pattern": "acme"}],
        },
    )
    approve = rules.save(
        store,
        "ann",
        {
            "name": "Kiosk",
            "action": "approve",
            "conditions": [{"kind": "source", "values": ["kiosk"]}],
        },
    )
    comments = [
        Verbatim("nps", "I want a refund", "1", 3, "nps"),
        Verbatim("nps", "Acme does it better", "2", 4, "nps"),
        Verbatim("kiosk", MIXED, "3", 10, "nps"),
        Verbatim("kiosk", SWEARING, "4", 1, "stars5"),
        Verbatim("nps", PRAISE, "5", 10, "nps"),
    ]
    ids = add(store, tagger, *comments)
    states = [store.get(i).state for i in ids]
    assert states == ["pending", "hidden", "approved", "pending", "approved"]
    assert logged(store, ids[0]) == [
        (
            "rule:Refunds",
            "hold",
            {
                "before": {"state": "approved"},
                "after": {"state": "pending"},
                "rule": held.id,
                "version": 1,
                "reason": "finance answers refunds",
            },
        )
    ]
    assert [e[:2] for e in logged(store, ids[1])] == [("rule:Rivals", "hide")]
    assert logged(store, ids[1])[0][2]["rule"] == hid.id
    assert [e[:2] for e in logged(store, ids[2])] == [("rule:Kiosk", "approve")]
    assert logged(store, ids[2])[0][2]["rule"] == approve.id
    assert logged(store, ids[3]) == [] and logged(store, ids[4]) == []
    assert json.loads(store.row(ids[0])["flags"]) == ["rule"]
    add(store, tagger, *comments)
    assert len(store.curation_log(ids[0])) == 1


def test_a_held_comment_says_why_on_its_card_and_is_found_by_reason(
    store: Store, tagger: Tagger
) -> None:
    """The card's why names the rule and its reason; the queue's reason filter finds it."""
    rules.save(store, "ann", hold("Refunds", WORDS, reason="finance answers refunds"))
    vid, _ = add(
        store, tagger, Verbatim("nps", "Refund me", "1", 3, "nps"), Verbatim("nps", PRAISE, "2")
    )
    page = queue.search(store, queue.Query(reasons=("rule",)))
    assert [c["id"] for c in page["items"]] == [vid]
    assert page["items"][0]["why"].startswith(
        "held by rule Refunds: finance answers refunds, waiting; bad"
    )
    assert queue.Query.parse({"reason": ["rule"]}).reasons == ("rule",)


def test_a_rules_act_is_undone_like_a_curators(store: Store, tagger: Tagger) -> None:
    """Undo of a rule's hold gives the comment the state its flags alone gave it."""
    rules.save(store, "ann", hold("Refunds", WORDS))
    vid = add(store, tagger, Verbatim("nps", "Refund me", "1", 9, "nps"))[0]
    event = store.latest_event(vid)
    assert event is not None and store.get(vid).state == "pending"
    curation.undo(store, event, "dana")
    assert store.get(vid).state == "approved"


def test_disabled_rules_and_stored_comments_are_left_alone(store: Store, tagger: Tagger) -> None:
    """A disabled rule does nothing; a new rule does not touch what was stored before it."""
    before = add(store, tagger, Verbatim("nps", "refund please", "0", 5, "nps"))[0]
    rules.save(store, "ann", {**hold("Off", WORDS), "enabled": False})
    off = add(store, tagger, Verbatim("nps", "refund now", "1", 5, "nps"))[0]
    assert store.get(off).state == "approved"
    rules.save(store, "ann", hold("On", WORDS))
    on = add(store, tagger, Verbatim("nps", "refund today", "2", 5, "nps"))[0]
    assert store.get(on).state == "pending" and store.get(before).state == "approved"


def test_a_long_lived_pipeline_follows_a_saved_change(store: Store, tagger: Tagger) -> None:
    """The server's one pipeline sees a rule saved after it was built, and a rule removed."""
    pipeline = Pipeline(store, Judge(tagger, Redactor()), workers=1)

    def ingest(rid: str) -> str:
        v = Verbatim("nps", f"refund {rid}", rid, 5, "nps")
        pipeline.ingest("nps", "test", "test", numbered([v]))
        return store.get(v.key).state

    assert ingest("1") == "approved"
    saved = rules.save(store, "ann", hold("Refunds", WORDS))
    assert ingest("2") == "pending"
    rules.remove(store, "ann", saved.id or 0)
    assert ingest("3") == "approved"


def test_worker_processes_apply_the_rules(store: Store, tagger: Tagger) -> None:
    """An import big enough for worker processes judges by the same rules and logs each act."""
    rules.save(store, "ann", hold("Refunds", WORDS))
    many = [
        Verbatim("bulk", "refund please" if i % 100 == 0 else f"fine visit {i}", str(i), 8, "nps")
        for i in range(CHUNK + 200)
    ]
    report = Pipeline(store, Judge(tagger, Redactor()), workers=2).ingest(
        "bulk", "test", "test", numbered(many)
    )
    assert report.added == len(many)
    assert store.count(state="pending") == len(many) // 100
    acts = [e for e in store.curation_log() if e["actor"] == "rule:Refunds"]
    assert len(acts) == store.count(state="pending")


def test_an_edit_from_the_source_is_judged_by_the_rules_again(store: Store, tagger: Tagger) -> None:
    """New words a rule holds make the comment wait (logged after the edit); a curator's hide
    stands over a rule's approve, and then no rule row is written."""
    rules.save(store, "ann", hold("Refunds", WORDS))
    vid = add(store, tagger, Verbatim("nps", PRAISE, "1", 9, "nps"))[0]
    add(store, tagger, Verbatim("nps", "Now I want a refund", "1", 9, "nps"))
    assert store.get(vid).state == "pending"
    assert [e[:2] for e in logged(store, vid)] == [("source:nps", "edit"), ("rule:Refunds", "hold")]
    other = add(store, tagger, Verbatim("nps", "All good", "2", 9, "nps"))[0]
    curation.hide(store, other, "ann", "off-topic")
    add(store, tagger, Verbatim("nps", "All good, but refund the fee", "2", 9, "nps"))
    assert store.get(other).state == "hidden"
    assert [e[1] for e in logged(store, other)] == ["hide", "edit"]


# -- the rules table and the preview -------------------------------------------------------------


def test_rules_are_saved_reordered_and_removed_with_the_log(store: Store) -> None:
    """Each change moves the version and is in the log; names are unique in any case."""
    first = rules.save(store, "ann", hold("One", WORDS))
    second = rules.save(store, "ann", hold("Two", {"kind": "source", "values": ["app"]}))
    assert [r.name for r in rules.listed(store)] == ["One", "Two"]
    with pytest.raises(RuleError, match="already called 'one'"):
        rules.save(store, "ann", hold("one", WORDS))
    changed = rules.save(store, "ann", hold("One", WORDS, reason="new reason"), first.id)
    assert (changed.version, changed.position, changed.reason) == (2, 1, "new reason")
    assert [r.name for r in rules.reorder(store, "ann", [second.id or 0, first.id or 0])] == [
        "Two",
        "One",
    ]
    with pytest.raises(RuleError, match="every rule once"):
        rules.reorder(store, "ann", [first.id or 0])
    before = rules.version(store)
    rules.remove(store, "ann", second.id or 0)
    assert rules.version(store) == before + 1
    assert [r.name for r in rules.current(store).rules] == ["One"]
    with pytest.raises(NotFound):
        rules.remove(store, "ann", second.id or 0)
    assert [e["action"] for e in store.curation_log() if e["actor"] == "ann"] == [
        "rule saved",
        "rule saved",
        "rule saved",
        "rules reordered",
        "rule removed",
    ]


def test_the_preview_counts_the_last_30_days_and_shows_the_newest(
    store: Store, tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matches within 30 days are counted (words tested in Python after SQL narrowed), older
    ones are not; samples are masked text with their bucket and state, at most 20."""
    recent = [
        Verbatim("app", f"refund number {i}, mail me at ann{i}@example.com", f"r{i}", 2, "nps")
        for i in range(25)
    ]
    old = Verbatim("app", "refund from last year", "old", 2, "nps", given_at="2020-01-01")
    elsewhere = Verbatim("web", "refund on the web", "w", 2, "nps")
    add(store, tagger, *recent, old, elsewhere)
    body = hold("Refunds", WORDS, {"kind": "source", "values": ["app"]})
    found = rules.preview(store, body)
    assert (found["matched"], found["complete"], len(found["samples"])) == (25, True, 20)
    sample = found["samples"][0]
    assert "[email]" in sample["text"] and "@" not in sample["text"]
    assert sample["bucket"] == store.get(sample["id"]).bucket and sample["state"] == "approved"
    assert rules.preview(store, {**body, "match": "any"})["matched"] == 26  # the web one too
    with pytest.raises(RuleError, match="pattern is not a valid"):
        rules.preview(store, hold("x", {"kind": "pattern", "pattern": "("}))
    monkeypatch.setattr(rules, "PREVIEW_ROWS", 10)  # a window bigger than a preview reads
    capped = rules.preview(store, hold("Refunds", WORDS))
    assert (capped["matched"], capped["examined"], capped["complete"]) == (10, 10, False)
