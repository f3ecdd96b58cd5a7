"""Phrases whose words say the opposite of what the customer means.

Sarcasm: "thanks for nothing", "great, another delay", "oh wonderful, lost again", "you people
are a joke": the words VADER knows are positive, and the rated sentences the model learned from
hold too few such comments to learn them. Understatement the other way: "couldn't be happier",
"no complaints", "can't fault them" read negative word by word. These are the customer-service
forms, kept narrow: an interjection counts as sarcasm only when what follows is not positive
("Great, another delay" is sarcasm, "Great, another perfect stay" is not, and neither is
"Perfect, no problems": VADER reads "no problems" as positive). A sarcastic text reads as a
complaint (`bad`), a reversed complaint as praise (`good`); the stored compound stays VADER's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Always sarcastic, or always a complaint, in a customer comment.
_SARCASM = re.compile(
    r"\b(?:thanks?|thank you|cheers)(?: so much| a lot| a bunch| a million)? for "
    r"(?:absolutely |precisely )?(?:nothing|wasting|ruining|losing|ignoring)\b"
    r"|\b(?:what|is|are|was|were|such) an? (?:\S+ )?(?:joke|farce)\b"
    r"|\bcould(?:'ve| have)? (?:be|been) (?:a lot |much |far )?better\b"
    r"|\bleaves? (?:a lot|much|something) to be desired\b",
    re.IGNORECASE,
)
# Always praise: negative words, positive meaning.
_PRAISE = re.compile(
    r"\b(?:couldn't|could not|can't|cannot|can not) (?:be|have been) (?:any )?(?:happier|better)\b"
    r"|\b(?:couldn't|could not|can't|cannot) (?:ask for|wish for|fault)\b"
    r"|\b(?:no|zero) (?:real )?(?:complaints|issues whatsoever|problems whatsoever)\b"
    r"|\bcan't complain\b|\bnothing (?:bad|negative) to say\b",
    re.IGNORECASE,
)
# An interjection of praise, then a pause, then the rest of the sentence.
_INTERJECTION = re.compile(
    r"(?:^|[.!?]\s+)(?:(?:oh|just|well|yeah|wow)[,!]?\s+)*"
    r"(?:great|wonderful|fantastic|brilliant|perfect|lovely|super|marvell?ous|awesome|"
    r"excellent|terrific|fabulous|splendid|superb|amazing|nice|just great)"
    r"\s*(?:[,!…]+|\.{2,}|\s-+)\s*(?P<rest>[^.!?]*)",
    re.IGNORECASE,
)
# "Love how nobody answers the phone", "love that you lost it again".
_LOVE_HOW = re.compile(
    r"\b(?:i\s+)?(?:just\s+|really\s+)?(?:love|loving|adore)\s+(?:how|that)\s+(?P<rest>[^.!?]*)",
    re.IGNORECASE,
)
# Words that make a neutral-sounding remainder a complaint: it happened before, it goes on.
_CUES = re.compile(r"\b(?:another|again|still|nobody|no one|never|yet)\b", re.IGNORECASE)


# Cheap substring tests first: most comments hold none of these words, and the patterns are
# slower than a dozen `in` checks on the lowercased text.
_SARCASM_WORDS = ("thank", "cheers", "joke", "farce", "better", "desired")
_INTERJECTION_WORDS = (
    "great", "wonderful", "fantastic", "brilliant", "perfect", "lovely", "super", "marvel",
    "awesome", "excellent", "terrific", "fabulous", "splendid", "superb", "amazing", "nice",
)  # fmt: skip
_LOVE_WORDS = ("love", "adore")
_ANY_WORDS = (*_SARCASM_WORDS, *_INTERJECTION_WORDS, *_LOVE_WORDS)
_PRAISE_WORDS = ("happier", "better", "fault", "ask for", "wish for", "complain", "to say",
                 "whatsoever")  # fmt: skip


def is_sarcastic(text: str, compound: Callable[[str], float]) -> bool:
    """True when praise words wrap a complaint; `compound` scores a fragment (VADER's)."""
    low = text.lower()
    if not any(w in low for w in _ANY_WORDS):
        return False
    if any(w in low for w in _SARCASM_WORDS) and _SARCASM.search(text):
        return True
    for words, pattern in ((_INTERJECTION_WORDS, _INTERJECTION), (_LOVE_WORDS, _LOVE_HOW)):
        if not any(w in low for w in words):
            continue
        for found in pattern.finditer(text):
            rest = found.group("rest").strip()
            if not rest:
                continue
            score = compound(rest)
            if score < 0 or (score <= 0 and _CUES.search(rest)):
                return True
    return False


def is_reversed_praise(text: str) -> bool:
    """True when negative words make praise ("couldn't be happier", "no complaints")."""
    low = text.lower()
    return any(w in low for w in _PRAISE_WORDS) and _PRAISE.search(text) is not None
