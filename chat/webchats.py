"""Webchats and their schedule: scheduled -> open at opens_at -> closed at closes_at."""

from __future__ import annotations

from datetime import UTC, datetime

from chat.models import AUDIENCES, AuditEntry, Webchat, new_id, utcnow
from chat.store import Store
from config.errors import InvalidInput, NotFound


def state_at(opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    if now >= closes_at:
        return "closed"
    return "open" if now >= opens_at else "scheduled"


def parse_time(value: object, name: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise InvalidInput(f"{name}: not an ISO 8601 time: {value!r}") from exc
    else:
        raise InvalidInput(f"{name}: an ISO 8601 time is required")
    if parsed.tzinfo is None:
        raise InvalidInput(f"{name}: give a time zone, e.g. 2026-12-01T18:00:00+00:00")
    parsed = parsed.astimezone(UTC)
    return parsed.replace(microsecond=parsed.microsecond - parsed.microsecond % 1000)


class WebchatService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def do_create(
        self, title: object, audience: object, opens_at: object, closes_at: object,
        actor: str = "system",
    ) -> Webchat:
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            raise InvalidInput("title: 1-200 characters")
        if audience not in AUDIENCES:
            raise InvalidInput(f"audience: one of {', '.join(AUDIENCES)}")
        opens = parse_time(opens_at, "opens")
        closes = parse_time(closes_at, "closes")
        if closes <= opens:
            raise InvalidInput("closes must be after opens")
        webchat = Webchat(new_id(), title.strip(), str(audience), opens, closes,
                          state_at(opens, closes, utcnow()))
        await self.store.create_webchat(webchat)
        await self.store.append_audit(
            AuditEntry(new_id(), actor, "webchat_created", webchat.id, webchat.id,
                       {"title": webchat.title})
        )
        return webchat

    async def get(self, webchat_id: object) -> Webchat:
        if not isinstance(webchat_id, str):
            raise NotFound("unknown webchat", code="unknown_webchat")
        webchat = await self.store.get_webchat(webchat_id)
        if webchat is None:
            raise NotFound("unknown webchat", code="unknown_webchat")
        return webchat

    async def list_current(self) -> list[Webchat]:
        return await self.store.list_webchats(["scheduled", "open"])

    async def open_ids(self) -> list[str]:
        return [w.id for w in await self.store.list_webchats(["open"])]

    async def do_tick(self, now: datetime | None = None) -> list[Webchat]:
        """Move every webchat whose time has come; returns those that changed (each change is
        a conditional update, so several processes can tick safely)."""
        now = now or utcnow()
        changed = []
        for webchat in await self.store.list_webchats(["scheduled", "open"], before=now):
            target = state_at(webchat.opens_at, webchat.closes_at, now)
            if target != webchat.state and await self.store.set_webchat_state(
                webchat.id, webchat.state, target
            ):
                changed.append(Webchat(**{**webchat.__dict__, "state": target}))
                await self.store.append_audit(
                    AuditEntry(new_id(), "system", f"webchat_{target}", webchat.id, webchat.id)
                )
        return changed
