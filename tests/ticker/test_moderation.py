"""What goes live at once and what waits for a curator."""

from __future__ import annotations

import pytest

from ticker.moderation import flags, initial_state
from ticker.records import Tag

PLAIN = Tag("good", 0.8, False, False, "t")


def test_personal_data_is_no_reason_to_wait() -> None:
    """Emails and phone numbers are masked for display (ticker/redact.py), not held back."""
    assert flags("email me at jane.doe@example.com or call (555) 123-4567", PLAIN) == ()


@pytest.mark.parametrize("bucket", ["good", "bad", "ugly", "neutral", "noise"])
def test_flagged_comments_wait_whatever_their_bucket(bucket: str) -> None:
    """A flagged comment is pending in every bucket (a feed may show neutral); else approved."""
    tag = Tag(bucket, 0.0, False, False, "t")  # type: ignore[arg-type]
    assert initial_state(tag, ("profanity",)) == "pending"
    assert initial_state(tag, ()) == "approved"


def test_swearing_and_contradictions_are_flags() -> None:
    """Profanity and a score the text contradicts are reasons to wait too."""
    tag = Tag("ugly", -0.7, True, True, "t")
    assert flags("whatever", tag) == ("profanity", "mixed")
