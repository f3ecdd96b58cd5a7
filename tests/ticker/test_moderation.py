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


def test_flagged_comments_in_shown_buckets_wait() -> None:
    """A flagged good, bad or ugly comment is pending; an unflagged one is approved."""
    assert initial_state(PLAIN, ("email",)) == "pending"
    assert initial_state(PLAIN, ()) == "approved"


def test_swearing_and_contradictions_are_flags() -> None:
    """Profanity and a score the text contradicts are reasons to wait too."""
    tag = Tag("ugly", -0.7, True, True, "t")
    assert flags("whatever", tag) == ("profanity", "mixed")
