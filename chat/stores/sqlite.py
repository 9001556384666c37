"""The embedded backend: aiosqlite on one connection in autocommit mode, WAL with
synchronous=FULL so that a message is on disk before it is acknowledged. Each conditional
operation is one UPDATE ... RETURNING statement, so it is atomic across processes too.
The store is composed of parts by aggregate (sqlite_queue, sqlite_cases)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import aiosqlite

from chat.models import (
    Participant,
    Staff,
    StaffSession,
    Webchat,
)
from chat.store import StoreError
from chat.stores.codec import iso
from chat.stores.sqlite_cases import SqliteCases
from chat.stores.sqlite_queue import SqliteQueue
from chat.stores.sqlite_schema import MIGRATIONS


class SqliteStore(SqliteQueue, SqliteCases):
    backend = "sqlite"

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
            # processes sharing the file wait for each other's fsync: under load a write
            # waits up to 15 s for the lock rather than failing (a slow ack, not a lost one)
            "busy_timeout=15000",
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
