"""A memo of what each word of a message contributes to screening, worked out once per word.

Live chat repeats a small vocabulary, and most of screening's work is per word: a word's
profanity hits, its disclosure tokens (text-speak expanded), the disclosure index masks of
those tokens and their weight in the learned fallback depend on that word alone. The memo
keeps them for each whitespace-free token of folded text, so a message costs a dictionary
lookup per word plus the checks for whatever can reach across whitespace (see
:class:`~moderation.profanity_segments.WordProfanity`); where one of those applies, the profanity
matcher reads the text whole, so the hits are always what reading the message whole gives.

Working a new word out costs about as much as reading a short message whole, so a word is
learnt only the second time it is seen, a few a message: a message with a word seen for the
first time is read whole, a name or a typo seen once is never worked out alone, and a flood of
made-up words costs almost nothing more than before. In a running chat the memo soon holds
nearly every word. It is bounded; when full it starts again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from moderation.normalise import DisclosureText
from moderation.profanity_segments import segment_hits, word_starts

if TYPE_CHECKING:
    import re

    from moderation.learned import LearnedScorer
    from moderation.profanity import ProfanityMatcher
    from moderation.profanity_segments import WordProfanity

__all__ = ["TokenMemo", "WordInfo", "WordsView"]

HITS, LEET, SPACED, LEAD1, TRAIL1, TAIL, EMPTY, MULTI = 1, 2, 4, 8, 16, 32, 64, 128
_FLAG_BITS = 8
_FLAG_MASK = (1 << _FLAG_BITS) - 1


class WordInfo:
    """A word's contribution, worked out once (see :meth:`TokenMemo._learn`)."""

    __slots__ = (
        "after",
        "bits",
        "dtext",
        "dtokens",
        "first",
        "head",
        "last",
        "lead1",
        "mask",
        "profanity",
        "tail",
        "trail1",
        "uafter",
        "upper",
        "uupper",
        "uweight",
        "weight",
    )

    def __init__(
        self,
        bits: int,
        mask: int,
        dtext: str,
        weight: float,
        upper: float,
        uweight: float,
        uupper: float,
        profanity: WordProfanity,
        dtokens: tuple[str, ...],
    ) -> None:
        # to OR across a message's words: the flags (HITS | LEET | SPACED | LEAD1 | TRAIL1 |
        # TAIL from the WordProfanity; EMPTY: no disclosure tokens; MULTI: a token of several
        # words), then the contact detail guards the word lets through: a small int
        self.bits = bits
        self.mask = mask  # the disclosure index masks of its tokens (0: in no rule's index)
        self.dtext = dtext  # its disclosure tokens joined by spaces ("" if none)
        self.weight = weight  # the learned fallback's weight of its tokens (and inner bigrams)
        # weight plus the most the pair of its last token and the next word's first can add
        self.upper = upper
        self.uweight = uweight  # the same in the urgency model
        self.uupper = uupper
        words = dtext.split(" ")  # a token may be words ("gf": "girl friend")
        self.first = words[0]  # its first and last disclosure words
        self.last = words[-1]
        self.after: dict[str, float] | None = None  # pairs_after(last) in each model
        self.uafter: dict[str, float] | None = None
        self.profanity = profanity
        self.lead1 = profanity.lead1
        self.trail1 = profanity.trail1
        self.tail = profanity.tail
        self.head = profanity.head
        self.dtokens = dtokens


class WordsView:
    """A message read through the memo: its profanity hits (offsets into the folded text),
    its disclosure text and that text's index scan, the contact-detail guards its words let
    through, and its learned-fallback logit.

    Written as plain loops over the words: the module is compiled (docs/screening.md, "Speed")
    and a loop over typed attributes is what compiles best."""

    __slots__ = (
        "_infos",
        "_joins",
        "_upper",
        "_uupper",
        "_uweight",
        "_weight",
        "dtext",
        "guards",
        "profanity",
        "scanned",
    )

    def __init__(
        self, folded: str, words: list[str], infos: list[WordInfo], memo: TokenMemo
    ) -> None:
        """``words``: ``folded.split()``; ``infos``: theirs."""
        bits = mask = 0
        weight = upper = uweight = uupper = 0.0
        dtexts: list[str] = []
        for info in infos:
            bits |= info.bits
            if info.mask:
                mask |= info.mask
            weight += info.weight
            upper += info.upper
            uweight += info.uweight
            uupper += info.uupper
            if info.dtext:  # words with no disclosure tokens are left out
                dtexts.append(info.dtext)
        flags = bits & _FLAG_MASK
        self.guards: int = bits >> _FLAG_BITS
        self.scanned: int = mask
        self._infos = infos
        self._joins: tuple[list[WordInfo], list[str]] | None = None
        prof = memo.profanity
        runs: list[tuple[int, int]] = []
        if flags & LEET and prof.leet_gate(folded):
            self.profanity = prof.find(folded)
        elif (flags & SPACED or (flags & LEAD1 and flags & TRAIL1 and _spaced_pair(infos))) and (
            runs := prof.spaced_runs(folded)
        ):
            self.profanity = segment_hits(prof, folded, words, [x.profanity for x in infos], runs)
        elif flags & TAIL and _phrase_across(prof, infos):
            # a listed phrase may span two words; no letters are spaced out (only a word with
            # some, or one ending and the next starting with a single letter, can have them)
            self.profanity = segment_hits(prof, folded, words, [x.profanity for x in infos], runs)
        elif flags & HITS:
            self.profanity = _hits(folded, words, infos)
        else:
            self.profanity = []
        self._weight, self._upper, self._uweight = weight, upper, uweight
        self._uupper = uupper
        self.dtext = DisclosureText(
            " ".join(dtexts),
            None,
            folded,
            memo.token_re,
            None,
            folded.isascii(),
            self._tokens,
            not flags & MULTI,
        )

    def _tokens(self) -> list[str]:
        """The disclosure tokens, word by word (what DisclosureText.tokens is)."""
        out: list[str] = []
        for info in self._infos:
            out.extend(info.dtokens)
        return out

    def _word_joins(self) -> tuple[list[WordInfo], list[str]]:
        """Where one word's disclosure tokens meet the next's: the word before (for its
        pairs_after in each model) and the next word's first disclosure word."""
        if self._joins is None:
            before: list[WordInfo] = []
            nexts: list[str] = []
            prev: WordInfo | None = None
            for info in self._infos:
                if info.dtext:
                    if prev is not None:
                        before.append(prev)
                        nexts.append(info.first)
                    prev = info
            self._joins = (before, nexts)
        return self._joins

    def logit(self, learned: LearnedScorer) -> float:
        """The learned fallback's logit of the whole disclosure text (up to rounding), or, when
        it is surely below the model's threshold, a bound on it that is below the threshold
        too (the word pairs between words are then not looked up)."""
        bound = learned.logit_of(self._upper, [], [])
        if bound < learned.cut - 1e-9:  # well clear of any rounding
            return bound
        before, nexts = self._word_joins()
        return learned.logit_of(self._weight, [w.after for w in before], nexts)

    def urgency_logit(self, urgency: LearnedScorer) -> float:
        """The urgency model's logit of the whole disclosure text (up to rounding), or a
        bound below its threshold (as :meth:`logit`)."""
        bound = urgency.logit_of(self._uupper, [], [])
        if bound < urgency.cut - 1e-9:
            return bound
        before, nexts = self._word_joins()
        return urgency.logit_of(self._uweight, [w.uafter for w in before], nexts)


def _spaced_pair(infos: list[WordInfo]) -> bool:
    """Does a word ending with a single letter meet one starting with a single letter?"""
    for i in range(1, len(infos)):
        if infos[i - 1].trail1 and infos[i].lead1:
            return True
    return False


def _phrase_across(prof: ProfanityMatcher, infos: list[WordInfo]) -> bool:
    """May a listed phrase span two of the words?"""
    pairs = prof.pairs
    for i in range(1, len(infos)):
        tail = infos[i - 1].tail
        if tail is not None and (tail, infos[i].head) in pairs:
            return prof.phrase_across([x.profanity.quick for x in infos])
    return False


def _hits(folded: str, words: list[str], infos: list[WordInfo]) -> list[tuple[str, int, int]]:
    """The words' own profanity hits, with offsets into the folded text."""
    out: list[tuple[str, int, int]] = []
    starts = word_starts(folded, words)
    for i, info in enumerate(infos):
        for term, s, e in info.profanity.hits:
            out.append((term, starts[i] + s, starts[i] + e))
    return out


class TokenMemo:
    """``read(folded)``: the message through the memo, or None to read the text whole."""

    def __init__(
        self,
        profanity: ProfanityMatcher,
        dtokens: Callable[[str], list[str]],
        scan: Callable[[str], int],
        guards: Callable[[str], int],
        token_re: re.Pattern[str],
        learned: LearnedScorer | None,
        urgency: LearnedScorer | None = None,
        size: int = 20_000,  # about 0.8 kB a word: at most ~17 MB
        max_new: int = 4,
    ) -> None:
        self.profanity = profanity
        self.token_re = token_re
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
        words = folded.split()
        infos = self.infos(words)
        if not infos:  # None, or no words at all
            return None
        return WordsView(folded, words, infos, self)

    def infos(self, words: list[str]) -> list[WordInfo] | None:
        """The words' infos, or None: read the text whole. A word is learnt the second time
        it is seen (a name or a typo seen once is never worked out alone), at most
        ``max_new`` a message."""
        memo = self._memo
        known: list[WordInfo] = []
        for w in words:
            info = memo.get(w)
            if info is None:
                break
            known.append(info)
        else:
            return known
        found: list[WordInfo | None] = [memo.get(w) for w in words]
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
            | (MULTI if any(" " in t for t in dtokens) else 0)
        )
        mask = self._scan(dtext) if dtext else 0
        bits = flags | self._guards(word) << _FLAG_BITS
        dwords = dtext.split(" ") if dtext else [""]
        weight = self._learned.words_weight(dwords) if self._learned is not None and dtext else 0.0
        uweight = self._urgency.words_weight(dwords) if self._urgency is not None and dtext else 0.0
        upper = weight + self._learned.next_bound(dwords[-1]) if self._learned is not None else 0.0
        uupper = (
            uweight + self._urgency.next_bound(dwords[-1]) if self._urgency is not None else 0.0
        )
        info = self._memo[word] = WordInfo(
            bits, mask, dtext, weight, upper, uweight, uupper, p, dtokens
        )
        if self._learned is not None:
            info.after = self._learned.pairs_after(info.last)
        if self._urgency is not None:
            info.uafter = self._urgency.pairs_after(info.last)
        return info
