"""The MongoDB backend: PyMongo's async client, majority/journaled writes. Each conditional
operation is one ``find_one_and_update``, so it is atomic across processes. Insertion order
(SQLite's rowid tiebreak) is kept in a ``_seq`` field drawn from a counter document."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError
from pymongo.write_concern import WriteConcern

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
from chat.store import SEVERITY_RANK, DuplicateKey, StoreError
from chat.stores.codec import RECORDS, from_row, to_row

Doc = dict[str, Any]
T = TypeVar("T")
KEYS = {"sessions": "token_hash"}  # the field stored as _id; "id" for every other record
SEQ = "_seq"
UP, DOWN = ASCENDING, DESCENDING

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

QUEUE_ORDER = "-priority,created_at,_seq"
DUE = {"status": "open", "acknowledged_by": None, "overdue_at": None}
AFTER = ReturnDocument.AFTER
CLEAR_LEASE = {"$set": {"claimed_by": None, "lease_expires_at": None}}


def _keys(spec: str) -> list[tuple[str, int]]:
    """``"a,-b"`` -> ``[("a", ASCENDING), ("b", DESCENDING)]``."""
    return [(k.lstrip("-"), DOWN if k.startswith("-") else UP) for k in spec.split(",")]


def _claimable(now: datetime, staff_id: str | None = None) -> Doc:
    """Pending and unclaimed or its lease expired, or (when given) held by ``staff_id``."""
    free: list[Doc] = [{"claimed_by": None}, {"lease_expires_at": {"$lte": now}}]
    return {"status": "pending", "$or": free + ([{"claimed_by": staff_id}] if staff_id else [])}


def _in_webchats(query: Doc, webchat_ids: Sequence[str] | None) -> Doc:
    if webchat_ids is not None:
        query["webchat_id"] = {"$in": list(webchat_ids)}
    return query


class MongoStore:
    backend = "mongo"

    def __init__(self, client: AsyncMongoClient[Doc], db: AsyncDatabase[Doc]) -> None:
        self._client = client
        self._db = db

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
                keys = _keys(spec.lstrip("!?"))
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

    # Helpers
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
        cursor = self._c(table).find(query, sort=_keys(sort), limit=max(limit or 0, 0))
        docs = await cursor.to_list()
        return [self._rec(table, d) for d in docs]

    async def _update(
        self, table: str, query: Doc, update: Doc, sort: str | None = None
    ) -> Any | None:
        order = _keys(sort) if sort else None
        doc = await self._c(table).find_one_and_update(
            query, update, sort=order, return_document=AFTER
        )
        return self._rec(table, doc)

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

    # Messages
    async def insert_message(self, message: Message) -> tuple[Message, bool]:
        try:
            await self._c("messages").insert_one(await self._doc("messages", message))
            return message, True
        except DuplicateKeyError as exc:
            existing: Message | None = None
            if message.participant_id is not None and message.client_id is not None:
                existing = await self._one(
                    "messages",
                    {"participant_id": message.participant_id, "client_id": message.client_id},
                )
            if existing is None:
                raise DuplicateKey(f"message {message.id} already exists") from exc
            return existing, False

    async def get_message(self, message_id: str) -> Message | None:
        return await self._one("messages", {"_id": message_id})

    async def find_message(self, participant_id: str, client_id: str) -> Message | None:
        return await self._one("messages",
                               {"participant_id": participant_id, "client_id": client_id})

    async def list_approved(self, webchat_id: str, limit: int = 200) -> list[Message]:
        query = {"webchat_id": webchat_id, "status": "approved"}
        rows = await self._all("messages", query, "-decided_at,-_seq", limit)
        return rows[::-1]

    async def list_participant_messages(
        self, participant_id: str, *, statuses: Iterable[str] | None = None, limit: int = 50
    ) -> list[Message]:
        query: Doc = {"participant_id": participant_id}
        if statuses is not None:
            query["status"] = {"$in": list(statuses)}
        rows = await self._all("messages", query, "-created_at,-_seq", limit)
        return rows[::-1]

    # Moderation queue
    async def list_pending(
        self, webchat_ids: Sequence[str] | None = None, limit: int = 500
    ) -> list[Message]:
        query = _in_webchats({"status": "pending"}, webchat_ids)
        return await self._all("messages", query, QUEUE_ORDER, limit)

    async def claim(
        self, message_id: str, staff_id: str, now: datetime, lease_until: datetime
    ) -> Message | None:
        query = {"_id": message_id, **_claimable(now, staff_id)}
        update = {"$set": {"claimed_by": staff_id, "lease_expires_at": lease_until}}
        return await self._update("messages", query, update)

    async def claim_next(
        self,
        staff_id: str,
        now: datetime,
        lease_until: datetime,
        webchat_ids: Sequence[str] | None = None,
    ) -> Message | None:
        # Only items nobody holds (or whose lease ran out): unlike claim(), never renews.
        query = _in_webchats(_claimable(now), webchat_ids)
        update = {"$set": {"claimed_by": staff_id, "lease_expires_at": lease_until}}
        return await self._update("messages", query, update, QUEUE_ORDER)

    async def release(self, message_id: str, staff_id: str) -> Message | None:
        query = {"_id": message_id, "claimed_by": staff_id, "status": "pending"}
        return await self._update("messages", query, CLEAR_LEASE)

    async def _release_each(self, query: Doc) -> list[Message]:
        """Find candidates, then release each with its own conditional update, so that
        concurrent callers each report only the items they actually released."""
        ids = await self._c("messages").find(query, {"_id": 1}, sort=_keys(SEQ)).to_list()
        released = []
        for doc in ids:
            item = await self._update("messages", {**query, "_id": doc["_id"]}, CLEAR_LEASE)
            if item is not None:
                released.append(item)
        return released

    async def release_all(self, staff_id: str) -> list[Message]:
        return await self._release_each({"claimed_by": staff_id, "status": "pending"})

    async def expire_leases(self, now: datetime) -> list[Message]:
        return await self._release_each(
            {"status": "pending", "claimed_by": {"$ne": None}, "lease_expires_at": {"$lte": now}}
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
        fields = dict(status=status, decided_by=staff_id, decided_at=now, final_text=final_text)
        fields.update(reason=reason, claimed_by=None, lease_expires_at=None)
        query = {"_id": message_id, **_claimable(now, staff_id)}
        return await self._update("messages", query, {"$set": fields})

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


def _guard(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Report a lost connection as StoreError (503) rather than a driver exception."""

    @functools.wraps(fn)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except ConnectionFailure as exc:
            raise StoreError(f"MongoDB unavailable: {exc}") from exc

    return guarded


for _name, _fn in list(vars(MongoStore).items()):
    if not _name.startswith("_") and inspect.iscoroutinefunction(_fn):
        setattr(MongoStore, _name, _guard(_fn))

__all__ = ["MongoStore"]
