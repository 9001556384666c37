"""Disclosure rules: phrases (see :mod:`moderation.phrases`) behind a word index.

Every rule is anchored on its rarest part, and every phrase of that part on its rarest
required slot (its *trigger* words). A message is split into words once; the rules whose
trigger words it contains are the candidates (a set intersection, no per-word Python loop). A
candidate runs its regexes only if each of its parts has a phrase whose required words are all
present, and only at the positions where a phrase of the part can start. Prefix words
(``word*``) are found by one small Aho-Corasick automaton. Dampers are looked at only when a
non-urgent rule fired; nothing lowers an ``urgent`` hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import reduce
from operator import itemgetter, or_
from typing import TYPE_CHECKING, Any, NamedTuple

import ahocorasick

from moderation.phrases import compile_phrase, slot_score

if TYPE_CHECKING:
    from config.rules import Damper, DisclosureRule, DisclosureRules

__all__ = ["DisclosureMatcher", "RuleHit"]

_LEVEL = {"urgent": 3, "high": 2, "medium": 1}
_NAME = {3: "urgent", 2: "high", 1: "medium"}
_Hit = tuple["DisclosureRule", int, int, int]  # rule, level, start, end


class RuleHit(NamedTuple):
    rule: str
    category: str
    severity: str
    start: int  # offsets into the disclosure text
    end: int


class _Words:
    """One message: its words, their set, the prefix words present; positions when asked."""

    __slots__ = ("_hay", "_pos", "set", "stems", "text")

    def __init__(self, text: str, stems: set[str]) -> None:
        self.text = text
        self.set = set(text.split(" "))
        self.stems = stems
        self._hay = ""
        self._pos: dict[str, list[int]] = {}

    def where(self, word: str) -> list[int]:
        """Offsets of ``word`` (or of the words starting with "stem*") in the text."""
        got = self._pos.get(word)
        if got is None:
            if not self._hay:
                self._hay = " " + self.text + " "
            find = self._hay.find
            pat = " " + word[:-1] if word.endswith("*") else f" {word} "
            got = []
            i = find(pat)
            while i >= 0:  # the space before the word is at hay[i]: the word at text[i]
                got.append(i)
                i = find(pat, i + 1)
            self._pos[word] = got
        return got


class _Phrase:
    """One compiled phrase: its regex and the words it can start with."""

    __slots__ = ("fkeys", "fx", "match", "rx", "slots")

    def __init__(self, rx: re.Pattern[str], slots: tuple[frozenset[str], ...], first: Any):
        self.rx = rx
        self.match = rx.match if first is not None else None  # None: scan the whole text
        self.slots = slots  # the required slots: one word of each must be in the message
        firsts: frozenset[str] = first or frozenset()
        self.fx = frozenset(w for w in firsts if not w.endswith("*"))
        self.fkeys = frozenset(w for w in firsts if w.endswith("*"))

    def starts(self, w: _Words) -> list[int]:
        firsts = self.fx & w.set
        if self.fkeys and w.stems:
            firsts |= self.fkeys & w.stems
        if len(firsts) == 1:
            return w.where(next(iter(firsts)))
        out: list[int] = []
        for x in firsts:
            out += w.where(x)
        out.sort()
        return out


def _bits(b: int) -> Iterable[int]:
    """The set bits of ``b``, lowest first."""
    while b:
        low = b & -b
        yield low.bit_length() - 1
        b ^= low


class _Part:
    """Alternative phrases. A part is searched phrase by phrase, trying only the phrases whose
    required words are present, and each only where one of its start words is."""

    __slots__ = ("anchored", "phrases", "rx", "triggers")

    def __init__(
        self, phrases: tuple[str, ...], macros: Mapping[str, str], speak: Mapping[str, str]
    ):
        compiled = [compile_phrase(p, macros, speak) for p in phrases]
        self.phrases = tuple(_Phrase(c[0], c[2], c[3]) for c in compiled)
        self.rx = re.compile("|".join(f"(?:{c[0].pattern})" for c in compiled))
        self.anchored = all(ph.match is not None for ph in self.phrases)
        trigs = [c[1] for c in compiled]
        always = any(not t for t in trigs)  # a phrase needs no particular word
        self.triggers = frozenset() if always else frozenset(w for t in trigs for w in t)

    def words(self) -> Iterable[str]:
        """Every word (or "stem*") the part's phrases need or start with."""
        for ph in self.phrases:
            yield from ph.fx
            yield from ph.fkeys
            for slot in ph.slots:
                yield from slot

    def search(self, w: _Words, bits: int) -> re.Match[str] | None:
        """The leftmost match of the phrases in ``bits`` (the first phrase, in order, at the
        leftmost position: what the alternation of all the phrases would find)."""
        best: re.Match[str] | None = None
        limit = len(w.text) + 1
        text = w.text
        for j in _bits(bits):
            ph = self.phrases[j]
            if ph.match is None:
                m = ph.rx.search(text, 0)
                if m is not None and m.start() < limit:
                    best, limit = m, m.start()
                continue
            match = ph.match
            for p in ph.starts(w):
                if p >= limit:
                    break
                m = match(text, p)
                if m is not None:
                    best, limit = m, p
                    break
        return best

    def spans(self, w: _Words, bits: int) -> list[tuple[int, int]]:
        """At each start position, the span of the first phrase that matches there."""
        if not self.anchored:  # as the alternation would scan: no overlapping spans
            return [m.span() for m in self.rx.finditer(w.text)]
        found: dict[int, tuple[int, int]] = {}
        text = w.text
        for j in _bits(bits):
            ph = self.phrases[j]
            match = ph.match
            assert match is not None
            for p in ph.starts(w):
                if p not in found and (m := match(text, p)):
                    found[p] = m.span()
        return list(found.values())


class _Needs:
    """Which phrases have all their required words present, for every phrase at once.

    Phrase ``i`` gets bit ``i`` of each of ``K`` sections (its K rarest required slots); a
    word's mask sets the phrase's bit in the section of each slot it is in. OR-ing the masks of
    a message's words and AND-ing the sections leaves the phrases whose slots are all present.
    """

    K = 3

    def __init__(self, phrases: list[tuple[frozenset[str], ...]]) -> None:
        n = self.n = max(len(phrases), 1)
        masks: dict[str, int] = {}
        fill = 0
        for i, slots in enumerate(phrases):
            keep = sorted(slots, key=slot_score, reverse=True)[: self.K]
            for j in range(self.K):
                if j < len(keep):
                    for w in keep[j]:
                        masks[w] = masks.get(w, 0) | 1 << (j * n + i)
                else:  # fewer slots: the section is satisfied
                    fill |= 1 << (j * n + i)
        self.masks = masks
        self.keys = frozenset(masks)
        self.fill = fill
        self.low = (1 << n) - 1

    def present(self, w: _Words) -> int:
        found = (w.set | w.stems if w.stems else w.set) & self.keys
        sat = reduce(or_, map(self.masks.__getitem__, found), self.fill)
        n, out = self.n, sat
        for j in range(1, self.K):
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
        stems = {w for p in parts for w in p.words() if w.endswith("*")}
        self._stems: ahocorasick.Automaton | None = None
        if stems:  # " stem" in " text ": a word that starts with the stem
            self._stems = ahocorasick.Automaton()
            for s in stems:
                self._stems.add_word(" " + s[:-1], s)
            self._stems.make_automaton()

    def _layout(self) -> None:
        """Phrase bits: the rules' key parts first (in rule order), then the dampers, then the
        other parts; each part's phrases are one run of bits."""
        keys = [ids[0] for _, _, ids in self._rules]
        damps = [pid for _, pid, _ in self._dampers]
        rest = [p for p in range(len(self._parts)) if p not in set(keys) | set(damps)]
        phrases: list[tuple[frozenset[str], ...]] = []
        self._at: list[tuple[int, int]] = [(0, 0)] * len(self._parts)  # part -> first bit, mask
        self._owner: list[tuple[int, int]] = []  # bit -> (rule or damper, the part's first bit)
        for group in (keys, damps, rest):
            for k, pid in enumerate(group):
                lo = len(phrases)
                for ph in self._parts[pid].phrases:
                    phrases.append(ph.slots)
                    self._owner.append((k, lo))
                self._at[pid] = (lo, (1 << (len(phrases) - lo)) - 1)
            if group is keys:
                self._key_bits = (1 << len(phrases)) - 1
            elif group is damps:
                self._damp_bits = ((1 << len(phrases)) - 1) ^ self._key_bits
        self._needs = _Needs(phrases)

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

    def match(self, text: str) -> list[RuleHit]:
        ac = self._stems
        stems = set(map(itemgetter(1), ac.iter(" " + text))) if ac is not None else set()
        w = _Words(text, stems)
        present = self._needs.present(w)
        if not present & self._key_bits:
            return []
        parts, at = self._parts, self._at
        hits: list[_Hit] = []
        for i in self._owners(present & self._key_bits):
            rule, lvl, ids = self._rules[i]
            bits = [present >> at[p][0] & at[p][1] for p in ids]
            if not all(bits):
                continue  # a co-occurrence rule needs every part
            start = end = -1
            for p, b in zip(ids, bits, strict=True):
                m = parts[p].search(w, b)
                if m is None:
                    break
                s, e = m.span()
                start, end = (s, e) if start < 0 else (min(start, s), max(end, e))
            else:
                hits.append((rule, lvl, start, end))
        if not hits:
            return []
        hits = self._damp(w, present, hits)
        if hits and all(r.needs_other for r, *_ in hits):
            return []
        return [RuleHit(r.id, r.category, _NAME[lvl], s, e) for r, lvl, s, e in hits]

    def _damp(self, w: _Words, present: int, hits: list[_Hit]) -> list[_Hit]:
        if all(lvl >= 3 for _, lvl, _, _ in hits):
            return hits  # nothing lowers an urgent hit
        parts, at = self._parts, self._at
        for i in self._owners(present & self._damp_bits):
            damper, pid, unless = self._dampers[i]
            lo, m = at[pid]
            spans = parts[pid].spans(w, present >> lo & m)
            if not spans:
                continue
            if unless is not None:
                lo, m = at[unless]
                b = present >> lo & m
                if b and parts[unless].search(w, b):
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
