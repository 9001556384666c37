"""Contact and identifying details: phone numbers, e-mail, URLs, handles, postcodes,
addresses and schools. Patterns come from ``config/rules/pii.toml`` and run on the folded
(lower-case, lookalike-free) text; each pattern is guarded by cheap literal checks so ordinary
messages skip most of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

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

    def wanted(self, folded: str) -> bool:
        if not self.if_text and self.if_regex is None:
            return True
        for t in self.if_text:
            if t in folded:
                return True
        return self.if_regex is not None and self.if_regex.search(folded) is not None


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

    def match(self, folded: str) -> list[RawPii]:
        if not folded:
            return []
        n = len(folded)
        found: list[RawPii] = []
        for pat in self._patterns:
            if not pat.wanted(folded):
                continue
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
