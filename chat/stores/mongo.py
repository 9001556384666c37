"""The MongoDB backend: PyMongo's async client, majority/journaled writes. Each conditional
operation is one ``find_one_and_update``, so it is atomic across processes. The store is
composed of parts by aggregate (mongo_queue, mongo_cases)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import ConnectionFailure, PyMongoError
from pymongo.write_concern import WriteConcern

from chat.models import (
    Participant,
    Staff,
    StaffSession,
    Webchat,
)
from chat.store import StoreError
from chat.stores.mongo_base import Doc, keys_of
from chat.stores.mongo_cases import MongoCases
from chat.stores.mongo_queue import MongoQueue

# Index specs: comma-separated keys ("-" for descending); "!" makes it unique and "?" unique
# over documents where every key is a string (SQL's UNIQUE, which lets NULLs repeat).
INDEXES: dict[str, list[str]] = {
    "webchats": ["state,opens_at", "opens_at,_seq"],
    "participants": ["!webchat_id,handle", "!token_hash"],
    "messages": [
        "?participant_id,client_id",
        "status,-priority,created_at,_seq",
        "webchat_id,status,decided_at",
        "participant_id,created_at",
        "claimed_by",
    ],
    "staff": ["!username"],
    "escalations": ["!message_id", "status,deadline_at", "participant_id,created_at"],
    "case_entries": ["escalation_id,at,_seq"],
    "audit": ["subject,at", "webchat_id,at", "at,_seq"],
}


class MongoStore(MongoQueue, MongoCases):
    backend = "mongo"

    @classmethod
    async def open(cls, url: str) -> MongoStore:
        try:
            client: AsyncMongoClient[Doc] = AsyncMongoClient(
                url, tz_aware=True, tzinfo=UTC, serverSelectionTimeoutMS=10_000
            )
        except Exception as exc:  # bad URL or options
            raise StoreError(f"cannot open MongoDB database: {exc}") from exc
        db = client.get_default_database(
            "safechat", write_concern=WriteConcern(w="majority", j=True)
        )
        store = cls(client, db)
        try:
            await db.command("ping")
            await store._create_indexes()
        except PyMongoError as exc:
            await client.close()
            raise StoreError(f"cannot reach MongoDB: {exc}") from exc
        return store

    async def _create_indexes(self) -> None:
        for table, specs in INDEXES.items():
            for spec in specs:
                keys = keys_of(spec.lstrip("!?"))
                options: Doc = {"unique": spec[0] in "!?"}
                if spec[0] == "?":
                    filt = {n: {"$type": "string"} for n, _ in keys}
                    options["partialFilterExpression"] = filt
                await self._c(table).create_index(keys, **options)

    async def ping(self) -> dict[str, object]:
        await self._db.command("ping")
        return {"backend": self.backend, "database": self._db.name}

    async def close(self) -> None:
        await self._client.close()

    # Webchats
    async def create_webchat(self, webchat: Webchat) -> Webchat:
        return await self._insert("webchats", webchat)

    async def get_webchat(self, webchat_id: str) -> Webchat | None:
        return await self._one("webchats", {"_id": webchat_id})

    async def list_webchats(
        self, states: Iterable[str] | None = None, *, before: datetime | None = None
    ) -> list[Webchat]:
        query: Doc = {}
        if states is not None:
            query["state"] = {"$in": list(states)}
        if before is not None:
            query["opens_at"] = {"$lt": before}
        return await self._all("webchats", query, "opens_at,_seq")

    async def set_webchat_state(self, webchat_id: str, expected: str, state: str) -> bool:
        query = {"_id": webchat_id, "state": expected}
        return await self._update("webchats", query, {"$set": {"state": state}}) is not None

    # Participants
    async def create_participant(self, participant: Participant) -> Participant:
        return await self._insert("participants", participant)

    async def get_participant(self, participant_id: str) -> Participant | None:
        return await self._one("participants", {"_id": participant_id})

    async def find_participant_by_token(self, token_hash: str) -> Participant | None:
        return await self._one("participants", {"token_hash": token_hash})

    # Staff
    async def create_staff(self, staff: Staff) -> Staff:
        return await self._insert("staff", staff)

    async def get_staff(self, staff_id: str) -> Staff | None:
        return await self._one("staff", {"_id": staff_id})

    async def find_staff(self, username: str) -> Staff | None:
        return await self._one("staff", {"username": username})

    async def list_staff(self) -> list[Staff]:
        return await self._all("staff", {}, "username")

    async def create_session(self, session: StaffSession) -> None:
        await self._insert("sessions", session)

    async def get_session(self, token_hash: str) -> StaffSession | None:
        return await self._one("sessions", {"_id": token_hash})

    async def delete_session(self, token_hash: str) -> None:
        await self._c("sessions").delete_one({"_id": token_hash})


def _guard(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Report a lost connection as StoreError (503) rather than a driver exception."""

    @functools.wraps(fn)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except ConnectionFailure as exc:
            raise StoreError(f"MongoDB unavailable: {exc}") from exc

    return guarded


for _name, _fn in inspect.getmembers(MongoStore, inspect.iscoroutinefunction):
    if not _name.startswith("_"):
        setattr(MongoStore, _name, _guard(_fn))

__all__ = ["MongoStore"]
