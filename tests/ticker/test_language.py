"""Each comment's language: detected, stored, and what the tagger cannot read waits."""

from __future__ import annotations

import pytest

from tests.conftest import add
from ticker.judge import Judge
from ticker.language import detect, language_of
from ticker.records import Verbatim
from ticker.redact import Redactor
from ticker.sentiment import Tagger
from ticker.store import Store


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The parcel came two days late and nobody called me back.", "en"),
        ("Thanks for nothing", "en"),
        ("Le colis est arrivé en retard et personne ne m'a rappelé.", "fr"),
        ("Das Paket kam zwei Tage zu spät und niemand hat mich zurückgerufen.", "de"),
        ("El paquete llegó tarde y nadie me llamó para avisar.", "es"),
        ("A entrega atrasou e ninguém me ligou de volta.", "pt"),
        ("La consegna è arrivata in ritardo e nessuno mi ha richiamato.", "it"),
        ("Het pakket kwam twee dagen te laat en niemand belde terug.", "nl"),
        ("配達が二日遅れて、誰からも連絡がありませんでした。", "ja"),
    ],
)
def test_the_languages_customers_write_in_are_told_apart(text: str, language: str) -> None:
    """A sentence in each language a global company hears from is detected as that language."""
    assert detect(text) == language


@pytest.mark.parametrize("text", ["Top!", "ok", "10/10", "👍"])
def test_too_little_text_is_unknown_not_guessed(text: str) -> None:
    """A word or two is not guessed at: a wrong guess would take it from the English tagger."""
    assert detect(text) is None


def test_a_language_the_source_states_settles_what_detection_cannot() -> None:
    """An app store's reviewer language (`pt_BR`) is used when the text is too short to tell."""
    assert language_of("Top!", {"language": "pt_BR"}) == "pt"
    assert language_of("Lovely staff and a quick fix, thanks!", {"language": "de"}) == "en"


def test_a_comment_no_tagger_here_reads_waits_untagged(tagger: Tagger) -> None:
    """French with no score is untagged and pending, flagged for a curator; never neutral."""
    judged = Judge(tagger, Redactor())(
        Verbatim("s", "Le service client ne répond jamais, c'est inadmissible.")
    )
    assert (judged.language, judged.tag.bucket, judged.state) == ("fr", "untagged", "pending")
    assert "untagged language" in judged.flags


def test_a_score_speaks_for_a_comment_in_any_language(tagger: Tagger) -> None:
    """A one-star review in German is bad (or ugly) from its score, and goes live."""
    judged = Judge(tagger, Redactor())(
        Verbatim("s", "Das Gerät ist nach einer Woche kaputt gegangen.", score=1, scale="stars5")
    )
    assert judged.language == "de" and judged.tag.bucket in ("bad", "ugly")


def test_the_language_is_stored_and_untagged_are_counted_per_source(
    store: Store, tagger: Tagger
) -> None:
    """The store keeps each comment's language; source health counts untagged by language."""
    add(
        store,
        tagger,
        Verbatim("s", "Lovely staff, quick and kind.", "1"),
        Verbatim("s", "Le service client ne répond jamais, c'est inadmissible.", "2"),
        Verbatim("s", "Der Kundendienst antwortet nie, das ist unmöglich.", "3"),
        Verbatim("s", "Personne ne m'a rappelé après trois semaines d'attente.", "4"),
    )
    languages = sorted(r[0] for r in store.db.execute("SELECT language FROM verbatims"))
    assert languages == ["de", "en", "fr", "fr"]
    assert store.source_health()["s"]["untagged"] == {"fr": 2, "de": 1}
