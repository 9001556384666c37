"""SQLite: escalations, case entries, the audit log, presence and retention."""

from __future__ import annotations

from datetime import datetime

from chat.models import (
    AuditEntry,
    CaseEntry,
    Escalation,
    Message,
)
from chat.stores.codec import iso
from chat.stores.sqlite_base import SqliteBase

SEVERITY_ORDER = (
    "CASE severity WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END DESC"
)


class SqliteCases(SqliteBase):
    # Escalations
    async def create_escalation(self, escalation: Escalation) -> Escalation:
        await self._insert("escalations", escalation)
        return escalation

    async def get_escalation(self, escalation_id: str) -> Escalation | None:
        return await self._one(
            "escalations", "SELECT * FROM escalations WHERE id = ?", (escalation_id,)
        )

    async def list_open_escalations(self) -> list[Escalation]:
        return await self._all(
            "escalations",
            f"SELECT * FROM escalations WHERE status = 'open' "
            f"ORDER BY {SEVERITY_ORDER}, created_at, rowid",
        )

    async def acknowledge_escalation(
        self, escalation_id: str, staff_id: str, now: datetime
    ) -> Escalation | None:
        return await self._one(
            "escalations",
            "UPDATE escalations SET acknowledged_by = ?, acknowledged_at = ? "
            "WHERE id = ? AND status = 'open' AND acknowledged_by IS NULL RETURNING *",
            (staff_id, iso(now), escalation_id),
        )

    async def mark_overdue(self, escalation_id: str, now: datetime) -> Escalation | None:
        return await self._one(
            "escalations",
            "UPDATE escalations SET overdue_at = ? WHERE id = ? AND status = 'open' "
            "AND acknowledged_by IS NULL AND overdue_at IS NULL RETURNING *",
            (iso(now), escalation_id),
        )

    async def list_due_escalations(self) -> list[Escalation]:
        return await self._all(
            "escalations",
            "SELECT * FROM escalations WHERE status = 'open' AND acknowledged_by IS NULL "
            "AND overdue_at IS NULL ORDER BY deadline_at, rowid",
        )

    async def close_escalation(
        self, escalation_id: str, staff_id: str, outcome: str, now: datetime
    ) -> Escalation | None:
        return await self._one(
            "escalations",
            "UPDATE escalations SET status = 'closed', outcome = ?, closed_by = ?, "
            "closed_at = ? WHERE id = ? AND status = 'open' RETURNING *",
            (outcome, staff_id, iso(now), escalation_id),
        )

    async def list_unescalated(self) -> list[Message]:
        return await self._all(
            "messages",
            "SELECT * FROM messages WHERE status = 'escalated' AND NOT EXISTS "
            "(SELECT 1 FROM escalations e WHERE e.message_id = messages.id) "
            "ORDER BY created_at, rowid",
        )

    async def add_case_entry(self, entry: CaseEntry) -> CaseEntry:
        await self._insert("case_entries", entry)
        return entry

    async def list_case_entries(self, escalation_id: str) -> list[CaseEntry]:
        return await self._all(
            "case_entries",
            "SELECT * FROM case_entries WHERE escalation_id = ? ORDER BY at, rowid",
            (escalation_id,),
        )

    async def list_participant_escalations(self, participant_id: str) -> list[Escalation]:
        return await self._all(
            "escalations",
            "SELECT * FROM escalations WHERE participant_id = ? ORDER BY created_at, rowid",
            (participant_id,),
        )

    async def list_webchat_escalations(self, webchat_id: str) -> list[Escalation]:
        return await self._all(
            "escalations",
            "SELECT * FROM escalations WHERE webchat_id = ? ORDER BY created_at, rowid",
            (webchat_id,),
        )

    # Audit log
    async def append_audit(self, entry: AuditEntry) -> AuditEntry:
        await self._insert("audit", entry)
        return entry

    async def list_audit(
        self, *, subject: str | None = None, webchat_id: str | None = None, limit: int = 500
    ) -> list[AuditEntry]:
        where, params = ["1"], []
        if subject is not None:
            where.append("subject = ?")
            params.append(subject)
        if webchat_id is not None:
            where.append("webchat_id = ?")
            params.append(webchat_id)
        rows: list[AuditEntry] = await self._all(
            "audit",
            f"SELECT * FROM audit WHERE {' AND '.join(where)} ORDER BY at DESC, rowid DESC LIMIT ?",
            [*params, limit],
        )
        return rows[::-1]

    # Presence
    async def set_presence(self, key: str, username: str, role: str, expires_at: datetime
                           ) -> None:
        await self._db.execute(
            "INSERT INTO presence (key, username, role, expires_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
            (key, username, role, iso(expires_at)),
        )

    async def delete_presence(self, key: str) -> None:
        await self._db.execute("DELETE FROM presence WHERE key = ?", (key,))

    async def list_present(self, role: str, now: datetime) -> list[str]:
        async with self._db.execute(
            "SELECT DISTINCT username FROM presence WHERE role = ? AND expires_at > ? "
            "ORDER BY username", (role, iso(now)),
        ) as cur:
            return [str(row[0]) for row in await cur.fetchall()]

    # Retention
    async def purge(self, kind: str, before: datetime) -> int:
        cutoff = iso(before)
        statements = {
            "room_messages": ["DELETE FROM messages WHERE status IN ('pending', 'approved') "
                              "AND created_at < ?"],
            "rejected_messages": ["DELETE FROM messages WHERE status = 'rejected' "
                                  "AND created_at < ?"],
            "participants": ["DELETE FROM participants WHERE created_at < ?"],
            # The count reported is the last statement's.
            "staff_sessions": ["DELETE FROM presence WHERE expires_at < ?",
                               "DELETE FROM sessions WHERE expires_at < ?"],
            "escalations": [
                "DELETE FROM case_entries WHERE escalation_id IN (SELECT id FROM escalations "
                "WHERE status = 'closed' AND created_at < ?)",
                "DELETE FROM messages WHERE status = 'escalated' AND id IN (SELECT message_id "
                "FROM escalations WHERE status = 'closed' AND created_at < ?)",
                "DELETE FROM escalations WHERE status = 'closed' AND created_at < ?",
            ],
            "audit": ["DELETE FROM audit WHERE at < ?"],
        }
        if kind not in statements:
            raise ValueError(f"unknown retention kind {kind!r}")
        count = 0
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            for sql in statements[kind]:
                cur = await self._db.execute(sql, (cutoff,))
                count = cur.rowcount
        except BaseException:
            await self._db.execute("ROLLBACK")
            raise
        await self._db.execute("COMMIT")
        return count

