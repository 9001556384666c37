"""Disclosure rules: phrases (see :mod:`moderation.phrases`) behind a word index.

Every rule is anchored on its rarest part, and every phrase on its rarest required slots. One
Aho-Corasick pass over the message finds the index words present (``" word "``, or ``" stem"``
for ``stem*``) and ORs their bit masks: the phrases whose required words are all present, and
so the candidate rules. A candidate runs its regexes only if each of its parts has such a
phrase. A phrase with a literal first slot is searched in ``" " + text`` with a regex that
starts with that space, so the regex engine's literal prefix scan visits only word starts.
Dampers are looked at only when a non-urgent rule fired; nothing lowers an ``urgent`` hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import reduce
from operator import itemgetter, or_
from typing import TYPE_CHECKING, NamedTuple

import ahocorasick

from moderation.phrases import compile_phrase, slot_score

if TYPE_CHECKING:
    from config.rules import Damper, DisclosureRule, DisclosureRules

__all__ = ["DisclosureMatcher", "RuleHit"]

_LEVEL = {"urgent": 3, "high": 2, "medium": 1}
_NAME = {3: "urgent", 2: "high", 1: "medium"}
_Hit = tuple["DisclosureRule", int, int, int]  # rule, level, start, end
_second = itemgetter(1)


class RuleHit(NamedTuple):
    rule: str
    category: str
    severity: str
    start: int  # offsets into the disclosure text
    end: int


class _Phrase:
    """One compiled phrase: how to search for it, and the words it needs or can start with."""

    __slots__ = ("firsts", "rx", "search", "shift", "slots")

    def __init__(
        self,
        rx: re.Pattern[str],
        slots: tuple[frozenset[str], ...],
        first: frozenset[str] | None,
        srx: re.Pattern[str] | None,
    ):
        self.rx = rx
        # srx searches " " + text (its matches end one character later); rx searches text
        self.search = srx.search if srx is not None else rx.search
        self.shift = 1 if srx is not None else 0
        self.slots = slots  # the required slots: one word of each must be in the message
        self.firsts = first  # None: the phrase can start with any word (a macro)


def _bits(b: int) -> Iterable[int]:
    """The set bits of ``b``, lowest first."""
    while b:
        low = b & -b
        yield low.bit_length() - 1
        b ^= low


class _Part:
    """Alternative phrases. A part is searched phrase by phrase, trying only the phrases whose
    required words are present."""

    __slots__ = ("anchored", "phrases", "rx", "triggers")

    def __init__(
        self, phrases: tuple[str, ...], macros: Mapping[str, str], speak: Mapping[str, str]
    ):
        compiled = [compile_phrase(p, macros, speak) for p in phrases]
        self.phrases = tuple(_Phrase(c[0], c[2], c[3], c[4]) for c in compiled)
        self.rx = re.compile("|".join(f"(?:{c[0].pattern})" for c in compiled))
        self.anchored = all(ph.firsts is not None for ph in self.phrases)
        trigs = [c[1] for c in compiled]
        always = any(not t for t in trigs)  # a phrase needs no particular word
        self.triggers = frozenset() if always else frozenset(w for t in trigs for w in t)

    def needed(self) -> frozenset[str]:
        """Words of which one is in any text a phrase of the part matches: each phrase's
        rarest required slot (empty if some phrase requires no word)."""
        out: set[str] = set()
        for ph in self.phrases:
            if not ph.slots:
                return frozenset()
            out |= max(ph.slots, key=slot_score)
        return frozenset(out)

    def words(self) -> Iterable[str]:
        """Every word (or "stem*") the part's phrases need or start with."""
        for ph in self.phrases:
            yield from ph.firsts or ()
            for slot in ph.slots:
                yield from slot

    def search(self, text: str, hay: str, bits: int) -> tuple[int, int] | None:
        """The span of the leftmost match of the phrases in ``bits`` (the first phrase, in
        order, at the leftmost position: what the alternation of all the phrases would find).
        ``hay`` is ``" " + text``."""
        phrases = self.phrases
        if bits and not bits & (bits - 1):  # one phrase
            ph = phrases[bits.bit_length() - 1]
            m = ph.search(hay if ph.shift else text)
            return None if m is None else (m.start(), m.end() - ph.shift)
        best: tuple[int, int] | None = None
        limit = len(text) + 1
        for j in _bits(bits):
            ph = phrases[j]
            m = ph.search(hay if ph.shift else text)
            if m is not None and m.start() < limit:
                limit = m.start()
                best = (limit, m.end() - ph.shift)
        return best

    def spans(self, text: str, hay: str, bits: int) -> list[tuple[int, int]]:
        """At each start position, the span of the first phrase that matches there."""
        if not self.anchored:  # as the alternation would scan: no overlapping spans
            return [m.span() for m in self.rx.finditer(text)]
        found: dict[int, tuple[int, int]] = {}
        for j in _bits(bits):
            ph = self.phrases[j]
            search, shift = ph.search, ph.shift
            m = search(hay)
            while m is not None:
                p = m.start()
                if p not in found:
                    found[p] = (p, m.end() - shift)
                m = search(hay, p + 1)
        return list(found.values())


class _Needs:
    """Which phrases have all their required words present, for every phrase at once.

    Phrase ``i`` gets bit ``i`` of each of ``K`` sections (its K rarest required slots) and
    of ``M`` more (for a rule's key phrase: each of the rule's other parts, met by a word
    that one of that part's phrases needs); a word's mask sets the phrase's bit in the
    section of each slot (or part) it is in. OR-ing the masks of a message's words and
    AND-ing the sections leaves the phrases whose slots are all present, and whose rule's
    other parts may be.
    """

    K = 3
    M = 2

    def __init__(
        self, phrases: list[tuple[tuple[frozenset[str], ...], tuple[frozenset[str], ...]]]
    ) -> None:
        n = self.n = max(len(phrases), 1)
        masks: dict[str, int] = {}
        fill = 0
        for i, (slots, parts) in enumerate(phrases):
            keep = sorted(slots, key=slot_score, reverse=True)[: self.K]
            for j in range(self.K + self.M):
                words = keep[j] if j < self.K and j < len(keep) else None
                if j >= self.K and j - self.K < len(parts):
                    words = parts[j - self.K] or None  # empty: the part needs no word
                if words is None:  # fewer slots or parts: the section is satisfied
                    fill |= 1 << (j * n + i)
                    continue
                for w in words:
                    masks[w] = masks.get(w, 0) | 1 << (j * n + i)
        self.masks = masks
        self.fill = fill
        self.low = (1 << n) - 1
        # " word " (or " stem", for "stem*") in " text ": one pass finds every key present
        self._ac = ahocorasick.Automaton()
        for w, mask in masks.items():
            self._ac.add_word(" " + w[:-1] if w.endswith("*") else f" {w} ", mask)
        if masks:
            self._ac.make_automaton()
        self._iter = self._ac.iter if masks else None

    def scan(self, text: str) -> int:
        """The OR of the masks of the index words in ``text``: across a text's words it is
        the same whether they are scanned together or a few at a time."""
        if self._iter is None:
            return 0
        return reduce(or_, map(_second, self._iter(f" {text} ")), 0)

    def present(self, text: str, scanned: int | None = None) -> int:
        """The phrases whose required words are all in ``text`` (``scanned``: its scan)."""
        sat = (self.scan(text) if scanned is None else scanned) | self.fill
        n, out = self.n, sat
        for j in range(1, self.K + self.M):
            out &= sat >> (j * n)
        return out & self.low


class DisclosureMatcher:
    def __init__(self, rules: DisclosureRules, speak: Mapping[str, str]) -> None:
        parts: list[_Part] = []

        def add(phrases: tuple[str, ...]) -> int:
            parts.append(_Part(phrases, rules.macros, speak))
            return len(parts) - 1

        self._rules: list[tuple[DisclosureRule, int, tuple[int, ...]]] = []
        for r in rules.rules:
            try:
                ids = [add(p) for p in r.parts]
            except ValueError as exc:
                raise ValueError(f"rule {r.id}: {exc}") from exc
            key = max(ids, key=lambda j: _part_score(parts[j]))
            ids.remove(key)  # the key part is searched first
            self._rules.append((r, _LEVEL[r.severity], (key, *ids)))
        self._dampers: list[tuple[Damper, int, int | None]] = []
        for d in rules.dampers:
            try:
                unless = add(d.unless) if d.unless else None
                pid = add(d.patterns)
            except ValueError as exc:
                raise ValueError(f"damper {d.id}: {exc}") from exc
            self._dampers.append((d, pid, unless))
        self._parts = parts
        self._layout()

    def _layout(self) -> None:
        """Phrase bits: the rules' key parts first (in rule order), then the dampers, then the
        other parts; each part's phrases are one run of bits."""
        keys = [ids[0] for _, _, ids in self._rules]
        damps = [pid for _, pid, _ in self._dampers]
        rest = [p for p in range(len(self._parts)) if p not in set(keys) | set(damps)]
        phrases: list[tuple[tuple[frozenset[str], ...], tuple[frozenset[str], ...]]] = []
        # per key part: for each other part of its rule, the words one of whose phrases
        # must be present (empty: a phrase of it needs no word)
        self._others = {
            ids[0]: tuple(self._parts[p].needed() for p in ids[1:]) for _, _, ids in self._rules
        }
        self._at: list[tuple[int, int]] = [(0, 0)] * len(self._parts)  # part -> first bit, mask
        self._owner: list[tuple[int, int]] = []  # bit -> (rule or damper, the part's first bit)
        for group in (keys, damps, rest):
            for k, pid in enumerate(group):
                lo = len(phrases)
                others = self._others.get(pid, ()) if group is keys else ()
                for ph in self._parts[pid].phrases:
                    phrases.append((ph.slots, others))
                    self._owner.append((k, lo))
                self._at[pid] = (lo, (1 << (len(phrases) - lo)) - 1)
            if group is keys:
                self._key_bits = (1 << len(phrases)) - 1
            elif group is damps:
                self._damp_bits = ((1 << len(phrases)) - 1) ^ self._key_bits
        self._needs = _Needs(phrases)
        # per rule: the key part with its bits, the other parts with theirs
        self._plan = [
            (
                rule,
                lvl,
                self._parts[ids[0]],
                *self._at[ids[0]],
                [(self._parts[p], *self._at[p]) for p in ids[1:]],
            )
            for rule, lvl, ids in self._rules
        ]

    def _owners(self, bits: int) -> list[int]:
        """The rules (or dampers) owning the set bits, in order."""
        out = []
        owner = self._owner
        while bits:
            k, lo = owner[bits.bit_length() - 1]
            out.append(k)
            bits &= (1 << lo) - 1  # the part's other bits are below its highest
        out.reverse()
        return out

    def scan(self, text: str) -> int:
        """The index words' masks in a piece of disclosure text; OR them for a whole text
        and pass the result to :meth:`match` to skip its own scan."""
        return self._needs.scan(text)

    def match(self, text: str, scanned: int | None = None) -> list[RuleHit]:
        present = self._needs.present(text, scanned)
        hay = " " + text
        if not present & self._key_bits:
            return []
        plan = self._plan
        hits: list[_Hit] = []
        for i in self._owners(present & self._key_bits):
            rule, lvl, key, lo, mask, others = plan[i]
            if others:  # a co-occurrence rule needs a phrase of every part
                bits = [(part, present >> plo & pmask) for part, plo, pmask in others]
                if not all(b for _, b in bits):
                    continue
            m = key.search(text, hay, present >> lo & mask)
            if m is None:
                continue
            start, end = m
            if others:
                for part, b in bits:
                    m = part.search(text, hay, b)
                    if m is None:
                        break
                    start, end = min(start, m[0]), max(end, m[1])
                else:
                    hits.append((rule, lvl, start, end))
            else:
                hits.append((rule, lvl, start, end))
        if not hits:
            return []
        hits = self._damp(text, hay, present, hits)
        if hits and all(r.needs_other for r, *_ in hits):
            return []
        return [RuleHit(r.id, r.category, _NAME[lvl], s, e) for r, lvl, s, e in hits]

    def rules_found(self, text: str, indexed: bool = True) -> list[str]:
        """The ids of the rules with a match for every part, before dampers. ``indexed``
        False: every part of every rule is searched, without the word index (what the index
        must never change)."""
        present = self._needs.present(text) if indexed else -1
        hay = " " + text
        out = []
        for rule, _, key, lo, mask, others in self._plan:
            if key.search(text, hay, present >> lo & mask) is not None and all(
                part.search(text, hay, present >> plo & pmask) is not None
                for part, plo, pmask in others
            ):
                out.append(rule.id)
        return out

    def damped(self, text: str, scanned: int | None = None) -> bool:
        """Does a damper apply to ``text`` (its patterns found and its "unless" ones not)?"""
        present = self._needs.present(text, scanned)
        hay = " " + text
        parts, at = self._parts, self._at
        for i in self._owners(present & self._damp_bits):
            _, pid, unless = self._dampers[i]
            lo, m = at[pid]
            if parts[pid].search(text, hay, present >> lo & m) is None:
                continue
            if unless is not None:
                lo, m = at[unless]
                b = present >> lo & m
                if b and parts[unless].search(text, hay, b):
                    continue
            return True
        return False

    def _damp(self, text: str, hay: str, present: int, hits: list[_Hit]) -> list[_Hit]:
        if all(lvl >= 3 for _, lvl, _, _ in hits):
            return hits  # nothing lowers an urgent hit
        parts, at = self._parts, self._at
        for i in self._owners(present & self._damp_bits):
            damper, pid, unless = self._dampers[i]
            lo, m = at[pid]
            if damper.kind == "question":  # lowers every hit: whether it matches is enough
                found = parts[pid].search(text, hay, present >> lo & m)
                spans = [] if found is None else [found]
            else:
                spans = parts[pid].spans(text, hay, present >> lo & m)
            if not spans:
                continue
            if unless is not None:
                lo, m = at[unless]
                b = present >> lo & m
                if b and parts[unless].search(text, hay, b):
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
            if all(lvl >= 3 for _, lvl, _, _ in hits):
                break
        return hits


def _part_score(p: _Part) -> float:
    return slot_score(p.triggers) if p.triggers else float("-inf")
