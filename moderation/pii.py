"""Contact and identifying details: phone numbers, e-mail, URLs, handles, postcodes,
addresses and schools. Patterns come from ``config/rules/pii.toml`` and run on the folded
(lower-case, lookalike-free) text; each pattern is guarded by cheap literal checks so ordinary
messages skip most of them.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import reduce
from itertools import repeat
from operator import itemgetter, or_
from typing import TYPE_CHECKING, NamedTuple

import ahocorasick

if TYPE_CHECKING:
    from config.rule_types import PiiPattern

# A NamedTuple's own constructor is interpreted Python; tuple.__new__ is not (hot path)
_new = tuple.__new__
__all__ = ["PiiMatcher", "RawPii"]

# When two details overlap, the more specific kind wins.
_PRIORITY = {
    "email": 0,
    "url": 1,
    "phone": 2,
    "postcode": 3,
    "address": 4,
    "social_handle": 5,
    "school": 6,
}


_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"\w+")  # what `\b` in a pattern sees as one word
_second = itemgetter(1)
_NOT_DIGITS = bytes(c for c in range(256) if not 48 <= c <= 57)  # bytes.translate: delete


def _has_digit(text: str) -> bool:
    if text.isascii():  # in ASCII text \d is 0-9
        return bool(text.encode("ascii").translate(None, _NOT_DIGITS))
    return _DIGIT.search(text) is not None


def _needs(rx: re.Pattern[str]) -> tuple[str, bool]:
    r"""Characters that every match of ``rx`` contains, and whether every match contains a
    digit (from the parsed pattern: top-level literals and ``\d``, also inside groups and
    repeats of at least one; nothing inside alternatives, optional parts or assertions).
    A cheap necessary condition: ``rx.search`` is tried only where it holds."""
    if rx.flags & re.IGNORECASE:
        return "", False
    try:  # the standard library's own regex parser (private: no precheck if it changes)
        c = importlib.import_module("re._constants")
        tree = importlib.import_module("re._parser").parse(rx.pattern, rx.flags)
    except Exception:
        return "", False
    chars: list[str] = []
    digit = False

    def walk(items: object) -> None:
        nonlocal digit
        for op, av in items:  # type: ignore[attr-defined]
            if op is c.LITERAL:
                chars.append(chr(av))
            elif op is c.SUBPATTERN and not av[1] & c.SRE_FLAG_IGNORECASE:
                walk(av[-1])
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
                walk(av[2])
            elif op is c.IN and list(av) == [(c.CATEGORY, c.CATEGORY_DIGIT)]:
                digit = True

    try:
        walk(tree)
    except Exception:
        return "", False
    return "".join(dict.fromkeys(chars)), digit


def _word_local(rx: re.Pattern[str]) -> bool:
    r"""Can no match of ``rx`` contain whitespace, or depend on it beyond ````? Then a text
    holds a match exactly where one of its whitespace-free words does. (From the parsed
    pattern; anything not known to be safe, such as ``.``, ``[^...]`` or lookarounds, is
    not.)"""
    if rx.flags & re.IGNORECASE:
        return False
    try:  # the standard library's own regex parser (private: not local if it changes)
        c = importlib.import_module("re._constants")
        tree = importlib.import_module("re._parser").parse(rx.pattern, rx.flags)
    except Exception:
        return False
    safe_categories = (c.CATEGORY_DIGIT, c.CATEGORY_WORD, c.CATEGORY_NOT_SPACE)

    def char_ok(code: int) -> bool:
        return not chr(code).isspace()

    def ok(items: object) -> bool:
        for op, av in items:  # type: ignore[attr-defined]
            if op is c.LITERAL:
                good = char_ok(av)
            elif op is c.IN:
                good = all(
                    (o is c.LITERAL and char_ok(a))
                    or (o is c.RANGE and all(char_ok(x) for x in range(a[0], a[1] + 1)))
                    or (o is c.CATEGORY and a in safe_categories)
                    for o, a in av
                )
            elif op is c.AT:
                good = av in (c.AT_BOUNDARY, c.AT_NON_BOUNDARY)
            elif op is c.BRANCH:
                good = all(ok(b) for b in av[1])
            elif op is c.SUBPATTERN:
                good = not av[1] & c.SRE_FLAG_IGNORECASE and ok(av[-1])
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                good = ok(av[2])
            else:
                good = False
            if not good:
                return False
        return True

    try:
        return ok(tree)
    except Exception:
        return False


class RawPii(NamedTuple):
    kind: str
    start: int  # offsets into the folded text
    end: int


@dataclass(frozen=True)
class _Pattern:
    kind: str
    rx: re.Pattern[str]
    group: int
    anchor: re.Pattern[str] | None
    before: int
    after: int
    if_text: tuple[str, ...]
    if_regex: re.Pattern[str] | None
    if_words: tuple[str, ...]


class PiiMatcher:
    def __init__(self, patterns: tuple[PiiPattern, ...]) -> None:
        self._patterns = [
            _Pattern(
                p.kind,
                re.compile(p.pattern),
                p.group,
                re.compile(p.anchor) if p.anchor else None,
                p.before,
                p.after,
                p.if_text,
                re.compile(p.if_regex) if p.if_regex else None,
                p.if_words,
            )
            for p in patterns
        ]
        # The guards of all patterns at once: one automaton for the `if_text` strings (each
        # string's value: the bit mask of the patterns it lets through), and for each
        # `if_regex` the characters (and digit) every match of it contains.
        self._unguarded = 0
        for i, p in enumerate(self._patterns):
            if not p.if_text and not p.if_words and p.if_regex is None:
                self._unguarded |= 1 << i
        # `if_words`: whole word -> the patterns it lets through
        self._guard_words: dict[str, int] = {}
        for i, p in enumerate(self._patterns):
            for w in p.if_words:
                self._guard_words[w] = self._guard_words.get(w, 0) | 1 << i
        texts: dict[str, int] = {}
        for i, p in enumerate(self._patterns):
            for t in p.if_text:
                texts[t] = texts.get(t, 0) | 1 << i
        self._guard_text: ahocorasick.Automaton | None = None
        if texts:
            self._guard_text = ahocorasick.Automaton()
            for t, ids in texts.items():
                self._guard_text.add_word(t, ids)
            self._guard_text.make_automaton()
        # The same, a word at a time (see word_guards): the strings with no whitespace in them
        # are looked for in each word, the others in the whole text.
        self._word_text: ahocorasick.Automaton | None = None
        inner = {t: ids for t, ids in texts.items() if not any(c.isspace() for c in t)}
        # (a few: a substring test each is quicker than an automaton's pass over the text)
        self._spaced_text = [(t, ids) for t, ids in texts.items() if t not in inner]
        if inner:
            self._word_text = ahocorasick.Automaton()
            for t, ids in inner.items():
                self._word_text.add_word(t, ids)
            self._word_text.make_automaton()
        # anchors that start with \b, without it (see _anchors)
        self._anchor_scan = [
            re.compile(p.anchor.pattern[2:])
            if p.anchor is not None
            and p.anchor.pattern.startswith("\\b")
            and not p.anchor.flags & ~re.UNICODE
            else None
            for p in self._patterns
        ]
        # word_guards: the patterns' text guards, a digit, then the word-local anchors found
        count = len(self._patterns)
        self.digit_bit = 1 << count
        self.guard_bits = 2 * count + 1  # the width of word_guards
        self._local = [
            (i, p.anchor)
            for i, p in enumerate(self._patterns)
            if p.anchor is not None and _word_local(p.anchor)
        ]
        # patterns to keep whatever the words' anchors say
        self._not_local = ((1 << count) - 1) ^ sum(1 << i for i, _ in self._local)
        self._guard_regex = [
            (i, p.if_regex, *_needs(p.if_regex)) for i, p in enumerate(self._patterns) if p.if_regex
        ]

    def word_guards(self, word: str) -> int:
        """What one whitespace-free word of folded text lets through: OR those of a text's
        words and pass the result to :meth:`match` to skip its own guard scan."""
        out = self.digit_bit if _has_digit(word) else 0
        if self._word_text is not None:
            out = reduce(or_, map(_second, self._word_text.iter(word)), out)
        if self._guard_words:
            out = reduce(or_, map(self._guard_words.get, _WORD.findall(word), repeat(0)), out)
        for i, anchor in self._local:
            if anchor.search(word):
                out |= self.digit_bit << (1 + i)
        return out

    def _wanted(self, folded: str, guards: int | None = None) -> list[int]:
        """The patterns whose guards pass, in rule order."""
        wanted = self._unguarded
        digits: bool | None = None
        if guards is not None:
            wanted |= guards & (self.digit_bit - 1)
            digits = bool(guards & self.digit_bit)
            for t, ids in self._spaced_text:
                if t in folded:
                    wanted |= ids
        else:
            if self._guard_text is not None:
                for _, ids in self._guard_text.iter(folded):
                    wanted |= ids
            if self._guard_words:
                words = _WORD.findall(folded)
                wanted = reduce(or_, map(self._guard_words.get, words, repeat(0)), wanted)
        for i, rx, chars, needs_digit in self._guard_regex:
            if wanted >> i & 1 or (needs_digit and digits is False):
                continue
            if not _contains_all(folded, chars):
                continue
            if needs_digit:
                if digits is None:
                    digits = _has_digit(folded)
                if not digits:
                    continue
            if rx.search(folded):
                wanted |= 1 << i
        if guards is not None:  # a word-local anchor that no word has: nothing to find
            wanted &= self._not_local | guards >> (len(self._patterns) + 1)
        return [i for i in range(wanted.bit_length()) if wanted >> i & 1]

    def _anchors(self, i: int, folded: str) -> list[tuple[int, int]]:
        """The spans of pattern ``i``'s anchor, as its ``finditer`` gives them. An anchor
        that starts with ``\\b`` is searched without it, each find then checked for the word
        boundary: the regex engine cannot skip ahead to a literal after a leading ``\\b``."""
        scan = self._anchor_scan[i]
        if scan is None:
            anchor = self._patterns[i].anchor
            return [] if anchor is None else [a.span() for a in anchor.finditer(folded)]
        out: list[tuple[int, int]] = []
        pos, n = 0, len(folded)
        while pos <= n:
            a = scan.search(folded, pos)
            if a is None:
                break
            start, end = a.span()
            if _BOUNDARY.match(folded, start) is None:
                pos = start + 1
                continue
            out.append((start, end))
            pos = end if end > start else end + 1
        return out

    def match(self, folded: str, guards: int | None = None) -> list[RawPii]:
        """Contact details in folded text (``guards``: its words' :meth:`word_guards`)."""
        if not folded:
            return []
        n = len(folded)
        found: list[RawPii] = []
        for i in self._wanted(folded, guards):
            pat = self._patterns[i]
            if pat.anchor is None:
                windows = [(0, n)]
            else:
                windows = []
                for k, (a_start, a_end) in enumerate(self._anchors(i, folded)):
                    if k >= 32:  # many anchors: one pass over the whole text is cheaper
                        windows = [(0, n)]
                        break
                    ws, we = max(0, a_start - pat.before), min(n, a_end + pat.after)
                    if windows and ws <= windows[-1][1]:
                        windows[-1] = (windows[-1][0], we)
                    else:
                        windows.append((ws, we))
            for ws, we in windows:
                for m in pat.rx.finditer(folded, ws, we):
                    s, e = m.span(pat.group)
                    if s >= 0 and e > s and (we == n or m.end() < we):
                        found.append(_new(RawPii, (pat.kind, s, e)))
        if len(found) < 2:
            return found
        found.sort(key=lambda h: (_PRIORITY.get(h.kind, 9), h.start, -(h.end - h.start)))
        kept: list[RawPii] = []
        for h in found:
            if any(h.start < k.end and k.start < h.end for k in kept):
                continue
            kept.append(h)
        kept.sort(key=lambda h: h.start)
        return kept


_BOUNDARY = re.compile(r"\b")


def _contains_all(text: str, chars: str) -> bool:
    for c in chars:
        if c not in text:
            return False
    return True
