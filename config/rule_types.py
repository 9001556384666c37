"""The screening rules' types: what config/rules.py loads from the rule files and
config/model.py from the learned model's weights, as typed, immutable objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "CATEGORIES",
    "DAMPER_KINDS",
    "MODEL_FILE",
    "PII_KINDS",
    "SEVERITIES",
    "Damper",
    "DisclosureModel",
    "DisclosureRule",
    "DisclosureRules",
    "Example",
    "NormaliseRules",
    "PiiPattern",
    "ProfanityRules",
    "Rules",
    "RulesError",
]

SEVERITIES = ("urgent", "high", "medium")
CATEGORIES = (
    "grooming",
    "images_sextortion",
    "older_partner",
    "gifts_debt",
    "missing",
    "coercion_threats",
    "moved_between_places",
    "harm_at_home",
    "self_harm_suicide",
    "immediate_danger",
    "concern_for_friend",
    "sexual_abuse",
)
PII_KINDS = ("phone", "email", "url", "social_handle", "postcode", "address", "school")
DAMPER_KINDS = ("question", "idiom")
MODEL_FILE = "disclosure_model.json"


class RulesError(ValueError):
    """A rule file is missing or malformed."""


@dataclass(frozen=True)
class Example:
    source: str  # file name
    text: str
    expect: dict[str, Any]


@dataclass(frozen=True)
class NormaliseRules:
    lookalikes: dict[str, str]
    leet: dict[str, str]
    textspeak: dict[str, str]
    emoji_tokens: dict[str, str]
    # words before which "me" reads "my" ("me mam", "me dad": the North, Ireland, Scotland)
    possessive_me: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfanityRules:
    base_words: tuple[str, ...]  # better-profanity's bundled list, read from the installed package
    additions: tuple[str, ...]
    allow_words: tuple[str, ...]
    allow_phrases: tuple[str, ...]
    inflections: tuple[str, ...]
    # Roots that make any word starting (or ending) with them swearing: "shithole", "dogshit"
    compound_starts: tuple[str, ...] = ()
    compound_ends: tuple[str, ...] = ()


@dataclass(frozen=True)
class PiiPattern:
    kind: str
    pattern: str
    group: int = 0  # which regex group is the detail itself
    # Optional cheap regex: the full pattern is only tried in a window around its matches,
    # from `before` characters before an anchor's start to `after` characters past its end.
    anchor: str | None = None
    before: int = 0
    after: int = 120
    # Cheap guards: the pattern only runs if one of these substrings is in the folded text, or
    # `if_regex` matches somewhere (no guards: always runs).
    if_text: tuple[str, ...] = ()
    if_regex: str | None = None
    # ... or if one of these is a whole word of it (a run of word characters: "sc" in
    # "sc: name" but not in "scared"), for short guards that would be in many words
    if_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisclosureRule:
    id: str
    category: str
    severity: str
    # Each part is a tuple of alternative phrases; every part must match somewhere.
    parts: tuple[tuple[str, ...], ...]
    needs_other: bool = False  # only counts alongside another (undamped) rule


@dataclass(frozen=True)
class Damper:
    id: str
    kind: str  # "question": lowers every non-urgent hit by `levels`; "idiom": drops overlaps
    patterns: tuple[str, ...]
    unless: tuple[str, ...] = ()  # the damper does not apply if any of these match
    levels: int = 1


@dataclass(frozen=True)
class DisclosureRules:
    macros: dict[str, str]
    rules: tuple[DisclosureRule, ...]
    dampers: tuple[Damper, ...]


@dataclass(frozen=True)
class DisclosureModel:
    """The learned fallback (see moderation/learned.py): a linear model over the features of
    the disclosure text; it fires at ``threshold`` (a probability)."""

    intercept: float
    threshold: float
    char_ns: tuple[int, ...]  # character n-gram lengths, ascending
    words: dict[str, float]  # word unigrams and "a b" bigrams
    chars: dict[str, float]  # character n-grams of each " word "
    category_intercepts: dict[str, float]
    category_words: dict[str, dict[str, float]]  # category -> word feature -> weight
    data_sha256: str  # of the training data, as the training script saw it
    # the urgency model: the same kind of model, trained on disclosures only (urgent or not);
    # it has no categories of its own
    urgency: DisclosureModel | None = None


@dataclass(frozen=True)
class Rules:
    directory: Path
    normalise: NormaliseRules
    profanity: ProfanityRules
    pii: tuple[PiiPattern, ...]
    disclosure: DisclosureRules
    examples: tuple[Example, ...] = field(default=())
    model: DisclosureModel | None = None
