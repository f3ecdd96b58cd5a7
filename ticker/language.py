"""Which language a comment is in, so a global company's French or Japanese customers are not
scored by an English lexicon and hidden as neutral.

CLD3 (Google's compact neural language identifier; the cld3-py wheel carries its model) decides,
except where it cannot: plain English is recognised first by its function words (most comments,
and CLD3's slowest case), and a text too short to tell ("Top!", "ok") is left unknown rather than
guessed, because a wrong guess would take an English comment away from the tagger. A language
the source states (an app store's reviewer language, a survey's locale) settles what detection
cannot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import gcld3

# English words that are not everyday words of the other languages customers write in here
# (French, German, Spanish, Portuguese, Italian, Dutch): "is", "in", "a" and "no" are not.
_ENGLISH_WORDS = """the and was were with this that have has had you your they them their my it's
    i'm i've very not but are been would could should didn't don't can't won't wasn't isn't
    thanks thank please great good bad nice love terrible awful never always what when why how
    because"""
_ENGLISH = frozenset(_ENGLISH_WORDS.split())
_WORDS = re.compile(r"[a-z']+")
_LETTERS = re.compile(r"[^\W\d_]")
SHORT = 12  # letters; fewer tell CLD3 too little unless it is all but certain
SURE = 0.95
LIKELY = 0.7


@cache
def _identifier() -> Any:
    """One CLD3 model per process (it is not picklable; worker processes make their own)."""
    return gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=1000)


def detect(text: str) -> str | None:
    """The comment's language as an ISO 639-1 code (`en`, `fr`, `ja`…), or None if unsure."""
    words = _WORDS.findall(text[:400].lower())
    english = sum(w in _ENGLISH for w in words)
    if english >= 2 or (english and len(words) <= 4):
        return "en"
    letters = len(_LETTERS.findall(text[:200]))
    if letters < 6:
        return None
    found = _identifier().FindLanguage(text=text[:1000])
    sure = found.probability >= (SURE if letters < SHORT else LIKELY)
    return str(found.language).split("-")[0] if found.is_reliable and sure else None


def stated(meta: Mapping[str, str]) -> str | None:
    """A language the source gave (`en_US`, `pt-BR`, `French`…) as a two-letter code, if any."""
    for key, value in meta.items():
        if key.lower() in ("language", "lang", "locale", "reviewer language"):
            code = re.split(r"[-_]", value.strip().lower())[0]
            if len(code) == 2 and code.isalpha():
                return code
    return None


def language_of(text: str, meta: Mapping[str, str]) -> str | None:
    """Detected where the text tells, else what the source said, else unknown (None)."""
    return detect(text) or stated(meta)
