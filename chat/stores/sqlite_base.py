"""What the SQLite store's parts share: the connection and row helpers."""

from __future__ import annotations

import sqlite3
from typing import Any

import aiosqlite

from chat.store import DuplicateKey
from chat.stores.codec import RECORDS, from_row, to_row


class SqliteBase:
    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self._path = path

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
