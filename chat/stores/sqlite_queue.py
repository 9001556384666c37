"""SQLite: messages and the moderation queue. Every conditional change (claim, release,
decide) is one UPDATE ... RETURNING, atomic across connections and processes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from chat.models import (
    Message,
)
from chat.store import DuplicateKey
from chat.stores.codec import iso, to_row
from chat.stores.sqlite_base import SqliteBase

CLAIMABLE = "status = 'pending' AND (claimed_by IS NULL OR lease_expires_at <= :now)"


class SqliteQueue(SqliteBase):
    # Messages
    async def insert_message(self, message: Message) -> tuple[Message, bool]:
        row = to_row(message, json_text=True)
        names = ", ".join(row)
        marks = ", ".join(f":{n}" for n in row)
        inserted = await self._one(
            "messages",
            f"INSERT INTO messages ({names}) VALUES ({marks}) "
            "ON CONFLICT (participant_id, client_id) DO NOTHING RETURNING *",
            row,
        )
        if inserted is not None:
            return inserted, True
        existing = await self._one(
            "messages",
            "SELECT * FROM messages WHERE participant_id = ? AND client_id = ?",
            (message.participant_id, message.client_id),
        )
        if existing is None:
            raise DuplicateKey(f"message {message.id} already exists")
        return existing, False

    async def get_message(self, message_id: str) -> Message | None:
        return await self._one("messages", "SELECT * FROM messages WHERE id = ?", (message_id,))

    async def find_message(self, participant_id: str, client_id: str) -> Message | None:
        return await self._one(
            "messages", "SELECT * FROM messages WHERE participant_id = ? AND client_id = ?",
            (participant_id, client_id),
        )

    async def list_approved(self, webchat_id: str, limit: int = 200) -> list[Message]:
        rows: list[Message] = await self._all(
            "messages",
            "SELECT * FROM messages WHERE webchat_id = ? AND status = 'approved' "
            "ORDER BY decided_at DESC, rowid DESC LIMIT ?",
            (webchat_id, limit),
        )
        return rows[::-1]

    async def list_webchat_messages(self, webchat_id: str) -> list[Message]:
        return await self._all(
            "messages", "SELECT * FROM messages WHERE webchat_id = ? ORDER BY created_at, rowid",
            (webchat_id,),
        )

    async def list_participant_messages(
        self, participant_id: str, *, statuses: Iterable[str] | None = None, limit: int = 50
    ) -> list[Message]:
        params: list[Any] = [participant_id]
        extra = ""
        if statuses is not None:
            statuses = list(statuses)
            extra = f" AND status IN ({', '.join('?' for _ in statuses)})"
            params += statuses
        rows: list[Message] = await self._all(
            "messages",
            f"SELECT * FROM messages WHERE participant_id = ?{extra} "
            "ORDER BY created_at DESC, rowid DESC LIMIT ?",
            [*params, limit],
        )
        return rows[::-1]

    # Moderation queue
    @staticmethod
    def _in_webchats(webchat_ids: Sequence[str] | None, params: dict[str, Any]) -> str:
        if webchat_ids is None:
            return ""
        for i, wid in enumerate(webchat_ids):
            params[f"w{i}"] = wid
        return f" AND webchat_id IN ({', '.join(f':w{i}' for i in range(len(webchat_ids)))})"

    async def list_pending(
        self, webchat_ids: Sequence[str] | None = None, limit: int = 500
    ) -> list[Message]:
        params: dict[str, Any] = {"limit": limit}
        extra = self._in_webchats(webchat_ids, params)
        return await self._all(
            "messages",
            f"SELECT * FROM messages WHERE status = 'pending'{extra} "
            "ORDER BY priority DESC, created_at, rowid LIMIT :limit",
            params,
        )

    async def claim(
        self, message_id: str, staff_id: str, now: datetime, lease_until: datetime
    ) -> Message | None:
        return await self._one(
            "messages",
            "UPDATE messages SET claimed_by = :staff, lease_expires_at = :until "
            f"WHERE id = :id AND ({CLAIMABLE} OR (status = 'pending' AND claimed_by = :staff)) "
            "RETURNING *",
            {"staff": staff_id, "until": iso(lease_until), "id": message_id, "now": iso(now)},
        )

    async def claim_next(
        self,
        staff_id: str,
        now: datetime,
        lease_until: datetime,
        webchat_ids: Sequence[str] | None = None,
    ) -> Message | None:
        params: dict[str, Any] = {"staff": staff_id, "until": iso(lease_until), "now": iso(now)}
        extra = self._in_webchats(webchat_ids, params)
        return await self._one(
            "messages",
            "UPDATE messages SET claimed_by = :staff, lease_expires_at = :until WHERE id = ("
            f"SELECT id FROM messages WHERE {CLAIMABLE}{extra} "
            "ORDER BY priority DESC, created_at, rowid LIMIT 1) RETURNING *",
            params,
        )

    async def release(self, message_id: str, staff_id: str) -> Message | None:
        return await self._one(
            "messages",
            "UPDATE messages SET claimed_by = NULL, lease_expires_at = NULL "
            "WHERE id = ? AND claimed_by = ? AND status = 'pending' RETURNING *",
            (message_id, staff_id),
        )

    async def release_all(self, staff_id: str) -> list[Message]:
        return await self._all(
            "messages",
            "UPDATE messages SET claimed_by = NULL, lease_expires_at = NULL "
            "WHERE claimed_by = ? AND status = 'pending' RETURNING *",
            (staff_id,),
        )

    async def expire_leases(self, now: datetime) -> list[Message]:
        return await self._all(
            "messages",
            "UPDATE messages SET claimed_by = NULL, lease_expires_at = NULL "
            "WHERE status = 'pending' AND claimed_by IS NOT NULL AND lease_expires_at <= ? "
            "RETURNING *",
            (iso(now),),
        )

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
        return await self._one(
            "messages",
            "UPDATE messages SET status = :status, decided_by = :staff, decided_at = :now, "
            "final_text = :final, reason = :reason, claimed_by = NULL, lease_expires_at = NULL "
            f"WHERE id = :id AND ({CLAIMABLE} OR (status = 'pending' AND claimed_by = :staff)) "
            "RETURNING *",
            {
                "status": status,
                "staff": staff_id,
                "now": iso(now),
                "final": final_text,
                "reason": reason,
                "id": message_id,
            },
        )
