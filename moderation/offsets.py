"""Offset maps: from positions in a derived string back to positions in its source."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

__all__ = ["OffsetMap", "map_span"]


class OffsetMap:
    """Maps offsets in a derived string back to its source string.

    Built from pieces: a *copy* piece maps its characters one-to-one onto a source range of the
    same length; a *lump* piece maps every character onto the whole source range.
    """

    __slots__ = ("_copy", "_out", "_src_e", "_src_s")

    def __init__(self) -> None:
        self._out: list[int] = []
        self._src_s: list[int] = []
        self._src_e: list[int] = []
        self._copy: list[bool] = []

    def add(self, out_pos: int, src_start: int, src_end: int, copy: bool) -> None:
        if (
            copy
            and self._copy
            and self._copy[-1]
            and self._src_e[-1] == src_start
            and out_pos - self._out[-1] == self._src_e[-1] - self._src_s[-1]
        ):
            self._src_e[-1] = src_end  # extend the previous copy piece
            return
        self._out.append(out_pos)
        self._src_s.append(src_start)
        self._src_e.append(src_end)
        self._copy.append(copy)

    def _piece(self, i: int) -> int:
        return max(bisect_right(self._out, i) - 1, 0)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source span covering derived characters ``start .. end-1``."""
        if not self._out:
            return (0, 0)
        end = max(end, start + 1)
        p = self._piece(start)
        s = self._src_s[p] + (start - self._out[p]) if self._copy[p] else self._src_s[p]
        q = self._piece(end - 1)
        e = self._src_s[q] + (end - self._out[q]) if self._copy[q] else self._src_e[q]
        return (s, max(e, s))


def map_span(maps: Sequence[OffsetMap | None], start: int, end: int) -> tuple[int, int]:
    """Map a span back through a chain of maps, the last stage first."""
    for m in reversed(maps):
        if m is not None:
            start, end = m.source_span(start, end)
    return (start, end)
