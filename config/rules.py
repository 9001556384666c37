"""Screening rules: loaded from TOML data files into typed, immutable objects
(:mod:`config.rule_types`).

With :mod:`config.model` (the model's weights), this is the only module of the screening code
that reads files. A rules directory holds:

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

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from config.model import load_model
from config.rule_types import (
    CATEGORIES,
    DAMPER_KINDS,
    MODEL_FILE,
    PII_KINDS,
    SEVERITIES,
    Damper,
    DisclosureRule,
    DisclosureRules,
    Example,
    NormaliseRules,
    PiiPattern,
    ProfanityRules,
    Rules,
    RulesError,
)

__all__ = ["Rules", "RulesError", "default_rules_dir", "load_rules"]


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
    possessive = data.get("possessive_me", {})
    if not isinstance(possessive, dict):
        raise RulesError(f"{name}: [possessive_me] must be a table")
    before = tuple(w.lower() for w in _str_list(possessive, "before", name + " [possessive_me]"))
    if any(not w.isalnum() for w in before):
        raise RulesError(f"{name}: [possessive_me] before: single words only")
    return NormaliseRules(lookalikes, leet, textspeak, emoji, before)


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
