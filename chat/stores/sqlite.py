"""The embedded backend: aiosqlite on one connection in autocommit mode, WAL with
synchronous=FULL so that a message is on disk before it is acknowledged. Each conditional
operation is one UPDATE ... RETURNING statement, so it is atomic across processes too."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

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
from chat.store import DuplicateKey, StoreError
from chat.stores.codec import RECORDS, columns, from_row, iso, to_row

T = TypeVar("T")

MIGRATIONS: list[str] = [
    """
    CREATE TABLE webchats (id TEXT PRIMARY KEY, title TEXT NOT NULL, audience TEXT NOT NULL,
        opens_at TEXT NOT NULL, closes_at TEXT NOT NULL, state TEXT NOT NULL,
        created_at TEXT NOT NULL);
    CREATE INDEX webchats_state ON webchats (state, opens_at);
    CREATE TABLE participants (id TEXT PRIMARY KEY, webchat_id TEXT NOT NULL,
        handle TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
        UNIQUE (webchat_id, handle));
    CREATE TABLE messages (id TEXT PRIMARY KEY, webchat_id TEXT NOT NULL,
        participant_id TEXT, client_id TEXT, handle TEXT NOT NULL, role TEXT NOT NULL,
        text TEXT NOT NULL, status TEXT NOT NULL, priority INTEGER NOT NULL,
        created_at TEXT NOT NULL, screening TEXT, claimed_by TEXT, lease_expires_at TEXT,
        decided_by TEXT, decided_at TEXT, final_text TEXT, reason TEXT,
        UNIQUE (participant_id, client_id));
    CREATE INDEX messages_queue ON messages (status, priority DESC, created_at);
    CREATE INDEX messages_room ON messages (webchat_id, status, decided_at);
    CREATE INDEX messages_author ON messages (participant_id, created_at);
    CREATE INDEX messages_claims ON messages (claimed_by);
    CREATE TABLE staff (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL, roles TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, staff_id TEXT NOT NULL,
        expires_at TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE escalations (id TEXT PRIMARY KEY, message_id TEXT NOT NULL UNIQUE,
        webchat_id TEXT NOT NULL, participant_id TEXT NOT NULL, handle TEXT NOT NULL,
        severity TEXT NOT NULL, categories TEXT NOT NULL, spans TEXT NOT NULL,
        context TEXT NOT NULL, text TEXT NOT NULL, deadline_at TEXT NOT NULL,
        created_at TEXT NOT NULL, status TEXT NOT NULL, acknowledged_by TEXT,
        acknowledged_at TEXT, overdue_at TEXT, outcome TEXT, closed_by TEXT, closed_at TEXT);
    CREATE INDEX escalations_open ON escalations (status, deadline_at);
    CREATE INDEX escalations_participant ON escalations (participant_id);
    CREATE TABLE case_entries (id TEXT PRIMARY KEY, escalation_id TEXT NOT NULL,
        kind TEXT NOT NULL, actor TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL,
        screening TEXT);
    CREATE INDEX case_entries_case ON case_entries (escalation_id, at);
    CREATE TABLE audit (id TEXT PRIMARY KEY, actor TEXT NOT NULL, action TEXT NOT NULL,
        subject TEXT, webchat_id TEXT, detail TEXT NOT NULL, at TEXT NOT NULL);
    CREATE INDEX audit_subject ON audit (subject, at);
    CREATE INDEX audit_webchat ON audit (webchat_id, at);
    """,
    """
    CREATE TABLE presence (key TEXT PRIMARY KEY, username TEXT NOT NULL, role TEXT NOT NULL,
        expires_at TEXT NOT NULL);
    CREATE INDEX presence_role ON presence (role, expires_at);
    """,
]

SEVERITY_ORDER = (
    "CASE severity WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END DESC"
)
CLAIMABLE = "status = 'pending' AND (claimed_by IS NULL OR lease_expires_at <= :now)"


class SqliteStore:
    backend = "sqlite"

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self._path = path

    @classmethod
    async def open(cls, path: str) -> SqliteStore:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite database {path}: {exc}") from exc
        db.row_factory = aiosqlite.Row
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "busy_timeout=5000",
        ):
            await db.execute(f"PRAGMA {pragma}")
        store = cls(db, path)
        await store._migrate()
        return store

    async def _migrate(self) -> None:
        async with self._db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        version = int(row[0]) if row else 0
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self._db.executescript(
                f"BEGIN IMMEDIATE; {script}; PRAGMA user_version = {number}; COMMIT;"
            )

    async def ping(self) -> dict[str, object]:
        async with self._db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return {"backend": self.backend, "schema_version": int(row[0]) if row else 0}

    async def close(self) -> None:
        await self._db.close()

    # Helpers
    async def _insert(self, table: str, record: Any) -> None:
        row = to_row(record, json_text=True)
        names = ", ".join(row)
        marks = ", ".join(f":{n}" for n in row)
        try:
            await self._db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", row)
        except sqlite3.IntegrityError as exc:
            raise DuplicateKey(f"{table}: {exc}") from exc

    async def _all(self, table: str, sql: str, params: Any = ()) -> list[Any]:
        async with self._db.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [from_row(RECORDS[table], r) for r in rows]

    async def _one(self, table: str, sql: str, params: Any = ()) -> Any | None:
        rows = await self._all(table, sql, params)
        return rows[0] if rows else None

    # Webchats
    async def create_webchat(self, webchat: Webchat) -> Webchat:
        await self._insert("webchats", webchat)
        return webchat

    async def get_webchat(self, webchat_id: str) -> Webchat | None:
        return await self._one("webchats", "SELECT * FROM webchats WHERE id = ?", (webchat_id,))

    async def list_webchats(
        self, states: Iterable[str] | None = None, *, before: datetime | None = None
    ) -> list[Webchat]:
        where, params = ["1"], []
        if states is not None:
            states = list(states)
            where.append(f"state IN ({', '.join('?' for _ in states)})")
            params += states
        if before is not None:
            where.append("opens_at < ?")
            params.append(iso(before))
        sql = f"SELECT * FROM webchats WHERE {' AND '.join(where)} ORDER BY opens_at, rowid"
        return await self._all("webchats", sql, params)

    async def set_webchat_state(self, webchat_id: str, expected: str, state: str) -> bool:
        cur = await self._db.execute(
            "UPDATE webchats SET state = ? WHERE id = ? AND state = ?",
            (state, webchat_id, expected),
        )
        return cur.rowcount == 1

    # Participants
    async def create_participant(self, participant: Participant) -> Participant:
        await self._insert("participants", participant)
        return participant

    async def get_participant(self, participant_id: str) -> Participant | None:
        return await self._one(
            "participants", "SELECT * FROM participants WHERE id = ?", (participant_id,)
        )

    async def find_participant_by_token(self, token_hash: str) -> Participant | None:
        return await self._one(
            "participants", "SELECT * FROM participants WHERE token_hash = ?", (token_hash,)
        )

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

    # Staff
    async def create_staff(self, staff: Staff) -> Staff:
        await self._insert("staff", staff)
        return staff

    async def get_staff(self, staff_id: str) -> Staff | None:
        return await self._one("staff", "SELECT * FROM staff WHERE id = ?", (staff_id,))

    async def find_staff(self, username: str) -> Staff | None:
        return await self._one("staff", "SELECT * FROM staff WHERE username = ?", (username,))

    async def list_staff(self) -> list[Staff]:
        return await self._all("staff", "SELECT * FROM staff ORDER BY username")

    async def create_session(self, session: StaffSession) -> None:
        await self._insert("sessions", session)

    async def get_session(self, token_hash: str) -> StaffSession | None:
        return await self._one(
            "sessions", "SELECT * FROM sessions WHERE token_hash = ?", (token_hash,)
        )

    async def delete_session(self, token_hash: str) -> None:
        await self._db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

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


__all__ = ["SqliteStore", "columns"]
