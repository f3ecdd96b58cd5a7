"""Which fields hold personal data: one policy for every adapter.

A ticker shows what customers said, never who they are: a field named like personal data is
never kept as metadata, a question asking for it is never taken for a comment, and the fields
platforms add about the respondent are dropped (from the quarantine's raw rows too). The
comment's own words are masked elsewhere (ticker/redact.py); this is about the fields around it.
"""

from __future__ import annotations

from typing import Any

from ingest.columns import words

# Parts of a field's name (its words run together) that say it is about the person.
NAME_PARTS = (
    *("email", "mail", "name", "phone", "mobile", "user", "uid", "address", "customer"),
    *("contact", "person", "birth", "token", "password"),
)
# Words of a question's wording that ask for personal data: its answers are no comments.
QUESTION_WORDS = frozenset(
    {"email", "e", "mail", "name", "phone", "mobile", "telephone", "address"}
)
# What platforms add to every response about the respondent, as each names it.
GOOGLE_FORMS_COLUMNS = frozenset(  # compared lower-cased; a form's language names them
    {
        *("email address", "username", "adresse e-mail", "e-mail-adresse"),
        *("dirección de correo electrónico", "endereço de e-mail", "indirizzo email"),
        *("e-mailadres", "nom d'utilisateur", "nutzername", "nombre de usuario"),
    }
)
QUALTRICS_COLUMNS = frozenset(  # compared as the name's words run together
    {
        "ipaddress",
        "recipientemail",
        "recipientfirstname",
        "recipientlastname",
        "emailaddress",
        "name",
        "locationlatitude",
        "locationlongitude",
        "locationaccuracy",
        "externalreference",
        "externaldatareference",
    }
)
SURVEYMONKEY_KEYS = frozenset({"ip_address", "email_address", "first_name", "last_name"})


def personal(name: str) -> bool:
    """A field named like personal data (email, firstname, userid, ip…): never metadata."""
    compact = "".join(words(name))
    return compact == "ip" or compact.endswith("id") or any(p in compact for p in NAME_PARTS)


def asks_for_personal(question: str) -> bool:
    """A question worded to ask for the respondent's name, email, phone or address."""
    return bool(set(words(question)) & QUESTION_WORDS)


def google_forms_column(name: str) -> bool:
    """A column Google Forms adds when a form collects who answered."""
    return name.lower() in GOOGLE_FORMS_COLUMNS


def qualtrics_column(name: str) -> bool:
    """A column Qualtrics adds to every response about the recipient and where they were."""
    return "".join(words(name)) in QUALTRICS_COLUMNS


def labels(fields: dict[str, Any]) -> dict[str, str]:
    """A platform's extra fields (hidden fields, custom variables) as metadata: plain values,
    none named like personal data."""
    return {
        str(k): str(v)
        for k, v in fields.items()
        if isinstance(v, str | int | float) and v != "" and not personal(str(k))
    }
