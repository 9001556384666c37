"""MongoDB: escalations, case entries, the audit log, presence and retention."""

from __future__ import annotations

from datetime import datetime

from chat.models import (
    AuditEntry,
    CaseEntry,
    Escalation,
    Message,
)
from chat.store import SEVERITY_RANK
from chat.stores.mongo_base import Doc, MongoBase

DUE = {"status": "open", "acknowledged_by": None, "overdue_at": None}


class MongoCases(MongoBase):
    # Escalations
    async def create_escalation(self, escalation: Escalation) -> Escalation:
        return await self._insert("escalations", escalation)

    async def list_unescalated(self) -> list[Message]:
        escalated = await self._all("messages", {"status": "escalated"}, "created_at,_seq")
        if not escalated:
            return []
        cursor = self._c("escalations").find(
            {"message_id": {"$in": [m.id for m in escalated]}}, {"message_id": 1})
        covered = {doc["message_id"] async for doc in cursor}
        return [m for m in escalated if m.id not in covered]

    async def get_escalation(self, escalation_id: str) -> Escalation | None:
        return await self._one("escalations", {"_id": escalation_id})

    async def list_open_escalations(self) -> list[Escalation]:
        # Fetched in (created_at, insertion) order; a stable sort then puts severity first.
        rows: list[Escalation] = await self._all(
            "escalations", {"status": "open"}, "created_at,_seq"
        )
        return sorted(rows, key=lambda e: -SEVERITY_RANK.get(e.severity, 0))

    async def acknowledge_escalation(
        self, escalation_id: str, staff_id: str, now: datetime
    ) -> Escalation | None:
        query = {"_id": escalation_id, "status": "open", "acknowledged_by": None}
        update = {"$set": {"acknowledged_by": staff_id, "acknowledged_at": now}}
        return await self._update("escalations", query, update)

    async def mark_overdue(self, escalation_id: str, now: datetime) -> Escalation | None:
        query = {"_id": escalation_id, **DUE}
        return await self._update("escalations", query, {"$set": {"overdue_at": now}})

    async def list_due_escalations(self) -> list[Escalation]:
        return await self._all("escalations", DUE, "deadline_at,_seq")

    async def close_escalation(
        self, escalation_id: str, staff_id: str, outcome: str, now: datetime
    ) -> Escalation | None:
        fields = {"status": "closed", "outcome": outcome, "closed_by": staff_id, "closed_at": now}
        query = {"_id": escalation_id, "status": "open"}
        return await self._update("escalations", query, {"$set": fields})

    async def add_case_entry(self, entry: CaseEntry) -> CaseEntry:
        return await self._insert("case_entries", entry)

    async def list_case_entries(self, escalation_id: str) -> list[CaseEntry]:
        query = {"escalation_id": escalation_id}
        return await self._all("case_entries", query, "at,_seq")

    async def list_participant_escalations(self, participant_id: str) -> list[Escalation]:
        query = {"participant_id": participant_id}
        return await self._all("escalations", query, "created_at,_seq")

    async def list_webchat_escalations(self, webchat_id: str) -> list[Escalation]:
        return await self._all("escalations", {"webchat_id": webchat_id}, "created_at,_seq")

    # Audit log
    async def append_audit(self, entry: AuditEntry) -> AuditEntry:
        return await self._insert("audit", entry)

    async def list_audit(
        self, *, subject: str | None = None, webchat_id: str | None = None, limit: int = 500
    ) -> list[AuditEntry]:
        query: Doc = {}
        if subject is not None:
            query["subject"] = subject
        if webchat_id is not None:
            query["webchat_id"] = webchat_id
        rows = await self._all("audit", query, "-at,-_seq", limit)
        return rows[::-1]

    # Presence
    async def set_presence(self, key: str, username: str, role: str, expires_at: datetime
                           ) -> None:
        await self._c("presence").update_one(
            {"_id": key},
            {"$set": {"username": username, "role": role, "expires_at": expires_at}},
            upsert=True,
        )

    async def delete_presence(self, key: str) -> None:
        await self._c("presence").delete_one({"_id": key})

    async def list_present(self, role: str, now: datetime) -> list[str]:
        cursor = self._c("presence").find({"role": role, "expires_at": {"$gt": now}})
        return sorted({str(doc["username"]) async for doc in cursor})

    # Retention
    async def purge(self, kind: str, before: datetime) -> int:
        old = {"$lt": before}
        if kind == "room_messages":
            query: Doc = {"status": {"$in": ["pending", "approved"]}, "created_at": old}
            return (await self._c("messages").delete_many(query)).deleted_count
        if kind == "rejected_messages":
            query = {"status": "rejected", "created_at": old}
            return (await self._c("messages").delete_many(query)).deleted_count
        if kind == "participants":
            return (await self._c("participants").delete_many({"created_at": old})).deleted_count
        if kind == "staff_sessions":
            await self._c("presence").delete_many({"expires_at": old})
            return (await self._c("sessions").delete_many({"expires_at": old})).deleted_count
        if kind == "escalations":
            cases = self._c("escalations").find({"status": "closed", "created_at": old},
                                                {"_id": 1, "message_id": 1})
            ids, messages = [], []
            async for doc in cases:
                ids.append(doc["_id"])
                messages.append(doc["message_id"])
            if not ids:
                return 0
            await self._c("case_entries").delete_many({"escalation_id": {"$in": ids}})
            await self._c("messages").delete_many({"_id": {"$in": messages},
                                                   "status": "escalated"})
            return (await self._c("escalations").delete_many({"_id": {"$in": ids}})).deleted_count
        if kind == "audit":
            return (await self._c("audit").delete_many({"at": old})).deleted_count
        raise ValueError(f"unknown retention kind {kind!r}")
