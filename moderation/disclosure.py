"""Disclosure rules: a small phrase language compiled to regexes, with a token index.

Phrases are written against the normalised disclosure text (lower case, word tokens joined by
single spaces, apostrophes dropped, text-speak expanded). In a phrase:

* words are separated by spaces; ``a|b|c`` gives alternatives for one slot and ``_`` joins
  words inside one alternative (``your_mum|anyone``);
* ``word*`` matches any word starting with ``word``; a slot ending in ``?`` is optional;
* ``..`` skips up to 3 words, ``...`` up to 6;
* ``@name`` inserts the regex macro ``name`` (it must match whole words).

Each rule is indexed under the literal words of one of its mandatory slots, so a message only
runs the regexes of rules whose key words it contains. Dampers lower or drop non-urgent hits;
nothing lowers an ``urgent`` hit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.rules import Damper, DisclosureRule, DisclosureRules

__all__ = ["DisclosureMatcher", "RuleHit", "compile_phrase", "validate"]

_LEVEL = {"urgent": 3, "high": 2, "medium": 1}
_NAME = {3: "urgent", 2: "high", 1: "medium"}
_STOP = frozenset(
    "i me my you your he him his she her it its we they them is are was be been a an the to "
    "and or of in on at for with that this so but not no dont do did does have has had im "
    "just like get got go going gonna want wanna if when what how who all some someone".split()
)
_WORD = re.compile(r"^[^\W_]+\*?$|^\d+\*?$")


@dataclass(frozen=True)
class _Slot:
    regex: str
    optional: bool
    gap: int  # >0: a gap of up to this many words
    literals: tuple[str, ...]  # first words of each alternative, if all are literal


def _slot(tok: str, macros: Mapping[str, str], speak: Mapping[str, str]) -> _Slot:
    if tok in ("..", "..."):
        return _Slot("", False, 3 if tok == ".." else 6, ())
    optional = tok.endswith("?") and len(tok) > 1
    if optional:
        tok = tok[:-1]
    alts: list[str] = []
    firsts: list[str] = []
    literal = True
    for alt in tok.split("|"):
        words = [w for w in alt.split("_") if w]
        if not words:
            raise ValueError(f"empty alternative in {tok!r}")
        parts = []
        for w in words:
            if w.startswith("@"):
                if w[1:] not in macros:
                    raise ValueError(f"unknown macro {w!r}")
                parts.append(f"(?:{macros[w[1:]]})")
                continue
            if not _WORD.match(w):
                raise ValueError(f"bad word {w!r} in {tok!r} (letters/digits, optional * at end)")
            if w.endswith("*"):
                parts.append(re.escape(w[:-1]) + r"[^\s]*")
            else:
                parts.append(re.escape(speak.get(w, w)))
        if words[0].endswith("*") or words[0].startswith("@"):
            literal = False
        else:
            firsts.append(speak.get(words[0], words[0]).split(" ")[0])
        alts.append(" ".join(parts))
    return _Slot("(?:" + "|".join(alts) + ")", optional, 0, tuple(firsts) if literal else ())


def compile_phrase(
    phrase: str, macros: Mapping[str, str], speak: Mapping[str, str]
) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """Compile one phrase; return the regex and its trigger words (empty: no trigger)."""
    slots = [_slot(t, macros, speak) for t in phrase.split()]
    if not slots or slots[0].gap or slots[-1].gap or slots[0].optional:
        raise ValueError(f"phrase {phrase!r} must start and end with a required word")
    out = slots[0].regex
    for s in slots[1:]:
        if s.gap:
            out += rf"(?: [^\s]+){{0,{s.gap}}}"
        elif s.optional:
            out += f"(?: {s.regex})?"
        else:
            out += " " + s.regex
    try:
        rx = re.compile(r"(?<![^\s])" + out + r"(?![^\s])")
    except re.error as exc:
        raise ValueError(f"phrase {phrase!r}: {exc}") from exc
    best: tuple[str, ...] = ()
    best_score = -1
    for s in slots:
        if s.optional or s.gap or not s.literals:
            continue
        score = min(0 if w in _STOP else len(w) for w in s.literals)
        if score > best_score:
            best, best_score = s.literals, score
    return rx, best


@dataclass(frozen=True)
class RuleHit:
    rule: str
    category: str
    severity: str
    start: int  # offsets into the disclosure text
    end: int


@dataclass(frozen=True)
class _Part:
    patterns: tuple[re.Pattern[str], ...]
    triggers: frozenset[str]  # empty: always evaluated


def _part(phrases: tuple[str, ...], macros: Mapping[str, str], speak: Mapping[str, str]) -> _Part:
    pats = []
    trig: set[str] = set()
    always = False
    for p in phrases:
        rx, t = compile_phrase(p, macros, speak)
        pats.append(rx)
        if not t:
            always = True
        trig.update(t)
    return _Part(tuple(pats), frozenset() if always else frozenset(trig))


def _score(p: _Part) -> int:
    if not p.triggers:
        return -1
    return min(0 if w in _STOP else len(w) for w in p.triggers) * 100 - len(p.triggers)


def validate(rules: DisclosureRules, speak: Mapping[str, str] | None = None) -> None:
    """Compile every phrase; raise ValueError naming the first bad one."""
    DisclosureMatcher(rules, speak or {})


class DisclosureMatcher:
    def __init__(self, rules: DisclosureRules, speak: Mapping[str, str]) -> None:
        self._rules: list[tuple[DisclosureRule, tuple[_Part, ...]]] = []
        self._index: dict[str, list[int]] = {}
        self._always: list[int] = []
        for i, r in enumerate(rules.rules):
            try:
                parts = tuple(_part(p, rules.macros, speak) for p in r.parts)
            except ValueError as exc:
                raise ValueError(f"rule {r.id}: {exc}") from exc
            self._rules.append((r, parts))
            key = max(parts, key=_score)
            if key.triggers:
                for w in key.triggers:
                    self._index.setdefault(w, []).append(i)
            else:
                self._always.append(i)
        self._dampers: list[tuple[Damper, _Part, _Part | None]] = []
        for d in rules.dampers:
            try:
                unless = _part(d.unless, rules.macros, speak) if d.unless else None
                self._dampers.append((d, _part(d.patterns, rules.macros, speak), unless))
            except ValueError as exc:
                raise ValueError(f"damper {d.id}: {exc}") from exc

    def match(self, text: str) -> list[RuleHit]:
        seen = set(text.split(" "))  # expanded text-speak may be several words
        cand: set[int] = set(self._always)
        index = self._index
        for w in seen:
            hit = index.get(w)
            if hit:
                cand.update(hit)
        if not cand:
            return []
        hits: list[tuple[DisclosureRule, int, int, int]] = []
        for i in sorted(cand):
            rule, parts = self._rules[i]
            start, end = len(text), 0
            for part in parts:
                m = None
                for rx in part.patterns:
                    m = rx.search(text)
                    if m:
                        break
                if m is None:
                    break
                start, end = min(start, m.start()), max(end, m.end())
            else:
                hits.append((rule, _LEVEL[rule.severity], start, end))
        if not hits:
            return []
        hits = self._damp(text, seen, hits)
        if hits and all(r.needs_other for r, *_ in hits):
            hits = []
        return [RuleHit(r.id, r.category, _NAME[lvl], s, e) for r, lvl, s, e in hits]

    def _damp(
        self,
        text: str,
        seen: set[str],
        hits: list[tuple[DisclosureRule, int, int, int]],
    ) -> list[tuple[DisclosureRule, int, int, int]]:
        for damper, part, unless in self._dampers:
            if part.triggers and not (part.triggers & seen):
                continue
            spans = [m.span() for rx in part.patterns for m in rx.finditer(text)]
            if not spans:
                continue
            if unless is not None and any(rx.search(text) for rx in unless.patterns):
                continue
            kept = []
            for rule, lvl, s, e in hits:
                if lvl < 3:
                    if damper.kind == "question":
                        lvl -= damper.levels
                    elif any(s < de and ds < e for ds, de in spans):
                        lvl = 0
                if lvl > 0:
                    kept.append((rule, lvl, s, e))
            hits = kept
        return hits
