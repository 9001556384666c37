"""Disclosure rules' parts: alternative phrases (see :mod:`moderation.phrases`) and the word
index that picks the candidates among them without running a regex.

Every phrase is anchored on its rarest required slots. One pass over a message's words ORs
their masks (``" word "``, or ``" stem"`` for ``stem*``): the phrases whose required words are
all present, and so the candidate rules. A phrase with a literal first slot is searched in
``" " + text`` with a regex that starts with that space, so the regex engine's literal prefix
scan visits only word starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import reduce
from operator import itemgetter, or_

import ahocorasick

from moderation.phrases import compile_phrase, slot_score

__all__ = ["Part", "Phrase", "WordIndex", "bits_of"]

_second = itemgetter(1)


class Phrase:
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


def bits_of(b: int) -> Iterable[int]:
    """The set bits of ``b``, lowest first."""
    while b:
        low = b & -b
        yield low.bit_length() - 1
        b ^= low


class Part:
    """Alternative phrases. A part is searched phrase by phrase, trying only the phrases whose
    required words are present."""

    __slots__ = ("anchored", "phrases", "rx", "triggers")

    def __init__(
        self, phrases: tuple[str, ...], macros: Mapping[str, str], speak: Mapping[str, str]
    ):
        compiled = [compile_phrase(p, macros, speak) for p in phrases]
        self.phrases = tuple(Phrase(c[0], c[2], c[3], c[4]) for c in compiled)
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
            if m is None:
                return None
            start, end = m.span()
            return (start, end - ph.shift)
        best: tuple[int, int] | None = None
        limit = len(text) + 1
        for j in bits_of(bits):
            ph = phrases[j]
            m = ph.search(hay if ph.shift else text)
            if m is not None:
                start, end = m.span()
                if start < limit:
                    limit = start
                    best = (start, end - ph.shift)
        return best

    def spans(self, text: str, hay: str, bits: int) -> list[tuple[int, int]]:
        """At each start position, the span of the first phrase that matches there."""
        if not self.anchored:  # as the alternation would scan: no overlapping spans
            return [m.span() for m in self.rx.finditer(text)]
        found: dict[int, tuple[int, int]] = {}
        for j in bits_of(bits):
            ph = self.phrases[j]
            search, shift = ph.search, ph.shift
            m = search(hay)
            while m is not None:
                p, e = m.span()
                if p not in found:
                    found[p] = (p, e - shift)
                m = search(hay, p + 1)
        return list(found.values())


class WordIndex:
    """Which phrases have all their required words present, for every phrase at once.

    Phrase ``i`` gets bit ``i`` of each of ``K`` sections (its K rarest required slots) and
    of ``M`` more (for a rule's key phrase: each of the rule's other parts, met by a word
    that one of that part's phrases needs); a word's mask sets the phrase's bit in the
    section of each slot (or part) it is in. OR-ing the masks of a message's words and
    AND-ing the sections leaves the phrases whose slots are all present, and whose rule's
    other parts may be.
    """

    K = 3
    M = 2  # present() ANDs K + M = 5 sections

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
        n = self.n
        # AND the K + M = 5 sections: (0 & 2, 1 & 3, 2 & 4), then (0 & 2) & (1 & 3), then 4;
        # fewer and shorter big-integer shifts than one shift a section
        pairs = sat & sat >> 2 * n
        return pairs & pairs >> n & sat >> 4 * n & self.low
