"""/chat: young people, anonymous. A socket sees only the room's approved messages, its own
messages' status, its own private conversation and the webchat's state."""

from __future__ import annotations

from typing import Any

from chat.namespaces.base import Ack, BaseNamespace, ok, refuse
from chat.notify import participant_room, room_of
from chat.queue import own_message, room_message
from chat.ratelimit import SlidingWindow
from chat.services import Services
from config.errors import InvalidInput, RateLimited, SafechatError


class ChatNamespace(BaseNamespace):
    events = frozenset({"send_message", "private_reply"})

    def __init__(self, namespace: str, services: Any) -> None:
        super().__init__(namespace, services)
        self._limiter: SlidingWindow | None = None

    def limiter(self, s: Services) -> SlidingWindow:
        if self._limiter is None:
            self._limiter = SlidingWindow(
                s.settings.rate_limit_count, s.settings.rate_limit_window_s
            )
        return self._limiter

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        s = self.services
        if not isinstance(auth, dict) or not isinstance(auth.get("webchat"), str):
            raise refuse("unknown_webchat", "Please open the chat from its link.")
        webchat = await s.store.get_webchat(auth["webchat"])
        if webchat is None:
            raise refuse("unknown_webchat", "We couldn't find that chat. Please check the link.")
        if webchat.state == "closed":
            raise refuse("webchat_closed", "This chat has finished. Thank you for coming.")
        participant, token = await s.participants.do_join(webchat, auth.get("token"))
        await self.save_session(sid, {"participant": participant.id, "webchat": webchat.id})
        await self.enter_room(sid, room_of(webchat.id))
        await self.enter_room(sid, participant_room(participant.id))
        history = await s.store.list_approved(webchat.id)
        pending = await s.store.list_participant_messages(participant.id, statuses=["pending"])
        decided = await s.store.list_participant_messages(
            participant.id, statuses=["rejected", "escalated"], limit=20)
        private = await s.escalations.private_history(participant.id)
        await self.emit(
            "joined",
            {
                "participant": {"handle": participant.handle},
                "token": token,
                "webchat": webchat.public(),
                "history": [room_message(m) for m in history],
                "pending": [own_message(m) for m in pending],
            "own": [s.moderation.own_outcome(m) for m in decided],
                "private": private,
            },
            to=sid,
        )

    async def _who(self, sid: str) -> tuple[Services, Any, Any]:
        s = self.services
        session = await self.get_session(sid)
        participant = await s.store.get_participant(session["participant"])
        webchat = await s.store.get_webchat(session["webchat"])
        if participant is None or webchat is None:
            raise InvalidInput("please rejoin the chat")
        return s, participant, webchat

    def _check_text(self, s: Services, text: object) -> str:
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("Please type a message first.")
        if len(text) > s.settings.max_message_chars:
            raise InvalidInput(
                f"That message is a bit long. Please keep it under "
                f"{s.settings.max_message_chars} characters.",
                code="too_long",
            )
        return text

    async def on_send_message(self, sid: str, data: dict[str, Any]) -> Ack:
        s, participant, webchat = await self._who(sid)
        client_id = data.get("client_id")
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64:
            raise InvalidInput("client_id: a string of 1-64 characters is required")
        text = self._check_text(s, data.get("text"))
        retried = await s.store.find_message(participant.id, client_id)
        if retried is not None:  # a retry: the same answer, without counting it again
            return ok(message={"id": retried.id, "client_id": retried.client_id,
                               "status": retried.status})
        if webchat.state != "open":
            raise SafechatError("The chat isn't open right now.", code="not_open")
        if not self.limiter(s).hit(participant.id):
            raise RateLimited("You're sending messages quickly. Please wait a few seconds.")
        message, _ = await s.moderation.do_submit(participant, webchat, client_id, text)
        return ok(
            message={"id": message.id, "client_id": message.client_id, "status": message.status}
        )

    async def on_private_reply(self, sid: str, data: dict[str, Any]) -> Ack:
        s, participant, _ = await self._who(sid)
        text = self._check_text(s, data.get("text"))
        if not self.limiter(s).hit(participant.id):
            raise RateLimited("You're sending messages quickly. Please wait a few seconds.")
        entry = await s.escalations.do_private_reply(participant, text, s.moderation.screen(text))
        return ok(message={"id": entry.id, "at": entry.at.isoformat()})
