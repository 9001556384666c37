"""What the MongoDB store's parts share: the database handle, record <-> document mapping,
and insertion order (SQLite's rowid tiebreak) kept in a ``_seq`` field from a counter."""

from __future__ import annotations

from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chat.store import DuplicateKey
from chat.stores.codec import RECORDS, from_row, to_row

Doc = dict[str, Any]
T = TypeVar("T")
KEYS = {"sessions": "token_hash"}  # the field stored as _id; "id" for every other record
SEQ = "_seq"
UP, DOWN = ASCENDING, DESCENDING
AFTER = ReturnDocument.AFTER


def keys_of(spec: str) -> list[tuple[str, int]]:
    """``"a,-b"`` -> ``[("a", ASCENDING), ("b", DESCENDING)]``."""
    return [(k.lstrip("-"), DOWN if k.startswith("-") else UP) for k in spec.split(",")]


class MongoBase:
    def __init__(self, client: AsyncMongoClient[Doc], db: AsyncDatabase[Doc]) -> None:
        self._client = client
        self._db = db

    def _c(self, table: str) -> AsyncCollection[Doc]:
        return self._db[table]

    async def _next_seq(self) -> int:
        while True:
            try:
                doc = await self._c("counters").find_one_and_update(
                    {"_id": "seq"}, {"$inc": {"n": 1}}, upsert=True, return_document=AFTER
                )
            except DuplicateKeyError:  # two first-ever upserts raced; the loser retries
                continue
            assert doc is not None
            return int(doc["n"])

    async def _doc(self, table: str, record: Any) -> Doc:
        row = to_row(record, json_text=False)
        row["_id"] = row.pop(KEYS.get(table, "id"))
        row[SEQ] = await self._next_seq()
        return row

    @staticmethod
    def _rec(table: str, doc: Doc | None) -> Any | None:
        if doc is None:
            return None
        doc[KEYS.get(table, "id")] = doc["_id"]
        return from_row(RECORDS[table], doc)

    async def _insert(self, table: str, record: T) -> T:
        try:
            await self._c(table).insert_one(await self._doc(table, record))
        except DuplicateKeyError as exc:
            raise DuplicateKey(f"{table}: {exc}") from exc
        return record

    async def _one(self, table: str, query: Doc) -> Any | None:
        return self._rec(table, await self._c(table).find_one(query))

    async def _all(self, table: str, query: Doc, sort: str, limit: int | None = None) -> list[Any]:
        if limit == 0:  # as SQL's LIMIT 0; a negative limit means none, as in SQLite
            return []
        cursor = self._c(table).find(query, sort=keys_of(sort), limit=max(limit or 0, 0))
        docs = await cursor.to_list()
        return [self._rec(table, d) for d in docs]

    async def _update(
        self, table: str, query: Doc, update: Doc, sort: str | None = None
    ) -> Any | None:
        order = keys_of(sort) if sort else None
        doc = await self._c(table).find_one_and_update(
            query, update, sort=order, return_document=AFTER
        )
        return self._rec(table, doc)
