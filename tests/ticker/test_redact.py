"""Personal data masked for display, and what is left alone."""

from __future__ import annotations

import pytest

from ticker.redact import PatternError, Redactor, iban_valid, luhn

MASK = Redactor()


@pytest.mark.parametrize(
    ("text", "shown", "kinds"),
    [
        ("email me at jane.doe@example.com please", "email me at [email] please", ("email",)),
        ("call +44 20 7946 0958 any time", "call [phone] any time", ("phone",)),
        ("my number is (555) 123-4567", "my number is [phone]", ("phone",)),
        ("555.123.4567 is my cell", "[phone] is my cell", ("phone",)),
        ("Rufen Sie 030 12345678 an", "Rufen Sie [phone] an", ("phone",)),
        ("they charged 4111 1111 1111 1111 twice", "they charged [card] twice", ("card",)),
        ("refund to GB82 WEST 1234 5698 7654 32 please", "refund to [iban] please", ("iban",)),
        ("delivered on 14/11/2026 at 10:30", "delivered on 14/11/2026 at 10:30", ()),
        ("order 1234567 arrived 2026-11-14", "order 1234567 arrived 2026-11-14", ()),
        ("paid $1,299.99 for it", "paid $1,299.99 for it", ()),
        ("4111 1111 1111 1112 is no card", "[number] is no card", ("number",)),
    ],
)
def test_masks_personal_data_and_leaves_the_rest(
    text: str, shown: str, kinds: tuple[str, ...]
) -> None:
    """Emails, phones, cards (Luhn) and IBANs (mod 97) are masked; dates, prices, order numbers are not."""
    assert MASK.mask(text) == (shown, kinds)


def test_own_patterns_are_masked_by_name() -> None:
    """An admin's pattern (an order id) is masked as [NAME]."""
    redactor = Redactor(patterns=("order=ORD-\\d{6}",))
    assert redactor.mask("ORD-123456 never came; mail a@b.co") == (
        "[order] never came; mail [email]",
        ("order", "email"),
    )


@pytest.mark.parametrize("pattern", ["no-equals-sign", "bad=([unclosed", "=\\d+"])
def test_a_bad_pattern_is_a_clear_error(pattern: str) -> None:
    """A pattern that is not NAME=REGEX, or not a regex, says which and why."""
    with pytest.raises(PatternError, match="mask pattern"):
        Redactor(patterns=(pattern,)).check()


def test_checksums() -> None:
    """Luhn and IBAN mod 97 on known good and bad numbers."""
    assert luhn("4111111111111111") and not luhn("4111111111111112")
    assert iban_valid("GB82WEST12345698765432") and not iban_valid("GB82WEST12345698765433")
