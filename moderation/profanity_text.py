"""Profanity keys: the text the profanity matcher reads, with offsets back to the folded text.

* leetspeak undone inside words ("sh1t"), length-preserving;
* single letters split by separators or emoji ("f u c k", "f.u.c.k") joined (the slow path,
  :func:`profanity_key`, used only when the text has such letters);
* runs of one letter squeezed ("fuuuck"), with the run lengths kept.

The fast path, :class:`QuickKey`, finds the runs with one small automaton and maps hits back
only when there are any.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_right
from operator import itemgetter

import ahocorasick

from moderation.offsets import OffsetMap

__all__ = [
    "ProfanityKey",
    "QuickKey",
    "leet",
    "leet_all",
    "leet_gate",
    "profanity_key",
    "single_edges",
    "spaced_letters",
    "spaced_runs",
    "squeeze_word",
]

_LEETY = re.compile(r"[a-z][0-9@$!|+€£]|[0-9@$!|+€£][a-z]")
_LEET_TOKEN = re.compile(r"[a-z0-9@$!|+€£*]+")
_SINGLES = re.compile(r"(?<![a-z0-9*])[a-z*](?:[^a-z0-9*\n]{1,3}[a-z*](?![a-z0-9*])){2,}")


class ProfanityKey:
    """Normalised text for the profanity matcher (a plain class: built on the hot path)."""

    __slots__ = ("joined", "maps", "runs", "text")

    def __init__(
        self,
        text: str,
        runs: dict[int, int],
        joined: tuple[tuple[int, int], ...],
        maps: tuple[OffsetMap | None, ...],
    ) -> None:
        self.text = text
        self.runs = runs  # position -> length of the squeezed run (absent = 1)
        self.joined = joined  # spans that were spaced-out single letters
        self.maps = maps  # key -> folded text


_LEET_CHARS = re.compile("[0134578@$!|+€£]")


def leet_gate(text: str) -> bool:
    """Is leetspeak undone in ``text`` at all? Only if a letter touches a digit or symbol
    somewhere; then every token with a letter in it is undone."""
    return _LEET_CHARS.search(text) is not None and _LEETY.search(text) is not None


def leet_all(text: str, table: dict[int, str]) -> str:
    """Leetspeak undone in every token with a letter in it (length-preserving)."""
    if _LEET_CHARS.search(text) is None:
        return text

    def sub(m: re.Match[str]) -> str:
        tok = m.group()
        if not any(c.isalpha() for c in tok):
            return tok
        core = tok.rstrip("!")
        return core.translate(table) + tok[len(core) :]

    return _LEET_TOKEN.sub(sub, text)


def _leet(text: str, table: dict[int, str]) -> str:
    return leet_all(text, table) if leet_gate(text) else text


def profanity_key(
    folded: str,
    leet_table: dict[int, str],
    squeeze: bool = True,
    leeted: str | None = None,
    spaced: list[tuple[int, int]] | None = None,
) -> ProfanityKey:
    """The key with offsets. ``leeted``: the text with leetspeak undone, if known, and then
    ``spaced``: its :func:`spaced_runs` (None: it is known to have none; those stages are
    skipped)."""
    text = _leet(folded, leet_table) if leeted is None else leeted
    maps: list[OffsetMap | None] = []
    joined_src: list[tuple[int, int]] = []
    if leeted is None:
        singles = [m.span() for m in _SINGLES.finditer(text)]
    else:
        singles = spaced if spaced is not None else []
    if singles:
        jm = OffsetMap()
        parts: list[str] = []
        pos = last = 0
        for ms, me in singles:
            if ms > last:
                parts.append(text[last:ms])
                jm.add(pos, last, ms, True)
                pos += ms - last
            run_start = pos
            for i in range(ms, me):  # the letters ([a-z*]), not what separates them
                c = text[i]
                if "a" <= c <= "z" or c == "*":
                    parts.append(c)
                    jm.add(pos, i, i + 1, True)
                    pos += 1
            joined_src.append((run_start, pos))
            last = me
        if last < len(text):
            parts.append(text[last:])
            jm.add(pos, last, len(text), True)
        text = "".join(parts)
        maps.append(jm)
    runs: dict[int, int] = {}
    joined = tuple(joined_src)
    spans = _runs(text) if squeeze else []
    if spans:
        sm = OffsetMap()
        parts = []
        pos = last = 0
        run_starts: list[int] = []  # input start of each squeezed run
        removed: list[int] = []  # characters removed up to and including that run
        for ms, me in spans:
            if ms > last:
                parts.append(text[last:ms])
                sm.add(pos, last, ms, True)
                pos += ms - last
            parts.append(text[ms])
            sm.add(pos, ms, me, False)
            runs[pos] = me - ms
            run_starts.append(ms)
            removed.append((removed[-1] if removed else 0) + me - ms - 1)
            pos += 1
            last = me
        if last < len(text):
            parts.append(text[last:])
            sm.add(pos, last, len(text), True)

        def fwd(i: int) -> int:
            k = bisect_right(run_starts, i - 1) - 1
            return i - (removed[k] if k >= 0 else 0)

        joined = tuple((fwd(s), fwd(e)) for s, e in joined)
        text = "".join(parts)
        maps.append(sm)
    return ProfanityKey(text, runs, joined, tuple(maps))


def _runs(text: str) -> list[tuple[int, int]]:
    """The spans of the runs of one repeated letter (or "*") in ``text``, in order."""
    out: list[tuple[int, int]] = []
    start = end = -1
    for e, _ in _PAIRS.iter(text):  # e: the second character of a doubled pair
        if e == end:
            end = e + 1
        else:
            if end > 0:
                out.append((start, end))
            start, end = e - 1, e + 1
    if end > 0:
        out.append((start, end))
    return out


def squeeze_word(word: str) -> tuple[str, tuple[int, ...]]:
    """Collapse runs of one character; return the squeezed word and the run lengths."""
    out: list[str] = []
    runs: list[int] = []
    for ch in word:
        if out and out[-1] == ch and ch != " ":
            runs[-1] += 1
        else:
            out.append(ch)
            runs.append(1)
    return "".join(out), tuple(runs)


# Every pair of one repeated letter (or "*"): their end positions are the characters a squeeze
# removes.
_PAIRS = ahocorasick.Automaton()
for _c in string.ascii_lowercase + "*":
    _PAIRS.add_word(_c + _c, _c)
_PAIRS.make_automaton()
_first = itemgetter(0)
# A cheap necessary condition for _SINGLES: two single letters a few separators apart.
_TWO_SINGLES = re.compile(r"[^a-z0-9*][a-z*][^a-z0-9*\n]{1,3}[a-z*](?![a-z0-9*])")


def leet(folded: str, table: dict[int, str]) -> str:
    return _leet(folded, table)


# A word whose first (last) letter or digit is a single letter: a run of spaced-out letters
# can continue into the next (from the previous) word only there.
_LEAD_SINGLE = re.compile(r"[^a-z0-9*]*[a-z*](?![a-z0-9*])")
_TRAIL_SINGLE = re.compile(r"(?<![a-z0-9*])[a-z*][^a-z0-9*]*\Z")


def single_edges(leeted_word: str) -> tuple[bool, bool]:
    """Does a whitespace-free word start, and does it end, with a single letter?"""
    return (
        _LEAD_SINGLE.match(leeted_word) is not None,
        _TRAIL_SINGLE.search(leeted_word) is not None,
    )


def spaced_letters(leeted: str) -> bool:
    """Are there letters spaced out on purpose ("f u c k")? Then use :func:`profanity_key`."""
    return _TWO_SINGLES.search(" " + leeted) is not None and _SINGLES.search(leeted) is not None


def spaced_runs(leeted: str) -> list[tuple[int, int]]:
    """The spans of the runs of letters spaced out on purpose (empty: :func:`spaced_letters`
    is False); :func:`profanity_key` joins exactly these."""
    if _TWO_SINGLES.search(" " + leeted) is None:
        return []
    return [m.span() for m in _SINGLES.finditer(leeted)]


class QuickKey:
    """``text`` squeezed: runs of one letter (or "*") become one character."""

    __slots__ = ("_cum", "_len", "_sq", "removed", "text")

    def __init__(self, text: str) -> None:
        self.removed = list(map(_first, _PAIRS.iter(text)))  # ascending
        if not self.removed:
            self.text = text
            return
        out: list[str] = []
        last = 0
        for e in self.removed:
            out.append(text[last:e])
            last = e + 1
        out.append(text[last:])
        self.text = "".join(out)
        # per run: its squeezed position, its length, the characters removed before it
        sq: list[int] = []
        lens: list[int] = []
        cum: list[int] = []
        gone = 0
        prev = -2
        for e in self.removed:
            if e == prev + 1:
                lens[-1] += 1
            else:  # a run starting at e - 1
                sq.append(e - 1 - gone)
                lens.append(2)
                cum.append(gone)
            gone += 1
            prev = e
        cum.append(gone)
        self._sq, self._len, self._cum = sq, lens, cum

    def runs(self) -> dict[int, int]:
        """Squeezed position -> length of its run (absent: 1)."""
        if not self.removed:
            return {}
        return dict(zip(self._sq, self._len, strict=True))

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the unsqueezed text of squeezed characters ``start .. end-1``."""
        if not self.removed:
            return (start, end)
        return (self._at(start)[0], self._at(end - 1)[1])

    def _at(self, q: int) -> tuple[int, int]:
        i = bisect_right(self._sq, q)
        if i and self._sq[i - 1] == q:  # a squeezed run
            s = q + self._cum[i - 1]
            return (s, s + self._len[i - 1])
        s = q + self._cum[i]
        return (s, s + 1)
