"""Per-key sliding-window limits (in process memory: floods are stopped where they arrive)."""

from __future__ import annotations

import time
from collections import deque


class SlidingWindow:
    def __init__(self, count: int, window_s: float) -> None:
        self.count = count
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}

    def _live(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    def allowed(self, key: str) -> bool:
        return len(self._live(key, time.monotonic())) < self.count

    def hit(self, key: str) -> bool:
        """Record one attempt; False when the key is over its limit (the hit is not counted)."""
        now = time.monotonic()
        hits = self._live(key, now)
        if len(hits) >= self.count:
            return False
        hits.append(now)
        if len(self._hits) > 50_000:
            self._prune(now)
        return True

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window_s]:
            del self._hits[key]
