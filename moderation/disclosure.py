"""Disclosure rules: phrases (see :mod:`moderation.phrases`) with a word index.

One Aho-Corasick automaton finds, in a single pass, every word (and word prefix, for ``word*``)
that any phrase needs. Each phrase lists its required literal slots as bit masks over those
words, so a message only runs the regexes of phrases whose required words it contains all of,
and only at the positions where the phrase's first word occurs. Dampers lower or drop
non-urgent hits; nothing lowers an ``urgent`` hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ahocorasick

from moderation.phrases import compile_phrase, slot_score

if TYPE_CHECKING:
    from config.rules import Damper, DisclosureRule, DisclosureRules

__all__ = ["DisclosureMatcher", "RuleHit"]

_LEVEL = {"urgent": 3, "high": 2, "medium": 1}
_NAME = {3: "urgent", 2: "high", 1: "medium"}

Positions = dict[str, list[int]]  # word (or "stem*") -> start offsets in the text
# trigger word -> (part, the masks of the phrase's required slots) for each phrase it triggers
_Index = dict[str, list[tuple[int, tuple[int, ...]]]]


@dataclass(frozen=True)
class RuleHit:
    rule: str
    category: str
    severity: str
    start: int  # offsets into the disclosure text
    end: int


@dataclass(frozen=True)
class _Phrase:
    required: tuple[frozenset[str], ...]  # the message needs one word of each
    trigger: tuple[str, ...]  # the words of its least common required slot (empty: none)


class _Part:
    """Alternative phrases compiled into one regex, tried only where a start word is."""

    __slots__ = ("first", "phrases", "rx", "triggers")

    def __init__(
        self, phrases: tuple[str, ...], macros: Mapping[str, str], speak: Mapping[str, str]
    ):
        out = []
        firsts: set[str] | None = set()
        for p in phrases:
            rx, trig, required, first = compile_phrase(p, macros, speak)
            out.append((rx, _Phrase(required, trig)))
            if first is None or firsts is None:
                firsts = None
            else:
                firsts.update(first)
        self.phrases = tuple(ph for _, ph in out)
        self.rx = re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in out))
        self.first = None if firsts is None else frozenset(firsts)  # None: scan the whole text
        always = any(not ph.trigger for ph in self.phrases)
        self.triggers = (
            frozenset() if always else frozenset(w for ph in self.phrases for w in ph.trigger)
        )

    def starts(self, pos: Positions) -> list[int]:
        assert self.first is not None
        out: list[int] = []
        for w in self.first.intersection(pos):
            out += pos[w]
        if len(out) > 1:
            out.sort()
        return out

    def search(self, text: str, pos: Positions) -> re.Match[str] | None:
        """The leftmost match (as ``rx.search`` would find it)."""
        if self.first is None:
            return self.rx.search(text)
        match = self.rx.match
        for p in self.starts(pos):
            m = match(text, p)
            if m:
                return m
        return None

    def spans(self, text: str, pos: Positions) -> list[tuple[int, int]]:
        if self.first is None:
            return [m.span() for m in self.rx.finditer(text)]
        match = self.rx.match
        return [m.span() for p in self.starts(pos) if (m := match(text, p))]


class DisclosureMatcher:
    def __init__(self, rules: DisclosureRules, speak: Mapping[str, str]) -> None:
        self._rules: list[tuple[DisclosureRule, tuple[int, ...], int]] = []
        parts: list[_Part] = []

        def add(phrases: tuple[str, ...]) -> int:
            parts.append(_Part(phrases, rules.macros, speak))
            return len(parts) - 1

        for r in rules.rules:
            try:
                ids = tuple(add(p) for p in r.parts)
            except ValueError as exc:
                raise ValueError(f"rule {r.id}: {exc}") from exc
            key = max(ids, key=lambda j: _part_score(parts[j]))
            self._rules.append((r, ids, key))
        self._dampers: list[tuple[Damper, int, int | None]] = []
        for d in rules.dampers:
            try:
                unless = add(d.unless) if d.unless else None
                self._dampers.append((d, add(d.patterns), unless))
            except ValueError as exc:
                raise ValueError(f"damper {d.id}: {exc}") from exc
        self._parts = parts
        self._index_words(parts)

    def _index_words(self, parts: list[_Part]) -> None:
        """Bits for every word a phrase needs or starts with; the automaton that finds them;
        and, per trigger word, the (part, required masks) of the phrases it triggers."""
        words: set[str] = set()
        for part in parts:
            words.update(part.first or ())
            for ph in part.phrases:
                for slot in ph.required:
                    words.update(slot)
        bit = {w: 1 << i for i, w in enumerate(sorted(words))}
        ac = ahocorasick.Automaton()
        for w, b in bit.items():
            if w.endswith("*"):  # a prefix: " stem" anywhere; the word starts after the space
                ac.add_word(" " + w[:-1], (w, b, len(w) - 1))
            else:  # a whole word: " word " in " text "
                ac.add_word(f" {w} ", (w, b, len(w) + 1))
        ac.make_automaton()
        self._ac = ac

        def mask(ws: Iterable[str]) -> int:
            m = 0
            for w in ws:
                m |= bit[w]
            return m

        self._key_part: dict[int, int] = {key: i for i, (_, _, key) in enumerate(self._rules)}
        self._index: _Index = {}  # key parts of the rules
        self._damp_index: _Index = {}  # damper patterns: used only when there are hits
        self._always: set[int] = set()  # such parts with a phrase that has no required word
        self._part_masks: list[int] = []  # one trigger word of the part is needed (0: none)
        damp_parts = {pid for _, pid, _ in self._dampers}
        for pid, part in enumerate(parts):
            self._part_masks.append(mask(part.triggers))
            if pid in self._key_part:
                index = self._index
            elif pid in damp_parts:
                index = self._damp_index
            else:
                continue  # the other parts of a co-occurrence rule are looked at when needed
            for ph in part.phrases:
                if not ph.trigger:
                    self._always.add(pid)
                    continue
                req = tuple(sorted((mask(s) for s in ph.required), key=_rarity))
                for w in ph.trigger:
                    index.setdefault(w, []).append((pid, req))

    def match(self, text: str) -> list[RuleHit]:
        pos: Positions = {}
        present = 0
        for end, (w, b, n) in self._ac.iter(" " + text + " "):
            present |= b
            if w in pos:
                pos[w].append(end - n)
            else:
                pos[w] = [end - n]
        possible = _possible(self._index, pos, present, self._always)
        key_part = self._key_part
        cand = sorted(key_part[p] for p in possible if p in key_part)
        if not cand:
            return []
        hits: list[tuple[DisclosureRule, int, int, int]] = []
        parts = self._parts
        masks = self._part_masks
        for i in cand:
            rule, ids, k = self._rules[i]
            if len(ids) > 1 and any(masks[p] and not present & masks[p] for p in ids):
                continue  # a co-occurrence rule needs a trigger word of every part
            m = parts[k].search(text, pos)
            if m is None:
                continue
            start, end = m.start(), m.end()
            for p in ids:
                if p == k:
                    continue
                other = parts[p].search(text, pos)
                if other is None:
                    break
                start, end = min(start, other.start()), max(end, other.end())
            else:
                hits.append((rule, _LEVEL[rule.severity], start, end))
        if not hits:
            return []
        hits = self._damp(text, pos, present, hits)
        if hits and all(r.needs_other for r, *_ in hits):
            hits = []
        return [RuleHit(r.id, r.category, _NAME[lvl], s, e) for r, lvl, s, e in hits]

    def _damp(
        self,
        text: str,
        pos: Positions,
        present: int,
        hits: list[tuple[DisclosureRule, int, int, int]],
    ) -> list[tuple[DisclosureRule, int, int, int]]:
        if all(lvl >= 3 for _, lvl, _, _ in hits):
            return hits  # nothing lowers an urgent hit
        parts = self._parts
        masks = self._part_masks
        possible = _possible(self._damp_index, pos, present, self._always)
        for damper, pid, unless in self._dampers:
            if pid not in possible:
                continue
            spans = parts[pid].spans(text, pos)
            if not spans:
                continue
            if (
                unless is not None
                and (not masks[unless] or present & masks[unless])
                and parts[unless].search(text, pos)
            ):
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


def _rarity(mask: int) -> int:
    return mask.bit_count()  # check narrow slots first: they fail more often


def _possible(index: _Index, pos: Positions, present: int, always: set[int]) -> set[int]:
    """Parts with a phrase whose required words are all present."""
    out = set(always)
    for w in pos:
        entries = index.get(w)
        if entries:
            for pid, req in entries:
                if pid not in out:
                    for m in req:
                        if not present & m:
                            break
                    else:
                        out.add(pid)
    return out
