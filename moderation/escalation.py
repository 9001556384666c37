"""Escalation policy (pure): who is alerted, and how fast they must acknowledge.

Safeguarding policy: every possible disclosure alerts every connected safeguarding lead at
once. Each alert carries an acknowledgement deadline by severity; if it passes unacknowledged
the alert is repeated to all leads, marked overdue, and shown to moderators and admins too.
If no lead is on duty, moderators and admins see a standing warning."""

from __future__ import annotations

from datetime import datetime, timedelta

SEVERITIES = ("urgent", "high", "medium")
LEAD_ROLES = frozenset({"lead", "admin"})
MODERATION_ROLES = frozenset({"moderator", "lead", "admin"})


def deadline(created_at: datetime, severity: str, deadlines_s: dict[str, float]) -> datetime:
    seconds = deadlines_s.get(severity, deadlines_s["medium"])
    return created_at + timedelta(seconds=seconds)


RANK = {"medium": 1, "high": 2, "urgent": 3}


def escalation_severity(screened: str, requested: str | None = None) -> str:
    """A moderator's escalation is ``high`` unless they choose otherwise; screening's own
    severity is never lowered."""
    wanted = requested if requested is not None and requested in RANK else "high"
    return screened if RANK.get(screened, 0) > RANK[wanted] else wanted
