"""MongoDB: messages and the moderation queue; each conditional change is one
``find_one_and_update``, atomic across processes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from chat.models import (
    Message,
)
from chat.store import DuplicateKey
from chat.stores.mongo_base import SEQ, Doc, MongoBase, keys_of

QUEUE_ORDER = "-priority,created_at,_seq"
CLEAR_LEASE = {"$set": {"claimed_by": None, "lease_expires_at": None}}


def _claimable(now: datetime, staff_id: str | None = None) -> Doc:
    """Pending and unclaimed or its lease expired, or (when given) held by ``staff_id``."""
    free: list[Doc] = [{"claimed_by": None}, {"lease_expires_at": {"$lte": now}}]
    return {"status": "pending", "$or": free + ([{"claimed_by": staff_id}] if staff_id else [])}


def _in_webchats(query: Doc, webchat_ids: Sequence[str] | None) -> Doc:
    if webchat_ids is not None:
        query["webchat_id"] = {"$in": list(webchat_ids)}
    return query


class MongoQueue(MongoBase):
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

    async def list_webchat_messages(self, webchat_id: str) -> list[Message]:
        return await self._all("messages", {"webchat_id": webchat_id}, "created_at,_seq")

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
        ids = await self._c("messages").find(query, {"_id": 1}, sort=keys_of(SEQ)).to_list()
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
