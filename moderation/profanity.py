"""Profanity matching: one Aho-Corasick automaton over normalised, squeezed text.

Keys are words with runs of one letter squeezed ("boobs" -> "bobs"); each key keeps the run
lengths of the word(s) it came from, and a hit is accepted only if every run in the text is at
least as long as in the word ("bobs" is not "boobs", "fuuuck" is "fuck"). Matches are whole
words, except inside letters spaced out on purpose ("f u c k").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import ahocorasick

from moderation.normalise import Folder, ProfanityKey, profanity_key, squeeze_word

if TYPE_CHECKING:
    from config.rules import ProfanityRules

__all__ = ["ProfanityHit", "ProfanityMatcher"]

_VOWELS = "aeiou"
_ALLOW = "\x00allow"


@dataclass(frozen=True)
class ProfanityHit:
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
        auto = ahocorasick.Automaton()
        table: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        for form, term in forms.items():
            key, runs = squeeze_word(form)
            table.setdefault(key, []).append((term, runs))
        for key, entries in table.items():
            auto.add_word(key, (key, tuple(entries)))
        for phrase in rules.allow_phrases:
            key, _ = squeeze_word(self._norm(phrase))
            if key:  # an allowed phrase that is also a listed form: the allowlist wins
                auto.add_word(key, (_ALLOW + key, ()))
        auto.make_automaton()
        self._auto = auto
        self.size = len(forms)

    def _norm(self, word: str) -> str:
        """A list word in the matcher's spelling: folded, leetspeak and spaced letters undone."""
        folded, _ = self._folder.fold(word.strip())
        text = profanity_key(folded, self._leet, squeeze=False).text
        return " ".join(text.strip(" .,_-!?'").split())

    def key(self, folded: str) -> ProfanityKey:
        return profanity_key(folded, self._leet)

    def match(self, key: ProfanityKey) -> list[ProfanityHit]:
        text = key.text
        if not text:
            return []
        hits: list[ProfanityHit] = []
        allow: list[tuple[int, int]] = []
        n = len(text)
        runs = key.runs
        for end_idx, (k, entries) in self._auto.iter(text):
            end = end_idx + 1
            if k.startswith(_ALLOW):
                allow.append((end - len(k) + len(_ALLOW), end))
                continue
            start = end - len(k)
            if not self._boundary(key, text, start, end, n):
                continue
            have = [runs.get(i, 1) for i in range(start, end)]
            term = None
            for t, need in entries:
                if all(h >= r for h, r in zip(have, need, strict=True)):
                    term = t
                    break
            if term is not None:
                hits.append(ProfanityHit(term, start, end))
        if allow:
            hits = [h for h in hits if not any(s <= h.start and h.end <= e for s, e in allow)]
        # drop hits contained in a longer hit ("fuck" inside "fuck off")
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[ProfanityHit] = []
        for h in hits:
            if out and out[-1].start <= h.start and h.end <= out[-1].end:
                continue
            out.append(h)
        return out

    @staticmethod
    def _boundary(key: ProfanityKey, text: str, start: int, end: int, n: int) -> bool:
        left = start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "*")
        right = end == n or not (text[end].isalnum() or text[end] == "*")
        if left and right:
            return True
        for js, je in key.joined:
            if js <= start and end <= je and (start == js or end == je):
                return True
        return False
