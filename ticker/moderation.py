"""The first moderation rules: what is shown at once and what waits for a curator."""

from __future__ import annotations

import re

from ticker.records import SHOWN_BUCKETS, State, Tag

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven or more digits, allowing the separators people type: +44 20 7946 0958, (555) 123-4567.
_PHONE = re.compile(r"(?<![\w])\+?\(?\d(?:[\s().-]{0,2}\d){6,14}(?![\w])")


def flags(text: str, tag: Tag) -> tuple[str, ...]:
    """Why a comment must wait for a human: PII it shows, swearing, a score it contradicts."""
    found = []
    if _EMAIL.search(text):
        found.append("email")
    if _PHONE.search(text):
        found.append("phone")
    if tag.profane:
        found.append("profanity")
    if tag.mixed:
        found.append("mixed")
    return tuple(found)


def initial_state(tag: Tag, flagged: tuple[str, ...]) -> State:
    """Shown buckets are approved unless flagged; neutral and noise are approved, not shown."""
    if flagged and tag.bucket in SHOWN_BUCKETS:
        return "pending"
    return "approved"
