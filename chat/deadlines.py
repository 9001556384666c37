"""The acknowledgement-deadline watcher.

Safeguarding policy: a late or missed alert is the worst failure. Deadlines live in the store,
so a restarted server picks them up; marking a case overdue is a conditional update, so with
several processes each deadline fires exactly once; a disclosure left without a case (a crash
between two writes) is escalated here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from chat.case_views import staff_summary
from chat.escalations import EscalationService
from chat.models import utcnow

log = logging.getLogger(__name__)


class DeadlineWatcher:
    def __init__(self, cases: EscalationService) -> None:
        self.cases = cases

    async def do_fire_overdue(self, now: datetime | None = None) -> datetime | None:
        """Fire every deadline that has passed; return when the next one falls due."""
        now = now or utcnow()
        upcoming: datetime | None = None
        for e in await self.cases.store.list_due_escalations():
            if e.deadline_at > now:
                upcoming = e.deadline_at if upcoming is None else min(upcoming, e.deadline_at)
                continue
            marked = await self.cases.store.mark_overdue(e.id, now)
            if marked is None:
                continue
            view = await self.cases.view(marked)
            await self.cases.notify.to_leads("escalation", {"item": view, "overdue": True})
            await self.cases.notify.to_moderators("escalated", {"item": staff_summary(view)})
            await self.cases.audit(
                "system", "escalation_overdue", marked, to=await self.cases.roster(), overdue=True
            )
        return upcoming

    async def do_repair(self) -> int:
        """Escalate any message marked escalated that has no case yet (a crash or a store
        error between the two writes): no disclosure is ever left without an alert."""
        repaired = 0
        for message in await self.cases.store.list_unescalated():
            if await self.cases.do_escalate(message, actor="repair") is not None:
                repaired += 1
        return repaired

    async def run(self, poll_s: float = 5.0) -> None:
        """Run forever: sleep until the next deadline (or a new escalation, or ``poll_s`` as a
        safety net for escalations made by other processes), then fire what is due."""
        while True:
            try:
                await self.do_repair()
                upcoming = await self.do_fire_overdue()
            except Exception:  # keep watching: a transient store error must not stop alerts
                log.exception("deadline watcher failed; retrying")
                upcoming = None
            wait = poll_s
            if upcoming is not None:
                wait = max(0.0, min(poll_s, (upcoming - utcnow()).total_seconds() + 0.001))
            self.cases.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.cases.wake.wait(), timeout=wait)
