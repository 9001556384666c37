"""The retention schedule (ICO Children's Code: data minimisation, automatic expiry).

Privacy policy: each kind of record is kept only for the days published in
config/content.toml [retention], then deleted automatically. Open safeguarding cases are never
deleted; a closed case goes with its case entries and the escalated message."""

from __future__ import annotations

from datetime import datetime, timedelta

from chat.models import AuditEntry, new_id, utcnow
from chat.store import PURGE_KINDS, Store


class RetentionService:
    def __init__(self, store: Store, days: dict[str, int]) -> None:
        missing = [k for k in PURGE_KINDS if f"{k}_days" not in days]
        if missing:
            raise ValueError(f"retention: no period for {', '.join(missing)}")
        self.store = store
        self.days = {k: days[f"{k}_days"] for k in PURGE_KINDS}

    async def do_purge(self, now: datetime | None = None) -> dict[str, int]:
        now = now or utcnow()
        deleted = {}
        for kind, days in self.days.items():
            # Sessions are purged by expiry; everything else by age.
            cutoff = now if kind == "staff_sessions" else now - timedelta(days=days)
            deleted[kind] = await self.store.purge(kind, cutoff)
        if any(deleted.values()):
            await self.store.append_audit(AuditEntry(
                new_id(), "system", "retention_purge", None, None, {"deleted": deleted}))
        return deleted
