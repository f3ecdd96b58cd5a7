"""What goes live at once and what waits for a curator."""

from __future__ import annotations

import pytest

from ticker.moderation import flags, initial_state
from ticker.records import Tag

PLAIN = Tag("good", 0.8, False, False, "t")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email me at jane.doe@example.com please", ("email",)),
        ("call +44 20 7946 0958 any time", ("phone",)),
        ("my number is (555) 123-4567", ("phone",)),
        ("555.123.4567 is my cell", ("phone",)),
        ("they charged 4111 1111 1111 1111 twice", ("card",)),
        ("delivered on 14/11/2026 at 10:30", ()),
        ("order 1234567 arrived", ()),
        ("paid $1,299.99 for it", ()),
    ],
)
def test_personal_data_is_flagged_and_dates_are_not(text: str, expected: tuple[str, ...]) -> None:
    """Emails, phone numbers and card numbers wait; dates, prices and order numbers do not."""
    assert flags(text, PLAIN) == expected


@pytest.mark.parametrize("bucket", ["good", "bad", "ugly", "neutral", "noise"])
def test_flagged_comments_wait_whatever_their_bucket(bucket: str) -> None:
    """A flagged comment is pending in every bucket (a feed may show neutral); else approved."""
    tag = Tag(bucket, 0.0, False, False, "t")  # type: ignore[arg-type]
    assert initial_state(tag, ("email",)) == "pending"
    assert initial_state(tag, ()) == "approved"


def test_swearing_and_contradictions_are_flags() -> None:
    """Profanity and a score the text contradicts are reasons to wait too."""
    tag = Tag("ugly", -0.7, True, True, "t")
    assert flags("whatever", tag) == ("profanity", "mixed")
