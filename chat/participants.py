"""Anonymous participants.

Privacy policy: a young person is a pseudonym and the hash of a random resume token (256
bits). Nothing else about them is stored: no IP address, user agent, name or device data.
"""

from __future__ import annotations

import hashlib
import secrets

from chat.handles import make_handle
from chat.models import Participant, Webchat, new_id
from chat.store import DuplicateKey, Store
from config.errors import SafechatError


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ParticipantService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def do_join(self, webchat: Webchat, token: object) -> tuple[Participant, str]:
        """Resume the participant whose token this is (in this webchat), else start anew."""
        if isinstance(token, str) and 16 <= len(token) <= 200:
            found = await self.store.find_participant_by_token(hash_token(token))
            if found is not None and found.webchat_id == webchat.id:
                return found, token
        for _ in range(20):
            token = secrets.token_urlsafe(32)
            participant = Participant(new_id(), webchat.id, make_handle(), hash_token(token))
            try:
                return await self.store.create_participant(participant), token
            except DuplicateKey:
                continue
        raise SafechatError("could not find a free pseudonym; please try again", code="busy")
