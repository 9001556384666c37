"""Records the service stores. Times are timezone-aware UTC, truncated to milliseconds so that
every backend round-trips them exactly; ids are opaque strings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Audience = Literal["young_people", "parents_carers", "practitioners", "businesses"]
AUDIENCES: tuple[str, ...] = ("young_people", "parents_carers", "practitioners", "businesses")
WebchatState = Literal["scheduled", "open", "closed"]
Role = Literal["moderator", "lead", "host", "admin"]
ROLES: tuple[str, ...] = ("moderator", "lead", "host", "admin")
MessageStatus = Literal["pending", "approved", "rejected", "escalated"]


def utcnow() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond - now.microsecond % 1000)


def new_id() -> str:
    return secrets.token_hex(12)


@dataclass(frozen=True)
class Webchat:
    id: str
    title: str
    audience: str
    opens_at: datetime
    closes_at: datetime
    state: str = "scheduled"
    created_at: datetime = field(default_factory=utcnow)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "audience": self.audience,
            "state": self.state,
            "opens_at": self.opens_at.isoformat(),
            "closes_at": self.closes_at.isoformat(),
        }


@dataclass(frozen=True)
class Participant:
    """An anonymous young person. Privacy policy: only a pseudonym and the hash of a resume
    token are kept; no IP address, user agent, name or other device data."""

    id: str
    webchat_id: str
    handle: str
    token_hash: str
    created_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Message:
    """A message and, while pending, its moderation-queue entry (claim and lease)."""

    id: str
    webchat_id: str
    participant_id: str | None
    client_id: str | None
    handle: str
    role: str
    text: str
    status: str = "pending"
    priority: int = 0
    created_at: datetime = field(default_factory=utcnow)
    screening: dict[str, Any] | None = None
    claimed_by: str | None = None
    lease_expires_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    final_text: str | None = None
    reason: str | None = None

    @property
    def shown_text(self) -> str:
        return self.final_text if self.final_text is not None else self.text


@dataclass(frozen=True)
class Staff:
    id: str
    username: str
    password_hash: str
    roles: tuple[str, ...]
    created_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class StaffSession:
    token_hash: str
    staff_id: str
    expires_at: datetime
    created_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Escalation:
    id: str
    message_id: str
    webchat_id: str
    participant_id: str
    handle: str
    severity: str
    categories: tuple[str, ...]
    spans: tuple[dict[str, Any], ...]
    context: tuple[dict[str, Any], ...]
    text: str
    deadline_at: datetime
    created_at: datetime = field(default_factory=utcnow)
    status: str = "open"
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    overdue_at: datetime | None = None
    outcome: str | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class CaseEntry:
    """One step in an escalation's case: a private message either way, or a note."""

    id: str
    escalation_id: str
    kind: str  # "to_young_person" | "from_young_person" | "note"
    actor: str
    text: str
    at: datetime = field(default_factory=utcnow)
    screening: dict[str, Any] | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: str
    actor: str
    action: str
    subject: str | None = None
    webchat_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=utcnow)
