"""The words headers are made of, in English, French, German, Spanish, Portuguese, Italian and
Dutch: which say comment, score, id or date, and which scale a score is on.

Headers are compared as their words, lower-cased and without accents (`Begründung` is
`begrundung`). An entry is a word; `word*` also matches words it begins (`recommand*`:
recommander, recommanderiez); `*word` words it ends (`*vorschlag`: Verbesserungsvorschlag,
for German and Dutch compounds); an entry with a space is a phrase (`por que`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Words that say "your own words": comment, feedback, why, reason, remark, opinion,
# explanation, suggestion, in each language, most telling first.
_SAYING = (
    *("comment", "comments", "commentaire", "commentaires", "*kommentar", "*kommentare"),
    *("commentaar", "comentario", "comentarios", "commento", "commenti", "feedback"),
    *("feedbacks", "retour", "retours", "ruckmeldung", "*ruckmeldung", "retroalimentacion"),
    *("terugkoppeling", "why", "pourquoi", "warum", "por que", "porque", "perche", "waarom"),
    *("avis", "reason", "raison", "grund", "begrundung", "*begrundung", "razon", "motivo"),
    *("razao", "motivazione", "ragione", "reden", "remark", "remarks", "remarque"),
    *("remarques", "anmerkung", "anmerkungen", "bemerkung", "bemerkungen", "*anmerkung"),
    *("*bemerkung", "observacion", "observaciones", "observacao", "observacoes"),
    *("osservazione", "osservazioni", "opmerking", "opmerkingen", "*opmerking"),
    *("*opmerkingen", "opinion", "opinions", "meinung", "opiniao", "opinione", "mening"),
    *("explanation", "explication", "erklarung", "erlauterung", "explicacion"),
    *("explicacao", "spiegazione", "toelichting", "uitleg", "suggestion", "suggestions"),
    *("vorschlag", "vorschlage", "*vorschlag", "*vorschlage", "sugerencia", "sugerencias"),
    *("sugestao", "sugestoes", "suggerimento", "suggerimenti", "suggestie", "suggesties"),
)
# The comment column of a table, most telling first: a header with an earlier entry wins.
TEXT = (
    *("verbatim", "verbatims", *_SAYING, "review", "text", "texte", "texto", "testo"),
    *("tekst", "response", "answer", "antwort", "respuesta", "resposta", "risposta"),
    *("antwoord", "open", "notes"),
)
# What a survey question asking for words says (each question is a column of its own).
OPEN = (
    *("verbatim", "text", *_SAYING, "anything", "suggest*", "improve", "tell", "describe"),
    *("explain", "thoughts", "ameliorer", "ameliorer*", "precise*", "decrire", "expliquez"),
    *("dites", "verbessern", "beschreiben", "erzahlen", "mejorar", "describa", "cuentenos"),
    *("melhorar", "descreva", "migliorare", "descrivi", "verbeteren", "beschrijf"),
    *("*verbeterpunt", "*verbeterpunten", "vertel"),
)
# What a question to tick answers from a list says: its answers are no comments.
CHOICE = (
    *("select", "choose", "pick", "tick", "selectionnez", "choisissez", "cochez"),
    *("wahlen", "auswahlen", "seleccione", "elija", "marque", "selecione", "escolha"),
    *("seleziona", "scegli", "selecteer", "kies", "aankruisen"),
)
SCORE = (
    *("nps", "csat", "score", "rating", "stars", "star", "recommend", "likelihood"),
    *("satisfaction", "satisfied", "note", "notation", "recommand*", "*empfehlen"),
    *("*empfehlung", "bewertung", "zufriedenheit", "zufrieden", "punkte", "puntuacion"),
    *("valoracion", "calificacion", "recomend*", "recomiend*", "satisfaccion", "satisfecho"),
    *("pontuacao", "avaliacao", "nota", "satisfacao", "satisfeito", "punteggio"),
    *("valutazione", "voto", "raccomand*", "consiglier*", "soddisfazione", "soddisfatto"),
    *("cijfer", "beoordeling", "waardering", "aanbevelen", "aanraden", "tevredenheid"),
    *("tevreden", "satisfait", "etoiles", "sterne", "estrellas", "estrelas", "stelle"),
    "sterren",
)
NPS = (
    *("nps", "recommend", "likelihood", "recommand*", "*empfehlen", "*empfehlung", "recomend*"),
    "recomiend*",
    *("raccomand*", "consiglier*", "aanbevelen", "aanraden", "probabilite"),
    *("wahrscheinlichkeit", "probabilidad", "probabilidade", "probabilita"),
    "waarschijnlijkheid",
)
STARS = ("star", "stars", "etoiles", "sterne", "estrellas", "estrelas", "stelle", "sterren")
CSAT = (
    *("csat", "satisfaction", "satisfied", "satisfait", "zufriedenheit", "zufrieden"),
    *("satisfaccion", "satisfecho", "satisfacao", "satisfeito", "soddisfazione"),
    *("soddisfatto", "tevredenheid", "tevreden"),
)
DATE = (
    *("date", "timestamp", "time", "submitted", "created", "recorded", "given", "at"),
    *("horodatage", "heure", "datum", "zeitstempel", "zeit", "erstellt", "fecha", "hora"),
    *("tijdstempel", "tijd", "data"),
)
ID = (
    *("id", "responseid", "uuid", "token", "identifiant", "kennung", "identificador"),
    *("identificativo",),
)


def words(header: str) -> list[str]:
    """A header's words, lowercased and without accents; NBSPs and punctuation separate."""
    folded = unicodedata.normalize("NFKD", header.replace("\xa0", " ").lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", plain.replace("ß", "ss"))


def matches(header_words: Sequence[str], entry: str) -> bool:
    """Whether a header (as its words) holds a vocabulary entry."""
    if " " in entry:
        return f" {entry} " in f" {' '.join(header_words)} "
    if entry.endswith("*"):
        return any(w.startswith(entry[:-1]) for w in header_words)
    if entry.startswith("*"):
        return any(w.endswith(entry[1:]) for w in header_words)
    return entry in header_words


def first(header_words: Sequence[str], vocab: Sequence[str]) -> int | None:
    """The position in the vocabulary of the first entry the header holds, if any."""
    return next((i for i, entry in enumerate(vocab) if matches(header_words, entry)), None)


def any_of(header_words: Sequence[str], vocab: Sequence[str]) -> bool:
    """Whether the header holds any entry of the vocabulary."""
    return first(header_words, vocab) is not None
