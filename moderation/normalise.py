"""Text normalisation with a map back to the original offsets.

Screening never rewrites a message: every stage here produces a new string *and* an
:class:`OffsetMap` from positions in that string back to positions in its input, so a hit
found in normalised text can be highlighted in the text the moderator sees.

Stages:

* :class:`Folder` — NFKC, case folding, diacritics, lookalike letters (Cyrillic, Greek,
  full-width, mathematical alphanumerics, enclosed/regional-indicator letters), invisible
  characters (zero-width, joiners, soft hyphens, variation selectors), control characters
  and lone surrogates. Pure ASCII text takes a fast path.
* :func:`profanity_key` (in :mod:`moderation.profanity_text`) — leetspeak, single letters
  split by separators or emoji ("f u c k", "f.u.c.k") joined, runs of one letter squeezed
  ("fuuuck") with run lengths kept.
* :func:`disclosure_tokens` — word tokens with apostrophes dropped, long repeats squeezed and
  text-speak expanded ("sed" -> "said", "skl" -> "school").
"""

from __future__ import annotations

import re
import string
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Mapping

import ahocorasick

from moderation.offsets import OffsetMap, map_span
from moderation.profanity_text import ProfanityKey, profanity_key, squeeze_word

__all__ = [
    "DisclosureText",
    "Folder",
    "OffsetMap",
    "ProfanityKey",
    "disclosure_tokens",
    "map_span",
    "profanity_key",
    "squeeze_word",
]

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_INVISIBLE = frozenset("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0")
_CONTROL = {c: " " for c in [*range(0, 9), *range(11, 32), 127]}


def _ascii_table(mapping: Mapping[int, str]) -> bytes:
    """A bytes.translate table for ASCII text: lower case, and ``mapping`` applied."""
    table = bytearray(range(256))
    for c in range(128):
        table[c] = ord(mapping.get(c, chr(c).lower()))
    return bytes(table)


_ASCII_FOLD = _ascii_table(_CONTROL)


class _FoldTable(dict[int, str]):
    """ord -> folded text, for str.translate; filled on first use (bounded)."""

    def __init__(self, fold_char: Callable[[str], str]) -> None:
        super().__init__()
        self._fold_char = fold_char
        self._odd: set[str] = set()  # characters that do not fold to exactly one character
        self._fill()

    def _fill(self) -> None:
        for c in range(128):
            self[c] = chr(_ASCII_FOLD[c])

    def __missing__(self, c: int) -> str:
        if len(self) > 20000:
            self.clear()
            self._fill()
        out = self[c] = self._fold_char(chr(c))
        if len(out) != 1:
            self._odd.add(chr(c))
        return out

    def odd(self, text: str) -> str:
        """The characters of ``text`` (already folded once) that do not fold to one."""
        odd = self._odd
        return "".join(set(text).intersection(odd)) if odd else ""


class Folder:
    """Unicode folding with a per-character cache (the cache is bounded)."""

    def __init__(self, lookalikes: Mapping[str, str]) -> None:
        self._lookalikes = dict(lookalikes)
        self._table = _FoldTable(self._fold_char)

    def fold_char(self, c: str) -> str:
        return self._table[ord(c)]

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
        """Fold ``text``; the map is ``None`` when offsets are unchanged (every character
        folded to exactly one character, as in all ASCII text)."""
        if text.isascii():
            return text.encode("ascii").translate(_ASCII_FOLD).decode("ascii"), None
        table = self._table
        # ASCII stretches as above, the rest through the table (which it fills, with its
        # list of odd characters): str.translate would look up every character
        chunks: list[str] = []
        wide: list[str] = []
        last = 0
        for w in _NON_ASCII.finditer(text):
            ws, we = w.span()
            if ws > last:
                chunks.append(text[last:ws].encode("ascii").translate(_ASCII_FOLD).decode("ascii"))
            run = w.group()
            chunks.append(run.translate(table))
            wide.append(run)
            last = we
        if last < len(text):
            chunks.append(text[last:].encode("ascii").translate(_ASCII_FOLD).decode("ascii"))
        folded = "".join(chunks)
        odd = table.odd("".join(wide))  # only a non-ASCII character can be odd
        if not odd:
            return folded, None
        m = OffsetMap()
        parts: list[str] = []
        pos = last = 0
        for hit in re.finditer("[" + re.escape(odd) + "]", text):
            i = hit.start()
            if i > last:  # characters that fold one to one
                chunk = text[last:i].translate(table)
                parts.append(chunk)
                m.add(pos, last, i, True)
                pos += len(chunk)
            f = table[ord(text[i])]
            if f:
                parts.append(f)
                m.add(pos, i, i + 1, len(f) == 1)
                pos += len(f)
            last = i + 1
        if last < len(text):
            chunk = text[last:].translate(table)
            parts.append(chunk)
            m.add(pos, last, len(text), True)
        return "".join(parts), m


# --- disclosure text -------------------------------------------------------------------------

_RUN3 = re.compile(r"([a-z])\1\1+")
_TRIPLES = ahocorasick.Automaton()  # a cheap test for _RUN3
for _c in string.ascii_lowercase:
    _TRIPLES.add_word(_c * 3, _c)
_TRIPLES.make_automaton()
_APOSTROPHE = re.compile(r"'(?<=[^\W_]')(?=[^\W_])")  # an apostrophe inside a word
_ASCII_SPLIT = bytes(c if chr(c).isalnum() else 32 for c in range(256))


class DisclosureText:
    """Space-joined word tokens; token spans in the folded text are found only when asked."""

    __slots__ = (
        "_ascii",
        "_folded",
        "_offsets",
        "_parts",
        "_simple",
        "_spaced",
        "_src",
        "_token_re",
        "_tokens",
        "text",
    )

    def __init__(
        self,
        text: str,
        tokens: list[str] | None,
        folded: str,
        token_re: re.Pattern[str],
        spaced: str | None = None,
        ascii_words: bool = False,
        parts: Callable[[], list[str]] | None = None,
        simple: bool | None = None,
    ):
        """``tokens``: the tokens ``text`` joins, or None: ``parts()`` gives them. ``simple``:
        whether no token has a space in it (None: not known)."""
        self.text = text
        self._tokens = tokens
        self._parts = parts
        self._simple = simple
        self._folded = folded
        self._token_re = token_re
        self._spaced = spaced  # the folded text with separators as spaces, if tokens split it
        # the tokens are the ASCII words of the folded text, inner apostrophes dropped
        self._ascii = ascii_words
        self._offsets: list[int] = []
        self._src: list[tuple[int, int]] | None = None  # each token's span in folded text

    @property
    def tokens(self) -> list[str]:
        if self._tokens is None:
            self._tokens = self._parts() if self._parts is not None else []
        return self._tokens

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        simple = self._simple
        if simple is None or not self.text:
            if not self.tokens:
                return (0, 0)
            if simple is None:  # no token has a space: count them
                simple = self._simple = len(self.tokens) == self.text.count(" ") + 1
        text, last = self.text, max(end - 1, start)
        if simple:
            i = text.count(" ", 0, start)
            j = max(text.count(" ", 0, last), i)
        else:
            if not self._offsets:  # where each token starts in the text, then its end + 1
                pos = 0
                for tok in self.tokens:
                    self._offsets.append(pos)
                    pos += len(tok) + 1
                self._offsets.append(pos)
            i = max(bisect_right(self._offsets, start) - 1, 0)
            j = max(bisect_right(self._offsets, last) - 1, i)
        spaced = self._spaced
        if spaced is None and self._ascii:  # an inner apostrophe as a letter keeps the word
            joined = _APOSTROPHE.sub("a", self._folded)
            spaced = self._spaced = joined.encode("ascii").translate(_ASCII_SPLIT).decode("ascii")
        if spaced is not None:  # token k is the k-th run of non-spaces
            return _runs_span(spaced, i, j)
        if self._src is None:
            self._src = [m.span() for m in self._token_re.finditer(self._folded)]
        if not self._src:
            return (0, 0)
        n = len(self._src) - 1
        return (self._src[min(i, n)][0], self._src[min(j, n)][1])


def _runs_span(spaced: str, i: int, j: int) -> tuple[int, int]:
    """From the start of the ``i``-th run of non-spaces in ``spaced`` to the end of the
    ``j``-th (``i <= j``; past the last run, the last run)."""
    n = len(spaced)
    pos = k = start = end = 0
    while True:
        while pos < n and spaced[pos] == " ":
            pos += 1
        if pos >= n:
            return (start, end)
        e = spaced.find(" ", pos)
        if e < 0:
            e = n
        if k <= i:
            start = pos
        end = e
        if k == j:
            return (start, end)
        pos, k = e, k + 1


def disclosure_tokens(
    folded: str,
    token_re: re.Pattern[str],
    textspeak: Mapping[str, str],
    ascii_apostrophes: bool = True,
) -> DisclosureText:
    """``ascii_apostrophes``: ``token_re`` finds nothing in ASCII text but words (with inner
    apostrophes), so ASCII text with apostrophes may take the fast path."""
    spaced = None
    ascii_words = False
    if folded.isascii() and (ascii_apostrophes or "'" not in folded):
        ascii_words = True
        joined = _APOSTROPHE.sub("", folded) if "'" in folded else folded
        split = joined.encode("ascii").translate(_ASCII_SPLIT).decode("ascii")
        toks: list[str] = split.split()
        if joined is folded:
            spaced = split
    else:
        toks = token_re.findall(folded)
        if "'" in folded:
            toks = [t.replace("'", "") for t in toks]
    if next(_TRIPLES.iter(folded), None) is not None:
        toks = [_RUN3.sub(r"\1", t) for t in toks]
    get = textspeak.get
    toks = list(map(get, toks, toks))
    return DisclosureText(" ".join(toks), toks, folded, token_re, spaced, ascii_words)
