"""The moderation queue: young people's messages are stored, screened, held, claimed under a
lease, and decided exactly once. Every decision is audited with who, what and why.

Safeguarding policy: screening annotates and never rewrites; a possible disclosure is never
queued for the room but escalated at once (see chat/escalations.py)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from chat.escalations import EscalationService
from chat.models import AuditEntry, Message, Participant, Staff, Webchat, new_id, utcnow
from chat.notify import Notifier
from chat.staff import StaffNames
from chat.store import Store
from config.content import Content
from config.errors import InvalidInput, NotFound, SafechatError
from moderation.items import (
    APPROVED,
    ESCALATED,
    REJECTED,
    check_pending,
    check_transition,
    needs_escalation,
    priority_for,
    target_status,
)
from moderation.results import EMPTY
from moderation.screening import Screener

log = logging.getLogger(__name__)


class AlreadyClaimed(SafechatError):
    code = "already_claimed"
    http_status = 409


def room_message(m: Message) -> dict[str, Any]:
    at = m.decided_at or m.created_at
    return {
        "id": m.id,
        "handle": m.handle,
        "role": m.role,
        "text": m.shown_text,
        "at": at.isoformat(),
    }


def own_message(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "client_id": m.client_id,
        "text": m.text,
        "status": m.status,
        "at": m.created_at.isoformat(),
    }


def queue_item(m: Message, names: dict[str, str]) -> dict[str, Any]:
    screening = m.screening or {}
    return {
        "id": m.id,
        "webchat": m.webchat_id,
        "handle": m.handle,
        "text": m.text,
        "created_at": m.created_at.isoformat(),
        "status": m.status,
        "priority": m.priority,
        "claimed_by": names.get(m.claimed_by, m.claimed_by) if m.claimed_by else None,
        "lease_expires_at": m.lease_expires_at.isoformat() if m.lease_expires_at else None,
        "screening": screening,
        "suggested_text": screening.get("suggested_text"),
    }


class ModerationService:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        screener: Screener,
        escalations: EscalationService,
        content: Content,
        lease_s: float,
        staff_names: StaffNames,
    ) -> None:
        self.store = store
        self.staff_names = staff_names
        self.notify = notifier
        self.screener = screener
        self.escalations = escalations
        self.content = content
        self.lease = timedelta(seconds=lease_s)

    async def names(self, *staff_ids: str | None) -> dict[str, str]:
        return await self.staff_names.of(*staff_ids)

    async def item(self, m: Message) -> dict[str, Any]:
        return queue_item(m, await self.names(m.claimed_by))

    def screen(self, text: str) -> dict[str, Any]:
        """The message's screening for the queue item.

        Safeguarding policy: should screening itself fail (a bug in it or in its compiled
        build), the message is still stored and goes to the moderators unscreened, marked
        ``screening_failed`` and placed above everything but disclosures, so a human reads it
        soon; it is never lost and, like every message, never shown before a moderator
        approves it."""
        try:
            result = self.screener.screen(text)
        except Exception:
            log.exception("screening failed: the message goes to the moderators unscreened")
            data = EMPTY.to_dict()
            data["suggested_text"] = None
            data["screening_failed"] = True
            return data
        data = result.to_dict()
        data["suggested_text"] = result.suggested_redaction(text)
        return data

    async def do_submit(
        self, participant: Participant, webchat: Webchat, client_id: str, text: str
    ) -> tuple[Message, bool]:
        """Screen and durably store a young person's message, then route it: a possible
        disclosure to the safeguarding team, anything else to the moderators' queue."""
        screening = self.screen(text)
        severity = str(screening.get("severity", "none"))
        escalate = needs_escalation(severity)
        message = Message(
            id=new_id(),
            webchat_id=webchat.id,
            participant_id=participant.id,
            client_id=client_id,
            handle=participant.handle,
            role="young_person",
            text=text,
            status=ESCALATED if escalate else "pending",
            priority=priority_for(
                severity, bool(screening.get("pii")), bool(screening.get("screening_failed"))
            ),
            screening=screening,
        )
        stored, created = await self.store.insert_message(message)
        if not created:
            return stored, False
        if escalate:
            await self.escalations.do_escalate(stored, actor="screening")
        else:
            await self.notify.to_moderators("queue_item", {"item": await self.item(stored)})
        return stored, True

    async def pending_items(self) -> list[dict[str, Any]]:
        open_ids = [w.id for w in await self.store.list_webchats(["open"])]
        items = await self.store.list_pending(open_ids) if open_ids else []
        names = await self.names(*(m.claimed_by for m in items))
        return [queue_item(m, names) for m in items]

    async def _get(self, message_id: object) -> Message:
        if not isinstance(message_id, str):
            raise InvalidInput("id: a message id is required")
        message = await self.store.get_message(message_id)
        if message is None:
            raise NotFound("no such item")
        return message

    async def do_claim(self, staff: Staff, message_id: object) -> Message:
        message = await self._get(message_id)
        check_pending(message.status)
        now = utcnow()
        claimed = await self.store.claim(message.id, staff.id, now, now + self.lease)
        if claimed is None:
            fresh = await self._get(message.id)
            check_pending(fresh.status)
            holder = (await self.names(fresh.claimed_by)).get(fresh.claimed_by or "", "someone")
            raise AlreadyClaimed(f"{holder} is working on this item")
        if message.claimed_by != staff.id:
            await self.notify.to_moderators("queue_item", {"item": await self.item(claimed)})
        return claimed

    async def do_claim_next(self, staff: Staff) -> Message | None:
        """Zen mode: claim the most urgent, oldest unclaimed item of an open webchat."""
        open_ids = [w.id for w in await self.store.list_webchats(["open"])]
        if not open_ids:
            return None
        now = utcnow()
        claimed = await self.store.claim_next(staff.id, now, now + self.lease, open_ids)
        if claimed is not None:
            await self.notify.to_moderators("queue_item", {"item": await self.item(claimed)})
        return claimed

    async def author_context(self, message_id: object) -> list[dict[str, Any]]:
        """The author's earlier messages, for the moderator deciding this one."""
        message = await self._get(message_id)
        if message.participant_id is None:
            return []
        earlier = await self.store.list_participant_messages(message.participant_id, limit=21)
        return [
            {"id": m.id, "text": m.shown_text, "status": m.status, "at": m.created_at.isoformat()}
            for m in earlier
            if m.id != message.id
        ][-20:]

    async def do_renew(self, staff: Staff, message_ids: set[str]) -> None:
        now = utcnow()
        for message_id in list(message_ids):
            if await self.store.claim(message_id, staff.id, now, now + self.lease) is None:
                message_ids.discard(message_id)

    async def do_release(self, staff: Staff, message_id: object) -> None:
        message = await self._get(message_id)
        released = await self.store.release(message.id, staff.id)
        if released is not None:
            await self.notify.to_moderators("queue_item", {"item": await self.item(released)})

    async def do_release_all(self, staff_id: str) -> None:
        for message in await self.store.release_all(staff_id):
            await self.notify.to_moderators("queue_item", {"item": await self.item(message)})

    async def do_expire_leases(self) -> None:
        for message in await self.store.expire_leases(utcnow()):
            await self.notify.to_moderators("queue_item", {"item": await self.item(message)})

    async def do_decide(
        self,
        staff: Staff,
        message_id: object,
        action: object,
        text: object,
        reason: object,
        severity: object = None,
    ) -> Message:
        status = target_status(action)
        message = await self._get(message_id)
        severity = str((message.screening or {}).get("severity", "none"))
        check_transition(message.status, status, severity=severity)
        final_text = self._check_edit(message, text) if status == APPROVED else None
        reason_code = self._check_reason(reason) if status == REJECTED else None
        if status != REJECTED and isinstance(reason, str):
            reason_code = reason[:500]
        decided = await self.store.decide(
            message.id, staff.id, status, utcnow(), final_text=final_text, reason=reason_code
        )
        if decided is None:
            fresh = await self._get(message.id)
            check_transition(fresh.status, status, severity=severity)
            raise AlreadyClaimed("another moderator is working on this item")
        await self.store.append_audit(
            AuditEntry(
                new_id(),
                staff.id,
                f"message_{status}",
                decided.id,
                decided.webchat_id,
                {
                    "reason": reason_code,
                    "original_text": message.text,
                    "edited_text": final_text,
                    "username": staff.username,
                },
            )
        )
        await self.notify.to_moderators("queue_removed", {"id": decided.id, "status": status})
        await self._tell_author(decided)
        if status == APPROVED:
            await self.notify.to_room(decided.webchat_id, "message", room_message(decided))
        elif status == ESCALATED:
            await self.escalations.do_escalate(
                decided, actor=staff.id, severity=severity if isinstance(severity, str) else None
            )
        return decided

    def _check_edit(self, message: Message, text: object) -> str | None:
        if text is None or text == message.text:
            return None
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("text: the edited message cannot be empty")
        if len(text) > 2000:
            raise InvalidInput("text: too long", code="too_long")
        return text

    def _check_reason(self, reason: object) -> str:
        if reason is None:
            return "other"
        if not isinstance(reason, str) or reason not in self.content.reasons:
            raise InvalidInput(f"reason: one of {', '.join(self.content.reasons)}")
        return reason

    def own_outcome(self, m: Message) -> dict[str, Any]:
        """One of the author's own messages that was not shown, as they see it on return."""
        data = own_message(m)
        if m.status == REJECTED and m.reason in self.content.reasons:
            data["reason"] = m.reason
            data["reason_text"] = self.content.reasons[m.reason].text
        return data

    async def _tell_author(self, m: Message) -> None:
        """The author alone learns what happened to their message, in kind words."""
        if m.participant_id is None:
            return
        data: dict[str, Any] = {"id": m.id, "client_id": m.client_id, "status": m.status}
        if m.status == REJECTED and m.reason:
            data["reason"] = m.reason
            data["text"] = self.content.reasons[m.reason].text
        elif m.status == APPROVED and m.final_text is not None:
            data["text"] = m.final_text
        await self.notify.to_participant(m.participant_id, "message_status", data)

    async def do_post(self, staff: Staff, webchat: Webchat, text: object) -> Message:
        """A host (or any staff) speaks to the room directly; it is shown at once."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("text: a message is required")
        if len(text) > 2000:
            raise InvalidInput("text: too long", code="too_long")
        if webchat.state != "open":
            raise SafechatError("this webchat is not open", code="not_open")
        now = utcnow()
        message = Message(
            id=new_id(),
            webchat_id=webchat.id,
            participant_id=None,
            client_id=None,
            handle="Host",
            role="host",
            text=text,
            status=APPROVED,
            created_at=now,
            decided_by=staff.id,
            decided_at=now,
        )
        await self.store.insert_message(message)
        await self.store.append_audit(
            AuditEntry(new_id(), staff.id, "host_post", message.id, webchat.id, {"text": text})
        )
        await self.notify.to_room(webchat.id, "message", room_message(message))
        return message
