"""Outcome reports for the board: how a webchat went, in numbers only.

Privacy policy: a report holds counts and timings, never message text, pseudonyms or staff
names, so it can be shared beyond the safeguarding team."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime
from typing import Any

from chat.store import Store


def _seconds(pairs: list[tuple[datetime, datetime | None]]) -> dict[str, float | int | None]:
    values = sorted((end - start).total_seconds() for start, end in pairs if end is not None)
    if not values:
        return {"count": 0, "median_s": None, "p95_s": None, "max_s": None}
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return {"count": len(values), "median_s": round(statistics.median(values), 3),
            "p95_s": round(p95, 3), "max_s": round(values[-1], 3)}


class ReportService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def webchat_report(self, webchat_id: str) -> dict[str, Any]:
        messages = await self.store.list_webchat_messages(webchat_id)
        cases = await self.store.list_webchat_escalations(webchat_id)
        young = [m for m in messages if m.role == "young_person"]
        decided = [m for m in young if m.status in ("approved", "rejected")]
        return {
            "webchat": webchat_id,
            "participants_who_wrote": len({m.participant_id for m in young}),
            "messages": {
                "from_young_people": len(young),
                "by_status": dict(Counter(m.status for m in young)),
                "rejected_by_reason": dict(Counter(m.reason for m in young
                                                   if m.status == "rejected")),
                "edited_before_approval": sum(1 for m in young if m.final_text is not None),
                "with_contact_details": sum(1 for m in young if (m.screening or {}).get("pii")),
                "host_posts": sum(1 for m in messages if m.role == "host"),
            },
            "time_to_decision": _seconds([(m.created_at, m.decided_at) for m in decided]),
            "escalations": {
                "total": len(cases),
                "by_severity": dict(Counter(e.severity for e in cases)),
                "by_category": dict(Counter(c for e in cases for c in e.categories)),
                "by_outcome": dict(Counter(e.outcome or "open" for e in cases)),
                "overdue": sum(1 for e in cases if e.overdue_at is not None),
                "unacknowledged": sum(1 for e in cases if e.acknowledged_at is None),
                "time_to_acknowledge": _seconds([(e.created_at, e.acknowledged_at)
                                                 for e in cases]),
            },
        }
