"""What screening reports: hits with offsets into the original text, never a rewritten text."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["EMPTY", "DisclosureHit", "PiiHit", "Screening", "Span"]


class Span(NamedTuple):
    start: int
    end: int
    kind: str  # "profanity" | "pii" | "disclosure"
    label: str  # term / pii kind / rule id


class PiiHit(NamedTuple):
    kind: str
    start: int
    end: int
    text: str


class DisclosureHit(NamedTuple):
    rule: str
    category: str
    severity: str
    start: int
    end: int


class Screening(NamedTuple):
    profanity_terms: tuple[str, ...]
    pii: tuple[PiiHit, ...]
    disclosures: tuple[DisclosureHit, ...]
    severity: str  # "urgent" | "high" | "medium" | "none"
    risk: float  # 0..1
    categories: tuple[str, ...]
    rules: tuple[str, ...]
    spans: tuple[Span, ...]

    @property
    def profanity(self) -> bool:
        return bool(self.profanity_terms)

    @property
    def disclosure(self) -> bool:
        return self.severity != "none"

    def suggested_redaction(self, text: str) -> str | None:
        """``text`` with contact details replaced by "[removed]"; None if there are none."""
        if not self.pii:
            return None
        spans = sorted((p.start, p.end) for p in self.pii)
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        out: list[str] = []
        last = 0
        for s, e in merged:
            out.append(text[last:s])
            out.append("[removed]")
            last = e
        out.append(text[last:])
        return "".join(out)

    def to_dict(self) -> dict[str, object]:
        return {
            "profanity": self.profanity,
            "profanity_terms": list(self.profanity_terms),
            "pii": [
                {"kind": p.kind, "start": p.start, "end": p.end, "text": p.text} for p in self.pii
            ],
            "disclosure": self.disclosure,
            "severity": self.severity,
            "risk": self.risk,
            "categories": list(self.categories),
            "rules": list(self.rules),
            "disclosures": [
                {
                    "rule": d.rule,
                    "category": d.category,
                    "severity": d.severity,
                    "start": d.start,
                    "end": d.end,
                }
                for d in self.disclosures
            ],
            "spans": [
                {"start": s.start, "end": s.end, "kind": s.kind, "label": s.label}
                for s in self.spans
            ],
        }


EMPTY = Screening((), (), (), "none", 0.0, (), (), ())
