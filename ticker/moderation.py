"""The first moderation rules: what is shown at once and what waits for a curator."""

from __future__ import annotations

import re

from ticker.records import State, Tag

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Runs of 9 to 19 digits with the separators people type: +44 20 7946 0958, (555) 123-4567,
# 4111 1111 1111 1111. Fewer digits are dates, order numbers and prices far more often.
_DIGIT_RUN = re.compile(r"(?<![\w])\+?\(?\d(?:[\s().-]{0,2}\d){8,18}(?![\w])")


def luhn(digits: str) -> bool:
    """The payment-card checksum; a 16-digit run that passes it is almost surely a card."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def flags(text: str, tag: Tag) -> tuple[str, ...]:
    """Why a comment must wait for a human: PII it shows, swearing, a score it contradicts."""
    found: dict[str, None] = {}  # an ordered set
    if _EMAIL.search(text):
        found["email"] = None
    for run in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", run.group())
        if 13 <= len(digits) <= 19 and luhn(digits):
            found["card"] = None
        elif len(digits) <= 15:
            found["phone"] = None
    if tag.profane:
        found["profanity"] = None
    if tag.mixed:
        found["mixed"] = None
    return tuple(found)


def initial_state(tag: Tag, flagged: tuple[str, ...]) -> State:
    """Approved unless flagged, whatever the bucket: a feed may choose to show neutral too."""
    return "pending" if flagged else "approved"
