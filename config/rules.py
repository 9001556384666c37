"""Screening rules: loaded from TOML data files into typed, immutable objects.

This is the only module of the screening code that reads files. A rules directory holds:

* ``normalise.toml`` — lookalike letters, leetspeak, text-speak and emoji tokens;
* ``profanity.toml`` — additions to better-profanity's bundled list, and the allowlist;
* ``pii.toml`` — contact and identifying detail patterns;
* ``disclosure*.toml`` — disclosure macros, rules, co-occurrence rules and dampers;
* ``disclosure_model.json`` (optional) — the learned disclosure fallback's weights, written by
  ``bench/train_disclosure_model.py`` (scored by :mod:`moderation.learned`).

Every file may carry ``[[example]]`` lines with their expected verdicts; the unit tests are
driven from them. A bad file raises :class:`RulesError` naming the file and the problem.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "CATEGORIES",
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
    "default_rules_dir",
    "load_model",
    "load_rules",
    "model_from_dict",
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


def default_rules_dir() -> Path:
    return Path(__file__).resolve().parent / "rules"


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise RulesError(f"{path}: rule file is missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise RulesError(f"{path}: cannot read: {exc}") from exc


def _str_map(data: dict[str, Any], key: str, where: str) -> dict[str, str]:
    raw = data.get(key, {})
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise RulesError(f"{where}: [{key}] must be a table of strings")
    return dict(raw)


def _str_list(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
        raise RulesError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(raw) if key == "if_text" else tuple(v.strip() for v in raw)


def _examples(data: dict[str, Any], name: str) -> list[Example]:
    out = []
    for i, ex in enumerate(data.get("example", [])):
        if not isinstance(ex, dict) or not isinstance(ex.get("text"), str):
            raise RulesError(f"{name}: example #{i + 1} needs a 'text' string")
        expect = {k: v for k, v in ex.items() if k != "text"}
        sev = expect.get("severity")
        if sev is not None and sev not in (*SEVERITIES, "none"):
            raise RulesError(f"{name}: example #{i + 1}: unknown severity {sev!r}")
        out.append(Example(name, ex["text"], expect))
    return out


def _bundled_profanity_words() -> tuple[str, ...]:
    """better-profanity's word list, read from the installed package (never copied here)."""
    try:
        ref = resources.files("better_profanity").joinpath("profanity_wordlist.txt")
        text = ref.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        raise RulesError(f"cannot read better-profanity's bundled word list: {exc}") from exc
    return tuple(w.strip().lower() for w in text.splitlines() if w.strip())


def _load_normalise(path: Path) -> NormaliseRules:
    data = _read(path)
    name = path.name
    lookalikes = _str_map(data, "lookalikes", name)
    leet = _str_map(data, "leet", name)
    for k, v in leet.items():
        if len(k) != 1 or len(v) != 1:
            raise RulesError(f"{name}: [leet] maps one character to one character, not {k!r}")
    textspeak = {k.lower(): v.lower() for k, v in _str_map(data, "textspeak", name).items()}
    emoji = _str_map(data, "emoji_tokens", name)
    for table, values in (("textspeak", textspeak), ("emoji_tokens", emoji)):
        for k, v in values.items():  # what a token reads as: one or more words
            if not v or " ".join(v.split()) != v:
                raise RulesError(f"{name}: [{table}] {k!r} must read as words, not {v!r}")
    return NormaliseRules(lookalikes, leet, textspeak, emoji)


def _load_profanity(path: Path) -> tuple[ProfanityRules, list[Example]]:
    data = _read(path)
    name = path.name
    add = data.get("additions", {})
    allow = data.get("allowlist", {})
    compounds = data.get("compounds", {})
    if not isinstance(add, dict) or not isinstance(allow, dict) or not isinstance(compounds, dict):
        raise RulesError(f"{name}: [additions], [allowlist] and [compounds] must be tables")
    rules = ProfanityRules(
        base_words=_bundled_profanity_words(),
        additions=_str_list(add, "words", name + " [additions]"),
        allow_words=_str_list(allow, "words", name + " [allowlist]"),
        allow_phrases=_str_list(allow, "phrases", name + " [allowlist]"),
        inflections=_str_list(data, "inflections", name),
        compound_starts=_str_list(compounds, "starts", name + " [compounds]"),
        compound_ends=_str_list(compounds, "ends", name + " [compounds]"),
    )
    return rules, _examples(data, name)


def _check_optional_regex(value: object, key: str, where: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise RulesError(f"{where}: '{key}' must be a regex string")
    try:
        re.compile(value)
    except re.error as exc:
        raise RulesError(f"{where}: bad {key} regex: {exc}") from exc


def _load_pii(path: Path) -> tuple[tuple[PiiPattern, ...], list[Example]]:
    data = _read(path)
    name = path.name
    out = []
    for i, p in enumerate(data.get("pattern", [])):
        where = f"{name}: pattern #{i + 1}"
        if not isinstance(p, dict):
            raise RulesError(f"{where}: must be a table")
        kind, regex, group = p.get("kind"), p.get("regex"), p.get("group", 0)
        if kind not in PII_KINDS:
            raise RulesError(f"{where}: kind must be one of {', '.join(PII_KINDS)}, not {kind!r}")
        if not isinstance(regex, str) or not isinstance(group, int):
            raise RulesError(f"{where}: needs a 'regex' string (and an integer 'group')")
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            raise RulesError(f"{where}: bad regex: {exc}") from exc
        if group > compiled.groups:
            raise RulesError(f"{where}: group {group} does not exist in the regex")
        anchor, before, after = p.get("anchor"), p.get("before", 0), p.get("after", 120)
        _check_optional_regex(anchor, "anchor", where)
        if not isinstance(before, int) or not isinstance(after, int) or before < 0 or after < 1:
            raise RulesError(f"{where}: 'before' and 'after' must be non-negative integers")
        if_text = _str_list(p, "if_text", where)
        if_regex = p.get("if_regex")
        _check_optional_regex(if_regex, "if_regex", where)
        if_words = _str_list(p, "if_words", where)
        if not all(re.fullmatch(r"\w+", w) and w == w.casefold() for w in if_words):
            raise RulesError(f"{where}: 'if_words' must be lower-case words (letters, digits, _)")
        out.append(
            PiiPattern(kind, regex, group, anchor, before, after, if_text, if_regex, if_words)
        )
    return tuple(out), _examples(data, name)


def _phrases(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{where}: phrases must be a string or a non-empty list of strings")
    return tuple(v.strip() for v in value)


def _load_disclosure(paths: list[Path]) -> tuple[DisclosureRules, list[Example]]:
    macros: dict[str, str] = {}
    rules: list[DisclosureRule] = []
    dampers: list[Damper] = []
    examples: list[Example] = []
    seen: set[str] = set()
    for path in paths:
        data = _read(path)
        name = path.name
        macros.update(_str_map(data, "macros", name))
        for i, r in enumerate(data.get("rule", [])):
            where = f"{name}: rule #{i + 1} ({r.get('id', '?') if isinstance(r, dict) else '?'})"
            if not isinstance(r, dict) or not isinstance(r.get("id"), str):
                raise RulesError(f"{where}: needs an 'id'")
            if r["id"] in seen:
                raise RulesError(f"{where}: duplicate id")
            seen.add(r["id"])
            if r.get("category") not in CATEGORIES:
                raise RulesError(f"{where}: unknown category {r.get('category')!r}")
            if r.get("severity") not in SEVERITIES:
                raise RulesError(f"{where}: severity must be urgent, high or medium")
            if ("match" in r) == ("all" in r):
                raise RulesError(f"{where}: give exactly one of 'match' or 'all'")
            if "match" in r:
                parts: tuple[tuple[str, ...], ...] = (_phrases(r["match"], where),)
            else:
                if not isinstance(r["all"], list) or len(r["all"]) < 2:
                    raise RulesError(f"{where}: 'all' must list at least two parts")
                parts = tuple(_phrases(p, where) for p in r["all"])
            rules.append(
                DisclosureRule(
                    r["id"], r["category"], r["severity"], parts, bool(r.get("needs_other"))
                )
            )
        for i, d in enumerate(data.get("damper", [])):
            where = f"{name}: damper #{i + 1}"
            if not isinstance(d, dict) or not isinstance(d.get("id"), str):
                raise RulesError(f"{where}: needs an 'id'")
            if d.get("kind") not in DAMPER_KINDS:
                raise RulesError(f"{where}: kind must be 'question' or 'idiom'")
            levels = d.get("levels", 1)
            if not isinstance(levels, int) or not 1 <= levels <= 2:
                raise RulesError(f"{where}: levels must be 1 or 2")
            unless = _phrases(d["unless"], where) if "unless" in d else ()
            dampers.append(
                Damper(d["id"], d["kind"], _phrases(d.get("match"), where), unless, levels)
            )
        examples.extend(_examples(data, name))
    result = DisclosureRules(macros, tuple(rules), tuple(dampers))
    _check_syntax(result)
    return result, examples


_WORD = re.compile(r"^[^\W_]+\*?$|^\d+\*?$")


def _check_syntax(rules: DisclosureRules) -> None:
    """The phrase language's syntax (documented in moderation/phrases.py, which compiles it;
    the screener re-checks everything it compiles and raises RulesError too)."""
    for name, rx in rules.macros.items():
        try:
            re.compile(rx)
        except re.error as exc:
            raise RulesError(f"disclosure rules: macro {name!r}: bad regex: {exc}") from exc
    named = [(f"rule {r.id}", ph) for r in rules.rules for part in r.parts for ph in part]
    named += [(f"damper {d.id}", ph) for d in rules.dampers for ph in (*d.patterns, *d.unless)]
    for where, phrase in named:
        problem = _phrase_problem(phrase, rules.macros)
        if problem:
            raise RulesError(f"disclosure rules: {where}: phrase {phrase!r}: {problem}")


def _phrase_problem(phrase: str, macros: dict[str, str]) -> str | None:
    toks = phrase.split()
    if toks and toks[0] == "^":  # the phrase starts the message
        toks = toks[1:]
    if toks and toks[-1] == "$":  # the phrase ends the message
        toks = toks[:-1]
    if toks and toks[0].startswith("!") and len(toks[0]) > 1:
        toks = toks[1:]  # `!a|b` first: the word before the phrase is none of these
    kinds = []  # "word" | "gap" | "optional" | "negative"
    for tok in toks:
        if tok in ("..", "..."):
            kinds.append("gap")
            continue
        if tok.startswith("!") and len(tok) > 1:
            words = [w for alt in tok[1:].split("|") for w in alt.split("_")]
            if not all(w and _WORD.match(w) for w in words):
                return f"bad negative slot {tok!r}"
            kinds.append("negative")
            continue
        optional = tok.endswith("?") and len(tok) > 1
        for alt in (tok[:-1] if optional else tok).split("|"):
            words = [w for w in alt.split("_") if w]
            if not words:
                return f"empty alternative in {tok!r}"
            for w in words:
                if w.startswith("@") and w[1:] not in macros:
                    return f"unknown macro {w!r}"
                if not w.startswith("@") and not _WORD.match(w):
                    return f"bad word {w!r} in {tok!r} (letters/digits, optional * at end)"
        kinds.append("optional" if optional else "word")
    if not kinds or kinds[0] != "word" or kinds[-1] == "gap":
        return "must start and end with a required word"
    for prev, cur, nxt in zip(kinds, kinds[1:], kinds[2:], strict=False):
        if cur == "optional" and prev == "gap" and nxt == "gap":
            return "an optional word between two gaps backtracks"
    return None


def _weights(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and math.isfinite(v)
        for k, v in raw.items()
    ):
        raise RulesError(f"{where} must be a table of feature -> finite number")
    return {k: float(v) for k, v in raw.items()}


def load_model(path: Path) -> DisclosureModel | None:
    """The learned fallback's weights, or None if ``path`` does not exist."""
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RulesError(f"{path}: cannot read the model: {exc}") from exc
    return model_from_dict(data, name)


def model_from_dict(data: Any, name: str = MODEL_FILE) -> DisclosureModel:
    """Validate a model file's content (see bench/train_disclosure_model.py)."""
    if not isinstance(data, dict) or data.get("format") != 1:
        raise RulesError(f"{name}: not a format 1 disclosure model")
    b, t, ns = data.get("intercept"), data.get("threshold"), data.get("char_ns")
    if not isinstance(b, int | float) or not math.isfinite(b):
        raise RulesError(f"{name}: 'intercept' must be a number")
    if not isinstance(t, int | float) or not 0.0 < t < 1.0:
        raise RulesError(f"{name}: 'threshold' must be a probability between 0 and 1")
    if (
        not isinstance(ns, list)
        or not all(isinstance(n, int) and not isinstance(n, bool) and 2 <= n <= 8 for n in ns)
        or ns != sorted(set(ns))
    ):
        raise RulesError(f"{name}: 'char_ns' must be ascending integers from 2 to 8")
    cats = data.get("categories", {})
    if not isinstance(cats, dict) or not isinstance(cats.get("weights", {}), dict):
        raise RulesError(f"{name}: 'categories' must be a table with a 'weights' table")
    c_b = _weights(cats.get("intercepts", {}), f"{name}: categories.intercepts")
    c_w: dict[str, dict[str, float]] = {}
    for cat, w in cats.get("weights", {}).items():
        if cat not in CATEGORIES:
            raise RulesError(f"{name}: unknown category {cat!r}")
        c_w[cat] = _weights(w, f"{name}: categories.weights.{cat}")
    about = data.get("trained_on", {})
    sha = about.get("sha256", "") if isinstance(about, dict) else ""
    urgency = None
    if "urgency" in data:
        u = data["urgency"]
        if not isinstance(u, dict):
            raise RulesError(f"{name}: 'urgency' must be a table")
        sub = {"format": 1, "char_ns": ns, **u, "categories": {}, "trained_on": about}
        urgency = model_from_dict(sub, f"{name}: urgency")
    return DisclosureModel(
        intercept=float(b),
        threshold=float(t),
        char_ns=tuple(ns),
        words=_weights(data.get("words"), f"{name}: 'words'"),
        chars=_weights(data.get("chars"), f"{name}: 'chars'"),
        category_intercepts=c_b,
        category_words=c_w,
        data_sha256=sha if isinstance(sha, str) else "",
        urgency=urgency,
    )


def load_rules(directory: Path | None = None, *, with_model: bool = True) -> Rules:
    """Load and validate every rule file in ``directory`` (default ``config/rules/``);
    ``with_model=False`` skips the learned fallback's weights (as when retraining them)."""
    d = Path(directory) if directory is not None else default_rules_dir()
    if not d.is_dir():
        raise RulesError(f"{d}: rules directory does not exist")
    normalise = _load_normalise(d / "normalise.toml")
    profanity, ex_p = _load_profanity(d / "profanity.toml")
    pii, ex_pii = _load_pii(d / "pii.toml")
    disclosure_files = sorted(d.glob("disclosure*.toml"))
    if not disclosure_files:
        raise RulesError(f"{d}: no disclosure*.toml rule file")
    disclosure, ex_d = _load_disclosure(disclosure_files)
    ex_n = _examples(_read(d / "normalise.toml"), "normalise.toml")
    model = load_model(d / MODEL_FILE) if with_model else None
    examples = tuple(ex_n + ex_p + ex_pii + ex_d)
    return Rules(d, normalise, profanity, pii, disclosure, examples, model)
