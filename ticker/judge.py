"""The judge: tag a comment, mask its personal data, decide whether it goes live or waits.

Built from settings in one place (`Judge.from_settings`), so the server, the worker, imports and
the demo tag and mask alike, and a bad mask pattern is found when a command starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ticker.language import language_of
from ticker.moderation import flags, initial_state
from ticker.records import Verbatim
from ticker.redact import PatternError, Redactor
from ticker.rows import Tagged
from ticker.rules import Facts, RuleSet
from ticker.sentiment import Tagger, Thresholds
from ticker.settings import Settings, SettingsError


@dataclass(frozen=True)
class Judge:
    """A tagger, a redactor and the moderation rules; `recipe` rebuilds the same judge in a
    worker process. The rules start empty: a pipeline loads the stored ones when it runs."""

    tagger: Tagger
    redactor: Redactor
    rules: RuleSet = field(default_factory=RuleSet)

    @classmethod
    def from_settings(cls, settings: Settings) -> Judge:
        """The judge these settings describe; SettingsError names a bad mask pattern."""
        redactor = Redactor(settings.phone_regions, settings.mask_patterns)
        try:
            redactor.check()
        except PatternError as exc:
            raise SettingsError(f"setting mask_patterns: {exc}") from None
        return cls(Tagger(score_chars=settings.score_chars), redactor)

    def __call__(self, verbatim: Verbatim) -> Tagged:
        language = language_of(verbatim.text, verbatim.meta)
        tag = self.tagger.tag(verbatim.text, verbatim.score, verbatim.scale, language)
        found = flags(verbatim.text, tag)
        shown, masked = self.redactor.mask(verbatim.text)
        state, ruled = initial_state(tag, found), None
        if self.rules.rules:
            v = verbatim
            facts = Facts(v.source, v.text, v.score, v.scale, tag.bucket, language, v.meta)
            state, found, ruled = self.rules.decide(facts, state, found)
        return Tagged(verbatim, tag, found, state, shown, masked, language, ruled)

    @property
    def recipe(self) -> tuple[Thresholds, int, Redactor, RuleSet]:
        """What a worker process needs to build this judge (a Tagger does not pickle)."""
        return self.tagger.thresholds, self.tagger.score_chars, self.redactor, self.rules

    @classmethod
    def from_recipe(
        cls, thresholds: Thresholds, score_chars: int, redactor: Redactor, rules: RuleSet
    ) -> Judge:
        return cls(Tagger(thresholds, score_chars), redactor, rules)
