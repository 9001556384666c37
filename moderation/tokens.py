"""A memo of what each word of a message contributes to screening, worked out once per word.

Live chat repeats a small vocabulary, and most of screening's work is per word: a word's
profanity hits, its disclosure tokens (text-speak expanded), the disclosure index masks of
those tokens and their weight in the learned fallback depend on that word alone. The memo
keeps them for each whitespace-free token of folded text, so a message costs a dictionary
lookup per word plus the checks for whatever can reach across whitespace (see
:class:`~moderation.profanity.WordProfanity`); where one of those applies, the profanity
matcher reads the text whole, so the hits are always what reading the message whole gives.

Working a new word out costs about as much as reading a short message whole, so a word is
learnt only the second time it is seen, a few a message: a message with a word seen for the
first time is read whole, a name or a typo seen once is never worked out alone, and a flood of
made-up words costs almost nothing more than before. In a running chat the memo soon holds
nearly every word. It is bounded; when full it starts again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import and_, attrgetter, itemgetter, or_
from typing import TYPE_CHECKING, NamedTuple

from moderation.normalise import DisclosureText

if TYPE_CHECKING:
    import re

    from moderation.learned import LearnedScorer
    from moderation.profanity import ProfanityMatcher, WordProfanity

__all__ = ["TokenMemo", "WordInfo", "WordsView"]

HITS, LEET, SPACED, LEAD1, TRAIL1, TAIL, EMPTY = 1, 2, 4, 8, 16, 32, 64
_FLAG_BITS = 7
_FLAG_MASK = (1 << _FLAG_BITS) - 1


class WordInfo(NamedTuple):
    """A word's contribution. A message reads its words' infos column by column
    (``zip(*infos)``), so they carry the fields most messages need and little else."""

    # one int to OR across a message's words: the flags (HITS | LEET | SPACED | LEAD1 |
    # TRAIL1 | TAIL from the WordProfanity; EMPTY: no disclosure tokens), then the contact
    # detail guards the word lets through, then the disclosure index masks of its tokens
    # (highest: a word in no rule's index keeps a small int)
    bits: int
    dtext: str  # its disclosure tokens joined by spaces ("" if none)
    weight: float  # the learned fallback's weight of its tokens (unigrams, inner bigrams)
    # weight plus the most the pair of its last token and the next word's first can add
    upper: float
    uweight: float  # the same in the urgency model
    first: str  # its first and last disclosure words
    last: str
    lead1: bool  # from the WordProfanity
    trail1: bool
    tail: str | None
    head: str
    rest: tuple[WordProfanity, tuple[str, ...]]  # the WordProfanity, the disclosure tokens


_QUICK = attrgetter("quick")  # of a WordProfanity
_PROFANITY = itemgetter(0)  # of a WordInfo's rest
_DTOKENS = itemgetter(1)


class WordsView:
    """A message read through the memo: its profanity hits (offsets into the folded text),
    its disclosure text and that text's index scan, the contact-detail guards its words let
    through, and its learned-fallback logit."""

    __slots__ = (
        "_lasts",
        "_nexts",
        "_uppers",
        "_uweights",
        "_weights",
        "dtext",
        "guards",
        "profanity",
        "scanned",
    )

    def __init__(self, folded: str, infos: list[WordInfo], memo: TokenMemo) -> None:
        (
            words,
            dtexts,
            weights,
            uppers,
            uweights,
            firsts,
            lasts,
            lead1,
            trail1,
            tails,
            heads,
            rest,
        ) = zip(*infos, strict=True)
        bits = reduce(or_, words, 0)
        flags = bits & _FLAG_MASK
        self.guards: int = bits >> _FLAG_BITS & memo.guard_mask
        self.scanned: int = bits >> memo.mask_shift
        prof = memo.profanity
        if flags & LEET and prof.leet_gate(folded):
            self.profanity = prof.find(folded)
        elif (
            flags & SPACED
            or ((flags & LEAD1 and flags & TRAIL1) and any(map(and_, trail1, lead1[1:])))
        ) and prof.spaced_letters(folded):
            self.profanity = prof.find(folded)
        elif (
            flags & TAIL
            and not prof.pairs.isdisjoint(zip(tails, heads[1:], strict=False))
            and prof.phrase_across(map(_QUICK, map(_PROFANITY, rest)))
        ):
            self.profanity = prof.find(folded)  # a listed phrase may span two words
        elif flags & HITS:
            self.profanity = _hits(folded, rest)
        else:
            self.profanity = []
        if flags & EMPTY:  # words with no disclosure tokens: leave them out
            firsts = tuple(w for w, d in zip(firsts, dtexts, strict=True) if d)
            lasts = tuple(w for w, d in zip(lasts, dtexts, strict=True) if d)
            dtexts = tuple(filter(None, dtexts))
        self._weights = weights
        self._uppers = uppers
        self._uweights = uweights
        self._lasts, self._nexts = lasts, firsts[1:]
        self.dtext = DisclosureText(
            " ".join(dtexts),
            None,
            folded,
            memo.token_re,
            None,
            folded.isascii(),
            map(_DTOKENS, rest),
        )

    def logit(self, learned: LearnedScorer) -> float:
        """The learned fallback's logit of the whole disclosure text (up to rounding), or, when
        it is surely below the model's threshold, a bound on it that is below the threshold
        too (the word pairs between words are then not looked up)."""
        bound = learned.logit_of(self._uppers, ())
        if bound < learned.cut - 1e-9:  # well clear of any rounding
            return bound
        return learned.logit_of(self._weights, zip(self._lasts, self._nexts, strict=False))

    def urgency_logit(self, urgency: LearnedScorer) -> float:
        """The urgency model's logit of the whole disclosure text (up to rounding)."""
        return urgency.logit_of(self._uweights, zip(self._lasts, self._nexts, strict=False))


def _hits(
    folded: str, rest: tuple[tuple[WordProfanity, tuple[str, ...]], ...]
) -> list[tuple[str, int, int]]:
    """The words' own profanity hits, with offsets into the folded text."""
    out: list[tuple[str, int, int]] = []
    n = len(folded)
    for i, (p, _) in enumerate(rest):
        if p.hits:  # word i starts where the text after i splits ends
            pos = n - len(folded.split(None, i)[-1])
            for term, s, e in p.hits:
                out.append((term, pos + s, pos + e))
    return out


class TokenMemo:
    """``read(folded)``: the message through the memo, or None to read the text whole."""

    def __init__(
        self,
        profanity: ProfanityMatcher,
        dtokens: Callable[[str], list[str]],
        scan: Callable[[str], int],
        guards: Callable[[str], int],
        guard_bits: int,
        token_re: re.Pattern[str],
        learned: LearnedScorer | None,
        urgency: LearnedScorer | None = None,
        size: int = 20_000,  # about 0.8 kB a word: at most ~17 MB
        max_new: int = 4,
    ) -> None:
        self.profanity = profanity
        self.token_re = token_re
        self.guard_mask = (1 << guard_bits) - 1  # what a word's guards can set
        self.mask_shift = _FLAG_BITS + guard_bits
        self._dtokens = dtokens
        self._scan = scan
        self._guards = guards
        self._learned = learned
        self._urgency = urgency
        self._memo: dict[str, WordInfo] = {}
        self._seen: set[str] = set()  # words seen once, not yet learnt
        self._size = size
        self._max_new = max_new

    def __len__(self) -> int:
        return len(self._memo)

    def read(self, folded: str) -> WordsView | None:
        infos = self.infos(folded.split())
        if not infos:  # None, or no words at all
            return None
        return WordsView(folded, infos, self)

    def infos(self, words: list[str]) -> list[WordInfo] | None:
        """The words' infos, or None: read the text whole. A word is learnt the second time
        it is seen (a name or a typo seen once is never worked out alone), at most
        ``max_new`` a message."""
        memo = self._memo
        found: list[WordInfo | None] = list(map(memo.get, words))
        if None not in found:
            return found  # type: ignore[return-value]
        seen = self._seen
        if len(seen) >= self._size:
            seen.clear()
        new = [i for i, x in enumerate(found) if x is None]
        again = [i for i in new if words[i] in seen]
        seen.update(words[i] for i in new)
        if len(again) < len(new) or len(new) > self._max_new:
            for i in again[: self._max_new]:
                if words[i] not in memo:
                    self._learn(words[i])
            return None
        for i in new:
            found[i] = memo.get(words[i]) or self._learn(words[i])
        return found  # type: ignore[return-value]

    def _learn(self, word: str) -> WordInfo:
        if len(self._memo) >= self._size:
            self._memo.clear()
        p: WordProfanity = self.profanity.word(word)
        dtokens = tuple(self._dtokens(word))
        dtext = " ".join(dtokens)
        flags = (
            (HITS if p.hits else 0)
            | (LEET if p.leet_sensitive else 0)
            | (SPACED if p.spaced else 0)
            | (LEAD1 if p.lead1 else 0)
            | (TRAIL1 if p.trail1 else 0)
            | (TAIL if p.tail is not None else 0)
            | (0 if dtext else EMPTY)
        )
        mask = self._scan(dtext) if dtext else 0
        bits = flags | self._guards(word) << _FLAG_BITS | mask << self.mask_shift
        dwords = dtext.split(" ") if dtext else [""]
        weight = self._learned.words_weight(dwords) if self._learned is not None and dtext else 0.0
        uweight = self._urgency.words_weight(dwords) if self._urgency is not None and dtext else 0.0
        upper = weight + self._learned.next_bound(dwords[-1]) if self._learned is not None else 0.0
        info = self._memo[word] = WordInfo(
            bits,
            dtext,
            weight,
            upper,
            uweight,
            dwords[0],
            dwords[-1],
            p.lead1,
            p.trail1,
            p.tail,
            p.head,
            (p, dtokens),
        )
        return info
