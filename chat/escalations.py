"""Safeguarding escalations: immediate signposting, real-time alerts with acknowledgement
deadlines that survive restarts, the anonymous 1:1 follow-up, and the case record.

Safeguarding policy: the young person is signposted and every lead alerted at once; the case
stores its deadline, which chat/deadlines.py watches. Every step is audited."""

from __future__ import annotations

import asyncio
from typing import Any

from chat.case_views import check_text, entry_view, escalation_view, staff_summary
from chat.models import (
    AuditEntry,
    CaseEntry,
    Escalation,
    Message,
    Participant,
    Staff,
    new_id,
    utcnow,
)
from chat.notify import Notifier
from chat.staff import StaffNames
from chat.store import DuplicateKey, Store
from config.content import Content
from config.errors import InvalidInput, NotFound, SafechatError
from moderation.escalation import deadline, escalation_severity

TEAM = "Safeguarding team"


class AlreadyAcknowledged(SafechatError):
    code = "already_acknowledged"
    http_status = 409


class EscalationService:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        content: Content,
        deadlines_s: dict[str, float],
        staff_names: StaffNames,
        context_messages: int = 10,
    ) -> None:
        self.store = store
        self.staff_names = staff_names
        self.notify = notifier
        self.content = content
        self.deadlines_s = deadlines_s
        self.context_messages = context_messages
        self.wake = asyncio.Event()

    async def roster(self) -> list[str]:
        """The leads on duty when an alert goes out (any process), for the audit log."""
        return await self.store.list_present("lead", utcnow())

    async def names(self, *staff_ids: str | None) -> dict[str, str]:
        return await self.staff_names.of(*staff_ids)

    async def view(self, e: Escalation) -> dict[str, Any]:
        return escalation_view(e, await self.names(e.acknowledged_by, e.closed_by))

    def support_payload(self) -> dict[str, Any]:
        support = self.content.support
        return {
            "text": support.text,
            "resources": [r.model_dump(exclude_none=True) for r in support.resources],
        }

    async def audit(self, actor: str, action: str, e: Escalation, **detail: Any) -> None:
        await self.store.append_audit(
            AuditEntry(new_id(), actor, action, e.id, e.webchat_id, detail)
        )

    async def do_escalate(
        self, message: Message, actor: str, severity: str | None = None
    ) -> Escalation | None:
        """Store the case, signpost the young person at once, alert every lead at once.
        Returns None if this message already has a case (nothing is sent twice)."""
        screening = message.screening or {}
        screened = str(screening.get("severity", "none"))
        level = screened if actor == "screening" else escalation_severity(screened, severity)
        assert message.participant_id is not None
        await self.notify.to_participant(
            message.participant_id, "support", self.support_payload())
        earlier = await self.store.list_participant_messages(
            message.participant_id, limit=self.context_messages + 1
        )
        context = (
            tuple(
                {"id": m.id, "text": m.text, "status": m.status, "at": m.created_at.isoformat()}
                for m in earlier
                if m.id != message.id
            )[-self.context_messages :]
            if self.context_messages
            else ()
        )
        now = utcnow()
        escalation = Escalation(
            id=new_id(),
            message_id=message.id,
            webchat_id=message.webchat_id,
            participant_id=message.participant_id,
            handle=message.handle,
            severity=level,
            categories=tuple(screening.get("categories", ())),
            spans=tuple(s for s in screening.get("spans", ()) if isinstance(s, dict)),
            context=context,
            text=message.text,
            created_at=now,
            deadline_at=deadline(now, level, self.deadlines_s),
        )
        try:
            await self.store.create_escalation(escalation)
        except DuplicateKey:
            return None
        self.wake.set()
        # Alert first, audit after: the record of the alert must never delay the alert.
        view = await self.view(escalation)
        await self.notify.to_leads("escalation", {"item": view})
        await self.notify.to_moderators("escalated", {"item": staff_summary(view)})
        await self.audit(actor, "escalation_created", escalation, message_id=message.id,
                         severity=level)
        await self.audit("system", "escalation_delivered", escalation,
                         to=await self.roster(), overdue=False)
        return escalation

    async def open_items(self) -> list[dict[str, Any]]:
        return [await self.view(e) for e in await self.store.list_open_escalations()]

    async def staff_items(self) -> list[dict[str, Any]]:
        return [staff_summary(await self.view(e))
                for e in await self.store.list_open_escalations()]

    async def private_history(self, participant_id: str) -> list[dict[str, Any]]:
        """A young person's own private conversation (never the team's notes)."""
        out: list[dict[str, Any]] = []
        for e in await self.store.list_participant_escalations(participant_id):
            if e.status != "open":
                continue
            for entry in await self.store.list_case_entries(e.id):
                if entry.kind == "to_young_person":
                    out.append({"id": entry.id, "from": TEAM, "text": entry.text,
                                "at": entry.at.isoformat()})
                elif entry.kind == "from_young_person":
                    out.append({"id": entry.id, "from": "you", "text": entry.text,
                                "at": entry.at.isoformat()})
        return out

    async def _get(self, escalation_id: object) -> Escalation:
        if not isinstance(escalation_id, str):
            raise InvalidInput("escalation_id: required")
        e = await self.store.get_escalation(escalation_id)
        if e is None:
            raise NotFound("no such escalation")
        return e

    async def do_acknowledge(self, staff: Staff, escalation_id: object) -> Escalation:
        e = await self._get(escalation_id)
        done = await self.store.acknowledge_escalation(e.id, staff.id, utcnow())
        if done is None:
            fresh = await self._get(e.id)
            who = (await self.names(fresh.acknowledged_by)).get(fresh.acknowledged_by or "")
            raise AlreadyAcknowledged(f"{who or 'another lead'} has already taken this case")
        await self.audit(staff.id, "escalation_acknowledged", done, username=staff.username)
        view = await self.view(done)
        await self.notify.to_leads("escalation_updated", {"item": view})
        await self.notify.to_moderators("escalated", {"item": staff_summary(view)})
        return done

    async def _open_case(self, escalation_id: object) -> Escalation:
        e = await self._get(escalation_id)
        if e.status != "open":
            raise SafechatError("this case is closed", code="closed")
        return e

    async def do_private_message(
        self, staff: Staff, escalation_id: object, text: object
    ) -> CaseEntry:
        e = await self._open_case(escalation_id)
        body = check_text(text)
        entry = await self.store.add_case_entry(
            CaseEntry(new_id(), e.id, "to_young_person", staff.id, body)
        )
        await self.audit(staff.id, "private_message_sent", e, entry=entry.id)
        await self.notify.to_participant(
            e.participant_id,
            "private_message",
            {"id": entry.id, "from": TEAM, "text": body, "at": entry.at.isoformat()},
        )
        await self.notify.to_leads(
            "case_entry", {"escalation_id": e.id, "entry": entry_view(entry, staff.username)}
        )
        return entry

    async def do_private_reply(
        self, participant: Participant, text: object, screening: dict[str, Any]
    ) -> CaseEntry:
        cases = [
            c
            for c in await self.store.list_participant_escalations(participant.id)
            if c.status == "open"
        ]
        if not cases:
            raise SafechatError("there is no private conversation open", code="no_conversation")
        e = cases[-1]
        body = check_text(text)
        entry = await self.store.add_case_entry(
            CaseEntry(
                new_id(), e.id, "from_young_person", participant.handle, body, screening=screening
            )
        )
        await self.audit(participant.handle, "private_reply_received", e, entry=entry.id)
        await self.notify.to_leads(
            "case_entry", {"escalation_id": e.id, "entry": entry_view(entry, participant.handle)}
        )
        return entry

    async def do_note(self, staff: Staff, escalation_id: object, text: object) -> CaseEntry:
        e = await self._get(escalation_id)
        entry = await self.store.add_case_entry(
            CaseEntry(new_id(), e.id, "note", staff.id, check_text(text))
        )
        await self.audit(staff.id, "note_added", e, entry=entry.id)
        await self.notify.to_leads(
            "case_entry", {"escalation_id": e.id, "entry": entry_view(entry, staff.username)}
        )
        return entry

    async def do_close(
        self, staff: Staff, escalation_id: object, outcome: object, note: object
    ) -> Escalation:
        if not isinstance(outcome, str) or outcome not in self.content.outcomes:
            raise InvalidInput(f"outcome: one of {', '.join(self.content.outcomes)}")
        e = await self._open_case(escalation_id)
        if note not in (None, ""):
            await self.do_note(staff, e.id, note)
        closed = await self.store.close_escalation(e.id, staff.id, outcome, utcnow())
        if closed is None:
            raise SafechatError("this case is closed", code="closed")
        await self.audit(staff.id, "escalation_closed", closed, outcome=outcome)
        view = await self.view(closed)
        await self.notify.to_leads("escalation_updated", {"item": view})
        await self.notify.to_moderators("escalated", {"item": staff_summary(view)})
        return closed

    async def case_record(self, escalation_id: str) -> dict[str, Any]:
        e = await self._get(escalation_id)
        entries = await self.store.list_case_entries(e.id)
        names = await self.names(*(x.actor for x in entries if x.kind != "from_young_person"))
        return {
            "escalation": await self.view(e),
            "entries": [entry_view(x, names.get(x.actor, x.actor)) for x in entries],
            "audit": [
                {
                    "actor": names.get(a.actor, a.actor),
                    "action": a.action,
                    "at": a.at.isoformat(),
                    "detail": a.detail,
                }
                for a in await self.store.list_audit(subject=e.id)
            ],
        }
