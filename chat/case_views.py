"""How a safeguarding case is shown: to leads in full, to moderators and admins in summary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chat.models import CaseEntry, Escalation
from config.errors import InvalidInput


def escalation_view(e: Escalation, names: dict[str, str]) -> dict[str, Any]:
    def at(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": e.id,
        "message_id": e.message_id,
        "webchat": e.webchat_id,
        "handle": e.handle,
        "severity": e.severity,
        "categories": list(e.categories),
        "spans": list(e.spans),
        "context": list(e.context),
        "text": e.text,
        "created_at": at(e.created_at),
        "deadline_at": at(e.deadline_at),
        "status": e.status,
        "acknowledged_by": names.get(e.acknowledged_by or "", e.acknowledged_by),
        "acknowledged_at": at(e.acknowledged_at),
        "overdue": e.overdue_at is not None,
        "overdue_at": at(e.overdue_at),
        "outcome": e.outcome,
        "closed_at": at(e.closed_at),
    }




def check_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("text: a message is required")
    if len(text) > 2000:
        raise InvalidInput("text: at most 2000 characters", code="too_long")
    return text


def entry_view(entry: CaseEntry, actor: str) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "actor": actor,
        "text": entry.text,
        "at": entry.at.isoformat(),
        "screening": entry.screening,
    }


def staff_summary(view: dict[str, Any]) -> dict[str, Any]:
    """What moderators and admins see of a case: that it exists and whether it is overdue;
    the conversation stays with the safeguarding team."""
    keys = (
        "id",
        "message_id",
        "webchat",
        "handle",
        "severity",
        "categories",
        "created_at",
        "deadline_at",
        "status",
        "acknowledged_by",
        "overdue",
    )
    return {k: view[k] for k in keys}
