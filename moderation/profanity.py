"""Profanity matching: one Aho-Corasick automaton over normalised, squeezed text.

Keys are words with runs of one letter squeezed ("boobs" -> "bobs"); each key keeps the run
lengths of the word(s) it came from, and a hit is accepted only if every run in the text is at
least as long as in the word ("bobs" is not "boobs", "fuuuck" is "fuck"). Matches are whole
words, except inside letters spaced out on purpose ("f u c k").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple

import ahocorasick

from moderation.normalise import Folder
from moderation.offsets import map_span
from moderation.profanity_segments import WordProfanity
from moderation.profanity_text import (
    ProfanityKey,
    QuickKey,
    leet,
    leet_all,
    leet_gate,
    profanity_key,
    single_edges,
    spaced_letters,
    spaced_runs,
    squeeze_word,
)

if TYPE_CHECKING:
    from config.rule_types import ProfanityRules

# A NamedTuple's own constructor is interpreted Python; tuple.__new__ is not (hot path)
_new = tuple.__new__
__all__ = ["ProfanityHit", "ProfanityMatcher"]

_VOWELS = "aeiou"
_SHORT_CHARS, _SHORT_SIZE = 64, 4096  # find_short's memo: at most ~1.5 MB
_ALLOW = "\x00allow"
_NONWORD = re.compile(r"[^\w*]|_")
# ASCII fast path for _NONWORD: every ASCII character other than a-z, 0-9 and * becomes a space
_ASCII_NONWORD = bytes(c if c < 128 and (chr(c).isalnum() or c == 42) else 32 for c in range(256))


def _spaced(text: str) -> str:
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_NONWORD).decode("ascii")
    return _NONWORD.sub(" ", text)


class ProfanityHit(NamedTuple):
    term: str
    start: int  # offsets into the profanity key text
    end: int


def _star_variants(word: str) -> set[str]:
    """'fuck' -> 'f*ck'; 'twat' -> 'tw*t'; 'shit' -> 'sh*t', and all vowels starred."""
    if " " in word or len(word) < 4:
        return set()
    inner = word[1:-1]
    out = set()
    for i, ch in enumerate(inner):
        if ch in _VOWELS:
            out.add(word[0] + inner[:i] + "*" + inner[i + 1 :] + word[-1])
    out.add(word[0] + "".join("*" if c in _VOWELS else c for c in inner) + word[-1])
    out.discard(word)
    return out


class ProfanityMatcher:
    def __init__(self, rules: ProfanityRules, folder: Folder, leet: dict[int, str]) -> None:
        self._folder = folder
        self._leet = leet
        allowed = {self._norm(w) for w in rules.allow_words}
        words: dict[str, str] = {}  # normalised form -> reported term
        for w in (*rules.base_words, *rules.additions):
            n = self._norm(w)
            if n and n not in allowed and any(c.isalpha() for c in n):
                words.setdefault(n, n)
        forms: dict[str, str] = {}
        for n, term in words.items():
            forms.setdefault(n, term)
            if " " not in n and len(n) >= 3:
                for suf in rules.inflections:
                    f = n + suf
                    if f not in allowed:
                        forms.setdefault(f, term)
            for v in _star_variants(n):
                forms.setdefault(v, term)
        table: dict[str, list[tuple[str | None, tuple[int, ...]]]] = {}
        for form, term in forms.items():
            key, runs = squeeze_word(form)
            table.setdefault(key, []).append((term, runs))
        for a in sorted(allowed):
            key, runs = squeeze_word(a)
            if key in table and any(r > 1 for r in runs):
                # an allowed word with a doubled letter that squeezes to a listed word ("noob",
                # "nob"): allowed (no entry, tried first) where the text's runs reach its own
                table[key].insert(0, (None, runs))
        # _words matches whole words only: keys and text are wrapped in spaces.
        # _sub matches anywhere; it is used only inside runs of spaced-out letters.
        whole = ahocorasick.Automaton()
        sub = ahocorasick.Automaton()
        for key, entries in table.items():
            whole.add_word(f" {key} ", (key, tuple(entries)))
            sub.add_word(key, (key, tuple(entries)))
        for phrase in rules.allow_phrases:
            key, _ = squeeze_word(self._norm(phrase))
            if key:  # an allowed phrase that is also a listed form: the allowlist wins
                whole.add_word(f" {key} ", (_ALLOW + key, ()))
        whole.make_automaton()
        sub.make_automaton()
        # consecutive words of the listed phrases ("son of a bitch", "kill myself"): a phrase
        # can span two whitespace tokens only where one ends with such a pair's first word
        # and the next starts with its second
        pairs: set[tuple[str, str]] = set()
        for key in [*table, *(squeeze_word(self._norm(p))[0] for p in rules.allow_phrases)]:
            ws = key.split(" ")
            pairs.update(pairwise(ws))
        self.pairs = frozenset(pairs)
        self._pair_firsts = frozenset(a for a, _ in pairs)
        self.pair_seconds = frozenset(b for _, b in pairs)
        # a few words' readings, by their text (see find_short)
        self._short: dict[str, tuple[tuple[str, int, int], ...]] = {}
        multi = ahocorasick.Automaton()  # the listed phrases of more than one word
        for key in [*table, *(squeeze_word(self._norm(p))[0] for p in rules.allow_phrases)]:
            if " " in key:
                multi.add_word(f" {key} ", key)
        multi.make_automaton()
        self._multi = multi
        self._words = whole
        self._sub = sub
        self.size = len(forms)
        self._compound = self._compounds(rules, allowed)

    def _compounds(self, rules: ProfanityRules, allowed: set[str]) -> ahocorasick.Automaton | None:
        """Roots that make a word swearing wherever it starts (" root") or ends ("root ") with
        them ("shithole", "dogshit"), unless the whole word is allowlisted ("shiitake")."""
        self._allowed_keys = frozenset(squeeze_word(a)[0] for a in allowed)
        comp = ahocorasick.Automaton()
        for roots, at_start in ((rules.compound_starts, True), (rules.compound_ends, False)):
            for root in roots:
                n = self._norm(root)
                if not n or " " in n or n in allowed:
                    continue
                key, runs = squeeze_word(n)
                comp.add_word(f" {key}" if at_start else f"{key} ", (key, ((n, runs),), at_start))
        if not len(comp):
            return None
        comp.make_automaton()
        return comp

    def _norm(self, word: str) -> str:
        """A list word in the matcher's spelling: folded, leetspeak and spaced letters undone."""
        folded, _ = self._folder.fold(word.strip())
        text = profanity_key(folded, self._leet, squeeze=False).text
        return " ".join(text.strip(" .,_-!?'").split())

    def find(self, folded: str) -> list[tuple[str, int, int]]:
        """Profanity hits in folded text: (term, start, end), offsets into ``folded``."""
        leeted = leet(folded, self._leet)  # length-preserving
        singles = spaced_runs(leeted)
        if singles:  # slow path: "f u c k"
            key = profanity_key(folded, self._leet, leeted=leeted, spaced=singles)
            return [(h.term, *map_span(key.maps, h.start, h.end)) for h in self.match(key)]
        # spacing and squeezing commute: neither touches what the other changes
        quick = QuickKey(_spaced(leeted))
        cands = self._candidates(quick.text, spaced=True)
        if not cands:
            return []
        hits = self._resolve(cands, quick.runs())
        return [(h.term, *quick.source_span(h.start, h.end)) for h in hits]

    def find_short(self, folded: str) -> tuple[tuple[str, int, int], ...]:
        """:meth:`find` of a few words (a run of spaced-out letters, a listed phrase across
        words: moderation/profanity_segments.py), remembered by their text like the word
        memo's words: "s h i t" and "piss off" come up again and again."""
        hits = self._short.get(folded)
        if hits is None:
            hits = tuple(self.find(folded))
            if len(folded) <= _SHORT_CHARS:
                if len(self._short) >= _SHORT_SIZE:
                    self._short.clear()
                self._short[folded] = hits
        return hits

    def word(self, token: str) -> WordProfanity:
        """One whitespace-free token of folded text on its own; see :class:`WordProfanity`."""
        hits = tuple(self.find(token))
        leeted = leet(token, self._leet)
        sensitive = leeted == token and leet_all(token, self._leet) != token
        quick = QuickKey(_spaced(leeted)).text
        words = quick.split()
        head = words[0] if words else ""
        tail = words[-1] if words and words[-1] in self._pair_firsts else None
        lead1, trail1 = single_edges(leeted)
        return WordProfanity(
            hits, head, tail, sensitive, spaced_letters(leeted), lead1, trail1, quick
        )

    def phrase_across(self, quick: Iterable[str]) -> bool:
        """Is a listed phrase of several words in the words' ``quick`` texts joined by single
        spaces (what the whole text reads as, or more)?"""
        hay = " " + " ".join(quick) + " "
        return next(self._multi.iter(hay), None) is not None

    def leet_gate(self, folded: str) -> bool:
        return leet_gate(folded)

    def spaced_runs(self, folded: str) -> list[tuple[int, int]]:
        """The runs of letters spaced out on purpose, after leetspeak is undone (offsets into
        ``folded``: undoing leetspeak keeps the length)."""
        return spaced_runs(leet(folded, self._leet))

    def _candidates(
        self, text: str, spaced: bool = False
    ) -> list[tuple[int, int, str, tuple[Any, ...]]]:
        """Whole-word matches (start, end, key, entries); allowlisted phrases have no entries."""
        out = []
        hay = " " + (text if spaced else _spaced(text)) + " "
        for end_idx, (k, entries) in self._words.iter(hay):
            # " key " ends at end_idx (inclusive) in " text ": the key is text[e - n - 1 : e - 1]
            n = len(k) - len(_ALLOW) if k.startswith(_ALLOW) else len(k)
            out.append((end_idx - n - 1, end_idx - 1, k, entries))
        if self._compound is not None:
            hay_text = hay[1:-1]
            for end_idx, (k, entries, at_start) in self._compound.iter(hay):
                if at_start:  # " key" ends at end_idx; the word runs on to the next space
                    start, end = end_idx - len(k), end_idx
                    word_end = hay_text.find(" ", end)
                    word = hay_text[start : word_end if word_end >= 0 else len(hay_text)]
                else:  # "key " ends at end_idx (the space); the word began after a space
                    start, end = end_idx - len(k) - 1, end_idx - 1
                    word = hay_text[hay_text.rfind(" ", 0, start) + 1 : end]
                if word != k and word not in self._allowed_keys:
                    out.append((start, end, k, entries))
        return out

    def match(
        self, key: ProfanityKey, cands: list[tuple[int, int, str, tuple[Any, ...]]] | None = None
    ) -> list[ProfanityHit]:
        """Hits in `key`; `cands`: whole-word candidates already found in the same key text."""
        text = key.text
        if not text:
            return []
        if cands is None:
            cands = self._candidates(text)
        for js, je in key.joined:
            for end_idx, (k, entries) in self._sub.iter(text, js, je):
                end = end_idx + 1
                start = end - len(k)
                if start == js or end == je:
                    cands.append((start, end, k, entries))
        return self._resolve(cands, key.runs)

    def _resolve(
        self, cands: list[tuple[int, int, str, tuple[Any, ...]]], runs: dict[int, int]
    ) -> list[ProfanityHit]:
        """Candidates whose runs are long enough, minus allowlisted and contained ones."""
        hits: list[ProfanityHit] = []
        allow: list[tuple[int, int]] = []
        for start, end, k, entries in cands:
            if k.startswith(_ALLOW):
                allow.append((start, end))
                continue
            # each candidate by its own entries: a compound root ("wanker ") and a listed form
            # of the same key can name different terms, and which is reported must not depend
            # on a doubled letter elsewhere in the message
            for t, need in entries:
                if _long_enough(runs, start, need):
                    if t is not None:  # None: an allowed word's spelling
                        hits.append(_new(ProfanityHit, (t, start, end)))
                    break
        if allow:
            hits = [h for h in hits if not any(s <= h.start and h.end <= e for s, e in allow)]
        # drop hits contained in a longer hit ("fuck" inside "fuck off"), and duplicates
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[ProfanityHit] = []
        for h in hits:
            if out and out[-1].start <= h.start and h.end <= out[-1].end:
                continue
            out.append(h)
        return out


def _long_enough(runs: dict[int, int], start: int, need: tuple[int, ...]) -> bool:
    """Is every run of the key text from ``start`` at least as long as ``need`` says?"""
    for j in range(len(need)):
        if runs.get(start + j, 1) < need[j]:
            return False
    return True
