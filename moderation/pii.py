"""Contact and identifying details: phone numbers, e-mail, URLs, handles, postcodes,
addresses and schools. Patterns come from ``config/rules/pii.toml`` and run on the folded
(lower-case, lookalike-free) text; each pattern is guarded by cheap literal checks so ordinary
messages skip most of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ahocorasick

if TYPE_CHECKING:
    from config.rules import PiiPattern

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


def _starts_with_digit(pattern: str) -> bool:
    """Does every match of ``pattern`` start with a digit (a leading ``\\d``, not optional)?"""
    if "|" in pattern:  # an alternative may start otherwise
        return False
    return pattern.startswith("\\d") and pattern[2:3] not in ("?", "*", "{")


@dataclass(frozen=True)
class RawPii:
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
            )
            for p in patterns
        ]
        # The guards of all patterns at once: one automaton for the `if_text` strings, and one
        # regex that must match before any `if_regex` is worth trying.
        self._unguarded = frozenset(
            i for i, p in enumerate(self._patterns) if not p.if_text and p.if_regex is None
        )
        texts: dict[str, set[int]] = {}
        for i, p in enumerate(self._patterns):
            for t in p.if_text:
                texts.setdefault(t, set()).add(i)
        self._guard_text: ahocorasick.Automaton | None = None
        if texts:
            self._guard_text = ahocorasick.Automaton()
            for t, ids in texts.items():
                self._guard_text.add_word(t, frozenset(ids))
            self._guard_text.make_automaton()
        # (pattern, guard, the guard needs a digit): a guard that starts with one digit
        # cannot match text without digits (one cheap search answers for all of those)
        self._guard_regex = [
            (i, p.if_regex, _starts_with_digit(p.if_regex.pattern))
            for i, p in enumerate(self._patterns)
            if p.if_regex
        ]

    def _wanted(self, folded: str) -> list[int]:
        """The patterns whose guards pass, in rule order."""
        wanted = set(self._unguarded)
        if self._guard_text is not None:
            for _, ids in self._guard_text.iter(folded):
                wanted |= ids
        digits: bool | None = None
        for i, rx, needs_digit in self._guard_regex:
            if i in wanted:
                continue
            if needs_digit:
                if digits is None:
                    digits = _DIGIT.search(folded) is not None
                if not digits:
                    continue
            if rx.search(folded):
                wanted.add(i)
        return sorted(wanted)

    def match(self, folded: str) -> list[RawPii]:
        if not folded:
            return []
        n = len(folded)
        found: list[RawPii] = []
        for i in self._wanted(folded):
            pat = self._patterns[i]
            if pat.anchor is None:
                windows = [(0, n)]
            else:
                windows = []
                for k, a in enumerate(pat.anchor.finditer(folded)):
                    if k >= 32:  # many anchors: one pass over the whole text is cheaper
                        windows = [(0, n)]
                        break
                    ws, we = max(0, a.start() - pat.before), min(n, a.end() + pat.after)
                    if windows and ws <= windows[-1][1]:
                        windows[-1] = (windows[-1][0], we)
                    else:
                        windows.append((ws, we))
            for ws, we in windows:
                for m in pat.rx.finditer(folded, ws, we):
                    s, e = m.span(pat.group)
                    if s >= 0 and e > s and (we == n or m.end() < we):
                        found.append(RawPii(pat.kind, s, e))
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
