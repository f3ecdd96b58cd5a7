"""Personal data masked before display: the customer's words are kept, screens get the masked copy.

Emails, payment cards (Luhn-checked), IBANs (mod-97-checked), phone numbers (the phonenumbers
library, in the regions configured) and an admin's own patterns (account or order ids) become
`[email]`, `[card]`, `[iban]`, `[phone]`, `[NAME]`; any other run of 13 to 19 digits becomes
`[number]`. A masked comment still flows; which kinds were
masked is recorded with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from phonenumbers import Leniency, PhoneNumberMatcher

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"(?<![\w])\d(?:[ -]?\d){12,18}(?![\w])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")
PHONE_DIGITS = 9  # fewer are order numbers, prices and dates far more often than phones
# Nine digits with at most the separators phone numbers use between them: a cheap test that
# spares most comments the phone matcher, which costs far more than tagging them.
_PHONE_LIKE = re.compile(r"\d(?:[\s().\-/]{0,3}\d){8}")


class PatternError(ValueError):
    """A configured mask pattern that is not `name=regex`, or not a valid regex."""


def luhn(digits: str) -> bool:
    """The payment-card checksum; a 16-digit run that passes it is almost surely a card."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """The IBAN mod-97 check (ISO 13616)."""
    s = candidate.replace(" ", "")
    moved = s[4:] + s[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return len(s) >= 15 and int(number) % 97 == 1


@dataclass(frozen=True)
class Redactor:
    """Which kinds to mask; picklable, so worker processes build the same one."""

    regions: tuple[str, ...] = ("US", "GB", "DE", "FR")
    patterns: tuple[str, ...] = ()  # "name=regex", e.g. "order=ORD-\\d{6}"

    @cached_property
    def _custom(self) -> list[tuple[str, re.Pattern[str]]]:
        compiled = []
        for item in self.patterns:
            name, sep, regex = item.partition("=")
            if not sep or not name.strip():
                raise PatternError(
                    f"mask pattern {item!r} must be NAME=REGEX, e.g. order=ORD-\\d{{6}}"
                )
            try:
                compiled.append((name.strip(), re.compile(regex)))
            except re.error as exc:
                raise PatternError(f"mask pattern {item!r} is not a valid regex: {exc}") from None
        return compiled

    def check(self) -> None:
        """Raise PatternError now rather than on the first comment."""
        self._custom  # noqa: B018

    def mask(self, text: str) -> tuple[str, tuple[str, ...]]:
        """The text with personal data replaced, and the kinds that were found (in order).

        Most comments hold no `@` and few digits: the cheap tests first keep masking cheaper
        than tagging.
        """
        spans: list[tuple[int, int, str]] = []
        if "@" in text:
            spans += [(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
        if _DIGIT.search(text):
            spans += [
                (m.start(), m.end(), "iban") for m in _IBAN.finditer(text) if iban_valid(m[0])
            ]
            spans += [  # 13 to 19 digits: a card if Luhn says so, else an account number
                (m.start(), m.end(), "card" if luhn(re.sub(r"\D", "", m[0])) else "number")
                for m in _DIGIT_RUN.finditer(text)
            ]
            spans += self._phones(text)
        for name, pattern in self._custom:
            spans += [(m.start(), m.end(), name) for m in pattern.finditer(text) if m[0]]
        return _replace(text, spans) if spans else (text, ())

    def _phones(self, text: str) -> list[tuple[int, int, str]]:
        if not _PHONE_LIKE.search(text):
            return []
        found = []
        for region in self.regions:
            for match in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
                raw = match.raw_string
                if sum(c.isdigit() for c in raw) >= PHONE_DIGITS and not _DATE_LIKE.fullmatch(raw):
                    found.append((match.start, match.end, "phone"))
        return found


def _replace(text: str, spans: Sequence[tuple[int, int, str]]) -> tuple[str, tuple[str, ...]]:
    """Apply spans in order of appearance; where two overlap, the one listed first wins."""
    chosen: list[tuple[int, int, str]] = []
    for span in spans:  # listed in priority order: email, iban, card, phone, custom
        if all(span[1] <= s or span[0] >= e for s, e, _ in chosen):
            chosen.append(span)
    out: list[str] = []
    at = 0
    kinds: dict[str, None] = {}  # an ordered set
    for start, end, kind in sorted(chosen):
        out += [text[at:start], f"[{kind}]"]
        at = end
        kinds[kind] = None
    out.append(text[at:])
    return "".join(out), tuple(kinds)
