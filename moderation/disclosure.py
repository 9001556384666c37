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
    "just like get got go going gonna want wanna if when what how who all some someone "
    # frequent in ordinary chat: poor triggers when a rarer slot is available
    "said says say tell told text get mum dad home out coming come know school friend friends "
    "people back now today tonight time really well see one take make made keep keeps asking "
    "asked ask wants sent send stay after before night day there here then than can cant will "
    "would could should about from up down off over again still never always please help love "
    "by us our am as into new way thing things stuff lot loads late lol yeah ok".split()
)


def _slot_score(words: tuple[str, ...] | frozenset[str]) -> float:
    """Higher is a better trigger: few common words, long words, few alternatives."""
    common = sum(1 for w in words if w in _STOP)
    shortest = min(len(w.rstrip("*")) for w in words)
    return -1000.0 * common + 10.0 * min(shortest, 8) - 0.1 * len(words)


_WORD = re.compile(r"^[^\W_]+\*?$|^\d+\*?$")


@dataclass(frozen=True)
class _Slot:
    regex: str
    optional: bool
    gap: int  # >0: a gap of up to this many words
    literals: tuple[str, ...]  # first words of each alternative, if all are literal
    negative: tuple[str, ...] = ()  # a `!a|b` slot: the neighbouring word is none of these
    keys: tuple[str, ...] = ()  # the least common literal word of each alternative


def _slot(tok: str, macros: Mapping[str, str], speak: Mapping[str, str]) -> _Slot:
    if tok in ("..", "..."):
        return _Slot("", False, 3 if tok == ".." else 6, ())
    if tok.startswith("!") and len(tok) > 1:
        neg = tuple(" ".join(w.split("_")) for w in tok[1:].split("|"))
        if not all(neg) or not all(_WORD.match(x) for w in neg for x in w.split(" ")):
            raise ValueError(f"bad negative slot {tok!r}")
        return _Slot("", False, 0, (), tuple(speak.get(w, w) for w in neg))
    optional = tok.endswith("?") and len(tok) > 1
    if optional:
        tok = tok[:-1]
    alts: list[str] = []
    firsts: list[str] = []
    keys: list[str] = []
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
        if words[0].startswith("@"):
            literal = False
        elif words[0].endswith("*"):
            firsts.append(words[0])
        else:
            firsts.append(speak.get(words[0], words[0]).split(" ")[0])
        expanded = [
            x
            for w in words
            if not w.startswith("@")
            for x in ([w] if w.endswith("*") else speak.get(w, w).split(" "))
        ]
        if expanded:
            keys.append(min(expanded, key=lambda x: (x in _STOP, -len(x.rstrip("*")))))
        else:
            literal = False
        alts.append(" ".join(parts))
    if not literal:
        return _Slot("(?:" + "|".join(alts) + ")", optional, 0, ())
    return _Slot("(?:" + "|".join(alts) + ")", optional, 0, tuple(firsts), (), tuple(keys))


def compile_phrase(
    phrase: str, macros: Mapping[str, str], speak: Mapping[str, str]
) -> tuple[re.Pattern[str], tuple[str, ...], tuple[frozenset[str], ...], frozenset[str] | None]:
    """Compile one phrase.

    Returns the regex, its trigger words (one required slot's words; empty: no trigger), the
    words of every required literal slot (a message must contain one word of each) and the
    words the phrase can start with (None: unknown, the regex must scan the whole text).
    """
    slots = [_slot(t, macros, speak) for t in phrase.split()]
    # `!not|never` first: the word before the phrase is none of these; elsewhere: the next one
    lead = ""
    if slots and slots[0].negative:
        lead = "".join(f"(?<!{re.escape(w)} )" for w in slots[0].negative)
        slots = slots[1:]
    if not slots or slots[0].gap or slots[-1].gap or slots[0].optional or slots[0].negative:
        raise ValueError(f"phrase {phrase!r} must start and end with a required word")
    for prev, cur, nxt in zip(slots, slots[1:], slots[2:], strict=False):
        if cur.optional and prev.gap and nxt.gap:
            raise ValueError(f"phrase {phrase!r}: an optional word between two gaps backtracks")
    out = slots[0].regex
    for s in slots[1:]:
        if s.negative:
            alts = "|".join(re.escape(w) for w in s.negative)
            out += rf"(?! (?:{alts})(?![^\s]))"
        elif s.gap:
            out += rf"(?: [^\s]+){{0,{s.gap}}}"
        elif s.optional:
            out += f"(?: {s.regex})?"
        else:
            out += " " + s.regex
    try:
        rx = re.compile(r"(?<![^\s])" + lead + out + r"(?![^\s])")
    except re.error as exc:
        raise ValueError(f"phrase {phrase!r}: {exc}") from exc
    required = tuple(frozenset(s.keys) for s in slots if s.keys and not s.optional)
    best: tuple[str, ...] = ()
    best_score = float("-inf")
    for s in slots:
        if s.optional or s.gap or not s.keys:
            continue
        score = _slot_score(s.keys)
        if score > best_score:
            best, best_score = s.keys, score
    first = frozenset(slots[0].literals) if slots[0].literals else None
    return rx, best, required, first


@dataclass(frozen=True)
class RuleHit:
    rule: str
    category: str
    severity: str
    start: int  # offsets into the disclosure text
    end: int


Positions = dict[str, list[int]]  # word (or "stem*") -> start offsets in the text


@dataclass(frozen=True)
class _Phrase:
    rx: re.Pattern[str]
    required: tuple[frozenset[str], ...]  # the message needs one word of each
    first: frozenset[str] | None  # words it can start with; None: scan the whole text
    trigger: frozenset[str]  # one required slot's words (empty: none)


@dataclass(frozen=True)
class _Part:
    """Alternative phrases, also compiled into one regex tried only where a start word is."""

    phrases: tuple[_Phrase, ...]
    triggers: frozenset[str]  # union of the phrases' triggers; empty: always evaluated
    rx: re.Pattern[str]
    first: frozenset[str] | None  # union of start words; None: scan the whole text

    def search(self, text: str, pos: Positions) -> re.Match[str] | None:
        if self.first is None:
            return self.rx.search(text)
        rx = self.rx
        for w in self.first.intersection(pos):
            for p in pos[w]:
                m = rx.match(text, p)
                if m:
                    return m
        return None

    def spans(self, text: str, pos: Positions) -> list[tuple[int, int]]:
        if self.first is None:
            return [m.span() for m in self.rx.finditer(text)]
        out = []
        for w in self.first.intersection(pos):
            for p in pos[w]:
                m = self.rx.match(text, p)
                if m:
                    out.append(m.span())
        return out


def _part(phrases: tuple[str, ...], macros: Mapping[str, str], speak: Mapping[str, str]) -> _Part:
    out = []
    trig: set[str] = set()
    always = False
    firsts: set[str] | None = set()
    for p in phrases:
        rx, t, required, first = compile_phrase(p, macros, speak)
        out.append(_Phrase(rx, required, first, frozenset(t)))
        if not t:
            always = True
        trig.update(t)
        if first is None or firsts is None:
            firsts = None
        else:
            firsts.update(first)
    combined = re.compile("|".join(f"(?:{ph.rx.pattern})" for ph in out))
    return _Part(
        tuple(out),
        frozenset() if always else frozenset(trig),
        combined,
        None if firsts is None else frozenset(firsts),
    )


def _score(p: _Part) -> float:
    if not p.triggers:
        return float("-inf")
    return _slot_score(p.triggers)


def validate(rules: DisclosureRules, speak: Mapping[str, str] | None = None) -> None:
    """Compile every phrase; raise ValueError naming the first bad one."""
    DisclosureMatcher(rules, speak or {})


class DisclosureMatcher:
    def __init__(self, rules: DisclosureRules, speak: Mapping[str, str]) -> None:
        self._rules: list[tuple[DisclosureRule, tuple[_Part, ...], int]] = []
        # word -> rules whose key part has a phrase triggered by that word
        self._index: dict[str, list[int]] = {}
        self._always: list[int] = []
        for i, r in enumerate(rules.rules):
            try:
                parts = tuple(_part(p, rules.macros, speak) for p in r.parts)
            except ValueError as exc:
                raise ValueError(f"rule {r.id}: {exc}") from exc
            k = max(range(len(parts)), key=lambda j: _score(parts[j]))
            self._rules.append((r, parts, k))
            if parts[k].triggers:
                for w in parts[k].triggers:
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
        all_parts = [p for _, parts, _ in self._rules for p in parts]
        all_parts += [p for _, part, unless in self._dampers for p in (part, unless) if p]
        stems = {
            w[:-1]
            for p in all_parts
            for ph in p.phrases
            for slot in ph.required
            for w in slot
            if w.endswith("*")
        }
        alt = "|".join(re.escape(x) for x in sorted(stems, key=len, reverse=True))
        self._stems = re.compile(rf" ({alt})") if alt else None  # run on " " + text

    def match(self, text: str) -> list[RuleHit]:
        pos: Positions = {}
        i = 0
        for w in text.split(" "):  # expanded text-speak may be several words
            if w in pos:
                pos[w].append(i)
            else:
                pos[w] = [i]
            i += len(w) + 1
        if self._stems is not None:
            for st in self._stems.finditer(" " + text):
                pos.setdefault(st.group(1) + "*", []).append(st.start())  # the space is st.start()
        cand: set[int] = set(self._always)
        index = self._index
        for w in pos:
            hit = index.get(w)
            if hit:
                cand.update(hit)
        if not cand:
            return []
        hits: list[tuple[DisclosureRule, int, int, int]] = []
        rules = self._rules
        for i in sorted(cand):
            rule, parts, k = rules[i]
            if len(parts) > 1 and any(p.triggers and p.triggers.isdisjoint(pos) for p in parts):
                continue  # a co-occurrence rule needs a trigger word of every part
            m = parts[k].search(text, pos)
            if m is None:
                continue
            start, end = m.start(), m.end()
            for n, part in enumerate(parts):
                if n == k:
                    continue
                other = part.search(text, pos)
                if other is None:
                    break
                start, end = min(start, other.start()), max(end, other.end())
            else:
                hits.append((rule, _LEVEL[rule.severity], start, end))
        if not hits:
            return []
        hits = self._damp(text, pos, hits)
        if hits and all(r.needs_other for r, *_ in hits):
            hits = []
        return [RuleHit(r.id, r.category, _NAME[lvl], s, e) for r, lvl, s, e in hits]

    def _damp(
        self,
        text: str,
        seen: Positions,
        hits: list[tuple[DisclosureRule, int, int, int]],
    ) -> list[tuple[DisclosureRule, int, int, int]]:
        for damper, part, unless in self._dampers:
            if all(lvl >= 3 for _, lvl, _, _ in hits):
                break  # nothing lowers an urgent hit
            if part.triggers and part.triggers.isdisjoint(seen):
                continue
            spans = part.spans(text, seen)
            if not spans:
                continue
            if unless is not None and unless.search(text, seen):
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
