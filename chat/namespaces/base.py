"""What every namespace shares: an allowlist of events, a flood limit per socket, and the one
place where a SafechatError becomes an ack ``{ok: false, error: {code, message}}``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

import socketio
from socketio.exceptions import ConnectionRefusedError as Refused

from chat.ratelimit import SlidingWindow
from chat.services import Services
from config.errors import InvalidInput, RateLimited, SafechatError

log = logging.getLogger(__name__)
SESSION_COOKIE = "safechat_session"
Ack = dict[str, Any]


def ok(**data: Any) -> Ack:
    return {"ok": True, **data}


def error(exc: SafechatError) -> Ack:
    return {"ok": False, "error": exc.to_dict()}


def payload(args: tuple[Any, ...]) -> dict[str, Any]:
    if len(args) != 1 or not isinstance(args[0], dict):
        raise InvalidInput("send one object with the event's fields")
    return args[0]


def refuse(code: str, message: str) -> Refused:
    """A refused connection whose code reaches both Python and JavaScript clients."""
    exc = Refused()
    exc.error_args = {"message": message, "code": code, "data": {"code": code, "message": message}}
    return exc


def session_token(environ: dict[str, Any], auth: Any) -> str | None:
    """A staff token from the auth payload, else from the session cookie."""
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return str(auth["token"])
    cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel else None


class BaseNamespace(socketio.AsyncNamespace):
    events: frozenset[str] = frozenset()
    flood_limit: tuple[int, float] = (30, 10.0)  # events per seconds, per socket

    def __init__(self, namespace: str, services: Callable[[], Services]) -> None:
        super().__init__(namespace)
        self._services = services
        self._flood = SlidingWindow(*self.flood_limit)

    @property
    def services(self) -> Services:
        return self._services()

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event == "disconnect":
            return await super().trigger_event(event, *args)
        if event == "connect":
            try:
                return await super().trigger_event(event, *args)
            except Refused:
                raise
            except SafechatError as exc:
                raise refuse(exc.code, exc.message) from exc
            except Exception as exc:
                log.exception("%s connect failed", self.namespace)
                raise refuse("server_error", "Something went wrong. Please try again.") from exc
        sid, data = args[0], args[1:]
        try:
            if not self._flood.hit(sid):
                raise RateLimited("too many events: please slow down")
            if event not in self.events:
                raise InvalidInput(f"unknown event {event!r}")
            handler: Callable[..., Awaitable[Ack]] = getattr(self, f"on_{event}")
            return await handler(sid, payload(data))
        except SafechatError as exc:
            return error(exc)
        except Exception:
            log.exception("%s %s failed", self.namespace, event)
            return error(
                SafechatError("something went wrong; please try again", code="server_error")
            )
