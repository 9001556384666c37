"""Profanity in a message the word memo knows: each word's own reading
(:class:`WordProfanity`), and the message read a few words at a time where something reaches
across whitespace.

Letters spaced out across words ("s h i t") or a listed phrase over two words ("son of a
bitch") mean the memo's per-word hits are not the whole reading. Rather than reading the
whole message again, it is cut into segments between words that nothing can join, and only
the segments with more than one word are read (each alone); a one-word segment keeps the
word's memo hits. The hits are exactly the whole reading's: the memo equivalence test
(tests/unit/test_screening_memo.py) and tests/unit/test_profanity_segments.py hold it to that.

A word is *joined* when a run of spaced-out letters touches it or it has some of its own: the
matcher joins a run's letters into one word, which can start or end a listed phrase with its
neighbour ("f u c k off"). A cut between two words is safe when neither can go on with the
other as consecutive words of a listed or allowed phrase (:attr:`ProfanityMatcher.pairs`):

* two joined words are never cut apart;
* after a joined word: the next word's first word is no phrase's second word (whatever the
  letters join into);
* before a joined word: the word's last word is no phrase's first word;
* between two other words: their last and first words are no pair.

The segments that stay (a run with the neighbours it may need, a phrase across words) are
remembered by their text (:meth:`ProfanityMatcher.find_short`), as the memo remembers words.

Everything else the matcher does stays inside one word: whole-word matches are bounded by
whitespace, squeezed runs and leetspeak never cross it (leetspeak undone across the message
is ruled out before this is used: see :class:`~moderation.tokens.WordsView`), and hits in
different segments never overlap, so keeping the longer of two overlapping hits and dropping
allowlisted ones happen within a segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from moderation.profanity import ProfanityMatcher

__all__ = ["WordProfanity", "segment_hits", "word_starts"]


@dataclass(frozen=True, slots=True)
class WordProfanity:
    """What the matcher finds in one whitespace-free token, read on its own.

    The hits are the token's hits in the whole text unless something reaches across
    whitespace: letters spaced out on purpose, a listed phrase spanning two tokens (``tail``
    then the next token's ``head`` form one of :attr:`ProfanityMatcher.pairs`), or leetspeak
    undone only because of another token (``leet_sensitive``). Spaced-out letters are
    possible only in a token with some (``spaced``) or across two tokens where one ends with
    a single letter (``trail1``) and the next starts with one (``lead1``)."""

    hits: tuple[tuple[str, int, int], ...]  # (term, start, end) in the token
    head: str  # the token's first squeezed word
    tail: str | None  # its last squeezed word, if a listed phrase has a word after it
    leet_sensitive: bool
    spaced: bool
    lead1: bool
    trail1: bool
    quick: str  # the token as the matcher reads it (separators as spaces, runs squeezed)


def segment_hits(
    prof: ProfanityMatcher,
    folded: str,
    toks: list[str],
    words: list[WordProfanity],
    runs: list[tuple[int, int]],
) -> list[tuple[str, int, int]]:
    """``prof.find(folded)``, given its whitespace-free words (``toks``: ``folded.split()``),
    their own readings (``words``) and the spans of the runs of spaced-out letters in
    ``folded`` (``runs``, in order; :meth:`ProfanityMatcher.spaced_runs`)."""
    n = len(toks)
    starts = word_starts(folded, toks)
    joined = [False] * n  # a run touches the word
    k = 0
    for rs, re_ in runs:
        while k < n and starts[k] + len(toks[k]) <= rs:
            k += 1
        j = k
        while j < n and starts[j] < re_:
            joined[j] = True
            j += 1
    for i in range(n):
        if words[i].spaced:
            joined[i] = True
    pairs, seconds = prof.pairs, prof.pair_seconds
    out: list[tuple[str, int, int]] = []
    first = 0  # the first word of the current segment
    for i in range(1, n + 1):
        if i < n:
            a, b = words[i - 1], words[i]
            ja, jb = joined[i - 1], joined[i]
            if ja and jb:
                continue  # the words i - 1 and i stay in one segment
            if ja:  # the joined word may start a phrase that b goes on with
                if b.head in seconds:
                    continue
            elif jb:  # a may start a phrase that the joined word goes on with
                if a.tail is not None:
                    continue
            elif a.tail is not None and (a.tail, b.head) in pairs:
                continue
        s = starts[first]
        found: Sequence[tuple[str, int, int]]
        if i - 1 == first and not joined[first]:
            found = words[first].hits
        else:
            found = prof.find_short(folded[s : starts[i - 1] + len(toks[i - 1])])
        for term, hs, he in found:
            out.append((term, s + hs, s + he))
        first = i
    return out


def word_starts(folded: str, toks: list[str]) -> list[int]:
    """Where each of the whitespace-free words ``toks`` (``folded.split()``) starts."""
    starts: list[int] = []
    pos = 0
    for t in toks:
        starts.append(pos)
        pos += len(t) + 1
    if pos - 1 == len(folded):  # one whitespace character between words, none around them
        return starts
    starts.clear()
    pos = 0
    for t in toks:  # a word's first occurrence after the last word's end is where it is
        pos = folded.find(t, pos)
        starts.append(pos)
        pos += len(t)
    return starts
