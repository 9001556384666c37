"""A memo of what each word of a message contributes to screening, worked out once per word.

Live chat repeats a small vocabulary, and most of screening's work is per word: a word's
profanity hits, its disclosure tokens (text-speak expanded) and the disclosure index masks of
those tokens depend on that word alone. The memo keeps them for each whitespace-free token of
folded text, so a message costs a dictionary lookup per word plus the checks for whatever can
reach across whitespace (see :meth:`ProfanityMatcher.word`); when one of those applies, the
whole-text path runs instead, so the result is always the same as reading the message whole.

A message with many unseen words takes the whole-text path (and teaches the memo a few of
them): working each new word out alone costs more than reading the text whole, and a flood of
made-up words must not slow screening down. The memo is bounded; when full it starts again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from moderation.profanity import ProfanityMatcher, WordProfanity

__all__ = ["TokenMemo", "WordInfo"]


@dataclass(frozen=True, slots=True, eq=False)
class WordInfo:
    profanity: WordProfanity
    hits: bool  # has profanity hits
    tail: str | None  # WordProfanity.tail
    head: str  # WordProfanity.head
    leet_sensitive: bool  # WordProfanity.leet_sensitive
    spaced: bool  # WordProfanity.spaced
    lead1: bool  # WordProfanity.lead1
    trail1: bool  # WordProfanity.trail1
    quick: str  # WordProfanity.quick
    dtokens: tuple[str, ...]  # its disclosure tokens
    mask: int  # the disclosure index masks of those tokens, OR-ed


class TokenMemo:
    """``infos(words)``: each word's :class:`WordInfo`, or None to read the text whole."""

    def __init__(
        self,
        profanity: ProfanityMatcher,
        dtokens: Callable[[str], list[str]],
        scan: Callable[[str], int],
        size: int = 50_000,
        max_new: int = 12,
    ) -> None:
        self._profanity = profanity
        self._dtokens = dtokens
        self._scan = scan
        self._memo: dict[str, WordInfo] = {}
        self._size = size
        self._max_new = max_new

    def __len__(self) -> int:
        return len(self._memo)

    def infos(self, words: list[str]) -> list[WordInfo] | None:
        memo = self._memo
        found: list[WordInfo | None] = list(map(memo.get, words))
        if None not in found:
            return found  # type: ignore[return-value]
        new = [i for i, x in enumerate(found) if x is None]
        if len(new) > self._max_new:
            for i in new[: self._max_new]:
                self._learn(words[i])
            return None
        for i in new:
            found[i] = memo.get(words[i]) or self._learn(words[i])
        return found  # type: ignore[return-value]

    def _learn(self, word: str) -> WordInfo:
        if len(self._memo) >= self._size:
            self._memo.clear()
        prof = self._profanity.word(word)
        dtoks = tuple(self._dtokens(word))
        mask = self._scan(" ".join(dtoks)) if dtoks else 0
        info = self._memo[word] = WordInfo(
            prof,
            bool(prof.hits),
            prof.tail,
            prof.head,
            prof.leet_sensitive,
            prof.spaced,
            prof.lead1,
            prof.trail1,
            prof.quick,
            dtoks,
            mask,
        )
        return info
