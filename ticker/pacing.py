"""How long a comment is on a screen, so a cap per hour means something for a playlist that
screens cycle locally: the server never ticks, so an hour of screen time is counted in cycles.

The cards and wall layouts hold a comment for its reading time (as the widget does: 2.5 s and
55 ms a character, 6 to 20 s) or for the feed's fixed dwell. The ticker crawls it past at the
feed's speed: its width, estimated for the embed's 15 px type (half an em a character, wrapped
at 40 em, with its label and padding), over the speed. Bigger type (the display page) takes
longer, so the true rate there is lower still: a cap holds as "at most".
"""

from __future__ import annotations

from collections.abc import Sequence

from ticker.feeds import Display

FONT_PX = 15.0
WRAP_EM = 40.0
LABEL_EM = 6.0  # the bucket's label, the gap and the padding around the text


def reading_seconds(chars: int) -> float:
    """A card's time on screen at about 220 words a minute, between 6 and 20 seconds."""
    return max(6.0, min(20.0, 2.5 + 0.055 * chars))


def item_seconds(display: Display, chars: int) -> float:
    """Seconds one comment of `chars` characters is on a screen of this display."""
    if display.layout != "ticker":
        return display.dwell_seconds if display.pacing == "fixed" else reading_seconds(chars)
    return (min(0.5 * chars, WRAP_EM) + LABEL_EM) * FONT_PX / display.speed


def cycle_seconds(display: Display, lengths: Sequence[int]) -> float:
    """Seconds one pass over a playlist of comments of these lengths takes."""
    return sum(item_seconds(display, n) for n in lengths)
