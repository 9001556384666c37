"""The storage port: everything the service needs from a database, grouped by aggregate.

Every backend passes the same contract suite (tests/contract). Conditional operations
(claim, decide, acknowledge, mark overdue, close) are single atomic updates so that, across
any number of processes, each applies exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from chat.models import (
    AuditEntry,
    CaseEntry,
    Escalation,
    Message,
    Participant,
    Staff,
    StaffSession,
    Webchat,
)
from config.errors import Conflict, SafechatError


class StoreError(SafechatError):
    code = "store_unavailable"
    http_status = 503


class DuplicateKey(Conflict):
    """A unique key (handle in a webchat, staff username) is already taken."""


class Store(Protocol):
    backend: str

    async def ping(self) -> dict[str, object]: ...
    async def close(self) -> None: ...

    # Webchats
    async def create_webchat(self, webchat: Webchat) -> Webchat: ...
    async def get_webchat(self, webchat_id: str) -> Webchat | None: ...
    async def list_webchats(
        self, states: Iterable[str] | None = None, *, before: datetime | None = None
    ) -> list[Webchat]:
        """Webchats in ``states`` (all when None), ordered by opens_at; ``before`` keeps those
        opening before that time."""
        ...

    async def set_webchat_state(self, webchat_id: str, expected: str, state: str) -> bool:
        """Move a webchat from ``expected`` to ``state``; False if it was not in ``expected``."""
        ...

    # Participants
    async def create_participant(self, participant: Participant) -> Participant:
        """Raises DuplicateKey when the handle is taken in that webchat."""
        ...

    async def get_participant(self, participant_id: str) -> Participant | None: ...
    async def find_participant_by_token(self, token_hash: str) -> Participant | None: ...

    # Messages
    async def insert_message(self, message: Message) -> tuple[Message, bool]:
        """Store a message; idempotent on (participant_id, client_id). Returns the stored
        message and whether it was newly created. Returns only once durable."""
        ...

    async def get_message(self, message_id: str) -> Message | None: ...
    async def find_message(self, participant_id: str, client_id: str) -> Message | None:
        """The message a participant sent with this client id, if any (retries)."""
        ...

    async def list_approved(self, webchat_id: str, limit: int = 200) -> list[Message]:
        """The room's history: approved messages in approval order, the last ``limit``."""
        ...

    async def list_participant_messages(
        self, participant_id: str, *, statuses: Iterable[str] | None = None, limit: int = 50
    ) -> list[Message]:
        """A participant's messages, oldest first (the last ``limit``)."""
        ...

    async def list_webchat_messages(self, webchat_id: str) -> list[Message]:
        """Every message of a webchat, oldest first (for reports)."""
        ...

    # Moderation queue
    async def list_pending(
        self, webchat_ids: Sequence[str] | None = None, limit: int = 500
    ) -> list[Message]:
        """Pending items by priority (highest first) then age (oldest first)."""
        ...

    async def claim(
        self, message_id: str, staff_id: str, now: datetime, lease_until: datetime
    ) -> Message | None:
        """Claim or renew a pending item: succeeds if unclaimed, its lease expired, or already
        held by ``staff_id``. None otherwise."""
        ...

    async def claim_next(
        self,
        staff_id: str,
        now: datetime,
        lease_until: datetime,
        webchat_ids: Sequence[str] | None = None,
    ) -> Message | None: ...

    async def release(self, message_id: str, staff_id: str) -> Message | None: ...
    async def release_all(self, staff_id: str) -> list[Message]: ...
    async def expire_leases(self, now: datetime) -> list[Message]:
        """Clear every lease that ran out; returns the items that went back to the queue."""
        ...

    async def decide(
        self,
        message_id: str,
        staff_id: str,
        status: str,
        now: datetime,
        *,
        final_text: str | None = None,
        reason: str | None = None,
    ) -> Message | None:
        """Decide a pending item exactly once. Applies only if it is pending and unclaimed, its
        lease expired, or it is claimed by ``staff_id``. None otherwise."""
        ...

    # Staff
    async def create_staff(self, staff: Staff) -> Staff:
        """Raises DuplicateKey when the username is taken."""
        ...

    async def get_staff(self, staff_id: str) -> Staff | None: ...
    async def find_staff(self, username: str) -> Staff | None: ...
    async def list_staff(self) -> list[Staff]: ...
    async def create_session(self, session: StaffSession) -> None: ...
    async def get_session(self, token_hash: str) -> StaffSession | None: ...
    async def delete_session(self, token_hash: str) -> None: ...

    # Escalations
    async def create_escalation(self, escalation: Escalation) -> Escalation: ...
    async def get_escalation(self, escalation_id: str) -> Escalation | None: ...
    async def list_open_escalations(self) -> list[Escalation]:
        """Open escalations, most severe first, then oldest."""
        ...

    async def acknowledge_escalation(
        self, escalation_id: str, staff_id: str, now: datetime
    ) -> Escalation | None:
        """First acknowledgement wins; None if already acknowledged or not open."""
        ...

    async def mark_overdue(self, escalation_id: str, now: datetime) -> Escalation | None:
        """Mark an unacknowledged escalation overdue, once; None if acknowledged or marked."""
        ...

    async def list_due_escalations(self) -> list[Escalation]:
        """Open, unacknowledged, not yet overdue: the deadlines still to watch."""
        ...

    async def close_escalation(
        self, escalation_id: str, staff_id: str, outcome: str, now: datetime
    ) -> Escalation | None: ...
    async def list_unescalated(self) -> list[Message]:
        """Messages with status escalated but no escalation record."""
        ...

    async def add_case_entry(self, entry: CaseEntry) -> CaseEntry: ...
    async def list_case_entries(self, escalation_id: str) -> list[CaseEntry]: ...
    async def list_participant_escalations(self, participant_id: str) -> list[Escalation]: ...
    async def list_webchat_escalations(self, webchat_id: str) -> list[Escalation]:
        """Every case raised in a webchat, oldest first (for reports)."""
        ...


    # Audit log
    async def append_audit(self, entry: AuditEntry) -> AuditEntry: ...
    async def list_audit(
        self, *, subject: str | None = None, webchat_id: str | None = None, limit: int = 500
    ) -> list[AuditEntry]:
        """Entries oldest first (the last ``limit``), optionally for one subject or webchat."""
        ...

    # Presence (who is connected where it matters, across every process)
    async def set_presence(self, key: str, username: str, role: str, expires_at: datetime
                           ) -> None:
        """Record or refresh that ``username`` is connected as ``role`` until ``expires_at``."""
        ...

    async def delete_presence(self, key: str) -> None: ...
    async def list_present(self, role: str, now: datetime) -> list[str]:
        """Usernames present in ``role`` (unexpired), sorted, each once."""
        ...

    # Retention
    async def purge(self, kind: str, before: datetime) -> int:
        """Delete one kind of record older than ``before`` (see PURGE_KINDS); returns how many.
        room_messages: pending and approved messages; rejected_messages: rejected ones;
        participants; staff_sessions (by expiry); escalations: closed cases with their case
        entries and escalated messages; audit: entries."""
        ...


PURGE_KINDS = (
    "room_messages", "rejected_messages", "participants", "staff_sessions", "escalations",
    "audit",
)


SEVERITY_RANK = {"urgent": 3, "high": 2, "medium": 1, "none": 0}


async def open_store(url: str) -> Store:
    """Open the backend the URL names and run its migrations or index creation."""
    if url.startswith("sqlite:///"):
        from chat.stores.sqlite import SqliteStore

        return await SqliteStore.open(url.removeprefix("sqlite:///"))
    if url.startswith(("mongodb://", "mongodb+srv://")):
        from chat.stores.mongo import MongoStore

        return await MongoStore.open(url)
    raise StoreError(f"unsupported database URL: {url.split(':', 1)[0]}")
