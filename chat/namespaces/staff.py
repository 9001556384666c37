"""/moderation (moderators, leads, admins; hosts may only post) and /safeguarding (leads and
admins). Staff sockets authenticate with the session cookie or ``auth: {token}``."""

from __future__ import annotations

from typing import Any

from chat.models import Staff
from chat.namespaces.base import Ack, BaseNamespace, ok, refuse, session_token
from chat.notify import LEADS_ROOM, STAFF_ROOM
from config.errors import Forbidden, SafechatError
from moderation.escalation import LEAD_ROLES, MODERATION_ROLES


class StaffNamespace(BaseNamespace):
    roles: frozenset[str] = frozenset()
    flood_limit = (600, 10.0)  # a moderator working fast sends far more than a young person

    async def authenticate(self, environ: dict[str, Any], auth: Any) -> Staff:
        try:
            staff = await self.services.staff.authenticate(session_token(environ, auth))
        except SafechatError as exc:
            raise refuse("unauthorized", exc.message) from exc
        if not self.roles & set(staff.roles):
            raise refuse("unauthorized", "your role cannot use this")
        return staff

    async def staff(self, sid: str) -> Staff:
        session = await self.get_session(sid)
        staff = await self.services.store.get_staff(session["staff"])
        if staff is None:
            raise Forbidden("please log in again")
        return staff


class ModerationNamespace(StaffNamespace):
    roles = MODERATION_ROLES | {"host"}
    events = frozenset({"claim", "claim_next", "release", "decide", "post", "renew", "context"})

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        staff = await self.authenticate(environ, auth)
        s = self.services
        await self.save_session(sid, {"staff": staff.id, "claims": set()})
        if not MODERATION_ROLES & set(staff.roles):
            await self.emit("hello", {"username": staff.username, "roles": staff.roles}, to=sid)
            return
        await self.enter_room(sid, STAFF_ROOM)
        await self.emit(
            "hello",
            {
                "username": staff.username,
                "roles": staff.roles,
                "reasons": {k: r.label for k, r in s.content.reasons.items()},
                "lease_s": s.settings.claim_lease_s,
            },
            to=sid,
        )
        await self.emit("queue", {"items": await s.moderation.pending_items()}, to=sid)
        await self.emit("escalations", {"items": await s.escalations.staff_items()}, to=sid)
        await self.emit("duty", await s.duty.status(), to=sid)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """A vanished moderator's claims go back to the queue at once."""
        session = await self.get_session(sid)
        staff_id = session.get("staff")
        if staff_id is None:
            return
        others = [
            other
            for other, _ in self.server.manager.get_participants(self.namespace, STAFF_ROOM)
            if other != sid and (await self.get_session(other)).get("staff") == staff_id
        ]
        if not others:
            await self.services.moderation.do_release_all(staff_id)

    async def moderator(self, sid: str) -> tuple[Staff, set[str]]:
        staff = await self.staff(sid)
        if not MODERATION_ROLES & set(staff.roles):
            raise Forbidden("hosts can only post to the room")
        session = await self.get_session(sid)
        claims: set[str] = session["claims"]
        await self.services.moderation.do_renew(staff, claims)  # activity renews leases
        return staff, claims

    async def on_claim(self, sid: str, data: dict[str, Any]) -> Ack:
        staff, claims = await self.moderator(sid)
        item = await self.services.moderation.do_claim(staff, data.get("id"))
        claims.add(item.id)
        return ok(item=await self.services.moderation.item(item))

    async def on_claim_next(self, sid: str, data: dict[str, Any]) -> Ack:
        staff, claims = await self.moderator(sid)
        item = await self.services.moderation.do_claim_next(staff)
        if item is None:
            return ok(item=None)
        claims.add(item.id)
        return ok(item=await self.services.moderation.item(item))

    async def on_renew(self, sid: str, data: dict[str, Any]) -> Ack:
        _, claims = await self.moderator(sid)
        return ok(claims=sorted(claims))

    async def on_release(self, sid: str, data: dict[str, Any]) -> Ack:
        staff, claims = await self.moderator(sid)
        await self.services.moderation.do_release(staff, data.get("id"))
        claims.discard(str(data.get("id")))
        return ok()

    async def on_decide(self, sid: str, data: dict[str, Any]) -> Ack:
        staff, claims = await self.moderator(sid)
        decided = await self.services.moderation.do_decide(
            staff,
            data.get("id"),
            data.get("action"),
            data.get("text"),
            data.get("reason"),
            data.get("severity"),
        )
        claims.discard(decided.id)
        return ok(id=decided.id, status=decided.status)

    async def on_context(self, sid: str, data: dict[str, Any]) -> Ack:
        await self.moderator(sid)
        return ok(messages=await self.services.moderation.author_context(data.get("id")))

    async def on_post(self, sid: str, data: dict[str, Any]) -> Ack:
        staff = await self.staff(sid)
        webchat = await self.services.webchats.get(data.get("webchat"))
        message = await self.services.moderation.do_post(staff, webchat, data.get("text"))
        return ok(id=message.id)


class SafeguardingNamespace(StaffNamespace):
    roles = LEAD_ROLES
    events = frozenset({"acknowledge", "private_message", "note", "close", "case"})

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        staff = await self.authenticate(environ, auth)
        s = self.services
        await self.save_session(sid, {"staff": staff.id})
        await self.enter_room(sid, LEADS_ROOM)
        await self.emit(
            "hello",
            {"username": staff.username, "roles": staff.roles, "outcomes": s.content.outcomes},
            to=sid,
        )
        await self.emit("escalations", {"items": await s.escalations.open_items()}, to=sid)
        if "lead" in staff.roles:
            await s.duty.do_lead_joined(sid, staff.username)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        await self.services.duty.do_lead_left(sid)

    async def on_acknowledge(self, sid: str, data: dict[str, Any]) -> Ack:
        e = await self.services.escalations.do_acknowledge(await self.staff(sid), data.get("id"))
        return ok(item=await self.services.escalations.view(e))

    async def on_private_message(self, sid: str, data: dict[str, Any]) -> Ack:
        entry = await self.services.escalations.do_private_message(
            await self.staff(sid), data.get("escalation_id"), data.get("text")
        )
        return ok(id=entry.id)

    async def on_note(self, sid: str, data: dict[str, Any]) -> Ack:
        entry = await self.services.escalations.do_note(
            await self.staff(sid), data.get("escalation_id"), data.get("text")
        )
        return ok(id=entry.id)

    async def on_close(self, sid: str, data: dict[str, Any]) -> Ack:
        e = await self.services.escalations.do_close(
            await self.staff(sid), data.get("escalation_id"), data.get("outcome"), data.get("note")
        )
        return ok(item=await self.services.escalations.view(e))

    async def on_case(self, sid: str, data: dict[str, Any]) -> Ack:
        await self.staff(sid)
        escalation_id = data.get("id")
        if not isinstance(escalation_id, str):
            raise Forbidden("id: required")
        return ok(case=await self.services.escalations.case_record(escalation_id))
