"""Learned disclosure fallback: a logistic-regression score over the disclosure text.

The hand-written disclosure rules catch what they were written for; this model catches some of
the paraphrases they miss. It is trained offline by ``bench/train_disclosure_model.py`` and
shipped as data (``config/rules/disclosure_model.json``, loaded by :mod:`config.rules`); here
it is only scored, in pure Python with dict lookups.

Features, all taken from the *disclosure text* (folded, apostrophes dropped, long repeats
squeezed, text-speak expanded: see :func:`moderation.normalise.disclosure_tokens`):

* word unigrams and bigrams (``"kill"``, ``"kill myself"``) — one weight table;
* character 3-, 4- and 5-grams inside each word padded with a space each side (``" kil"``,
  ``"ill "``; a padded word no longer than n is one feature) — a second table. Unknown
  features weigh nothing.

Each feature counts once per occurrence. The score is ``intercept + sum of weights`` (a
logit); the fallback fires when it reaches the logit of the model's probability threshold.
A word's unigram and character weights are summed once per word (for every word the model
knows, when it is loaded; for other words on first sight, in a bounded cache), so a message
costs one lookup per word and one per bigram. Only when the fallback fires is the category
guessed, from a second, per-category linear model over the word features (multinomial
scores; the highest wins).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import pairwise, repeat
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from config.rule_types import DisclosureModel

__all__ = ["RULE_ID", "LearnedScorer", "LearnedVerdict", "features"]

RULE_ID = "learned.fallback"
_ZERO = 0.0
_CACHE_MAX = 50_000  # words the model does not know, with their character weight


def char_grams(word: str, ns: tuple[int, ...]) -> list[str]:
    """The character n-grams of `` word `` for each n in ``ns`` (ascending); a padded word
    no longer than n is a single feature, and longer n are skipped."""
    padded = f" {word} "
    out: list[str] = []
    for n in ns:
        if len(padded) <= n:
            out.append(padded)
            break
        out += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return out


def features(text: str, char_ns: tuple[int, ...]) -> tuple[list[str], list[str]]:
    """The word features (unigrams, then "a b" bigrams) and the character n-grams of a
    disclosure text, with repeats. Training uses exactly this; scoring sums the same."""
    if not text:
        return [], []
    words = text.split(" ")
    grams = [f"{a} {b}" for a, b in pairwise(words)]
    return words + grams, [g for w in words for g in char_grams(w, char_ns)]


class LearnedVerdict(NamedTuple):
    probability: float
    category: str  # the model's best category, or "unclassified"


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class _WordWeights(dict[str, float]):
    """word -> its unigram weight plus its character n-grams' weights. The model's own words
    are filled in up front; any other word is weighed on first lookup and kept (at most
    _CACHE_MAX of them, then the extra words are dropped and weighed again when seen)."""

    def __init__(self, weigh: Callable[[str], float], words: dict[str, float]) -> None:
        super().__init__((w, weigh(w)) for w in words if " " not in w)
        self._weigh = weigh
        self._base = len(self)
        self._base_words = dict(self)

    def __missing__(self, word: str) -> float:
        if len(self) - self._base >= _CACHE_MAX:
            self.clear()
            self.update(self._base_words)
        got = self[word] = self._weigh(word)
        return got


class LearnedScorer:
    """Built once from the model data; ``check`` is then cheap, pure and thread-safe."""

    __slots__ = (
        "_b",
        "_bigram",
        "_cat_row",
        "_cat_w",
        "_cats",
        "_cut",
        "_known",
        "_maxnext",
        "_ns",
        "_pairs",
        "_words",
        "model",
    )

    def __init__(self, model: DisclosureModel) -> None:
        self.model = model
        self._words = model.words.get
        # "a b" features by the word pair: what " ".join of a pair of words can look up
        self._bigram = {
            tuple(f.split(" ")): w for f, w in model.words.items() if f.count(" ") == 1
        }.get
        # the same by first word, then second (what logit_of looks up without a tuple)
        self._pairs: dict[str, dict[str, float]] = {}
        for f, w in model.words.items():
            if f.count(" ") == 1:
                a, b = f.split(" ")
                self._pairs.setdefault(a, {})[b] = w
        # per word: the largest weight of a pair it starts, if positive (see upper_weight)
        self._maxnext: dict[str, float] = {}
        for f, w in model.words.items():
            if f.count(" ") == 1 and w > 0:
                a = f.split(" ")[0]
                self._maxnext[a] = max(self._maxnext.get(a, 0.0), w)
        self._ns = model.char_ns
        self._b = model.intercept
        # each known word's unigram weight plus its character n-grams' weights; other words
        # are added on first sight (see _WordWeights)
        self._known = _WordWeights(self._word_weight, model.words)
        t = model.threshold
        self._cut = math.log(t / (1.0 - t))
        cats = sorted(model.category_words)
        self._cats = [(cat, model.category_intercepts.get(cat, 0.0)) for cat in cats]
        # per feature, its weight in each category, side by side in one flat list (a typed
        # list reads fast in the compiled build; an array's items go through the generic
        # item protocol there)
        n = len(cats)
        self._cat_row: dict[str, int] = {}  # feature -> where its weights start
        rows: list[float] = []
        for i, cat in enumerate(cats):
            for f, w in model.category_words[cat].items():
                r = self._cat_row.get(f)
                if r is None:
                    r = self._cat_row[f] = len(rows)
                    rows.extend([0.0] * n)
                rows[r + i] = w
        self._cat_w = rows

    def _word_weight(self, word: str) -> float:
        chars = self.model.chars.get
        return self._words(word, _ZERO) + sum(
            map(chars, char_grams(word, self._ns), repeat(_ZERO)), _ZERO
        )

    def logit(self, text: str) -> float:
        """``intercept + sum of the weights`` of the features of ``text`` (a disclosure
        text): what summing over :func:`features` gives, up to rounding."""
        if not text:
            return self._b
        words = text.split(" ")
        s = self._b + sum(map(self._known.__getitem__, words), _ZERO)
        if len(words) > 1:
            s += sum(map(self._bigram, pairwise(words), repeat(_ZERO)), _ZERO)
        return s

    def words_weight(self, words: list[str]) -> float:
        """The weights of some consecutive words of a disclosure text: their unigrams and the
        bigrams among them (see :meth:`logit_of`)."""
        s = sum(map(self._known.__getitem__, words), _ZERO)
        if len(words) > 1:
            s += sum(map(self._bigram, pairwise(words), repeat(_ZERO)), _ZERO)
        return s

    @property
    def cut(self) -> float:
        """The logit at which the model fires."""
        return self._cut

    def next_bound(self, word: str) -> float:
        """At least the weight of any word pair that starts with ``word`` (zero or more)."""
        return self._maxnext.get(word, 0.0)

    def pairs_after(self, word: str) -> dict[str, float] | None:
        """The weights of the word pairs that start with ``word``, by second word."""
        return self._pairs.get(word)

    def logit_of(
        self, weight: float, afters: list[dict[str, float] | None], nexts: list[str]
    ) -> float:
        """The logit of a text cut into runs of words: the sum of the runs'
        :meth:`words_weight` and the bigrams where one run meets the next (``afters[i]``:
        :meth:`pairs_after` of the last word of run ``i``; ``nexts[i]``: the first word of run
        ``i + 1``), equal to :meth:`logit` of the whole text up to rounding."""
        joins = 0.0
        for i in range(len(nexts)):
            after = afters[i]
            if after is not None:
                joins += after.get(nexts[i], 0.0)
        return self._b + weight + joins

    def probability(self, text: str) -> float:
        return _sigmoid(self.logit(text))

    def fires(self, text: str, logit: float | None = None) -> bool:
        """Does the model fire on ``text`` (``logit``: the text's, if already known)?"""
        return (self.logit(text) if logit is None else logit) >= self._cut

    def check(self, text: str, logit: float | None = None) -> LearnedVerdict | None:
        """The verdict if the model's probability reaches its threshold, else None
        (``logit``: the text's, if already known)."""
        x = self.logit(text) if logit is None else logit
        if x < self._cut:
            return None
        return LearnedVerdict(_sigmoid(x), self.category(text))

    def category(self, text: str) -> str:
        """The per-category model's best category ("unclassified" if it has none)."""
        if not self._cats:
            return "unclassified"
        scores = [b for _, b in self._cats]
        n = len(scores)
        at, weights = self._cat_row, self._cat_w
        words = text.split(" ") if text else []
        feats = [f"{words[k - 1]} {words[k]}" for k in range(1, len(words))]
        for f in words + feats:  # unigrams, then bigrams (the order the weights are summed in)
            r = at.get(f)
            if r is not None:
                for i in range(n):
                    scores[i] += weights[r + i]
        best = 0
        for i in range(1, len(scores)):
            if scores[i] > scores[best]:
                best = i
        return self._cats[best][0]
