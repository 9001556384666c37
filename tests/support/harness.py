"""Run the real app on a loopback port and talk to it with real Socket.IO clients."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
import socketio
from aiohttp import web

from chat.models import Staff, Webchat, utcnow
from chat.services import Services
from config.settings import Settings
from web.app import create_app
from web.keys import SERVICES

PASSWORD = "correct horse battery"


@dataclass
class Event:
    name: str
    data: Any


@dataclass
class Client:
    """A real socketio.AsyncClient on one namespace that records every event it receives."""

    url: str
    namespace: str
    events: list[Event] = field(default_factory=list)
    refused: Any = None

    def __post_init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self._changed = asyncio.Event()

        async def any_event(event: str, *args: Any) -> None:
            self.events.append(Event(event, args[0] if len(args) == 1 else list(args)))
            self._changed.set()

        async def connect_error(data: Any) -> None:
            self.refused = data
            self._changed.set()

        self.sio.on("*", any_event, namespace=self.namespace)
        self.sio.on("connect_error", connect_error, namespace=self.namespace)

    async def connect(self, auth: Any = None, headers: dict[str, str] | None = None) -> None:
        await self.sio.connect(self.url, namespaces=[self.namespace], auth=auth,
                               headers=headers or {}, transports=["websocket"],
                               wait_timeout=5)

    async def call(self, event: str, data: Any = None, timeout: float = 5) -> Any:
        args = () if data is None else (data,)
        return await self.sio.call(event, *args, namespace=self.namespace, timeout=timeout)

    async def emit(self, event: str, data: Any = None) -> None:
        await self.sio.emit(event, data, namespace=self.namespace)

    def received(self, name: str) -> list[Any]:
        return [e.data for e in self.events if e.name == name]

    async def wait_for(
        self, name: str, where: Callable[[Any], bool] = lambda _: True, timeout: float = 5
    ) -> Any:
        async def find() -> Any:
            while True:
                for e in self.events:
                    if e.name == name and where(e.data):
                        return e.data
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


async def eventually(check: Callable[[], Any], timeout: float = 3.0) -> Any:
    """Poll an async ``check`` until it returns something truthy (for effects that follow an
    event, such as an audit entry written just after the alert went out)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.05)


class Harness:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clients: list[Client] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = create_app(self.settings)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        self.app = app

    async def stop(self) -> None:
        for client in self.clients:
            await client.close()
        self.clients.clear()
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    @property
    def services(self) -> Services:
        return self.app[SERVICES]

    def client(self, namespace: str) -> Client:
        c = Client(self.url, namespace)
        self.clients.append(c)
        return c

    async def webchat(self, *, opens_in: float = -60, hours: float = 1,
                      audience: str = "young_people") -> Webchat:
        opens = utcnow() + timedelta(seconds=opens_in)
        return await self.services.webchats.do_create(
            "Could you spot the signs?", audience, opens, opens + timedelta(hours=hours))

    async def staff(self, *roles: str) -> tuple[Staff, str]:
        """A staff member with ``roles`` and a session token, made through the service."""
        name = f"{roles[0]}-{secrets.token_hex(3)}"
        staff = await self.services.staff.do_add(name, PASSWORD, list(roles))
        _, token = await self.services.staff.do_login(name, PASSWORD)
        return staff, token

    async def young(self, webchat: Webchat, token: str | None = None) -> Client:
        c = self.client("/chat")
        auth: dict[str, Any] = {"webchat": webchat.id}
        if token:
            auth["token"] = token
        await c.connect(auth)
        await c.wait_for("joined")
        return c

    async def moderator(self, *roles: str) -> tuple[Client, Staff]:
        staff, token = await self.staff(*(roles or ("moderator",)))
        c = self.client("/moderation")
        await c.connect({"token": token})
        if set(staff.roles) & {"moderator", "lead", "admin"}:
            await c.wait_for("queue")
        return c, staff

    async def lead(self, *roles: str) -> tuple[Client, Staff]:
        staff, token = await self.staff(*(roles or ("lead",)))
        c = self.client("/safeguarding")
        await c.connect({"token": token})
        await c.wait_for("escalations")
        return c, staff

    async def http(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        async with aiohttp.ClientSession() as session, session.request(
            method, self.url + path, **kw
        ) as resp:
            ctype = resp.headers.get("Content-Type", "")
            body = await resp.json() if "json" in ctype else await resp.text()
            return resp.status, body
