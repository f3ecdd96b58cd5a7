"""The first moderation rules: what is shown at once and what waits for a curator."""

from __future__ import annotations

from ticker.records import State, Tag


def flags(text: str, tag: Tag) -> tuple[str, ...]:
    """Why a comment must wait for a human: swearing, a score its words contradict, or words
    in a language the tagger cannot read.

    Personal data is no reason to wait: it is masked (ticker/redact.py) and the comment flows.
    """
    found = []
    if tag.profane:
        found.append("profanity")
    if tag.mixed:
        found.append("mixed")
    if tag.bucket == "untagged":  # a language the tagger cannot read, and no score to go by
        found.append("untagged language")
    return tuple(found)


def initial_state(tag: Tag, flagged: tuple[str, ...]) -> State:
    """Approved unless flagged, whatever the bucket: a feed may choose to show neutral too."""
    return "pending" if flagged else "approved"
