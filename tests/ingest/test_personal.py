"""One policy for personal data: fields about the respondent never become metadata."""

from __future__ import annotations

import pytest

from ingest.personal import (
    asks_for_personal,
    google_forms_column,
    labels,
    personal,
    qualtrics_column,
)


@pytest.mark.parametrize(
    "name", ["Email", "first_name", "userId", "uid", "IP", "Customer ref", "Birth date", "token"]
)
def test_fields_named_like_personal_data(name: str) -> None:
    """Names, addresses, ids and tokens are personal, however they are written."""
    assert personal(name)


@pytest.mark.parametrize("name", ["plan", "store", "region", "product", "ipad model"])
def test_fields_that_are_not(name: str) -> None:
    """Plain labels stay metadata (`ip` is personal only as a whole word)."""
    assert not personal(name)


def test_labels_keep_plain_values_of_impersonal_fields() -> None:
    """Hidden fields and custom variables: strings and numbers, never a user id or a nested value."""
    fields = {"plan": "pro", "seats": 12, "user_id": "u-1", "extra": {"a": 1}, "blank": ""}
    assert labels(fields) == {"plan": "pro", "seats": "12"}


def test_platform_columns_and_questions() -> None:
    """The columns Google Forms and Qualtrics add about the respondent, and questions asking
    for a name or an email, are known as such."""
    assert google_forms_column("Email Address") and not google_forms_column("Score")
    assert qualtrics_column("RecipientEmail") and qualtrics_column("LocationLatitude")
    assert not qualtrics_column("ResponseId")
    assert asks_for_personal("What is your e-mail?") and not asks_for_personal("Why?")
