"""What generated comments are made of, shared by the benchmarks that make them."""

from __future__ import annotations

# Endings for a comment's opening sentence: none, or one more sentence.
DETAILS = (
    "",
    " I had to take a day off work for it.",
    " Thanks Priya!",
    " Will recommend to friends.",
    " This is the third time this year.",
    " Store staff in Leeds were lovely.",
)
