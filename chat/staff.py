"""Staff accounts and sessions. Passwords are argon2 hashes; session tokens are random and
only their keyed hash (HMAC with the deployment secret) is stored, so a leaked database
cannot be replayed as sessions."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from chat.models import ROLES, AuditEntry, Staff, StaffSession, new_id, utcnow
from chat.store import DuplicateKey, Store
from config.errors import Conflict, InvalidInput, Unauthorized

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
LOGIN_FAILED = "Wrong username or password."
_hasher = PasswordHasher()
# A real hash to verify against for unknown usernames, so timing does not reveal which exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def check_username(username: object) -> str:
    if not isinstance(username, str) or not USERNAME.match(username):
        raise InvalidInput("username: 2-40 characters: lower-case letters, digits, . _ -")
    return username


def check_roles(roles: object) -> tuple[str, ...]:
    if not isinstance(roles, (list, tuple)) or not roles:
        raise InvalidInput(f"roles: choose from {', '.join(ROLES)}")
    for role in roles:
        if role not in ROLES:
            raise InvalidInput(f"unknown role {role!r}: choose from {', '.join(ROLES)}")
    return tuple(dict.fromkeys(roles))


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < 10:
        raise InvalidInput("password: at least 10 characters")
    return password


class StaffNames:
    """Usernames by staff id, cached (staff ids never change owner), for views of queue items
    and cases. Shared by the services of one app."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._names: dict[str, str] = {}

    async def of(self, *staff_ids: str | None) -> dict[str, str]:
        for sid in staff_ids:
            if sid and sid not in self._names:
                staff = await self.store.get_staff(sid)
                self._names[sid] = staff.username if staff else "unknown"
        return self._names


class StaffService:
    def __init__(self, store: Store, secret: str, session_hours: float = 12.0) -> None:
        self.store = store
        self._key = secret.encode()
        self.session_hours = session_hours

    def token_hash(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    async def do_add(self, username: object, password: object, roles: object) -> Staff:
        name = check_username(username)
        role_list = check_roles(roles)
        pw = check_password(password)
        if await self.store.find_staff(name) is not None:
            raise Conflict(f"username {name!r} is already taken")
        pw_hash = await asyncio.to_thread(_hasher.hash, pw)
        try:
            staff = await self.store.create_staff(Staff(new_id(), name, pw_hash, role_list))
        except DuplicateKey as exc:
            raise Conflict(f"username {name!r} is already taken") from exc
        await self.store.append_audit(
            AuditEntry(new_id(), "system", "staff_added", staff.id, None,
                       {"username": name, "roles": list(role_list)})
        )
        return staff

    async def do_login(self, username: object, password: object) -> tuple[Staff, str]:
        """Verify a password (off the event loop: argon2 is deliberately slow) and open a
        session. The same error for an unknown user and a wrong password."""
        if not isinstance(username, str) or not isinstance(password, str):
            raise InvalidInput("username and password are required")
        staff = await self.store.find_staff(username)
        ok = await asyncio.to_thread(
            _verify, staff.password_hash if staff else _DUMMY_HASH, password
        )
        if staff is None or not ok:
            raise Unauthorized(LOGIN_FAILED, code="login_failed")
        token = secrets.token_urlsafe(32)
        expires = utcnow() + timedelta(hours=self.session_hours)
        await self.store.create_session(StaffSession(self.token_hash(token), staff.id, expires))
        await self.store.append_audit(AuditEntry(new_id(), staff.id, "login", staff.id))
        return staff, token

    async def authenticate(self, token: object) -> Staff:
        if not isinstance(token, str) or not token:
            raise Unauthorized("please log in")
        session = await self.store.get_session(self.token_hash(token))
        if session is None or session.expires_at <= utcnow():
            raise Unauthorized("your session has ended: please log in again")
        staff = await self.store.get_staff(session.staff_id)
        if staff is None:
            raise Unauthorized("please log in")
        return staff

    async def do_logout(self, token: str) -> None:
        await self.store.delete_session(self.token_hash(token))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
