"""Disclosure rules: parts of alternative phrases behind a word index
(:mod:`moderation.phrase_parts`).

Every rule is anchored on its rarest part: the word index names the candidate rules (their key
phrase's rarest slots and their other parts each have a word in the message), and a candidate
runs its regexes only if each of its parts has a phrase whose required words are present.
Dampers are looked at only when a non-urgent rule fired; nothing lowers an ``urgent`` hit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from moderation.phrase_parts import Part, WordIndex
from moderation.phrases import slot_score

if TYPE_CHECKING:
    from config.rule_types import Damper, DisclosureRule, DisclosureRules

# A NamedTuple's own constructor is interpreted Python; tuple.__new__ is not (hot path)
_new = tuple.__new__
__all__ = ["DisclosureMatcher", "RuleHit"]

_LEVEL = {"urgent": 3, "high": 2, "medium": 1}
_NAME = {3: "urgent", 2: "high", 1: "medium"}
# a rule's id, category and needs_other, read once (a config object's attributes are looked
# up the slow way on the hot path)
_Facts = tuple[str, str, bool]
_Hit = tuple[_Facts, int, int, int]  # the rule's facts, level, start, end


class RuleHit(NamedTuple):
    rule: str
    category: str
    severity: str
    start: int  # offsets into the disclosure text
    end: int


class DisclosureMatcher:
    def __init__(self, rules: DisclosureRules, speak: Mapping[str, str]) -> None:
        parts: list[Part] = []

        def add(phrases: tuple[str, ...]) -> int:
            parts.append(Part(phrases, rules.macros, speak))
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
        # per damper: itself, its patterns' part, its "unless" part, whether it is a general
        # question (it lowers every hit) and by how many levels
        self._dampers: list[tuple[Damper, int, int | None, bool, int]] = []
        for d in rules.dampers:
            try:
                unless = add(d.unless) if d.unless else None
                pid = add(d.patterns)
            except ValueError as exc:
                raise ValueError(f"damper {d.id}: {exc}") from exc
            self._dampers.append((d, pid, unless, d.kind == "question", d.levels))
        self._parts = parts
        self._layout()

    def _layout(self) -> None:
        """Phrase bits: the rules' key parts first (in rule order), then the dampers, then the
        other parts; each part's phrases are one run of bits."""
        keys = [ids[0] for _, _, ids in self._rules]
        damps = [pid for _, pid, _, _, _ in self._dampers]
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
        self._needs = WordIndex(phrases)
        # per bit: the bits below its part's first (what _owners keeps of the rest)
        self._below = [(1 << lo) - 1 for _, lo in self._owner]
        # per rule: the key part with its bits, the other parts with theirs
        self._plan = [
            (
                (rule.id, rule.category, rule.needs_other),
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
        owner, below = self._owner, self._below
        while bits:
            top = bits.bit_length() - 1
            out.append(owner[top][0])
            bits &= below[top]  # the part's other bits are below its highest
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
            facts, lvl, key, lo, mask, others = plan[i]
            if others and not _all_present(present, others):
                continue  # a co-occurrence rule needs a phrase of every part
            m = key.search(text, hay, present >> lo & mask)
            if m is None:
                continue
            start, end = m
            for part, plo, pmask in others:
                m = part.search(text, hay, present >> plo & pmask)
                if m is None:
                    break
                start, end = min(start, m[0]), max(end, m[1])
            else:
                hits.append((facts, lvl, start, end))
        if not hits:
            return []
        hits = self._damp(text, hay, present, hits)
        if hits and all(f[2] for f, _, _, _ in hits):
            return []
        return [_new(RuleHit, (f[0], f[1], _NAME[lvl], s, e)) for f, lvl, s, e in hits]

    def rules_found(self, text: str, indexed: bool = True) -> list[str]:
        """The ids of the rules with a match for every part, before dampers. ``indexed``
        False: every part of every rule is searched, without the word index (what the index
        must never change)."""
        present = self._needs.present(text) if indexed else -1
        hay = " " + text
        out = []
        for facts, _, key, lo, mask, others in self._plan:
            if key.search(text, hay, present >> lo & mask) is not None and all(
                part.search(text, hay, present >> plo & pmask) is not None
                for part, plo, pmask in others
            ):
                out.append(facts[0])
        return out

    def damped(self, text: str, scanned: int | None = None) -> bool:
        """Does a damper apply to ``text`` (its patterns found and its "unless" ones not)?"""
        present = self._needs.present(text, scanned)
        hay = " " + text
        parts, at = self._parts, self._at
        for i in self._owners(present & self._damp_bits):
            _, pid, unless, _, _ = self._dampers[i]
            lo, m = at[pid]
            if parts[pid].search(text, hay, present >> lo & m) is None:
                continue
            if not self._overruled(text, hay, present, unless):
                return True
        return False

    def _overruled(self, text: str, hay: str, present: int, unless: int | None) -> bool:
        """Is a damper's "unless" part (the part with that index) found in the text?"""
        if unless is None:
            return False
        lo, m = self._at[unless]
        b = present >> lo & m
        return bool(b) and self._parts[unless].search(text, hay, b) is not None

    def _damp(self, text: str, hay: str, present: int, hits: list[_Hit]) -> list[_Hit]:
        if all(lvl >= 3 for _, lvl, _, _ in hits):
            return hits  # nothing lowers an urgent hit
        parts, at = self._parts, self._at
        for i in self._owners(present & self._damp_bits):
            _, pid, unless, question, levels = self._dampers[i]
            lo, m = at[pid]
            if question:  # lowers every hit: whether it matches is enough
                found = parts[pid].search(text, hay, present >> lo & m)
                spans = [] if found is None else [found]
            else:
                spans = parts[pid].spans(text, hay, present >> lo & m)
            if not spans or self._overruled(text, hay, present, unless):
                continue
            kept: list[_Hit] = []
            for facts, lvl, s, e in hits:
                if lvl < 3:
                    if question:
                        lvl -= levels
                    elif any(s < de and ds < e for ds, de in spans):
                        lvl = 0
                if lvl > 0:
                    kept.append((facts, lvl, s, e))
            hits = kept
            if all(lvl >= 3 for _, lvl, _, _ in hits):
                break
        return hits


def _all_present(present: int, parts: list[tuple[Part, int, int]]) -> bool:
    """Has each part a phrase whose words are all present?"""
    for _, lo, mask in parts:
        if not present >> lo & mask:
            return False
    return True


def _part_score(p: Part) -> float:
    return slot_score(p.triggers) if p.triggers else float("-inf")
