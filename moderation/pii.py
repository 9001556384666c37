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

# A pattern of a kind only runs when its guard finds something in the text.
_GUARDS: dict[str, re.Pattern[str]] = {
    "phone": re.compile(r"\d"),
    "email": re.compile(r"@|\(at\)|\[at\]| at "),
    "url": re.compile(r"\.[a-z]|://"),
    "social_handle": re.compile(
        r"@|snap|insta|\big\b|tik\s*tok|\btt\b|discord|whats\s*app|\bwa\b|kik|telegram|"
        r"facebook|\bfb\b|twitter|\bsc\b|handle|user\s*name|add me|x\.com"
    ),
    "postcode": re.compile(r"\d[a-z]{2}"),
    "address": re.compile(r"\d|live|address|house"),
    "school": re.compile(r"school|academy|college|grammar|high|primary|\bcomp\b|skl|year\s?\d"),
}
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


class PiiMatcher:
    def __init__(self, patterns: tuple[PiiPattern, ...]) -> None:
        self._patterns: list[tuple[str, re.Pattern[str], int]] = [
            (p.kind, re.compile(p.pattern), p.group) for p in patterns
        ]

    def match(self, folded: str) -> list[RawPii]:
        if not folded:
            return []
        guard_hit: dict[str, bool] = {}
        found: list[RawPii] = []
        for kind, rx, group in self._patterns:
            ok = guard_hit.get(kind)
            if ok is None:
                guard = _GUARDS.get(kind)
                ok = guard is None or guard.search(folded) is not None
                guard_hit[kind] = ok
            if not ok:
                continue
            for m in rx.finditer(folded):
                s, e = m.span(group)
                if s >= 0 and e > s:
                    found.append(RawPii(kind, s, e))
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
