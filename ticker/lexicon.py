"""Words customers use about service that VADER's general lexicon does not score.

VADER was built on social media text; survey comments talk about deliveries, apps and support.
Each entry is scored on VADER's own -4..+4 scale, conservatively (most between 1 and 2), and only
for words whose polarity is clear in a customer comment whatever the product. Measured in
docs/sentiment.md; changing this list changes the tagger's version.
"""

from __future__ import annotations

VERSION = "cx1"  # part of every tag's version: change it with the list
CX_LEXICON: dict[str, float] = {
    # things going wrong
    "late": -1.2,
    "overdue": -1.2,
    "crashes": -1.7,
    "crashed": -1.7,
    "crashing": -1.7,
    "dented": -1.6,
    "unanswered": -1.4,
    "overcharged": -2.0,
    "canceled": -1.0,
    "slow": -1.0,
    "sluggish": -1.2,
    "glitchy": -1.6,
    "buggy": -1.6,
    "freezes": -1.4,
    "unreliable": -1.7,
    "nightmare": -2.4,
    "leaking": -1.4,
    "leaks": -1.2,
    "ripoff": -2.4,
    "rip-off": -2.4,
    "unusable": -2.0,
    "unhelpful": -1.8,
    "unresponsive": -1.6,
    "refused": -1.2,
    "misleading": -1.8,
    "shambles": -2.2,
    "waste": -1.8,
    # things going right
    "smooth": 1.4,
    "seamless": 1.6,
    "prompt": 1.2,
    "speedy": 1.4,
    "knowledgeable": 1.6,
    "hassle-free": 1.8,
    "spotless": 1.6,
    "reliable": 1.4,
    "on-time": 1.2,
    "punctual": 1.4,
}
