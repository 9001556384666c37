"""Who is on duty. Safeguarding policy: while a webchat is open there must be a safeguarding
lead connected; when there is none, moderators and admins see a standing warning and the gap
is written to the audit log (once when it starts, once when it ends)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chat.models import AuditEntry, new_id, utcnow
from chat.notify import Notifier
from chat.store import Store


class DutyService:
    """Leads' presence is kept in the store with a short expiry that each process refreshes
    for the leads connected to it, so every process agrees on who is on duty."""

    def __init__(self, store: Store, notifier: Notifier, presence_s: float = 30.0) -> None:
        self.store = store
        self.notify = notifier
        self.presence = timedelta(seconds=presence_s)
        self._warning: bool | None = None

    async def on_duty(self) -> list[str]:
        return await self.store.list_present("lead", utcnow())

    async def do_heartbeat(self) -> None:
        """Refresh the presence of the leads connected to this process."""
        until = utcnow() + self.presence
        for sid, username in list(self.notify.leads.items()):
            await self.store.set_presence(sid, username, "lead", until)

    async def status(self) -> dict[str, Any]:
        open_chats = await self.store.list_webchats(["open"])
        on_duty = await self.on_duty()
        return {
            "leads": on_duty,
            "open_webchats": [w.id for w in open_chats],
            "warning": bool(open_chats) and not on_duty,
        }

    async def do_check(self, *, always_emit: bool = True) -> dict[str, Any]:
        """Recompute; audit and tell staff when the warning starts or ends (and always, unless
        ``always_emit`` is False, as the schedule tick does)."""
        status = await self.status()
        changed = status["warning"] != self._warning
        if changed:
            if status["warning"] or self._warning is not None:
                await self.store.append_audit(
                    AuditEntry(
                        new_id(),
                        "system",
                        "no_lead_on_duty" if status["warning"] else "lead_on_duty",
                        None,
                        None,
                        {"leads": status["leads"], "open_webchats": status["open_webchats"]},
                    )
                )
            self._warning = status["warning"]
        if changed or always_emit:
            await self.notify.to_moderators("duty", status)
        return status

    async def do_lead_joined(self, sid: str, username: str) -> None:
        self.notify.leads[sid] = username
        await self.store.set_presence(sid, username, "lead", utcnow() + self.presence)
        await self.do_check()

    async def do_lead_left(self, sid: str) -> None:
        if self.notify.leads.pop(sid, None) is not None:
            await self.store.delete_presence(sid)
        await self.do_check()
