"""Where events go. Services call these; rooms make them reach every process when the server
uses a Redis client manager.

Privacy policy: the /chat namespace only ever receives room messages (approved), a
participant's own events (in that participant's private room) and webchat state. Staff data
and other participants' pending or private messages are emitted only to staff rooms."""

from __future__ import annotations

from typing import Any

import socketio

CHAT, MODERATION, SAFEGUARDING = "/chat", "/moderation", "/safeguarding"
STAFF_ROOM, LEADS_ROOM = "staff", "leads"


def room_of(webchat_id: str) -> str:
    return f"w:{webchat_id}"


def participant_room(participant_id: str) -> str:
    return f"p:{participant_id}"


class Notifier:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio
        self.leads: dict[str, str] = {}  # socket id -> username of leads connected here

    async def to_room(self, webchat_id: str, event: str, data: Any) -> None:
        await self.sio.emit(event, data, room=room_of(webchat_id), namespace=CHAT)

    async def to_participant(self, participant_id: str, event: str, data: Any) -> None:
        await self.sio.emit(event, data, room=participant_room(participant_id), namespace=CHAT)

    async def to_moderators(self, event: str, data: Any) -> None:
        await self.sio.emit(event, data, room=STAFF_ROOM, namespace=MODERATION)

    async def to_leads(self, event: str, data: Any) -> None:
        await self.sio.emit(event, data, room=LEADS_ROOM, namespace=SAFEGUARDING)
