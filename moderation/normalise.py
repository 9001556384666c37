"""Text normalisation with a map back to the original offsets.

Screening never rewrites a message: every stage here produces a new string *and* an
:class:`OffsetMap` from positions in that string back to positions in its input, so a hit
found in normalised text can be highlighted in the text the moderator sees.

Stages:

* :class:`Folder` — NFKC, case folding, diacritics, lookalike letters (Cyrillic, Greek,
  full-width, mathematical alphanumerics, enclosed/regional-indicator letters), invisible
  characters (zero-width, joiners, soft hyphens, variation selectors), control characters
  and lone surrogates. Pure ASCII text takes a fast path.
* :func:`profanity_key` — leetspeak, single letters split by separators or emoji
  ("f u c k", "f.u.c.k") joined, runs of one letter squeezed ("fuuuck") with run lengths kept.
* :func:`disclosure_tokens` — word tokens with apostrophes dropped, long repeats squeezed and
  text-speak expanded ("sed" -> "said", "skl" -> "school").
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DisclosureText",
    "Folder",
    "OffsetMap",
    "ProfanityKey",
    "disclosure_tokens",
    "profanity_key",
    "profanity_quick",
]

_INVISIBLE = frozenset("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0")
_CONTROL = {c: " " for c in [*range(0, 9), *range(11, 32), 127]}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class OffsetMap:
    """Maps offsets in a derived string back to its source string.

    Built from pieces: a *copy* piece maps its characters one-to-one onto a source range of the
    same length; a *lump* piece maps every character onto the whole source range.
    """

    __slots__ = ("_copy", "_out", "_src_e", "_src_s")

    def __init__(self) -> None:
        self._out: list[int] = []
        self._src_s: list[int] = []
        self._src_e: list[int] = []
        self._copy: list[bool] = []

    def add(self, out_pos: int, src_start: int, src_end: int, copy: bool) -> None:
        if (
            copy
            and self._copy
            and self._copy[-1]
            and self._src_e[-1] == src_start
            and out_pos - self._out[-1] == self._src_e[-1] - self._src_s[-1]
        ):
            self._src_e[-1] = src_end  # extend the previous copy piece
            return
        self._out.append(out_pos)
        self._src_s.append(src_start)
        self._src_e.append(src_end)
        self._copy.append(copy)

    def _piece(self, i: int) -> int:
        return max(bisect_right(self._out, i) - 1, 0)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source span covering derived characters ``start .. end-1``."""
        if not self._out:
            return (0, 0)
        end = max(end, start + 1)
        p = self._piece(start)
        s = self._src_s[p] + (start - self._out[p]) if self._copy[p] else self._src_s[p]
        q = self._piece(end - 1)
        e = self._src_s[q] + (end - self._out[q]) if self._copy[q] else self._src_e[q]
        return (s, max(e, s))


def map_span(maps: Sequence[OffsetMap | None], start: int, end: int) -> tuple[int, int]:
    """Map a span back through a chain of maps, the last stage first."""
    for m in reversed(maps):
        if m is not None:
            start, end = m.source_span(start, end)
    return (start, end)


class Folder:
    """Unicode folding with a per-character cache (the cache is bounded)."""

    def __init__(self, lookalikes: Mapping[str, str]) -> None:
        self._lookalikes = dict(lookalikes)
        self._cache: dict[str, str] = {}

    def fold_char(self, c: str) -> str:
        hit = self._cache.get(c)
        if hit is not None:
            return hit
        out = self._fold_char(c)
        if len(self._cache) > 20000:
            self._cache.clear()
        self._cache[c] = out
        return out

    def _fold_char(self, c: str) -> str:
        if c in self._lookalikes:
            return self._lookalikes[c]
        cp = ord(c)
        if 0x1F1E6 <= cp <= 0x1F1FF:  # regional indicator letters
            return chr(cp - 0x1F1E6 + 97)
        if 0x1F130 <= cp <= 0x1F189:  # squared / negative circled / negative squared letters
            return chr((cp - 0x1F130) % 26 + 97)
        if c in _INVISIBLE:
            return ""
        cat = unicodedata.category(c)
        if cat in ("Cf", "Mn", "Me"):
            return ""
        if cat in ("Cs", "Cc", "Co", "Cn", "Zl", "Zp"):
            return " "
        s = unicodedata.normalize("NFKC", c).casefold()
        s = unicodedata.normalize("NFD", s)
        out = []
        for ch in s:
            if unicodedata.category(ch) == "Mn":
                continue
            out.append(self._lookalikes.get(ch, ch))
        return "".join(out)

    def fold(self, text: str) -> tuple[str, OffsetMap | None]:
        """Fold ``text``; the map is ``None`` when offsets are unchanged (ASCII fast path)."""
        if text.isascii():
            return text.lower().translate(_CONTROL), None
        m = OffsetMap()
        parts: list[str] = []
        pos = 0
        last = 0
        for seg in _NON_ASCII.finditer(text):
            if seg.start() > last:
                chunk = text[last : seg.start()].lower().translate(_CONTROL)
                parts.append(chunk)
                m.add(pos, last, seg.start(), True)
                pos += len(chunk)
            for i in range(seg.start(), seg.end()):
                f = self.fold_char(text[i])
                if not f:
                    continue
                parts.append(f)
                m.add(pos, i, i + 1, len(f) == 1)
                pos += len(f)
            last = seg.end()
        if last < len(text):
            chunk = text[last:].lower().translate(_CONTROL)
            parts.append(chunk)
            m.add(pos, last, len(text), True)
        return "".join(parts), m


# --- profanity key -------------------------------------------------------------------------

_LEETY = re.compile(r"[a-z][0-9@$!|+€£]|[0-9@$!|+€£][a-z]")
_LEET_TOKEN = re.compile(r"[a-z0-9@$!|+€£*]+")
_SINGLES = re.compile(r"(?<![a-z0-9*])[a-z*](?:[^a-z0-9*\n]{1,3}[a-z*](?![a-z0-9*])){2,}")
_RUN = re.compile(r"([a-z*])\1+")


@dataclass(frozen=True)
class ProfanityKey:
    """Normalised text for the profanity matcher."""

    text: str
    runs: dict[int, int]  # position -> length of the squeezed run (absent = 1)
    joined: tuple[tuple[int, int], ...]  # spans that were spaced-out single letters
    maps: tuple[OffsetMap | None, ...]  # key -> folded text


_LEET_CHARS = frozenset("0134578@$!|+€£")


def _leet(text: str, table: dict[int, str]) -> str:
    if _LEET_CHARS.isdisjoint(text) or not _LEETY.search(text):
        return text

    def sub(m: re.Match[str]) -> str:
        tok = m.group()
        if not any(c.isalpha() for c in tok):
            return tok
        core = tok.rstrip("!")
        return core.translate(table) + tok[len(core) :]

    return _LEET_TOKEN.sub(sub, text)  # length-preserving


def profanity_quick(folded: str, leet_table: dict[int, str]) -> tuple[str, str | None]:
    """(leetspeak-undone text, key text without offsets); the key is None if letters were
    spaced out (then use the slow path)."""
    text = _leet(folded, leet_table)
    if _SINGLES.search(text):
        return text, None
    return text, _RUN.sub(r"\1", text)


def profanity_key(
    folded: str, leet_table: dict[int, str], squeeze: bool = True, leeted: str | None = None
) -> ProfanityKey:
    """The key with offsets. `leeted`: output of profanity_quick known to have no spaced-out
    letters (skips those stages)."""
    text = _leet(folded, leet_table) if leeted is None else leeted
    maps: list[OffsetMap | None] = []
    joined_src: list[tuple[int, int]] = []
    if leeted is None and _SINGLES.search(text):
        jm = OffsetMap()
        parts: list[str] = []
        pos = last = 0
        for m in _SINGLES.finditer(text):
            if m.start() > last:
                parts.append(text[last : m.start()])
                jm.add(pos, last, m.start(), True)
                pos += m.start() - last
            run_start = pos
            for lm in re.finditer(r"[a-z*]", m.group()):
                i = m.start() + lm.start()
                parts.append(lm.group())
                jm.add(pos, i, i + 1, True)
                pos += 1
            joined_src.append((run_start, pos))
            last = m.end()
        if last < len(text):
            parts.append(text[last:])
            jm.add(pos, last, len(text), True)
        text = "".join(parts)
        maps.append(jm)
    runs: dict[int, int] = {}
    joined = tuple(joined_src)
    if squeeze and _RUN.search(text):
        sm = OffsetMap()
        parts = []
        pos = last = 0
        run_starts: list[int] = []  # input start of each squeezed run
        removed: list[int] = []  # characters removed up to and including that run
        for m in _RUN.finditer(text):
            if m.start() > last:
                parts.append(text[last : m.start()])
                sm.add(pos, last, m.start(), True)
                pos += m.start() - last
            parts.append(m.group(1))
            sm.add(pos, m.start(), m.end(), False)
            runs[pos] = m.end() - m.start()
            run_starts.append(m.start())
            removed.append((removed[-1] if removed else 0) + m.end() - m.start() - 1)
            pos += 1
            last = m.end()
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


# --- disclosure text -------------------------------------------------------------------------

_RUN3 = re.compile(r"([a-z])\1\1+")


class DisclosureText:
    """Space-joined word tokens; token spans in the folded text are found only when asked."""

    __slots__ = ("_folded", "_offsets", "_src", "_token_re", "text", "tokens")

    def __init__(self, text: str, tokens: list[str], folded: str, token_re: re.Pattern[str]):
        self.text = text
        self.tokens = tokens
        self._folded = folded
        self._token_re = token_re
        self._offsets: list[int] = []
        self._src: list[tuple[int, int]] = []

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        if not self.tokens:
            return (0, 0)
        if not self._src:
            self._src = [m.span() for m in self._token_re.finditer(self._folded)]
            pos = 0
            for t in self.tokens:
                self._offsets.append(pos)
                pos += len(t) + 1
        i = max(bisect_right(self._offsets, start) - 1, 0)
        j = max(bisect_right(self._offsets, max(end - 1, start)) - 1, i)
        return (self._src[i][0], self._src[j][1])


_ASCII_SPLIT = {c: " " for c in range(128) if not chr(c).isalnum()}


def disclosure_tokens(
    folded: str, token_re: re.Pattern[str], textspeak: Mapping[str, str]
) -> DisclosureText:
    if folded.isascii() and "'" not in folded:  # tokens are the runs of letters and digits
        toks: list[str] = folded.translate(_ASCII_SPLIT).split()
    else:
        toks = token_re.findall(folded)
        if "'" in folded:
            toks = [t.replace("'", "") for t in toks]
    if _RUN3.search(folded):
        toks = [_RUN3.sub(r"\1", t) for t in toks]
    get = textspeak.get
    toks = list(map(get, toks, toks))
    return DisclosureText(" ".join(toks), toks, folded, token_re)
