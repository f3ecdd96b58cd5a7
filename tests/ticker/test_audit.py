"""The curation log as read: by person, action and feed, undoable only while the latest."""

from __future__ import annotations

from tests.conftest import add
from ticker import audit, curation
from ticker.feeds import FeedFilter
from ticker.records import Verbatim
from ticker.sentiment import Tagger
from ticker.store import Store


def test_the_log_of_a_feed_holds_only_its_comments(store: Store, tagger: Tagger) -> None:
    """A feed's sources and metadata choose the events; newest first; the latest is undoable."""
    retail, support = add(
        store,
        tagger,
        Verbatim("retail", "Rude staff at the till", "1", meta={"store": "Leeds"}),
        Verbatim("support", "Nobody called me back", "2"),
    )
    curation.hide(store, retail, "dana", "about one employee")
    curation.pin(store, support, "sam")
    curation.unpin(store, support, "sam")
    leeds = FeedFilter(sources=("retail",), meta={"store": "Leeds"})
    found = audit.events(store, audit.LogQuery(feed=leeds))["items"]
    assert [(e["action"], e["verbatim_id"]) for e in found] == [("hide", retail)]
    sams = audit.events(store, audit.LogQuery(actor="sam"))["items"]
    assert [(e["action"], e["undoable"]) for e in sams] == [("unpin", True), ("pin", False)]
